r"""From a noise model to its loss, symbolically, and a check that the numeric code agrees.

``nll`` is :math:`-\log p(y \mid f)`; ``loss_from`` drops the terms that do not involve the prediction
(they cannot move the argmin); ``gradient`` differentiates with respect to the prediction. ``check`` then
evaluates the derivation and a numeric loss on sampled inputs (a numerical test, not a proof) and accepts the
pairing only if

.. math::  L_\text{numeric}(y, f) = a \cdot \mathrm{NLL}(y, f) + c(y), \qquad a > 0,

with the same :math:`a` for the gradient. It reports the scale :math:`a` and the constant :math:`c` it found
(MSE is :math:`2\sigma^2` times the Gaussian NLL) and raises ``AssertionError`` with the worst error otherwise.
``latex`` typesets a density or a loss the way a textbook writes it (:math:`y - f`, :math:`1/(\sigma\sqrt{2\pi})`)
without changing the expression the check runs on.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.printing.latex import LatexPrinter

from .noise import NoiseModel, f, y

__all__ = ["nll", "loss_from", "gradient", "check", "CheckResult", "latex"]


def _density(model_or_density):
    return model_or_density.density if isinstance(model_or_density, NoiseModel) else sp.sympify(model_or_density)


def _tidy(expr):
    """Split logs of products into sums (keeping squares like (f - y)**2 whole); fold a piecewise density."""
    expr = sp.expand_log(expr, force=True)
    if expr.has(sp.Piecewise):
        expr = sp.piecewise_fold(expr)
        return sp.Piecewise(*[(sp.expand_log(e, force=True), c) for e, c in expr.args])
    return expr


def nll(model_or_density):
    r"""The negative log-likelihood :math:`-\log p(y \mid f)` of a model (or of a density expression)."""
    return _tidy(-sp.log(_density(model_or_density)))


def _pred_symbols(model_or_expr, expr):
    if isinstance(model_or_expr, NoiseModel):
        return model_or_expr.pred
    named = sorted((s for s in expr.free_symbols if s.name == "f" or s.name.startswith("z")), key=lambda s: s.name)
    if not named:
        raise ValueError("cannot tell the prediction: name it f (or z0, z1, ... for logits), or pass a model")
    return tuple(named)


def _split(expr, pred):
    """Terms of a sum that involve the prediction, and those that do not."""
    terms = sp.Add.make_args(expr)
    keep = [t for t in terms if t.free_symbols & set(pred)]
    return sp.Add(*keep), sp.Add(*[t for t in terms if t not in keep])


def loss_from(model_or_density):
    r"""The NLL with every term free of the prediction dropped: the loss the noise model implies.

    For a piecewise NLL only the terms common to every piece are dropped, so the loss stays continuous.
    """
    expr = nll(model_or_density)
    pred = _pred_symbols(model_or_density, expr)
    if isinstance(expr, sp.Piecewise):
        consts = [set(sp.Add.make_args(_split(e, pred)[1])) for e, _ in expr.args]
        common = sp.Add(*set.intersection(*consts))
        return sp.Piecewise(*[(e - common, c) for e, c in expr.args])
    return _split(expr, pred)[0]


def gradient(model_or_expr, wrt=None):
    r"""Derivative of the NLL (of a model) or of an expression with respect to the prediction.

    Returns one expression, or a tuple of them for a vector prediction such as the logits of a categorical.
    """
    expr = nll(model_or_expr) if isinstance(model_or_expr, NoiseModel) else sp.sympify(model_or_expr)
    pred = (wrt,) if wrt is not None else _pred_symbols(model_or_expr, expr)
    grads = tuple(sp.diff(expr, p) for p in pred)
    return grads[0] if len(grads) == 1 else grads


@dataclass
class CheckResult:
    """What ``check`` found: ``loss = scale * NLL + constant`` on every parameter draw, and the worst errors."""

    loss: str
    source: str
    draws: list  # one dict per parameter draw: params, scale, constant (None when it varies with y)
    value_error: float  # worst relative error of the value differences
    grad_error: float  # worst relative error of the gradient (nan if not checked)
    points: int
    rtol: float = 1e-9  # the tolerance the check enforced

    def __str__(self):
        """Deterministic text: numbers at rounding level print as such, so the report can be compared verbatim."""

        def num(v):
            return "0" if abs(v) < 1e-12 else f"{v:.6g}"

        def err(v):
            return "below 1e-12" if v < 1e-12 else f"{v:.1e}"

        lines = [f"{self.loss} = a * NLL[{self.source}] + c on {self.points} points per draw:"]
        for d in self.draws:
            ps = ", ".join(f"{k}={v:.4g}" for k, v in d["params"].items()) or "no parameters"
            c = "a function of y only" if d["constant"] is None else num(d["constant"])
            lines.append(f"  {ps}: a = {num(d['scale'])}, c = {c}")
        lines.append(f"  worst relative error: value {err(self.value_error)}, gradient {err(self.grad_error)}")
        return "\n".join(lines)

    _repr_pretty_ = lambda self, p, cycle: p.text(str(self))  # noqa: E731

    def sentence(self) -> str:
        """One line for a page, with no machine-dependent digits.

        For example ``"mse = 2σ²·NLL + c: values and gradients agree to rounding at 4 parameter draws (worst
        relative error below 1e-12)."`` The scale is named when it is the same number at every draw (printed to
        4 significant digits), and the error is stated as a bound: below 1e-12 when it is at rounding level,
        otherwise below the tolerance the check enforced, so the line reads the same on every machine.
        """
        scales = {round(float(d["scale"]), 10) for d in self.draws}
        a = f"{scales.pop():.4g}" if len(scales) == 1 else "a"
        a = "" if a == "1" else f"{a}·"
        varies = " (a > 0 set by the parameters)" if a == "a·" else ""
        worst = max(self.value_error, 0.0 if np.isnan(self.grad_error) else self.grad_error)
        bound = "below 1e-12" if worst < 1e-12 else f"below {self.rtol:g}"
        how = "to rounding" if worst < 1e-12 else "within the tolerance"
        draws = len(self.draws)
        where = f"at {draws} parameter draws" if draws > 1 else f"on {self.points} sampled points"
        what = "values and gradients" if not np.isnan(self.grad_error) else "values"
        return (
            f"{self.loss} = {a}NLL[{self.source}] + c{varies}: {what} agree {how} {where} "
            f"(worst relative error {bound})."
        )


_MAX = sp.Function("lossnotes_max")
_MIN = sp.Function("lossnotes_min")
_ELEMENTWISE = {
    # sympy before 1.14 prints Max/Min as numpy.amax/amin over a tuple, which fails when a number and an array
    # meet (Max(0, 1 + f)); these names are printed as plain calls and evaluated elementwise instead.
    "lossnotes_max": lambda *a: functools.reduce(np.maximum, a),
    "lossnotes_min": lambda *a: functools.reduce(np.minimum, a),
}


def _lambdify(args, expr):
    """A NumPy function of ``args`` that evaluates ``expr`` elementwise on arrays on every supported SymPy.

    Max and Min become elementwise maxima and minima; Piecewise, Heaviside, sign and Abs use SymPy's own
    NumPy printing, which is elementwise on every supported version.
    """
    expr = sp.sympify(expr).replace(sp.Max, lambda *a: _MAX(*a)).replace(sp.Min, lambda *a: _MIN(*a))
    return sp.lambdify(args, expr, modules=[_ELEMENTWISE, "scipy", "numpy"])


def check(
    expr_or_model,
    loss,
    *,
    y=None,
    pred=None,
    params=None,
    loss_params=None,
    n=200,
    draws=4,
    seed=0,
    rtol=1e-9,
):
    """Compare a derivation with a numeric loss (value and gradient) on sampled inputs.

    With a model, everything is sampled: parameter draws (the defaults first), predictions in the model's
    ``pred_range`` and observations from the model itself. With an expression (an NLL or loss in ``y`` and
    ``f``), pass ``params`` (symbol or name -> value) for its other symbols, and optionally the data ``y`` and
    ``pred``; otherwise both are drawn from a standard normal. Each sample is evaluated at two predictions
    with the same ``y``, so that terms free of the prediction (constants, or functions of ``y`` alone) cancel:
    the check is that loss differences equal ``a`` times NLL differences with one ``a > 0``, and that the
    gradient equals ``a`` times the symbolic derivative. Raises ``AssertionError`` with the worst error.
    """
    rng = np.random.default_rng(seed)
    if isinstance(expr_or_model, NoiseModel):
        model = expr_or_model
        expr, source = nll(model), model.name
        target, predsyms = model.target, model.pred
        extra = draws - 1 if model.params else 0
        param_draws = [model.defaults] + [model.sample_params(rng) for _ in range(extra)]
        symbols = model.symbols
    else:
        model = None
        expr = sp.sympify(expr_or_model)
        source = "expression"
        predsyms = _pred_symbols(None, expr)
        target = tuple(sorted((s for s in expr.free_symbols if s.name == "y" or s.name.startswith("y")), key=str))
        if not target:
            raise ValueError("cannot tell the observation: name it y (or y0, y1, ... for one-hot targets)")
        given = {(k.name if isinstance(k, sp.Symbol) else k): v for k, v in (params or {}).items()}
        symbols = {s.name: s for s in expr.free_symbols if s not in target and s not in predsyms}
        missing = set(symbols) - set(given)
        if missing:
            raise ValueError(f"the expression has symbols {sorted(missing)} with no value: pass params={{...}}")
        param_draws = [given]
    k = len(predsyms)
    # the derivative of a Heaviside or sign is a DiracDelta, zero at every sampled point (almost surely)
    dexpr = [sp.diff(expr, p).replace(sp.DiracDelta, lambda *a: sp.S.Zero) for p in predsyms]
    psyms = [symbols[name] for name in param_draws[0]]
    args = list(target) + list(predsyms) + psyms
    f_val = _lambdify(args, expr)
    f_grad = [_lambdify(args, d) for d in dexpr]

    out, worst_v, worst_g = [], 0.0, 0.0
    for pv in param_draws:
        if model is not None:
            lo, hi = model.pred_range
            shape = (n, k) if k > 1 else (n,)
            p1, p2 = rng.uniform(lo, hi, shape), rng.uniform(lo, hi, shape)
            yy = model.sample(p1, rng, **pv)
            # the model's parameters, as far as this loss takes them (a different loss runs at its defaults)
            lp = {k: v for k, v in model.loss_params(**pv).items() if k in loss.params}
        else:
            yy = rng.standard_normal(n) if y is None else np.asarray(y, dtype=np.float64)
            p1 = rng.standard_normal(yy.shape) if pred is None else np.asarray(pred, dtype=np.float64)
            p2 = p1 + rng.standard_normal(p1.shape)
            lp = dict(loss_params or {})
        ycols = [np.eye(k)[yy.astype(int)][:, j] for j in range(k)] if len(target) > 1 else [yy]
        y_loss = np.eye(k)[yy.astype(int)] if len(target) > 1 else yy

        def sym(fn, p, pv=pv, ycols=ycols, k=k):
            pcols = [p[:, j] for j in range(k)] if k > 1 else [p]
            return np.broadcast_to(np.asarray(fn(*ycols, *pcols, *pv.values()), dtype=np.float64), ycols[0].shape)

        n1, n2 = sym(f_val, p1), sym(f_val, p2)
        l1 = np.asarray(loss(y_loss, p1, reduction="none", **lp))
        l2 = np.asarray(loss(y_loss, p2, reduction="none", **lp))
        dn, dl = n1 - n2, l1 - l2
        if not np.all(np.isfinite(dn)) or not np.all(np.isfinite(dl)):
            raise AssertionError(f"{loss.name} vs {source}: non-finite values on the sampled inputs")
        if np.max(np.abs(dn)) == 0:
            raise AssertionError(f"{loss.name} vs {source}: the derivation does not depend on the prediction")
        a = float(np.dot(dl, dn) / np.dot(dn, dn))
        if not a > 0:
            raise AssertionError(
                f"{loss.name} vs {source}: the loss decreases where the likelihood falls (best scale a = {a:.4g} "
                f"is not positive); a loss must be a positive multiple of the NLL"
            )
        scale = np.abs(l1) + np.abs(l2) + a * (np.abs(n1) + np.abs(n2)) + 1e-300
        err_v = np.abs(dl - a * dn) / scale
        i = int(np.argmax(err_v))
        if err_v[i] > rtol:
            raise AssertionError(
                f"{loss.name} is not a positive multiple of the NLL of {source} plus a constant: "
                f"at y={float(np.ravel(yy)[i]):.6g}, pred={p1[i]} vs {p2[i]} the loss changes by {dl[i]:.6g} "
                f"but {a:.6g} * NLL changes by {a * dn[i]:.6g} (relative error {err_v[i]:.2e} > {rtol:g}; params {pv})"
            )
        worst_v = max(worst_v, float(err_v[i]))
        g_num = np.asarray(loss.grad(y_loss, p1, **lp))
        g_sym = np.stack([sym(g, p1) for g in f_grad], axis=-1) if k > 1 else sym(f_grad[0], p1)
        err_g = np.abs(g_num - a * g_sym) / (np.abs(g_num) + a * np.abs(g_sym) + 1e-12 * np.max(np.abs(g_num)) + 1e-300)
        j = np.unravel_index(int(np.argmax(err_g)), err_g.shape)
        if err_g[j] > rtol:
            raise AssertionError(
                f"{loss.name}.grad disagrees with {a:.6g} * d(NLL)/d(pred) of {source}: "
                f"at y={float(np.ravel(yy)[j[0]]):.6g}, pred={p1[j]:.6g} it is {g_num[j]:.6g}, "
                f"the derivation gives {a * g_sym[j]:.6g} (relative error {err_g[j]:.2e} > {rtol:g}; params {pv})"
            )
        worst_g = max(worst_g, float(err_g[j]))
        offset = l1 - a * n1
        const = float(np.mean(offset))
        varies = np.max(np.abs(offset - const)) > rtol * (np.max(np.abs(l1)) + a * np.max(np.abs(n1)) + abs(const))
        out.append({"params": dict(pv), "scale": a, "constant": None if varies else const})
    return CheckResult(loss.name, source, out, worst_v, worst_g, n, rtol)


class _TextbookPrinter(LatexPrinter):
    """SymPy's LaTeX with a textbook's ordering: positive terms first (y - f, not -f + y), |y - f|, cosh(y - f),
    and a Gaussian constant written as 1/(sigma sqrt(2 pi))."""

    def _print_Add(self, expr, order=None):
        terms = list(self._as_ordered_terms(expr, order=order))
        if any(isinstance(t, sp.Order) for t in terms):  # a series keeps its order, O(...) last
            return super()._print_Add(expr, order=order)
        neg = [t for t in terms if t.could_extract_minus_sign()]
        if neg and len(neg) < len(terms):
            pos = [t for t in terms if not t.could_extract_minus_sign()]
            return super()._print_Add(sp.Add(*pos, *neg, evaluate=False), order="none")
        return super()._print_Add(expr, order=order)

    def _even(self, expr):  # an even function of f - y is written as one of y - f
        arg = expr.args[0]
        return sp.Add(y, -f, evaluate=False) if arg == f - y else arg

    def _print_Abs(self, expr, exp=None):
        tex = r"\left|{" + self._print(self._even(expr)) + r"}\right|"
        return tex if exp is None else f"{tex}^{{{exp}}}"

    def _print_cosh(self, expr, exp=None):
        arg = self._print(self._even(expr))
        return rf"\cosh{{\left({arg} \right)}}" if exp is None else rf"\cosh^{{{exp}}}{{\left({arg} \right)}}"

    def _print_Mul(self, expr):
        root = sp.sqrt(2 * sp.pi)
        exps = [a for a in expr.args if isinstance(a, sp.exp)]
        coef = sp.Mul(*[a for a in expr.args if not isinstance(a, sp.exp)])
        scaled = sp.simplify(coef * root)
        if exps and coef != 1 and coef.has(sp.pi) and not scaled.has(sp.pi):
            num, den = sp.fraction(scaled)
            den = "" if den == 1 else self._print(den) + " "
            return rf"\frac{{{self._print(num)}}}{{{den}\sqrt{{2 \pi}}}} {self._print(sp.Mul(*exps))}"
        return super()._print_Mul(expr)


def latex(expr) -> str:
    r"""LaTeX for a density, an NLL or a loss, written the way a textbook does.

    SymPy keeps its own canonical order, which prints the Gaussian density as
    ``\frac{\sqrt{2} e^{- \frac{\left(- f + y\right)^{2}}{2 \sigma^{2}}}}{2 \sqrt{\pi} \sigma}``; this prints
    ``\frac{1}{\sigma \sqrt{2 \pi}} e^{- \frac{\left(y - f\right)^{2}}{2 \sigma^{2}}}``. Only the printing
    changes: positive terms come before negative ones (:math:`y - f`, :math:`e^f - fy`), an even function of the
    residual (``Abs``, ``cosh``) is written in :math:`y - f`, and a constant factor with :math:`\sqrt{2\pi}` in it
    is written as a fraction over :math:`\sqrt{2\pi}`. A noise model may be given for its density.
    """
    expr = expr.density if isinstance(expr, NoiseModel) else sp.sympify(expr)
    return _TextbookPrinter().doprint(expr)

r"""The losses: each a stable numeric function of the prediction, with its exact gradient.

Every loss ``L`` is called ``L(y, pred, *, reduction="mean", **params)`` and has ``L.grad(y, pred, **params)``,
the elementwise derivative of the unreduced loss with respect to ``pred`` (shape of ``pred``); most also have
``L.hess`` (the elementwise second derivative) and all have ``L.value_and_grad``. Each loss documents its own
formula, the noise model it comes from, its gradient, its parameters, its accuracy and a reference:
``help(ln.losses.huber)``.

Inputs are checked before anything is computed: no broadcasting of ``y`` against ``pred``, labels in their set,
parameters in range; each refusal names the argument and the reason. ``LOSSES`` maps each name to its loss.

A loss is defined once, as a small subclass of :class:`Loss` with one instance. The subclass writes
``_check(self, y, pred, <param>=<default>, ...)`` (validate and convert; the keyword defaults written there are
the loss's ``params``), ``_value`` and ``_grad`` (on clean float64 arrays), and where they exist ``_hess`` and a
fused ``_value_and_grad``.
"""

from __future__ import annotations

import inspect

import numpy as np
from scipy.special import gammaln

from . import _checks as chk
from ._numerics import LOG_2, errstate, shifted_exp
from ._numerics import gaussian_nll as _gauss_nll
from .units import sigmoid

__all__ = [
    "Loss",
    "LOSSES",
    "mse",
    "mae",
    "huber",
    "pinball",
    "log_cosh",
    "student_t",
    "gaussian_nll",
    "poisson_nll",
    "binary_cross_entropy",
    "cross_entropy",
    "hinge",
    "squared_hinge",
    "logistic",
    "exponential",
    "focal",
]


class Loss:
    """A loss function: call it for the (reduced) loss; ``.grad``, ``.hess`` and ``.value_and_grad`` for its
    derivatives.

    Attributes
    ----------
    name : str
        The loss's name, its key in ``LOSSES``.
    params : dict
        Each keyword parameter and its default value.
    noise_model : str or None
        The noise model in ``lossnotes.noise`` whose negative log-likelihood this loss is (up to a positive scale
        and a constant), or None when it is not the likelihood of any noise model.
    row_logits : bool
        True when ``pred`` is a matrix of logits, one row of K class scores per observation.
    gradient_behaviour, use_when : str
        One sentence each: how the gradient behaves, and when to choose the loss.
    """

    name: str = ""
    noise_model: str | None = None
    row_logits: bool = False
    gradient_behaviour: str = ""
    use_when: str = ""

    def __init__(self):
        sig = inspect.signature(self._check)
        keyword = [p for p in list(sig.parameters.values())[2:] if p.default is not inspect.Parameter.empty]
        self.params = {p.name: p.default for p in keyword}
        head = [
            inspect.Parameter("y", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter("pred", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter("reduction", inspect.Parameter.KEYWORD_ONLY, default="mean"),
        ]
        tail = [inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=p.default) for p in keyword]
        self.__signature__ = inspect.Signature(head + tail)

    # ------------------------------------------------------------- what a subclass writes
    def _check(self, y, pred):
        """Validate and convert the inputs; return ``(y, pred, params)`` as clean arrays and checked values."""
        return _pair(y, pred) + ({},)

    def _value(self, y, pred, **params):
        raise NotImplementedError

    def _grad(self, y, pred, **params):
        raise NotImplementedError

    def _hess(self, y, pred, **params):
        raise NotImplementedError(f"{self.name} is piecewise linear or has no useful second derivative")

    def _value_and_grad(self, y, pred, **params):
        return self._value(y, pred, **params), self._grad(y, pred, **params)

    # ------------------------------------------------------------- the public methods
    @property
    def has_hess(self) -> bool:
        """Whether ``.hess`` is defined (it is for every twice-differentiable loss)."""
        return type(self)._hess is not Loss._hess

    def _prepare(self, y, pred, params):
        unknown = set(params) - set(self.params)
        if unknown:
            takes = ", ".join(self.params) if self.params else "no parameters"
            raise TypeError(f"{self.name}() got unexpected parameter(s) {sorted(unknown)}; it takes {takes}")
        return self._check(y, pred, **params)

    def __call__(self, y, pred, *, reduction="mean", **params):
        """The loss, reduced over all elements (``"mean"``, ``"sum"``) or elementwise (``"none"``)."""
        how = chk.reduction(reduction)
        y, pred, p = self._prepare(y, pred, params)
        with errstate():
            return chk.reduce(self._value(y, pred, **p), how)

    def grad(self, y, pred, **params):
        """Elementwise derivative of the unreduced loss with respect to ``pred`` (shape of ``pred``)."""
        y, pred, p = self._prepare(y, pred, params)
        with errstate():
            return self._grad(y, pred, **p)

    def hess(self, y, pred, **params):
        """Elementwise second derivative with respect to ``pred``, where the loss has one."""
        if not self.has_hess:
            self._hess(None, None)  # raises, saying why
        y, pred, p = self._prepare(y, pred, params)
        with errstate():
            return self._hess(y, pred, **p)

    def value_and_grad(self, y, pred, *, reduction="mean", **params):
        """The reduced loss and its gradient with respect to ``pred`` (for ``"mean"``, ``.grad / count``)."""
        how = chk.reduction(reduction)
        y, pred, p = self._prepare(y, pred, params)
        with errstate():
            v, g = self._value_and_grad(y, pred, **p)
            out = chk.reduce(v, how)
        if how == "mean":
            # in place when the gradient is a fresh float64 array (it is for every loss here): one pass less
            own = g.dtype == np.float64 and g.flags.writeable
            own = own and not (np.may_share_memory(g, pred) or np.may_share_memory(g, y))
            g = np.divide(g, v.size, out=g if own else None)
        return out, g

    def __repr__(self):
        ps = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"<loss {self.name}({'y, pred' + (', ' + ps if ps else '')})>"


# ---------------------------------------------------------------- input checks and shared pieces

_BLOCK = 32768  # values per block (256 KiB) in the fused paths: a block and its temporaries stay in cache


def _pair(y, pred):
    y = chk.as_float(y, "y")
    pred = chk.as_float(pred, "pred")
    chk.same_shape(y, pred)
    return y, pred


def _residual(y, pred):
    """``r = pred - y``, and where that overflows (|r| > max float64) the exact half ``pred/2 - y/2`` instead.

    Returns ``(r, half, big)``: losses that scale the residual down (by delta, tau, 1/scale) use ``2 * (c * half)``
    where ``big`` is set, so a representable result is not lost to an intermediate inf.
    """
    r = pred - y
    big = np.isinf(r)
    half = np.where(big, 0.5 * pred - 0.5 * y, 0.0)
    return r, half, big


def _scaled_residual(y, pred, scale):
    """(pred - y) / scale without an intermediate overflow."""
    r, half, big = _residual(y, pred)
    return np.where(big, 2.0 * (half / scale), r / scale)


def _pm1(name, y, pred):
    y, pred = _pair(y, pred)
    bad = (y != 1.0) & (y != -1.0)
    if bad.any():
        raise ValueError(f"y must be -1 or +1 for {name} (pred is the score); y{chk.first_bad(bad, y)}")
    return y, pred


def _softplus(x):
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|) on a clean array."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


# ---------------------------------------------------------------- regression


class MSE(Loss):
    r"""Squared error, :math:`(\hat y - y)^2`.

    The negative log-likelihood of Gaussian noise, :math:`y \sim \mathcal N(\hat y, \sigma^2)`, times
    :math:`2\sigma^2`, less a constant: its minimiser estimates the conditional mean.

    Gradient
    --------
    :math:`2(\hat y - y)`; second derivative 2.

    Parameters
    ----------
    y : array_like
        Targets, any real numbers.
    pred : array_like
        Predictions, the same shape as ``y``.
    reduction : {"mean", "sum", "none"}
        How the elementwise losses are combined; ``"none"`` keeps the shape of ``y``.

    Returns
    -------
    float or ndarray
        The mean or sum, or the elementwise losses.

    Accuracy
    --------
    Within 8 eps (relative) of the exact value for every pair of finite float64 inputs, tested against
    60-digit mpmath from the subnormals to the largest double; measured worst 1.2 eps. A square beyond the
    largest double is ``inf``.

    References
    ----------
    Gauss (1809), least squares; Goodfellow, Bengio and Courville, *Deep Learning* (2016), section 5.5.1.
    """

    name = "mse"
    noise_model = "gaussian"
    gradient_behaviour = "grows in step with the residual, so the largest errors dominate each update"
    use_when = "the noise is close to Gaussian with no gross outliers; the fit estimates the conditional mean"

    def _value(self, y, pred):
        r = pred - y
        return r * r

    def _grad(self, y, pred):
        return 2.0 * (pred - y)

    def _hess(self, y, pred):
        return np.full_like(pred, 2.0)


class MAE(Loss):
    r"""Absolute error, :math:`|\hat y - y|`.

    The negative log-likelihood of Laplace noise with scale :math:`b`, times :math:`b`, less a constant: its
    minimiser estimates the conditional median.

    Gradient
    --------
    :math:`\operatorname{sign}(\hat y - y)` (0 at a zero residual, the subgradient a descent step takes). No
    second derivative.

    Parameters
    ----------
    y : array_like
        Targets, any real numbers.
    pred : array_like
        Predictions, the same shape as ``y``.
    reduction : {"mean", "sum", "none"}
        How the elementwise losses are combined.

    Returns
    -------
    float or ndarray
        The mean or sum, or the elementwise losses.

    Accuracy
    --------
    Within 8 eps of the exact value for every pair of finite float64 inputs (tested against mpmath); measured
    worst 0 eps: one correctly rounded subtraction.

    References
    ----------
    Laplace (1774); Koenker, *Quantile Regression* (2005), chapter 1.
    """

    name = "mae"
    noise_model = "laplace"
    gradient_behaviour = "the same size, 1, for every nonzero residual: it does not fade near the answer"
    use_when = "you want the conditional median, a fit that one wild target cannot drag far"

    def _value(self, y, pred):
        return np.abs(pred - y)

    def _grad(self, y, pred):
        return np.sign(pred - y)


class Huber(Loss):
    r"""Huber loss: :math:`\tfrac12 r^2` for :math:`|r| \le \delta`, else :math:`\delta(|r| - \tfrac12\delta)`,
    with :math:`r = \hat y - y`.

    The negative log-likelihood (up to a constant) of a density with a standard Gaussian centre on
    :math:`|r| \le \delta` and Laplace tails beyond: the least favourable distribution of Huber's minimax
    argument. Its minimiser is Huber's M-estimate of location, which is not in general between the mean and
    the median.

    Gradient
    --------
    :math:`\mathrm{clip}(r, -\delta, \delta)`; second derivative 1 inside the band, 0 outside.

    Parameters
    ----------
    y : array_like
        Targets, any real numbers.
    pred : array_like
        Predictions, the same shape as ``y``.
    reduction : {"mean", "sum", "none"}
        How the elementwise losses are combined.
    delta : float, default 1.0
        Where the quadratic centre meets the linear tails; finite and > 0.

    Returns
    -------
    float or ndarray
        The mean or sum, or the elementwise losses.

    Accuracy
    --------
    Within 8 eps of the exact value for every pair of finite float64 inputs and delta in {0.25, 1, 3} (tested
    against mpmath, including residuals that overflow float64); measured worst 1.2 eps.

    References
    ----------
    Huber, "Robust estimation of a location parameter", Annals of Mathematical Statistics 35 (1964).
    """

    name = "huber"
    noise_model = "huber"
    gradient_behaviour = "equal to the residual inside ±δ and clipped to ±δ beyond: no point pulls harder than δ"
    use_when = "mostly Gaussian noise with a few outliers; δ sets the residual beyond which a point is an outlier"

    def _check(self, y, pred, delta=1.0):
        y, pred = _pair(y, pred)
        return y, pred, {"delta": chk.positive(delta, "delta")}

    def _value(self, y, pred, delta):
        # m (|r| - m/2) with m = min(|r|, delta): r^2/2 inside the band, delta (|r| - delta/2) outside, in one
        # expression and in place. A residual that overflowed is redone from its exact half.
        a = np.abs(pred - y)
        if a.size and not np.isfinite(a.max()):
            r, half, big = _residual(y, pred)
            far = np.where(big, 2.0 * (delta * np.abs(half)), delta * (np.abs(r) - 0.5 * delta))
            return np.where(np.abs(r) <= delta, 0.5 * r * r, far)
        m = np.minimum(a, delta)
        a -= 0.5 * m
        a *= m
        return a

    def _grad(self, y, pred, delta):
        g = pred - y
        np.maximum(g, -delta, out=g)
        np.minimum(g, delta, out=g)
        return g

    def _hess(self, y, pred, delta):
        return (np.abs(pred - y) <= delta).astype(np.float64)

    def _value_and_grad(self, y, pred, delta):
        # The same formulas as _value and _grad, sharing r = pred - y, block by block in cache.
        value, grad = np.empty(pred.shape), np.empty(pred.shape)  # C order: the flat views below write into them
        yf, pf, vf, gf = y.reshape(-1), pred.reshape(-1), value.reshape(-1), grad.reshape(-1)
        for start in range(0, pf.size, _BLOCK):
            sl = slice(start, start + _BLOCK)
            g, v = gf[sl], vf[sl]
            np.subtract(pf[sl], yf[sl], out=g)
            np.abs(g, out=v)
            if not np.isfinite(v.max()):  # a residual beyond float64: the careful path for this block
                v[:] = self._value(yf[sl], pf[sl], delta)
            else:
                m = np.minimum(v, delta)
                v -= 0.5 * m
                v *= m
            np.maximum(g, -delta, out=g)
            np.minimum(g, delta, out=g)
        return value, grad


class Pinball(Loss):
    r"""Pinball (quantile) loss: :math:`\max(\tau u, (\tau - 1) u)` with :math:`u = y - \hat y`.

    The negative log-likelihood of asymmetric Laplace noise, up to a scale and a constant: a fraction
    :math:`\tau` of the mass lies below the prediction, so the minimiser estimates the conditional
    :math:`\tau`-quantile.

    Gradient
    --------
    :math:`-\tau` where :math:`y > \hat y`, :math:`1 - \tau` where :math:`y < \hat y`, 0 where they are equal.
    No second derivative.

    Parameters
    ----------
    y : array_like
        Targets, any real numbers.
    pred : array_like
        Predictions, the same shape as ``y``.
    reduction : {"mean", "sum", "none"}
        How the elementwise losses are combined.
    tau : float, default 0.5
        The quantile level, strictly between 0 and 1 (0.5 gives half the absolute error).

    Returns
    -------
    float or ndarray
        The mean or sum, or the elementwise losses.

    Accuracy
    --------
    Within 8 eps of the exact value for every pair of finite float64 inputs and tau in {0.1, 0.5, 0.9}
    (tested against mpmath); measured worst 1.0 eps.

    References
    ----------
    Koenker and Bassett, "Regression quantiles", Econometrica 46 (1978).
    """

    name = "pinball"
    noise_model = "asymmetric_laplace"
    gradient_behaviour = "−τ while the prediction is below the target, 1 − τ above: the two sides cost differently"
    use_when = "you need a quantile of the target, such as the ends of a prediction interval"

    def _check(self, y, pred, tau=0.5):
        y, pred = _pair(y, pred)
        return y, pred, {"tau": chk.open_unit(tau, "tau")}

    def _value(self, y, pred, tau):
        r, half, big = _residual(y, pred)
        u, h = -r, -half
        return np.where(big, 2.0 * np.maximum(tau * h, (tau - 1.0) * h), np.maximum(tau * u, (tau - 1.0) * u))

    def _grad(self, y, pred, tau):
        return np.where(y > pred, -tau, np.where(y < pred, 1.0 - tau, 0.0))


class LogCosh(Loss):
    r"""Log-cosh loss, :math:`\log\cosh(\hat y - y)`.

    The negative log-likelihood of hyperbolic secant noise, :math:`p(r) = 1/(\pi\cosh r)`, less
    :math:`\log\pi`: Gaussian-like near zero, exponential tails.

    Gradient
    --------
    :math:`\tanh(\hat y - y)`; second derivative :math:`1/\cosh^2(\hat y - y) > 0` everywhere.

    Parameters
    ----------
    y : array_like
        Targets, any real numbers.
    pred : array_like
        Predictions, the same shape as ``y``.
    reduction : {"mean", "sum", "none"}
        How the elementwise losses are combined.

    Returns
    -------
    float or ndarray
        The mean or sum, or the elementwise losses.

    Accuracy
    --------
    Within 8 eps of the exact value for every pair of finite float64 inputs (tested against mpmath): no
    cancellation near 0 (where the naive formula returns 0 for a residual of 1e-8), no overflow far out;
    measured worst 1.0 eps.

    References
    ----------
    The hyperbolic secant distribution: Johnson, Kotz and Balakrishnan, *Continuous Univariate
    Distributions*, vol. 2, 2nd ed. (1995).
    """

    name = "log_cosh"
    noise_model = "hyperbolic_secant"
    gradient_behaviour = "tanh of the residual: nearly the residual near zero, levelling off at ±1 far out"
    use_when = "robust regression where Newton steps need a second derivative that is positive everywhere"

    def _value(self, y, pred):
        # log cosh r = log1p(2 sinh(r/2)^2) near 0 (no cancellation: ~ r^2/2),
        #            = |r| - log 2 + log1p(exp(-2|r|)) far out (no overflow).
        a = np.abs(pred - y)
        small = a < 4.0
        h = np.sinh(np.where(small, 0.5 * a, 0.0))
        near = np.log1p(2.0 * h * h)
        far = (a - LOG_2) + np.log1p(np.exp(-2.0 * a))
        return np.where(small, near, far)

    def _grad(self, y, pred):
        return np.tanh(pred - y)

    def _hess(self, y, pred):
        return 1.0 / np.cosh(np.minimum(np.abs(pred - y), 710.0)) ** 2


class StudentT(Loss):
    r"""Student-t loss, :math:`\frac{\nu + 1}{2}\log\!\big(1 + \frac{t^2}{\nu}\big)` with
    :math:`t = (\hat y - y)/s`.

    The negative log-likelihood of Student-t noise with :math:`\nu` degrees of freedom and scale :math:`s`, less
    a constant; :math:`\nu = 1` is the Cauchy. Not convex: the loss grows only logarithmically, so its
    minimiser ignores far outliers (a redescending M-estimate) and a descent can stop in a local minimum.

    Gradient
    --------
    :math:`(\nu + 1)\, r / (\nu s^2 + r^2)`, largest at :math:`|r| = s\sqrt\nu` and falling to 0 beyond. No
    second derivative is provided (it changes sign, so Newton's method does not apply).

    Parameters
    ----------
    y : array_like
        Targets, any real numbers.
    pred : array_like
        Predictions, the same shape as ``y``.
    reduction : {"mean", "sum", "none"}
        How the elementwise losses are combined.
    nu : float, default 1.0
        Degrees of freedom, finite and > 0.
    scale : float, default 1.0
        The scale :math:`s`, finite and > 0.

    Returns
    -------
    float or ndarray
        The mean or sum, or the elementwise losses.

    Accuracy
    --------
    Within 8 eps of the exact value for every pair of finite float64 inputs at (nu, scale) = (1, 1) and
    (3, 10) (tested against mpmath); measured worst 1.2 eps.

    References
    ----------
    Lange, Little and Taylor, "Robust statistical modeling using the t distribution", JASA 84 (1989).
    """

    name = "student_t"
    noise_model = "student_t"
    gradient_behaviour = "rises up to |r| = s·√ν, then falls back towards zero: the farthest points barely pull"
    use_when = "gross outliers should be ignored rather than down-weighted, and a non-convex loss is acceptable"

    def _check(self, y, pred, nu=1.0, scale=1.0):
        y, pred = _pair(y, pred)
        return y, pred, {"nu": chk.positive(nu, "nu"), "scale": chk.positive(scale, "scale")}

    def _value(self, y, pred, nu, scale):
        # (nu+1)/2 log1p(t^2/nu), t = |r|/scale. Far out (t > 1e150, where t*t overflows) use
        # log1p(t^2/nu) = 2 log t - log nu + log1p(nu/t^2); an overflowed residual enters as t = 2 t_half.
        r, half, big = _residual(y, pred)
        t = np.abs(np.where(big, half, r)) / scale  # t itself, or t/2 where the residual overflowed
        far = big | (t > 1e150)
        tf = np.where(far, t, 1.0)
        log_t = np.log(tf) + np.where(big, LOG_2, 0.0)
        t2_far = np.where(big, 4.0, 1.0) * tf * tf
        far_v = 2.0 * log_t - np.log(nu) + np.log1p(nu / t2_far)
        tn = np.where(far, 0.0, t)
        return 0.5 * (nu + 1.0) * np.where(far, far_v, np.log1p(tn * tn / nu))

    def _grad(self, y, pred, nu, scale):
        t = _scaled_residual(y, pred, scale)
        # (nu+1) t / (scale (nu + t^2)), as (nu+1) / (scale (nu/t + t)) for |t| > 1 so t^2 cannot overflow.
        out = np.abs(t) > 1.0
        t_out = np.where(out, t, 1.0)
        t_in = np.where(out, 0.0, t)
        return np.where(
            out, (nu + 1.0) / (scale * (nu / t_out + t_out)), (nu + 1.0) * t_in / (scale * (nu + t_in * t_in))
        )


class GaussianNLL(Loss):
    r"""Gaussian negative log-likelihood with a given variance,
    :math:`\tfrac12\big(\log 2\pi v + (\hat y - y)^2 / v\big)`; ``pred`` is the mean.

    Exactly :math:`-\log \mathcal N(y; \hat y, v)` (equal to ``-scipy.stats.norm.logpdf``). With a variance per
    point (heteroscedastic noise) the points declared noisy count less.

    Gradient
    --------
    :math:`(\hat y - y)/v`; second derivative :math:`1/v`.

    Parameters
    ----------
    y : array_like
        Targets, any real numbers.
    pred : array_like
        Predicted means, the same shape as ``y``.
    reduction : {"mean", "sum", "none"}
        How the elementwise losses are combined.
    var : float or array_like, default 1.0
        The variance, finite and > 0: one number, or one per element of ``y`` (the shape of ``y``).

    Returns
    -------
    float or ndarray
        The mean or sum, or the elementwise losses.

    Accuracy
    --------
    Within 8 eps of the exact value for every pair of finite float64 inputs and var in {1e-3, 1, 1e5},
    measured relative to the larger of the value and its largest term (near its zero the loss is a
    difference of two terms, and no float64 evaluation is relatively accurate there); measured worst 1.2 eps.

    References
    ----------
    Nix and Weigend, "Estimating the mean and variance of the target probability distribution", ICNN (1994).
    """

    name = "gaussian_nll"
    noise_model = "heteroscedastic_gaussian"
    gradient_behaviour = "the residual divided by the variance: points the model calls noisy pull less"
    use_when = "the noise level differs from point to point and is known or predicted along with the mean"

    def _check(self, y, pred, var=1.0):
        y, pred = _pair(y, pred)
        return y, pred, {"var": chk.positive(var, "var", shape=y.shape)}

    def _value(self, y, pred, var):
        r = pred - y
        return _gauss_nll(r * (r / var), np.log(var))

    def _grad(self, y, pred, var):
        return _scaled_residual(y, pred, var)

    def _hess(self, y, pred, var):
        return np.broadcast_to(1.0 / np.asarray(var), pred.shape).copy()


class PoissonNLL(Loss):
    r"""Poisson negative log-likelihood, :math:`e^{\eta} - y\eta + \log y!`; ``pred`` is the log-rate
    :math:`\eta`.

    Exactly :math:`-\log \mathrm{Poisson}(y; e^\eta)` (equal to ``-scipy.stats.poisson.logpmf``); the minimiser
    estimates the log of the conditional mean count.

    Gradient
    --------
    :math:`e^{\eta} - y`; second derivative :math:`e^{\eta}`.

    Parameters
    ----------
    y : array_like
        Observed counts: integers >= 0 (as floats or integers).
    pred : array_like
        Log-rates, the same shape as ``y``.
    reduction : {"mean", "sum", "none"}
        How the elementwise losses are combined.

    Returns
    -------
    float or ndarray
        The mean or sum, or the elementwise losses.

    Accuracy
    --------
    Within 8 eps for counts from 0 to 1e15 and every finite log-rate, measured relative to the larger of the
    value and its largest term (the three terms can cancel); measured worst 1.0 eps. A rate beyond float64
    gives ``inf``.

    References
    ----------
    McCullagh and Nelder, *Generalized Linear Models*, 2nd ed. (1989), chapter 6.
    """

    name = "poisson_nll"
    noise_model = "poisson"
    gradient_behaviour = "predicted rate minus observed count, with the prediction on the log scale"
    use_when = "the targets are counts of events and the model predicts a log-rate"

    def _check(self, y, pred):
        y, pred = _pair(y, pred)
        bad = ~np.isfinite(y) | (y < 0) | (y != np.floor(y))
        if bad.any():
            raise ValueError(f"y must hold counts (integers >= 0) for poisson_nll; y{chk.first_bad(bad, y)}")
        return y, pred, {}

    def _value(self, y, pred):
        rate = np.exp(pred)
        with np.errstate(invalid="ignore"):
            v = (rate - y * pred) + gammaln(y + 1.0)
        # A rate beyond float64 dominates every other term: the loss is +inf, not inf - inf.
        return np.where(np.isinf(rate), np.inf, v)

    def _grad(self, y, pred):
        return np.exp(pred) - y

    def _hess(self, y, pred):
        return np.exp(pred)


# ---------------------------------------------------------------- classification


class BinaryCrossEntropy(Loss):
    r"""Binary cross-entropy from the logit: :math:`w\,y\,\zeta(-z) + (1 - y)\,\zeta(z)`, with
    :math:`\zeta(x) = \log(1 + e^x)` and :math:`w` = ``pos_weight``.

    At :math:`w = 1` this is :math:`\zeta(z) - yz`, exactly the Bernoulli negative log-likelihood with
    :math:`P(y = 1) = \sigma(z)` (equal to ``-scipy.stats.bernoulli.logpmf`` for hard labels); the minimiser
    estimates the log-odds. With :math:`w \ne 1` the positive class counts :math:`w` times (as PyTorch's
    ``BCEWithLogitsLoss(pos_weight=...)``): the minimiser moves to :math:`\log(w\,\eta/(1-\eta))` and the loss is
    no longer the likelihood of the data, but of a reweighted sample.

    Gradient
    --------
    :math:`(1 - y)\,\sigma(z) - w\,y\,\sigma(-z)`, which is :math:`\sigma(z) - y` at :math:`w = 1`; second
    derivative :math:`\big((1 - y) + w y\big)\,\sigma(z)\,\sigma(-z)`.

    Parameters
    ----------
    y : array_like
        Labels or probabilities in [0, 1].
    pred : array_like
        Logits :math:`z`, the same shape as ``y``.
    reduction : {"mean", "sum", "none"}
        How the elementwise losses are combined.
    pos_weight : float, default 1.0
        Weight of the positive (y = 1) term; finite and > 0.

    Returns
    -------
    float or ndarray
        The mean or sum, or the elementwise losses.

    Accuracy
    --------
    Within 8 eps of the exact value for every finite logit and y in {0, 1e-10, 0.25, 0.5, 0.75, 1 - 1e-10, 1}
    (tested against mpmath; the naive form from probabilities returns inf from z = 37 on), and at
    ``pos_weight`` in {0.1, 3}; measured worst 1.2 eps. The gradient with ``pos_weight`` is within 8 eps
    relative to its larger term (it is a difference that vanishes at the minimiser).

    References
    ----------
    Cox, "The regression analysis of binary sequences", JRSS B 20 (1958); Goodfellow, Bengio and Courville,
    *Deep Learning* (2016), section 6.2.2.2.
    """

    name = "binary_cross_entropy"
    noise_model = "bernoulli"
    gradient_behaviour = "predicted probability minus label, σ(z) − y: largest, near 1, when confidently wrong"
    use_when = "two classes labelled 0 and 1, when calibrated probabilities of the positive class are wanted"

    def _check(self, y, pred, pos_weight=1.0):
        y, pred = _pair(y, pred)
        bad = ~((y >= 0) & (y <= 1))
        if bad.any():
            raise ValueError(
                "y must be a probability in [0, 1] for binary_cross_entropy (pred is the logit); "
                f"y{chk.first_bad(bad, y)}"
            )
        return y, pred, {"pos_weight": chk.positive(pos_weight, "pos_weight")}

    def _value(self, y, z, pos_weight):
        tail = np.log1p(np.exp(-np.abs(z)))
        if pos_weight == 1.0:
            # softplus(z) - y z = max(z,0) - y z + log1p(exp(-|z|)); the first part is (1-y) z or -y z, both >= 0.
            return np.where(z >= 0, (1.0 - y) * z, -y * z) + tail
        wy = pos_weight * y
        neg = 1.0 - y
        return np.where(z >= 0, neg * z, -wy * z) + (neg + wy) * tail

    def _grad(self, y, z, pos_weight):
        s = sigmoid(-np.abs(z))  # sigma(-|z|): the small one of sigma(z), sigma(-z), to full relative accuracy
        if pos_weight == 1.0:
            # sigmoid(z) - y, as (1 - y) - sigmoid(-z) for z >= 0 so that y = 1 keeps every digit.
            return np.where(z >= 0, (1.0 - y) - s, s - y)
        big = 1.0 - s  # sigma(|z|)
        sig_z, sig_mz = np.where(z >= 0, big, s), np.where(z >= 0, s, big)
        return (1.0 - y) * sig_z - (pos_weight * y) * sig_mz

    def _value_and_grad(self, y, z, pos_weight):
        if pos_weight != 1.0:
            return self._value(y, z, pos_weight), self._grad(y, z, pos_weight)
        # The same formulas as _value and _grad, sharing one exp(-|z|), block by block so that the
        # temporaries stay in cache.
        value, grad = np.empty(z.shape), np.empty(z.shape)  # C order: the flat views below write into them
        yf, zf, vf, gf = y.reshape(-1), z.reshape(-1), value.reshape(-1), grad.reshape(-1)
        for start in range(0, zf.size, _BLOCK):
            zc, yc = zf[start : start + _BLOCK], yf[start : start + _BLOCK]
            pos = zc >= 0
            t = np.abs(zc)
            np.negative(t, out=t)
            np.exp(t, out=t)  # exp(-|z|) in (0, 1]
            c = np.subtract(1.0, yc)
            np.negative(yc, out=c, where=~pos)  # (1 - y) where z >= 0, -y elsewhere
            v = vf[start : start + _BLOCK]
            np.log1p(t, out=v)
            v += c * zc  # (1 - y) z or -y z, both >= 0, plus log1p(exp(-|z|))
            s = t / (1.0 + t)  # sigmoid(-|z|)
            np.negative(s, out=s, where=pos)
            np.add(c, s, out=gf[start : start + _BLOCK])  # (1 - y) - s for z >= 0, s - y elsewhere
        return value, grad

    def _hess(self, y, z, pos_weight):
        h = sigmoid(z) * sigmoid(-z)
        return h if pos_weight == 1.0 else ((1.0 - y) + pos_weight * y) * h


class CrossEntropy(Loss):
    r"""Categorical cross-entropy from logits: :math:`\log\sum_k e^{z_k} - \sum_k q_k z_k` for each row.

    ``pred`` is a matrix of logits :math:`z` (n, K); the target :math:`q` is one-hot from integer labels (n,), or
    given as class probabilities (n, K). For labels this is exactly the categorical negative log-likelihood
    :math:`-\log \mathrm{softmax}(z)_y`, and the minimiser recovers the class probabilities.

    ``label_smoothing`` :math:`\epsilon` replaces :math:`q` by :math:`(1 - \epsilon) q + \epsilon / K`.
    ``class_weight`` :math:`w` multiplies each class's part of the target: the elementwise loss is
    :math:`w_y \cdot \mathrm{CE}` for a label, :math:`-\sum_k w_k q_k \log\mathrm{softmax}(z)_k` in general. With
    weights or smoothing the loss is no longer a likelihood of the data. ``reduction="mean"`` always divides by
    the number of rows n; PyTorch's ``CrossEntropyLoss(weight=...)`` with labels divides by
    :math:`\sum_i w_{y_i}` instead, so its mean is a weighted average of the per-row losses.

    Gradient
    --------
    :math:`\mathrm{softmax}(z) - q` per row, shape (n, K); with weights
    :math:`(\sum_k w_k q_k)\,\mathrm{softmax}(z) - w \odot q`.

    Parameters
    ----------
    y : array_like
        Integer class labels 0..K-1 of shape (n,) (integer-valued floats are accepted), or class probabilities
        of shape (n, K) whose rows lie in [0, 1] and sum to 1.
    pred : array_like
        Logits of shape (n, K).
    reduction : {"mean", "sum", "none"}
        How the per-row losses are combined; ``"none"`` gives shape (n,).
    label_smoothing : float, default 0.0
        :math:`\epsilon` in [0, 1].
    class_weight : array_like or None, default None
        None, or K finite weights > 0, one per class.

    Returns
    -------
    float or ndarray
        The mean or sum over rows, or the per-row losses.

    Accuracy
    --------
    For integer labels, value and gradient within 8 eps of the exact value for every row of finite logits
    (tested against mpmath on all 3-class rows built from 13 values between -max and +max, including logits
    whose differences overflow); measured worst 0.9 eps for the value and 1.0 eps for the gradient.
    Probability targets, smoothing and weights agree with ``scipy.special.log_softmax`` to 1e-12 relative.

    References
    ----------
    Bridle, "Probabilistic interpretation of feedforward classification network outputs" (1990); Szegedy et
    al., "Rethinking the Inception architecture" (2016) for label smoothing.
    """

    name = "cross_entropy"
    noise_model = "categorical"
    row_logits = True
    gradient_behaviour = "softmax(z) − q, predicted minus target probabilities: it stays large while confidently wrong"
    use_when = "K mutually exclusive classes, when their probabilities are wanted"

    def _check(self, y, pred, label_smoothing=0.0, class_weight=None):
        pred = chk.as_float(pred, "pred")
        eps = chk.closed_unit(label_smoothing, "label_smoothing")
        if pred.ndim != 2:
            raise ValueError(f"pred must be logits of shape (n, K) for cross_entropy, got shape {pred.shape}")
        n, k = pred.shape
        if k < 1:
            raise ValueError("pred must have at least one class column (K >= 1)")
        if class_weight is not None:
            w = chk.as_float(class_weight, "class_weight")
            if w.shape != (k,):
                raise ValueError(f"class_weight must hold one weight per class, shape ({k},), got shape {w.shape}")
            bad = ~(np.isfinite(w) & (w > 0))
            if bad.any():
                raise ValueError(f"class_weight must be > 0 and finite; class_weight{chk.first_bad(bad, w)}")
            class_weight = w
        params = {"label_smoothing": eps, "class_weight": class_weight}
        y_arr = np.asarray(y)
        if y_arr.ndim == 1:
            if y_arr.shape != (n,):
                raise ValueError(
                    f"y has shape {y_arr.shape} but pred has shape {pred.shape}; integer labels need shape ({n},)"
                )
            if y_arr.dtype.kind not in "iub":
                yf = chk.as_float(y_arr, "y")
                bad = ~np.isfinite(yf) | (yf != np.floor(yf))
                if bad.any():
                    raise ValueError(
                        f"y must hold integer class labels 0..{k - 1}; non-integer label y{chk.first_bad(bad, yf)}"
                    )
                y_arr = yf
            labels = y_arr.astype(np.int64)
            bad = (labels < 0) | (labels >= k)
            if bad.any():
                raise ValueError(
                    f"y holds class labels outside 0..{k - 1} (pred has {k} columns): y{chk.first_bad(bad, y_arr)}"
                )
            return labels, pred, params
        q = chk.as_float(y_arr, "y")
        if q.shape != pred.shape:
            raise ValueError(
                f"y has shape {q.shape} but pred has shape {pred.shape}; y must be integer labels of shape ({n},) "
                f"or class probabilities of shape {pred.shape}"
            )
        bad = ~((q >= 0) & (q <= 1))
        if bad.any():
            raise ValueError(f"y as class probabilities must lie in [0, 1]; y{chk.first_bad(bad, q)}")
        sums = q.sum(axis=1)
        off = np.abs(sums - 1.0) > 1e-6
        if off.any():
            i = int(np.argmax(off))
            raise ValueError(f"each row of y (class probabilities) must sum to 1; row {i} sums to {float(sums[i])!r}")
        return q, pred, params

    def _value(self, y, z, label_smoothing, class_weight):
        return _ce(y, z, label_smoothing, class_weight, want_grad=False)[0]

    def _grad(self, y, z, label_smoothing, class_weight):
        return _ce(y, z, label_smoothing, class_weight)[1]

    def _value_and_grad(self, y, z, label_smoothing, class_weight):
        return _ce(y, z, label_smoothing, class_weight)


def _targets(y, z, label_smoothing):
    """Target distribution q (n, K), with label smoothing q = (1 - eps) y + eps / K."""
    if y.ndim == 1:
        q = np.zeros_like(z)
        np.put_along_axis(q, y[:, None], 1.0, axis=1)
    else:
        q = y
    if label_smoothing:
        q = (1.0 - label_smoothing) * q + label_smoothing / z.shape[1]
    return q


def _ce(y, z, label_smoothing, class_weight, want_grad=True):
    """Cross-entropy per row and (optionally) its gradient, in one pass over the logits."""
    if y.ndim == 1 and not label_smoothing:
        value, grad = _ce_labels(y, z, want_grad)
        if class_weight is not None:
            w = class_weight[y]
            value = w * value
            if want_grad:
                grad *= w[:, None]
        return value, grad
    return _ce_soft(_targets(y, z, label_smoothing), z, class_weight, want_grad)


def _ce_labels(y, z, want_grad):
    """Integer labels, no smoothing: loss = (m - z_y) + log S, both terms >= 0; gradient softmax(z) - onehot(y).

    The rows are processed in blocks that fit in cache, so the logits are read from memory once and the
    gradient written once; within a block each step is one NumPy operation, mostly in place.
    """
    n, k = z.shape
    value = np.empty(n)
    grad = np.empty_like(z) if want_grad else None
    step = max(1, _BLOCK // max(k, 1))
    for start in range(0, n, step):
        zc, yc = z[start : start + step], y[start : start + step]
        rows = np.arange(zc.shape[0])
        idx = zc.argmax(axis=1)
        m = zc[rows, idx]
        e = _exp_shifted_block(zc, m[:, None])
        e[rows, idx] = 0.0  # the maximal entry is 1 exactly; it stays out of the sum
        rest = e.sum(axis=1)  # sum of exp(z_k - m) over k != argmax
        with np.errstate(over="ignore"):
            value[start : start + step] = (m - zc[rows, yc]) + np.log1p(rest)
        if want_grad:
            total = 1.0 + rest
            e[rows, idx] = 1.0
            g = grad[start : start + step]
            np.divide(e, total[:, None], out=g)
            # p_y - 1: when y is the argmax this is -(sum of the other probabilities), without cancellation.
            g[rows, yc] = np.where(yc == idx, -rest / total, g[rows, yc] - 1.0)
    return value, grad


def _exp_shifted_block(z, m):
    """``exp(z - m)`` for one block, with the shift carried exactly (Knuth's two-sum, as in ``shifted_exp``)."""
    with np.errstate(over="ignore", invalid="ignore"):
        d = z - m
        bv = d - z
        err = d - bv
        np.subtract(z, err, out=err)
        np.subtract(-m, bv, out=bv)
        err += bv  # d + err == z - m exactly
        if not np.isfinite(err).all():
            err[~np.isfinite(err)] = 0.0
        e = np.exp(d, out=d)
        err *= e
        e += err
    return e


def _ce_soft(q, z, class_weight, want_grad):
    """A target distribution q (n, K), optionally weighted per class."""
    m, idx, e = shifted_exp(z, 1)
    rest = e.sum(axis=1, keepdims=True)
    log_s = np.log1p(rest)
    if class_weight is not None:
        q = q * class_weight
    with np.errstate(over="ignore", invalid="ignore"):
        gap = m - z  # >= 0, and -log softmax_k = gap_k + log S: every term of the sum is >= 0
        term = np.where(q > 0, q * (gap + log_s), 0.0)
        # where the gap overflowed, q (m - z) = q m - q z can still be finite
        term = np.where(np.isinf(gap) & (q > 0), (q * m - q * z) + q * log_s, term)
    value = term.sum(axis=1)
    if not want_grad:
        return value, None
    total = 1.0 + rest
    if class_weight is not None:
        # (sum_k w_k q_k) softmax(z) - w q
        np.put_along_axis(e, idx, 1.0, axis=1)
        return value, q.sum(axis=1, keepdims=True) * (e / total) - q
    grad = e / total - q  # e is 0 at the argmax k*: fill that column without cancellation below
    q_star = np.take_along_axis(q, idx, axis=1)
    np.put_along_axis(grad, idx, ((1.0 - q_star) - q_star * rest) / total, axis=1)
    return value, grad


class Hinge(Loss):
    r"""Hinge loss, :math:`\max(0, 1 - y s)` for labels :math:`y \in \{-1, +1\}` and scores :math:`s`.

    Not the likelihood of any noise model: it prices only the margin :math:`ys`, is zero past margin 1, and its
    population minimiser is :math:`\operatorname{sign}(2\eta - 1)`, the Bayes classifier, with no probability
    attached. Convex; the loss of the soft-margin support vector machine.

    Gradient
    --------
    :math:`-y` where :math:`ys < 1`, else 0 (a subgradient at the kink). No second derivative.

    Parameters
    ----------
    y : array_like
        Labels, each -1 or +1.
    pred : array_like
        Real-valued scores, the same shape as ``y``.
    reduction : {"mean", "sum", "none"}
        How the elementwise losses are combined.

    Returns
    -------
    float or ndarray
        The mean or sum, or the elementwise losses.

    Accuracy
    --------
    Within 8 eps of the exact value for every finite score (tested against mpmath); measured worst 0 eps.

    References
    ----------
    Cortes and Vapnik, "Support-vector networks", Machine Learning 20 (1995).
    """

    name = "hinge"
    gradient_behaviour = "−y while the margin y·s is below 1 and exactly 0 beyond: points past the margin stop teaching"
    use_when = "only the predicted class matters, not a probability; the fit depends on the support vectors alone"

    def _check(self, y, pred):
        return _pm1("hinge", y, pred) + ({},)

    def _value(self, y, s):
        return np.maximum(0.0, 1.0 - y * s)

    def _grad(self, y, s):
        return np.where(y * s < 1.0, -y, 0.0)


class SquaredHinge(Loss):
    r"""Squared hinge loss, :math:`\max(0, 1 - y s)^2` for labels :math:`y \in \{-1, +1\}`.

    Not the likelihood of any noise model. Unlike the hinge it is differentiable, and its population minimiser
    is :math:`2\eta - 1` clipped to [-1, 1], from which :math:`\eta` can be read back.

    Gradient
    --------
    :math:`-2y\max(0, 1 - ys)`, continuous, zero past margin 1. Second derivative 2 inside the margin, 0 past
    it.

    Parameters
    ----------
    y : array_like
        Labels, each -1 or +1.
    pred : array_like
        Real-valued scores, the same shape as ``y``.
    reduction : {"mean", "sum", "none"}
        How the elementwise losses are combined.

    Returns
    -------
    float or ndarray
        The mean or sum, or the elementwise losses.

    Accuracy
    --------
    Within 8 eps of the exact value for every finite score (tested against mpmath); measured worst 1.3 eps.

    References
    ----------
    Zhang, "Statistical behavior and consistency of classification methods based on convex risk minimization",
    Annals of Statistics 32 (2004).
    """

    name = "squared_hinge"
    gradient_behaviour = "−2y times the shortfall of the margin below 1: it fades continuously to 0 at margin 1"
    use_when = "a margin classifier whose loss must be differentiable, e.g. for a second-order solver"

    def _check(self, y, pred):
        return _pm1("squared_hinge", y, pred) + ({},)

    def _value(self, y, s):
        return np.maximum(0.0, 1.0 - y * s) ** 2

    def _grad(self, y, s):
        return -2.0 * y * np.maximum(0.0, 1.0 - y * s)

    def _hess(self, y, s):
        return np.where(y * s < 1.0, 2.0, 0.0)


class Logistic(Loss):
    r"""Logistic loss on the margin, :math:`\log(1 + e^{-y s})` for labels :math:`y \in \{-1, +1\}`.

    The Bernoulli negative log-likelihood with :math:`P(y \mid s) = \sigma(y s)`: binary cross-entropy written
    for labels -1 and +1, ``logistic(2*b - 1, s) == binary_cross_entropy(b, s)`` for labels b in {0, 1}. Its
    population minimiser is the log-odds :math:`\log(\eta/(1 - \eta))`.

    Gradient
    --------
    :math:`-y\,\sigma(-y s)`; second derivative :math:`\sigma(s)\,\sigma(-s)`.

    Parameters
    ----------
    y : array_like
        Labels, each -1 or +1.
    pred : array_like
        Real-valued scores (logits), the same shape as ``y``.
    reduction : {"mean", "sum", "none"}
        How the elementwise losses are combined.

    Returns
    -------
    float or ndarray
        The mean or sum, or the elementwise losses.

    Accuracy
    --------
    Value and gradient within 8 eps of the exact value for every finite score (tested against mpmath);
    measured worst 1.0 eps for the value and 0.9 eps for the gradient.

    References
    ----------
    Friedman, Hastie and Tibshirani, "Additive logistic regression: a statistical view of boosting", Annals of
    Statistics 28 (2000).
    """

    name = "logistic"
    noise_model = "bernoulli_margin"
    gradient_behaviour = "−y·σ(−y·s): shrinks smoothly as the margin grows, but never reaches zero"
    use_when = "two classes labelled −1 and +1, when probabilities are wanted: the same fit as binary cross-entropy"

    def _check(self, y, pred):
        return _pm1("logistic", y, pred) + ({},)

    def _value(self, y, s):
        return _softplus(-y * s)

    def _grad(self, y, s):
        return -y * sigmoid(-y * s)

    def _hess(self, y, s):
        return sigmoid(s) * sigmoid(-s)


class Exponential(Loss):
    r"""Exponential loss, :math:`e^{-y s}` for labels :math:`y \in \{-1, +1\}`: AdaBoost's loss.

    Not the likelihood of any noise model, although its population minimiser,
    :math:`\tfrac12\log(\eta/(1 - \eta))`, is half the log-odds. A badly misclassified point costs
    exponentially much, which makes it sensitive to label noise.

    Gradient
    --------
    :math:`-y\,e^{-y s}`; second derivative :math:`e^{-y s}`.

    Parameters
    ----------
    y : array_like
        Labels, each -1 or +1.
    pred : array_like
        Real-valued scores, the same shape as ``y``.
    reduction : {"mean", "sum", "none"}
        How the elementwise losses are combined.

    Returns
    -------
    float or ndarray
        The mean or sum, or the elementwise losses. A value beyond the largest double (margin below
        about -709.78) is ``inf``, and only there.

    Accuracy
    --------
    Within 8 eps of the exact value for every finite score whose true value is a finite double (tested against
    mpmath); measured worst 0.6 eps: one exponential of an exact argument (y is ±1).

    References
    ----------
    Freund and Schapire, "A decision-theoretic generalization of on-line learning and an application to
    boosting", JCSS 55 (1997); Friedman, Hastie and Tibshirani (2000).
    """

    name = "exponential"
    gradient_behaviour = "−y·e^(−y·s): grows exponentially as the margin turns negative, so one bad point can dominate"
    use_when = "boosting (AdaBoost); avoid it when labels are noisy, since mislabelled points get exponential weight"

    def _check(self, y, pred):
        return _pm1("exponential", y, pred) + ({},)

    def _value(self, y, s):
        return np.exp(-y * s)

    def _grad(self, y, s):
        return -y * np.exp(-y * s)

    def _hess(self, y, s):
        return np.exp(-y * s)


class Focal(Loss):
    r"""Binary focal loss from the logit, :math:`-(1 - p_t)^\gamma \log p_t`, with :math:`p_t = \sigma(z)` for
    :math:`y = 1` and :math:`\sigma(-z)` for :math:`y = 0`.

    Not the likelihood of any noise model (for :math:`\gamma > 0`): the factor :math:`(1 - p_t)^\gamma` shrinks
    the loss of points that are already classified well, so the many easy examples do not swamp the few hard
    ones. :math:`\gamma = 0` is exactly ``binary_cross_entropy``. Its minimiser is not the log-odds, so the
    probabilities a focal-trained model outputs are not calibrated as they stand.

    Gradient
    --------
    With :math:`u = (2y - 1) z`:
    :math:`-(2y - 1)\,\sigma(-u)^\gamma\,\big(\gamma\,\sigma(u)\,\zeta(-u) + \sigma(-u)\big)`, where
    :math:`\zeta(x) = \log(1 + e^x)`; both terms in the bracket are >= 0, so nothing cancels.

    Parameters
    ----------
    y : array_like
        Labels, each 0 or 1.
    pred : array_like
        Logits :math:`z`, the same shape as ``y``.
    reduction : {"mean", "sum", "none"}
        How the elementwise losses are combined.
    gamma : float, default 2.0
        The focusing exponent, finite and >= 0.

    Returns
    -------
    float or ndarray
        The mean or sum, or the elementwise losses.

    Accuracy
    --------
    Value and gradient within 8 eps of the exact value for every finite logit when gamma <= 2, and within
    4 gamma eps above that (tested against mpmath at gamma in {0, 0.5, 2, 5}): the value is computed as
    :math:`\sigma(-u)^\gamma\,\zeta(-u)` from the logit, so nothing overflows, but the power multiplies the
    relative rounding error of :math:`\sigma(-u)` by :math:`\gamma`. Measured worst 2.0 eps at gamma = 2; at
    gamma = 5, 4.6 eps with NumPy 2.4 and 10.3 eps with NumPy 1.24.

    References
    ----------
    Lin, Goyal, Girshick, He and Dollár, "Focal loss for dense object detection", ICCV (2017).
    """

    name = "focal"
    gradient_behaviour = "close to cross-entropy's for badly classified points, near zero once p_t nears 1"
    use_when = "many easy examples swamp a few hard ones (dense detection); the probabilities need recalibrating"

    def _check(self, y, pred, gamma=2.0):
        y, pred = _pair(y, pred)
        bad = (y != 0.0) & (y != 1.0)
        if bad.any():
            raise ValueError(f"y must be 0 or 1 for focal (pred is the logit); y{chk.first_bad(bad, y)}")
        return y, pred, {"gamma": chk.nonnegative(gamma, "gamma")}

    def _value(self, y, z, gamma):
        u = np.where(y == 1.0, z, -z)
        return np.power(sigmoid(-u), gamma) * _softplus(-u)

    def _grad(self, y, z, gamma):
        u = np.where(y == 1.0, z, -z)
        s_neg = sigmoid(-u)
        g = np.power(s_neg, gamma) * (gamma * sigmoid(u) * _softplus(-u) + s_neg)
        return np.where(y == 1.0, -g, g)


mse = MSE()
mae = MAE()
huber = Huber()
pinball = Pinball()
log_cosh = LogCosh()
student_t = StudentT()
gaussian_nll = GaussianNLL()
poisson_nll = PoissonNLL()
binary_cross_entropy = BinaryCrossEntropy()
cross_entropy = CrossEntropy()
hinge = Hinge()
squared_hinge = SquaredHinge()
logistic = Logistic()
exponential = Exponential()
focal = Focal()

#: Every loss, by its name.
LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        mse,
        mae,
        huber,
        pinball,
        log_cosh,
        student_t,
        gaussian_nll,
        poisson_nll,
        binary_cross_entropy,
        cross_entropy,
        hinge,
        squared_hinge,
        logistic,
        exponential,
        focal,
    )
}

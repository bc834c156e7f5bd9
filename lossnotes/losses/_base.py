r"""What every loss shares: the :class:`Loss` base class, its parameters, the registry, and the docstring parts
that every loss would otherwise repeat.

A loss is one small subclass of :class:`Loss`, decorated with :func:`register`, which makes its one instance and
records it in :data:`LOSSES`. The subclass states what is particular to it and nothing else:

- ``name``, ``target`` (the set its labels come from, a :class:`~lossnotes.losses._targets.Target`),
  ``noise_model`` (or None), ``params`` (name -> :class:`Param`);
- the text: its own docstring (the formula and what it is), ``gradient`` (the Gradient section),
  ``references``, ``accuracy`` (an :class:`Accuracy`: the bound the tests hold it to and at which parameters),
  ``gradient_behaviour`` and ``use_when`` (the price list's columns), and for a loss that is no likelihood,
  ``minimiser`` (what its population minimiser is);
- the numbers: ``_value`` and ``_grad`` on clean float64 arrays, and where they exist ``_hess`` and a fused
  ``_value_and_grad``.

:func:`register` writes the rest of the docstring (the Parameters, Returns and Accuracy sections, from the
target, the parameters and the accuracy record) in the numpydoc layout, so that the shared text is written once
and the accuracy a docstring promises is the accuracy the tests check.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import _checks as chk
from .._numerics import errstate
from ._targets import Target

__all__ = ["Loss", "Param", "Accuracy", "LOSSES", "register"]

#: Every loss, by its name, in the order they were defined.
LOSSES: dict[str, Loss] = {}


@dataclass(frozen=True)
class Param:
    """A keyword parameter of a loss: its default, how it is checked and what it means.

    ``check(value, name, y, pred)`` returns the checked value or raises naming the parameter (``y`` and
    ``pred`` are the checked inputs, for parameters whose shape depends on them). ``kind`` is the type as the
    docstring shows it.
    """

    default: object
    check: Callable
    doc: str
    kind: str = "float"


@dataclass(frozen=True)
class Accuracy:
    """The accuracy a loss promises, which its docstring states and ``tests/test_losses.py`` measures.

    ``bound`` is the worst error allowed, in units of eps, against a 60-digit mpmath reference over the extreme
    float64 grid of the loss's target set (a number, or a function of the parameters). ``grid`` lists the
    parameter settings measured. ``grad`` says whether the gradient is measured against mpmath too (otherwise
    against finite differences only). ``relative_to`` names the quantity the error is relative to, when it is not
    the value itself (for losses that are a difference of terms, near whose zero no float64 evaluation can be
    relatively accurate). ``note`` adds what the sentence should say besides.
    """

    bound: float | Callable = 8.0
    grid: tuple = ({},)
    grad: bool = False
    relative_to: str = ""
    note: str = ""

    def bound_for(self, params: dict) -> float:
        return float(self.bound(**params) if callable(self.bound) else self.bound)

    def sentence(self, target: Target) -> str:
        what = "Value and gradient" if self.grad else "The value"
        bound = f"{self.bound:g} eps" if not callable(self.bound) else self.bound.__doc__.strip()
        rel = f"error relative to {self.relative_to}" if self.relative_to else "relative error"
        text = (
            f"{what} within {bound} of a 60-digit mpmath reference ({rel}) for {target.grid_doc}"
            f"{_settings(self.grid)}, tested from the subnormals to the largest double"
        )
        return text + (f"; {self.note}" if self.note else "") + "."


def _settings(grid) -> str:
    if grid == ({},):
        return ""
    keys = list(grid[0])
    if len(keys) == 1:
        return f", at {keys[0]} in {{{', '.join(f'{g[keys[0]]:g}' for g in grid)}}}"
    tuples = ", ".join("(" + ", ".join(f"{g[k]:g}" for k in keys) + ")" for g in grid)
    return f", at ({', '.join(keys)}) in {{{tuples}}}"


_REDUCTION_DOC = (
    'reduction : {"mean", "sum", "none"}\n    How the elementwise losses are combined; ``"none"`` keeps the {shape}.'
)
_RETURNS_DOC = "Returns\n-------\nfloat or ndarray\n    The mean or the sum{over}, or the {each} losses."


def _section(title: str, body: str) -> str:
    return f"{title}\n{'-' * len(title)}\n{body.strip()}"


def _docstring(cls) -> str:
    """The loss's own text, then the sections every loss has, in the numpydoc layout."""
    own = textwrap.dedent(cls.__doc__ or "").strip()
    head, _, rest = own.partition("\n")
    own = head + ("\n" + textwrap.dedent(rest) if rest else "")
    target = cls.target
    lines = [f"y : array_like\n    {target.y_doc}", f"pred : array_like\n    {cls.pred_doc or target.pred_doc}"]
    lines.append(_REDUCTION_DOC.replace("{shape}", target.none_shape))
    for name, p in cls.params.items():
        lines.append(f"{name} : {p.kind}, default {p.default!r}\n    {p.doc}")
    over, each = (" over rows", "per-row") if target.row_logits else ("", "elementwise")
    parts = [own]
    if cls.minimiser:
        what = f"Not the likelihood of any noise model. Its population minimiser is {cls.minimiser}."
        parts.append(textwrap.fill(what, 110))
    parts += [
        _section("Gradient", cls.gradient),
        _section("Parameters", "\n".join(lines)),
        _RETURNS_DOC.format(over=over, each=each),
        _section("Accuracy", textwrap.fill(cls.accuracy.sentence(target), 100)),
        _section("References", cls.references),
    ]
    return "\n\n".join(parts) + "\n"


def register(cls):
    """Class decorator: complete the docstring, make the one instance, and record it in :data:`LOSSES`."""
    needed = ("name", "target", "gradient", "references", "gradient_behaviour", "use_when")
    missing = [a for a in needed if not getattr(cls, a)]
    if missing:
        raise TypeError(f"{cls.__name__} must set {', '.join(missing)}")
    if (cls.noise_model is None) == (cls.minimiser is None):
        raise TypeError(f"{cls.__name__}: a loss names its noise model or, if it has none, its population minimiser")
    if cls.name in LOSSES:
        raise TypeError(f"a loss named {cls.name!r} is already registered")
    cls.__doc__ = _docstring(cls)
    instance = cls()
    instance.__doc__ = cls.__doc__
    LOSSES[cls.name] = instance
    return cls


class Loss:
    """A loss function: call it for the (reduced) loss; ``.grad``, ``.hess`` and ``.value_and_grad`` for its
    derivatives.

    Attributes
    ----------
    name : str
        The loss's name, its key in ``LOSSES``.
    target : lossnotes.losses.Target
        The set the labels ``y`` come from (real numbers, counts, 0/1, ±1, class labels), and what ``pred`` is.
    params : dict
        Each keyword parameter and its default value.
    noise_model : str or None
        The noise model in ``lossnotes.noise`` whose negative log-likelihood this loss is (up to a positive scale
        and a constant), or None when it is not the likelihood of any noise model.
    minimiser : str or None
        For a loss with no noise model, what its population minimiser is.
    gradient_behaviour, use_when : str
        One sentence each: how the gradient behaves, and when to choose the loss.
    """

    name: str = ""
    target: Target | None = None
    params: dict = {}
    noise_model: str | None = None
    minimiser: str | None = None
    pred_doc: str = ""
    gradient: str = ""
    references: str = ""
    accuracy: Accuracy = Accuracy()
    gradient_behaviour: str = ""
    use_when: str = ""

    def __init__(self):
        self.params = {k: p.default for k, p in type(self).params.items()}
        head = [
            inspect.Parameter("y", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter("pred", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter("reduction", inspect.Parameter.KEYWORD_ONLY, default="mean"),
        ]
        tail = [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=v) for k, v in self.params.items()]
        self.__signature__ = inspect.Signature(head + tail)

    # ------------------------------------------------------------- what a subclass writes
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

    @property
    def row_logits(self) -> bool:
        """True when ``pred`` is a matrix of logits, one row of K class scores per observation."""
        return self.target.row_logits

    def _prepare(self, y, pred, params):
        unknown = set(params) - set(self.params)
        if unknown:
            takes = ", ".join(self.params) if self.params else "no parameters"
            raise TypeError(f"{self.name}() got unexpected parameter(s) {sorted(unknown)}; it takes {takes}")
        y, pred = self.target.check(self.name, y, pred)
        specs = type(self).params
        return y, pred, {k: spec.check(params.get(k, spec.default), k, y, pred) for k, spec in specs.items()}

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


# ---------------------------------------------------------------- parameter checks (value, name, y, pred)


def positive(value, name, y, pred):
    """A scalar > 0 and finite."""
    return chk.positive(value, name)


def positive_like_y(value, name, y, pred):
    """A scalar > 0, or one per element of ``y``."""
    return chk.positive(value, name, shape=y.shape)


def open_unit(value, name, y, pred):
    """A scalar strictly between 0 and 1."""
    return chk.open_unit(value, name)


def closed_unit(value, name, y, pred):
    """A scalar in [0, 1]."""
    return chk.closed_unit(value, name)


def nonnegative(value, name, y, pred):
    """A scalar >= 0 and finite."""
    return chk.nonnegative(value, name)


def class_weights(value, name, y, pred):
    """None, or one finite weight > 0 per class (column of ``pred``)."""
    if value is None:
        return None
    k = pred.shape[1]
    w = chk.as_float(value, name)
    if w.shape != (k,):
        raise ValueError(f"{name} must hold one weight per class, shape ({k},), got shape {w.shape}")
    bad = ~(np.isfinite(w) & (w > 0))
    if bad.any():
        raise ValueError(f"{name} must be > 0 and finite; {name}{chk.first_bad(bad, w)}")
    return w


# ---------------------------------------------------------------- numerical pieces several losses share

BLOCK = 32768  # values per block (256 KiB) in the blocked kernels: a block and its temporaries stay in cache


def blocks(*arrays):
    """Matching cache-sized blocks of arrays of one shape, as flat views.

    Outputs must be fresh C-ordered arrays (``np.empty``), so that their flat views write into them; an input in
    another layout is read through a flat copy.
    """
    flat = [a.reshape(-1) for a in arrays]
    for start in range(0, flat[0].size, BLOCK):
        yield tuple(a[start : start + BLOCK] for a in flat)


def residual(y, pred):
    """``r = pred - y``, and where that overflows (|r| > max float64) the exact half ``pred/2 - y/2`` instead.

    Returns ``(r, half, big)``: losses that scale the residual down (by delta, tau, 1/scale) use ``2 * (c * half)``
    where ``big`` is set, so a representable result is not lost to an intermediate inf.
    """
    r = pred - y
    big = np.isinf(r)
    half = np.where(big, 0.5 * pred - 0.5 * y, 0.0)
    return r, half, big


def scaled_residual(y, pred, scale):
    """(pred - y) / scale without an intermediate overflow."""
    r, half, big = residual(y, pred)
    return np.where(big, 2.0 * (half / scale), r / scale)


def softplus(x):
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|) on a clean array."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))

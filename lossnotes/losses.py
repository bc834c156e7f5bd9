r"""The losses, each a stable numeric function of the prediction with its exact gradient.

Every loss ``L`` is called ``L(y, pred, *, reduction="mean", **params)`` and has
``L.grad(y, pred, **params)``, the elementwise derivative of the unreduced loss with respect to
``pred``. With :math:`r = \text{pred} - y`:

========================  ====================================================  ========================
loss                      value (elementwise)                                   gradient
========================  ====================================================  ========================
mse                       :math:`r^2`                                           :math:`2r`
mae                       :math:`|r|`                                           :math:`\operatorname{sign} r`
huber                     :math:`r^2/2` if :math:`|r|\le\delta` else            :math:`\mathrm{clip}(r,\pm\delta)`
                          :math:`\delta(|r|-\delta/2)`
pinball                   :math:`\max(\tau u, (\tau-1)u)`, :math:`u = -r`        :math:`-\tau` / :math:`1-\tau`
log_cosh                  :math:`\log\cosh r`                                   :math:`\tanh r`
student_t                 :math:`\frac{\nu+1}{2}\log(1 + r^2/(\nu s^2))`          :math:`(\nu+1) r / (\nu s^2 + r^2)`
gaussian_nll              :math:`\tfrac12(\log 2\pi v + r^2/v)`                 :math:`r / v`
poisson_nll               :math:`e^{\eta} - y\eta + \log y!`                    :math:`e^{\eta} - y`
binary_cross_entropy      :math:`\zeta(z) - yz`                                 :math:`\sigma(z) - y`
cross_entropy             :math:`\log\sum_k e^{z_k} - \sum_k q_k z_k`           :math:`\mathrm{softmax}(z) - q`
hinge                     :math:`\max(0, 1 - ys)`                               :math:`-y` if :math:`ys<1`
squared_hinge             :math:`\max(0, 1 - ys)^2`                             :math:`-2y\max(0, 1-ys)`
========================  ====================================================  ========================

Inputs are checked before anything is computed: no broadcasting of ``y`` against ``pred``, labels
in their set, parameters in range; each refusal names the argument and the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.special import gammaln

from . import _checks as chk
from .units import _shifted_exp, sigmoid

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
]

LOG_2PI = 1.8378770664093453  # log(2*pi), correctly rounded
LOG_2 = 0.6931471805599453


@dataclass(frozen=True)
class Loss:
    """A loss function: call it for the (reduced) loss, ``.grad`` for its elementwise derivative.

    ``prepare(y, pred, **params)`` validates and converts the inputs and returns ``(y, pred, params)``;
    ``value`` and ``derivative`` then work on clean float64 arrays. ``hessian`` (the elementwise second
    derivative) is given where it exists, for Newton's method. ``gradient_behaviour`` and ``use_when``
    are the two columns of the price list that are about the loss itself rather than its noise model.
    """

    name: str
    prepare: Callable
    value: Callable
    derivative: Callable
    hessian: Callable | None = None
    fused: Callable | None = None
    gradient_behaviour: str = ""
    use_when: str = ""
    params: dict = field(default_factory=dict)

    def _prepare(self, y, pred, params):
        unknown = set(params) - set(self.params)
        if unknown:
            takes = ", ".join(self.params) if self.params else "no parameters"
            raise TypeError(f"{self.name}() got unexpected parameter(s) {sorted(unknown)}; it takes {takes}")
        return self.prepare(y, pred, **params)

    def __call__(self, y, pred, *, reduction="mean", **params):
        how = chk.reduction(reduction)
        y, pred, p = self._prepare(y, pred, params)
        with np.errstate(over="ignore"):  # a true value beyond float64's range is inf, without a warning
            return chk.reduce(self.value(y, pred, **p), how)

    def grad(self, y, pred, **params):
        """Elementwise derivative of the unreduced loss with respect to ``pred`` (shape of ``pred``)."""
        y, pred, p = self._prepare(y, pred, params)
        with np.errstate(over="ignore"):
            return self.derivative(y, pred, **p)

    def hess(self, y, pred, **params):
        """Elementwise second derivative with respect to ``pred``, where the loss has one."""
        if self.hessian is None:
            raise NotImplementedError(f"{self.name} is piecewise linear or has no useful second derivative")
        y, pred, p = self._prepare(y, pred, params)
        return self.hessian(y, pred, **p)

    def value_and_grad(self, y, pred, *, reduction="mean", **params):
        """The reduced loss and its gradient with respect to ``pred`` (for ``"mean"``, ``.grad / count``)."""
        how = chk.reduction(reduction)
        y, pred, p = self._prepare(y, pred, params)
        with np.errstate(over="ignore"):
            if self.fused is not None:
                v, g = self.fused(y, pred, **p)
            else:
                v, g = self.value(y, pred, **p), self.derivative(y, pred, **p)
        out = chk.reduce(v, how)
        if how == "mean":
            g = g / v.size
        return out, g

    def __repr__(self):
        ps = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"<loss {self.name}({'y, pred' + (', ' + ps if ps else '')})>"


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


def _real_target(y, pred):
    """Prepare for a loss of a real target with no parameters: same shapes, nothing else to check."""
    y, pred = _pair(y, pred)
    return y, pred, {}


# ---------------------------------------------------------------- regression


def _mse_value(y, pred):
    r = pred - y
    return r * r


mse = Loss(
    "mse",
    _real_target,
    _mse_value,
    lambda y, pred: 2.0 * (pred - y),
    hessian=lambda y, pred: np.full_like(pred, 2.0),
    gradient_behaviour="proportional to the error; outliers dominate",
    use_when="clean regression targets with thin-tailed noise",
)

mae = Loss(
    "mae",
    _real_target,
    lambda y, pred: np.abs(pred - y),
    lambda y, pred: np.sign(pred - y),
    gradient_behaviour="constant ±1; does not shrink near the answer",
    use_when="heavy-tailed targets, outliers you want to ignore",
)


def _huber_prepare(y, pred, delta=1.0):
    y, pred = _pair(y, pred)
    return y, pred, {"delta": chk.positive(delta, "delta")}


def _huber_value(y, pred, delta):
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


def _huber_grad(y, pred, delta):
    g = pred - y
    np.maximum(g, -delta, out=g)
    np.minimum(g, delta, out=g)
    return g


def _huber_fused(y, pred, delta):
    return _huber_value(y, pred, delta), _huber_grad(y, pred, delta)


huber = Loss(
    "huber",
    _huber_prepare,
    _huber_value,
    _huber_grad,
    hessian=lambda y, pred, delta: (np.abs(pred - y) <= delta).astype(np.float64),
    gradient_behaviour="proportional near 0, capped at ±δ far out",
    use_when="regression with some outliers",
    params={"delta": 1.0},
)


def _pinball_prepare(y, pred, tau=0.5):
    y, pred = _pair(y, pred)
    return y, pred, {"tau": chk.open_unit(tau, "tau")}


def _pinball_value(y, pred, tau):
    r, half, big = _residual(y, pred)
    u, h = -r, -half
    return np.where(big, 2.0 * np.maximum(tau * h, (tau - 1.0) * h), np.maximum(tau * u, (tau - 1.0) * u))


def _pinball_grad(y, pred, tau):
    return np.where(y > pred, -tau, np.where(y < pred, 1.0 - tau, 0.0))


pinball = Loss(
    "pinball",
    _pinball_prepare,
    _pinball_value,
    _pinball_grad,
    gradient_behaviour="constant −τ below, 1 − τ above: asymmetric",
    use_when="predicting a quantile, prediction intervals",
    params={"tau": 0.5},
)


def _log_cosh_value(y, pred):
    # log cosh r = log1p(2 sinh(r/2)^2) near 0 (no cancellation: ~ r^2/2),
    #            = |r| - log 2 + log1p(exp(-2|r|)) far out (no overflow).
    a = np.abs(pred - y)
    small = a < 4.0
    h = np.sinh(np.where(small, 0.5 * a, 0.0))
    near = np.log1p(2.0 * h * h)
    far = (a - LOG_2) + np.log1p(np.exp(-2.0 * a))
    return np.where(small, near, far)


log_cosh = Loss(
    "log_cosh",
    _real_target,
    _log_cosh_value,
    lambda y, pred: np.tanh(pred - y),
    hessian=lambda y, pred: 1.0 / np.cosh(np.minimum(np.abs(pred - y), 710.0)) ** 2,
    gradient_behaviour="like MSE near 0, like MAE (±1) far out; smooth everywhere",
    use_when="robust regression that needs a smooth loss",
)


def _student_t_prepare(y, pred, nu=1.0, scale=1.0):
    y, pred = _pair(y, pred)
    return y, pred, {"nu": chk.positive(nu, "nu"), "scale": chk.positive(scale, "scale")}


def _scaled_residual(y, pred, scale):
    """(pred - y) / scale without an intermediate overflow."""
    r, half, big = _residual(y, pred)
    return np.where(big, 2.0 * (half / scale), r / scale)


def _student_t_value(y, pred, nu, scale):
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


def _student_t_grad(y, pred, nu, scale):
    t = _scaled_residual(y, pred, scale)
    # (nu+1) t / (scale (nu + t^2)), written as (nu+1) / (scale (nu/t + t)) for |t| > 1 so t^2 cannot overflow.
    out = np.abs(t) > 1.0
    t_out = np.where(out, t, 1.0)
    t_in = np.where(out, 0.0, t)
    return np.where(out, (nu + 1.0) / (scale * (nu / t_out + t_out)), (nu + 1.0) * t_in / (scale * (nu + t_in * t_in)))


student_t = Loss(
    "student_t",
    _student_t_prepare,
    _student_t_value,
    _student_t_grad,
    gradient_behaviour="rises then decays to 0: far outliers are ignored (redescending)",
    use_when="gross outliers; accepts a non-convex loss",
    params={"nu": 1.0, "scale": 1.0},
)


def _gaussian_prepare(y, pred, var=1.0):
    y, pred = _pair(y, pred)
    return y, pred, {"var": chk.positive(var, "var", shape=y.shape)}


def _gaussian_value(y, pred, var):
    r = pred - y
    return 0.5 * ((LOG_2PI + np.log(var)) + r * (r / var))


gaussian_nll = Loss(
    "gaussian_nll",
    _gaussian_prepare,
    _gaussian_value,
    lambda y, pred, var: _scaled_residual(y, pred, var),
    hessian=lambda y, pred, var: np.broadcast_to(1.0 / np.asarray(var), pred.shape).copy(),
    gradient_behaviour="error divided by the variance: noisy points teach less",
    use_when="regression with known or learned per-point noise",
    params={"var": 1.0},
)


def _poisson_prepare(y, pred):
    y, pred = _pair(y, pred)
    bad = ~np.isfinite(y) | (y < 0) | (y != np.floor(y))
    if bad.any():
        raise ValueError(f"y must hold counts (integers >= 0) for poisson_nll; y{chk.first_bad(bad, y)}")
    return y, pred, {}


def _poisson_value(y, pred):
    rate = np.exp(pred)
    with np.errstate(invalid="ignore"):
        v = (rate - y * pred) + gammaln(y + 1.0)
    # A rate beyond float64 dominates every other term: the loss is +inf, not inf - inf.
    return np.where(np.isinf(rate), np.inf, v)


poisson_nll = Loss(
    "poisson_nll",
    _poisson_prepare,
    _poisson_value,
    lambda y, pred: np.exp(pred) - y,
    hessian=lambda y, pred: np.exp(pred),
    gradient_behaviour="rate minus count, on the log scale",
    use_when="count data: events, arrivals, clicks",
)

# ---------------------------------------------------------------- classification


def _bce_prepare(y, pred):
    y, pred = _pair(y, pred)
    bad = ~((y >= 0) & (y <= 1))
    if bad.any():
        raise ValueError(
            f"y must be a probability in [0, 1] for binary_cross_entropy (pred is the logit); y{chk.first_bad(bad, y)}"
        )
    return y, pred, {}


def _bce_value(y, z):
    # softplus(z) - y z = max(z,0) - y z + log1p(exp(-|z|)); the first part is (1-y) z or -y z, both >= 0.
    lin = np.where(z >= 0, (1.0 - y) * z, -y * z)
    return lin + np.log1p(np.exp(-np.abs(z)))


def _bce_grad(y, z):
    # sigmoid(z) - y, as (1 - y) - sigmoid(-z) for z >= 0 so that y = 1 keeps every digit.
    s = sigmoid(-np.abs(z))
    return np.where(z >= 0, (1.0 - y) - s, s - y)


binary_cross_entropy = Loss(
    "binary_cross_entropy",
    _bce_prepare,
    _bce_value,
    _bce_grad,
    hessian=lambda y, z: sigmoid(z) * sigmoid(-z),
    gradient_behaviour="σ(z) − y: strong whenever the answer is wrong",
    use_when="binary classification, probabilities out",
)


def _ce_prepare(y, pred, label_smoothing=0.0):
    pred = chk.as_float(pred, "pred")
    eps = chk.closed_unit(label_smoothing, "label_smoothing")
    if pred.ndim != 2:
        raise ValueError(f"pred must be logits of shape (n, K) for cross_entropy, got shape {pred.shape}")
    n, k = pred.shape
    if k < 1:
        raise ValueError("pred must have at least one class column (K >= 1)")
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
        return labels, pred, {"label_smoothing": eps}
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
    return q, pred, {"label_smoothing": eps}


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


def _ce_fused(y, z, label_smoothing, want_grad=True):
    """Cross-entropy per row and (optionally) its gradient softmax(z) - q, in one pass over the logits."""
    m, idx, e = _shifted_exp(z, 1)
    rest = e.sum(axis=1, keepdims=True)  # sum of exp(z_k - m) over k != argmax
    log_s = np.log1p(rest)
    if y.ndim == 1 and not label_smoothing:
        # loss = (m - z_y) + log S, both terms >= 0.
        zy = np.take_along_axis(z, y[:, None], axis=1)
        with np.errstate(over="ignore"):
            value = ((m - zy) + log_s)[:, 0]
        if not want_grad:
            return value, None
        total = 1.0 + rest
        np.put_along_axis(e, idx, 1.0, axis=1)
        p = e / total
        # p_y - 1: when y is the argmax this is -(sum of the other probabilities), computed without cancellation.
        py = np.take_along_axis(p, y[:, None], axis=1)
        np.put_along_axis(p, y[:, None], np.where(y[:, None] == idx, -rest / total, py - 1.0), axis=1)
        return value, p
    q = _targets(y, z, label_smoothing)
    with np.errstate(over="ignore", invalid="ignore"):
        gap = m - z  # >= 0, and -log softmax_k = gap_k + log S: every term of the sum is >= 0
        term = np.where(q > 0, q * (gap + log_s), 0.0)
        # where the gap overflowed, q (m - z) = q m - q z can still be finite
        term = np.where(np.isinf(gap) & (q > 0), (q * m - q * z) + q * log_s, term)
    value = term.sum(axis=1)
    if not want_grad:
        return value, None
    total = 1.0 + rest
    grad = e / total - q  # e is 0 at the argmax k*: fill that column without cancellation below
    q_star = np.take_along_axis(q, idx, axis=1)
    np.put_along_axis(grad, idx, ((1.0 - q_star) - q_star * rest) / total, axis=1)
    return value, grad


cross_entropy = Loss(
    "cross_entropy",
    _ce_prepare,
    lambda y, z, label_smoothing: _ce_fused(y, z, label_smoothing, want_grad=False)[0],
    lambda y, z, label_smoothing: _ce_fused(y, z, label_smoothing)[1],
    fused=_ce_fused,
    gradient_behaviour="p − y through softmax; never saturates when wrong",
    use_when="classification, always the default",
    params={"label_smoothing": 0.0},
)


def _pm1_prepare(name):
    def prepare(y, pred):
        y, pred = _pair(y, pred)
        bad = (y != 1.0) & (y != -1.0)
        if bad.any():
            raise ValueError(f"y must be -1 or +1 for {name} (pred is the score); y{chk.first_bad(bad, y)}")
        return y, pred, {}

    return prepare


hinge = Loss(
    "hinge",
    _pm1_prepare("hinge"),
    lambda y, s: np.maximum(0.0, 1.0 - y * s),
    lambda y, s: np.where(y * s < 1.0, -y, 0.0),
    gradient_behaviour="−y inside the margin, exactly 0 past it: sparse",
    use_when="SVMs, when only the decision matters",
)

squared_hinge = Loss(
    "squared_hinge",
    _pm1_prepare("squared_hinge"),
    lambda y, s: np.maximum(0.0, 1.0 - y * s) ** 2,
    lambda y, s: -2.0 * y * np.maximum(0.0, 1.0 - y * s),
    gradient_behaviour="proportional to the margin violation, 0 past the margin",
    use_when="a smooth margin loss, e.g. for second-order solvers",
)

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
    )
}

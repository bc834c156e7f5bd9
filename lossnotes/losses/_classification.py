r"""Losses of logits: binary cross-entropy (with a positive-class weight), the binary focal loss, and the
categorical cross-entropy (with label smoothing and class weights)."""

from __future__ import annotations

import numpy as np

from .._numerics import shifted_exp
from ..units import sigmoid
from ._base import (
    BLOCK,
    Accuracy,
    Loss,
    Param,
    blocks,
    class_weights,
    closed_unit,
    nonnegative,
    positive,
    register,
    softplus,
)
from ._targets import BINARY, CLASS, PROBABILITY

__all__ = ["BinaryCrossEntropy", "Focal", "CrossEntropy"]


@register
class BinaryCrossEntropy(Loss):
    r"""Binary cross-entropy from the logit: :math:`w\,y\,\zeta(-z) + (1 - y)\,\zeta(z)`, with
    :math:`\zeta(x) = \log(1 + e^x)` and :math:`w` = ``pos_weight``.

    At :math:`w = 1` this is :math:`\zeta(z) - yz`, exactly the Bernoulli negative log-likelihood with
    :math:`P(y = 1) = \sigma(z)` (equal to ``-scipy.stats.bernoulli.logpmf`` for hard labels); the minimiser
    estimates the log-odds. With :math:`w \ne 1` the positive class counts :math:`w` times (as PyTorch's
    ``BCEWithLogitsLoss(pos_weight=...)``): the minimiser moves to :math:`\log(w\,\eta/(1-\eta))` and the loss is
    no longer the likelihood of the data, but of a reweighted sample. Computed from the logit, it stays finite
    where the textbook form from probabilities takes the log of a probability that rounded to 0 or 1.
    """

    name = "binary_cross_entropy"
    target = PROBABILITY
    noise_model = "bernoulli"
    params = {"pos_weight": Param(1.0, positive, "Weight of the positive (y = 1) term; finite and > 0.")}
    gradient = (
        r":math:`(1 - y)\,\sigma(z) - w\,y\,\sigma(-z)`, which is :math:`\sigma(z) - y` at :math:`w = 1`; second"
        "\nderivative :math:`\\big((1 - y) + w y\\big)\\,\\sigma(z)\\,\\sigma(-z)`."
    )
    accuracy = Accuracy(
        grid=({"pos_weight": 1.0}, {"pos_weight": 0.1}, {"pos_weight": 3.0}),
        grad=True,
        note="the gradient relative to its larger term, since it is a difference that vanishes at the minimiser",
    )
    references = (
        'Cox, "The regression analysis of binary sequences", JRSS B 20 (1958); Goodfellow, Bengio and Courville,\n'
        "*Deep Learning* (2016), section 6.2.2.2."
    )
    gradient_behaviour = "predicted probability minus label, σ(z) − y: largest, near 1, when confidently wrong"
    use_when = "two classes labelled 0 and 1, when calibrated probabilities of the positive class are wanted"

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
        return _bce_value_and_grad(y, z)

    def _hess(self, y, z, pos_weight):
        h = sigmoid(z) * sigmoid(-z)
        return h if pos_weight == 1.0 else ((1.0 - y) + pos_weight * y) * h


def _bce_value_and_grad(y, z):
    """Binary cross-entropy at pos_weight 1 and its gradient, block by block in cache, sharing one exp(-|z|).

    The value is (1 - y) z or -y z (both >= 0) plus log1p(exp(-|z|)); the gradient (1 - y) - sigma(-|z|) for
    z >= 0 and sigma(-|z|) - y elsewhere: the formulas of ``_value`` and ``_grad``. The benchmark (make bench)
    measures this path against the two separate calls, which cost half as much again.
    """
    value, grad = np.empty(z.shape), np.empty(z.shape)
    for v, g, yc, zc in blocks(value, grad, y, z):
        pos = zc >= 0
        t = np.abs(zc)
        np.negative(t, out=t)
        np.exp(t, out=t)  # exp(-|z|) in (0, 1]
        c = np.subtract(1.0, yc)
        np.negative(yc, out=c, where=~pos)  # (1 - y) where z >= 0, -y elsewhere
        np.log1p(t, out=v)
        v += c * zc
        s = t / (1.0 + t)  # sigmoid(-|z|)
        np.negative(s, out=s, where=pos)
        np.add(c, s, out=g)  # (1 - y) - s for z >= 0, s - y elsewhere
    return value, grad


def _focal_bound(gamma=2.0):
    """8 eps for gamma <= 2, and 4 gamma eps above that"""
    return max(8.0, 4.0 * gamma)


@register
class Focal(Loss):
    r"""Binary focal loss from the logit, :math:`-(1 - p_t)^\gamma \log p_t`, with :math:`p_t = \sigma(z)` for
    :math:`y = 1` and :math:`\sigma(-z)` for :math:`y = 0`.

    The factor :math:`(1 - p_t)^\gamma` shrinks the loss of points that are already classified well, so the many
    easy examples do not swamp the few hard ones. :math:`\gamma = 0` is exactly ``binary_cross_entropy``. The
    probabilities a focal-trained model outputs are not calibrated as they stand. The value is computed as
    :math:`\sigma(-u)^\gamma\,\zeta(-u)` from the logit, so nothing overflows, but the power multiplies the
    relative rounding error of :math:`\sigma(-u)` by :math:`\gamma`.
    """

    name = "focal"
    target = BINARY
    minimiser = "a logit that rises with η but whose sigmoid is not η (for γ > 0): order without calibration"
    params = {"gamma": Param(2.0, nonnegative, "The focusing exponent, finite and >= 0.")}
    gradient = (
        r"With :math:`u = (2y - 1) z`:"
        "\n:math:`-(2y - 1)\\,\\sigma(-u)^\\gamma\\,\\big(\\gamma\\,\\sigma(u)\\,\\zeta(-u) + \\sigma(-u)\\big)`, where"
        "\n:math:`\\zeta(x) = \\log(1 + e^x)`; both terms in the bracket are >= 0, so nothing cancels."
    )
    accuracy = Accuracy(
        bound=_focal_bound,
        grid=({"gamma": 0.0}, {"gamma": 0.5}, {"gamma": 2.0}, {"gamma": 5.0}),
        grad=True,
    )
    references = 'Lin, Goyal, Girshick, He and Dollár, "Focal loss for dense object detection", ICCV (2017).'
    gradient_behaviour = "close to cross-entropy's for badly classified points, near zero once p_t nears 1"
    use_when = "many easy examples swamp a few hard ones (dense detection); the probabilities need recalibrating"

    def _value(self, y, z, gamma):
        u = np.where(y == 1.0, z, -z)
        return np.power(sigmoid(-u), gamma) * softplus(-u)

    def _grad(self, y, z, gamma):
        u = np.where(y == 1.0, z, -z)
        s_neg = sigmoid(-u)
        g = np.power(s_neg, gamma) * (gamma * sigmoid(u) * softplus(-u) + s_neg)
        return np.where(y == 1.0, -g, g)


@register
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
    :math:`\sum_i w_{y_i}` instead, so its mean is a weighted average of the per-row losses. Probability targets,
    smoothing and weights agree with ``scipy.special.log_softmax`` to 1e-12 relative.
    """

    name = "cross_entropy"
    target = CLASS
    noise_model = "categorical"
    params = {
        "label_smoothing": Param(0.0, closed_unit, r":math:`\epsilon` in [0, 1]."),
        "class_weight": Param(
            None, class_weights, "None, or K finite weights > 0, one per class.", kind="array_like or None"
        ),
    }
    gradient = (
        r":math:`\mathrm{softmax}(z) - q` per row, shape (n, K); with weights"
        "\n:math:`(\\sum_k w_k q_k)\\,\\mathrm{softmax}(z) - w \\odot q`."
    )
    accuracy = Accuracy(grad=True, note="for integer labels, including logits whose differences overflow")
    references = (
        'Bridle, "Probabilistic interpretation of feedforward classification network outputs" (1990); Szegedy et\n'
        'al., "Rethinking the Inception architecture" (2016) for label smoothing.'
    )
    gradient_behaviour = "softmax(z) − q, predicted minus target probabilities: it stays large while confidently wrong"
    use_when = "K mutually exclusive classes, when their probabilities are wanted"

    def _value(self, y, z, label_smoothing, class_weight):
        return _ce(y, z, label_smoothing, class_weight, want_grad=False)[0]

    def _grad(self, y, z, label_smoothing, class_weight):
        return _ce(y, z, label_smoothing, class_weight)[1]

    def _value_and_grad(self, y, z, label_smoothing, class_weight):
        return _ce(y, z, label_smoothing, class_weight)


def _target_rows(y, z, label_smoothing):
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
    return _ce_soft(_target_rows(y, z, label_smoothing), z, class_weight, want_grad)


def _ce_labels(y, z, want_grad):
    """Integer labels, no smoothing: loss = (m - z_y) + log S, both terms >= 0; gradient softmax(z) - onehot(y).

    The rows are processed in blocks that fit in cache, so the logits are read from memory once and the
    gradient written once; within a block each step is one NumPy operation, mostly in place.
    """
    n, k = z.shape
    value = np.empty(n)
    grad = np.empty_like(z) if want_grad else None
    step = max(1, BLOCK // max(k, 1))
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

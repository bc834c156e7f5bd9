r"""Output units, written to be finite and accurate to a few ulp for every finite float64 input.

The tricks are the classic ones: never exponentiate a large positive number, evaluate
:math:`\log(1 + e^{-|z|})` with ``log1p``, and subtract the row maximum before a softmax.
For softmax-type units the shifted logits :math:`d_k = z_k - \max_j z_j` are also carried with
their rounding error (an error-free two-sum), so that a probability like :math:`e^{-700.2}`
stays accurate when :math:`d_k` itself cannot be represented exactly.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float

__all__ = ["sigmoid", "log_sigmoid", "softplus", "logsumexp", "softmax", "log_softmax"]


def sigmoid(z):
    r"""Logistic sigmoid :math:`\sigma(z) = 1/(1 + e^{-z})`, evaluated without overflow on either side."""
    z = as_float(z, "z")
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(z):
    r"""Softplus :math:`\zeta(z) = \log(1 + e^{z}) = \max(z, 0) + \log(1 + e^{-|z|})`."""
    z = as_float(z, "z")
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def log_sigmoid(z):
    r"""Log of the sigmoid, :math:`\log\sigma(z) = -\zeta(-z)`; ``log_sigmoid(-1000) == -1000``."""
    z = as_float(z, "z")
    return np.minimum(z, 0.0) - np.log1p(np.exp(-np.abs(z)))


def _axis(z: np.ndarray, axis) -> int:
    if z.ndim == 0:
        raise ValueError("z must have at least one dimension (the axis to normalise over), got a scalar")
    if not isinstance(axis, (int, np.integer)) or not -z.ndim <= axis < z.ndim:
        raise ValueError(f"axis must be an integer in [{-z.ndim}, {z.ndim - 1}] for z of shape {z.shape}, got {axis!r}")
    if z.shape[axis] == 0:
        raise ValueError(f"z has no entries along axis {axis} (shape {z.shape}); softmax needs at least one")
    return int(axis) % z.ndim


def _shifted_exp(z: np.ndarray, axis: int):
    """Row maxima ``m``, and ``e = exp(z - m)`` with the maximal entry of each row set to 0.

    Returns ``(m, idx, e)`` where ``m`` and ``idx`` keep the reduced axis (size 1). The shift
    ``d = z - m`` is computed with an error-free two-sum, ``d + err == z - m`` exactly, and
    ``exp(d + err)`` is evaluated as ``exp(d) * (1 + err)``.
    """
    idx = np.argmax(z, axis=axis, keepdims=True)
    m = np.take_along_axis(z, idx, axis=axis)
    with np.errstate(over="ignore", invalid="ignore"):
        # Knuth's two-sum of z and -m: d + err == z - m exactly.
        d = z - m
        bv = d - z
        err = (z - (d - bv)) + (-m - bv)
        err = np.where(np.isfinite(err), err, 0.0)
    e = np.exp(d)
    e += e * err
    np.put_along_axis(e, idx, 0.0, axis=axis)
    return m, idx, e


def logsumexp(z, axis=-1):
    r""":math:`\log\sum_k e^{z_k}` along ``axis``.

    Evaluated as :math:`m + \log(1 + \sum_{k \ne k^*} e^{z_k - m})` with :math:`m = z_{k^*} = \max_k z_k`.
    """
    z = as_float(z, "z")
    axis = _axis(z, axis)
    m, _, e = _shifted_exp(z, axis)
    return np.squeeze(m, axis=axis) + np.log1p(e.sum(axis=axis))


def softmax(z, axis=-1):
    r""":math:`\mathrm{softmax}(z)_k = e^{z_k} / \sum_j e^{z_j}`; invariant to adding a constant to every ``z_k``."""
    z = as_float(z, "z")
    axis = _axis(z, axis)
    _, idx, e = _shifted_exp(z, axis)
    np.put_along_axis(e, idx, 1.0, axis=axis)
    s = e.sum(axis=axis, keepdims=True)
    return e / s


def log_softmax(z, axis=-1):
    r""":math:`\log\mathrm{softmax}(z)_k = (z_k - m) - \log(1 + \sum_{j \ne k^*} e^{z_j - m})`.

    The log undoes the exp: no probability is formed, so nothing underflows to log(0).
    """
    z = as_float(z, "z")
    axis = _axis(z, axis)
    m, _, e = _shifted_exp(z, axis)
    with np.errstate(over="ignore"):
        return (z - m) - np.log1p(e.sum(axis=axis, keepdims=True))

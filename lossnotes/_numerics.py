"""Numerical building blocks shared inside the library (not public API).

Constants rounded correctly to float64, the shifted exponential that every softmax-type computation starts
from, and the Gaussian negative log-density that the losses and the mixture density network both use.
"""

from __future__ import annotations

import numpy as np

LOG_2PI = 1.8378770664093453  # log(2 pi), correctly rounded
LOG_2 = 0.6931471805599453  # log(2), correctly rounded


def errstate():
    """The float-error policy of every loss method: a true value beyond float64's range is inf, silently."""
    return np.errstate(over="ignore", under="ignore")


def shifted_exp(z: np.ndarray, axis: int):
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


def gaussian_nll(sq, log_var):
    r"""Negative log-density of a Gaussian, :math:`\tfrac12(\log 2\pi + \log v + t^2)`.

    ``sq`` is the squared standardised residual :math:`t^2 = r^2 / v` (computed by the caller in the order that
    suits its range) and ``log_var`` is :math:`\log v`.
    """
    return 0.5 * ((LOG_2PI + log_var) + sq)

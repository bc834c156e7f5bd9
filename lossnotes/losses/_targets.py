"""The sets a loss's labels come from, each with its input check.

A loss names its target set once (``target = SIGN``); the check, the docstring's description of ``y`` and
``pred``, and the tests' grids and bad-input cases all follow from it. Every check refuses to broadcast ``y``
against ``pred`` and names the offending entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import _checks as chk

__all__ = ["Target", "REAL", "COUNT", "PROBABILITY", "BINARY", "SIGN", "CLASS", "TARGETS"]


@dataclass(frozen=True)
class Target:
    """A set of labels: its name, how the docstrings describe ``y`` and ``pred``, and its check.

    ``bad(y)`` marks the entries of a float ``y`` outside the set; ``message`` says what the set is, with
    ``{loss}`` for the loss's name. ``grid_doc`` describes, for the Accuracy sections, the grid of inputs the
    tests measure.
    """

    name: str
    y_doc: str
    pred_doc: str
    grid_doc: str
    message: str = ""
    bad: Callable | None = None
    row_logits: bool = False
    none_shape: str = "shape of ``y``"

    def check(self, loss: str, y, pred):
        """``(y, pred)`` as float64 arrays of one shape with ``y`` in the set, or a ``ValueError`` saying why."""
        y = chk.as_float(y, "y")
        pred = chk.as_float(pred, "pred")
        chk.same_shape(y, pred)
        if self.bad is not None:
            bad = self.bad(y)
            if bad.any():
                raise ValueError(f"y must be {self.message.format(loss=loss)}; y{chk.first_bad(bad, y)}")
        return y, pred

    def __repr__(self):
        return f"<target {self.name}>"


class _ClassTarget(Target):
    def check(self, loss: str, y, pred):
        """Integer labels (n,) or class probabilities (n, K), against logits (n, K)."""
        pred = chk.as_float(pred, "pred")
        if pred.ndim != 2:
            raise ValueError(f"pred must be logits of shape (n, K) for {loss}, got shape {pred.shape}")
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
            return labels, pred
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
        return q, pred


REAL = Target(
    "real",
    y_doc="Targets, any real numbers.",
    pred_doc="Predictions, the same shape as ``y``.",
    grid_doc="every pair of finite float64 inputs",
)
COUNT = Target(
    "count",
    y_doc="Observed counts: integers >= 0 (as floats or integers).",
    pred_doc="Log-rates, the same shape as ``y``.",
    grid_doc="counts from 0 to 1e15 and every finite log-rate",
    message="counts (integers >= 0) for {loss}",
    bad=lambda y: ~np.isfinite(y) | (y < 0) | (y != np.floor(y)),
)
PROBABILITY = Target(
    "probability",
    y_doc="Labels or probabilities in [0, 1].",
    pred_doc="Logits :math:`z`, the same shape as ``y``.",
    grid_doc="every finite logit and y in {0, 1e-10, 0.25, 0.5, 0.75, 1 - 1e-10, 1}",
    message="a probability in [0, 1] for {loss} (pred is the logit)",
    bad=lambda y: ~((y >= 0) & (y <= 1)),
)
BINARY = Target(
    "binary",
    y_doc="Labels, each 0 or 1.",
    pred_doc="Logits :math:`z`, the same shape as ``y``.",
    grid_doc="every finite logit and both labels",
    message="0 or 1 for {loss} (pred is the logit)",
    bad=lambda y: (y != 0.0) & (y != 1.0),
)
SIGN = Target(
    "sign",
    y_doc="Labels, each -1 or +1.",
    pred_doc="Real-valued scores, the same shape as ``y``.",
    grid_doc="every finite score and both labels",
    message="-1 or +1 for {loss} (pred is the score)",
    bad=lambda y: (y != 1.0) & (y != -1.0),
)
CLASS = _ClassTarget(
    "class",
    y_doc=(
        "Integer class labels 0..K-1 of shape (n,) (integer-valued floats are accepted), or class probabilities\n"
        "    of shape (n, K) whose rows lie in [0, 1] and sum to 1."
    ),
    pred_doc="Logits of shape (n, K).",
    grid_doc="every row of finite logits (all 3-class rows built from 13 values between -max and +max)",
    row_logits=True,
    none_shape="rows: shape (n,)",
)

#: Every target set, by its name.
TARGETS = {t.name: t for t in (REAL, COUNT, PROBABILITY, BINARY, SIGN, CLASS)}

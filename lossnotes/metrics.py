r"""Metrics that judge a trained classifier: counts of hard decisions, ranking, calibration.

A **metric** is what a model is judged on, not what it is trained on (chapter 7). ``decision_scores`` gives the
accuracy, precision, recall and F1 of hard 0/1 decisions; ``auc`` the area under the ROC curve from ranks, ties
counting one half, ``auc_standard_error`` its standard error (Hanley and McNeil) and ``roc_curve`` the curve.
``reliability`` gives the table behind a reliability diagram (top-label confidence against accuracy in
equal-width bins) and ``ece`` the expected calibration error it sums to; ``probability_scores`` the accuracy,
log score, Brier score and ECE of class probabilities; ``fit_temperature`` the temperature that minimises the
cross-entropy of ``logits / T``.

Labels and predictions must have matching shapes: nothing is broadcast (an ``(n, 1)`` column against an ``(n,)``
vector is refused with both shapes in the message).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "decision_scores",
    "auc",
    "auc_standard_error",
    "roc_curve",
    "Reliability",
    "reliability",
    "ece",
    "probability_scores",
    "fit_temperature",
]


def _binary(y, name="y"):
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"{name} must be a non-empty vector of 0/1 labels, shape (n,), got shape {y.shape}")
    if np.any((y != 0) & (y != 1)):
        raise ValueError(f"{name} must hold only the labels 0 and 1")
    return y


def _same_length(y, other, name):
    other = np.asarray(other, dtype=np.float64)
    if other.shape != y.shape:
        raise ValueError(f"{name} has shape {other.shape} but y has shape {y.shape}; they must match (no broadcasting)")
    if not np.all(np.isfinite(other)):
        raise ValueError(f"{name} must be finite")
    return other


def decision_scores(y, decision):
    """Accuracy, precision, recall and F1 of hard decisions.

    Parameters
    ----------
    y : array_like, shape (n,)
        True labels, 0 or 1.
    decision : array_like, shape (n,)
        Decisions, 0 or 1 (1 = flagged as positive).

    Returns
    -------
    dict
        ``accuracy`` (fraction of correct decisions), ``precision`` (TP / (TP + FP), ``nan`` when nothing is
        flagged), ``recall`` (TP / (TP + FN), ``nan`` when there are no positives) and ``f1``
        (2 TP / (2 TP + FP + FN), 0 when there is no true positive).
    """
    y = _binary(y)
    decision = _binary(_same_length(y, decision, "decision"), "decision")
    tp = float(np.sum((decision == 1) & (y == 1)))
    fp = float(np.sum((decision == 1) & (y == 0)))
    fn = float(np.sum((decision == 0) & (y == 1)))
    return {
        "accuracy": float(np.mean(decision == y)),
        "precision": tp / (tp + fp) if tp + fp else float("nan"),
        "recall": tp / (tp + fn) if tp + fn else float("nan"),
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan"),
    }


def auc(y, score):
    r"""Area under the ROC curve: the probability that a random positive scores above a random negative.

    Computed from average ranks (the Mann–Whitney statistic),
    :math:`(\sum_{i: y_i = 1} R_i - n_+(n_+ + 1)/2) / (n_+ n_-)`, so that tied scores count one half.

    Parameters
    ----------
    y : array_like, shape (n,)
        True labels, 0 or 1; both must occur.
    score : array_like, shape (n,)
        Any real score, larger meaning "more likely positive".

    Returns
    -------
    float
        The AUC, in [0, 1]; 0.5 for a constant score.
    """
    from scipy.stats import rankdata

    y = _binary(y)
    score = _same_length(y, score, "score")
    n_pos, n_neg = float(np.sum(y == 1)), float(np.sum(y == 0))
    if not (n_pos and n_neg):
        raise ValueError("y must contain both labels, 0 and 1, for an AUC")
    ranks = rankdata(score)
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def auc_standard_error(auc_value, n_pos, n_neg):
    r"""Standard error of an AUC estimate from ``n_pos`` positives and ``n_neg`` negatives (Hanley and McNeil).

    With :math:`A` the AUC, :math:`Q_1 = A/(2 - A)` and :math:`Q_2 = 2A^2/(1 + A)`, the variance is
    :math:`\bigl(A(1 - A) + (n_+ - 1)(Q_1 - A^2) + (n_- - 1)(Q_2 - A^2)\bigr) / (n_+ n_-)`.

    Parameters
    ----------
    auc_value : float
        The AUC, in [0, 1].
    n_pos, n_neg : int
        Numbers of positives and negatives, each at least 1.

    Returns
    -------
    float
        The standard error.
    """
    a = float(auc_value)
    if not 0.0 <= a <= 1.0:
        raise ValueError(f"auc_value must lie in [0, 1], got {auc_value!r}")
    if not (n_pos >= 1 and n_neg >= 1):
        raise ValueError(f"n_pos and n_neg must be at least 1, got {n_pos!r} and {n_neg!r}")
    q1, q2 = a / (2 - a), 2 * a**2 / (1 + a)
    var = a * (1 - a) + (n_pos - 1) * (q1 - a**2) + (n_neg - 1) * (q2 - a**2)
    return float(np.sqrt(max(var, 0.0) / (n_pos * n_neg)))


def roc_curve(y, score):
    """The ROC curve: false and true positive rates as the threshold falls through the distinct scores.

    Parameters
    ----------
    y : array_like, shape (n,)
        True labels, 0 or 1; both must occur.
    score : array_like, shape (n,)
        Real scores; cases with tied scores enter the curve together (a diagonal step).

    Returns
    -------
    fpr, tpr : ndarray
        Both start at 0 and end at 1; the trapezoidal area under ``tpr`` against ``fpr`` equals ``auc(y, score)``.
    """
    y = _binary(y)
    score = _same_length(y, score, "score")
    if not (np.any(y == 1) and np.any(y == 0)):
        raise ValueError("y must contain both labels, 0 and 1, for a ROC curve")
    order = np.argsort(-score, kind="stable")
    s, t = score[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]  # the last case of each run of tied scores
    tp, fp = np.cumsum(t)[last], np.cumsum(1 - t)[last]
    return np.r_[0.0, fp / fp[-1]], np.r_[0.0, tp / tp[-1]]


def _top_label(y, probs):
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim == 1:  # P(y = 1) of a binary classifier
        probs = np.column_stack([1 - probs, probs])
    if probs.ndim != 2 or probs.shape[0] == 0:
        raise ValueError(f"probs must be (n, K) class probabilities or (n,) P(y = 1), got shape {probs.shape}")
    if not np.all(np.isfinite(probs)) or np.any(probs < 0) or np.any(probs > 1):
        raise ValueError("probs must be probabilities, in [0, 1]")
    y = np.asarray(y)
    if y.shape != (probs.shape[0],):
        raise ValueError(f"y has shape {y.shape} but probs has {probs.shape[0]} rows; y must be (n,) labels")
    if not np.all((y == np.round(y)) & (y >= 0) & (y < probs.shape[1])):
        raise ValueError(f"y must hold integer class labels 0 .. {probs.shape[1] - 1}")
    return probs.max(axis=1), (probs.argmax(axis=1) == y).astype(float)


@dataclass
class Reliability:
    """One row per non-empty bin: its left ``edge``, ``count`` of cases, mean ``confidence`` and ``accuracy``;
    ``width`` is the bins' width and ``n`` the number of cases."""

    edge: np.ndarray
    count: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray
    width: float
    n: int

    @property
    def ece(self) -> float:
        """The expected calibration error, each bin's gap between accuracy and confidence weighted by its share."""
        return float(np.sum(self.count / self.n * np.abs(self.accuracy - self.confidence)))


def reliability(y, probs, bins=10):
    """The table behind a reliability diagram: top-label confidence against accuracy in equal-width bins.

    Parameters
    ----------
    y : array_like, shape (n,)
        Integer class labels.
    probs : array_like, shape (n, K) or (n,)
        Class probabilities (a row per case), or P(y = 1) of a binary classifier.
    bins : int
        Number of equal-width confidence bins on [0, 1]; a confidence of exactly 1 falls in the last.

    Returns
    -------
    Reliability
        The non-empty bins, with their counts, mean confidence (the largest class probability) and accuracy
        (the fraction whose most probable class is the label); ``.ece`` sums them up.
    """
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"bins must be a positive integer, got {bins!r}")
    confidence, correct = _top_label(y, probs)
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    count = np.bincount(which, minlength=bins).astype(float)
    full = count > 0
    conf = np.bincount(which, confidence, minlength=bins)[full] / count[full]
    acc = np.bincount(which, correct, minlength=bins)[full] / count[full]
    return Reliability(np.arange(bins)[full] / bins, count[full], conf, acc, 1.0 / bins, len(confidence))


def ece(y, probs, bins=10):
    r"""Expected calibration error, :math:`\sum_b \frac{|B_b|}{n}\,|\mathrm{acc}(B_b) - \mathrm{conf}(B_b)|`.

    Parameters
    ----------
    y : array_like, shape (n,)
        Integer class labels.
    probs : array_like, shape (n, K) or (n,)
        Class probabilities, or P(y = 1) of a binary classifier.
    bins : int
        Number of equal-width bins of top-label confidence.

    Returns
    -------
    float
        The ECE, in [0, 1]; it depends on ``bins``.
    """
    return reliability(y, probs, bins).ece


def probability_scores(y, probs, bins=10):
    """How good class probabilities are: accuracy and two strictly proper scores, and the ECE.

    Parameters
    ----------
    y : array_like, shape (n,)
        Integer class labels.
    probs : array_like, shape (n, K)
        Class probabilities, one row per case.
    bins : int
        Bins of the ECE.

    Returns
    -------
    dict
        ``accuracy`` (the most probable class is the label), ``log score`` (mean -log p_y, the NLL),
        ``Brier score`` (mean squared distance of the row from the one-hot label, summed over the classes) and
        ``ECE`` (``ece(y, probs, bins)``).
    """
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2:
        raise ValueError(f"probs must be (n, K) class probabilities, got shape {probs.shape}")
    table = reliability(y, probs, bins)  # checks y against probs
    y = np.asarray(y).astype(int)
    onehot = np.eye(probs.shape[1])[y]
    with np.errstate(divide="ignore"):
        log_score = -np.mean(np.log(probs[np.arange(len(y)), y]))
    return {
        "accuracy": float(np.mean(probs.argmax(axis=1) == y)),
        "log score": float(log_score),
        "Brier score": float(np.mean(np.sum((probs - onehot) ** 2, axis=1))),
        "ECE": table.ece,
    }


def fit_temperature(y, logits, bounds=(0.05, 20.0)):
    """The temperature ``T`` that minimises the cross-entropy of ``logits / T`` (temperature scaling).

    Parameters
    ----------
    y : array_like, shape (n,)
        Integer class labels of held-out cases (never the training cases).
    logits : array_like, shape (n, K)
        The model's logits for them.
    bounds : (float, float)
        The interval searched, ``0 < low < high``.

    Returns
    -------
    float
        The fitted temperature; dividing by it changes no predicted class.
    """
    from scipy.optimize import minimize_scalar

    from .losses import cross_entropy

    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 2:
        raise ValueError(f"logits must be a matrix (n cases, K classes), got shape {logits.shape}")
    y = np.asarray(y)
    if y.shape != (logits.shape[0],):
        raise ValueError(f"y has shape {y.shape} but logits has {logits.shape[0]} rows; y must be (n,) labels")
    low, high = (float(b) for b in bounds)
    if not 0 < low < high:
        raise ValueError(f"bounds must satisfy 0 < low < high, got {bounds!r}")
    res = minimize_scalar(
        lambda t: float(cross_entropy(y, logits / t)), bounds=(low, high), method="bounded", options={"xatol": 1e-8}
    )
    return float(res.x)

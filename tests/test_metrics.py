"""lossnotes.metrics against independent references: hand-computed cases and brute force over all pairs or cases."""

import numpy as np
import pytest
from scipy.integrate import trapezoid

import lossnotes as ln
from lossnotes import metrics


def _pairs_auc(y, s):
    """AUC by counting every (positive, negative) pair, ties one half."""
    pos, neg = s[y == 1], s[y == 0]
    return np.mean((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :]))


def test_decision_scores_by_hand():
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    d = np.array([1, 1, 0, 1, 0, 0, 0, 0])  # TP 2, FN 1, FP 1, TN 4
    s = metrics.decision_scores(y, d)
    assert s == pytest.approx({"accuracy": 6 / 8, "precision": 2 / 3, "recall": 2 / 3, "f1": 4 / 6})
    none = metrics.decision_scores(y, np.zeros(8))
    assert np.isnan(none["precision"]) and none["recall"] == 0 and none["f1"] == 0
    assert none["accuracy"] == 5 / 8  # the majority vote looks good on accuracy alone


def test_auc_counts_pairs_with_ties_as_half():
    assert metrics.auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75  # 3 of 4 pairs ordered
    assert metrics.auc([0, 1], [0.5, 0.5]) == 0.5  # a tie counts one half
    rng = np.random.default_rng(0)
    for _ in range(20):
        y = (rng.random(60) < 0.3).astype(float)
        y[:2] = [0, 1]
        s = np.round(rng.normal(y, 1.0), 1)  # rounded: many ties
        assert metrics.auc(y, s) == pytest.approx(_pairs_auc(y, s), rel=1e-12)


def test_roc_area_is_the_auc():
    rng = np.random.default_rng(1)
    y = (rng.random(300) < 0.2).astype(float)
    y[:2] = [0, 1]
    for s in (rng.normal(y, 1.0), np.round(rng.normal(y, 1.0))):  # distinct scores, then heavy ties
        fpr, tpr = metrics.roc_curve(y, s)
        assert fpr[0] == tpr[0] == 0 and fpr[-1] == tpr[-1] == 1
        assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
        assert trapezoid(tpr, fpr) == pytest.approx(metrics.auc(y, s), rel=1e-12)


def test_reliability_and_ece_by_hand():
    # four cases in two of ten bins: confidences 0.6 and 0.6 in [0.6, 0.7), 0.9 and 1.0 in the last bin
    probs = np.array([[0.6, 0.4], [0.4, 0.6], [0.9, 0.1], [0.0, 1.0]])
    y = np.array([0, 0, 1, 1])  # right, wrong, wrong, right
    table = metrics.reliability(y, probs, bins=10)
    assert table.edge == pytest.approx([0.6, 0.9])
    assert table.count.tolist() == [2, 2]
    assert table.confidence == pytest.approx([0.6, 0.95]) and table.accuracy == pytest.approx([0.5, 0.5])
    assert metrics.ece(y, probs) == pytest.approx(0.5 * 0.1 + 0.5 * 0.45)
    # a binary P(y = 1) vector is the same as its two columns
    assert metrics.ece(y, probs[:, 1]) == pytest.approx(metrics.ece(y, probs))


def test_ece_against_a_case_by_case_sum():
    rng = np.random.default_rng(2)
    probs = ln.units.softmax(rng.normal(0, 2, (500, 4)))
    y = rng.integers(0, 4, 500)
    conf, right = probs.max(axis=1), probs.argmax(axis=1) == y
    for bins in (1, 5, 15):
        which = np.minimum(np.floor(conf * bins), bins - 1)
        total = sum(
            abs(right[which == b].mean() - conf[which == b].mean()) * np.sum(which == b) / 500
            for b in range(bins)
            if np.any(which == b)
        )
        assert metrics.ece(y, probs, bins=bins) == pytest.approx(total, rel=1e-12)
    # calibrated by construction: labels drawn from the probabilities themselves, so the ECE is small
    y_cal = np.array([rng.choice(4, p=p) for p in probs])
    assert metrics.ece(y_cal, probs) < 0.05 < metrics.ece(y, probs)


def test_fit_temperature_matches_a_grid_search():
    rng = np.random.default_rng(3)
    true = rng.normal(0, 1.5, (2000, 3))
    y = np.array([rng.choice(3, p=p) for p in ln.units.softmax(true)])
    T = metrics.fit_temperature(y, 3.0 * true)  # logits three times too sharp
    grid = np.linspace(1.5, 5, 3501)
    nll = [ln.losses.cross_entropy(y, 3.0 * true / t) for t in grid]
    assert abs(T - grid[np.argmin(nll)]) < 2e-3 and 2.5 < T < 3.5


def test_auc_standard_error_matches_the_spread_of_simulated_aucs():
    rng = np.random.default_rng(4)
    n_pos, n_neg = 60, 240
    y = np.r_[np.ones(n_pos), np.zeros(n_neg)]
    aucs = [metrics.auc(y, np.r_[rng.normal(1.0, 1, n_pos), rng.normal(0, 1, n_neg)]) for _ in range(2000)]
    se = metrics.auc_standard_error(np.mean(aucs), n_pos, n_neg)
    assert 0.85 < np.std(aucs) / se < 1.15  # Hanley and McNeil's formula is an approximation
    assert metrics.auc_standard_error(1.0, 10, 10) == 0.0
    with pytest.raises(ValueError, match="auc_value"):
        metrics.auc_standard_error(1.5, 10, 10)
    with pytest.raises(ValueError, match="n_pos"):
        metrics.auc_standard_error(0.5, 0, 10)


def test_probability_scores_by_hand():
    probs = np.array([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]])
    s = metrics.probability_scores([0, 2], probs)
    assert s["accuracy"] == 0.5
    assert s["log score"] == pytest.approx((np.log(2) + np.log(10)) / 2)
    assert s["Brier score"] == pytest.approx(((0.25 + 0.0625 * 2) + (0.01 + 0.64 + 0.81)) / 2)
    assert s["ECE"] == pytest.approx(metrics.ece([0, 2], probs))
    # the log score is the mean cross-entropy of the logits the probabilities come from
    rng = np.random.default_rng(5)
    z, y = rng.normal(0, 2, (300, 4)), rng.integers(0, 4, 300)
    assert metrics.probability_scores(y, ln.units.softmax(z))["log score"] == pytest.approx(
        ln.losses.cross_entropy(y, z), rel=1e-12
    )


def test_a_check_can_fail():
    # the reference and the metric disagree when the ranks are wrong: scoring by -s flips the AUC
    y, s = np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])
    assert metrics.auc(y, -s) != pytest.approx(_pairs_auc(y, s))
    # an overconfident model is caught by the ECE: confidence 0.99, accuracy one half
    probs = np.tile([0.99, 0.01], (100, 1))
    assert metrics.ece(np.r_[np.zeros(50), np.ones(50)].astype(int), probs) == pytest.approx(0.49)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: metrics.auc(np.zeros(4), np.arange(4.0)), "both labels"),
        (lambda: metrics.auc([0, 1, 2], [0.1, 0.2, 0.3]), "0 and 1"),
        (lambda: metrics.auc(np.array([0, 1]), np.array([[0.1], [0.2]])), "score has shape"),
        (lambda: metrics.decision_scores(np.array([0, 1]), np.array([[1], [0]])), "decision has shape"),
        (lambda: metrics.decision_scores([0, 1], [0.5, 1]), "decision must hold"),
        (lambda: metrics.roc_curve([0, 1], [np.nan, 1.0]), "score must be finite"),
        (lambda: metrics.ece([0, 1], np.array([[0.5, 0.5]])), "y has shape"),
        (lambda: metrics.ece([0, 3], np.array([[0.5, 0.5], [0.2, 0.8]])), "class labels"),
        (lambda: metrics.ece([0, 1], np.array([[1.5, -0.5], [0.2, 0.8]])), "probabilities"),
        (lambda: metrics.ece([0, 1], np.array([[0.5, 0.5], [0.2, 0.8]]), bins=0), "bins"),
        (lambda: metrics.probability_scores([0, 1], np.array([0.2, 0.8])), "probs must be"),
        (lambda: metrics.fit_temperature([0, 1], np.zeros(2)), "logits must be a matrix"),
        (lambda: metrics.fit_temperature([0], np.zeros((2, 2))), "y has shape"),
        (lambda: metrics.fit_temperature([0, 1], np.zeros((2, 2)), bounds=(0, 1)), "bounds"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_the_module_loads_without_sympy_or_matplotlib():
    import subprocess
    import sys

    code = "import sys, lossnotes.metrics; print('sympy' in sys.modules or 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"

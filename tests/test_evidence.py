"""The experiments behind each loss's advice: one per registered loss, each claim holds for its own loss, and
the experiments can tell a loss for which the claim is false."""

import re

import pytest

import lossnotes as ln
from lossnotes import evidence

L = ln.losses


@pytest.fixture(scope="module")
def found():
    return evidence.advice()


def test_every_registered_loss_has_an_experiment(found):
    assert set(evidence.EXPERIMENTS) == set(L.LOSSES)
    assert [e.loss for e in found] == list(L.LOSSES)  # registry order, one row each


@pytest.mark.parametrize("name", list(L.LOSSES))
def test_each_claim_holds_for_its_own_loss(found, name):
    e = next(e for e in found if e.loss == name)
    assert e.holds, e
    assert e.claim and e.quantity and e.against
    assert isinstance(e.measured, float) and isinstance(e.reference, float)


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        ("mae", "mse"),  # the mean follows a wild target
        ("mse", "mae"),  # the median is less precise under Gaussian noise
        ("huber", "mse"),
        ("student_t", "huber"),  # Huber still feels a far outlier
        ("log_cosh", "mse"),  # curvature, but an unbounded pull
        ("focal", "binary_cross_entropy"),
        ("squared_hinge", "hinge"),  # the hinge's gradient jumps at margin 1
        ("hinge", "logistic"),  # every point pulls under the logistic loss
        ("exponential", "logistic"),
        ("binary_cross_entropy", "focal"),  # focal's best logit is not the log-odds
        ("poisson_nll", "mse"),
    ],
)
def test_an_experiment_detects_a_false_claim(name, wrong):
    e = evidence.experiment(name, L.LOSSES[wrong])
    assert not e.holds, e
    assert e.loss == name  # the row still names the advice it tests


def test_a_loss_without_an_experiment_fails_loudly(monkeypatch):
    with pytest.raises(LookupError, match="brand_new"):
        evidence.advice({"mse": L.mse, "brand_new": L.hinge})  # no likelihood, no experiment
    monkeypatch.delitem(evidence.EXPERIMENTS, "focal")
    with pytest.raises(LookupError, match="focal"):
        evidence.advice()
    with pytest.raises(LookupError, match="focal"):
        evidence.experiment("focal")


def test_experiments_are_deterministic_and_order_free(found):
    again = evidence.advice(dict(reversed(list(L.LOSSES.items()))))
    assert sorted(again, key=lambda e: e.loss) == sorted(found, key=lambda e: e.loss)


def test_rows_are_table_cells_with_few_digits(found):
    for e in found:
        row = e.row()
        assert len(row) == len(evidence.HEADER) and row[0] == f"`{e.loss}`"
        for cell in row[2:]:
            for mantissa in re.findall(r"\d+\.\d+", cell):
                assert len(mantissa.replace(".", "").lstrip("0")) <= 3, (e.loss, cell)
    table = ln.report.table(evidence.HEADER, [e.row() for e in found])
    assert table.data.count("\n") == len(found) + 1


def test_a_rounding_level_number_is_printed_as_a_bound():
    e = evidence.Evidence("x", "claim", "gap", 3e-17, "limit", 1e-8, True, floor=1e-8)
    assert e.row()[2] == "gap: below 1e-08"
    assert evidence.Evidence("x", "c", "q", 0.0, "r", 1.0, True, floor=1e-8).row()[2] == "q: 0"


def test_evidence_loads_neither_sympy_nor_matplotlib():
    import subprocess
    import sys

    code = "import lossnotes.evidence as e, sys; e.experiment('mae'); print(*(m in sys.modules for m in HEAVY))"
    code = code.replace("HEAVY", "('sympy', 'matplotlib')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_a_likelihood_loss_without_an_experiment_is_fitted_to_its_noise_model():
    """A new likelihood loss needs no experiment of its own: the generic one fits it to draws of its noise model,
    and it can fail (a loss fitted to another model's draws, here the pinball at tau = 0.5 standing in for the
    asymmetric Laplace's tau-quantile, still finds the centre; a shifted loss does not)."""
    for name in ("mse", "mae", "huber", "log_cosh", "poisson_nll", "binary_cross_entropy", "logistic"):
        found = evidence.experiment(f"new_{name}", L.LOSSES[name])
        assert found.holds and found.loss == name, found

    class Shifted(type(L.mse)):  # squared error around y + 1: its best constant is off by one
        def _value(self, y, pred):
            return (pred - y - 1.0) ** 2

    wrong = evidence.experiment("shifted_mse", Shifted())
    assert not wrong.holds and abs(wrong.measured - wrong.reference - 1.0) < 0.1, wrong
    with pytest.raises(LookupError, match="vector of logits"):
        evidence.experiment("new_cross_entropy", L.cross_entropy)

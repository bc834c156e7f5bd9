"""Every public loss refuses bad input with an error that names the argument and the reason.

The matrix comes from the registry: every loss against mismatched shapes, an unknown reduction and an unknown
parameter; every label outside the loss's target set (tests/reference.py, INVALID_Y); every refused value of every
parameter, by the check the parameter declares (INVALID_PARAMS). A loss whose target set or parameter check has no
bad examples there fails the completeness test, so a new loss cannot skip the matrix.
"""

import numpy as np
import pytest
import reference as R

from lossnotes import losses as L

Z3 = np.zeros(3)
REGISTRY = list(L.LOSSES.values())
ELEMENTWISE = [loss for loss in REGISTRY if not loss.row_logits]


def test_every_target_set_and_parameter_check_has_bad_examples():
    for loss in REGISTRY:
        if not loss.row_logits:
            assert loss.target.name in R.INVALID_Y, (loss.name, loss.target)
        for name, spec in type(loss).params.items():
            assert R.INVALID_PARAMS.get(spec.check.__name__), (loss.name, name, spec.check.__name__)


def _valid(loss, n=3):
    """Valid inputs: labels 1.0 (in every elementwise target set) or class labels against logits."""
    return (np.array([0, 1, 2][:n]), np.zeros((n, 4))) if loss.row_logits else (np.ones(n), np.zeros(n))


@pytest.mark.parametrize("loss", ELEMENTWISE, ids=lambda x: x.name)
@pytest.mark.parametrize(
    "y_shape, p_shape", [((3, 1), (3,)), ((3,), (3, 1)), ((3,), (4,)), ((), (3,)), ((2, 3), (3, 2))]
)
def test_shapes_must_match_exactly(loss, y_shape, p_shape):
    y = np.ones(y_shape)  # 1 is a valid label for every loss here
    with pytest.raises(ValueError, match=r"y has shape .* but pred has shape .*must match exactly"):
        loss(y, np.zeros(p_shape))
    with pytest.raises(ValueError, match="must match exactly"):
        loss.grad(y, np.zeros(p_shape))


def test_column_against_vector_says_why():
    with pytest.raises(ValueError, match=r"\(3, 1\).*\(3,\).*n-by-n"):
        L.mse(np.zeros((3, 1)), Z3)


@pytest.mark.parametrize("loss", REGISTRY, ids=lambda x: x.name)
def test_unknown_reduction_and_parameter(loss):
    y, p = _valid(loss)
    with pytest.raises(ValueError, match=r"reduction must be one of \('mean', 'sum', 'none'\), got 'avg'"):
        loss(y, p, reduction="avg")
    with pytest.raises(TypeError, match=rf"{loss.name}\(\) got unexpected parameter\(s\) \['bogus'\]"):
        loss(y, p, bogus=1)


LABEL_CASES = [(loss, bad, match) for loss in ELEMENTWISE for bad, match in R.INVALID_Y[loss.target.name]]


@pytest.mark.parametrize("loss, bad, match", LABEL_CASES, ids=[f"{c[0].name}-y={c[1]}" for c in LABEL_CASES])
def test_labels_outside_the_target_set(loss, bad, match):
    y = np.array([1.0, bad, 1.0])
    for call in (loss, loss.grad):
        with pytest.raises(ValueError, match=rf"y must be .*{match}.* for {loss.name}.*; y\[1\] = "):
            call(y, Z3)


PARAM_CASES = [
    (loss, name, bad, match)
    for loss in REGISTRY
    for name, spec in type(loss).params.items()
    for bad, match in R.INVALID_PARAMS[spec.check.__name__]
]


@pytest.mark.parametrize("loss, name, bad, match", PARAM_CASES, ids=[f"{c[0].name}-{c[1]}={c[2]}" for c in PARAM_CASES])
def test_parameters_out_of_range(loss, name, bad, match):
    y, p = _valid(loss)
    for call in (loss, loss.grad):
        with pytest.raises(ValueError, match=rf"{name}.*{match}|{name} must .*{match}"):
            call(y, p, **{name: bad})


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: L.mse(["a", "b", "c"], Z3), TypeError, "y must be an array of real numbers, got dtype <U1"),
        (lambda: L.mse(Z3, ["a", "b", "c"]), TypeError, "pred must be an array of real numbers"),
        (lambda: L.mae(Z3, Z3 + 1j), TypeError, "pred must be real"),
        (lambda: L.mse([{}, {}, {}], Z3), TypeError, "y must be an array of real numbers"),
        (lambda: L.huber(Z3, Z3, delta=0.0), ValueError, "delta must be > 0 and finite, got 0.0"),
        (lambda: L.huber(Z3, Z3, delta=-1), ValueError, "delta must be > 0"),
        (lambda: L.huber(Z3, Z3, delta=np.inf), ValueError, "delta must be > 0 and finite"),
        (lambda: L.huber(Z3, Z3, delta=[1.0, 2.0]), ValueError, "delta must be a scalar"),
        (lambda: L.pinball(Z3, Z3, tau=0.0), ValueError, "tau must lie strictly between 0 and 1, got 0.0"),
        (lambda: L.pinball(Z3, Z3, tau=1.5), ValueError, "tau must lie strictly between 0 and 1"),
        (lambda: L.gaussian_nll(Z3, Z3, var=0.0), ValueError, "var must be > 0 and finite"),
        (lambda: L.gaussian_nll(Z3, Z3, var=[1.0, -1.0, 1.0]), ValueError, "var must be > 0 and finite, got -1.0"),
        (
            lambda: L.gaussian_nll(Z3, Z3, var=[1.0, 1.0]),
            ValueError,
            r"var must be a scalar or have the shape of y \(3,\)",
        ),
        (lambda: L.student_t(Z3, Z3, nu=0), ValueError, "nu must be > 0"),
        (lambda: L.student_t(Z3, Z3, scale=-2), ValueError, "scale must be > 0"),
        (lambda: L.poisson_nll([1.0, -1.0, 2.0], Z3), ValueError, r"counts \(integers >= 0\).*y\[1\] = -1.0"),
        (lambda: L.poisson_nll([1.0, 2.5, 2.0], Z3), ValueError, r"counts.*y\[1\] = 2.5"),
        (lambda: L.poisson_nll([1.0, np.nan, 2.0], Z3), ValueError, "counts"),
        (lambda: L.binary_cross_entropy([0.0, 1.5, 1.0], Z3), ValueError, r"probability in \[0, 1\].*y\[1\] = 1.5"),
        (lambda: L.binary_cross_entropy([0.0, -1.0, 1.0], Z3), ValueError, r"y\[1\] = -1.0"),
        (lambda: L.hinge([1.0, 0.0, -1.0], Z3), ValueError, r"y must be -1 or \+1 for hinge.*y\[1\] = 0.0"),
        (lambda: L.squared_hinge([1.0, 1.0, 2.0], Z3), ValueError, r"squared_hinge.*y\[2\] = 2.0"),
        (lambda: L.mse([], []), ValueError, "cannot take the mean of an empty loss"),
        (lambda: L.binary_cross_entropy(Z3, Z3, pos_weight=0.0), ValueError, "pos_weight must be > 0 and finite"),
        (lambda: L.binary_cross_entropy(Z3, Z3, pos_weight=np.nan), ValueError, "pos_weight must be > 0 and finite"),
        (lambda: L.binary_cross_entropy(Z3, Z3, pos_weight=[1, 2, 3]), ValueError, "pos_weight must be a scalar"),
        (lambda: L.logistic([1.0, 0.0, -1.0], Z3), ValueError, r"y must be -1 or \+1 for logistic.*y\[1\] = 0.0"),
        (lambda: L.exponential([1.0, 2.0, -1.0], Z3), ValueError, r"y must be -1 or \+1 for exponential.*y\[1\]"),
        (lambda: L.focal([0.0, 0.5, 1.0], Z3), ValueError, r"y must be 0 or 1 for focal.*y\[1\] = 0.5"),
        (lambda: L.focal([0.0, -1.0, 1.0], Z3), ValueError, r"y must be 0 or 1 for focal.*y\[1\] = -1.0"),
        (lambda: L.focal(Z3, Z3, gamma=-0.5), ValueError, "gamma must be >= 0 and finite, got -0.5"),
        (lambda: L.focal(Z3, Z3, gamma=np.inf), ValueError, "gamma must be >= 0 and finite"),
        (lambda: L.focal(Z3, Z3, gamma=[1.0, 2.0]), ValueError, "gamma must be a scalar"),
        (lambda: L.focal.grad(Z3, Z3, gamma=-1), ValueError, "gamma must be >= 0"),
    ],
)
def test_bad_values_and_parameters(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


Z = np.zeros((3, 4))


@pytest.mark.parametrize(
    "y, pred, kw, match",
    [
        ([0, 1, 4], Z, {}, r"class labels outside 0..3 \(pred has 4 columns\): y\[2\] = 4"),
        ([0, -1, 2], Z, {}, r"outside 0..3.*y\[1\] = -1"),
        ([0.0, 1.5, 2.0], Z, {}, r"non-integer label y\[1\] = 1.5"),
        ([0, 1], Z, {}, r"integer labels need shape \(3,\)"),
        (np.zeros((3, 3)), Z, {}, r"class probabilities of shape \(3, 4\)"),
        (np.full((3, 4), 0.3), Z, {}, r"row 0 sums to 1.2"),
        (np.array([[1.5, -0.5, 0, 0]] * 3), Z, {}, r"must lie in \[0, 1\]"),
        ([0, 1, 2], np.zeros(3), {}, r"logits of shape \(n, K\).*got shape \(3,\)"),
        ([0, 1, 2], Z, {"label_smoothing": 1.5}, r"label_smoothing must lie in \[0, 1\], got 1.5"),
        ([0, 1, 2], Z, {"label_smoothing": -0.1}, "label_smoothing must lie in"),
        (["a", "b", "c"], Z, {}, "y must be an array of real numbers"),
        ([0, 1, 2], Z, {"class_weight": [1.0, 1.0, 1.0]}, r"class_weight must hold one weight per class, shape \(4,\)"),
        (
            [0, 1, 2],
            Z,
            {"class_weight": [1.0, 0.0, 1.0, 1.0]},
            r"class_weight must be > 0 and finite; class_weight\[1\] = 0.0",
        ),
        ([0, 1, 2], Z, {"class_weight": [1.0, 1.0, np.inf, 1.0]}, r"class_weight\[2\] = inf"),
        ([0, 1, 2], Z, {"class_weight": ["a", "b", "c", "d"]}, "class_weight must be an array of real numbers"),
    ],
)
def test_cross_entropy_rejects(y, pred, kw, match):
    with pytest.raises(ValueError if "real numbers" not in match else TypeError, match=match):
        L.cross_entropy(y, pred, **kw)
    with pytest.raises(ValueError if "real numbers" not in match else TypeError, match=match):
        L.cross_entropy.grad(y, pred, **kw)


def test_valid_edge_inputs_are_accepted():
    assert L.binary_cross_entropy([0.0, 0.5, 1.0], Z3) > 0
    assert L.cross_entropy(np.array([0.0, 1.0, 3.0]), Z) > 0  # integer-valued floats are labels
    assert L.cross_entropy([0, 1, 2], Z, label_smoothing=1.0) == pytest.approx(np.log(4))
    assert L.gaussian_nll(Z3, Z3, var=[1.0, 2.0, 3.0]) > 0
    assert L.mse([], [], reduction="sum") == 0.0
    assert L.mse(2.0, 3.0) == 1.0  # scalars against scalars are fine

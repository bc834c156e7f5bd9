"""Losses: accuracy against mpmath over the float64 range, equality with scipy's log-densities, gradients against
finite differences, reductions, and the minimisers they imply."""

import itertools
import warnings

import numpy as np
import pytest
import reference as R
import scipy.special as sc
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hst

import lossnotes as ln
from lossnotes import losses as L

GRID = R.extreme_grid()
SUB = GRID[::2]  # 26 values, both signs, subnormal to max
PAIRS = np.array(list(itertools.product(SUB, SUB)))
COUNTS = np.array([0.0, 1.0, 2.0, 3.0, 10.0, 100.0, 1e4, 1e6, 1e10, 1e15])
SOFT = np.array([0.0, 1.0, 0.5, 0.25, 0.75, 1e-10, 1 - 1e-10])
PM1 = np.array([-1.0, 1.0])


def cases():
    """(loss, params, y, pred, reference) for the accuracy grid."""
    y, p = PAIRS[:, 0], PAIRS[:, 1]
    for loss in (L.mse, L.mae, L.log_cosh):
        yield loss, {}, y, p, getattr(R, loss.name)
    for delta in (0.25, 1.0, 3.0):
        yield L.huber, {"delta": delta}, y, p, R.huber
    for tau in (0.1, 0.5, 0.9):
        yield L.pinball, {"tau": tau}, y, p, R.pinball
    for nu, scale in ((1.0, 1.0), (3.0, 10.0)):
        yield L.student_t, {"nu": nu, "scale": scale}, y, p, R.student_t
    for var in (1e-3, 1.0, 1e5):
        yield L.gaussian_nll, {"var": var}, y, p, R.gaussian_nll
    cy, cp = (a.ravel() for a in np.meshgrid(COUNTS, GRID))
    yield L.poisson_nll, {}, cy, cp, R.poisson_nll
    by, bz = (a.ravel() for a in np.meshgrid(SOFT, GRID))
    yield L.binary_cross_entropy, {}, by, bz, R.binary_cross_entropy
    for loss in (L.hinge, L.squared_hinge):
        hy, hs = (a.ravel() for a in np.meshgrid(PM1, GRID))
        yield loss, {}, hy, hs, getattr(R, loss.name)


CASES = list(cases())


@pytest.mark.parametrize("loss, params, y, pred, ref", CASES, ids=[f"{c[0].name}-{c[1]}" for c in CASES])
def test_loss_within_8_eps_of_mpmath_on_extreme_grid(loss, params, y, pred, ref):
    got = loss(y, pred, reduction="none", **params)
    worst, where = 0.0, None
    for i in range(len(y)):
        exact = ref(y[i], pred[i], **params)
        exact, scale = exact if isinstance(exact, tuple) else (exact, None)
        if np.isfinite(exact):
            assert np.isfinite(got[i]), f"{loss.name}({y[i]!r}, {pred[i]!r}) = {got[i]}, exact {exact!r}"
        e = float(R.err_eps(got[i], exact, scale))
        if e > worst:
            worst, where = e, (y[i], pred[i], got[i], exact)
    assert worst <= 8, (
        f"{loss.name} {params}: {worst:.1f} eps at y, pred = {where[:2]} (got {where[2]!r}, exact {where[3]!r})"
    )


ROW_VALUES = [-R.MAX, -1e300, -800.0, -40.0, -1.0, 0.0, 1e-8, 0.1, 1.0, 40.0, 700.3, 1e300, R.MAX]
ROWS = np.array(list(itertools.product(ROW_VALUES, repeat=3)))


@pytest.mark.parametrize("label", [0, 1, 2])
def test_cross_entropy_and_its_gradient_within_8_eps_on_extreme_rows(label):
    labels = np.full(len(ROWS), label)
    value, grad = L.cross_entropy.value_and_grad(labels, ROWS, reduction="none")
    worst_v = worst_g = 0.0
    for i, row in enumerate(ROWS):
        exact = R.cross_entropy(label, row)
        if np.isfinite(exact):
            assert np.isfinite(value[i])
        worst_v = max(worst_v, float(R.err_eps(value[i], exact)))
        p = R.softmax(row)
        exact_g = [p[k] - (k == label) if k != label else -sum(p[j] for j in range(3) if j != label) for k in range(3)]
        worst_g = max(worst_g, float(R.err_eps(grad[i], exact_g).max()))
    assert worst_v <= 8 and worst_g <= 8, (worst_v, worst_g)
    # the one-hot probability target takes the other code path and must agree
    onehot = np.eye(3)[labels]
    np.testing.assert_array_equal(L.cross_entropy(onehot, ROWS, reduction="none"), value)


def test_binary_cross_entropy_gradient_within_8_eps_for_hard_labels():
    for yv in (0.0, 1.0):
        y = np.full_like(GRID, yv)
        g = L.binary_cross_entropy.grad(y, GRID)
        exact = [R.sigmoid(z) - yv if yv == 0 else -R.sigmoid(-z) for z in GRID]
        assert R.err_eps(g, exact).max() <= 8


@pytest.mark.parametrize(
    "z, y, expect",
    [(40.0, 0.0, 40.0), (-40.0, 1.0, 40.0), (700.0, 0.0, 700.0), (-700.0, 1.0, 700.0), (-800.0, 1.0, 800.0)],
)
def test_binary_cross_entropy_at_named_extremes(z, y, expect):
    v = float(L.binary_cross_entropy(np.array([y]), np.array([z])))
    assert v == expect  # softplus(40) - 0 = 40 + 4e-18, which rounds to 40
    for right in (1.0 - y,):  # the confident, correct label: the loss is exp(-|z|), far below eps
        small = float(L.binary_cross_entropy(np.array([right]), np.array([z])))
        assert R.err_eps(small, R.binary_cross_entropy(right, z)) <= 2 and small >= 0


def test_naive_binary_cross_entropy_fails_where_the_logit_form_does_not():
    z, y = np.array([40.0, 700.0, -800.0, 800.0]), np.array([0.0, 0.0, 1.0, 0.0])
    with np.errstate(all="ignore"):
        p = 1 / (1 + np.exp(-z))
        naive = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert not np.any(np.isfinite(naive))  # sigmoid rounds to exactly 0 or 1, and the log of 0 is -inf
    np.testing.assert_array_equal(L.binary_cross_entropy(y, z, reduction="none"), [40.0, 700.0, 800.0, 800.0])


def test_log_cosh_at_named_extremes():
    r = np.array([1e-8, 1e5])
    got = L.log_cosh(np.zeros(2), r, reduction="none")
    assert R.err_eps(got, [R.log_cosh(0, x) for x in r]).max() <= 2
    with np.errstate(all="ignore"):
        naive = np.log(np.cosh(r))
    assert naive[0] == 0.0 and np.isinf(naive[1])  # the naive formula loses 1e-8 entirely and overflows at 1e5


@settings(max_examples=200, deadline=None)
@given(
    y=hst.floats(-1e300, 1e300),
    p=hst.floats(-1e300, 1e300),
    name=hst.sampled_from(["mse", "mae", "log_cosh", "huber", "pinball"]),
)
def test_regression_losses_within_8_eps_for_any_finite_pair(y, p, name):
    got = L.LOSSES[name](np.array([y]), np.array([p]), reduction="none")[0]
    assert R.err_eps(got, getattr(R, name)(y, p)) <= 8


@settings(max_examples=200, deadline=None)
@given(y=hst.sampled_from([0.0, 1.0, 0.3]), z=hst.floats(allow_nan=False, allow_infinity=False))
def test_binary_cross_entropy_within_8_eps_for_any_logit(y, z):
    got = L.binary_cross_entropy(np.array([y]), np.array([z]), reduction="none")[0]
    assert np.isfinite(got) and R.err_eps(got, R.binary_cross_entropy(y, z)) <= 8


# ------------------------------------------------------------------ equal to scipy's negative log-densities
def test_nlls_equal_scipy_logpdf_and_logpmf(rng):
    y, mu = rng.normal(size=500), rng.normal(size=500)
    var = rng.uniform(0.1, 5, 500)
    np.testing.assert_allclose(
        L.gaussian_nll(y, mu, var=var, reduction="none"), -st.norm.logpdf(y, mu, np.sqrt(var)), rtol=1e-13
    )
    np.testing.assert_allclose(
        L.gaussian_nll(y, mu, var=2.5, reduction="none"), -st.norm.logpdf(y, mu, np.sqrt(2.5)), rtol=1e-13
    )
    eta = rng.uniform(-3, 4, 500)
    k = rng.poisson(np.exp(eta)).astype(float)
    np.testing.assert_allclose(L.poisson_nll(k, eta, reduction="none"), -st.poisson.logpmf(k, np.exp(eta)), rtol=1e-12)
    z = rng.normal(0, 4, 500)
    b = (rng.random(500) < sc.expit(z)).astype(float)
    # scipy evaluates log(1 - p) from p = expit(z), which costs digits when the loss is small; 1e-10 covers that
    np.testing.assert_allclose(
        L.binary_cross_entropy(b, z, reduction="none"), -st.bernoulli.logpmf(b, sc.expit(z)), rtol=1e-10
    )
    logits = rng.normal(0, 3, (500, 4))
    labels = rng.integers(0, 4, 500)
    expect = -sc.log_softmax(logits, axis=1)[np.arange(500), labels]
    np.testing.assert_allclose(L.cross_entropy(labels, logits, reduction="none"), expect, rtol=1e-12)
    np.testing.assert_allclose(
        L.cross_entropy(labels, logits, reduction="none"),
        -st.multinomial.logpmf(np.eye(4)[labels], 1, sc.softmax(logits, axis=1)),
        rtol=1e-10,
    )


def test_cross_entropy_label_smoothing_and_probability_targets(rng):
    z = rng.normal(size=(50, 5))
    labels = rng.integers(0, 5, 50)
    eps = 0.1
    q = (1 - eps) * np.eye(5)[labels] + eps / 5
    expect = -(q * sc.log_softmax(z, axis=1)).sum(axis=1)
    np.testing.assert_allclose(L.cross_entropy(labels, z, reduction="none", label_smoothing=eps), expect, rtol=1e-12)
    np.testing.assert_allclose(L.cross_entropy(q, z, reduction="none"), expect, rtol=1e-12)
    np.testing.assert_allclose(
        L.cross_entropy.grad(labels, z, label_smoothing=eps), sc.softmax(z, axis=1) - q, atol=1e-15
    )


def test_elementwise_definitions(rng):
    y, p = rng.normal(size=300), rng.normal(scale=3, size=300)
    r = p - y
    np.testing.assert_allclose(L.mse(y, p, reduction="none"), r**2, rtol=1e-15)
    np.testing.assert_allclose(L.mae(y, p, reduction="none"), np.abs(r), rtol=1e-15)
    np.testing.assert_allclose(
        L.huber(y, p, reduction="none", delta=1.5),
        np.where(np.abs(r) <= 1.5, r**2 / 2, 1.5 * (np.abs(r) - 0.75)),
        rtol=1e-15,
    )
    np.testing.assert_allclose(L.pinball(y, p, reduction="none", tau=0.3), np.maximum(0.3 * -r, -0.7 * -r), rtol=1e-15)
    # log(cosh r) forms log(1 + r^2/2 + ...) and loses digits for small r: a loose tolerance for the definition only
    np.testing.assert_allclose(L.log_cosh(y, p, reduction="none"), np.log(np.cosh(r)), rtol=1e-10)
    s = np.where(rng.random(300) < 0.5, -1.0, 1.0)
    np.testing.assert_allclose(L.hinge(s, p, reduction="none"), np.maximum(0, 1 - s * p))
    np.testing.assert_allclose(L.squared_hinge(s, p, reduction="none"), np.maximum(0, 1 - s * p) ** 2)
    np.testing.assert_allclose(L.hinge.grad(s, p), np.where(s * p < 1, -s, 0.0))
    np.testing.assert_allclose(L.pinball.grad(y, p, tau=0.3), np.where(y > p, -0.3, 0.7))
    np.testing.assert_allclose(L.huber.grad(y, p, delta=1.5), np.clip(r, -1.5, 1.5))


# ------------------------------------------------------------------ gradients
GRAD_CASES = [
    (L.mse, {}, "real"),
    (L.mae, {}, "real"),
    (L.huber, {"delta": 0.7}, "real"),
    (L.pinball, {"tau": 0.2}, "real"),
    (L.log_cosh, {}, "real"),
    (L.student_t, {"nu": 2.5, "scale": 0.8}, "real"),
    (L.gaussian_nll, {"var": 0.6}, "real"),
    (L.poisson_nll, {}, "counts"),
    (L.binary_cross_entropy, {}, "unit"),
    (L.hinge, {}, "pm1"),
    (L.squared_hinge, {}, "pm1"),
]


def _targets(kind, rng, n):
    return {
        "real": rng.normal(size=n),
        "counts": rng.poisson(3, n).astype(float),
        "unit": rng.random(n),
        "pm1": np.where(rng.random(n) < 0.5, -1.0, 1.0),
    }[kind]


@pytest.mark.parametrize("loss, params, kind", GRAD_CASES, ids=[c[0].name for c in GRAD_CASES])
def test_gradient_matches_central_differences(loss, params, kind, rng):
    y = _targets(kind, rng, 400)
    p = rng.normal(scale=2, size=400)
    h = 1e-6
    fd = (loss(y, p + h, reduction="none", **params) - loss(y, p - h, reduction="none", **params)) / (2 * h)
    g = loss.grad(y, p, **params)
    # away from kinks (|r| = delta, r = 0, margin = 1) the central difference is exact to O(h^2)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-7)


def test_cross_entropy_gradient_matches_central_differences(rng):
    z = rng.normal(scale=2, size=(100, 4))
    labels = rng.integers(0, 4, 100)
    g = L.cross_entropy.grad(labels, z)
    fd = np.zeros_like(z)
    for k in range(4):
        e = np.zeros(4)
        e[k] = 1e-6
        fd[:, k] = (
            L.cross_entropy(labels, z + e, reduction="none") - L.cross_entropy(labels, z - e, reduction="none")
        ) / 2e-6
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-8)


def test_hessians_match_differences_of_the_gradient(rng):
    y, p = rng.normal(size=200), rng.normal(size=200)
    for loss, params, yy in [
        (L.mse, {}, y),
        (L.log_cosh, {}, y),
        (L.gaussian_nll, {"var": 2.0}, y),
        (L.poisson_nll, {}, rng.poisson(2, 200).astype(float)),
        (L.binary_cross_entropy, {}, (rng.random(200) < 0.5).astype(float)),
    ]:
        fd = (loss.grad(yy, p + 1e-6, **params) - loss.grad(yy, p - 1e-6, **params)) / 2e-6
        np.testing.assert_allclose(loss.hess(yy, p, **params), fd, rtol=1e-6, atol=1e-8)
    with pytest.raises(NotImplementedError, match="mae"):
        L.mae.hess(y, p)


# ------------------------------------------------------------------ reductions
@pytest.mark.parametrize("loss, params, kind", GRAD_CASES, ids=[c[0].name for c in GRAD_CASES])
def test_reductions_and_value_and_grad(loss, params, kind, rng):
    y = _targets(kind, rng, 12).reshape(3, 4)
    p = rng.normal(size=(3, 4))
    none = loss(y, p, reduction="none", **params)
    assert none.shape == y.shape
    assert loss(y, p, reduction="sum", **params) == pytest.approx(none.sum(), rel=1e-15)
    assert loss(y, p, **params) == pytest.approx(none.mean(), rel=1e-15)
    assert loss.grad(y, p, **params).shape == p.shape
    v, g = loss.value_and_grad(y, p, **params)
    assert v == pytest.approx(none.mean(), rel=1e-15)
    np.testing.assert_allclose(g, loss.grad(y, p, **params) / y.size)


def test_cross_entropy_reductions_are_over_rows(rng):
    z = rng.normal(size=(6, 3))
    labels = rng.integers(0, 3, 6)
    none = L.cross_entropy(labels, z, reduction="none")
    assert none.shape == (6,)
    assert L.cross_entropy(labels, z) == pytest.approx(none.mean())
    v, g = L.cross_entropy.value_and_grad(labels, z)
    np.testing.assert_allclose(g, L.cross_entropy.grad(labels, z) / 6)


def test_no_warnings_on_extreme_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for loss, params, y, pred, _ in CASES:
            loss(y, pred, reduction="none", **params)
            loss.grad(y, pred, **params)
        L.cross_entropy(np.zeros(len(ROWS), dtype=int), ROWS)
        L.cross_entropy.grad(np.zeros(len(ROWS), dtype=int), ROWS)


# ------------------------------------------------------------------ what the minimisers estimate
def test_minimisers_on_skewed_data(rng):
    y = rng.lognormal(0.0, 1.0, 2001)  # strongly right-skewed: mean > median
    mean, median = y.mean(), np.median(y)
    assert ln.fit.location(L.mse, y) == pytest.approx(mean, rel=1e-8)
    assert ln.fit.location(L.mae, y) == pytest.approx(median, rel=1e-6)
    for tau in (0.1, 0.5, 0.9):
        q = np.sort(y)[int(np.ceil(tau * len(y))) - 1]  # the tau-quantile order statistic
        assert ln.fit.location(L.pinball, y, tau=tau) == pytest.approx(q, rel=1e-6)
    hub = ln.fit.location(L.huber, y, delta=1.0)
    assert median < hub < mean
    lc = ln.fit.location(L.log_cosh, y)
    assert median < lc < mean

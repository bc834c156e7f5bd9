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
    for loss in (L.hinge, L.squared_hinge, L.logistic, L.exponential):
        hy, hs = (a.ravel() for a in np.meshgrid(PM1, GRID))
        yield loss, {}, hy, hs, getattr(R, loss.name)
    for w in (0.1, 3.0):
        yield L.binary_cross_entropy, {"pos_weight": w}, by, bz, R.binary_cross_entropy_weighted
    fy, fz = (a.ravel() for a in np.meshgrid(np.array([0.0, 1.0]), GRID))
    for gamma in (0.0, 0.5, 2.0, 5.0):
        yield L.focal, {"gamma": gamma}, fy, fz, R.focal


CASES = list(cases())


def bound(loss, params):
    """The accuracy each loss promises in its docstring, in eps: 8, except the focal loss above gamma = 2, where
    the power (1 - p_t)^gamma multiplies the relative rounding error of sigmoid by gamma: 4 gamma."""
    return max(8.0, 4.0 * params["gamma"]) if loss is L.focal else 8.0


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
    assert worst <= bound(loss, params), (
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
    (L.logistic, {}, "pm1"),
    (L.exponential, {}, "pm1"),
    (L.binary_cross_entropy, {"pos_weight": 3.0}, "unit"),
    (L.focal, {"gamma": 2.0}, "binary"),
    (L.focal, {"gamma": 0.5}, "binary"),
]


def _targets(kind, rng, n):
    return {
        "real": rng.normal(size=n),
        "counts": rng.poisson(3, n).astype(float),
        "unit": rng.random(n),
        "pm1": np.where(rng.random(n) < 0.5, -1.0, 1.0),
        "binary": (rng.random(n) < 0.5).astype(float),
    }[kind]


@pytest.mark.parametrize("loss, params, kind", GRAD_CASES, ids=[f"{c[0].name}-{c[1]}" for c in GRAD_CASES])
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
        (L.binary_cross_entropy, {"pos_weight": 2.5}, rng.random(200)),
        (L.logistic, {}, np.where(rng.random(200) < 0.5, -1.0, 1.0)),
        (L.exponential, {}, np.where(rng.random(200) < 0.5, -1.0, 1.0)),
        (L.squared_hinge, {}, np.where(rng.random(200) < 0.5, -1.0, 1.0)),
        (L.huber, {"delta": 0.5}, y),
    ]:
        fd = (loss.grad(yy, p + 1e-6, **params) - loss.grad(yy, p - 1e-6, **params)) / 2e-6
        np.testing.assert_allclose(loss.hess(yy, p, **params), fd, rtol=1e-6, atol=1e-8)
    with pytest.raises(NotImplementedError, match="mae"):
        L.mae.hess(y, p)


# ------------------------------------------------------------------ reductions
@pytest.mark.parametrize("loss, params, kind", GRAD_CASES, ids=[f"{c[0].name}-{c[1]}" for c in GRAD_CASES])
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
            loss.value_and_grad(y, pred, **params)
            if loss.has_hess:
                loss.hess(y, pred, **params)
        assert L.poisson_nll.hess([1.0], [1000.0])[0] == np.inf  # silent, like .grad
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


def test_huber_and_log_cosh_locations_need_not_lie_between_mean_and_median():
    # on this sample the Huber (delta = 1) and log-cosh locations both lie beyond the median, away from the mean
    y = np.array([1.8, -0.2, -7.1, -14.4, 3.1, -1.8, -1.1])
    mean, median = y.mean(), np.median(y)
    assert median == -1.1 and round(mean, 2) == -2.81
    hub = ln.fit.location(L.huber, y, delta=1.0)
    assert round(hub, 3) == -1.033
    assert np.mean(L.huber.grad(y, np.full_like(y, hub))) == pytest.approx(0.0, abs=1e-12)  # a true minimiser
    assert not (min(mean, median) <= hub <= max(mean, median))
    lc = ln.fit.location(L.log_cosh, y)
    slope = [np.mean(L.log_cosh.grad(y, np.full_like(y, lc + d))) for d in (-1e-6, 1e-6)]
    assert slope[0] < 0 < slope[1]  # the mean gradient changes sign there: a minimiser, to 1e-6
    assert not (min(mean, median) <= lc <= max(mean, median))


# ------------------------------------------------------------------ the losses added for margins and imbalance
def grad_cases():
    """(loss, params, y, pred, exact gradient) over the extreme grid."""
    hy, hs = (a.ravel() for a in np.meshgrid(PM1, GRID))
    yield L.logistic, {}, hy, hs, R.logistic_grad
    yield L.exponential, {}, hy, hs, R.exponential_grad
    by, bz = (a.ravel() for a in np.meshgrid(np.array([0.0, 1.0]), GRID))
    for gamma in (0.0, 0.5, 2.0, 5.0):
        yield L.focal, {"gamma": gamma}, by, bz, R.focal_grad
    sy, sz = (a.ravel() for a in np.meshgrid(SOFT, GRID))
    for w in (0.1, 3.0):
        yield L.binary_cross_entropy, {"pos_weight": w}, sy, sz, R.binary_cross_entropy_weighted_grad


GRAD_ACC = list(grad_cases())


@pytest.mark.parametrize("loss, params, y, pred, ref", GRAD_ACC, ids=[f"{c[0].name}-{c[1]}" for c in GRAD_ACC])
def test_gradient_within_8_eps_of_mpmath_on_extreme_grid(loss, params, y, pred, ref):
    g = loss.grad(y, pred, **params)
    exact = np.array([ref(y[i], pred[i], **params) for i in range(len(y))])
    if loss is L.binary_cross_entropy:
        # (1 - y) sigma(z) - w y sigma(-z) is a difference: near its zero the error is relative to the larger term
        w = params["pos_weight"]
        scale = np.array(
            [max(abs((1 - a) * R.sigmoid(z)), abs(w * a * R.sigmoid(-z))) for a, z in zip(y, pred, strict=True)]
        )
    else:
        scale = None
    assert np.all(np.isfinite(g[np.isfinite(exact)]))
    err = R.err_eps(g, exact, scale)
    i = int(np.argmax(err))
    assert err[i] <= bound(loss, params), (
        f"{loss.name} {params}: {err[i]:.1f} eps at y={y[i]!r}, pred={pred[i]!r}: {g[i]!r} vs {exact[i]!r}"
    )


def test_logistic_is_binary_cross_entropy_with_pm1_labels(rng):
    b = (rng.random(500) < 0.5).astype(float)
    s = rng.normal(0, 30, 500)
    np.testing.assert_allclose(
        L.logistic(2 * b - 1, s, reduction="none"), L.binary_cross_entropy(b, s, reduction="none"), rtol=4e-16, atol=0
    )
    np.testing.assert_allclose(
        L.logistic.grad(2 * b - 1, s), L.binary_cross_entropy.grad(b, s), rtol=4e-16, atol=1e-300
    )


def test_exponential_overflows_only_beyond_float64():
    y = np.ones(4)
    s = np.array([-709.78, -709.79, -1e5, 1e5])  # e^709.78 < max double < e^709.79
    v = L.exponential(y, s, reduction="none")
    assert np.isfinite(v[0]) and v[1] == np.inf and v[2] == np.inf and v[3] == 0.0
    assert R.err_eps(v[0], R.exponential(1.0, -709.78)) <= 1


def test_focal_at_gamma_0_is_binary_cross_entropy_and_shrinks_easy_points(rng):
    y = (rng.random(400) < 0.5).astype(float)
    z = rng.normal(0, 5, 400)
    np.testing.assert_array_equal(
        L.focal(y, z, reduction="none", gamma=0.0), L.binary_cross_entropy(y, z, reduction="none")
    )
    np.testing.assert_allclose(
        L.focal.grad(y, z, gamma=0.0), L.binary_cross_entropy.grad(y, z), rtol=1e-15, atol=1e-300
    )
    # (1 - p_t)^gamma < 1: every point costs less than under cross-entropy, a well-classified one far less
    easy = np.array([1.0]), np.array([4.0])
    hard = np.array([1.0]), np.array([-4.0])
    ratio_easy = L.focal(*easy) / L.binary_cross_entropy(*easy)
    ratio_hard = L.focal(*hard) / L.binary_cross_entropy(*hard)
    assert ratio_easy == pytest.approx(sc.expit(-4.0) ** 2, rel=1e-14)
    assert ratio_hard == pytest.approx(sc.expit(4.0) ** 2, rel=1e-14)
    assert ratio_easy < 1e-3 < 0.9 < ratio_hard


def test_binary_cross_entropy_pos_weight_matches_the_weighted_definition(rng):
    y = rng.random(300)
    z = rng.normal(0, 4, 300)
    w = 3.0
    expect = -(w * y * np.log(sc.expit(z)) + (1 - y) * np.log(sc.expit(-z)))
    np.testing.assert_allclose(L.binary_cross_entropy(y, z, reduction="none", pos_weight=w), expect, rtol=1e-12)
    np.testing.assert_allclose(
        L.binary_cross_entropy.grad(y, z, pos_weight=w),
        (1 - y) * sc.expit(z) - w * y * sc.expit(-z),
        rtol=1e-12,
        atol=1e-15,
    )
    # its minimiser over z for a fixed label frequency eta is log(w eta / (1 - eta)), not the log-odds
    eta = 0.2
    zs = np.linspace(-5, 5, 200001)
    risk = eta * L.binary_cross_entropy(np.ones_like(zs), zs, reduction="none", pos_weight=w) + (
        1 - eta
    ) * L.binary_cross_entropy(np.zeros_like(zs), zs, reduction="none", pos_weight=w)
    assert zs[np.argmin(risk)] == pytest.approx(np.log(w * eta / (1 - eta)), abs=1e-4)


def test_cross_entropy_class_weight(rng):
    z = rng.normal(0, 3, (200, 4))
    labels = rng.integers(0, 4, 200)
    w = np.array([0.5, 1.0, 2.0, 4.0])
    plain = L.cross_entropy(labels, z, reduction="none")
    weighted = L.cross_entropy(labels, z, reduction="none", class_weight=w)
    np.testing.assert_allclose(weighted, w[labels] * plain, rtol=1e-15)
    # mean divides by n (not by the sum of the weights, as PyTorch does)
    assert L.cross_entropy(labels, z, class_weight=w) == pytest.approx(weighted.sum() / 200, rel=1e-14)
    g = L.cross_entropy.grad(labels, z, class_weight=w)
    np.testing.assert_allclose(
        g, w[labels][:, None] * (sc.softmax(z, axis=1) - np.eye(4)[labels]), rtol=1e-13, atol=1e-16
    )
    # probability targets: -sum_k w_k q_k log softmax_k, gradient (sum_k w_k q_k) softmax - w q;
    # a one-hot target agrees with the labels
    q = rng.dirichlet(np.ones(4), 200)
    ls = sc.log_softmax(z, axis=1)
    np.testing.assert_allclose(
        L.cross_entropy(q, z, reduction="none", class_weight=w), -(w * q * ls).sum(axis=1), rtol=1e-12
    )
    np.testing.assert_allclose(
        L.cross_entropy.grad(q, z, class_weight=w),
        (w * q).sum(axis=1, keepdims=True) * sc.softmax(z, axis=1) - w * q,
        rtol=1e-12,
        atol=1e-15,
    )
    np.testing.assert_allclose(
        L.cross_entropy(np.eye(4)[labels], z, reduction="none", class_weight=w), weighted, rtol=1e-14
    )
    # finite differences through the weighted soft-target path
    fd = np.zeros_like(z)
    for k in range(4):
        e = np.zeros(4)
        e[k] = 1e-6
        fd[:, k] = (
            L.cross_entropy(q, z + e, reduction="none", class_weight=w)
            - L.cross_entropy(q, z - e, reduction="none", class_weight=w)
        ) / 2e-6
    np.testing.assert_allclose(L.cross_entropy.grad(q, z, class_weight=w), fd, rtol=1e-6, atol=1e-8)
    # weighting every class equally by c scales the loss by c
    np.testing.assert_allclose(
        L.cross_entropy(labels, z, reduction="none", class_weight=np.full(4, 2.0)), 2 * plain, rtol=1e-15
    )


def test_every_registered_loss_has_a_noise_model_or_says_it_is_none():
    models = {m.name: m for m in ln.noise.MODELS.values()}
    for loss in L.LOSSES.values():
        if loss.noise_model is None:
            assert "not the likelihood of any noise model" in loss.__doc__.lower(), loss.name
        else:
            assert models[loss.noise_model].loss is loss, loss.name
    assert {L.LOSSES[n].noise_model for n in ("hinge", "squared_hinge", "exponential", "focal")} == {None}
    assert L.logistic.noise_model == "bernoulli_margin"


# ------------------------------------------------------------------ each loss documents itself
SECTIONS = ("Gradient", "Parameters", "Returns", "Accuracy", "References")


@pytest.mark.parametrize("loss", list(L.LOSSES.values()), ids=lambda x: x.name)
def test_help_shows_the_loss_own_documentation(loss):
    import pydoc

    text = pydoc.render_doc(loss, renderer=pydoc.plaintext)
    doc = type(loss).__doc__
    assert doc and doc != L.Loss.__doc__
    first = doc.strip().splitlines()[0]
    assert first in text  # help() shows this loss's own summary line, not the generic Loss text
    for section in SECTIONS:
        assert f"\n    {section}\n    {'-' * len(section)}\n" in doc, (loss.name, section)
    for name in loss.params:
        assert f"\n    {name} : " in doc, (loss.name, name)
    assert "eps" in doc.split("Accuracy")[1].split("References")[0]
    assert loss.gradient_behaviour and loss.use_when
    assert "between mean and median" not in loss.gradient_behaviour + loss.use_when


@pytest.mark.parametrize("loss", list(L.LOSSES.values()), ids=lambda x: x.name)
def test_signature_and_params_come_from_one_place(loss):
    import inspect

    sig = inspect.signature(loss)
    assert list(sig.parameters)[:3] == ["y", "pred", "reduction"]
    assert {k: p.default for k, p in list(sig.parameters.items())[3:]} == loss.params
    assert repr(loss).startswith(f"<loss {loss.name}(y, pred")


@pytest.mark.parametrize("loss", [L.binary_cross_entropy, L.cross_entropy, L.huber], ids=lambda x: x.name)
def test_fused_value_and_grad_equals_the_separate_calls_for_any_memory_layout(loss, rng):
    # the fused paths work block by block; they must give the same bits as __call__ and .grad, whatever the layout
    if loss is L.cross_entropy:
        z = np.asfortranarray(rng.normal(0, 5, (70001, 3)))
        y = rng.integers(0, 3, 70001)
    else:
        z = rng.normal(0, 30, (300, 400)).T  # a transposed, non-contiguous view
        y = (rng.random((400, 300)) < 0.5).astype(float)
        z[0, :3] = [R.MAX, -R.MAX, 1e300]
        if loss is L.huber:
            y[0, :2] = [-R.MAX, R.MAX]  # residuals beyond float64 take the careful path
    v, g = loss.value_and_grad(y, z, reduction="none")
    np.testing.assert_array_equal(v, loss(y, z, reduction="none"))
    np.testing.assert_array_equal(g, loss.grad(y, z))
    assert g.shape == z.shape


def test_mean_gradient_never_writes_into_the_inputs():
    # value_and_grad divides the gradient by n in place only when it owns it; a loss whose gradient is a view of
    # its input must leave the caller's array alone
    class Linear(L.MSE):
        name = "linear"

        def _value(self, y, pred):
            return pred.copy()

        def _grad(self, y, pred):
            return pred  # the input itself

    pred = np.array([1.0, 2.0, 3.0, 4.0])
    v, g = Linear().value_and_grad(np.zeros(4), pred)
    np.testing.assert_array_equal(pred, [1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(g, [0.25, 0.5, 0.75, 1.0])

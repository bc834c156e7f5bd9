"""The fitters: they reach the optimum that closed forms or independent solvers give."""

import numpy as np
import pytest
import scipy.optimize as so

import lossnotes as ln
from lossnotes import losses as L


@pytest.fixture
def data(rng):
    X = rng.normal(size=(300, 3))
    w = np.array([0.5, 1.0, -2.0, 0.3])
    return X, w, ln.fit.add_intercept(X)


def test_gradient_descent_on_mse_is_least_squares(data, rng):
    X, w, A = data
    y = A @ w + 0.1 * rng.normal(size=300)
    res = ln.fit.gradient_descent(L.mse, X, y, lr=0.2, steps=2000)
    np.testing.assert_allclose(res.w, np.linalg.lstsq(A, y, rcond=None)[0], atol=1e-8)
    assert res.history[-1] <= res.history[0] and len(res.history) == 2001
    np.testing.assert_allclose(res.predict(X), A @ res.w)


def test_l2_penalty_is_ridge_and_spares_the_intercept(data, rng):
    X, w, A = data
    y = A @ w + rng.normal(size=300)
    lam = 0.5
    res = ln.fit.gradient_descent(L.mse, X, y, lr=0.1, steps=5000, l2=lam)
    # objective mean((Aw - y)^2) + lam/2 |w[1:]|^2: normal equations (2 A'A / n + lam P) w = 2 A'y / n
    P = np.diag([0.0, 1, 1, 1])
    ridge = np.linalg.solve(2 * A.T @ A / 300 + lam * P, 2 * A.T @ y / 300)
    np.testing.assert_allclose(res.w, ridge, atol=1e-8)


def test_newton_logistic_regression_matches_a_generic_optimiser(data, rng):
    X, w, A = data
    y = (rng.random(300) < ln.units.sigmoid(A @ w)).astype(float)
    res = ln.fit.newton(L.binary_cross_entropy, X, y)
    ref = so.minimize(
        lambda v: L.binary_cross_entropy(y, A @ v),
        np.zeros(4),
        jac=lambda v: A.T @ L.binary_cross_entropy.grad(y, A @ v) / 300,
        method="BFGS",
        options={"gtol": 1e-12},
    )
    assert res.converged
    np.testing.assert_allclose(res.w, ref.x, atol=1e-6)
    gd = ln.fit.gradient_descent(L.binary_cross_entropy, X, y, lr=2.0, steps=4000)
    np.testing.assert_allclose(gd.w, res.w, atol=1e-5)


def test_softmax_regression_with_cross_entropy(rng):
    X = rng.normal(size=(400, 2))
    W = np.array([[0.2, -0.1, 0.0], [2.0, -1.0, 0.0], [0.0, 1.5, -1.5]])
    labels = ln.noise.get("categorical").sample(ln.fit.add_intercept(X) @ W, rng)
    res = ln.fit.gradient_descent(L.cross_entropy, X, labels, lr=1.0, steps=3000)
    assert res.w.shape == (3, 3)
    g = ln.fit.add_intercept(X).T @ L.cross_entropy.grad(labels, res.predict(X)) / 400
    assert np.abs(g).max() < 1e-6  # stationary: the mean gradient vanishes


def test_max_margin_depends_only_on_support_vectors(rng):
    X = np.vstack([rng.normal([2, 2], 0.8, (30, 2)), rng.normal([-2, -2], 0.8, (30, 2))])
    y = np.r_[np.ones(30), -np.ones(30)]
    res = ln.fit.max_margin(X, y, C=10.0)
    margins = y * res.decision(X)
    assert np.all(margins[res.support] <= 1 + 1e-6)  # support vectors lie on or inside the margin
    outside = np.setdiff1d(np.arange(60), res.support)
    assert np.all(margins[outside] >= 1 - 1e-6) and len(res.support) < 10
    again = ln.fit.max_margin(X[res.support], y[res.support], C=10.0)
    np.testing.assert_allclose(again.w, res.w, atol=1e-5)
    assert again.b == pytest.approx(res.b, abs=1e-5)

    # the primal objective at the solution is no worse than at nearby points
    def primal(v):
        return 0.5 * v[:2] @ v[:2] + 10.0 * L.hinge(y, X @ v[:2] + v[2], reduction="sum")

    best = primal(np.r_[res.w, res.b])
    for d in rng.normal(scale=1e-3, size=(50, 3)):
        assert primal(np.r_[res.w, res.b] + d) >= best - 1e-9


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
def test_max_margin_is_certified_optimal_on_overlapping_classes(seed, C):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 2))
    y = np.where(X[:, 0] + 0.7 * rng.normal(size=60) > 0, 1.0, -1.0)
    res = ln.fit.max_margin(X, y, C=C)
    assert res.gap <= 1e-9
    # KKT: alpha = 0 beyond the margin, alpha = C inside it, 0 < alpha < C only on it
    m = y * res.decision(X)
    assert np.all(m[res.alpha == 0] >= 1 - 1e-6) and np.all(m[res.alpha >= C * (1 - 1e-9)] <= 1 + 1e-6)
    free = (res.alpha > 0) & (res.alpha < C * (1 - 1e-9))
    np.testing.assert_allclose(m[free], 1.0, atol=1e-6)


def test_location_estimates_and_errors(rng):
    y = rng.exponential(size=999)
    assert ln.fit.location(L.mse, y) == pytest.approx(y.mean(), rel=1e-9)
    assert ln.fit.location(L.mae, y) == pytest.approx(np.median(y), rel=1e-6)
    assert ln.fit.location(L.mse, np.ones(5)) == 1.0
    with pytest.raises(ValueError, match="y is empty"):
        ln.fit.location(L.mse, [])


def test_fitters_reject_bad_input(data):
    X, _, _ = data
    with pytest.raises(ValueError, match="X has 300 rows but y has 5 entries"):
        ln.fit.gradient_descent(L.mse, X, np.zeros(5))
    with pytest.raises(TypeError, match="loss must be a lossnotes loss"):
        ln.fit.gradient_descent(np.mean, X, np.zeros(300))
    with pytest.raises(ValueError, match="lr must be > 0"):
        ln.fit.gradient_descent(L.mse, X, np.zeros(300), lr=0)
    with pytest.raises(ValueError, match="newton needs a loss with a second derivative; mae"):
        ln.fit.newton(L.mae, X, np.zeros(300))
    with pytest.raises(ValueError, match="labels -1 and \\+1"):
        ln.fit.max_margin(X, np.zeros(300))
    with pytest.raises(ValueError, match="both classes"):
        ln.fit.max_margin(X, np.ones(300))


def test_line_recovers_least_squares_and_least_absolute_deviations(rng):
    x = rng.uniform(10, 50, 300)  # far from 0 and wide: the standardisation matters
    y = 3.0 - 0.4 * x + rng.laplace(0, 2, 300)
    a, b = ln.fit.line(L.mse, x, y, schedule=(0.5, 0.05), steps=2000)
    ref = np.polyfit(x, y, 1)
    assert b == pytest.approx(ref[0], rel=1e-9) and a == pytest.approx(ref[1], rel=1e-9)
    # least absolute deviations: the residual signs balance (half above, half below) at the fitted line
    a1, b1 = ln.fit.line(L.mae, x, y, schedule=(0.5, 0.05, 0.005, 0.0005), steps=2000)
    lad = so.minimize(
        lambda v: np.abs(y - v[0] - v[1] * x).sum(),
        [ref[1], ref[0]],
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 20000},
    )
    assert np.abs(y - a1 - b1 * x).sum() <= lad.fun * (1 + 1e-6)
    with pytest.raises(ValueError, match="two different values"):
        ln.fit.line(L.mse, np.ones(5), np.zeros(5))


def test_locations_is_location_row_by_row(rng):
    Y = rng.standard_t(3, (20, 41))
    for loss, params in ((L.mse, {}), (L.huber, {"delta": 1.345}), (L.mae, {}), (L.pinball, {"tau": 0.9})):
        rows = ln.fit.locations(loss, Y, **params)
        one = [ln.fit.location(loss, r, **params) for r in Y]
        np.testing.assert_allclose(rows, one, atol=1e-9)
    np.testing.assert_allclose(ln.fit.locations(L.mse, Y), Y.mean(axis=1), atol=1e-12)


def test_population_minimisers_of_the_binary_losses():
    for eta in (0.1, 0.3, 0.6, 0.9):
        log_odds = np.log(eta / (1 - eta))
        assert ln.fit.population_minimiser(L.logistic, eta) == pytest.approx(log_odds, abs=1e-6)
        assert ln.fit.population_minimiser(L.binary_cross_entropy, eta) == pytest.approx(log_odds, abs=1e-6)
        assert ln.fit.population_minimiser(L.exponential, eta) == pytest.approx(log_odds / 2, abs=1e-6)
        assert ln.fit.population_minimiser(L.squared_hinge, eta) == pytest.approx(2 * eta - 1, abs=1e-6)
        assert ln.fit.population_minimiser(L.hinge, eta) == pytest.approx(np.sign(2 * eta - 1), abs=1e-6)
    with pytest.raises(ValueError, match="two classes"):
        ln.fit.population_minimiser(L.mse, 0.5)

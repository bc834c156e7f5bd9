"""The noise models: registry contents, densities that integrate to 1, samplers that draw from those densities,
and the statistic each model's minimiser estimates."""

import numpy as np
import pytest
import scipy.integrate as si
import scipy.stats as st
import sympy as sp

import lossnotes as ln
from lossnotes import losses as L
from lossnotes.noise import f, y

REQUIRED = {
    "gaussian": L.mse,
    "laplace": L.mae,
    "huber": L.huber,
    "asymmetric_laplace": L.pinball,
    "hyperbolic_secant": L.log_cosh,
    "heteroscedastic_gaussian": L.gaussian_nll,
    "poisson": L.poisson_nll,
    "bernoulli": L.binary_cross_entropy,
    "categorical": L.cross_entropy,
    "bernoulli_margin": L.logistic,
}
CONTINUOUS = [
    "gaussian",
    "laplace",
    "huber",
    "asymmetric_laplace",
    "hyperbolic_secant",
    "heteroscedastic_gaussian",
    "student_t",
    "cauchy",
]


def test_registry_holds_the_contracted_models():
    for name, loss in REQUIRED.items():
        assert ln.noise.get(name).loss is loss
    assert {"student_t", "cauchy"} <= set(ln.noise.MODELS)
    with pytest.raises(KeyError, match="no noise model 'gauss'; known models: gaussian"):
        ln.noise.get("gauss")


@pytest.mark.parametrize("name", CONTINUOUS)
def test_continuous_densities_integrate_to_one(name):
    m = ln.noise.get(name)
    for pv in (m.defaults, m.sample_params(np.random.default_rng(1))):
        dens = sp.lambdify([y, f, *[m.symbols[k] for k in pv]], m.density, modules=["scipy", "numpy"])
        with np.errstate(over="ignore"):  # the textbook density overflows harmlessly in the far tails
            total, _ = si.quad(
                lambda t, pv=pv, dens=dens: float(dens(t, 0.0, *pv.values())), -np.inf, np.inf, limit=200
            )
        assert total == pytest.approx(1.0, abs=1e-7)


def test_discrete_densities_sum_to_one():
    pois = sp.lambdify([y, f], ln.noise.get("poisson").density, modules=["scipy", "numpy"])
    assert sum(pois(k, np.log(3.7)) for k in range(80)) == pytest.approx(1.0, abs=1e-12)
    bern = sp.lambdify([y, f], ln.noise.get("bernoulli").density)
    assert bern(0, 0.8) + bern(1, 0.8) == pytest.approx(1.0)
    margin = sp.lambdify([y, f], ln.noise.get("bernoulli_margin").density)
    assert margin(-1, 0.8) + margin(1, 0.8) == pytest.approx(1.0)
    assert margin(1, 0.8) == pytest.approx(bern(1, 0.8), rel=1e-15)  # the same coin, labels -1/+1 for 0/1
    m = ln.noise.get("categorical")
    cat = sp.lambdify([*m.target, *m.pred], m.density)
    assert sum(cat(*np.eye(3)[k], 0.2, -1.0, 1.5) for k in range(3)) == pytest.approx(1.0)


@pytest.mark.parametrize("name", CONTINUOUS)
def test_samplers_draw_from_the_density(name):
    m = ln.noise.get(name)
    rng = np.random.default_rng(7)
    pv = m.defaults
    draws = m.sample(np.zeros(4000), rng, **pv)
    dens = sp.lambdify([y, f, *[m.symbols[k] for k in pv]], m.density, modules=["scipy", "numpy"])

    def pdf(u):
        with np.errstate(over="ignore"):  # the lambdified textbook density overflows harmlessly in the far tails
            return float(dens(u, 0.0, *pv.values()))

    grid = np.sinh(np.linspace(-7, 7, 281))  # out to +-548: the Cauchy's tails matter
    pieces = [si.quad(pdf, a, b, limit=200)[0] for a, b in zip(grid[:-1], grid[1:], strict=True)]
    table = np.concatenate([[si.quad(pdf, -np.inf, grid[0])[0]], np.cumsum(pieces)])
    table[1:] += table[0]
    p = st.kstest(draws, lambda t: np.interp(t, grid, table, left=0.0, right=1.0)).pvalue
    assert p > 1e-3, f"{name}: KS p-value {p:.2g}"


def test_sampled_statistics_are_what_the_minimiser_estimates():
    rng = np.random.default_rng(3)
    n = 200_000
    assert ln.noise.get("gaussian").sample(np.full(n, 2.0), rng, sigma=3.0).mean() == pytest.approx(2.0, abs=0.05)
    assert np.median(ln.noise.get("laplace").sample(np.full(n, -1.0), rng, b=2.0)) == pytest.approx(-1.0, abs=0.03)
    for tau in (0.1, 0.8):
        draws = ln.noise.get("asymmetric_laplace").sample(np.zeros(n), rng, tau=tau)
        assert np.mean(draws < 0) == pytest.approx(tau, abs=0.005)  # f is the tau-quantile
    counts = ln.noise.get("poisson").sample(np.full(n, np.log(4.0)), rng)
    assert counts.mean() == pytest.approx(4.0, rel=0.01) and np.all(counts == np.floor(counts))
    coins = ln.noise.get("bernoulli").sample(np.full(n, 1.0), rng)
    assert coins.mean() == pytest.approx(ln.units.sigmoid(1.0), abs=0.005)
    pm1 = ln.noise.get("bernoulli_margin").sample(np.full(n, 1.0), rng)
    assert set(np.unique(pm1)) == {-1.0, 1.0} and np.mean(pm1 == 1.0) == pytest.approx(ln.units.sigmoid(1.0), abs=0.005)
    labels = ln.noise.get("categorical").sample(np.tile([0.0, 1.0, -1.0], (n, 1)), rng)
    np.testing.assert_allclose(np.bincount(labels) / n, ln.units.softmax(np.array([0.0, 1.0, -1.0])), atol=0.005)


def test_sample_rejects_unknown_parameters():
    with pytest.raises(TypeError, match="gaussian has no parameter"):
        ln.noise.get("gaussian").sample(np.zeros(3), 0, b=1.0)

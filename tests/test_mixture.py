"""The mixture density network: a stable NLL, a hand-written gradient that matches finite differences, training."""

import numpy as np
import pytest
from scipy.stats import norm

import lossnotes as ln
from lossnotes import mixture as mx


def _small(K=2, hidden=3, n=7, seed=0):
    rng = np.random.default_rng(seed)
    params = mx.init_params(K, hidden, rng=seed)
    for key in params:  # make every parameter matter, including the biases of the output heads
        params[key] = params[key] + 0.3 * rng.standard_normal(params[key].shape)
    x = rng.uniform(-1, 1, n)
    y = rng.uniform(-1, 1, n)
    return params, x, y


def test_nll_is_minus_log_of_the_mixture_density():
    params, x, y = _small(K=3, hidden=4, n=11)
    log_pi, mu, s = mx.forward(params, x)
    assert np.allclose(np.exp(log_pi).sum(axis=1), 1.0)
    density = np.sum(np.exp(log_pi) * norm.pdf(y[:, None], loc=mu, scale=np.exp(s)), axis=1)
    assert np.allclose(mx.nll(params, x, y, reduction="none"), -np.log(density), rtol=1e-12)
    assert np.isclose(mx.nll(params, x, y), -np.mean(np.log(density)), rtol=1e-12)
    assert np.isclose(mx.nll(params, x, y, reduction="sum"), -np.sum(np.log(density)), rtol=1e-12)


def test_one_component_is_the_gaussian_nll():
    params, x, y = _small(K=1, hidden=3, n=9)
    _, mu, s = mx.forward(params, x)
    expected = ln.losses.gaussian_nll(y, mu[:, 0], var=np.exp(2 * s[:, 0]), reduction="none")
    assert np.allclose(mx.nll(params, x, y, reduction="none"), expected, rtol=1e-12)


def test_nll_stays_finite_far_from_every_component():
    params, x, _ = _small()
    y = np.full_like(x, 1e3)  # every component density underflows to 0 in float64
    value = mx.nll(params, x, y, reduction="none")
    assert np.all(np.isfinite(value)) and np.all(value > 1e4)


@pytest.mark.parametrize("K,hidden", [(1, 2), (2, 3), (3, 4)])
def test_gradient_matches_finite_differences(K, hidden):
    params, x, y = _small(K, hidden, seed=K)
    value, grads = mx.value_and_grad(params, x, y)
    assert np.isclose(value, mx.nll(params, x, y), rtol=1e-14)
    h = 1e-6
    for key in mx.KEYS:
        assert grads[key].shape == params[key].shape
        fd = np.zeros_like(params[key])
        for i in np.ndindex(params[key].shape):
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[key][i] += h
            down[key][i] -= h
            fd[i] = (mx.nll(up, x, y) - mx.nll(down, x, y)) / (2 * h)
        assert np.allclose(grads[key], fd, rtol=1e-6, atol=1e-8), key


def _inverse_problem(n, rng):
    y = rng.uniform(0, 1, n)
    x = y + 0.3 * np.sin(2 * np.pi * y) + rng.uniform(-0.1, 0.1, n)
    return x, y


def test_training_is_deterministic_and_beats_one_gaussian():
    rng = np.random.default_rng(5)
    x, y = _inverse_problem(400, rng)
    xt, yt = _inverse_problem(400, rng)
    fit3 = mx.train(x, y, K=3, hidden=10, steps=800, lr=0.01, seed=0)
    again = mx.train(x, y, K=3, hidden=10, steps=800, lr=0.01, seed=0)
    assert all(np.array_equal(fit3.params[k], again.params[k]) for k in mx.KEYS)
    assert fit3.history[-1] < fit3.history[0] - 1.0
    fit1 = mx.train(x, y, K=1, hidden=10, steps=800, lr=0.01, seed=0)
    assert fit3.nll(xt, yt) < fit1.nll(xt, yt) - 0.3
    # the predictive density integrates to 1 and samples come from the right range
    grid = np.linspace(-1, 2, 3001)
    dens = fit3.density(np.array([0.2, 0.5, 0.8]), grid)
    assert np.allclose(dens.sum(axis=1) * (grid[1] - grid[0]), 1.0, atol=1e-3)
    draws = fit3.sample(np.full(2000, 0.5), rng=0)
    assert -0.3 < draws.min() and draws.max() < 1.3
    pi, mu, _ = fit3.mixture(np.array([0.5]))
    assert np.isclose(fit3.mean(np.array([0.5]))[0], np.sum(pi * mu))


def test_bad_input_is_refused():
    params, x, y = _small()
    with pytest.raises(ValueError, match="shape"):
        mx.nll(params, x, y[:-1])
    with pytest.raises(ValueError, match="1-D"):
        mx.nll(params, x[:, None], y[:, None])
    with pytest.raises(ValueError, match="missing"):
        mx.nll({"W1": params["W1"]}, x, y)
    with pytest.raises(ValueError, match="reduction"):
        mx.nll(params, x, y, reduction="max")
    with pytest.raises(ValueError, match="lr"):
        mx.train(x, y, lr=0.0)

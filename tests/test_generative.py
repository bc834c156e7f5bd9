"""lossnotes.generative: accuracy against mpmath, gradients against mpmath's derivative and finite differences,
the GAN and ELBO identities against independent quadrature and scipy, and bad input."""

import warnings

import mpmath as mp
import numpy as np
import pytest
import reference as R
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

import lossnotes as ln

G = ln.generative
GRID = R.extreme_grid()
finite = st.floats(allow_nan=False, allow_infinity=False)


def exact_loss(z, saturating):
    z = R.M(z)
    return R.to_float(-mp.log1p(mp.exp(z)) if saturating else mp.log1p(mp.exp(-z)))


def exact_grad(z, saturating):
    z = R.M(z)
    return R.to_float(-1 / (1 + mp.exp(-z)) if saturating else -1 / (1 + mp.exp(z)))


@pytest.mark.parametrize("saturating", [False, True])
def test_generator_loss_and_gradient_within_8_eps_of_mpmath(saturating):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or underflow warning anywhere in the float64 range
        got = G.generator_loss(GRID, saturating=saturating, reduction="none")
        grad = G.generator_loss_grad(GRID, saturating=saturating)
    for values, exact in (
        (got, [exact_loss(z, saturating) for z in GRID]),
        (grad, [exact_grad(z, saturating) for z in GRID]),
    ):
        exact = np.array(exact)
        normal = np.abs(exact) >= R.TINY  # where the exact value is representable to full relative precision
        assert np.all(np.isfinite(values))
        err = R.err_eps(values[normal], exact[normal])
        assert err.max() <= 8, f"{err.max():.1f} eps at z = {GRID[normal][np.argmax(err)]!r}"
        assert np.all(np.abs(values[~normal]) <= R.TINY)


@pytest.mark.parametrize("saturating", [False, True])
@settings(max_examples=150, deadline=None)
@given(z=finite)
def test_generator_loss_within_8_eps_for_any_finite_logit(saturating, z):
    exact = exact_loss(z, saturating)
    got = G.generator_loss(np.array([z]), saturating=saturating, reduction="none")[0]
    assert np.isfinite(got)
    if abs(exact) >= R.TINY:
        assert R.err_eps(got, exact) <= 8


@pytest.mark.parametrize("saturating", [False, True])
def test_gradient_matches_central_differences(saturating):
    z = np.linspace(-8, 8, 33)
    h = 1e-5
    fd = (
        G.generator_loss(z + h, saturating=saturating, reduction="none")
        - G.generator_loss(z - h, saturating=saturating, reduction="none")
    ) / (2 * h)
    assert np.allclose(G.generator_loss_grad(z, saturating=saturating), fd, rtol=1e-7, atol=1e-10)


def test_saturating_gradient_vanishes_where_the_discriminator_is_confident_and_the_other_does_not():
    z = np.array([-30.0, -10.0])  # D(G(z)) = sigmoid(z): below 5e-5
    assert np.all(np.abs(G.generator_loss_grad(z, saturating=True)) < 5e-5)
    assert np.all(np.abs(G.generator_loss_grad(z)) > 1 - 5e-5)


def test_non_saturating_loss_is_binary_cross_entropy_with_label_one_and_discriminator_loss_sums_two():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=7), rng.normal(size=5)
    bce = ln.losses.binary_cross_entropy
    assert G.generator_loss(fake) == pytest.approx(bce(np.ones(5), fake), rel=1e-15)
    assert -G.generator_loss(fake, saturating=True) == pytest.approx(bce(np.zeros(5), fake), rel=1e-15)
    want = bce(np.ones(7), real) + bce(np.zeros(5), fake)
    assert G.discriminator_loss(real, fake) == pytest.approx(want, rel=1e-15)
    want_sum = bce(np.ones(7), real, reduction="sum") + bce(np.zeros(5), fake, reduction="sum")
    assert G.discriminator_loss(real, fake, reduction="sum") == pytest.approx(want_sum, rel=1e-15)


def _pair(shift=2.0, scale=1.0):
    x = np.linspace(-15, 17, 40001)
    return x, stats.norm.pdf(x), stats.norm.pdf(x, shift, scale), stats.norm(0, 1), stats.norm(shift, scale)


def _js_quad(a, b):
    def term(f, g):
        return lambda t: f.pdf(t) * np.log(2 * f.pdf(t) / (f.pdf(t) + g.pdf(t))) if f.pdf(t) > 0 else 0.0

    kl_a = integrate.quad(term(a, b), -40, 40, limit=200, points=[0, 2])[0]
    kl_b = integrate.quad(term(b, a), -40, 40, limit=200, points=[0, 2])[0]
    return 0.5 * (kl_a + kl_b)


@pytest.mark.parametrize("shift,scale", [(2.0, 1.0), (0.5, 2.0), (0.0, 1.0)])
def test_js_and_value_at_the_optimal_discriminator_match_adaptive_quadrature(shift, scale):
    x, p, q, a, b = _pair(shift, scale)
    js = G.js_divergence(p, q, x)
    assert js == pytest.approx(_js_quad(a, b), abs=1e-7)
    assert G.gan_value(p, q, x) == pytest.approx(2 * js - np.log(4), abs=1e-9)
    d_star = G.optimal_discriminator(p, q)
    assert G.gan_value(p, q, x, d_star) == pytest.approx(G.gan_value(p, q, x), abs=1e-9)


def test_optimal_discriminator_beats_every_other_and_a_coin_gives_minus_log_4():
    x, p, q, *_ = _pair(1.0, 1.5)
    best = G.gan_value(p, q, x)
    assert G.gan_value(p, q, x, np.full_like(x, 0.5)) == pytest.approx(-np.log(4), abs=1e-9)
    d_star = G.optimal_discriminator(p, q)
    rng = np.random.default_rng(1)
    for _ in range(5):
        d = np.clip(d_star + rng.normal(0, 0.05, size=x.shape), 1e-9, 1 - 1e-9)
        assert G.gan_value(p, q, x, d) < best


def test_js_of_disjoint_supports_is_log_2_wherever_they_are():
    x = np.linspace(-1, 11, 120001)
    p = np.where((x >= 0) & (x <= 1), 1.0, 0.0)
    for shift in (2.0, 5.0, 9.0):
        q = np.where((x >= shift) & (x <= shift + 1), 1.0, 0.0)
        p_n, q_n = p / integrate.trapezoid(p, x), q / integrate.trapezoid(q, x)
        assert G.js_divergence(p_n, q_n, x) == pytest.approx(np.log(2), abs=1e-12)
    assert G.js_divergence(p / integrate.trapezoid(p, x), p / integrate.trapezoid(p, x), x) == pytest.approx(
        0.0, abs=1e-12
    )


def test_elbo_is_scipy_log_likelihood_minus_the_closed_form_kl():
    rng = np.random.default_rng(2)
    x, x_mean = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    z_mean, z_var = rng.normal(size=(4, 2)), rng.uniform(0.1, 3, size=(4, 2))
    v = 0.7
    recon = stats.norm.logpdf(x, x_mean, np.sqrt(v)).sum(-1)
    kl = 0.5 * (z_var + z_mean**2 - 1 - np.log(z_var)).sum(-1)
    assert np.allclose(G.elbo_gaussian(x, x_mean, z_mean, z_var, noise_var=v), recon - kl, rtol=1e-13)


def test_expected_elbo_bounds_the_exact_marginal_and_the_gap_is_the_posterior_kl():
    """One latent, one observation: x = w z + noise; the ELBO averaged over q (by Gauss–Hermite) plus the KL from
    q to the exact posterior is log p(x), for any q."""
    w, v, x = 1.7, 0.3, np.array([0.9])
    post_var = 1 / (1 + w * w / v)
    post_mean = post_var * w * x[0] / v
    log_px = stats.norm.logpdf(x[0], 0, np.sqrt(w * w + v))
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)
    for m, s2 in ((0.0, 1.0), (post_mean, post_var), (1.5, 0.05)):
        z = m + np.sqrt(s2) * nodes
        elbos = G.elbo_gaussian(
            np.full((40, 1), x[0]), w * z[:, None], np.full((40, 1), m), np.full((40, 1), s2), noise_var=v
        )
        elbo = weights @ elbos / weights.sum()
        gap = 0.5 * (s2 / post_var - 1 - np.log(s2 / post_var) + (m - post_mean) ** 2 / post_var)
        assert elbo <= log_px + 1e-12
        assert elbo + gap == pytest.approx(log_px, abs=1e-10)


def test_tweedie_gives_the_gaussian_posterior_mean():
    # x ~ N(mu, tau^2), noisy = x + sigma eps: the noisy density is N(mu, tau^2 + sigma^2)
    mu, tau, sigma = 1.5, 0.8, 0.6
    noisy = np.linspace(-3, 5, 9)
    score = -(noisy - mu) / (tau**2 + sigma**2)
    posterior_mean = (tau**2 * noisy + sigma**2 * mu) / (tau**2 + sigma**2)
    assert np.allclose(G.tweedie_denoiser(noisy, score, sigma), posterior_mean, rtol=1e-14, atol=1e-15)


BAD = [
    (lambda: G.generator_loss([0.0, np.nan]), ValueError, r"logit must be finite, got logit\[1\] = nan"),
    (lambda: G.generator_loss([0.0], saturating="yes"), TypeError, "saturating must be True or False"),
    (lambda: G.generator_loss([0.0], reduction="avg"), ValueError, "reduction must be one of"),
    (lambda: G.generator_loss_grad(["a"]), TypeError, "logit must be an array of real numbers"),
    (lambda: G.discriminator_loss([1.0], [np.inf]), ValueError, "fake_logit must be finite"),
    (lambda: G.discriminator_loss([], [1.0]), ValueError, "real_logit is empty"),
    (lambda: G.discriminator_loss([1.0], [1.0], reduction="none"), ValueError, "no elementwise loss"),
    (lambda: G.optimal_discriminator([0.1, -0.2], [0.1, 0.1]), ValueError, r"p must be a density, >= 0, got p\[1\]"),
    (lambda: G.optimal_discriminator([0.1, 0.2], [0.1]), ValueError, "p has shape .2,. but q has shape .1,."),
    (lambda: G.optimal_discriminator([0.0, 0.2], [0.0, 0.1]), ValueError, "both 0 at index .0,."),
    (lambda: G.js_divergence([1, 1], [1, 1], [0, 0.5]), ValueError, "p integrates to 0.5 on x, not 1"),
    (lambda: G.js_divergence([1, 1], [1, 1], [1, 0]), ValueError, "x must be strictly increasing"),
    (lambda: G.js_divergence([1, 1, 1], [1, 1, 1], [0, 1]), ValueError, "densities at the grid x"),
    (lambda: G.gan_value([1, 1], [1, 1], [0, 1], d=[0.5, 1.5]), ValueError, r"d must be probabilities in \[0, 1\]"),
    (lambda: G.elbo_gaussian(np.ones((2, 3)), np.ones((3, 2)), np.ones((2, 1)), np.ones((2, 1))), ValueError, "x_mean"),
    (
        lambda: G.elbo_gaussian(np.ones((2, 3)), np.ones((2, 3)), np.ones((3, 1)), np.ones((3, 1))),
        ValueError,
        "one latent per data point",
    ),
    (
        lambda: G.elbo_gaussian(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 1)), -np.ones((2, 1))),
        ValueError,
        "var must be > 0",
    ),
    (
        lambda: G.elbo_gaussian(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 1)), np.ones((2, 1)), noise_var=0),
        ValueError,
        "var must be > 0",
    ),
    (lambda: G.tweedie_denoiser([1.0, 2.0], [0.1], 1.0), ValueError, "score has shape"),
    (lambda: G.tweedie_denoiser([1.0], [0.1], 0.0), ValueError, "sigma must be > 0"),
]


@pytest.mark.parametrize("call,error,message", BAD)
def test_bad_input_names_the_argument_and_the_reason(call, error, message):
    with pytest.raises(error, match=message):
        call()

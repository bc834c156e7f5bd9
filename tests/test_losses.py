"""Losses: accuracy against mpmath over the float64 range, equality with scipy's log-densities, gradients against
finite differences, reductions, and the minimisers they imply."""

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
REGISTRY = list(L.LOSSES.values())


def test_every_loss_is_measured_against_mpmath():
    """A registered loss with no 60-digit reference, or whose Accuracy promises a gradient that has none, fails."""
    assert set(R.VALUES) == set(L.LOSSES), sorted(set(L.LOSSES) ^ set(R.VALUES))
    promised = {name for name, loss in L.LOSSES.items() if loss.accuracy.grad}
    assert set(R.GRADIENTS) == promised, sorted(promised ^ set(R.GRADIENTS))
    for loss in REGISTRY:
        assert loss.accuracy.grid, loss.name
        for params in loss.accuracy.grid:
            assert set(params) <= set(loss.params), (loss.name, params)


def accuracy_cases(kind):
    """(loss, params) for every loss and every parameter setting its Accuracy section names."""
    table = R.VALUES if kind == "value" else R.GRADIENTS
    return [(loss, params) for loss in REGISTRY if loss.name in table for params in loss.accuracy.grid]


def _ids(cases):
    return [f"{loss.name}-{params}" for loss, params in cases]


def _measure(computed, y, pred, params, ref):
    """Worst error in eps of an elementwise result (rows for cross_entropy) against the mpmath reference."""
    worst, where = 0.0, None
    for i in range(len(y)):
        exact = ref(y[i], pred[i], **params)
        exact, scale = exact if isinstance(exact, tuple) else (exact, None)
        finite = np.isfinite(exact)
        assert np.all(np.isfinite(computed[i])[finite]), f"({y[i]!r}, {pred[i]!r}) gave {computed[i]}, exact {exact!r}"
        e = float(np.max(R.err_eps(computed[i], exact, scale)))
        if e > worst:
            worst, where = e, (y[i], pred[i], computed[i], exact)
    return worst, where


VALUE_CASES = accuracy_cases("value")


@pytest.mark.parametrize("loss, params", VALUE_CASES, ids=_ids(VALUE_CASES))
def test_value_within_its_bound_of_mpmath_on_the_extreme_grid(loss, params):
    y, pred = R.grid(loss.target.name)
    worst, where = _measure(loss(y, pred, reduction="none", **params), y, pred, params, R.VALUES[loss.name])
    assert worst <= loss.accuracy.bound_for(params), (
        f"{loss.name} {params}: {worst:.1f} eps at y, pred = {where[:2]} (got {where[2]!r}, exact {where[3]!r})"
    )


GRAD_CASES_MP = accuracy_cases("grad")


@pytest.mark.parametrize("loss, params", GRAD_CASES_MP, ids=_ids(GRAD_CASES_MP))
def test_gradient_within_its_bound_of_mpmath_on_the_extreme_grid(loss, params):
    y, pred = R.grid(loss.target.name)
    worst, where = _measure(loss.grad(y, pred, **params), y, pred, params, R.GRADIENTS[loss.name])
    assert worst <= loss.accuracy.bound_for(params), (
        f"{loss.name}.grad {params}: {worst:.1f} eps at y, pred = {where[:2]} (got {where[2]!r}, exact {where[3]!r})"
    )


def test_the_accuracy_measure_can_fail():
    """The textbook log(cosh r) loses a residual of 1e-8 entirely and overflows at 1e5: the measure sees both."""
    y, pred = np.zeros(2), np.array([1e-8, 1e5])
    with np.errstate(all="ignore"):
        naive = np.log(np.cosh(pred))
    assert _measure(naive[:1], y[:1], pred[:1], {}, R.VALUES["log_cosh"])[0] > 1e6
    with pytest.raises(AssertionError, match="exact"):
        _measure(naive[1:], y[1:], pred[1:], {}, R.VALUES["log_cosh"])
    assert _measure(L.log_cosh(y, pred, reduction="none"), y, pred, {}, R.VALUES["log_cosh"])[0] <= 8


def test_cross_entropy_probability_targets_take_the_label_path_bits():
    y, z = R.grid("class")
    np.testing.assert_array_equal(
        L.cross_entropy(np.eye(3)[y], z, reduction="none"), L.cross_entropy(y, z, reduction="none")
    )


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


# ------------------------------------------------------------------ gradients, from the registry
def settings_of(loss):
    """The defaults and every parameter setting the loss's Accuracy section names."""
    return [dict(loss.params)] + [p for p in loss.accuracy.grid if p and p != {k: loss.params[k] for k in p}]


FD_CASES = [(loss, {**loss.params, **p}) for loss in REGISTRY for p in settings_of(loss)]


def _inputs(loss, rng, n):
    y = R.sample(loss.target.name, rng, n)
    pred = rng.normal(scale=2, size=(n, 4) if loss.row_logits else n)
    return y, pred


def _central_difference(fn, pred, h):
    """Elementwise central differences of fn (one value per element, or per row for logits)."""
    if pred.ndim == 1:
        return (fn(pred + h) - fn(pred - h)) / (2 * h)
    fd = np.zeros_like(pred)
    for k in range(pred.shape[1]):
        e = np.zeros(pred.shape[1])
        e[k] = h
        fd[:, k] = (fn(pred + e) - fn(pred - e)) / (2 * h)
    return fd


@pytest.mark.parametrize("loss, params", FD_CASES, ids=_ids(FD_CASES))
def test_gradient_matches_central_differences(loss, params, rng):
    y, pred = _inputs(loss, rng, 400)
    params = {k: v for k, v in params.items() if v is not None}
    fd = _central_difference(lambda p: loss(y, p, reduction="none", **params), pred, 1e-6)
    # away from kinks (|r| = delta, r = 0, margin = 1) the central difference is exact to O(h^2)
    np.testing.assert_allclose(loss.grad(y, pred, **params), fd, rtol=1e-6, atol=1e-7)


HESS_CASES = [(loss, params) for loss, params in FD_CASES if loss.has_hess]


@pytest.mark.parametrize("loss, params", HESS_CASES, ids=_ids(HESS_CASES))
def test_hessians_match_differences_of_the_gradient(loss, params, rng):
    y, pred = _inputs(loss, rng, 200)
    fd = _central_difference(lambda p: loss.grad(y, p, **params), pred, 1e-6)
    np.testing.assert_allclose(loss.hess(y, pred, **params), fd, rtol=1e-6, atol=1e-8)


def test_losses_without_a_second_derivative_say_so():
    flat = [loss for loss in REGISTRY if not loss.has_hess]
    assert {loss.name for loss in flat} >= {"mae", "pinball", "hinge"}
    for loss in flat:
        with pytest.raises(NotImplementedError, match=loss.name):
            loss.hess(np.ones(2), np.zeros(2))


# ------------------------------------------------------------------ reductions
@pytest.mark.parametrize("loss, params", FD_CASES, ids=_ids(FD_CASES))
def test_reductions_and_value_and_grad(loss, params, rng):
    if loss.row_logits:
        y, p = R.sample("class", rng, 6, k=3), rng.normal(size=(6, 3))
    else:
        y, p = R.sample(loss.target.name, rng, 12).reshape(3, 4), rng.normal(size=(3, 4))
    params = {k: v for k, v in params.items() if v is not None}
    none = loss(y, p, reduction="none", **params)
    assert none.shape == y.shape
    assert loss(y, p, reduction="sum", **params) == pytest.approx(none.sum(), rel=1e-15)
    assert loss(y, p, **params) == pytest.approx(none.mean(), rel=1e-15)
    assert loss.grad(y, p, **params).shape == p.shape
    v, g = loss.value_and_grad(y, p, **params)
    assert v == pytest.approx(none.mean(), rel=1e-15)
    np.testing.assert_allclose(g, loss.grad(y, p, **params) / none.size)


def test_no_warnings_on_extreme_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for loss, params in VALUE_CASES:
            y, pred = R.grid(loss.target.name)
            loss(y, pred, reduction="none", **params)
            loss.grad(y, pred, **params)
            loss.value_and_grad(y, pred, **params)
            if loss.has_hess:
                loss.hess(y, pred, **params)
        assert L.poisson_nll.hess([1.0], [1000.0])[0] == np.inf  # silent, like .grad


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


# ------------------------------------------------------------------ relations between losses
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
        assert f"\n{section}\n{'-' * len(section)}\n" in doc, (loss.name, section)
    for name in loss.params:
        assert f"\n{name} : " in doc, (loss.name, name)
    # the accuracy the docstring promises is the record the accuracy tests measure
    promised = " ".join(doc.split("Accuracy\n--------\n")[1].split("\n\nReferences")[0].split())
    assert promised == loss.accuracy.sentence(loss.target), loss.name
    assert "eps" in promised
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
    class Linear(type(L.mse)):  # a loss of its own, not registered
        name = "linear"

        def _value(self, y, pred):
            return pred.copy()

        def _grad(self, y, pred):
            return pred  # the input itself

    pred = np.array([1.0, 2.0, 3.0, 4.0])
    v, g = Linear().value_and_grad(np.zeros(4), pred)
    np.testing.assert_array_equal(pred, [1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(g, [0.25, 0.5, 0.75, 1.0])

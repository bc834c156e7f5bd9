"""The derivations: every registry model's NLL equals its loss up to a positive scale and a constant, and the
check refuses what is not."""

import numpy as np
import pytest
import sympy as sp

import lossnotes as ln
from lossnotes import losses as L
from lossnotes.noise import f, y

MODELS = list(ln.noise.MODELS.values())


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_every_model_checks_against_its_loss(model):
    res = ln.symbolic.check(model, model.loss)
    assert res.value_error < 1e-12 and res.grad_error < 1e-12
    assert all(d["scale"] > 0 for d in res.draws)
    assert model.loss.name in str(res)


def test_scales_and_constants_are_the_textbook_ones():
    res = ln.symbolic.check(ln.noise.get("gaussian"), L.mse)
    for d in res.draws:  # mse = 2 sigma^2 * NLL - sigma^2 log(2 pi sigma^2)
        s2 = d["params"]["sigma"] ** 2
        assert d["scale"] == pytest.approx(2 * s2, rel=1e-9)
        assert d["constant"] == pytest.approx(-s2 * np.log(2 * np.pi * s2), rel=1e-9)
    res = ln.symbolic.check(ln.noise.get("laplace"), L.mae)
    for d in res.draws:  # mae = b * NLL - b log(2b)
        b = d["params"]["b"]
        assert d["scale"] == pytest.approx(b, rel=1e-9)
        assert d["constant"] == pytest.approx(-b * np.log(2 * b), rel=1e-9)
    res = ln.symbolic.check(ln.noise.get("poisson"), L.poisson_nll)
    assert res.draws[0]["scale"] == pytest.approx(1.0) and res.draws[0]["constant"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    "model, loss",
    [
        ("laplace", L.mse),
        ("gaussian", L.mae),
        ("gaussian", L.log_cosh),
        ("huber", L.mse),
        ("cauchy", L.mse),
        ("hyperbolic_secant", L.huber),
        ("heteroscedastic_gaussian", L.mae),
        ("asymmetric_laplace", L.mae),  # right only at tau = 1/2: the default draw passes, the others must not
    ],
)
def test_wrong_pairings_are_refused(model, loss):
    with pytest.raises(AssertionError, match="not a positive multiple of the NLL"):
        ln.symbolic.check(ln.noise.get(model), loss)


def test_a_loss_with_the_wrong_sign_is_refused():
    neg = L.Loss("negated_mse", L.mse.prepare, lambda y, p: -L.mse.value(y, p), lambda y, p: -L.mse.derivative(y, p))
    with pytest.raises(AssertionError, match="a = -2 is not positive"):
        ln.symbolic.check(ln.noise.get("gaussian"), neg)


def test_a_wrong_gradient_is_caught_even_when_the_value_is_right():
    bad = L.Loss("mse_bad_grad", L.mse.prepare, L.mse.value, lambda y, p: p - y)  # half the true gradient
    with pytest.raises(AssertionError, match="grad disagrees"):
        ln.symbolic.check(ln.noise.get("gaussian"), bad)


def test_nll_loss_from_and_gradient_of_the_gaussian():
    sigma = ln.noise.get("gaussian").symbols["sigma"]
    nll = ln.symbolic.nll(ln.noise.get("gaussian"))
    assert sp.simplify(nll - ((y - f) ** 2 / (2 * sigma**2) + sp.log(sigma) + sp.log(2 * sp.pi) / 2)) == 0
    assert sp.simplify(ln.symbolic.loss_from(ln.noise.get("gaussian")) - (y - f) ** 2 / (2 * sigma**2)) == 0
    assert sp.simplify(ln.symbolic.gradient(ln.noise.get("gaussian")) - (f - y) / sigma**2) == 0


def test_loss_from_keeps_a_piecewise_loss_continuous():
    loss = ln.symbolic.loss_from(ln.noise.get("huber"))
    delta = ln.noise.get("huber").symbols["delta"]
    at = {y: 0, f: 2, delta: 2}
    left = loss.subs({y: 0, f: 2 - sp.Rational(1, 10**9), delta: 2})
    assert abs(float(loss.subs(at)) - float(left)) < 1e-8
    # and it is the Huber loss itself: r^2/2 inside, delta(|r| - delta/2) outside
    assert float(loss.subs({y: 0, f: 5, delta: 2})) == pytest.approx(2 * (5 - 1))


def test_categorical_gradient_is_p_minus_y():
    m = ln.noise.get("categorical")
    grads = ln.symbolic.gradient(m)
    z = np.array([0.3, -1.2, 2.0])
    subs = {**dict(zip(m.pred, z, strict=True)), **dict(zip(m.target, [0, 1, 0], strict=True))}
    got = np.array([float(g.subs(subs)) for g in grads])
    np.testing.assert_allclose(got, ln.units.softmax(z) - [0, 1, 0], rtol=1e-12)


def test_check_on_an_expression_with_a_y_dependent_offset():
    # loss_from drops log(y!), which poisson_nll keeps: the offset is reported as a function of y
    res = ln.symbolic.check(
        ln.symbolic.loss_from(ln.noise.get("poisson")),
        L.poisson_nll,
        y=[0.0, 1.0, 2.0, 7.0],
        pred=[0.1, -0.3, 0.8, 2.0],
    )
    assert res.draws[0]["scale"] == pytest.approx(1.0) and res.draws[0]["constant"] is None
    res = ln.symbolic.check((f - y) ** 2, L.mse)
    assert res.draws[0]["scale"] == pytest.approx(1.0) and res.draws[0]["constant"] == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(AssertionError):
        ln.symbolic.check(sp.Abs(f - y), L.mse)
    with pytest.raises(ValueError, match=r"symbols \['k'\] with no value"):
        ln.symbolic.check(sp.Symbol("k", positive=True) * (f - y) ** 2, L.mse)

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
    class NegatedMSE(type(L.mse)):
        name = "negated_mse"

        def _value(self, y, p):
            return -super()._value(y, p)

        def _grad(self, y, p):
            return -super()._grad(y, p)

    neg = NegatedMSE()
    with pytest.raises(AssertionError, match="a = -2 is not positive"):
        ln.symbolic.check(ln.noise.get("gaussian"), neg)


def test_a_wrong_gradient_is_caught_even_when_the_value_is_right():
    class HalfGradMSE(type(L.mse)):
        name = "mse_bad_grad"

        def _grad(self, y, p):
            return p - y  # half the true gradient

    bad = HalfGradMSE()
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


# ------------------------------------------------------------------ every piecewise construct SymPy allows
LABELS = np.random.default_rng(3).choice([-1.0, 1.0], size=300)
SCORES = np.random.default_rng(4).normal(0.0, 2.0, size=300)


@pytest.mark.parametrize(
    "expr, loss",
    [
        (sp.Max(0, 1 - y * f), L.hinge),
        (sp.Piecewise((1 - y * f, y * f < 1), (0, True)), L.hinge),
        (-sp.Min(0, y * f - 1), L.hinge),
        ((1 - y * f) * sp.Heaviside(1 - y * f), L.hinge),
        (sp.Max(0, 1 - y * f) ** 2, L.squared_hinge),
        (sp.Piecewise(((1 - y * f) ** 2, y * f < 1), (0, True)), L.squared_hinge),
        ((1 - y * f) * (1 + sp.sign(1 - y * f)) / 2, L.hinge),
    ],
    ids=["Max", "Piecewise", "Min", "Heaviside", "Max-squared", "Piecewise-squared", "sign"],
)
def test_check_evaluates_piecewise_constructs_on_arrays(expr, loss):
    res = ln.symbolic.check(expr, loss, y=LABELS, pred=SCORES)
    assert res.draws[0]["scale"] == pytest.approx(1.0, rel=1e-12)
    assert res.draws[0]["constant"] == pytest.approx(0.0, abs=1e-12)
    assert res.value_error < 1e-12 and res.grad_error < 1e-12


def test_check_with_max_refuses_a_wrong_pairing_and_a_wrong_gradient():
    # a hinge at margin 2 is not the hinge at margin 1
    with pytest.raises(AssertionError, match="not a positive multiple of the NLL"):
        ln.symbolic.check(sp.Max(0, 2 - y * f), L.hinge, y=LABELS, pred=SCORES)

    class HingeWrongGrad(type(L.hinge)):
        name = "hinge_wrong_grad"

        def _grad(self, y, s):
            return np.where(y * s < 1.0, -2.0 * y, 0.0)  # twice the true slope

    with pytest.raises(AssertionError, match="grad disagrees"):
        ln.symbolic.check(sp.Max(0, 1 - y * f), HingeWrongGrad(), y=LABELS, pred=SCORES)


def test_check_refuses_the_normalised_hinge_density():
    # exp(-hinge) normalised over y in {-1, +1} adds a term in f: its NLL is a different loss (chapter 6)
    nll_forced = sp.Max(0, 1 - y * f) + sp.log(sp.exp(-sp.Max(0, 1 - f)) + sp.exp(-sp.Max(0, 1 + f)))
    with pytest.raises(AssertionError, match="not a positive multiple"):
        ln.symbolic.check(nll_forced, L.hinge, y=LABELS, pred=SCORES)


def test_sentence_is_one_portable_line():
    s = ln.symbolic.check(ln.noise.get("gaussian"), L.mse).sentence()
    assert s == (
        "mse = a·NLL[gaussian] + c (a > 0 set by the parameters): values and gradients agree to rounding "
        "at 4 parameter draws (worst relative error below 1e-12)."
    )
    s = ln.symbolic.check(ln.noise.get("poisson"), L.poisson_nll).sentence()
    assert s.startswith("poisson_nll = NLL[poisson] + c: ") and "\n" not in s
    s = ln.symbolic.check((f - y) ** 2 / 2, L.mse).sentence()
    assert s.startswith("mse = 2·NLL[expression] + c: values and gradients agree to rounding on 200 sampled points")


def test_sentence_states_the_tolerance_when_the_error_is_above_rounding():
    res = ln.symbolic.CheckResult("x", "m", [{"params": {}, "scale": 1.0, "constant": 0.0}], 3e-11, 1e-13, 10, 1e-9)
    assert res.sentence().endswith(
        "agree within the tolerance on 10 sampled points (worst relative error below 1e-09)."
    )


def test_latex_writes_densities_as_a_textbook_does():
    gauss = ln.noise.get("gaussian")
    assert ln.symbolic.latex(gauss) == (
        r"\frac{1}{\sigma \sqrt{2 \pi}} e^{- \frac{\left(y - f\right)^{2}}{2 \sigma^{2}}}"
    )
    assert ln.symbolic.latex(ln.symbolic.loss_from(gauss)) == r"\frac{\left(y - f\right)^{2}}{2 \sigma^{2}}"
    assert ln.symbolic.latex(ln.symbolic.loss_from(ln.noise.get("laplace"))) == r"\frac{\left|{y - f}\right|}{b}"
    assert ln.symbolic.latex(ln.symbolic.loss_from(ln.noise.get("poisson"))) == r"e^{f} - f y"
    assert "y - f" in ln.symbolic.latex(ln.noise.get("hyperbolic_secant"))
    # only the printing changes: the expression the check runs on is SymPy's own
    assert sp.latex(gauss.density) != ln.symbolic.latex(gauss.density)
    assert ln.symbolic.latex(sp.Symbol("x") - 1) == "x - 1"
    r = sp.Symbol("r")
    assert ln.symbolic.latex(sp.series(sp.log(sp.cosh(r)), r, 0, 6)) == sp.latex(sp.series(sp.log(sp.cosh(r)), r, 0, 6))

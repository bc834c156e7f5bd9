"""Output units: accuracy against mpmath over the whole float64 range, agreement with scipy, no warnings."""

import itertools
import warnings

import numpy as np
import pytest
import reference as R
import scipy.special as sc
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import lossnotes as ln

GRID = R.extreme_grid()
ROW_VALUES = [-R.MAX, -1e300, -800.0, -40.0, -1.0, 0.0, 1e-8, 0.1, 1.0, 40.0, 700.3, 1e300, R.MAX]
ROWS = np.array(list(itertools.product(ROW_VALUES, repeat=3)))
finite = st.floats(allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("name", ["sigmoid", "softplus", "log_sigmoid"])
def test_scalar_units_within_8_eps_of_mpmath_on_extreme_grid(name):
    exact = np.array([getattr(R, name)(z) for z in GRID])
    got = getattr(ln.units, name)(GRID)
    assert np.all(np.isfinite(got))
    err = R.err_eps(got, exact)
    assert err.max() <= 8, f"{name}: {err.max():.1f} eps at z = {GRID[np.argmax(err)]!r}"


@pytest.mark.parametrize("name", ["sigmoid", "softplus", "log_sigmoid"])
@settings(max_examples=150, deadline=None)
@given(z=finite)
def test_scalar_units_within_8_eps_for_any_finite_input(name, z):
    got = getattr(ln.units, name)(np.array([z]))[0]
    assert np.isfinite(got)
    assert R.err_eps(got, getattr(R, name)(z)) <= 8


def test_softmax_family_within_8_eps_on_extreme_rows():
    sm, lsm, lse = ln.units.softmax(ROWS), ln.units.log_softmax(ROWS), ln.units.logsumexp(ROWS)
    assert np.all(np.isfinite(sm)) and not np.any(np.isnan(lsm)) and np.all(np.isfinite(lse))
    worst = {"softmax": 0.0, "log_softmax": 0.0, "logsumexp": 0.0}
    for i, row in enumerate(ROWS):
        worst["softmax"] = max(worst["softmax"], R.err_eps(sm[i], R.softmax(row)).max())
        worst["log_softmax"] = max(worst["log_softmax"], R.err_eps(lsm[i], R.log_softmax(row)).max())
        v, scale = R.logsumexp(row)
        worst["logsumexp"] = max(worst["logsumexp"], float(R.err_eps(lse[i], v, scale)))
    assert max(worst.values()) <= 8, worst


@settings(max_examples=100, deadline=None)
@given(z=hnp.arrays(np.float64, st.integers(1, 6), elements=finite))
def test_softmax_family_within_8_eps_for_any_finite_vector(z):
    p = ln.units.softmax(z)
    assert np.all(np.isfinite(p)) and abs(p.sum() - 1) <= 8 * R.EPS * len(z)
    assert R.err_eps(p, R.softmax(z)).max() <= 8
    assert R.err_eps(ln.units.log_softmax(z), R.log_softmax(z)).max() <= 8
    v, scale = R.logsumexp(z)
    assert R.err_eps(ln.units.logsumexp(z), v, scale) <= 8


def test_named_extremes():
    assert ln.units.log_sigmoid(-1000.0) == -1000.0
    assert ln.units.softplus(1000.0) == 1000.0
    assert ln.units.sigmoid(-1000.0) == 0.0 and ln.units.sigmoid(1000.0) == 1.0
    p = ln.units.softmax(np.array([1000.0, 0.0]))
    assert not np.any(np.isnan(p)) and p[0] == 1.0 and 0 < p[1] < 1e-300 or p[1] == 0.0
    # logits 1000 apart: the small probability is exp(-1000) = 0 in float64, its log is exact
    assert ln.units.log_softmax(np.array([1000.0, 0.0]))[1] == -1000.0
    assert ln.units.logsumexp(np.array([R.MAX, R.MAX])) == R.MAX


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (ln.units.sigmoid, sc.expit),
        (ln.units.log_sigmoid, sc.log_expit),
        (ln.units.softplus, lambda z: np.logaddexp(0.0, z)),
    ],
)
def test_scalar_units_agree_with_scipy(ours, theirs, rng):
    z = np.concatenate([rng.normal(0, 5, 1000), rng.normal(0, 300, 1000)])
    # scipy's expit flushes results below ~1e-308 to 0; ours keeps the subnormals (checked against mpmath above)
    np.testing.assert_allclose(ours(z), theirs(z), rtol=4 * R.EPS, atol=1e-300)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_family_agrees_with_scipy(axis, rng):
    z = rng.normal(0, 10, (50, 7))
    np.testing.assert_allclose(ln.units.softmax(z, axis=axis), sc.softmax(z, axis=axis), rtol=1e-14)
    # scipy forms log(1 + tiny) for the largest entry, an absolute error of ~eps there; ours uses log1p
    np.testing.assert_allclose(ln.units.log_softmax(z, axis=axis), sc.log_softmax(z, axis=axis), rtol=1e-13, atol=4e-16)
    np.testing.assert_allclose(ln.units.logsumexp(z, axis=axis), sc.logsumexp(z, axis=axis), rtol=1e-14)


def test_softmax_is_shift_invariant(rng):
    z = rng.normal(size=(20, 5))
    for c in (-1e6, -3.0, 0.5, 1e6):
        np.testing.assert_allclose(ln.units.softmax(z + c), ln.units.softmax(z), rtol=1e-9)


def test_no_warnings_on_extreme_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn in (ln.units.sigmoid, ln.units.softplus, ln.units.log_sigmoid):
            fn(GRID)
        for fn in (ln.units.softmax, ln.units.log_softmax, ln.units.logsumexp):
            fn(ROWS)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: ln.units.sigmoid("abc"), TypeError, "z must be an array of real numbers"),
        (lambda: ln.units.softplus(np.array([1 + 2j])), TypeError, "z must be real"),
        (lambda: ln.units.softmax(3.0), ValueError, "at least one dimension"),
        (lambda: ln.units.softmax(np.zeros((2, 3)), axis=2), ValueError, "axis must be an integer in"),
        (lambda: ln.units.logsumexp(np.zeros((2, 0))), ValueError, "no entries along axis"),
        (lambda: ln.units.log_softmax([[1, 2], [3]]), TypeError, "z must be an array of real numbers"),
    ],
)
def test_units_reject_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()

"""lossnotes.grading: answers cross from the student's kernel to the grader as plain data, whatever their type
claims to be, and a SymPy expression is rebuilt without evaluating the text it arrives as."""

import os

import numpy as np
import pytest
import sympy as sp

from lossnotes import grading as g


class _Equal(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class _AnyDict(dict):
    def __eq__(self, other):
        return True

    __hash__ = None


class _Liar(str):
    def __eq__(self, other):
        return True

    def __str__(self):
        return "cauchy"

    __hash__ = str.__hash__


@pytest.mark.parametrize(
    "value",
    [1, -2.5, float("inf"), "laplace", None, True, (1, [2.0, "a"]), {"A": "gaussian"}, {1, 2}, np.float64(0.25)],
    ids=repr,
)
def test_plain_values_arrive_as_themselves(value):
    got = g.plain(value)
    assert got == value and type(got) in (type(value), float, bool)


def test_arrays_keep_dtype_shape_and_bits():
    a = np.array([[0.1, -0.0, np.nan], [5e-324, 1e308, -np.inf]])
    got = g.plain(a)
    assert got.dtype == a.dtype and got.shape == a.shape
    assert np.array_equal(got.view(np.uint64), a.view(np.uint64))
    assert g.plain(np.array([True, False])).dtype == bool
    assert g.plain(np.arange(3)).tolist() == [0, 1, 2]


def test_rigged_types_become_the_values_they_hold():
    assert type(g.plain(_Equal(0.9))) is float and g.plain(_Equal(0.9)) != 0.1
    rigged = g.plain(_AnyDict(A="gaussian"))
    assert type(rigged) is dict and rigged != {"A": "laplace"}
    liar = g.plain(_Liar("gaussian"))
    assert type(liar) is str and liar == "gaussian"  # its own characters, not what __str__ claims
    view = np.arange(3.0).view(type("Sub", (np.ndarray,), {"__eq__": lambda s, o: True}))
    assert type(g.plain(view)) is np.ndarray


def test_sympy_expressions_are_rebuilt_from_their_structure():
    z, tau = sp.Symbol("z", real=True), sp.Symbol("tau", positive=True)
    for e in [
        -sp.log(1 - tau) / sp.Symbol("lam", positive=True),
        sp.Piecewise((z, z > 0), (0, True)),
        sp.Max(0, 1 - z) ** 2,
        sp.Function("f")(z),
        sp.oo * sp.pi,
        sp.Rational(1, 3) + sp.Float(0.5),
    ]:
        got = g.plain(e)
        assert got == e and got.free_symbols == e.free_symbols


@pytest.mark.parametrize(
    "text",
    ['__import__("os").system("echo hacked")', 'Symbol("x").__class__', 'eval("1")', "(lambda: 1)()", "[].pop()"],
)
def test_text_that_is_not_sympy_is_refused_unevaluated(text):
    with pytest.raises(g.UnsupportedAnswer):
        g.decode({"t": "sympy", "v": text})


def test_functions_stay_functions_and_foreign_objects_are_refused():
    def f(x):
        return x

    assert g.plain(f) is f
    with pytest.raises(g.UnsupportedAnswer, match="type object"):
        g.encode(object())
    with pytest.raises(g.UnsupportedAnswer, match="complex"):
        g.encode(1j)


def test_references_see_through_helpers_and_closures():
    import lossnotes as ln

    helper = lambda v: ln.units.softplus(v)  # noqa: E731

    def uses_lossnotes(x):
        return helper(x)

    def numpy_only(x):
        return np.log1p(np.exp(x))

    assert any(m.startswith("lossnotes") for m in g.references(uses_lossnotes))
    assert not any(m.startswith("lossnotes") for m in g.references(numpy_only))


def test_a_renamed_notebook_finds_its_checks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert g.notebook_path("05_output_units") == "05_output_units.ipynb"  # nothing there: the expected name
    (tmp_path / "Copy of 05_output_units.ipynb").write_text("{}")
    assert g.notebook_path("05_output_units") == "Copy of 05_output_units.ipynb"
    (tmp_path / "05_output_units.ipynb").write_text("{}")
    assert g.notebook_path("05_output_units") == "05_output_units.ipynb"
    os.remove(tmp_path / "05_output_units.ipynb")
    (tmp_path / "05_output_units (1).ipynb").write_text("{}")
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "05_output_units (1).ipynb"))
    assert g.notebook_path("05_output_units").endswith("05_output_units (1).ipynb")  # two matches: Jupyter's path

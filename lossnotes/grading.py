"""What the graded exercises share: answers as plain data, the lossnotes rule, and the notebook's own name.

The course grades a submission in two processes (``exercises/grade.py``): the student's notebook runs in its own
kernel, and the hidden tests run in a grading process that the student's code never touches. Answers cross from
one to the other as data (:func:`encode` in the kernel, :func:`decode` in the grader), never as objects: a number
arrives as a ``float``, a dictionary as a ``dict`` of plain values, a SymPy expression rebuilt from its ``srepr``
by a parser that accepts only SymPy's own classes. A student's function stays in the kernel; the grader calls it
there with plain arguments and gets plain results back. So an answer whose type overrides ``__eq__``, a patched
``numpy.allclose`` or a patched Otter in the student's kernel changes nothing the grader compares.

Hidden tests use :func:`plain` to coerce an answer before comparing it (which also protects the tests where they
run inside the student's kernel, as with ``otter run`` and Gradescope), and :func:`references` for the rule that an
implement question's function is written with NumPy, not by calling lossnotes. :func:`notebook_path` lets a renamed
notebook ("Copy of ...", "... (1)") still find its public checks.
"""

from __future__ import annotations

import ast
import base64
import functools
import glob
import os
import sys
import types

import numpy as np

__all__ = ["encode", "decode", "plain", "references", "notebook_path", "UnsupportedAnswer"]

_NUMERIC = "biuf"  # array dtypes that travel as raw bytes: bool, signed and unsigned integers, floats


class UnsupportedAnswer(TypeError):
    """An answer that cannot travel as plain data (an object of a type the exercises never ask for)."""


def encode(x, _depth=0):
    """A JSON-ready description of ``x``, read through the base types' own methods (so that an answer whose type
    overrides ``__repr__``, ``__iter__`` or ``__float__`` is encoded as the value it holds)."""
    if _depth > 50:
        raise UnsupportedAnswer("an answer nested more than 50 levels deep")
    t = type(x)  # type(), unlike isinstance(), cannot be fooled by a __class__ property
    d = _depth + 1
    if x is None or t is bool:
        return {"t": "const", "v": x}
    if issubclass(t, bool | np.bool_):
        return {"t": "const", "v": bool(np.bool_(x))}
    if issubclass(t, int) and not issubclass(t, np.generic):
        return {"t": "int", "v": int.__repr__(x)}
    if issubclass(t, float) and not issubclass(t, np.generic):
        return {"t": "float", "v": float.__repr__(x)}
    if issubclass(t, str):
        return {"t": "str", "v": str.__str__(x)}
    if issubclass(t, np.generic | np.ndarray):
        a = np.array(x, copy=True, subok=False)
        if issubclass(t, np.generic) and a.dtype.kind in _NUMERIC:
            return encode(a.item(), d)  # a NumPy scalar travels as the Python number it holds
        if a.dtype.kind in _NUMERIC:
            a = np.ascontiguousarray(a)
            return {
                "t": "array",
                "dtype": a.dtype.str,
                "shape": list(a.shape),
                "b64": base64.b64encode(a.tobytes()).decode(),
            }
        if a.dtype.kind == "c":
            raise UnsupportedAnswer("a complex array")
        return {"t": "list", "v": [encode(v, d) for v in a.tolist()]}
    if issubclass(t, complex):
        raise UnsupportedAnswer("a complex number")
    if issubclass(t, dict):
        return {"t": "dict", "v": [[encode(k, d), encode(v, d)] for k, v in dict.items(x)]}
    if issubclass(t, list):
        return {"t": "list", "v": [encode(v, d) for v in list.__iter__(x)]}
    if issubclass(t, tuple):
        return {"t": "tuple", "v": [encode(v, d) for v in tuple.__iter__(x)]}
    if issubclass(t, set | frozenset):
        return {"t": "set", "v": [encode(v, d) for v in set(x)]}
    sp = sys.modules.get("sympy")  # a SymPy answer means SymPy is loaded; otherwise it is not imported here
    if sp is not None and issubclass(t, sp.Basic):
        return {"t": "sympy", "v": sp.srepr(x)}
    if callable(x):
        return {"t": "callable"}
    raise UnsupportedAnswer(f"an object of type {t.__name__}")


def decode(data):
    """The plain value that :func:`encode` described (a SymPy expression rebuilt by a parser that accepts only
    SymPy's classes and constants)."""
    t = data["t"]
    if t == "const":
        return data["v"]
    if t == "int":
        return int(data["v"])
    if t == "float":
        return float(data["v"])
    if t == "str":
        return str(data["v"])
    if t == "array":
        raw = base64.b64decode(data["b64"])
        return np.frombuffer(raw, dtype=np.dtype(data["dtype"])).reshape(data["shape"]).copy()
    if t == "list":
        return [decode(v) for v in data["v"]]
    if t == "tuple":
        return tuple(decode(v) for v in data["v"])
    if t == "set":
        return {decode(v) for v in data["v"]}
    if t == "dict":
        return {_hashable(decode(k)): decode(v) for k, v in data["v"]}
    if t == "sympy":
        return _safe_sympy(data["v"])
    raise UnsupportedAnswer(f"cannot rebuild an answer of kind {t!r}")


def _hashable(k):
    return tuple(k) if isinstance(k, list) else k


def plain(x):
    """``x`` as plain data: builtin numbers, strings and containers, NumPy arrays, SymPy expressions rebuilt from
    their structure; a function is returned as it is (it is called, not compared). Hidden tests compare
    ``plain(answer)``, never the answer object itself."""
    data = encode(x)
    return x if data["t"] == "callable" else decode(data)


@functools.lru_cache(maxsize=1)
def _sympy_names():
    """Every name a SymPy ``srepr`` may use: the classes derived from ``Basic`` (functions and ``ExprCondPair``
    included), the function-making helpers, and the constants (``oo``, ``pi``, ``true``, ...)."""
    import sympy as sp

    names, stack = {}, [sp.Basic]
    while stack:
        cls = stack.pop()
        names.setdefault(cls.__name__, cls)
        stack += cls.__subclasses__()
    for name in ("Function", "Symbol", "Dummy", "Wild", "Integer", "Rational", "Float", "Tuple"):
        names[name] = getattr(sp, name)
    constants = {n: getattr(sp, n) for n in dir(sp) if not n.startswith("_") and isinstance(getattr(sp, n), sp.Basic)}
    return {k: v for k, v in names.items() if not k.startswith("_")}, constants


def _safe_sympy(text: str):
    """Rebuild a SymPy expression from its ``srepr``, accepting only calls of SymPy's own classes with literal
    arguments and SymPy's constants: the text comes from the student's kernel and is never evaluated as code."""
    callables, constants = _sympy_names()
    tree = ast.parse(text, mode="eval")

    def build(node):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float, str, bool, type(None)):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -build(node.operand)
        if isinstance(node, ast.Tuple | ast.List):
            return tuple(build(e) for e in node.elts)
        if isinstance(node, ast.Name) and node.id in constants:
            return constants[node.id]
        if isinstance(node, ast.Call):
            head = node.func
            if isinstance(head, ast.Call):  # an undefined function applied: Function('f')(Symbol('x'))
                fn = build(head)
            elif isinstance(head, ast.Name) and head.id in callables:
                fn = callables[head.id]
            else:
                raise UnsupportedAnswer(f"a SymPy expression calling {ast.unparse(head)!r}, which is not SymPy's")
            kwargs = {k.arg: build(k.value) for k in node.keywords}
            return fn(*[build(a) for a in node.args], **kwargs)
        raise UnsupportedAnswer(f"a SymPy expression with {ast.unparse(node)[:40]!r} in it")

    return build(tree.body)


def references(fn) -> set[str]:
    """The names and modules a function reaches through its code, globals, closures and defaults, followed into
    the functions it calls. For a function that lives in another process (the grader's handle on a student's
    function) the question is asked there."""
    remote = getattr(fn, "__lossnotes_remote__", None)
    if remote is not None:
        return set(remote.references())
    return _references(fn, set())


def _references(fn, seen) -> set[str]:
    if id(fn) in seen or type(fn) is not types.FunctionType:
        return set()
    seen.add(id(fn))
    names, stack = set(), [fn.__code__]
    while stack:
        code = stack.pop()
        names |= set(code.co_names)
        stack += [c for c in code.co_consts if type(c) is types.CodeType]
    objs = [fn.__globals__[n] for n in names if n in fn.__globals__]
    objs += [c.cell_contents for c in fn.__closure__ or ()] + list(fn.__defaults__ or ())
    found = set(names)
    for o in objs:
        found.add(str(o.__name__ if type(o) is types.ModuleType else getattr(o, "__module__", None)))
        found |= _references(o, seen)
    return found


def notebook_path(assignment: str) -> str:
    """The file of this exercise notebook, for ``otter.Notebook``: its own name when it is there, else the one
    notebook in the folder whose name contains the assignment's ("Copy of 05_output_units.ipynb"), else the path
    Jupyter gives the kernel; the expected name when nothing matches (Otter then says what is missing)."""
    expected = f"{assignment}.ipynb"
    if os.path.isfile(expected):
        return expected
    matches = [p for p in glob.glob("*.ipynb") if assignment.lower() in p.lower()]
    if len(matches) == 1:
        return matches[0]
    session = os.environ.get("JPY_SESSION_NAME", "")
    if session.endswith(".ipynb") and os.path.isfile(session):
        return session
    return expected

"""The graded exercises: every chapter from 2 on has a master, Otter Assign reproduces the committed student
notebooks, nothing secret leaks into them, and the autograder zip carries the pinned stack and the library.
How submissions are graded is tested in test_grading.py.

The exercises are built once per run, by `make exercises` (exercises/build, with the student notebooks in
exercises/build/students); these tests only read the build and the repository.
"""

from __future__ import annotations

import ast
import importlib.util
import zipfile
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "exercises"
MASTERS = sorted((EX / "source").glob("[0-9][0-9]_*.ipynb"))
NAMES = [m.stem for m in MASTERS]
EXPECTED = [
    "02_maximum_likelihood",
    "03_noise_models",
    "04_conditional_statistics",
    "05_output_units",
    "06_margins",
    "07_loss_vs_metric",
    "09_losses_in_your_framework",
    "10_generative_models",
]


def _load(name):
    """exercises/<name>.py as a module of its own name (exercises/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"lossnotes_exercises_{name}", EX / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


assign = _load("assign")


def student_text(nb):
    """Everything a student can see in a notebook: every cell and the metadata (where Otter keeps public tests)."""
    return "\n".join(c.source for c in nb.cells) + "\n" + str(nb.metadata)


# ------------------------------------------------------------------ the notebooks


def test_every_chapter_has_a_master_with_three_graded_questions():
    assert NAMES[: len(EXPECTED)] == EXPECTED
    for master in MASTERS:
        qs = assign.questions(master)
        assert len([q for q in qs if not q["manual"]]) >= 3, master.name
        assert {q["manual"] for q in qs} == {True, False}, f"{master.name} should mix auto- and hand-graded questions"


def test_committed_student_notebooks_are_what_otter_assign_generates(built):
    for name in NAMES:
        committed = (EX / f"{name}.ipynb").read_bytes()
        generated = (built / "students" / f"{name}.ipynb").read_bytes()
        assert committed == generated, f"exercises/{name}.ipynb is not what its master makes: run `make exercises`"


def _solution_lines(master):
    """Lines of the masters' solutions that a student must not see (prompts like `x = ...` excluded)."""
    nb = nbformat.read(master, as_version=4)
    lines, inside = [], False
    for cell in nb.cells:
        src = cell.source.strip()
        if cell.cell_type == "raw" and src.startswith("# BEGIN SOLUTION"):
            inside = True
        elif cell.cell_type == "raw" and src.startswith("# END SOLUTION"):
            inside = False
        elif inside:
            for line in cell.source.split("\n"):
                s = line.strip()
                if "# SOLUTION" in s:
                    s = s.split("=", 1)[1].split("# SOLUTION")[0].strip()  # the hidden right-hand side
                if len(s) < 12 or s.startswith(("#", "def ")) or s.endswith("= ..."):  # markers and prompts
                    continue
                lines.append(s)
    return lines


def _tests_in_zip(zpath):
    """(hidden, public) source lines of every test case in an autograder zip (Otter's exception format)."""
    hidden, public = [], []
    with zipfile.ZipFile(zpath) as zf:
        for n in zf.namelist():
            if not n.startswith("tests/"):
                continue
            text = zf.read(n).decode()
            for node in ast.parse(text).body:
                if not isinstance(node, ast.FunctionDef):
                    continue
                (deco,) = node.decorator_list
                is_hidden = next(k.value.value for k in deco.keywords if k.arg == "hidden")
                lines = [ln.strip() for ln in ast.get_source_segment(text, node).split("\n")[1:]]
                (hidden if is_hidden else public).extend(c for c in lines if len(c) > 15)
    return hidden, public


def test_no_solution_and_no_hidden_test_in_student_notebooks(built):
    for master in MASTERS:
        name = master.stem
        text = student_text(nbformat.read(EX / f"{name}.ipynb", as_version=4))
        sol = _solution_lines(master)
        assert len(sol) >= 3
        leaked = [s for s in sol if s in text]
        assert not leaked, f"{name}: solution lines in the student notebook: {leaked[:3]}"
        hidden, public = _tests_in_zip(built / f"{name}-autograder.zip")
        assert hidden and public
        shown = [h for h in hidden if h in text and h not in public]
        assert not shown, f"{name}: hidden test lines in the student notebook: {shown[:3]}"
        assert any(p in text for p in public), f"{name}: the public tests should travel with the notebook"


# ------------------------------------------------------------------ the autograder zip


def test_zip_carries_the_pinned_stack_and_the_library(built):
    pins = {ln.split("==")[0].lower(): ln for ln in (ROOT / "requirements.txt").read_text().split() if "==" in ln}
    for name in NAMES:
        with zipfile.ZipFile(built / f"{name}-autograder.zip") as zf:
            files = set(zf.namelist())
            env = yaml.safe_load(zf.read("environment.yml"))
            shipped = {n.removeprefix("files/") for n in files if n.startswith("files/lossnotes/")}
        pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
        for pkg in ("numpy", "scipy", "sympy", "matplotlib", "otter-grader"):
            assert any(p == pins[pkg] or p.startswith(pkg + "[") and p.endswith(pins[pkg].split("==")[1]) for p in pip)
        assert not any("git+" in p or "lossnotes" in p for p in pip), pip
        library = {p.relative_to(ROOT).as_posix() for p in (ROOT / "lossnotes").rglob("*.py")}
        assert library <= shipped, sorted(library - shipped)

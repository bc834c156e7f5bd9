"""The graded exercises: Otter Assign reproduces the committed student notebooks, nothing secret leaks into
them, and the grading driver scores solutions, blank notebooks and hostile submissions honestly.

Everything is built in a temporary directory (``exercises/assign.py --build TMP --students TMP``); the
repository is only read.
"""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

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
]


def _load(name):
    """exercises/<name>.py as a module of its own name (exercises/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"lossnotes_exercises_{name}", EX / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


assign = _load("assign")
grade = _load("grade")


def run(*args, timeout=600):
    proc = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """What `make exercises` makes, in a temporary directory (solutions are checked by grading below)."""
    tmp = tmp_path_factory.mktemp("exercises")
    run(EX / "assign.py", "--build", tmp / "build", "--students", tmp / "students", "--no-run-tests")
    return tmp


def rows_of(csv_path):
    with open(csv_path, newline="") as fh:
        return {r["file"]: r for r in csv.DictReader(fh)}


def manifest(built, name):
    return grade.load_manifests(built / "build")[name]


def auto_questions(built, name):
    return [q["name"] for q in manifest(built, name)["questions"] if not q["manual"]]


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
        assert committed == generated, f"exercises/{name}.ipynb is stale: run `make exercises`"


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
    """(hidden, public) doctest lines of every test in an autograder zip."""
    hidden, public = [], []
    with zipfile.ZipFile(zpath) as zf:
        for n in zf.namelist():
            if not n.startswith("tests/"):
                continue
            env = {}
            exec(zf.read(n).decode(), env)
            for suite in env["test"]["suites"]:
                for case in suite["cases"]:
                    code = [ln[4:].strip() for ln in case["code"].split("\n") if ln.startswith((">>> ", "... "))]
                    (hidden if case["hidden"] else public).extend(c for c in code if len(c) > 15)
    return hidden, public


def test_no_solution_and_no_hidden_test_in_student_notebooks(built):
    for master in MASTERS:
        name = master.stem
        text = student_text(nbformat.read(EX / f"{name}.ipynb", as_version=4))
        sol = _solution_lines(master)
        assert len(sol) >= 3
        leaked = [s for s in sol if s in text]
        assert not leaked, f"{name}: solution lines in the student notebook: {leaked[:3]}"
        hidden, public = _tests_in_zip(built / "build" / f"{name}-autograder.zip")
        assert hidden and public
        shown = [h for h in hidden if h in text and h not in public]
        assert not shown, f"{name}: hidden test lines in the student notebook: {shown[:3]}"
        assert any(p in text for p in public), f"{name}: the public tests should travel with the notebook"


# ------------------------------------------------------------------ the static guard (no kernel)


@pytest.mark.parametrize(
    "code",
    [
        "with open('tests/q1.py', 'w') as fh:\n    fh.write('')",
        "!cat tests/q1.py",
        "import os\nos.remove('x')",
        "np.allclose = lambda *a, **k: True",
        "ln.losses.LOSSES['mse'] = None",
        "all = np.all",
        "def isinstance(*a):\n    return True",
        "from numpy import all",
        "import math as np",
        "x = getattr(np, 'load')",
        "().__class__.__base__.__subclasses__()",
        "from otter.execute import Checker",
        "otter.Notebook.check = print",
        "eval('1 + 1')",
    ],
)
def test_scan_refuses_tampering(code):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    assert grade.scan(nb), code


def test_scan_accepts_ordinary_work():
    for name in NAMES:
        nb = nbformat.read(EX / f"{name}.ipynb", as_version=4)
        assert grade.scan(nb) == [], name
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "from scipy import stats\nimport numpy as np\nfrom scipy.stats import rankdata\n"
                "best = {'mse': float(np.mean(x))}\ndef spread(sum):\n    return sum"
            )
        ]
    )
    assert grade.scan(nb) == []


# ------------------------------------------------------------------ grading


def _variant(src, dest, code, at=3):
    nb = nbformat.read(src, as_version=4)
    nb.cells.insert(at, nbformat.v4.new_code_cell(code))
    nbformat.write(nb, dest)


@pytest.fixture(scope="module")
def graded(built, tmp_path_factory):
    """One batch: every solution, every untouched student notebook, a raising and a tampering submission."""
    subs = tmp_path_factory.mktemp("submissions")
    for name in NAMES:
        (subs / f"{name}-solution.ipynb").write_bytes((built / "build" / f"{name}-solution.ipynb").read_bytes())
        (subs / f"{name}-untouched.ipynb").write_bytes((EX / f"{name}.ipynb").read_bytes())
    sol = built / "build" / "02_maximum_likelihood-solution.ipynb"
    _variant(sol, subs / "02_maximum_likelihood-raising.ipynb", "raise RuntimeError('always fails')")
    nb = nbformat.read(sol, as_version=4)  # a wrong answer that raises inside the graded function
    for cell in nb.cells:
        if cell.source.startswith("def gaussian_mle"):
            cell.source = "def gaussian_mle(sample):\n    return 1 / 0"
    nbformat.write(nb, subs / "02_maximum_likelihood-wrong.ipynb")
    _variant(sol, subs / "02_maximum_likelihood-tamper.ipynb", "with open('tests/q1.py', 'w') as fh:\n    fh.write('')")
    (subs / "notes.ipynb").write_text("this is not a notebook")
    out = run(EX / "grade.py", subs, "--build", built / "build", "--timeout", 150, "--jobs", 2, timeout=900)
    return rows_of(subs / "grades.csv"), out


def test_batch_writes_one_row_per_submission(graded):
    rows, out = graded
    assert len(rows) == 2 * len(NAMES) + 4
    columns = list(next(iter(rows.values())))
    assert columns[:4] == ["file", "assignment", "score", "max"] and columns[-1] == "status"
    assert {"q1", "q2", "q3", "q4", "q5"} <= set(columns)
    assert rows["notes.ipynb"]["status"].startswith("error: not a readable notebook")


def test_solutions_score_full_marks(graded, built):
    rows, _ = graded
    for name in NAMES:
        r = rows[f"{name}-solution.ipynb"]
        assert r["status"] == "ok", r
        assert float(r["score"]) == float(r["max"]) > 0, r
        for q in manifest(built, name)["questions"]:
            if q["manual"]:
                assert r[q["name"]] == "manual"
            else:
                assert float(r[q["name"]]) == q["points"] > 0, (name, q)
        if len(manifest(built, name)["questions"]) < 5:
            assert r["q5"] == ""  # not a question of this assignment


def test_untouched_notebooks_score_zero_on_every_auto_question(graded, built):
    rows, _ = graded
    for name in NAMES:
        r = rows[f"{name}-untouched.ipynb"]
        assert r["assignment"] == name and float(r["score"]) == 0, r
        for q in auto_questions(built, name):
            assert float(r[q]) == 0, (name, q, r)


def test_hostile_submissions_get_an_honest_row(graded):
    rows, _ = graded
    raising = rows["02_maximum_likelihood-raising.ipynb"]
    assert raising["status"].startswith("error: a cell raised RuntimeError"), raising
    wrong = rows["02_maximum_likelihood-wrong.ipynb"]
    assert float(wrong["q2"]) == 0 and float(wrong["score"]) < float(wrong["max"]), wrong
    tamper = rows["02_maximum_likelihood-tamper.ipynb"]
    assert tamper["status"].startswith("error: refused to run"), tamper
    assert float(tamper["score"]) == 0


def test_a_loop_times_out_and_rewritten_tests_are_caught(built, tmp_path):
    """Without the static guard: an endless loop is killed, and a notebook that rewrites its tests to pass
    (then asks for its grade) is caught by the check of the test files after grading."""
    sol = built / "build" / "02_maximum_likelihood-solution.ipynb"
    blank = EX / "02_maximum_likelihood.ipynb"
    _variant(sol, tmp_path / "02_maximum_likelihood-loop.ipynb", "while True:\n    pass")
    fake = {
        "name": "QQ",
        "points": 3,
        "suites": [
            {
                "cases": [{"code": ">>> assert True\n", "hidden": False, "locked": False}],
                "scored": True,
                "setup": "",
                "teardown": "",
                "type": "doctest",
            }
        ],
    }
    cheat = (
        f"_fake = {('OK_FORMAT = True' + chr(10) + 'test = ' + repr(fake) + chr(10))!r}\n"
        "for _q in ('q1', 'q2', 'q3'):\n"
        "    with open(f'tests/{_q}.py', 'w') as fh:\n"
        "        fh.write(_fake.replace('QQ', _q))\n"
        "    grader.check(_q)"
    )
    _variant(blank, tmp_path / "02_maximum_likelihood-cheat.ipynb", cheat, at=len(nbformat.read(blank, 4).cells))
    run(EX / "grade.py", tmp_path, "--build", built / "build", "--timeout", 20, "--jobs", 2, "--no-scan")
    rows = rows_of(tmp_path / "grades.csv")
    loop = rows["02_maximum_likelihood-loop.ipynb"]
    assert loop["status"].startswith("timeout") and float(loop["score"]) == 0, loop
    cheat_row = rows["02_maximum_likelihood-cheat.ipynb"]
    assert cheat_row["status"].startswith("error: the test files were changed"), cheat_row
    assert float(cheat_row["score"]) == 0

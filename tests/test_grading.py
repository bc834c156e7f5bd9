"""Grading that is fair at class scale: for every auto-graded question, an answer that is right but written
differently from the master's scores full marks, and a typical mistake scores below full marks and gets a
one-line hint from the public checks before hand-in. Ordinary notebook habits are graded normally and raise
no flag; suspicious code is graded and flagged, never zeroed; rewritten tests are caught; the public checks
run on (simulated) Colab; the autograder zip grades a correct submission to full marks in a virtual
environment built only from what the zip declares.

Everything is built in temporary directories; the repository is only read.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import textwrap
import venv
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "exercises"
NAMES = [m.stem for m in sorted((EX / "source").glob("[0-9][0-9]_*.ipynb"))]
sys.path.insert(0, str(EX))
import assign  # noqa: E402
import grade  # noqa: E402

# question -> (right but written differently, a typical mistake, a phrase of the public check's hint for it)
VARIANTS = {
    "02_maximum_likelihood": {
        "q1": (
            "nll_bernoulli = sp.log(1 + sp.exp(f)) - y * f",
            "nll_bernoulli = sp.log(p**y * (1 - p) ** (1 - y))",
            "did you take minus the log?",
        ),
        "q2": (
            "def gaussian_mle(sample):\n    s = np.asarray(sample, dtype=float)\n"
            "    return float(s.mean()), float(s.std())",
            "def gaussian_mle(sample):\n    s = np.asarray(sample, dtype=float)\n"
            "    return float(np.mean(s)), float(np.std(s, ddof=1))",
            "check the denominator",
        ),
        "q3": (
            "from scipy.special import rel_entr\n\n"
            "best_model = min(candidates, key=lambda k: -np.sum(p_data * np.log(candidates[k])))\n"
            "kl_best = float(np.sum(rel_entr(p_data, candidates[best_model])))",
            "kl_best = float(np.sum(candidates[best_model] * np.log(candidates[best_model] / p_data)))",
            "kl_best is not KL(p_data || q)",
        ),
    },
    "03_noise_models": {
        "q1": (
            "nll_laplace = sp.log(2) + sp.log(b) + sp.Abs(y - f) / b",
            "nll_laplace = sp.log(sp.exp(-sp.Abs(y - f) / b) / (2 * b))",
            "did you take minus the log",
        ),
        "q2": (
            "from scipy import stats\n\nnoise_guess = {\n"
            "    k: 'cauchy' if stats.kurtosis(r) > 50 else 'laplace' if stats.kurtosis(r) > 1.5 else 'gaussian'\n"
            "    for k, r in residuals.items()\n}",
            "noise_guess = {'A': 'gaussian', 'B': 'cauchy', 'C': 'gaussian'}",
            "use each name once",
        ),
        "q3": (
            "def huber_weight(r, delta):\n    r = np.asarray(r, dtype=float)\n"
            "    return np.divide(np.clip(r, -delta, delta), r, out=np.ones_like(r), where=r != 0)",
            "def huber_weight(r, delta):\n    r = np.asarray(r, dtype=float)\n"
            "    return np.where(r == 0, 1.0, np.clip(r, -delta, delta) / r)",
            "avoid the division there",
        ),
        "q4": (
            "r = r_crowd\nlosses = {'mse': r**2, 'mae': np.abs(r), "
            "'huber': np.where(np.abs(r) <= 1, 0.5 * r**2, np.abs(r) - 0.5)}\n"
            "outlier_share = {k: float(v[-1] / v.sum()) for k, v in losses.items()}",
            "r = r_crowd\nlosses = {'mse': r**2, 'mae': np.abs(r), "
            "'huber': np.where(np.abs(r) <= 1, 0.5 * r**2, np.abs(r) - 0.5)}\n"
            "outlier_share = {k: float(v[-1] / v.mean()) for k, v in losses.items()}",
            "divide the outlier's loss by the sum of all 101 losses",
        ),
    },
    "04_conditional_statistics": {
        "q1": (
            "from scipy.optimize import minimize_scalar\n\n"
            "def fitted(loss, **kw):\n"
            "    res = minimize_scalar(lambda c: loss(incomes, np.full_like(incomes, c), **kw),\n"
            "                          bounds=(incomes.min(), incomes.max()), method='bounded',\n"
            "                          options={'xatol': 1e-10})\n"
            "    return res.x\n\n"
            "best = {'mse': fitted(ln.losses.mse), 'mae': fitted(ln.losses.mae),\n"
            "        'pinball_0.9': fitted(ln.losses.pinball, tau=0.9)}",
            "best = {'mse': float(np.mean(incomes)), 'mae': float(np.median(incomes)),\n"
            "        'pinball_0.9': float(np.quantile(incomes, 0.1))}",
            "its minimiser lies above the median",
        ),
        "q2": (
            "def pinball_loss(y, pred, tau):\n    if not (0 < tau < 1):\n        raise ValueError('tau')\n"
            "    u = np.asarray(y, dtype=float) - np.asarray(pred, dtype=float)\n"
            "    return np.where(u >= 0, tau * u, (tau - 1) * u)",
            "def pinball_loss(y, pred, tau):\n    if not (0 < tau < 1):\n        raise ValueError('tau')\n"
            "    u = np.asarray(pred, dtype=float) - np.asarray(y, dtype=float)\n"
            "    return np.maximum(tau * u, (tau - 1) * u)",
            "check the sign of y - pred",
        ),
        "q3": ("q_exp = -sp.log(1 - tau) / lam", "q_exp = sp.log(1 - tau) / lam", "a quantile of a positive variable"),
        "q5": ("eff_median = 2 / np.pi", "eff_median = np.pi / 2", "lies in (0, 1]"),
    },
    "05_output_units": {
        "q1": (
            "def stable_bce(y, z):\n    y, z = np.asarray(y, dtype=float), np.asarray(z, dtype=float)\n"
            "    return y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)",
            "def stable_bce(y, z):\n    y, z = np.asarray(y, dtype=float), np.asarray(z, dtype=float)\n"
            "    softplus = np.maximum(z, 0) + np.log(1 + np.exp(-np.abs(z)))\n    return softplus - y * z",
            "1 + tiny rounds to 1",
        ),
        "q2": (
            "from scipy.special import logsumexp\n\n"
            "def ce_grad(z, labels):\n    z = np.asarray(z, dtype=float)\n"
            "    g = np.exp(z - logsumexp(z, axis=1, keepdims=True))\n"
            "    g[np.arange(len(labels)), labels] -= 1\n    return g",
            "def ce_grad(z, labels):\n    e = np.exp(np.asarray(z, dtype=float))\n"
            "    p = e / e.sum(axis=1, keepdims=True)\n    p[np.arange(len(labels)), labels] -= 1\n    return p",
            "softmax is shift invariant",
        ),
        "q3": (
            "from scipy.optimize import minimize\n\n"
            "res = minimize(lambda w: ln.losses.cross_entropy(classes, np.tile(w, (classes.size, 1))),\n"
            "               np.zeros(4), jac=lambda w: ln.losses.cross_entropy.grad(classes, "
            "np.tile(w, (classes.size, 1))).mean(axis=0), tol=1e-12)\n"
            "p_fit = ln.units.softmax(res.x)",
            "p_fit = np.array([0.1, 0.2, 0.3, 0.4])",
            "the probabilities that drew the labels",
        ),
        "q4": (
            "sig = 1 / (1 + sp.exp(-z))\ngrad_sq = 2 * (sig - 1) * sig * (1 - sig)\ngrad_bce = sig - 1",
            "grad_bce = sp.diff(sp.log(sig), z)",
            "its derivative is negative",
        ),
    },
    "06_margins": {
        "q1": (
            "removable = np.ones(n, dtype=bool)\nremovable[svm.support] = False",
            "removable = margins >= 1 - 1e-6",
            "cannot be removed",
        ),
        "q2": (
            "def squared_hinge_grad(y, s):\n    y, s = np.asarray(y, dtype=float), np.asarray(s, dtype=float)\n"
            "    if not np.all(np.isin(y, [-1.0, 1.0])):\n        raise ValueError('labels are -1 or +1')\n"
            "    m = 1 - y * s\n    return np.where(m > 0, -2 * y * m, 0.0)",
            "def squared_hinge_grad(y, s):\n    y, s = np.asarray(y, dtype=float), np.asarray(s, dtype=float)\n"
            "    return -2.0 * y * np.maximum(0.0, 1.0 - y * s)",
            "raise ValueError",
        ),
        "q3": (
            "dlogistic = -1 / (1 + sp.exp(mm))\ntail_ratio = sp.N(sp.limit(dlogistic / sp.exp(-mm), mm, sp.oo))",
            "dlogistic = sp.diff(sp.log(1 + sp.exp(mm)), mm)",
            "the derivative is negative",
        ),
        "q4": (
            "f_star_exp = sp.atanh(2 * eta - 1)\nrecovers_eta = set(['squared', 'logistic', 'exponential'])",
            "f_star_exp = sp.log(eta / (1 - eta))",
            "not 0",
        ),
    },
    "07_loss_vs_metric": {
        "q1": (
            "def auc(y, score):\n    y, score = np.asarray(y), np.asarray(score)\n"
            "    pos, neg = score[y == 1], score[y == 0]\n"
            "    return float(np.mean((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])))",
            "def auc(y, score):\n    y, score = np.asarray(y), np.asarray(score)\n"
            "    pos, neg = score[y == 1], score[y == 0]\n    return float(np.mean(pos[:, None] > neg[None, :]))",
            "ties count one half",
        ),
        "q2": (
            "acc_const = 1.0 - float(np.mean(y_rare))\nrecall_const = float(0)\n"
            "p_brier_const = float(y_rare.sum() / y_rare.size)\nbrier_const = p_brier_const * (1 - p_brier_const)",
            "p_brier_const = 0.0\nbrier_const = float(np.mean(y_rare))",
            "the best constant does better",
        ),
        "q3": (
            "log_score = -(q * sp.log(p) + (1 - q) * sp.log(1 - p))\np_star_log = q\n"
            "p_star_brier = sp.solve(sp.diff(brier, p), p)[0]",
            "log_score = q * sp.log(p) + (1 - q) * sp.log(1 - p)\np_star_log = sp.solve(sp.diff(log_score, p), p)[0]",
            "check the sign",
        ),
        "q4": (
            "def ece(y, prob, n_bins=10):\n    y, prob = np.asarray(y, dtype=float), np.asarray(prob, dtype=float)\n"
            "    idx = np.clip(np.floor(prob * n_bins).astype(int), 0, n_bins - 1)\n"
            "    gap = np.bincount(idx, weights=y, minlength=n_bins)\n"
            "    gap -= np.bincount(idx, weights=prob, minlength=n_bins)\n"
            "    return float(np.abs(gap).sum() / y.size)",
            "def ece(y, prob, n_bins=10):\n    y, prob = np.asarray(y, dtype=float), np.asarray(prob, dtype=float)\n"
            "    idx = np.minimum((prob * n_bins).astype(int), n_bins - 1)\n"
            "    return float(np.mean([abs(y[idx == b].mean() - prob[idx == b].mean()) for b in np.unique(idx)]))",
            "weight each bin's gap",
        ),
        "q5": (
            "def bayes_threshold(c_fp, c_fn):\n    if min(c_fp, c_fn) <= 0:\n        raise ValueError('costs > 0')\n"
            "    return 1 / (1 + c_fn / c_fp)",
            "def bayes_threshold(c_fp, c_fn):\n    if min(c_fp, c_fn) <= 0:\n        raise ValueError('costs > 0')\n"
            "    return c_fn / (c_fp + c_fn)",
            "should need a higher probability",
        ),
    },
    "09_losses_in_your_framework": {
        "q1": (
            "def info_nce(a, b, temperature):\n    s = np.asarray(a) @ np.asarray(b).T / temperature\n"
            "    return float(np.mean(-np.diag(ln.units.log_softmax(s, axis=1))))",
            "def info_nce(a, b, temperature):\n    s = np.asarray(a) @ np.asarray(b).T / temperature\n"
            "    return float(ln.losses.cross_entropy(np.zeros(len(s), dtype=int), s))",
            "the labels are 0, 1, ..., n - 1",
        ),
        "q2": (
            "rows = np.arange(labels.size)\nloss_right = float(np.mean(-ln.units.log_softmax(logits)[rows, labels]))\n"
            "loss_wrong = float(np.mean(-ln.units.log_softmax(ln.units.softmax(logits))[rows, labels]))",
            "loss_right, loss_wrong = loss_wrong, loss_right",
            "so something else went in",
        ),
        "q3": ("sigma_forward = 10**0.5\nmode_seeking = 'reverse'", "sigma_forward = 1.0", "cover both modes"),
    },
}

# a mistake the question forbids although the values come out right: silencing NumPy instead of avoiding 0 / 0
SILENCED = (
    "def huber_weight(r, delta):\n    r = np.asarray(r, dtype=float)\n"
    "    with np.errstate(divide='ignore', invalid='ignore'):\n        w = np.clip(r, -delta, delta) / r\n"
    "    return np.where(r == 0, 1.0, w)"
)

# what students do that is not cheating: graded normally, never flagged
HABITS = [
    'print("all tests pass")',
    'model_path = "model.py"',
    "%matplotlib inline",
    "%timeit -n 2 -r 2 np.sqrt(2.0)",
    "np.quantile?",
    "sum = 0.0\nfor value in [1.0, 2.0, 3.0]:\n    sum += value",
    "first_tries = rng.normal(size=5)  # trying things on a few draws",
]


def _run(*args, timeout=1200):
    proc = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("exercises")
    _run(EX / "assign.py", "--build", tmp / "build", "--students", tmp / "students", "--no-run-tests", timeout=1800)
    return tmp


def _check_index(nb, q):
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source == f'grader.check("{q}")')


def submission(built, name, answers=(), extra=(), last=()):
    """The solved notebook as a student hands it in (the Colab cell first), with `answers` (question -> code)
    run just before that question's check, `extra` cells after the setup and `last` cells at the end."""
    nb = nbformat.read(built / "build" / f"{name}-solution.ipynb", as_version=4)
    for q, code in answers:
        nb.cells.insert(_check_index(nb, q), nbformat.v4.new_code_cell(code))
    setup = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "import lossnotes as ln" in c.source)
    for k, code in enumerate(extra):
        nb.cells.insert(setup + 1 + k, nbformat.v4.new_code_cell(code))
    nb.cells += [nbformat.v4.new_code_cell(code) for code in last]
    nb.cells.insert(0, nbformat.v4.new_code_cell(assign.colab_setup_source(grader=True)))
    return nb


def points(built, name):
    m = json.loads((built / "build" / f"{name}.json").read_text())
    return {q["name"]: q["points"] for q in m["questions"] if not q["manual"]}


@pytest.fixture(scope="module")
def graded(built, tmp_path_factory):
    """One batch for every assignment: the solution, the untouched student notebook, every right-but-different
    answer with the honest habits and a star import at the end, every typical mistake, plus a few hostile ones."""
    subs = tmp_path_factory.mktemp("submissions")
    for name in NAMES:
        variants = VARIANTS[name]
        nbformat.write(submission(built, name), subs / f"{name}-solution.ipynb")
        (subs / f"{name}-untouched.ipynb").write_bytes((built / "students" / f"{name}.ipynb").read_bytes())
        right = [(q, v[0]) for q, v in variants.items()]
        nb = submission(built, name, right, extra=HABITS, last=["from sympy import *"])
        nbformat.write(nb, subs / f"{name}-different.ipynb")
        nbformat.write(
            submission(built, name, [(q, v[1]) for q, v in variants.items()]), subs / f"{name}-mistakes.ipynb"
        )
    nbformat.write(submission(built, "03_noise_models", [("q3", SILENCED)]), subs / "03_noise_models-silenced.ipynb")
    name = "05_output_units"
    suspicious = ["import os\n\nhere = os.getcwd()", 'x = sp.sympify("1 + 1")', "np.my_note = 1"]
    nbformat.write(submission(built, name, extra=suspicious), subs / f"{name}-suspicious.ipynb")
    nbformat.write(
        submission(built, name, extra=["raise RuntimeError('always fails')"]), subs / f"{name}-raising.ipynb"
    )
    (subs / "notes.ipynb").write_text("this is not a notebook")
    out = _run(EX / "grade.py", subs, "--build", built / "build", "--timeout", 150, "--jobs", 2)
    with open(subs / "grades.csv", newline="") as fh:
        return {r["file"]: r for r in csv.DictReader(fh)}, out


def test_every_question_has_a_right_answer_and_a_mistake():
    for name in NAMES:
        auto = [q["name"] for q in assign.questions(EX / "source" / f"{name}.ipynb") if not q["manual"]]
        assert sorted(VARIANTS[name]) == sorted(auto), name


def test_the_batch_writes_one_row_per_submission(graded):
    rows, out = graded
    assert len(rows) == 4 * len(NAMES) + 4
    columns = list(next(iter(rows.values())))
    assert columns[:4] == ["file", "assignment", "score", "max"] and columns[-2:] == ["status", "flags"]
    assert rows["notes.ipynb"]["status"].startswith("error: not a readable notebook")
    assert "graded" in out


@pytest.mark.parametrize("name", NAMES)
def test_solution_and_different_right_answers_score_full_marks(graded, built, name):
    rows, _ = graded
    for kind in ("solution", "different"):
        r = rows[f"{name}-{kind}.ipynb"]
        assert r["status"] == "ok" and r["flags"] == "", r
        for q, pts in points(built, name).items():
            assert float(r[q]) == pts > 0, (kind, q, r)
        assert float(r["score"]) == float(r["max"]), r


@pytest.mark.parametrize("name", NAMES)
def test_typical_mistakes_lose_points_and_untouched_scores_zero(graded, built, name):
    rows, _ = graded
    mistakes, untouched = rows[f"{name}-mistakes.ipynb"], rows[f"{name}-untouched.ipynb"]
    for q, pts in points(built, name).items():
        assert float(mistakes[q]) < pts, (q, mistakes)
        assert float(untouched[q]) == 0, (q, untouched)
    assert untouched["flags"] == "" and mistakes["flags"] == ""


def test_silencing_numpy_loses_the_point_and_gets_a_hint(graded, built):
    rows, _ = graded
    r = rows["03_noise_models-silenced.ipynb"]
    assert float(r["q3"]) == points(built, "03_noise_models")["q3"] - 1, r
    result = _public_check(built, "03_noise_models", "q3", SILENCED)
    assert not result.passed_all and "instead of silencing what NumPy says" in str(result)


def test_suspicious_code_is_graded_and_flagged_never_zeroed(graded, built):
    rows, _ = graded
    r = rows["05_output_units-suspicious.ipynb"]
    assert float(r["score"]) == float(r["max"]) > 0, r
    for what in ("imports os", "uses .sympify", "assigns into np"):
        assert what in r["flags"], r["flags"]
    raising = rows["05_output_units-raising.ipynb"]
    assert raising["status"].startswith("error: a cell raised RuntimeError"), raising


@pytest.mark.parametrize("code", HABITS + ["from sympy import *", "import numpy as np\nfrom scipy import stats"])
def test_habits_raise_no_flag(code):
    assert grade.flags(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])) == []


@pytest.mark.parametrize(
    ("code", "flag"),
    [
        ("with open('tests/q1.py', 'w') as fh:\n    fh.write('')", "uses open"),
        ("!cat tests/q1.py", "uses .system"),
        ("%%writefile tests/q1.py\nOK_FORMAT = True", "runs %writefile"),
        ("import subprocess", "imports subprocess"),
        ("from otter.execute import Checker", "imports otter.execute"),
        ("otter.Notebook.check = print", "assigns into otter"),
        ("np.allclose = lambda *a, **k: True", "assigns into np"),
        ("x = eval('1 + 1')", "uses eval"),
        ("e = sp.sympify('x**2')", "uses .sympify"),
        ("().__class__.__base__.__subclasses__()", "uses .__class__"),
    ],
)
def test_suspicious_patterns_are_flagged(code, flag):
    found = grade.flags(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]))
    assert any(flag in f for f in found), found


def _public_check(built, name, q, code):
    """Run the question's public checks through Otter's `grader.check` on the solved notebook with `code`
    in place of the answer; return the result's text."""
    import otter

    nb = submission(built, name, [(q, code)])
    env = {}
    cwd = os.getcwd()
    os.chdir(built / "students")
    try:
        grader = otter.Notebook(f"{name}.ipynb")
        for cell in nb.cells[2:]:  # past the Colab cell and Otter's own
            if cell.cell_type == "code" and not cell.source.startswith("grader.check"):
                exec(compile(cell.source, "<cell>", "exec"), env)
            if cell.source == f'grader.check("{q}")':
                return grader.check(q, global_env=env)
    finally:
        os.chdir(cwd)
    raise AssertionError(f"no check cell for {q}")


QUESTIONS = [(n, q) for n in NAMES for q in VARIANTS[n]]


@pytest.mark.parametrize(("name", "q"), QUESTIONS, ids=[f"{n}-{q}" for n, q in QUESTIONS])
def test_public_checks_pass_right_answers_and_hint_at_mistakes(built, name, q):
    right, wrong, hint = VARIANTS[name][q]
    assert _public_check(built, name, q, right).passed_all
    result = _public_check(built, name, q, wrong)
    assert not result.passed_all
    lines = [ln.strip() for ln in str(result).splitlines() if ln.strip().startswith("AssertionError: ")]
    assert lines and hint in lines[0], str(result)
    assert "Traceback" not in str(result)


def test_rewritten_tests_are_caught_and_a_loop_times_out(built, tmp_path):
    name = "02_maximum_likelihood"
    fake = "from otter.test_files import test_case\nOK_FORMAT = False\nname = 'QQ'\npoints = 3\n"
    fake += "@test_case(points=3, hidden=False)\ndef test_x():\n    pass\n"
    cheat = f"_fake = {fake!r}\nfor _q in ('q1', 'q2', 'q3'):\n    with open(f'tests/{{_q}}.py', 'w') as fh:\n"
    cheat += "        fh.write(_fake.replace('QQ', _q))\n    grader.check(_q)"
    untouched = nbformat.read(built / "students" / f"{name}.ipynb", as_version=4)
    untouched.cells.append(nbformat.v4.new_code_cell(cheat))
    nbformat.write(untouched, tmp_path / f"{name}-cheat.ipynb")
    nbformat.write(submission(built, name, extra=["while True:\n    pass"]), tmp_path / f"{name}-loop.ipynb")
    _run(EX / "grade.py", tmp_path, "--build", built / "build", "--timeout", 25, "--jobs", 2)
    with open(tmp_path / "grades.csv", newline="") as fh:
        rows = {r["file"]: r for r in csv.DictReader(fh)}
    cheat_row = rows[f"{name}-cheat.ipynb"]
    assert cheat_row["status"].startswith("error: the test files were changed"), cheat_row
    assert float(cheat_row["score"]) == 0 and "uses open" in cheat_row["flags"]
    loop = rows[f"{name}-loop.ipynb"]
    assert loop["status"].startswith("timeout") and float(loop["score"]) == 0, loop


FAKE_COLAB = {
    "google/__init__.py": "",
    "google/colab/__init__.py": "",
    "google/colab/_message.py": """
        import json
        import os


        def blocking_request(kind):
            assert kind == "get_ipynb"
            with open(os.environ["FAKE_COLAB_NOTEBOOK"]) as fh:
                return {"ipynb": json.load(fh)}
    """,
    "google/colab/_shell.py": """
        from ipykernel.zmqshell import ZMQInteractiveShell


        class Shell(ZMQInteractiveShell):
            def init_magics(self):
                super().init_magics()
                self.register_magic_function(lambda line: print("(pip: not on this machine)"), "line", "pip")
    """,
    "google/colab/_kernel.py": """
        from ipykernel.ipkernel import IPythonKernel
        from traitlets import Type

        from google.colab._shell import Shell


        class Kernel(IPythonKernel):
            shell_class = Type(Shell)
    """,
}


def test_public_checks_run_on_colab(built, tmp_path):
    """Colab as Otter detects it (the shell's class lives in google.colab), with the notebook alone: the Colab
    cell writes the public checks from the notebook's metadata to ./tests and grader.check runs them."""
    from nbclient import NotebookClient

    for rel, text in FAKE_COLAB.items():
        (tmp_path / "fake" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "fake" / rel).write_text(textwrap.dedent(text).lstrip())
    name = "05_output_units"
    student = built / "students" / f"{name}.ipynb"
    nb = nbformat.read(student, as_version=4)
    cut = _check_index(nb, "q1")
    right, wrong, hint = VARIANTS[name]["q1"]
    check = nb.cells[cut].source
    cells = nb.cells[: cut - 1] + [nbformat.v4.new_code_cell(wrong), nbformat.v4.new_code_cell(check)]
    cells += [nbformat.v4.new_code_cell(c) for c in (right, check, "print(grader.interpreter)")]
    nb.cells = cells
    work = tmp_path / "content"  # Colab's working folder: the notebook itself is not in it
    work.mkdir()
    env = {"PYTHONPATH": str(tmp_path / "fake"), "FAKE_COLAB_NOTEBOOK": str(student)}
    os.environ.update(env)
    try:
        client = NotebookClient(
            nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(work)}},
            extra_arguments=["--IPKernelApp.kernel_class=google.colab._kernel.Kernel"],
        )  # fmt: skip
        client.execute()
    finally:
        for k in env:
            os.environ.pop(k)

    def text(cell):
        return "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in cell.outputs)

    assert "IPythonInterpreter.COLAB" in text(nb.cells[-1])
    assert sorted(p.name for p in (work / "tests").iterdir()) == sorted(f"{q}.py" for q in points(built, name))
    assert hint in text(nb.cells[-4]) and "❌" in text(nb.cells[-4]), text(nb.cells[-4])
    assert "passed" in text(nb.cells[-2]) and "❌" not in text(nb.cells[-2])


ZIP_ASSIGNMENTS = os.environ.get("LOSSNOTES_ZIP_ASSIGNMENTS", "05_output_units").split(",")


@pytest.mark.parametrize("name", ZIP_ASSIGNMENTS)
def test_the_zip_grades_alone_in_a_clean_environment(built, tmp_path, name):
    """A virtual environment built only from the pip requirements the zip's environment.yml declares (PyPI
    reachable), then `otter run` with no network: a correct submission scores full marks."""
    import yaml

    zpath = built / "build" / f"{name}-autograder.zip"
    with zipfile.ZipFile(zpath) as zf:
        declared = yaml.safe_load(zf.read("environment.yml"))
    pip_deps = next(d["pip"] for d in declared["dependencies"] if isinstance(d, dict))
    (tmp_path / "requirements.txt").write_text("\n".join(pip_deps) + "\n")
    venv.create(tmp_path / "venv", with_pip=True)
    py = tmp_path / "venv" / "bin" / "python"
    install = [py, "-m", "pip", "install", "--quiet", "-r", tmp_path / "requirements.txt"]
    proc = subprocess.run(install, capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stderr[-3000:]
    nbformat.write(submission(built, name), tmp_path / f"{name}.ipynb")
    (tmp_path / "out").mkdir()
    offline = {**os.environ, "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}
    offline.update({"PIP_NO_INDEX": "1", "PYTHONPATH": "", "HOME": str(tmp_path)})
    run = [tmp_path / "venv" / "bin" / "otter", "run", "-a", zpath, "-o", tmp_path / "out", tmp_path / f"{name}.ipynb"]
    proc = subprocess.run(run, capture_output=True, text=True, timeout=600, cwd=tmp_path, env=offline)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    scores = {t["name"]: t["score"] for t in results["tests"] if "score" in t}
    assert scores == points(built, name), scores

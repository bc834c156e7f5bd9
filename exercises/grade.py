"""Grade a folder of submitted exercise notebooks with Otter's own runner and write grades.csv.

    python exercises/grade.py SUBMISSIONS [--build exercises/build] [--timeout 120] [--jobs 1] [--out CSV]

Matching: a submission belongs to the assignment whose name its file name starts with
(``02_maximum_likelihood.ipynb``, ``02_maximum_likelihood-ada.ipynb``, ``02_maximum_likelihood (1).ipynb``);
if no name matches, the assignment name Otter stored in the notebook's metadata is used. Otter then refuses a
notebook whose metadata names another assignment, and that shows up as an error row.

Each submission is graded in its own temporary directory holding a copy of the notebook and of the
autograder (laid out as ``otter run`` lays it out), by a child process that calls Otter's runner
(``otter.run.run_autograder.main``, the function behind ``otter run``). The batch never stops for one
submission: a child that runs past ``--timeout`` seconds is killed with its kernel (status ``timeout``), a
notebook whose cells raise is still graded on the tests its state passes (status ``error`` with the first
exception), and anything unexpected becomes an ``error`` row.

Tampering. Otter runs the tests in the submission's own kernel, after the submission's code, so a notebook
can in principle reach the tests or patch the machinery that scores them. Two guards, neither a sandbox:

1. Before running anything, the code cells are read (as Python, after IPython's own transformation of
   magics and shell escapes) and a submission is refused, with score 0, if it uses what no exercise needs:
   file, process or import machinery (``open``, ``exec``, ``eval``, ``getattr``, ``os``, ``subprocess``,
   ``get_ipython`` ...), dunder attributes, Otter internals, strings naming the tests, rebinding a builtin or a
   module name the tests rely on (``np``, ``ln``, ``isinstance`` ...), or assigning into a module
   (``np.allclose = ...``). A refused submission is listed for review by hand; it is never executed.
2. After grading, the test files the run used are compared with the autograder zip; a submission that changed
   them scores 0 (status ``error``).

Columns of grades.csv: file, assignment, score, max, one column per question (the union over assignments;
empty where an assignment has no such question; ``manual`` for a written answer graded by hand, which is
not in score or max), status (``ok``, ``error: ...``, ``timeout: ...``).
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from assign import colab_setup_source  # noqa: E402

DEFAULT_TIMEOUT = 120.0
LOG_LIMIT = 4000  # characters of a child's log kept for a reason

ALLOWED_IMPORTS = {
    "numpy",
    "scipy",
    "sympy",
    "lossnotes",
    "matplotlib",
    "math",
    "cmath",
    "fractions",
    "decimal",
    "statistics",
    "itertools",
    "functools",
    "collections",
    "operator",
    "random",
    "time",
    "typing",
    "dataclasses",
    "warnings",
    "otter",
}
FORBIDDEN_NAMES = {
    "open",
    "exec",
    "eval",
    "compile",
    "__import__",
    "globals",
    "locals",
    "vars",
    "getattr",
    "setattr",
    "delattr",
    "breakpoint",
    "input",
    "exit",
    "quit",
    "memoryview",
    "get_ipython",
    "Checker",
    "GradingResults",
    "init_grading_mode",
    "create_test_file",
}
FORBIDDEN_ATTRS = FORBIDDEN_NAMES | {
    "system",
    "popen",
    "load",
    "loadtxt",
    "genfromtxt",
    "fromfile",
    "tofile",
    "save",
    "savez",
    "savetxt",
    "memmap",
    "fromregex",
    "run_line_magic",
    "run_cell_magic",
}
FORBIDDEN_TEXT = ("tests", ".py", "__", "otter_config")
# names the tests rely on: rebinding one (e.g. ``all = np.all``, ``def isinstance(*a): ...``) could fake a pass
ALIASES = {"np": "numpy", "sp": "sympy", "ln": "lossnotes", "stats": "scipy.stats", "plt": "matplotlib.pyplot"}
PROTECTED = {"np", "sp", "ln", "otter", "stats", "numpy", "sympy", "lossnotes", "scipy"}
BUILTINS = {
    *("isinstance", "float", "int", "bool", "str", "abs", "all", "any", "min", "max", "sum", "len", "round"),
    *("set", "tuple", "dict", "list", "range", "zip", "map", "sorted", "enumerate", "next", "iter", "type"),
    *("print", "repr", "hasattr", "callable", "id", "object", "super", "Exception", "ValueError"),
    "AssertionError",
}


# ------------------------------------------------------------------ the static guard


def _cell_python(source: str) -> str:
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _root(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def scan(nb) -> list[str]:
    """Reasons to refuse a submission without running it (empty when it looks like ordinary work)."""
    reasons: list[str] = []
    modules = set(PROTECTED)
    setup = colab_setup_source(grader=True).strip()
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or cell.source.strip() == setup:
            continue  # the Colab install cell runs %pip only where the packages are missing: not on the grader
        try:
            tree = ast.parse(_cell_python(cell.source))
        except SyntaxError:
            continue  # it cannot run either; grading reports the error
        for node in ast.walk(tree):
            where = f"cell {i}"
            if isinstance(node, ast.Import):
                for a in node.names:
                    top = a.name.split(".")[0]
                    if top not in ALLOWED_IMPORTS or (top == "otter" and a.name != "otter"):
                        reasons.append(f"{where}: imports {a.name}")
                    if a.asname in ALIASES and ALIASES[a.asname] != a.name:
                        reasons.append(f"{where}: imports {a.name} as {a.asname}")
                    modules.add(a.asname or top)
            elif isinstance(node, ast.ImportFrom):
                top = (node.module or "").split(".")[0]
                if top not in ALLOWED_IMPORTS or top == "otter" or node.level:
                    reasons.append(f"{where}: imports from {node.module or '.'}")
                for a in node.names:
                    bound = a.asname or a.name
                    if bound in BUILTINS or (bound in PROTECTED and f"{node.module}.{a.name}" != ALIASES.get(bound)):
                        reasons.append(f"{where}: rebinds {bound}")
                    modules.add(bound)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if node.name in BUILTINS or node.name in PROTECTED or node.name in FORBIDDEN_NAMES:
                    reasons.append(f"{where}: rebinds {node.name}")
            elif isinstance(node, ast.Name):
                if node.id in FORBIDDEN_NAMES:
                    reasons.append(f"{where}: uses {node.id}")
                elif isinstance(node.ctx, (ast.Store, ast.Del)) and (node.id in BUILTINS or node.id in PROTECTED):
                    reasons.append(f"{where}: rebinds {node.id}")
            elif isinstance(node, ast.Attribute):
                if node.attr in FORBIDDEN_ATTRS or node.attr.startswith("__"):
                    reasons.append(f"{where}: uses .{node.attr}")
                elif _root(node) == "otter" and node.attr != "Notebook":
                    reasons.append(f"{where}: uses otter.{node.attr}")
                if isinstance(node.ctx, (ast.Store, ast.Del)) and _root(node) in modules | {"grader"}:
                    reasons.append(f"{where}: assigns into {_root(node)}")
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)):
                if _root(node) in modules | {"grader"}:
                    reasons.append(f"{where}: assigns into {_root(node)}")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                hit = [t for t in FORBIDDEN_TEXT if t in node.value]
                if hit:
                    reasons.append(f"{where}: string mentions {hit[0]!r}")
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                bad = [n for n in node.names if n in BUILTINS or n in PROTECTED]
                if bad:
                    reasons.append(f"{where}: rebinds {bad[0]}")
    return list(dict.fromkeys(reasons))


# ------------------------------------------------------------------ one submission


def _digest_zip(zpath: Path) -> dict:
    with zipfile.ZipFile(zpath) as zf:
        return {n: hashlib.sha256(zf.read(n)).hexdigest() for n in zf.namelist() if n.startswith("tests/")}


def _digest_dir(d: Path) -> dict:
    if not d.is_dir():
        return {}
    return {
        f"tests/{p.relative_to(d).as_posix()}": hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(d.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def _kill_tree(proc: subprocess.Popen) -> None:
    """Kill the child and everything it started (the kernel runs in its own process group)."""
    import psutil

    try:
        parent = psutil.Process(proc.pid)
        family = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        family = []
    for p in family:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(family, timeout=10)
    proc.wait()


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, path.stat().st_size - LOG_LIMIT))
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def grade_one(sub: Path, manifests: dict, build: Path, timeout: float, use_scan: bool = True) -> dict:
    """Grade one notebook; never raises. Returns a dict with file, assignment, per-question scores, status."""
    import nbformat

    row = {"file": sub.name, "assignment": "", "scores": {}, "status": "ok", "seconds": 0.0}
    t0 = time.perf_counter()
    try:
        nb = nbformat.read(sub, as_version=4)
    except Exception as e:  # not JSON, not a notebook
        row["status"] = f"error: not a readable notebook ({_one_line(e, 150)})"
        return row
    name = max((a for a in manifests if sub.name.startswith(a)), key=len, default=None)
    if name is None:
        meta = nb.metadata.get("otter", {}).get("assignment_name")
        name = meta if meta in manifests else None
    if name is None:
        row["status"] = "error: no assignment matches this file name or its otter metadata"
        return row
    row["assignment"] = name
    questions = manifests[name]["questions"]
    zeros = {q["name"]: 0.0 for q in questions if not q["manual"]}

    reasons = scan(nb) if use_scan else []
    if reasons:
        row["scores"] = zeros
        row["status"] = "error: refused to run, review by hand: " + _one_line("; ".join(reasons[:5]))
        row["seconds"] = time.perf_counter() - t0
        return row

    tmp = Path(tempfile.mkdtemp(prefix="otter-grade-"))
    try:
        ag = tmp / "autograder"
        for sub_dir in ("source", "submission", "results"):
            (ag / sub_dir).mkdir(parents=True)
        (ag / "submission_metadata.json").write_text("{}")
        zpath = build / f"{name}-autograder.zip"
        with zipfile.ZipFile(zpath) as zf:
            zf.extractall(ag / "source")
        # under the assignment's own name: the notebook's ``otter.Notebook("NN_topic.ipynb")`` cell opens it
        shutil.copy(sub, ag / "submission" / f"{name}.ipynb")
        env = {**os.environ, "TMPDIR": str(tmp), "PYTHONDONTWRITEBYTECODE": "1"}
        log = tmp / "child.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--child", str(ag)],
                cwd=tmp,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_tree(proc)
                row["scores"] = zeros
                row["status"] = f"timeout: no result after {timeout:g} s (killed)"
                return row
        verdict_path = ag / "verdict.json"
        if not verdict_path.exists():
            row["scores"] = zeros
            row["status"] = f"error: the grader stopped (exit {proc.returncode}): {_one_line(_tail(log)[-300:])}"
            return row
        verdict = json.loads(verdict_path.read_text())
        expected = _digest_zip(zpath)
        for where in (ag / "source" / "tests", ag / "submission" / "tests"):
            if _digest_dir(where) != expected:
                row["scores"] = zeros
                row["status"] = "error: the test files were changed during grading; score withheld, review by hand"
                return row
        got = verdict["questions"]
        row["scores"] = {q: float(got.get(q, {}).get("score", 0.0)) for q in zeros}
        if verdict.get("error"):
            row["status"] = f"error: {_one_line(verdict['error'])}"
        elif verdict.get("cell_error"):
            row["status"] = f"error: a cell raised {_one_line(verdict['cell_error'], 200)} (graded on what ran)"
        missing = [q for q in zeros if q not in got]
        if missing and row["status"] == "ok":
            row["status"] = f"error: no result for {', '.join(missing)}"
        if row["status"] == "ok" and verdict.get("output_chars", 0) > 1_000_000:
            row["status"] = f"ok (printed {verdict['output_chars'] / 1e6:.1f} MB of output)"
        return row
    except Exception as e:  # a bug here must not stop the batch
        row["scores"] = zeros
        row["status"] = f"error: grading failed ({type(e).__name__}: {_one_line(e, 200)})"
        return row
    finally:
        row["seconds"] = time.perf_counter() - t0
        shutil.rmtree(tmp, ignore_errors=True)


def child(ag_dir: str) -> int:
    """Run Otter's runner on one prepared autograder directory; write verdict.json next to it."""
    import dill
    from otter.run.run_autograder import main as run_autograder

    verdict = {"questions": {}, "error": None, "cell_error": None, "output_chars": 0}
    try:
        run_autograder(ag_dir, otter_run=True, logo=False, debug=False)
    except BaseException as e:
        verdict["error"] = f"{type(e).__name__}: {e}"
    pkl = Path(ag_dir) / "results" / "results.pkl"
    if pkl.exists():
        with open(pkl, "rb") as fh:
            res = dill.load(fh)
        if res.catastrophic_error is not None:
            verdict["error"] = f"{type(res.catastrophic_error).__name__}: {res.catastrophic_error}"
        for qname, tf in res.results.items():
            verdict["questions"][qname] = {"score": float(tf.score), "possible": float(tf.possible)}
        for cell in getattr(res.notebook, "cells", []):
            for o in cell.get("outputs", []):
                verdict["output_chars"] += len(str(o.get("text", "")))
                if o.get("output_type") == "error" and verdict["cell_error"] is None:
                    verdict["cell_error"] = f"{o.get('ename')}: {o.get('evalue')}"
    elif verdict["error"] is None:
        verdict["error"] = "Otter produced no results"
    (Path(ag_dir) / "verdict.json").write_text(json.dumps(verdict))
    return 0


# ------------------------------------------------------------------ the batch


def load_manifests(build: Path) -> dict:
    out = {}
    for p in sorted(build.glob("[0-9][0-9]_*.json")):
        m = json.loads(p.read_text())
        if (build / f"{m['assignment']}-autograder.zip").exists():
            out[m["assignment"]] = m
    return out


def fmt(x: float) -> str:
    return f"{x:g}"


def grade_folder(
    folder: Path,
    build: Path,
    timeout: float = DEFAULT_TIMEOUT,
    jobs: int = 1,
    out: Path | None = None,
    use_scan: bool = True,
):
    manifests = load_manifests(build)
    if not manifests:
        raise SystemExit(f"no autograders in {build}: run `make exercises` first")
    subs = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        rows = list(pool.map(lambda s: grade_one(s, manifests, build, timeout, use_scan), subs))
    qcols = sorted({q["name"] for m in manifests.values() for q in m["questions"]}, key=lambda n: (len(n), n))
    out = out or folder / "grades.csv"
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "assignment", "score", "max", *qcols, "status"])
        for r in rows:
            qs = {q["name"]: q for q in manifests[r["assignment"]]["questions"]} if r["assignment"] else {}
            cells = []
            for c in qcols:
                if c not in qs:
                    cells.append("")
                elif qs[c]["manual"]:
                    cells.append("manual")
                else:
                    cells.append(fmt(r["scores"].get(c, 0.0)))
            auto_max = sum(q["points"] for q in qs.values() if not q["manual"])
            score = sum(r["scores"].values()) if r["assignment"] else 0.0
            w.writerow([r["file"], r["assignment"], fmt(score), fmt(auto_max) if qs else "", *cells, r["status"]])
    return rows, out


def main(argv=None) -> int:
    if argv is None and len(sys.argv) == 3 and sys.argv[1] == "--child":
        return child(sys.argv[2])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("submissions", type=Path, help="folder of submitted .ipynb files")
    ap.add_argument("--build", type=Path, default=HERE / "build", help="where `make exercises` put the autograders")
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per submission (default 120)")
    ap.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    ap.add_argument("--out", type=Path, default=None, help="CSV to write (default SUBMISSIONS/grades.csv)")
    ap.add_argument(
        "--no-scan", action="store_true", help="skip the static guard (to test the second guard; not for real grading)"
    )
    args = ap.parse_args(argv)
    if not args.submissions.is_dir():
        raise SystemExit(f"{args.submissions} is not a folder")
    t0 = time.perf_counter()
    rows, out = grade_folder(args.submissions, args.build, args.timeout, args.jobs, args.out, not args.no_scan)
    for r in rows:
        print(f"{r['file']}: {fmt(sum(r['scores'].values()))} ({r['seconds']:.1f} s) {r['status']}")
    print(f"graded {len(rows)} submission(s) in {time.perf_counter() - t0:.1f} s -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

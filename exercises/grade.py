"""Grade a folder of submitted exercise notebooks with Otter's own runner and write grades.csv.

    python exercises/grade.py SUBMISSIONS [--build exercises/build] [--timeout 120] [--jobs 1] [--out CSV]

Matching: a submission belongs to the assignment whose name its file name starts with
(``02_maximum_likelihood.ipynb``, ``02_maximum_likelihood-ada.ipynb``, ``02_maximum_likelihood (1).ipynb``);
if no name matches, the assignment name Otter stored in the notebook's metadata is used.

Each submission is graded in its own temporary directory holding a fresh copy of the notebook and of the
autograder zip (laid out as ``otter run`` lays it out), by a child process that calls Otter's runner (the
function behind ``otter run``). The batch never stops for one submission: a child that runs past ``--timeout``
seconds is killed with its kernel (status ``timeout``), a notebook whose cells raise is still graded on the
tests its state passes (status ``error`` with the first exception), anything unexpected becomes an ``error`` row.

Every submission is graded; none is refused or zeroed by a guess. Code that reaches for files, processes,
Otter's internals, evaluates strings as code or assigns into a module is listed in the ``flags`` column for the
instructor to read; the score is what the tests gave. What is certain is acted on: after grading, the test
files the run used are compared with the autograder zip, and a submission that changed them scores 0.

Columns of grades.csv: file, assignment, score, max, one column per question (the union over assignments;
empty where an assignment has no such question; ``manual`` for a written answer graded by hand, which is not
in score or max), status (``ok``, ``error: ...``, ``timeout: ...``), flags (empty, or what to look at).
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
# worth a look by the instructor, never a score: what reaches outside the notebook or into the grader
MODULES = {"os", "sys", "subprocess", "shutil", "pathlib", "io", "glob", "importlib", "builtins", "inspect"}
MODULES |= {"ctypes", "gc", "pickle", "dill", "socket", "urllib", "requests", "tempfile", "threading", "atexit"}
NAMES = {"open", "exec", "eval", "compile", "__import__", "globals", "vars", "getattr", "setattr", "delattr"}
NAMES |= {"sympify", "parse_expr", "init_grading_mode"}
ATTRS = NAMES | {"system", "getoutput", "popen", "remove", "unlink", "write_text", "write_bytes"}
MAGICS = {"run", "load", "writefile", "sx", "system", "bash", "sh", "script", "cd", "env", "pip", "conda"}


def _names_in(tree) -> set[str]:
    return {a.asname or a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}


def flags(nb) -> list[str]:
    """What an instructor may want to read in a submission (empty for ordinary work). Never changes a score."""
    found: list[str] = []
    setup = colab_setup_source(grader=True).strip()
    from IPython.core.inputtransformer2 import TransformerManager

    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or cell.source.strip() == setup:
            continue
        try:
            tree = ast.parse(TransformerManager().transform_cell(cell.source))
        except SyntaxError:
            continue  # it cannot run either; grading reports the error
        modules = _names_in(tree) | {"np", "sp", "ln", "otter", "grader", "plt", "stats", "numpy", "sympy"}
        for node in ast.walk(tree):
            what = None
            if isinstance(node, ast.Import | ast.ImportFrom):
                full = [node.module or "."] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                bad = [m for m in full if m.split(".")[0] in MODULES or m.startswith("otter.") or m == "."]
                bad += ["otter"] if isinstance(node, ast.ImportFrom) and node.module == "otter" else []
                what = f"imports {bad[0]}" if bad else None
            elif isinstance(node, ast.Name) and node.id in NAMES:
                what = f"uses {node.id}"
            elif isinstance(node, ast.Attribute):
                root = node
                while isinstance(root, ast.Attribute):
                    root = root.value
                if node.attr in ATTRS or node.attr.startswith("__"):
                    what = f"uses .{node.attr}"
                elif isinstance(node.ctx, ast.Store | ast.Del) and isinstance(root, ast.Name) and root.id in modules:
                    what = f"assigns into {root.id}"
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("run_line_magic", "run_cell_magic"):
                magic = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else "?"
                what = f"runs %{magic}" if magic in MAGICS else None
            if what:
                found.append(f"cell {i}: {what}")
    return list(dict.fromkeys(found))


def _digests(files: dict[str, bytes]) -> dict[str, str]:
    return {n: hashlib.sha256(b).hexdigest() for n, b in files.items()}


def _tests_on_disk(d: Path) -> dict[str, bytes]:
    files = sorted(p for p in d.rglob("*") if p.is_file() and "__pycache__" not in p.parts) if d.is_dir() else []
    return {f"tests/{p.relative_to(d).as_posix()}": p.read_bytes() for p in files}


def _one_line(text, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kill_tree(proc: subprocess.Popen) -> None:
    """Kill the child and everything it started (the kernel runs in its process group)."""
    import psutil

    try:
        family = [*psutil.Process(proc.pid).children(recursive=True), psutil.Process(proc.pid)]
    except psutil.NoSuchProcess:
        family = []
    for p in family:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(family, timeout=10)
    proc.wait()


def grade_one(sub: Path, manifests: dict, build: Path, timeout: float) -> dict:
    """Grade one notebook; never raises. Returns file, assignment, per-question scores, status and flags."""
    import nbformat

    row = {"file": sub.name, "assignment": "", "scores": {}, "status": "ok", "flags": [], "seconds": 0.0}
    t0 = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="otter-grade-"))
    try:
        try:
            nb = nbformat.read(sub, as_version=4)
        except Exception as e:  # not JSON, not a notebook
            row["status"] = f"error: not a readable notebook ({_one_line(e, 150)})"
            return row
        name = max((a for a in manifests if sub.name.startswith(a)), key=len, default=None)
        name = name or next((a for a in manifests if a == nb.metadata.get("otter", {}).get("assignment_name")), None)
        if name is None:
            row["status"] = "error: no assignment matches this file name or its otter metadata"
            return row
        row["assignment"], row["flags"] = name, flags(nb)
        auto = [q["name"] for q in manifests[name]["questions"] if not q["manual"]]
        row["scores"] = dict.fromkeys(auto, 0.0)

        ag, zpath = tmp / "autograder", build / f"{name}-autograder.zip"
        for sub_dir in ("source", "submission", "results"):
            (ag / sub_dir).mkdir(parents=True)
        (ag / "submission_metadata.json").write_text("{}")
        with zipfile.ZipFile(zpath) as zf:
            zf.extractall(ag / "source")
            expected = _digests({n: zf.read(n) for n in zf.namelist() if n.startswith("tests/")})
        # under the assignment's own name: the notebook's ``otter.Notebook("NN_topic.ipynb")`` cell opens it
        shutil.copy(sub, ag / "submission" / f"{name}.ipynb")
        env = {**os.environ, "TMPDIR": str(tmp), "PYTHONDONTWRITEBYTECODE": "1"}
        with open(tmp / "child.log", "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--child", str(ag)],
                cwd=tmp, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True
            )  # fmt: skip
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_tree(proc)
                row["status"] = f"timeout: no result after {timeout:g} s (killed)"
                return row
        if any(_digests(_tests_on_disk(d)) != expected for d in (ag / "source/tests", ag / "submission/tests")):
            row["status"] = "error: the test files were changed during grading; score withheld, review by hand"
            return row
        if not (ag / "verdict.json").exists():
            tail = (tmp / "child.log").read_bytes()[-300:].decode("utf-8", "replace")
            row["status"] = f"error: the grader stopped (exit {proc.returncode}): {_one_line(tail)}"
            return row
        verdict = json.loads((ag / "verdict.json").read_text())
        row["scores"] = {q: float(verdict["scores"].get(q, 0.0)) for q in auto}
        missing = [q for q in auto if q not in verdict["scores"]]
        if verdict["error"]:
            row["status"] = f"error: {_one_line(verdict['error'])}"
        elif verdict["cell_error"]:
            row["status"] = f"error: a cell raised {_one_line(verdict['cell_error'], 200)} (graded on what ran)"
        elif missing:
            row["status"] = f"error: no result for {', '.join(missing)}"
        return row
    except Exception as e:  # a bug here must not stop the batch
        row["status"] = f"error: grading failed ({type(e).__name__}: {_one_line(e, 200)})"
        return row
    finally:
        row["seconds"] = time.perf_counter() - t0
        shutil.rmtree(tmp, ignore_errors=True)


def child(ag_dir: str) -> int:
    """Run Otter's runner on one prepared autograder directory; write verdict.json next to it."""
    import dill
    from otter.run.run_autograder import main as run_autograder

    verdict = {"scores": {}, "error": None, "cell_error": None}
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
        verdict["scores"] = {q: float(tf.score) for q, tf in res.results.items()}
        errors = [o for c in getattr(res.notebook, "cells", []) for o in c.get("outputs", [])]
        errors = [o for o in errors if o.get("output_type") == "error"]
        verdict["cell_error"] = f"{errors[0].get('ename')}: {errors[0].get('evalue')}" if errors else None
    elif verdict["error"] is None:
        verdict["error"] = "Otter produced no results"
    (Path(ag_dir) / "verdict.json").write_text(json.dumps(verdict))
    return 0


def load_manifests(build: Path) -> dict:
    out = {}
    for p in sorted(build.glob("[0-9][0-9]_*.json")):
        m = json.loads(p.read_text())
        if (build / f"{m['assignment']}-autograder.zip").exists():
            out[m["assignment"]] = m
    return out


def grade_folder(folder: Path, build: Path, timeout: float = DEFAULT_TIMEOUT, jobs: int = 1, out: Path | None = None):
    manifests = load_manifests(build)
    if not manifests:
        raise SystemExit(f"no autograders in {build}: run `make exercises` first")
    subs = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        rows = list(pool.map(lambda s: grade_one(s, manifests, build, timeout), subs))
    qcols = sorted({q["name"] for m in manifests.values() for q in m["questions"]}, key=lambda n: (len(n), n))
    out = out or folder / "grades.csv"
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "assignment", "score", "max", *qcols, "status", "flags"])
        for r in rows:
            qs = {q["name"]: q for q in manifests[r["assignment"]]["questions"]} if r["assignment"] else {}
            cells = [
                "" if c not in qs else "manual" if qs[c]["manual"] else f"{r['scores'].get(c, 0.0):g}" for c in qcols
            ]
            auto_max = f"{sum(q['points'] for q in qs.values() if not q['manual']):g}" if qs else ""
            score = f"{sum(r['scores'].values()):g}"
            w.writerow([r["file"], r["assignment"], score, auto_max, *cells, r["status"], "; ".join(r["flags"][:5])])
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
    args = ap.parse_args(argv)
    if not args.submissions.is_dir():
        raise SystemExit(f"{args.submissions} is not a folder")
    t0 = time.perf_counter()
    rows, out = grade_folder(args.submissions, args.build, args.timeout, args.jobs, args.out)
    for r in rows:
        flagged = f" [flags: {'; '.join(r['flags'][:3])}]" if r["flags"] else ""
        print(f"{r['file']}: {sum(r['scores'].values()):g} ({r['seconds']:.1f} s) {r['status']}{flagged}")
    print(f"graded {len(rows)} submission(s) in {time.perf_counter() - t0:.1f} s -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

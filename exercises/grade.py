"""Grade a folder of submitted exercise notebooks and write grades.csv.

    python exercises/grade.py SUBMISSIONS [--build exercises/build] [--timeout 120] [--jobs 1] [--out CSV]

Every file under SUBMISSIONS (subfolders too, as a learning-management system lays out a download) gets a row:
notebooks (``.ipynb`` in any case) and ``.py`` exports are graded, anything else is listed as not gradable. A
submission belongs to the assignment its notebook metadata names (Otter writes it); the file name decides only when
the metadata is missing, and a file name that names another assignment than the metadata is flagged.

How a submission is graded, in two processes:

1. **The student's code** runs in a fresh Jupyter kernel of its own, in a sandbox folder holding the notebook and
   the *public* checks only. The public checks carry no points, so they do not run while grading (Otter's
   ``grader`` cell becomes a stand-in whose methods do nothing, and the kernel never loads Otter unless the
   submission does); at each question's ``grader.check`` cell, that question is scored against the kernel's state
   at that moment (as Otter scores it),
   so a later cell cannot change an earlier answer's score; a question whose check never ran is scored at the
   end. Cells run in order; a cell
   that raises is recorded and the next one runs; a cell that kills the kernel is skipped and the kernel restarted
   with the cells before it, so questions that ran before a crash keep their points; a cell that runs past the time
   left is interrupted. A kernel that dies as it starts, before running anything, is started again (three tries;
   it talks to the grader over Unix sockets in the sandbox where the platform has them, so kernels started at
   the same moment cannot take each other's TCP ports). At the end the kernel's whole process group is killed,
   background processes included.
2. **The hidden tests** run in the grading process, which the student's code never touches: they come from the
   autograder zip, are read only here, and never reach the sandbox. Otter's own test-file runner scores them
   (``otter.test_files``), against an environment whose values are fetched from the kernel as plain data
   (``lossnotes.grading``: numbers as floats, SymPy expressions rebuilt from their structure) and whose functions are
   called in the kernel with plain arguments, results coming back as plain data. Nothing the submission does to
   Otter, NumPy or the test files in its kernel can change what is compared here.

Nothing is refused or zeroed by a guess: code that reaches for files, processes or Otter's internals, evaluates
strings as code or assigns into a module is listed in ``flags`` for the instructor, and graded like any other.

Columns of grades.csv: file (relative to SUBMISSIONS), assignment, score, max, one column per question (``manual``
for a written answer graded by hand, not in score or max), status (``ok``, ``error: ...``, ``timeout: ...``,
``not graded: ...``), flags, seconds.

``--jobs N`` grades N submissions at once, each in a long-lived worker process that keeps its imports between
submissions; a worker that passes a submission's time limit is killed with the kernel and replaced.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from assign import colab_setup_source  # noqa: E402

DEFAULT_TIMEOUT = 120.0
TEST_SECONDS = 60.0  # time for the hidden tests of one submission, on top of --timeout
REQUEST_SECONDS = 30.0  # one call into the student's kernel
START_ATTEMPTS = 3  # a kernel that dies before answering is started again
CHECK = re.compile(r"""grader\.check\(\s*["'](\w+)["']\s*\)""")
CHECK_ONLY = re.compile(r"""\s*(?:(?:#[^\n]*|grader\.check\(\s*["']\w+["']\s*\))\s*)+""")
# Otter's own cell (`grader = otter.Notebook(...)`): while grading, the public checks do not run (they carry no
# points, and scoring happens here), so the kernel gets a grader whose methods do nothing instead of Otter
GRADER_STUB = (
    "class _GradingStandIn:\n"
    "    def __getattr__(self, name):\n"
    "        return lambda *args, **kwargs: None\n\n\n"
    "grader = _GradingStandIn()"
)


def _otter_cell(source: str) -> bool:
    lines = [ln.strip() for ln in source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return "otter.Notebook(" in source and all(
        ln.startswith(("import ", "from ")) or ln.startswith("grader = otter.Notebook(") for ln in lines
    )


# worth a look by the instructor, never a score: what reaches outside the notebook or into the grader
MODULES = {"os", "sys", "subprocess", "shutil", "pathlib", "io", "glob", "importlib", "builtins", "inspect"}
MODULES |= {"ctypes", "gc", "pickle", "dill", "socket", "urllib", "requests", "tempfile", "threading", "atexit"}
NAMES = {"open", "exec", "eval", "compile", "__import__", "globals", "vars", "getattr", "setattr", "delattr"}
NAMES |= {"sympify", "parse_expr", "init_grading_mode"}
ATTRS = NAMES | {"system", "getoutput", "popen", "remove", "unlink", "write_text", "write_bytes", "fromfile"}
ATTRS |= {"tofile", "kill", "fork"}
MAGICS = {"run", "load", "writefile", "sx", "system", "bash", "sh", "script", "cd", "env", "pip", "conda"}


# ------------------------------------------------------------------ what an instructor may want to read


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
        aliases = {  # a module reached through another name: _o = otter
            t.id for n in ast.walk(tree) if isinstance(n, ast.Assign) and isinstance(n.value, ast.Name)
            and n.value.id in modules for t in n.targets if isinstance(t, ast.Name)
        }  # fmt: skip
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
                elif isinstance(node.ctx, ast.Store | ast.Del) and isinstance(root, ast.Name):
                    if root.id in modules:
                        what = f"assigns into {root.id}"
                    elif root.id in aliases:
                        what = f"assigns into a module through the alias {root.id}"
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("run_line_magic", "run_cell_magic"):
                magic = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else "?"
                what = f"runs %{magic}" if magic in MAGICS else None
            if what:
                found.append(f"cell {i}: {what}")
    return list(dict.fromkeys(found))


# ------------------------------------------------------------------ the autograder zip


def load_assignment(zpath: Path) -> dict:
    """The test files of an autograder zip, read into memory: name -> source, and public-only versions."""
    tests, public = {}, {}
    with zipfile.ZipFile(zpath) as zf:
        for n in zf.namelist():
            if n.startswith("tests/") and n.endswith(".py"):
                src = zf.read(n).decode()
                tests[Path(n).stem] = src
                public[Path(n).stem] = _public_only(src)
    return {"tests": tests, "public": public}


def _public_only(src: str) -> str:
    """A test file without its hidden test cases (and without the points those carry)."""
    tree = ast.parse(src)
    keep, kept_points = [], []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.decorator_list:
            deco = node.decorator_list[0]
            hidden = any(k.arg == "hidden" and getattr(k.value, "value", False) for k in getattr(deco, "keywords", []))
            if hidden:
                continue
            kept_points.append(next((k.value for k in deco.keywords if k.arg == "points"), None))
        keep.append(node)
    body = []
    for node in keep:  # `points = [...]` lists every case, hidden ones too: keep those of the public cases
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "points" for t in node.targets):
            if isinstance(node.value, ast.List):
                node = ast.Assign(targets=node.targets, value=ast.List([ast.Constant(0) for _ in kept_points]))
        body.append(node)
    return ast.unparse(ast.fix_missing_locations(ast.Module(body=body, type_ignores=[])))


def load_manifests(build: Path) -> dict:
    out = {}
    for p in sorted(build.glob("[0-9][0-9]_*.json")):
        m = json.loads(p.read_text())
        if (build / f"{m['assignment']}-autograder.zip").exists():
            out[m["assignment"]] = m
    return out


# ------------------------------------------------------------------ finding and reading submissions


def discover(folder: Path) -> list[Path]:
    """Every file under ``folder``, subfolders included (grades.csv and hidden files aside), sorted."""
    skip = {"grades.csv"}
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and p.name not in skip and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )  # fmt: skip


_PY_CELL = re.compile(r"^# (?:%%|In\[[ 0-9]*\]:)", re.M)


def read_submission(path: Path):
    """The notebook in a submitted file, and a note when it is not a plain notebook. Raises ValueError when the
    file holds no notebook."""
    import nbformat

    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        try:
            return nbformat.read(path, as_version=4), ""
        except Exception as e:
            raise ValueError(f"not a readable notebook ({_one_line(e, 150)})") from None
    if suffix == ".py":
        text = path.read_text(errors="replace")
        parts = [p.strip("\n") for p in _PY_CELL.split(text)]
        cells = [nbformat.v4.new_code_cell(p) for p in parts if p.strip() and not p.lstrip().startswith('"""')]
        return nbformat.v4.new_notebook(cells=cells), "graded from a .py export (no metadata, no Markdown answers)"
    raise ValueError(f"not a notebook or a .py export ({suffix or 'no extension'})")


def match_assignment(path: Path, nb, names) -> tuple[str | None, str]:
    """The assignment a submission belongs to: its Otter metadata first, else its file name; a note if they differ."""
    meta = nb.metadata.get("otter", {}).get("assignment_name")
    stem = path.name.lower()
    by_name = max((a for a in names if a.lower() in stem), key=len, default=None)
    if meta in names:
        if by_name and by_name != meta:
            return meta, f"file name says {by_name} but the notebook's metadata says {meta}: graded as {meta}"
        return meta, ""
    return by_name, ""


def _one_line(text, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ------------------------------------------------------------------ the student's kernel (untrusted)

SHIM = r"""
def __lossnotes_grader_setup():
    import json
    import warnings

    import numpy as _np

    from lossnotes import grading as _g

    ns = get_ipython().user_ns

    def handle(request):
        req = json.loads(request)
        try:
            if req["op"] == "fetch":
                if req["name"] not in ns:
                    return json.dumps({"missing": True})
                return json.dumps({"value": _g.encode(ns[req["name"]])})
            fn = ns[req["name"]]
            if req["op"] == "references":
                return json.dumps({"value": sorted(_g.references(fn))})
            args = [_g.decode(a) for a in req["args"]]
            kwargs = {k: _g.decode(v) for k, v in req["kwargs"].items()}
            with warnings.catch_warnings(record=True) as seen, _np.errstate(**req["errstate"]):
                warnings.simplefilter("always")
                result = fn(*args, **kwargs)
            return json.dumps({
                "value": _g.encode(result),
                "warnings": [[w.category.__name__, str(w.message)] for w in seen],
            })
        except BaseException as e:
            return json.dumps({"raised": [type(e).__name__, str(e)[:2000]]})

    return handle


__lossnotes_grader__ = __lossnotes_grader_setup()
del __lossnotes_grader_setup
"""

RAISABLE = {
    e.__name__: e
    for e in (ValueError, TypeError, FloatingPointError, ZeroDivisionError, OverflowError, ArithmeticError,
              KeyError, IndexError, NotImplementedError, RuntimeError, AssertionError, AttributeError, NameError)
}  # fmt: skip
WARNINGS = {w.__name__: w for w in (RuntimeWarning, UserWarning, DeprecationWarning, FutureWarning)}


class StudentError(Exception):
    """An exception the student's code raised in its kernel, of a type with no builtin counterpart here."""


class Kernel:
    """The student's kernel: runs the notebook's cells, then answers the grading process's requests."""

    def __init__(self, sandbox: Path, deadline: float):
        self.sandbox, self.deadline = sandbox, deadline
        self.km = self.kc = None

    def start(self):
        """Start a fresh kernel. A kernel that dies before it answers has run none of the student's code, so it is
        the machine's failure, not the submission's: it is started again, up to START_ATTEMPTS times."""
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                return self._start_once()
            except RuntimeError as e:
                self.stop()
                if attempt == START_ATTEMPTS:
                    log = self.sandbox / ".kernel-stderr"
                    tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
                    said = f"; it printed: {tail[0][:160]}" if tail else ""
                    raise RuntimeError(f"the kernel did not start in {attempt} attempts ({e}{said})") from None

    def _start_once(self):
        from jupyter_client import KernelManager

        env = {k: v for k, v in os.environ.items() if not k.startswith(("LOSSNOTES_", "PYTEST"))}
        env.update({"HOME": str(self.sandbox), "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"})
        env.update({"TMPDIR": str(self.sandbox), "IPYTHONDIR": str(self.sandbox / ".ipython")})
        connection = self.sandbox / ".kernel.json"
        # Unix sockets in the sandbox where the platform has them: TCP ports are chosen by the parent and bound
        # later by the kernel, and between the two another process starting a kernel can take them.
        ipc = os.name == "posix" and len(str(connection)) < 90
        self.km = KernelManager(
            kernel_name="python3", connection_file=str(connection), transport="ipc" if ipc else "tcp"
        )
        with open(self.sandbox / ".kernel-stderr", "wb") as log:
            # its own session: killpg reaches what it starts
            self.km.start_kernel(cwd=str(self.sandbox), env=env, stderr=log)
        (self.sandbox / ".kernel-pid").write_text(str(self.km.provisioner.process.pid))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def stop(self):
        pid = None
        if self.km is not None and self.km.provisioner and self.km.provisioner.process:
            pid = self.km.provisioner.process.pid
        try:
            if self.kc is not None:
                self.kc.stop_channels()
        finally:
            if pid:
                _kill_group(pid)
            if self.km is not None:
                try:
                    self.km.cleanup_resources()
                except Exception:
                    pass
            self.km = self.kc = None

    def alive(self) -> bool:
        return self.km is not None and self.km.is_alive()

    def run(self, source: str, timeout: float) -> dict:
        """Run one cell; returns {"status": ok|error|timeout|dead, "error": "Name: message"}."""
        msg_id = self.kc.execute(source, store_history=True, allow_stdin=False)
        end = time.monotonic() + max(timeout, 0.1)
        out = {"status": "ok", "error": None}
        while True:
            left = end - time.monotonic()
            if left <= 0:
                self.km.interrupt_kernel()
                try:
                    self.kc.get_shell_msg(timeout=5)
                except queue.Empty:
                    return {"status": "dead", "error": "did not stop when interrupted"}
                return {"status": "timeout", "error": None}
            if not self.alive():
                return {"status": "dead", "error": "the kernel died"}
            try:
                reply = self.kc.get_shell_msg(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if reply["parent_header"].get("msg_id") != msg_id:
                continue
            content = reply["content"]
            if content.get("status") == "error":
                out = {"status": "error", "error": f"{content.get('ename')}: {content.get('evalue')}"}
            self._drain()
            return out

    def _drain(self):
        while True:  # the student's outputs are not kept: only what the grade needs
            try:
                self.kc.get_iopub_msg(timeout=0.01)
            except queue.Empty:
                return

    def request(self, payload: dict) -> dict:
        import ast as _ast

        expr = f"__lossnotes_grader__({json.dumps(json.dumps(payload))})"
        msg_id = self.kc.execute("", silent=True, store_history=False, user_expressions={"r": expr})
        end = time.monotonic() + REQUEST_SECONDS
        while time.monotonic() < end:
            try:
                reply = self.kc.get_shell_msg(timeout=1.0)
            except queue.Empty:
                if not self.alive():
                    raise StudentError("the student's kernel died while answering") from None
                continue
            if reply["parent_header"].get("msg_id") != msg_id:
                continue
            r = reply["content"].get("user_expressions", {}).get("r", {})
            if r.get("status") != "ok":
                raise StudentError(f"the grading request failed in the kernel: {r.get('ename')}: {r.get('evalue')}")
            return json.loads(_ast.literal_eval(r["data"]["text/plain"]))
        self.km.interrupt_kernel()
        raise StudentError(f"no answer from the student's code within {REQUEST_SECONDS:g} s")


def _kill_group(pid: int):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class RemoteFunction:
    """A student's function, called in the student's kernel with plain arguments; results come back as plain
    data, NumPy warnings raised there are raised here, and NumPy's error state here applies there."""

    def __init__(self, kernel: Kernel, name: str):
        self._kernel, self._name = kernel, name
        self.__lossnotes_remote__ = self
        self.__name__ = name

    def __call__(self, *args, **kwargs):
        import warnings

        import numpy as np

        from lossnotes import grading as g

        reply = self._kernel.request({
            "op": "call", "name": self._name, "errstate": np.geterr(),
            "args": [g.encode(a) for a in args], "kwargs": {k: g.encode(v) for k, v in kwargs.items()},
        })  # fmt: skip
        if "raised" in reply:
            name, message = reply["raised"]
            raise RAISABLE.get(name, StudentError)(message if name in RAISABLE else f"{name}: {message}")
        for category, message in reply.get("warnings", []):
            warnings.warn(message, WARNINGS.get(category, RuntimeWarning), stacklevel=2)
        return g.decode(reply["value"])

    def references(self):
        reply = self._kernel.request({"op": "references", "name": self._name})
        if "raised" in reply:
            raise StudentError(": ".join(reply["raised"]))
        return reply["value"]

    def __repr__(self):
        return f"<the submission's function {self._name}>"


class RemoteEnv(dict):
    """The submission's global names as Otter's test runner asks for them: values as plain data, functions as
    ``RemoteFunction``; fetched from the kernel once each."""

    def __init__(self, kernel: Kernel):
        super().__init__()
        self._kernel = kernel

    def get(self, name, default=None):
        if name not in self:
            from lossnotes import grading as g

            reply = self._kernel.request({"op": "fetch", "name": name})
            if reply.get("missing"):
                return default
            if "raised" in reply:
                value = None  # an answer that cannot travel (e.g. an object of a foreign type) counts as absent
            elif reply["value"]["t"] == "callable":
                value = RemoteFunction(self._kernel, name)
            else:
                value = g.decode(reply["value"])
            self[name] = value
        return dict.get(self, name, default)

    def __getitem__(self, name):
        value = self.get(name, _MISSING)
        if value is _MISSING:
            raise KeyError(name)
        return value


_MISSING = object()


# ------------------------------------------------------------------ grading one submission (trusted)


def grade_notebook(nb, assignment: dict, name: str, timeout: float) -> dict:
    """Run the submission in its own kernel, then score its hidden tests here. Never raises."""
    from otter.test_files import ExceptionTestFile

    verdict = {"scores": {}, "status": "ok", "notes": []}
    sandbox = Path(tempfile.mkdtemp(prefix="lossnotes-grade-"))
    deadline = time.monotonic() + timeout
    kernel = Kernel(sandbox, deadline)
    try:
        (sandbox / "tests").mkdir()
        for q, src in assignment["public"].items():
            (sandbox / "tests" / f"{q}.py").write_text(src)
        import nbformat

        nbformat.write(nb, sandbox / f"{name}.ipynb")
        cells = [c.source for c in nb.cells if c.cell_type == "code" and c.source.strip()]
        cells = [GRADER_STUB if _otter_cell(c) else c for c in cells]
        kernel.start()
        hooked = False

        def score(questions):
            """Run these questions' tests here, against the kernel's state now (as Otter does at a check)."""
            nonlocal hooked
            if not hooked:
                if kernel.run(SHIM, 30)["status"] != "ok":
                    raise StudentError("the grading hook could not be installed in the kernel")
                hooked = True
            env = RemoteEnv(kernel)
            for q in questions:
                tf = ExceptionTestFile.from_string(assignment["tests"][q], path=f"tests/{q}.py")
                tf.run(env)
                verdict["scores"][q] = float(tf.score)

        def restart_and_replay(upto, skipped):
            nonlocal hooked
            kernel.stop()
            kernel.start()
            hooked = False
            for j in range(upto):
                if j not in skipped and time.monotonic() < deadline:
                    kernel.run(cells[j], deadline - time.monotonic())

        errors, skipped, i = [], set(), 0
        while i < len(cells):
            left = deadline - time.monotonic()
            if left <= 0:
                verdict["status"] = f"timeout: cells {i + 1}..{len(cells)} did not run within {timeout:g} s"
                break
            only_checks = CHECK_ONLY.fullmatch(cells[i]) is not None
            result = {"status": "ok", "error": None} if only_checks else kernel.run(cells[i], left)
            if result["status"] == "error":
                errors.append(f"cell {i + 1}: {result['error']}")
            elif result["status"] == "timeout":
                errors.append(f"cell {i + 1}: interrupted at the time limit")
            elif result["status"] == "dead":  # skip it, restart, replay what ran before
                skipped.add(i)
                errors.append(f"cell {i + 1} stopped the kernel ({result['error']}); graded without it")
                restart_and_replay(i, skipped)
            if result["status"] != "dead":
                checked = [q for q in CHECK.findall(cells[i]) if q in assignment["tests"]]
                if checked:
                    score(checked)
            i += 1
        if errors and verdict["status"] == "ok":
            verdict["status"] = f"error: {_one_line(errors[0], 200)} (graded on what ran)"
        verdict["notes"] += errors[1:4]
        rest = [q for q in assignment["tests"] if q not in verdict["scores"]]
        if rest:  # questions whose check cell never ran: graded on the final state
            if not kernel.alive():
                restart_and_replay(len(cells), skipped)
            score(rest)
    except Exception as e:
        verdict["status"] = f"error: grading failed ({type(e).__name__}: {_one_line(e, 200)})"
    finally:
        kernel.stop()
        shutil.rmtree(sandbox, ignore_errors=True)
    return verdict


def worker() -> int:
    """A long-lived grading process: one JSON job per line on stdin, one JSON verdict per line on stdout."""
    import nbformat
    import otter.test_files  # noqa: F401  (imported once, for every submission this worker grades)

    assignments = {}
    out = sys.stdout
    sys.stdout = sys.stderr  # nothing but verdicts on the channel
    for line in sys.stdin:
        job = json.loads(line)
        zpath = job["zip"]
        if zpath not in assignments:
            assignments[zpath] = load_assignment(Path(zpath))
        nb = nbformat.reads(job["notebook"], as_version=4)
        verdict = grade_notebook(nb, assignments[zpath], job["assignment"], job["timeout"])
        out.write(json.dumps(verdict) + "\n")
        out.flush()
    return 0


class Worker:
    """The parent's handle on one worker process."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            start_new_session=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )  # fmt: skip

    def grade(self, job: dict, limit: float):
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        box = {}
        reader = threading.Thread(target=lambda: box.setdefault("line", self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(limit)
        if reader.is_alive() or not box.get("line"):
            return None
        return json.loads(box["line"])

    def kill(self):
        import psutil

        try:
            family = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            family = []
        for p in family:  # the kernels run in sessions of their own
            _kill_group(p.pid)
        _kill_group(self.proc.pid)
        self.proc.wait()

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except Exception:
            self.kill()


def grade_folder(folder: Path, build: Path, timeout: float = DEFAULT_TIMEOUT, jobs: int = 1, out: Path | None = None):
    manifests = load_manifests(build)
    if not manifests:
        raise SystemExit(f"no autograders in {build}: run `make exercises` first")
    files = discover(folder)
    todo, rows = queue.Queue(), {}
    for path in files:
        rel = path.relative_to(folder).as_posix()
        row = {"file": rel, "assignment": "", "scores": {}, "status": "ok", "flags": [], "seconds": 0.0}
        rows[rel] = row
        try:
            nb, note = read_submission(path)
        except ValueError as e:
            row["status"] = f"not graded: {e}"
            continue
        name, mismatch = match_assignment(path, nb, manifests)
        if name is None:
            row["status"] = "not graded: no assignment matches this file's name or its notebook metadata"
            continue
        row["assignment"], row["flags"] = name, flags(nb) + [f for f in (note, mismatch) if f]
        auto = [q["name"] for q in manifests[name]["questions"] if not q["manual"]]
        row["scores"] = dict.fromkeys(auto, 0.0)
        todo.put((row, nb, name))

    def run():
        import nbformat

        w = Worker()
        try:
            while True:
                try:
                    row, nb, name = todo.get_nowait()
                except queue.Empty:
                    return
                t0 = time.perf_counter()
                job = {"zip": str(build / f"{name}-autograder.zip"), "assignment": name, "timeout": timeout,
                       "notebook": nbformat.writes(nb)}  # fmt: skip
                verdict = w.grade(job, timeout + TEST_SECONDS + 30)
                if verdict is None:
                    w.kill()
                    w = Worker()
                    row["status"] = f"timeout: no result after {timeout:g} s (killed with its kernel)"
                else:
                    auto = list(row["scores"])
                    row["scores"] = {q: float(verdict["scores"].get(q, 0.0)) for q in auto}
                    row["status"] = verdict["status"]
                    missing = [q for q in auto if q not in verdict["scores"]]
                    if missing and row["status"] == "ok":
                        row["status"] = f"error: no result for {', '.join(missing)}"
                    row["flags"] += verdict["notes"]
                row["seconds"] = time.perf_counter() - t0
        finally:
            w.close()

    threads = [threading.Thread(target=run) for _ in range(max(1, min(jobs, todo.qsize() or 1)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    qcols = sorted({q["name"] for m in manifests.values() for q in m["questions"]}, key=lambda n: (len(n), n))
    out = out or folder / "grades.csv"
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "assignment", "score", "max", *qcols, "status", "flags", "seconds"])
        for r in rows.values():
            qs = {q["name"]: q for q in manifests[r["assignment"]]["questions"]} if r["assignment"] else {}
            cells = [
                "" if c not in qs else "manual" if qs[c]["manual"] else f"{r['scores'].get(c, 0.0):g}" for c in qcols
            ]
            auto_max = f"{sum(q['points'] for q in qs.values() if not q['manual']):g}" if qs else ""
            score = f"{sum(r['scores'].values()):g}" if qs else ""
            flagged = "; ".join(r["flags"][:6])
            seconds = f"{r['seconds']:.1f}"
            w.writerow([r["file"], r["assignment"], score, auto_max, *cells, r["status"], flagged, seconds])
    return list(rows.values()), out


def main(argv=None) -> int:
    if argv is None and sys.argv[1:] == ["--worker"]:
        return worker()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("submissions", type=Path, help="folder of submitted notebooks (subfolders too)")
    ap.add_argument("--build", type=Path, default=HERE / "build", help="where `make exercises` put the autograders")
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per submission (default 120)")
    ap.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    ap.add_argument("--out", type=Path, default=None, help="CSV to write (default SUBMISSIONS/grades.csv)")
    args = ap.parse_args(argv)
    if not args.submissions.is_dir():
        raise SystemExit(f"{args.submissions} is not a folder")
    t0 = time.perf_counter()
    rows, out = grade_folder(args.submissions, args.build, args.timeout, args.jobs, args.out)
    graded = [r for r in rows if not r["status"].startswith("not graded")]
    for r in rows:
        flagged = f" [flags: {'; '.join(r['flags'][:3])}]" if r["flags"] else ""
        print(f"{r['file']}: {sum(r['scores'].values()):g} ({r['seconds']:.1f} s) {r['status']}{flagged}")
    skipped = len(rows) - len(graded)
    note = f"; {skipped} file(s) not graded, listed with the reason" if skipped else ""
    print(f"graded {len(graded)} submission(s) in {time.perf_counter() - t0:.1f} s{note} -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

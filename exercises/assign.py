"""Build the graded exercises from their masters with Otter Assign.

For each master ``source/NN_topic.ipynb`` this stages the master next to a copy of the ``lossnotes`` package and
a ``requirements.txt`` pinned to the versions in the repository's ``requirements.txt`` (numpy, scipy, sympy,
matplotlib and what they need), runs ``otter assign`` there (which also runs the hidden and public tests against
the master's solutions and fails if any of them fails) into ``BUILD/NN_topic/``, then

- copies the student notebook to ``STUDENTS/NN_topic.ipynb`` (default ``BUILD/students``; ``make exercises`` copies
  them to ``exercises/``, where they are committed) with its cell ids renumbered: Otter gives the
  cells it inserts (the ``grader = otter.Notebook(...)`` cell, the ``grader.check`` cells, the answer cells)
  random ids on every run, and that is the only part of the student notebook that varies between runs
  (then ruff puts Otter's ``import otter`` cell in the house style); its ``otter.Notebook`` cell finds the notebook
  under any name it was saved as (``lossnotes.grading.notebook_path``);
- copies the autograder zip to ``BUILD/NN_topic-autograder.zip`` (Otter's own name carries a timestamp) and
  the notebook with solutions to ``BUILD/NN_topic-solution.ipynb``. The zip is self-contained: its
  ``environment.yml`` lists the pinned stack and ``files/lossnotes`` is the library, so ``otter run`` grades
  with it offline (Gradescope and ``otter grade`` first build an environment from it, which needs the network);
- writes ``BUILD/NN_topic.json``: the questions with their points and whether they are graded by hand, read
  from the master, for ``grade.py``.

Usage: python exercises/assign.py [--source DIR] [--build DIR] [--students DIR] [--no-run-tests] [NAME ...]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# the grading stack: these and what they depend on, at the versions the course is tested with
PINNED = ("numpy", "scipy", "sympy", "mpmath", "matplotlib", "contourpy", "cycler", "fonttools", "kiwisolver")
PINNED += ("packaging", "pillow", "pyparsing", "python-dateutil", "six")


def questions(master: Path) -> list[dict]:
    """The questions of a master notebook, in order: name, points (total) and manual (graded by hand)."""
    out = []
    for cell in nbformat.read(master, as_version=4).cells:
        src = cell.source.strip()
        if cell.cell_type == "raw" and src.startswith("# BEGIN QUESTION"):
            cfg = yaml.safe_load(src.split("\n", 1)[1]) or {}
            pts = cfg.get("points", 1)
            total = sum(pts) if isinstance(pts, list) else pts.get("each", 1) if isinstance(pts, dict) else pts
            out.append({"name": cfg["name"], "points": round(float(total), 6), "manual": bool(cfg.get("manual"))})
    return out


def colab_setup_source(grader: bool = True) -> str:
    """The first cell of every chapter and exercise notebook. On Colab, which has neither the course library
    nor Otter, it installs them; an exercise also writes its public checks, which travel in the notebook's
    metadata, to ``./tests``, where Otter looks for them on Colab. Everywhere else (Binder, a local ``make``
    setup, grading) it does nothing and reaches no network.

    The repository comes from ``repository.url`` in ``_config.yml``, the one place it is set."""
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    if not grader:
        return (
            "# On Colab, install the course library first (Binder and a local `make` setup already have it).\n"
            "try:\n    import lossnotes  # noqa: F401\nexcept ModuleNotFoundError:\n"
            f'    %pip install --quiet "lossnotes @ git+{url}"'
        )
    return (
        "# On Colab, install the course library and the grader, and unpack the public checks\n"
        "# (Binder, a local `make` setup and the autograder already have all of it).\n"
        "import sys\n\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install --quiet "lossnotes @ git+{url}" otter-grader==7.0.0\n'
        "    import json\n"
        "    import os\n\n"
        "    from google.colab import _message\n\n"
        '    _nb = _message.blocking_request("get_ipynb")["ipynb"]\n'
        '    os.makedirs("tests", exist_ok=True)\n'
        '    for _q, _code in _nb["metadata"]["otter"]["tests"].items():\n'
        '        with open(f"tests/{_q}.py", "w") as _fh:\n'
        "            _fh.write(_code)\n"
        "    # a copy of the notebook next to the tests, where otter.Notebook reads its settings\n"
        '    with open(_nb["metadata"]["otter"]["assignment_name"] + ".ipynb", "w") as _fh:\n'
        "        json.dump(_nb, _fh)"
    )


def pinned_requirements() -> str:
    """requirements.txt for the autograder: the grading stack at the repository's pinned versions."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name, sep, version = line.strip().partition("==")
        if sep and name.lower() in PINNED:
            pins[name.lower()] = f"{name}=={version}"
    missing = [n for n in PINNED if n not in pins]
    if missing:
        raise SystemExit(f"requirements.txt pins no version of {', '.join(missing)}")
    return "\n".join(pins[n] for n in PINNED) + "\n"


def stage(master: Path, where: Path) -> Path:
    """Copy the master into ``where`` with ``lossnotes`` and the pinned requirements, and tell Otter to put
    both into the autograder (the masters keep only what is specific to each assignment)."""
    nb = nbformat.read(master, as_version=4)
    config = nb.cells[0]
    assert config.cell_type == "raw" and config.source.startswith("# ASSIGNMENT CONFIG"), master
    config.source = config.source.rstrip() + (
        "\nrequirements: requirements.txt\npython_version: 3.11\nautograder_files:\n  - lossnotes\n"
    )
    nbformat.write(nb, where / master.name)
    (where / "requirements.txt").write_text(pinned_requirements())
    shutil.copytree(ROOT / "lossnotes", where / "lossnotes", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return where / master.name


def normalise(nb_path: Path, dest: Path, prefix: str) -> None:
    """Write the student notebook with stable cell ids (the only part Otter randomises), in the house style.

    Otter's inserted ``import otter`` cell is not in ruff's import style, so the notebook goes through
    ``ruff check --fix --select I`` (imports only) and ``ruff format``, with the repository's configuration.
    """
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(colab_setup_source(grader=True)))
    name = Path(dest).stem
    for cell in nb.cells:  # a renamed copy ("Copy of ...", "... (1)") still finds its public checks
        if cell.cell_type == "code" and f'otter.Notebook("{name}.ipynb")' in cell.source:
            cell.source = cell.source.replace(
                f'otter.Notebook("{name}.ipynb")', f'otter.Notebook(notebook_path("{name}"))'
            ).replace("import otter\n", "import otter\n\nfrom lossnotes.grading import notebook_path\n")
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{prefix}-{i:03d}"
    nbformat.write(nb, dest)
    ruff = Path(sys.executable).with_name("ruff")
    ruff = str(ruff) if ruff.exists() else shutil.which("ruff")
    if ruff:
        config = ["--config", str(HERE.parent / "pyproject.toml")]
        fix_imports = [ruff, "check", "--fix", "--select", "I", "--quiet", *config, str(dest)]
        subprocess.run(fix_imports, check=False, capture_output=True)
        subprocess.run([ruff, "format", "--quiet", *config, str(dest)], check=True, capture_output=True)


def assign(master: Path, build: Path, students: Path, run_tests: bool = True) -> dict:
    name = master.stem
    out = build / name
    if out.exists():
        shutil.rmtree(out)
    with tempfile.TemporaryDirectory(prefix=f"assign-{name}-") as tmp:
        cmd = [sys.executable, "-m", "otter", "assign", str(stage(master, Path(tmp))), str(out)]
        if not run_tests:
            cmd.append("--no-run-tests")
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-5000:] + proc.stderr[-5000:])
        raise SystemExit(f"otter assign failed for {master.name} (exit {proc.returncode})")
    zips = sorted((out / "autograder").glob(f"{name}-autograder_*.zip"))
    if len(zips) != 1:
        raise SystemExit(f"expected one autograder zip for {name}, found {len(zips)}")
    shutil.copy(zips[0], build / f"{name}-autograder.zip")
    shutil.copy(out / "autograder" / f"{name}.ipynb", build / f"{name}-solution.ipynb")
    normalise(out / "student" / f"{name}.ipynb", students / f"{name}.ipynb", name[:2])
    manifest = {"assignment": name, "questions": questions(master)}
    (build / f"{name}.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", type=Path, default=HERE / "source")
    ap.add_argument("--build", type=Path, default=HERE / "build")
    ap.add_argument("--students", type=Path, default=None, help="student notebooks (default BUILD/students)")
    ap.add_argument("--no-run-tests", action="store_true", help="skip running the tests on the solutions")
    ap.add_argument("names", nargs="*", help="only these masters (e.g. 02_maximum_likelihood)")
    args = ap.parse_args(argv)
    masters = sorted(args.source.glob("[0-9][0-9]_*.ipynb"))
    if args.names:
        masters = [m for m in masters if m.stem in args.names]
    if not masters:
        raise SystemExit(f"no masters found in {args.source}")
    args.students = args.students or args.build / "students"
    args.build.mkdir(parents=True, exist_ok=True)
    args.students.mkdir(parents=True, exist_ok=True)
    for master in masters:
        m = assign(master.resolve(), args.build.resolve(), args.students.resolve(), not args.no_run_tests)
        auto = sum(q["points"] for q in m["questions"] if not q["manual"])
        manual = sum(q["points"] for q in m["questions"] if q["manual"])
        print(f"{master.stem}: {len(m['questions'])} questions, {auto:g} points auto-graded, {manual:g} by hand")
    return 0


if __name__ == "__main__":
    sys.exit(main())

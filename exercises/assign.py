"""Build the graded exercises from their masters with Otter Assign.

For each master ``source/NN_topic.ipynb`` this runs ``otter assign`` (which also runs the hidden and public
tests against the master's solutions and fails if any of them fails) into ``BUILD/NN_topic/``, then

- copies the student notebook to ``STUDENTS/NN_topic.ipynb`` with its cell ids renumbered: Otter gives the
  cells it inserts (the ``grader = otter.Notebook(...)`` cell, the ``grader.check`` cells, the answer cells)
  random ids on every run, and that is the only part of the student notebook that varies between runs
  (then ruff puts Otter's ``import otter`` cell in the house style);
- copies the autograder zip to ``BUILD/NN_topic-autograder.zip`` (Otter's own name carries a timestamp) and
  the notebook with solutions to ``BUILD/NN_topic-solution.ipynb``;
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
from pathlib import Path

import nbformat
import yaml

HERE = Path(__file__).resolve().parent


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
    """The first cell of every chapter and exercise notebook: on Colab, which has neither the course library nor
    Otter, it installs them; everywhere else (Binder, a local ``make`` setup, grading) it does nothing.

    The repository comes from ``repository.url`` in ``_config.yml``, the one place it is set."""
    url = yaml.safe_load((HERE.parent / "_config.yml").read_text())["repository"]["url"]
    what = "the course library and the grader" if grader else "the course library"
    # in the order ruff's import sorting leaves them (otter is third-party, lossnotes first-party)
    imports = ("    import otter  # noqa: F401\n\n" if grader else "") + "    import lossnotes  # noqa: F401\n"
    extra = " otter-grader==7.0.0" if grader else ""
    pronoun = "them" if grader else "it"
    return (
        f"# On Colab, install {what} first (Binder and a local `make` setup already have {pronoun}).\n"
        f"try:\n{imports}except ModuleNotFoundError:\n"
        f'    %pip install --quiet "lossnotes @ git+{url}"{extra}'
    )


def normalise(nb_path: Path, dest: Path, prefix: str) -> None:
    """Write the student notebook with stable cell ids (the only part Otter randomises), in the house style.

    Otter's inserted ``import otter`` cell is not in ruff's import style, so the notebook goes through
    ``ruff check --fix --select I`` (imports only) and ``ruff format``, with the repository's configuration.
    """
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(colab_setup_source(grader=True)))
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
    cmd = [sys.executable, "-m", "otter", "assign", str(master), str(out)]
    if not run_tests:
        cmd.append("--no-run-tests")
    proc = subprocess.run(cmd, capture_output=True, text=True)
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
    ap.add_argument("--students", type=Path, default=HERE)
    ap.add_argument("--no-run-tests", action="store_true", help="skip running the tests on the solutions")
    ap.add_argument("names", nargs="*", help="only these masters (e.g. 02_maximum_likelihood)")
    args = ap.parse_args(argv)
    masters = sorted(args.source.glob("[0-9][0-9]_*.ipynb"))
    if args.names:
        masters = [m for m in masters if m.stem in args.names]
    if not masters:
        raise SystemExit(f"no masters found in {args.source}")
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

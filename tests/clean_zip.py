"""The autograder zip grades on its own: a virtual environment built only from the pip requirements its
environment.yml declares, then `otter run` with no network; a correct submission scores full marks.

Installing the stack needs the package registry, so this is not part of `make test` (which needs no network once
set up): `make test-zip` runs it, and CI calls that target once. LOSSNOTES_ZIP_ASSIGNMENTS picks the assignments
(default 05_output_units).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_grading import points, submission  # noqa: E402

ZIP_ASSIGNMENTS = os.environ.get("LOSSNOTES_ZIP_ASSIGNMENTS", "05_output_units").split(",")


@pytest.mark.parametrize("name", ZIP_ASSIGNMENTS)
def test_the_zip_grades_alone_in_a_clean_environment(built, tmp_path, name):
    """A virtual environment built only from the pip requirements the zip's environment.yml declares (PyPI
    reachable), then `otter run` with no network: a correct submission scores full marks."""
    import yaml

    zpath = built / f"{name}-autograder.zip"
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

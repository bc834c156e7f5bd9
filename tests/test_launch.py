"""Binder, Colab and the links between chapters and exercises all follow one repository address
(``repository.url`` in _config.yml), and every notebook can install what it needs on Colab."""

import re
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "exercises"))
from assign import colab_setup_source  # noqa: E402

URL = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
SLUG = URL.removeprefix("https://github.com/")
CHAPTERS = sorted((ROOT / "book").glob("0*.ipynb"))
STUDENT = sorted((ROOT / "exercises").glob("0*.ipynb"))
LINK = re.compile(r"https://(?:github\.com|mybinder\.org/v2/gh|colab\.research\.google\.com/github)/([\w.-]+/[\w.-]+)")


def test_binder_uses_the_pinned_requirements_and_installs_the_package():
    lines = [ln for ln in (ROOT / "binder/requirements.txt").read_text().splitlines() if ln.strip() and ln[0] != "#"]
    assert lines == ["-r ../requirements.txt"]
    assert (ROOT / "binder/runtime.txt").read_text().strip() == "python-3.11"
    post = ROOT / "binder/postBuild"
    assert post.stat().st_mode & 0o111 and "pip install" in post.read_text() and "-e ." in post.read_text()


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_installs_lossnotes_on_colab_before_using_it(path):
    code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    assert code[0].source == colab_setup_source(grader=False)
    assert "remove-cell" in code[0].metadata.get("tags", [])  # in the notebook, not on the HTML page


@pytest.mark.parametrize("path", STUDENT, ids=lambda p: p.stem)
def test_exercise_installs_lossnotes_and_otter_on_colab_first(path):
    cells = nbformat.read(path, as_version=4).cells
    assert cells[0].source == colab_setup_source(grader=True)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapters_with_exercises_link_to_them(path):
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    if (ROOT / "exercises" / path.name).exists():
        assert "## Exercises" in text
        for link in (
            f"https://mybinder.org/v2/gh/{SLUG}/main?urlpath=lab/tree/exercises/{path.name}",
            f"https://colab.research.google.com/github/{SLUG}/blob/main/exercises/{path.name}",
            f"{URL}/blob/main/exercises/{path.name}",
        ):
            assert link in text


def test_every_repository_link_follows_repository_url():
    files = [*CHAPTERS, *STUDENT, ROOT / "README.md", ROOT / "book/intro.md"]
    seen = 0
    for f in files:
        for m in LINK.finditer(f.read_text()):
            if m.group(1).startswith(("lossnotes/", SLUG.split("/")[0] + "/")):
                seen += 1
                assert m.group(1) == SLUG, f"{f.name} links to {m.group(0)}, not to {URL}"
    assert seen >= 3 * 6

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

# Reproducible property tests: the same examples on every run (set HYPOTHESIS_EXPLORE=1 to search afresh).
settings.register_profile("repro", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", database=None, deadline=None)
settings.load_profile("explore" if os.environ.get("HYPOTHESIS_EXPLORE") else "repro")


@pytest.fixture
def rng():
    return np.random.default_rng(20261121)


ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "exercises" / "build"


def _missing(build: Path) -> list[str]:
    """Masters whose autograder zip or student notebook is not in the build."""
    sources = sorted((ROOT / "exercises" / "source").glob("[0-9][0-9]_*.ipynb"))
    need = [(build / f"{m.stem}-autograder.zip", build / "students" / f"{m.stem}.ipynb") for m in sources]
    return [m.stem for m, files in zip(sources, need, strict=True) if not all(f.is_file() for f in files)]


@pytest.fixture(scope="session")
def built():
    """The exercises as `make exercises` builds them, once per run: exercises/build (the autograder zips, the solved
    notebooks, the manifests) and exercises/build/students (the student notebooks). `make test` builds it first;
    run alone, a test that needs it says what to run (the Makefile rebuilds a zip whenever its master or the library
    changes)."""
    missing = _missing(BUILD)
    if missing:
        pytest.fail(f"exercises/build has no build of {', '.join(missing)}: run `make exercises`", pytrace=False)
    return BUILD


def _cost_rank(item):
    """Work that takes longest first, so that no long file starts when the other worker is nearly done: the grading
    tests (a minute and a half), the chapters under nbval (5-30 s each), the browser's pages, then the rest."""
    if item.path.name == "test_grading.py":
        return 0
    if item.path.suffix == ".ipynb":
        return 1
    return 2 if item.path.name == "test_browser.py" else 3


def pytest_collection_modifyitems(config, items):
    items.sort(key=_cost_rank)  # stable: a file's tests (a notebook's cells) keep their order


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile`` as pytest-xdist does it (each file on one worker, so a module's fixtures are built once),
    except the browser tests: each opens a page of its own, so each goes to whichever worker is free. Kept whole,
    that file alone keeps one worker busy for a minute and a half while the other runs out of work. Files are
    handed out in the order of ``_cost_rank``, not by their number of tests."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class LoadFileButPages(LoadFileScheduling):
        def _split_scope(self, nodeid):
            if nodeid.partition("::")[0].endswith("tests/test_browser.py"):
                return nodeid
            return super()._split_scope(nodeid)

    config.option.loadscopereorder = False
    return LoadFileButPages(config, log)

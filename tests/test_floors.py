"""The declared dependency ranges are what the environment holds.

In the pinned environment (`make test`) every pinned version lies inside the range pyproject.toml declares. In
.venv-oldest (`make test-oldest` sets LOSSNOTES_EXPECT_FLOORS=1) every dependency is exactly at its floor, so that
the library tests and the chapters that run next in that environment test the floors and nothing newer.
"""

import os
import re
from importlib.metadata import version
from pathlib import Path

import pytest
from floors import declared, floors, version_tuple

ROOT = Path(__file__).resolve().parents[1]
AT_FLOORS = os.environ.get("LOSSNOTES_EXPECT_FLOORS") == "1"


@pytest.mark.parametrize("name", sorted(floors()))
def test_installed_version_is_inside_the_declared_range(name):
    installed = version_tuple(version(name))
    floor = version_tuple(floors()[name])
    assert installed >= floor, f"{name} {version(name)} is older than the declared floor {floors()[name]}"
    cap = re.search(r"<\s*([0-9][0-9.]*)", next(r for r in declared() if r.lower().startswith(name)))
    if cap:
        assert installed < version_tuple(cap.group(1)), f"{name} {version(name)} is at or above the cap {cap.group(1)}"
    if AT_FLOORS:
        assert installed == floor, f"{name} {version(name)} installed, but the floor is {floors()[name]}"


def test_pinned_requirements_satisfy_the_declared_ranges():
    pins = dict(
        line.lower().split("==", 1)
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    for name, floor in floors().items():
        assert name in pins, f"{name} is a dependency of lossnotes but not pinned in requirements.txt"
        assert version_tuple(pins[name]) >= version_tuple(floor), f"{name}=={pins[name]} is below its floor {floor}"


def test_floor_parser_refuses_what_it_cannot_read(monkeypatch):
    import floors as module

    monkeypatch.setattr(module, "declared", lambda: ["numpy>=1.24", "scipy"])
    with pytest.raises(ValueError, match="scipy"):
        module.floors()
    monkeypatch.setattr(module, "declared", lambda: ["ipywidgets>=8"])
    assert module.floors() == {"ipywidgets": "8.0.0"}

"""The oldest versions the lossnotes package allows: the floors declared in pyproject.toml.

``python tests/floors.py`` prints them as pip requirements (``numpy==1.24.0``, one a line); `make test-oldest`
installs exactly these into .venv-oldest and runs the library tests and every chapter there.
``test_floors.py`` checks that the environment it runs in satisfies the declared ranges (and, in .venv-oldest,
that it holds the floors themselves).
"""

import re
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
FLOOR = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*>=\s*([0-9][0-9.]*)\s*(?:,\s*<\s*[0-9][0-9.]*\s*)?$")


def declared() -> list[str]:
    return tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]


def floors() -> dict[str, str]:
    """name -> the lowest version allowed, padded to three parts (``>=8`` is 8.0.0)."""
    out = {}
    for requirement in declared():
        match = FLOOR.match(requirement)
        if not match:
            raise ValueError(f"pyproject.toml: {requirement!r} has no plain `>=` floor (name>=X.Y[, <Z])")
        parts = match.group(2).split(".")
        out[match.group(1).lower()] = ".".join(parts + ["0"] * (3 - len(parts)))
    return out


def version_tuple(version: str) -> tuple[int, ...]:
    parts = [int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3]]
    return tuple(parts + [0] * (3 - len(parts)))


if __name__ == "__main__":
    for name, version in floors().items():
        print(f"{name}=={version}")

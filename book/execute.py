"""Execute notebooks in place, as the book's tests expect them committed.

    .venv/bin/python book/execute.py book/03_noise_models.ipynb [more ...]
    make notebooks NB="book/03_noise_models.ipynb"  (all chapters without NB)

Each notebook runs from the top in a fresh kernel in its own folder (Restart
& Run All), so its execution counts are 1, 2, 3, ...; the explorers' widget
state is saved in the notebook's metadata, which makes them work in the
static page. Nothing volatile is written: no execution timestamps
(nbclient's ``record_timing`` is off, and any an editor left are removed),
so re-running an unchanged notebook changes only widget ids and outputs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

# cell metadata recording when a cell ran (nbclient; jupyterlab-execute-time)
VOLATILE = ("execution", "ExecuteTime")


def strip_volatile(nb) -> int:
    """Remove timing metadata from every cell; return how many had some."""
    found = 0
    for cell in nb.cells:
        for key in VOLATILE:
            if cell.metadata.pop(key, None) is not None:
                found += 1
    return found


def execute(path: Path, timeout: int = 600) -> float:
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    strip_volatile(nb)
    nbformat.write(nb, path)
    return time.perf_counter() - t0


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    paths = [Path(a) for a in argv] or sorted(here.glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        print(f"{path}: executed in {execute(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

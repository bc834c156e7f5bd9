"""What a chapter shows besides figures: tables, sentences and short number formats, written once for every page.

``table`` returns a Markdown table (rendered by the book as a table, and by Jupyter as one too); ``say`` displays a
sentence as a paragraph; ``show`` prints a sentence wrapped to the page's column; ``vector`` writes a parameter
vector as a short tuple. IPython is imported only when a table or sentence is displayed.
"""

from __future__ import annotations

import textwrap

import numpy as np

__all__ = ["table", "say", "show", "vector", "COLUMN_CHARS"]

#: characters of code or output that fit the book's column at 1280 px
COLUMN_CHARS = 78


def table(header, rows):
    """A Markdown table from a header and rows of cells (each cell is shown with ``str``; ``|`` is escaped)."""
    from IPython.display import Markdown

    header = [str(h) for h in header]
    rows = [[str(c).replace("|", "\\|") for c in row] for row in rows]
    bad = [i for i, row in enumerate(rows) if len(row) != len(header)]
    if bad:
        raise ValueError(f"row {bad[0]} has {len(rows[bad[0]])} cells but the header has {len(header)}")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return Markdown("\n".join(lines))


def say(text: str) -> None:
    """Display a sentence (Markdown, so math and code render) as a paragraph of the page."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def show(text: str, width: int = COLUMN_CHARS) -> None:
    """Print a sentence wrapped to the width of the page's column."""
    print(textwrap.fill(text, width=width))


def vector(w, digits: int = 3) -> str:
    """A parameter vector as a short tuple, e.g. ``(0.500, -1.250)``."""
    return "(" + ", ".join(f"{v:.{digits}f}" for v in np.ravel(w)) + ")"

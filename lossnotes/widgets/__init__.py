"""Explorers for the chapters (ipywidgets, imported on first use).

Each explorer module holds the interactive version and a static small-multiples figure of the same view,
because the HTML book has no kernel: the page shows what the slider would do.
"""

from . import margin, noise, saturation  # noqa: F401

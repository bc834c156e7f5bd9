"""Explorers for the chapters: one ``explorer()`` per module, and a ``static_figure`` drawn the same way.

``outliers`` (chapter 3: a loss against one outlier), ``saturation`` (chapter 5: cross-entropy and squared
error through a sigmoid or softmax unit), ``margin`` (chapter 6: hinge against logistic as a point moves) and
``gan`` (chapter 10: the saturating and non-saturating generator losses as the discriminator grows confident).
Each draws every state of its controls once into a stack of frames linked to the controls in the browser
(``_frames``), so the page works without a kernel. Modules load on first use (matplotlib, ipywidgets).
"""

from __future__ import annotations

import importlib

__all__ = ["outliers", "saturation", "margin", "gan"]


def __getattr__(name: str):
    if name in __all__:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))

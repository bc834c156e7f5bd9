"""lossnotes: choose the noise model; the loss follows.

``import lossnotes as ln`` gives ``ln.units`` (stable output units), ``ln.losses`` (the losses and their
gradients), ``ln.noise`` (noise models as SymPy densities), ``ln.symbolic`` (derive a loss from a noise model
and check it against the numeric code), ``ln.fit`` (small fitters driven by any loss's gradient),
``ln.mixture`` (a small mixture density network), ``ln.report`` (tables and sentences for a page),
``ln.metrics`` (accuracy, precision, recall, AUC and calibration of a classifier), ``ln.plots``
and ``ln.widgets`` (figures and explorers).
``ln.evidence`` runs the experiment behind each loss's advice and returns what it measured; ``ln.grading`` holds
what the graded exercises share (answers as plain data);
``ln.generative`` the losses of generative models (GAN, ELBO, Tweedie's denoiser); ``ln.selfcheck`` shows a
chapter's self-check questions.

Each submodule is imported the first time it is used (PEP 562), so ``import lossnotes.losses`` or
``import lossnotes.units`` needs only NumPy and SciPy: SymPy, matplotlib and ipywidgets load only with the
modules that use them.
"""

from __future__ import annotations

import importlib

__all__ = [
    "units",
    "losses",
    "noise",
    "symbolic",
    "fit",
    "mixture",
    "report",
    "metrics",
    "plots",
    "widgets",
    "evidence",
    "grading",
    "generative",
    "selfcheck",
]
__version__ = "0.1.0"


def __getattr__(name: str):
    if name in __all__:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module  # later lookups skip this function
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))

r"""The losses: each a stable numeric function of the prediction, with its exact gradient.

Every loss ``L`` is called ``L(y, pred, *, reduction="mean", **params)`` and has ``L.grad(y, pred, **params)``,
the elementwise derivative of the unreduced loss with respect to ``pred`` (shape of ``pred``); most also have
``L.hess`` (the elementwise second derivative) and all have ``L.value_and_grad``. Each loss documents its own
formula, the noise model it comes from, its gradient, its parameters, its accuracy and a reference:
``help(ln.losses.huber)``.

Inputs are checked before anything is computed: no broadcasting of ``y`` against ``pred``, labels in their set,
parameters in range; each refusal names the argument and the reason. ``LOSSES`` (a dict) maps each name to its
loss, in the order they are defined; this module's names, ``__all__``, the API reference page and chapter 8's
tables all come from it. ``TARGETS`` maps each label set's name to its :class:`Target`. How to add a loss:
``CONTRIBUTING.md``.

The losses live in modules by task: ``_regression`` (a real-valued prediction or a log-rate),
``_classification`` (logits), ``_margins`` (a score for labels ±1), ``_divergences`` (between distributions).
What they share is in ``_base`` (the :class:`Loss` class, parameters, the registry) and ``_targets`` (the label
sets and their checks).
"""

from __future__ import annotations

import importlib

from ._base import LOSSES, Loss
from ._targets import TARGETS, Target

for _module in ("_regression", "_classification", "_margins"):
    importlib.import_module(f"{__name__}.{_module}")  # defining a loss registers it, in this order

globals().update(LOSSES)
__all__ = ["Loss", "Target", "LOSSES", "TARGETS", *LOSSES]

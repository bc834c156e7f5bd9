r"""The saturation explorer: move the true-class logit and see cross-entropy and squared error teach (or not).

The output unit is a sigmoid for a positive example (:math:`p = \sigma(z)`, target 1) or a softmax over the logits
:math:`(z, z_2, \dots, z_K)` with the first class true. Against the true-class logit :math:`z`, the picture
shows each loss (left) and the magnitude of its derivative with respect to :math:`z` on a log scale (right):

* cross-entropy :math:`-\log p`: :math:`\partial/\partial z = p - 1`, which tends to :math:`-1` when the unit is
  confidently wrong (:math:`z \to -\infty`), so the loss keeps teaching;
* squared error :math:`\sum_k (p_k - y_k)^2` on the probabilities: by the chain rule through the softmax Jacobian
  :math:`\operatorname{diag}(p) - pp^\top` the derivative is :math:`p\,(v_1 - p^\top v)` with :math:`v = 2(p - y)`,
  which carries the factor :math:`p` and vanishes exactly where the model is most wrong.

The sigmoid is the softmax of :math:`(z, 0)`, so both units share one computation. ``explorer()`` is the
interactive version (it works with no kernel, see ``_frames``); ``static_figure`` draws chosen states with the
same ``draw`` function; ``values`` gives the numbers behind a state.
"""

from __future__ import annotations

import numpy as np

from ..losses import cross_entropy, mse
from ..units import softmax
from . import _frames

__all__ = ["UNITS", "LOGITS", "gradients", "losses", "values", "draw", "describe", "explorer", "static_figure"]

UNITS = ("sigmoid", "softmax")
OTHERS = (2.0, 0.0)  # the other logits of the softmax unit
#: The true-class logits the explorer offers.
LOGITS = tuple(float(z) for z in range(-12, 13, 2))
Z_RANGE = (-12.5, 12.5)
FLOOR = 1e-12  # gradient magnitudes are drawn on a log scale; exact zeros sit on this floor
SIZE = (6.88, 3.5)  # one frame, inches


def _check_unit(unit):
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")
    return unit


def _logits(z, unit, others):
    z = np.atleast_1d(np.asarray(z, dtype=np.float64))
    rest = (0.0,) if unit == "sigmoid" else tuple(others)
    return np.column_stack([z] + [np.full_like(z, o) for o in rest])


def gradients(z, unit="softmax", others=OTHERS):
    r"""For true-class logits ``z``: ``(p, dCE/dz, dSE/dz)``, each an array shaped like ``np.atleast_1d(z)``.

    ``p`` is the probability of the true class (class 0). The squared-error gradient is the chain rule
    ``J @ mse.grad`` with the softmax Jacobian ``J = diag(p) - p p^T``, read off at the true class.
    """
    logits = _logits(z, _check_unit(unit), others)
    n, _ = logits.shape
    labels = np.zeros(n, dtype=np.int64)
    p = softmax(logits, axis=1)
    ce = cross_entropy.grad(labels, logits)[:, 0]
    onehot = np.zeros_like(p)
    onehot[:, 0] = 1.0
    v = mse.grad(onehot, p)  # d sum_k (p_k - y_k)^2 / dp_k
    se = p[:, 0] * (v[:, 0] - np.sum(p * v, axis=1))  # (diag(p) - p p^T) v, row of the true class
    return p[:, 0], ce, se


def losses(z, unit="softmax", others=OTHERS):
    """For true-class logits ``z``: ``(cross-entropy, squared error)``, each shaped like ``np.atleast_1d(z)``."""
    logits = _logits(z, _check_unit(unit), others)
    labels = np.zeros(logits.shape[0], dtype=np.int64)
    p = softmax(logits, axis=1)
    onehot = np.zeros_like(p)
    onehot[:, 0] = 1.0
    return cross_entropy(labels, logits, reduction="none"), mse(onehot, p, reduction="none").sum(axis=1)


def values(z, unit="softmax", others=OTHERS):
    """The numbers behind one state: ``p``, ``ce``, ``se`` (the losses) and ``ce_grad``, ``se_grad``."""
    try:
        z = float(z)
    except (TypeError, ValueError):
        raise ValueError(f"z must be a finite number (the true-class logit), got {z!r}") from None
    if not np.isfinite(z):
        raise ValueError(f"z must be a finite number (the true-class logit), got {z!r}")
    p, ce_g, se_g = (float(a[0]) for a in gradients(z, unit, others))
    ce, se = (float(a[0]) for a in losses(z, unit, others))
    return {"z": z, "unit": unit, "p": p, "ce": ce, "se": se, "ce_grad": ce_g, "se_grad": se_g}


def _unit_phrase(unit, others=OTHERS):
    if unit == "sigmoid":
        return "sigmoid unit, positive example"
    return f"softmax unit, other logits {', '.join(f'{o:g}' for o in others)}"


def _round2(x):
    """``x`` to two significant digits, written out with thousands separators: 6986.2 -> '7,000'."""
    return f"{float(f'{x:.2g}'):,.0f}"


def describe(z, unit="softmax", others=OTHERS):
    """The ``View`` (alt text and readout) of one state, from the same numbers the picture draws."""
    v = values(z, unit, others)
    ce_g, se_g = abs(v["ce_grad"]), abs(v["se_grad"])
    if se_g > 0 and ce_g / se_g >= 10:
        compare = f"cross-entropy's is about {_round2(ce_g / se_g)} times larger"
    elif ce_g > 0 and se_g / ce_g >= 10:
        compare = f"squared error's is about {_round2(se_g / ce_g)} times larger"
    else:
        compare = "they are of the same order"
    alt = (
        f"Losses against the true-class logit z for a {_unit_phrase(unit, others)}, marked at z = {v['z']:g}, where "
        f"the true class has probability {v['p']:.2g}: cross-entropy is {v['ce']:.2f} and rises without bound as "
        f"z falls; squared error is {v['se']:.2f} and levels off.",
        f"The size of each gradient on a log scale, marked at z = {v['z']:g}: cross-entropy {ce_g:.2g}, squared "
        f"error {se_g:.2g}; {compare}.",
    )
    readout = (
        f"{_unit_phrase(unit, others)}, z = {v['z']:g}: p = {v['p']:.2g}; cross-entropy {v['ce']:.2f} "
        f"(|∂/∂z| = {ce_g:.2g}), squared error {v['se']:.2f} (|∂/∂z| = {se_g:.2g})."
    )
    return _frames.View(alt=alt, readout=readout)


class _Scene:
    """The two panels of a state: the losses (left), the gradient magnitudes (right), curves drawn per unit."""

    def __init__(self, target, others):
        from ..plots import COLORS, LINESTYLES

        if hasattr(target, "add_gridspec"):
            grid = target.add_gridspec(1, 2, left=0.09, right=0.985, bottom=0.15, top=0.9, wspace=0.3)
            axes = target.add_subplot(grid[0, 0]), target.add_subplot(grid[0, 1])
        else:
            axes = tuple(target)
            if len(axes) != 2:
                raise ValueError(f"target must be a figure, a subfigure or two axes, got {len(axes)} axes")
        self.axes, self.others, self.unit = axes, others, None
        self.grid = np.linspace(*Z_RANGE, 401)
        lx, gx = axes
        ce_style = {"color": COLORS[0], "ls": LINESTYLES[0], "lw": 2.2}
        se_style = {"color": COLORS[1], "ls": LINESTYLES[1], "lw": 2.2}
        (self.ce_curve,) = lx.plot([], [], label="cross-entropy", **ce_style)
        (self.se_curve,) = lx.plot([], [], label="squared error", **se_style)
        (self.ce_gcurve,) = gx.plot([], [], **ce_style)
        (self.se_gcurve,) = gx.plot([], [], **se_style)
        marks = {"ls": "none", "ms": 9, "mec": "white", "zorder": 4}
        (self.ce_dot,) = lx.plot([], [], "o", color=COLORS[0], **marks)
        (self.se_dot,) = lx.plot([], [], "s", color=COLORS[1], **marks)
        (self.ce_gdot,) = gx.plot([], [], "o", color=COLORS[0], **marks)
        (self.se_gdot,) = gx.plot([], [], "s", color=COLORS[1], **marks)
        self.cursors = [ax.axvline(0.0, color="0.4", lw=1.2, ls=":") for ax in axes]
        ticks = [-10, -5, 0, 5, 10]
        lx.set(xlim=Z_RANGE, ylim=(-0.3, 14.0), xticks=ticks, yticks=[0, 5, 10], xlabel="true-class logit z")
        lx.set_ylabel("loss")
        gx.set(xlim=Z_RANGE, ylim=(1e-7, 3.0), yscale="log", xticks=ticks, xlabel="true-class logit z")
        # plain-text powers of ten (no mathtext to typeset for every frame)
        gx.set_yticks(
            [1e-6, 1e-4, 1e-2, 1],
            [
                "10\N{SUPERSCRIPT MINUS}\N{SUPERSCRIPT SIX}",
                "10\N{SUPERSCRIPT MINUS}\N{SUPERSCRIPT FOUR}",
                "10\N{SUPERSCRIPT MINUS}\N{SUPERSCRIPT TWO}",
                "1",
            ],
        )
        gx.minorticks_off()
        gx.set_ylabel("|∂L/∂z|")
        lx.legend(loc="upper right", handlelength=1.8, borderaxespad=0.2)

    def curves(self, unit):
        if unit == self.unit:
            return
        p, ce_g, se_g = gradients(self.grid, unit, self.others)
        ce, se = losses(self.grid, unit, self.others)
        self.ce_curve.set_data(self.grid, ce)
        self.se_curve.set_data(self.grid, se)
        self.ce_gcurve.set_data(self.grid, np.maximum(np.abs(ce_g), FLOOR))
        self.se_gcurve.set_data(self.grid, np.maximum(np.abs(se_g), FLOOR))
        self.unit = unit

    def show(self, v):
        lx, gx = self.axes
        self.curves(v["unit"])
        z = v["z"]
        self.ce_dot.set_data([z], [v["ce"]])
        self.se_dot.set_data([z], [v["se"]])
        self.ce_gdot.set_data([z], [max(abs(v["ce_grad"]), FLOOR)])
        self.se_gdot.set_data([z], [max(abs(v["se_grad"]), FLOOR)])
        for c in self.cursors:
            c.set_xdata([z, z])
        lx.set_title(f"{v['unit']}: loss at z = {z:g}".replace("-", "\N{MINUS SIGN}"))
        gx.set_title(f"teaching signal, p = {v['p']:.2g}")


def draw(target, *, z, unit="softmax", others=OTHERS):
    """Draw one state on ``target``: a matplotlib ``Figure``/``SubFigure``, or a pair of axes.

    Returns the state's ``View``. This one function draws the explorer's frames and its static figure; drawn
    again on the same target, it updates the picture in place.
    """
    v = values(z, _check_unit(unit), others)
    others = tuple(float(o) for o in others)
    key = ("saturation", others)
    holder = target if hasattr(target, "add_gridspec") else target[0]
    scene = getattr(holder, "_lossnotes_scene", None)
    if scene is None or scene[0] != key:
        scene = (key, _Scene(target, others))
        holder._lossnotes_scene = scene
    scene[1].show(v)
    return describe(z, unit, others)


CONTROLS = (
    _frames.Control("unit", "output unit", tuple((u, u) for u in UNITS), "softmax"),
    _frames.Control("z", "true-class logit z", tuple((f"{z:g}", z) for z in LOGITS), -6.0),
)


def explorer(*, z=-6.0, unit="softmax", colors=64):
    """Choose the unit and the true-class logit; every combination is drawn once, so it works with no kernel.

    Returns a ``_frames.Explorer``: display it (or leave it last in a cell). ``z`` and ``unit`` set the state
    shown first (``z`` one of ``LOGITS``).
    """
    start = {"unit": _check_unit(unit), "z": values(z)["z"]}
    controls = [_frames.Control(c.name, c.description, c.options, start[c.name], c.kind) for c in CONTROLS]
    return _frames.build(draw, controls, size=SIZE, colors=colors)


def static_figure(states=((-8.0, "softmax"), (0.0, "softmax"))):
    """Chosen states, one row each (``(z, unit)`` pairs or dicts), drawn by ``draw`` into one figure."""
    states = [s if isinstance(s, dict) else {"z": s[0], "unit": s[1]} for s in states]
    return _frames.static_figure(draw, states, size=SIZE)

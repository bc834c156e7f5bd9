r"""The GAN explorer: move the discriminator's logit of a generated sample and see which generator loss teaches.

The discriminator says "real" with probability :math:`D = \sigma(z)`, :math:`z` its logit for a generated sample.
The generator can minimise either of two losses of :math:`z` (``lossnotes.generative.generator_loss``):

* saturating, :math:`\log(1 - D) = -\zeta(z)`, the generator's side of the minimax game: its derivative
  :math:`-\sigma(z)` vanishes when the discriminator confidently rejects the sample (:math:`z \to -\infty`), which
  is where the generator most needs a signal;
* non-saturating, :math:`-\log D = \zeta(-z)`: its derivative :math:`-\sigma(-z)` tends to :math:`-1` there.

The picture shows both losses (left) and the magnitude of their derivatives on a log scale (right) against
:math:`z`, with the chosen logit marked. ``explorer()`` is the interactive version (it works with no kernel, see
``_frames``); ``static_figure`` draws chosen logits with the same ``draw`` function; ``values`` gives the numbers
behind a state.
"""

from __future__ import annotations

import numpy as np

from ..generative import generator_loss, generator_loss_grad
from ..units import sigmoid
from . import _frames

__all__ = ["LOGITS", "curves", "values", "draw", "describe", "explorer", "static_figure"]

#: The discriminator logits the explorer offers.
LOGITS = tuple(float(z) for z in range(-12, 7, 2))
Z_RANGE = (-12.5, 6.5)
SIZE = (6.88, 3.5)  # one frame, inches
NAMES = {"sat": "saturating log(1 − D)", "nonsat": "non-saturating −log D"}


def curves(z):
    """For logits ``z``: ``(D, saturating loss, non-saturating loss, their derivatives)``, arrays like ``z``."""
    z = np.atleast_1d(np.asarray(z, dtype=np.float64))
    loss = {s: generator_loss(z, saturating=s, reduction="none") for s in (True, False)}
    grad = {s: generator_loss_grad(z, saturating=s) for s in (True, False)}
    return sigmoid(z), loss[True], loss[False], grad[True], grad[False]


def values(z):
    """The numbers behind one state: ``z``, ``D``, the losses ``sat``, ``nonsat`` and ``sat_grad``, ``nonsat_grad``."""
    try:
        z = float(z)
    except (TypeError, ValueError):
        raise ValueError(f"z must be a finite number (the discriminator's logit), got {z!r}") from None
    if not np.isfinite(z):
        raise ValueError(f"z must be a finite number (the discriminator's logit), got {z!r}")
    d, sat, nonsat, sat_g, nonsat_g = (float(a[0]) for a in curves(z))
    return {"z": z, "D": d, "sat": sat, "nonsat": nonsat, "sat_grad": sat_g, "nonsat_grad": nonsat_g}


def _round2(x):
    """``x`` to two significant digits, written out with thousands separators: 6986.2 -> '7,000'."""
    return f"{float(f'{x:.2g}'):,.0f}"


def describe(z):
    """The ``View`` (alt text and readout) of one state, from the same numbers the picture draws."""
    v = values(z)
    sat_g, non_g = abs(v["sat_grad"]), abs(v["nonsat_grad"])
    if non_g / sat_g >= 10:
        compare = f"the non-saturating one is about {_round2(non_g / sat_g)} times larger"
    elif sat_g / non_g >= 10:
        compare = f"the saturating one is about {_round2(sat_g / non_g)} times larger"
    else:
        compare = "they are of the same order"
    alt = (
        f"The two generator losses against the discriminator's logit z, marked at z = {v['z']:g}, where the "
        f"discriminator gives the generated sample probability D = {v['D']:.2g} of being real: the saturating loss "
        f"log(1 − D) is {v['sat']:.2g} and flattens towards 0 as z falls; the non-saturating loss −log D is "
        f"{v['nonsat']:.2f} and rises without bound as z falls.",
        f"The size of each loss's derivative with respect to z on a log scale, marked at z = {v['z']:g}: saturating "
        f"{sat_g:.2g}, non-saturating {non_g:.2g}; {compare}.",
    )
    readout = (
        f"z = {v['z']:g}, D = {v['D']:.2g}: saturating loss {v['sat']:.2g} (|∂/∂z| = {sat_g:.2g}), "
        f"non-saturating loss {v['nonsat']:.2f} (|∂/∂z| = {non_g:.2g})."
    )
    return _frames.View(alt=alt, readout=readout)


class _Scene:
    """The two panels: the losses (left) and the derivative magnitudes (right), drawn once; marks move per state."""

    def __init__(self, target):
        from ..plots import COLORS, LINESTYLES

        if hasattr(target, "add_gridspec"):
            grid = target.add_gridspec(1, 2, left=0.09, right=0.985, bottom=0.15, top=0.9, wspace=0.3)
            axes = target.add_subplot(grid[0, 0]), target.add_subplot(grid[0, 1])
        else:
            axes = tuple(target)
            if len(axes) != 2:
                raise ValueError(f"target must be a figure, a subfigure or two axes, got {len(axes)} axes")
        self.axes = axes
        lx, gx = axes
        grid_z = np.linspace(*Z_RANGE, 401)
        _, sat, nonsat, sat_g, nonsat_g = curves(grid_z)
        styles = {
            "sat": {"color": COLORS[1], "ls": LINESTYLES[1], "lw": 2.2},
            "nonsat": {"color": COLORS[0], "ls": LINESTYLES[0], "lw": 2.2},
        }
        for key, loss, grad in (("nonsat", nonsat, nonsat_g), ("sat", sat, sat_g)):
            lx.plot(grid_z, loss, label=NAMES[key], **styles[key])
            gx.plot(grid_z, np.abs(grad), **styles[key])
        marks = {"ls": "none", "ms": 9, "mec": "white", "zorder": 4}
        self.dots = {
            key: (
                lx.plot([], [], mk, color=styles[key]["color"], **marks)[0],
                gx.plot([], [], mk, color=styles[key]["color"], **marks)[0],
            )
            for key, mk in (("nonsat", "o"), ("sat", "s"))
        }
        self.cursors = [ax.axvline(0.0, color="0.4", lw=1.2, ls=":") for ax in axes]
        ticks = [-12, -8, -4, 0, 4]
        lx.set(xlim=Z_RANGE, ylim=(-7.0, 13.0), xticks=ticks, yticks=[-5, 0, 5, 10], xlabel="discriminator's logit z")
        lx.axhline(0.0, color="0.7", lw=0.8)
        lx.set_ylabel("generator's loss")
        gx.set(xlim=Z_RANGE, ylim=(1e-6, 3.0), yscale="log", xticks=ticks, xlabel="discriminator's logit z")
        gx.set_yticks(
            [1e-5, 1e-3, 1e-1],
            [
                "10\N{SUPERSCRIPT MINUS}\N{SUPERSCRIPT FIVE}",
                "10\N{SUPERSCRIPT MINUS}\N{SUPERSCRIPT THREE}",
                "10\N{SUPERSCRIPT MINUS}\N{SUPERSCRIPT ONE}",
            ],
        )
        gx.minorticks_off()
        gx.set_ylabel("|∂L/∂z|")
        lx.legend(loc="upper right", handlelength=1.8, borderaxespad=0.2)

    def show(self, v):
        lx, gx = self.axes
        z = v["z"]
        for key, (ldot, gdot) in self.dots.items():
            ldot.set_data([z], [v[key]])
            gdot.set_data([z], [abs(v[f"{key}_grad"])])
        for c in self.cursors:
            c.set_xdata([z, z])
        lx.set_title(f"losses at z = {z:g}".replace("-", "\N{MINUS SIGN}"))
        gx.set_title(f"teaching signal, D = {v['D']:.2g}".replace("-", "\N{MINUS SIGN}"))


def draw(target, *, z):
    """Draw one state on ``target``: a matplotlib ``Figure``/``SubFigure``, or a pair of axes.

    Returns the state's ``View``. This one function draws the explorer's frames and its static figure; drawn
    again on the same target, it updates the picture in place.
    """
    v = values(z)
    holder = target if hasattr(target, "add_gridspec") else target[0]
    scene = getattr(holder, "_lossnotes_scene", None)
    if scene is None or scene[0] != "gan":
        scene = ("gan", _Scene(target))
        holder._lossnotes_scene = scene
    scene[1].show(v)
    return describe(z)


CONTROLS = (_frames.Control("z", "discriminator's logit z", tuple((f"{z:g}", z) for z in LOGITS), -8.0),)


def explorer(*, z=-8.0, colors=64):
    """Choose the discriminator's logit; every option is drawn once, so it works with no kernel.

    Returns a ``_frames.Explorer``: display it (or leave it last in a cell). ``z`` (one of ``LOGITS``) sets the
    state shown first.
    """
    z = values(z)["z"]
    if z not in LOGITS:
        raise ValueError(f"z must be one of the explorer's logits {LOGITS}, got {z!r}")
    controls = [_frames.Control(c.name, c.description, c.options, z, c.kind) for c in CONTROLS]
    return _frames.build(draw, controls, size=SIZE, colors=colors)


def static_figure(states=(-8.0,)):
    """Chosen logits, one row each (numbers or ``{"z": ...}`` dicts), drawn by ``draw`` into one figure."""
    states = [s if isinstance(s, dict) else {"z": s} for s in states]
    return _frames.static_figure(draw, states, size=SIZE)

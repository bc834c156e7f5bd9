r"""Saturation explorer: move the logit of the true class and watch cross-entropy and squared error teach.

The output unit is a sigmoid for a positive example (:math:`p = \sigma(z)`, target 1) or a softmax over the logits
:math:`(z, z_2, \dots, z_K)` with the first class true. Both views plot, against the true-class logit :math:`z`,
the probability :math:`p` of the true class and the magnitude of the derivative of each loss with respect to
:math:`z`:

* cross-entropy :math:`-\log p`: :math:`\partial/\partial z = p - 1`, which tends to :math:`-1` when the unit is
  confidently wrong (:math:`z \to -\infty`);
* squared error :math:`\sum_k (p_k - y_k)^2` on the probabilities: by the chain rule through the softmax Jacobian
  :math:`\operatorname{diag}(p) - pp^\top` the derivative is :math:`p\,(v_1 - p^\top v)` with :math:`v = 2(p - y)`,
  which carries the factor :math:`p` and vanishes exactly where the model is most wrong.

The sigmoid is the softmax of :math:`(z, 0)`, so both views share one computation.
"""

from __future__ import annotations

import io

import numpy as np

from ..losses import cross_entropy, mse
from ..units import softmax

__all__ = ["SaturationExplorer", "static_figure", "gradients"]

UNITS = ("sigmoid", "softmax")
CE_COLOR, MSE_COLOR, P_COLOR = "#1f77b4", "#d62728", "#2ca02c"
FLOOR = 1e-12  # gradient magnitudes are drawn on a log scale; exact zeros sit on this floor


def _logits(z, unit, others):
    z = np.atleast_1d(np.asarray(z, dtype=np.float64))
    rest = (0.0,) if unit == "sigmoid" else tuple(others)
    return np.column_stack([z] + [np.full_like(z, o) for o in rest])


def gradients(z, unit="softmax", others=(2.0, 0.0)):
    r"""For true-class logits ``z``: ``(p, dCE/dz, dSE/dz)``, each an array shaped like ``np.atleast_1d(z)``.

    ``p`` is the probability of the true class (class 0). The squared-error gradient is the chain rule
    ``J @ mse.grad`` with the softmax Jacobian ``J = diag(p) - p p^T``, read off at the true class.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")
    logits = _logits(z, unit, others)
    n, k = logits.shape
    labels = np.zeros(n, dtype=np.int64)
    p = softmax(logits, axis=1)
    ce = cross_entropy.grad(labels, logits)[:, 0]
    onehot = np.zeros_like(p)
    onehot[:, 0] = 1.0
    v = mse.grad(onehot, p)  # d sum_k (p_k - y_k)^2 / dp_k
    se = p[:, 0] * (v[:, 0] - np.sum(p * v, axis=1))  # (diag(p) - p p^T) v, row of the true class
    return p[:, 0], ce, se


class SaturationExplorer:
    """Slider on the true-class logit; left: the probability of the true class, right: |dL/dz| for CE and MSE."""

    def __init__(self, z=-6.0, unit="sigmoid", others=(2.0, 0.0), z_range=(-12.0, 12.0), figsize=(7, 3.2), dpi=80):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        if unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")
        self.others = tuple(float(o) for o in others)
        self.z_range = (float(z_range[0]), float(z_range[1]))
        self.grid = np.linspace(*self.z_range, 481)
        self.z, self.unit = float(z), unit
        self.fig = Figure(figsize=figsize, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        ax_p, ax_g = self.fig.subplots(1, 2)
        self.ax_p, self.ax_g = ax_p, ax_g
        (self.p_line,) = ax_p.plot([], [], color=P_COLOR, lw=2)
        (self.p_dot,) = ax_p.plot([], [], "o", color=P_COLOR, ms=7)
        ax_p.set(xlim=self.z_range, ylim=(-0.03, 1.03), xlabel="logit of the true class  z", ylabel="p(true class)")
        (self.ce_line,) = ax_g.plot([], [], color=CE_COLOR, lw=2, label="cross-entropy")
        (self.se_line,) = ax_g.plot([], [], color=MSE_COLOR, lw=2, label="squared error")
        (self.ce_dot,) = ax_g.plot([], [], "o", color=CE_COLOR, ms=7)
        (self.se_dot,) = ax_g.plot([], [], "o", color=MSE_COLOR, ms=7)
        self.cursor = ax_g.axvline(self.z, color="0.5", lw=1, ls=":")
        ax_g.set(
            xlim=self.z_range, ylim=(1e-7, 3.0), yscale="log", xlabel="logit of the true class  z", ylabel="|∂L/∂z|"
        )
        ax_g.legend(loc="lower right", fontsize=8)
        # Few, fixed ticks and no minor ticks: drawing tick labels is most of the cost of a redraw.
        from matplotlib.ticker import FixedLocator, NullLocator

        ticks = [t for t in (-10, -5, 0, 5, 10) if self.z_range[0] <= t <= self.z_range[1]]
        ax_p.yaxis.set_major_locator(FixedLocator([0, 0.5, 1]))
        ax_g.yaxis.set_major_locator(FixedLocator([1e-6, 1e-4, 1e-2, 1]))
        for ax in (ax_p, ax_g):
            ax.xaxis.set_major_locator(FixedLocator(ticks))
            ax.xaxis.set_minor_locator(NullLocator())
            ax.yaxis.set_minor_locator(NullLocator())
            ax.grid(alpha=0.3)
            ax.spines[["top", "right"]].set_visible(False)
        ax_g.set_title("teaching signal (log scale)", fontsize=9)
        self.readout = self.fig.text(0.5, 0.965, "", ha="center", va="top", fontsize=9)
        self.fig.subplots_adjust(left=0.1, right=0.98, bottom=0.16, top=0.84, wspace=0.32)
        # The markers, the cursor and one line of numbers move; everything else is drawn once per unit and blitted.
        self._dynamic = [self.p_dot, self.ce_dot, self.se_dot, self.cursor, self.readout]
        for artist in self._dynamic:
            artist.set_animated(True)
        self._curves_for = None
        self._background = None
        self.values = {}
        self.update()

    def recompute(self, z=None, unit=None):
        """Set the state and return the numbers at the current logit: p, the CE and squared-error gradients."""
        if z is not None:
            self.z = float(z)
        if unit is not None:
            if unit not in UNITS:
                raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")
            self.unit = unit
        p, ce, se = (float(a[0]) for a in gradients(self.z, self.unit, self.others))
        self.values = {"z": self.z, "unit": self.unit, "p": p, "ce_grad": ce, "mse_grad": se}
        return self.values

    def _draw_curves(self):
        if self._curves_for == self.unit:
            return
        p, ce, se = gradients(self.grid, self.unit, self.others)
        self.p_line.set_data(self.grid, p)
        self.ce_line.set_data(self.grid, np.maximum(np.abs(ce), FLOOR))
        self.se_line.set_data(self.grid, np.maximum(np.abs(se), FLOOR))
        if self.unit == "sigmoid":
            self.ax_p.set_title("sigmoid unit, positive example", fontsize=9)
        else:
            others = ", ".join(f"{o:g}" for o in self.others)
            self.ax_p.set_title(f"softmax unit, other logits {others}", fontsize=9)
        self._curves_for = self.unit
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)

    def update(self, z=None, unit=None) -> bytes:
        """Recompute at a new logit (and unit), redraw, and return the figure as PNG bytes."""
        v = self.recompute(z, unit)
        self._draw_curves()
        z = v["z"]
        self.p_dot.set_data([z], [v["p"]])
        self.ce_dot.set_data([z], [max(abs(v["ce_grad"]), FLOOR)])
        self.se_dot.set_data([z], [max(abs(v["mse_grad"]), FLOOR)])
        self.cursor.set_xdata([z, z])
        self.readout.set_text(
            f"z = {z:.2f}:   p = {v['p']:.4f}    |∂CE/∂z| = {abs(v['ce_grad']):.4f}    "
            f"|∂SE/∂z| = {abs(v['mse_grad']):.2e}"
        )
        self.canvas.restore_region(self._background)
        for artist in self._dynamic:
            self.fig.draw_artist(artist)
        return self._png()

    def _png(self) -> bytes:
        from PIL import Image

        width, height = self.canvas.get_width_height()
        img = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        img.save(buf, format="png", compress_level=1)
        return buf.getvalue()

    def widget(self):
        """Slider for the logit, toggle for the unit, and the picture (its initial PNG is embedded state)."""
        import ipywidgets as w

        slider = w.FloatSlider(
            value=self.z,
            min=self.z_range[0],
            max=self.z_range[1],
            step=0.25,
            description="logit z",
            continuous_update=True,
        )
        toggle = w.ToggleButtons(options=list(UNITS), value=self.unit, description="unit")
        image = w.Image(value=self.update(), format="png")

        def redraw(_change=None):
            image.value = self.update(z=slider.value, unit=toggle.value)

        slider.observe(redraw, names="value")
        toggle.observe(redraw, names="value")
        return w.VBox([w.HBox([slider, toggle]), image])


def static_figure(logits=(-8.0, -3.0, 0.0, 4.0), unit="sigmoid", others=(2.0, 0.0), z_range=(-12.0, 12.0)):
    """Small multiples: the two gradient curves with the slider's marker at each of several logits."""
    from .. import plots

    grid = np.linspace(*z_range, 481)
    p, ce, se = gradients(grid, unit, others)

    def draw(ax, z):
        pz, cz, sz = (float(a[0]) for a in gradients(z, unit, others))
        ax.plot(grid, np.maximum(np.abs(ce), FLOOR), color=CE_COLOR, label="cross-entropy |∂L/∂z|")
        ax.plot(grid, np.maximum(np.abs(se), FLOOR), color=MSE_COLOR, label="squared error |∂L/∂z|")
        ax.plot(grid, p, color=P_COLOR, lw=1, ls="--", label="p(true class)")
        ax.plot([z], [max(abs(cz), FLOOR)], "o", color=CE_COLOR)
        ax.plot([z], [max(abs(sz), FLOOR)], "o", color=MSE_COLOR)
        ax.axvline(z, color="0.5", lw=1, ls=":")
        ax.set(yscale="log", ylim=(1e-11, 3.0), xlabel="logit of the true class  z")
        ax.text(
            0.03,
            0.03,
            f"p = {pz:.2g}\n|CE′| = {abs(cz):.3f}\n|SE′| = {abs(sz):.1e}",
            transform=ax.transAxes,
            fontsize=8,
        )

    fig = plots.small_multiples(draw, logits, ncols=len(tuple(logits)), label=unit + ": z = {:g}", title=None)
    fig.axes[0].set_ylabel("log scale")
    handles, labels = fig.axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=3, fontsize=8, bbox_to_anchor=(0.5, 1.0))
    fig.subplots_adjust(top=0.8)
    return fig

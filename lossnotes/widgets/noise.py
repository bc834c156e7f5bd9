r"""The noise-model explorer: pick a loss, drag one outlier, watch the fitted line follow it (or not).

A small fixed data set (30 points scattered around a line) gets one extra point whose height you choose.
The line :math:`\hat y = w_0 + w_1 x` is refitted with the chosen loss on every change, and the figure shows
the points, the fitted line (with the fit on the clean data dashed for reference) and how much of the total
loss each point contributes. Under MSE the outlier's share grows quadratically and the line swings towards it;
under MAE, Huber, log-cosh and Cauchy its pull is capped (or, for Cauchy, fades) and the line stays put.

``NoiseExplorer().widget()`` is the interactive version; ``static_figure()`` draws the same view as small
multiples (rows: losses, columns: outlier heights) for the page that has no kernel.
"""

from __future__ import annotations

import io

import numpy as np

from .. import fit as _fit
from .. import losses as _losses

__all__ = ["CHOICES", "NoiseExplorer", "static_figure"]

# name -> (loss, its parameters, gradient-descent schedule as (learning rate, steps) rounds)
# The fits run on the standardised input u = (x - mean) / std, where the design matrix has
# A^T A / n = I: MSE (curvature 2) is solved exactly by one step of lr 1/2, Huber and log-cosh
# (curvature <= 1) converge quickly at lr 1, Cauchy (curvature <= 2) at lr 1/2, and MAE, whose
# subgradient never shrinks, needs a decreasing step to settle.
CHOICES = {
    "mse": (_losses.mse, {}, ((0.5, 3),)),
    "mae": (_losses.mae, {}, ((0.5, 30), (0.1, 30), (0.02, 30), (0.004, 30))),
    "huber": (_losses.huber, {"delta": 1.0}, ((1.0, 50),)),
    "log_cosh": (_losses.log_cosh, {}, ((1.0, 50),)),
    "cauchy": (_losses.student_t, {"nu": 1.0, "scale": 1.0}, ((0.5, 50),)),
}

LABELS = {
    "mse": "MSE (Gaussian)",
    "mae": "MAE (Laplace)",
    "huber": "Huber δ=1",
    "log_cosh": "log-cosh (sech)",
    "cauchy": "Cauchy (t, ν=1)",
}

TRUE_INTERCEPT, TRUE_SLOPE, NOISE_SD = 1.0, 0.5, 0.7
X_OUTLIER = 9.5


def make_data(n=30, seed=0):
    """The fixed clean data set: ``n`` points with ``y = 1 + 0.5 x + N(0, 0.7^2)``, ``x`` in [0, 9]."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 9.0, n))
    y = TRUE_INTERCEPT + TRUE_SLOPE * x + NOISE_SD * rng.standard_normal(n)
    return x, y


class _Fitter:
    """Fits ``intercept + slope * x`` with a chosen loss, from a fixed start, on standardised inputs."""

    def __init__(self, x):
        self.mean, self.sd = float(np.mean(x)), float(np.std(x))

    def fit(self, name, x, y, start=None):
        loss, params, schedule = CHOICES[name]
        u = (x - self.mean) / self.sd
        w = np.zeros(2) if start is None else np.asarray(start, dtype=float)
        for lr, steps in schedule:
            w = _fit.gradient_descent(loss, u, y, lr=lr, steps=steps, w0=w, **params).w
        return w

    def to_line(self, w):
        """(intercept, slope) in the original x from weights on the standardised input."""
        slope = w[1] / self.sd
        return float(w[0] - slope * self.mean), float(slope)


def _clean_fits(fitter, x, y):
    """Each loss's fit on the clean data, started from the least-squares line."""
    w_mse = fitter.fit("mse", x, y)
    return {k: fitter.fit(k, x, y, start=w_mse) for k in CHOICES}


class NoiseExplorer:
    """Choose a loss, move the outlier: the fitted line and each point's share of the loss follow.

    ``update(loss=..., outlier=...)`` refits and redraws, returning PNG bytes; after it, ``line`` holds the
    fitted ``(intercept, slope)`` and ``shares`` each point's fraction of the total loss (the outlier last).
    """

    def __init__(self, loss="mse", outlier=20.0, *, n=30, seed=0, figsize=(7, 3.2), dpi=80):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.x, self.y = make_data(n, seed)
        self.fitter = _Fitter(np.append(self.x, X_OUTLIER))
        self.xs = np.append(self.x, X_OUTLIER)
        # each loss's fit on the clean data: the fixed start of every refit (deterministic, no hysteresis,
        # and for the non-convex Cauchy loss it selects the minimum near the bulk of the data)
        self.clean = _clean_fits(self.fitter, self.x, self.y)
        self.loss, self.outlier = loss, float(outlier)

        self.fig = Figure(figsize=figsize, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax, self.bx = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.5, 1]})
        ax, bx = self.ax, self.bx
        self.grid = np.array([-0.5, 10.0])
        ax.scatter(self.x, self.y, s=14, color="#1f77b4", zorder=3)
        (self.dot,) = ax.plot([X_OUTLIER], [self.outlier], "o", color="#d62728", ms=7, zorder=4)
        (self.clean_line,) = ax.plot(self.grid, self.grid * 0, "--", color="0.55", lw=1, label="fit without outlier")
        (self.fit_line,) = ax.plot(self.grid, self.grid * 0, color="#d62728", lw=2, label="fit with outlier")
        ax.set(xlim=(-0.5, 10.0), ylim=(-12, 42), xlabel="x", ylabel="y")
        ax.legend(loc="upper left", fontsize=8)
        # the bars are stems of one thick line each (clean points, outlier): two artists instead of n + 1 patches
        (self.stems,) = bx.plot([], [], color="#1f77b4", lw=4, solid_capstyle="butt")
        (self.stem_out,) = bx.plot([n, n], [0, 0], color="#d62728", lw=4, solid_capstyle="butt")
        bx.set(xlim=(-1, n + 1), ylim=(0, 1), xlabel="point (outlier in red)", ylabel="share of the total loss")
        bx.set_xticks([])
        self.fig.subplots_adjust(left=0.09, right=0.98, bottom=0.15, top=0.86, wspace=0.3)
        self.titles = [
            self.fig.text(0.02, 0.97, "", va="top", fontsize=10),
            self.fig.text(0.64, 0.97, "", va="top", fontsize=10),
        ]
        # Blitting: draw the still parts (axes, ticks, data) once and keep the pixels; an update restores
        # them and draws only the moving artists, which keeps a redraw to a few milliseconds.
        self.moving = [self.clean_line, self.fit_line, self.dot, self.stems, self.stem_out, *self.titles]
        for artist in self.moving:
            artist.set_animated(True)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.update()

    def fit(self, loss, outlier):
        """Fitted (intercept, slope) and per-point losses for a loss name and an outlier height."""
        ys = np.append(self.y, outlier)
        w = self.fitter.fit(loss, self.xs, ys, start=self.clean[loss])
        b0, b1 = self.fitter.to_line(w)
        lossfn, params, _ = CHOICES[loss]
        per_point = lossfn(ys, b0 + b1 * self.xs, reduction="none", **params)
        return (b0, b1), per_point

    def update(self, loss=None, outlier=None) -> bytes:
        """Refit with the given loss name and outlier height (either may be left out); return the PNG."""
        if loss is not None:
            if loss not in CHOICES:
                raise ValueError(f"loss must be one of {list(CHOICES)}, got {loss!r}")
            self.loss = loss
        if outlier is not None:
            self.outlier = float(outlier)
        self.line, per_point = self.fit(self.loss, self.outlier)
        self.total = float(np.sum(per_point))
        self.shares = per_point / self.total if self.total > 0 else np.zeros_like(per_point)
        b0, b1 = self.line
        c0, c1 = self.fitter.to_line(self.clean[self.loss])
        self.dot.set_ydata([self.outlier])
        self.fit_line.set_ydata(b0 + b1 * self.grid)
        self.clean_line.set_ydata(c0 + c1 * self.grid)
        m = len(self.x)
        stems = np.full((m, 3), np.nan)
        stems[:, 1], stems[:, 0] = self.shares[:-1], 0.0
        self.stems.set_data(np.repeat(np.arange(m), 3), stems.ravel())
        self.stem_out.set_ydata([0.0, self.shares[-1]])
        self.titles[0].set_text(f"{LABELS[self.loss]}: slope {b1:.2f} (without outlier {c1:.2f})")
        self.titles[1].set_text(f"outlier's loss share: {self.shares[-1]:.0%}")
        self.canvas.restore_region(self.background)
        for artist in self.moving:
            self.fig.draw_artist(artist)
        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(np.asarray(self.canvas.buffer_rgba())).save(buf, format="png", compress_level=1)
        self.png = buf.getvalue()
        return self.png

    def widget(self):
        """A dropdown for the loss, a slider for the outlier's height, and the live picture."""
        import ipywidgets as w

        image = w.Image(value=self.png, format="png")
        choose = w.Dropdown(options=[(LABELS[k], k) for k in CHOICES], value=self.loss, description="loss")
        height = w.FloatSlider(
            value=self.outlier, min=-10.0, max=40.0, step=0.5, description="outlier y", continuous_update=True
        )

        def refresh(_change=None):
            image.value = self.update(loss=choose.value, outlier=height.value)

        choose.observe(refresh, names="value")
        height.observe(refresh, names="value")
        return w.VBox([w.HBox([choose, height]), image])


def static_figure(losses=("mse", "mae", "huber", "cauchy"), heights=(6.0, 15.0, 25.0, 40.0), *, n=30, seed=0):
    """Small multiples of the explorer: one row per loss, one column per outlier height."""
    from ..plots import small_multiples

    ex = _Static(n, seed)

    def draw(ax, value):
        name, h = value
        (b0, b1), per_point = ex.fit(name, h)
        c0, c1 = ex.fitter.to_line(ex.clean[name])
        g = np.array([-0.5, 10.0])
        ax.scatter(ex.x, ex.y, s=6, color="#1f77b4")
        ax.plot([X_OUTLIER], [h], "o", color="#d62728", ms=5)
        ax.plot(g, c0 + c1 * g, "--", color="0.55", lw=1)
        ax.plot(g, b0 + b1 * g, color="#d62728", lw=1.6)
        share = per_point[-1] / per_point.sum()
        ax.text(
            0.03, 0.95, f"slope {b1:.2f}\noutlier: {share:.0%} of loss", transform=ax.transAxes, va="top", fontsize=8
        )
        ax.set_ylim(-5, 42)

    values = [(name, float(h)) for name in losses for h in heights]
    return small_multiples(
        draw,
        values,
        ncols=len(heights),
        panel=(2.3, 1.9),
        label="{0[0]}, outlier y = {0[1]:g}",
        title="the fitted line (red) against the fit without the outlier (dashed), as the outlier rises",
    )


class _Static(NoiseExplorer):
    """The explorer's data and fits without its figure (for the static small multiples)."""

    def __init__(self, n=30, seed=0):
        self.x, self.y = make_data(n, seed)
        self.xs = np.append(self.x, X_OUTLIER)
        self.fitter = _Fitter(self.xs)
        self.clean = _clean_fits(self.fitter, self.x, self.y)

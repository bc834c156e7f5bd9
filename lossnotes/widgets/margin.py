r"""Margin explorer: hinge (a max-margin classifier) against logistic regression on the same 2-D data.

One point of the positive class can be dragged along a straight path, from deep inside its own class to the
far side of the boundary. While it stays beyond the margin the max-margin solution does not move at all (the
point is not a support vector: its hinge loss and gradient are exactly zero); the logistic boundary moves a
little for every position, because the logistic loss charges every example. ``C`` sets the regularisation of
both fits on the same scale: the SVM minimises :math:`\tfrac12\lVert w\rVert^2 + C\sum_i \text{hinge}_i`, the
logistic fit :math:`\tfrac12\lVert w\rVert^2 + C\sum_i \text{logloss}_i` (``l2 = 1 / (C n)`` on the mean loss).

The right panel shows how much each point weighs in each solution, against its margin :math:`y \cdot s`: the
dual variable :math:`\alpha_i / C` for the SVM (exactly 0 past margin 1) and :math:`|\sigma(z_i) - y_i| =
\sigma(-y z_i)` for logistic regression (never 0).
"""

from __future__ import annotations

import io

import numpy as np

from .. import fit, losses, plots, units

__all__ = ["MarginExplorer", "static_figure"]

SVM_COLOR, LOGIT_COLOR = "#1f77b4", "#d62728"
CLASS_COLORS = {-1.0: "#ff7f0e", 1.0: "#2ca02c"}
C_VALUES = (0.1, 0.3, 1.0, 3.0)


def make_data(n=15, seed=6):
    """Two Gaussian blobs of ``n`` points each (labels -1 and +1) and the path the moving point follows.

    Returns ``X`` (2n, 2), ``y`` (2n,), the index of the moving point, and the path's two ends ``start``, ``end``:
    the point sits at ``start + t (end - start)`` for ``t`` in [0, 1].
    """
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal([-1.2, -1.0], 0.8, (n, 2)), rng.normal([1.2, 1.0], 0.8, (n, 2))])
    y = np.r_[-np.ones(n), np.ones(n)]
    start, end = np.array([3.0, 2.6]), np.array([-1.6, -1.4])
    return X, y, len(y) - 1, start, end


def _line(w, b, offset, reach=20.0):
    """Two far-apart points on the line w.x + b = offset (drawn long; the axes clip it)."""
    nw = float(w @ w)
    if nw == 0.0:
        return np.array([np.nan, np.nan]), np.array([np.nan, np.nan])
    p0 = (offset - b) * w / nw
    d = np.array([-w[1], w[0]]) / np.sqrt(nw)
    ends = np.stack([p0 - reach * d, p0 + reach * d])
    return ends[:, 0], ends[:, 1]


class MarginExplorer:
    """Hinge vs logistic on 2-D data; ``t`` moves one positive point across the boundary, ``C`` regularises.

    Fits are cached by ``(t, C)``, so returning to a slider position only redraws.
    """

    LIMITS = (-3.6, 3.6)

    def __init__(self, n=15, seed=6, t=0.0, C=1.0):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.X0, self.y, self.moving, self.start, self.end = make_data(n, seed)
        self._cache = {}
        self.t, self.C = float(t), float(C)

        self.fig = Figure(figsize=(7, 3.2), dpi=80)
        FigureCanvasAgg(self.fig)
        ax, bx = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        self.ax, self.bx = ax, bx
        still = np.arange(len(self.y)) != self.moving
        for label, color in CLASS_COLORS.items():
            pick = still & (self.y == label)
            ax.scatter(*self.X0[pick].T, s=14, color=color, zorder=3)
        ax.plot(*np.stack([self.start, self.end]).T, ":", color="0.6", lw=1)
        (self.star,) = ax.plot([], [], "*", ms=13, color=CLASS_COLORS[1.0], mec="k", zorder=4)
        self.rings = ax.scatter([], [], s=70, facecolors="none", edgecolors="k", lw=1.0, zorder=5)
        (self.svm_line,) = ax.plot([], [], color=SVM_COLOR, lw=1.8)
        (self.m_lo,) = ax.plot([], [], "--", color=SVM_COLOR, lw=0.9)
        (self.m_hi,) = ax.plot([], [], "--", color=SVM_COLOR, lw=0.9)
        (self.log_line,) = ax.plot([], [], color=LOGIT_COLOR, lw=1.8)
        ax.set(xlim=self.LIMITS, ylim=self.LIMITS, aspect="equal", xticks=[], yticks=[])
        self.title = self.fig.text(0.5, 0.97, "", ha="center", va="top", fontsize=9)

        bx.axvline(1.0, color="0.6", lw=0.8, ls=":")
        (self.svm_pts,) = bx.plot([], [], "o", ms=4, color=SVM_COLOR, label="max margin (hinge): α / C")
        (self.log_pts,) = bx.plot([], [], "s", ms=3, color=LOGIT_COLOR, label="logistic: σ(−y z)")
        bx.set(xlim=(-2, 6), ylim=(-0.05, 1.05), xlabel="margin  y · score", ylabel="weight in the solution")
        bx.legend(loc="upper right", fontsize=7, frameon=False)
        self.fig.subplots_adjust(left=0.01, right=0.98, bottom=0.15, top=0.9, wspace=0.12)
        # Blitting: the axes, ticks and fixed points are drawn once; update() redraws only what moves.
        self._moving_artists = [
            self.star,
            self.rings,
            self.svm_line,
            self.m_lo,
            self.m_hi,
            self.log_line,
            self.svm_pts,
            self.log_pts,
            self.title,
        ]
        for a in self._moving_artists:
            a.set_animated(True)
        self.fig.canvas.draw()
        self._background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
        self.update()

    # ------------------------------------------------------------------ model
    def point(self, t):
        """Where the moving point sits at slider position ``t``."""
        return self.start + float(t) * (self.end - self.start)

    def data(self, t):
        X = self.X0.copy()
        X[self.moving] = self.point(t)
        return X

    def fits(self, t, C):
        """(max-margin result, logistic FitResult) for slider values ``t`` and ``C``, cached."""
        key = (round(float(t), 6), float(C))
        if key not in self._cache:
            X = self.data(t)
            svm = fit.max_margin(X, self.y, C=C)
            logit = fit.newton(losses.binary_cross_entropy, X, (self.y + 1) / 2, l2=1.0 / (C * len(self.y)))
            self._cache[key] = (svm, logit)
        return self._cache[key]

    # ------------------------------------------------------------------ view
    def update(self, t=None, C=None) -> bytes:
        """Refit (or fetch from the cache) and redraw; returns the figure as PNG bytes."""
        if t is not None:
            self.t = float(t)
        if C is not None:
            self.C = float(C)
        svm, logit = self.fits(self.t, self.C)
        X = self.data(self.t)
        self.svm, self.logit = svm, logit
        self.star.set_data([X[self.moving, 0]], [X[self.moving, 1]])
        self.rings.set_offsets(X[svm.support])
        self.svm_line.set_data(*_line(svm.w, svm.b, 0.0))
        self.m_lo.set_data(*_line(svm.w, svm.b, -1.0))
        self.m_hi.set_data(*_line(svm.w, svm.b, 1.0))
        self.log_line.set_data(*_line(logit.w[1:], logit.w[0], 0.0))
        m_svm = self.y * svm.decision(X)
        m_log = self.y * logit.predict(X)
        self.svm_pts.set_data(m_svm, svm.alpha / self.C)
        self.log_pts.set_data(m_log, units.sigmoid(-m_log))
        where = "a support vector" if self.moving in svm.support else "not a support vector"
        self.title.set_text(f"t = {self.t:.2f}, C = {self.C:g}: ★ is {where}; {len(svm.support)} support vectors")
        return self._png()

    def _png(self):
        from PIL import Image

        canvas = self.fig.canvas
        canvas.restore_region(self._background)
        for a in self._moving_artists:
            self.fig.draw_artist(a)
        buf = io.BytesIO()
        Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buf, format="png", compress_level=1)
        return buf.getvalue()

    def widget(self):
        import ipywidgets as W

        image = W.Image(value=self.update(), format="png")
        t = W.FloatSlider(value=self.t, min=0.0, max=1.0, step=0.05, description="move ★", continuous_update=False)
        C = W.SelectionSlider(options=list(C_VALUES), value=self.C, description="C")

        def redraw(_change):
            image.value = self.update(t=t.value, C=C.value)

        t.observe(redraw, names="value")
        C.observe(redraw, names="value")
        return W.VBox([W.HBox([t, C]), image])


def draw_panel(ax, explorer, t, C=None):
    """Draw the data, both boundaries, the margins and the support vectors at slider position ``t``."""
    C = explorer.C if C is None else C
    svm, logit = explorer.fits(t, C)
    X = explorer.data(t)
    for label, color in CLASS_COLORS.items():
        pick = explorer.y == label
        ax.scatter(*X[pick].T, s=10, color=color, zorder=3)
    ax.plot(*X[explorer.moving], "*", ms=12, color=CLASS_COLORS[1.0], mec="k", zorder=4)
    ax.scatter(*X[svm.support].T, s=55, facecolors="none", edgecolors="k", lw=0.9, zorder=5)
    ax.plot(*_line(svm.w, svm.b, 0.0), color=SVM_COLOR, lw=1.6)
    ax.plot(*_line(svm.w, svm.b, -1.0), "--", color=SVM_COLOR, lw=0.8)
    ax.plot(*_line(svm.w, svm.b, 1.0), "--", color=SVM_COLOR, lw=0.8)
    ax.plot(*_line(logit.w[1:], logit.w[0], 0.0), color=LOGIT_COLOR, lw=1.6)
    ax.set(xlim=MarginExplorer.LIMITS, ylim=MarginExplorer.LIMITS, aspect="equal", xticks=[], yticks=[])


def static_figure(ts=(0.0, 0.3, 0.5, 0.7), C=1.0, **kwargs):
    """Small multiples of the ``t`` slider: blue is the max-margin boundary (dashed: its margins; rings: the
    support vectors), red the logistic boundary; the star is the point that moves."""
    explorer = MarginExplorer(C=C, **kwargs)
    return plots.small_multiples(
        lambda ax, t: draw_panel(ax, explorer, t, C), ts, ncols=len(ts), panel=(2.4, 2.5), label="★ at t = {}"
    )

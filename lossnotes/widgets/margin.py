r"""The margin explorer: hinge (a max-margin classifier) against logistic regression on the same 2-D data.

One point of the positive class (the star) moves along a straight path, from deep inside its own class to the
far side of the boundary. While it stays beyond the margin the max-margin solution does not move at all (the
point is not a support vector: its hinge loss and gradient are exactly zero); the logistic boundary moves a
little for every position, because the logistic loss charges every example. ``C`` sets the regularisation of
both fits on the same scale: the SVM minimises :math:`\tfrac12\lVert w\rVert^2 + C\sum_i \text{hinge}_i`, the
logistic fit :math:`\tfrac12\lVert w\rVert^2 + C\sum_i \text{logloss}_i` (``l2 = 1 / (C n)`` on the mean loss).

The right panel shows how much each point weighs in each solution, against its margin :math:`y \cdot s`: the
dual variable :math:`\alpha_i / C` for the SVM (exactly 0 past margin 1) and :math:`|\sigma(z_i) - y_i| =
\sigma(-y z_i)` for logistic regression (never 0).

``explorer()`` is the interactive version (it works with no kernel, see ``_frames``); ``static_figure`` draws
chosen states with the same ``draw`` function; ``model().fits(t, C)`` gives the fits behind a state.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import fit as _fit
from .. import losses as _losses
from .. import units as _units
from . import _frames

__all__ = ["C_VALUES", "POSITIONS", "Model", "model", "make_data", "draw", "describe", "explorer", "static_figure"]

C_VALUES = (0.1, 0.3, 1.0, 3.0)
#: The positions of the moving point the explorer offers (0: deep in its class, 1: across the boundary).
POSITIONS = tuple(round(0.1 * i, 1) for i in range(11))
LIMITS = (-3.6, 3.6)
SIZE = (6.88, 3.7)  # one frame, inches


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


def _check_t(t):
    try:
        t = float(t)
    except (TypeError, ValueError):
        raise ValueError(f"t must be a number in [0, 1] (the point's position on its path), got {t!r}") from None
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"t must be a number in [0, 1] (the point's position on its path), got {t!r}")
    return t


def _check_C(C):
    try:
        C = float(C)
    except (TypeError, ValueError):
        raise ValueError(f"C must be a positive number (the inverse regularisation), got {C!r}") from None
    if not (np.isfinite(C) and C > 0):
        raise ValueError(f"C must be a positive number (the inverse regularisation), got {C!r}")
    return C


class Model:
    """The data and the fits behind the explorer: ``X0, y``, the index ``moving`` of the star, its path."""

    def __init__(self, n=15, seed=6):
        self.X0, self.y, self.moving, self.start, self.end = make_data(n, seed)
        self._cache = {}

    def point(self, t):
        """Where the moving point sits at position ``t``."""
        return self.start + _check_t(t) * (self.end - self.start)

    def data(self, t):
        """The data with the moving point at position ``t``."""
        X = self.X0.copy()
        X[self.moving] = self.point(t)
        return X

    def fits(self, t, C=1.0):
        """(max-margin result, logistic ``FitResult``) at position ``t`` and regularisation ``C``, cached."""
        key = (round(_check_t(t), 9), _check_C(C))
        if key not in self._cache:
            X = self.data(t)
            svm = _fit.max_margin(X, self.y, C=C)
            logit = _fit.newton(_losses.binary_cross_entropy, X, (self.y + 1) / 2, l2=1.0 / (C * len(self.y)))
            self._cache[key] = (svm, logit)
        return self._cache[key]


@functools.lru_cache(maxsize=4)
def model(n=15, seed=6):
    """The explorer's ``Model`` (built once per data set)."""
    return Model(n, seed)


def describe(t, C=1.0, *, n=15, seed=6):
    """The ``View`` (alt text and readout) of one state, from the same fits the picture draws."""
    m = model(n, seed)
    t, C = _check_t(t), _check_C(C)
    (svm, logit), (svm0, logit0) = m.fits(t, C), m.fits(0.0, C)
    X = m.data(t)
    star_margin = float(m.y[m.moving] * svm.decision(X)[m.moving])
    role = "a support vector" if m.moving in svm.support else "not a support vector"
    if star_margin < 0:
        where = "on the wrong side of the boundary"
    elif star_margin < 1 - 1e-6:
        where = "inside its margin"
    elif star_margin <= 1 + 1e-6:
        where = "on its margin"
    else:
        where = "beyond its margin"
    # how far each solution is from its own at t = 0 (largest change of a weight or the intercept)
    svm_moved = max(float(np.max(np.abs(svm.w - svm0.w))), abs(svm.b - svm0.b))
    log_moved = float(np.max(np.abs(logit.w - logit0.w)))
    svm_says = (
        "the max-margin weights are as at t = 0 (to 1e-5)"
        if svm_moved < 1e-5
        else f"the max-margin weights have moved by {svm_moved:.2g} since t = 0"
    )
    log_says = (
        "the logistic weights are as at t = 0"
        if log_moved == 0
        else f"the logistic weights have moved by {log_moved:.2g}"
    )
    alt = (
        f"Two classes of points in the plane with the max-margin boundary, its two margins and the logistic "
        f"boundary; the star, at position t = {t:g} of its path, is {where} (margin {star_margin:.2f}) and "
        f"{role}; {svm_says}, {log_says}.",
        f"Each point's weight in the solution against its margin, C = {C:g}, {len(svm.support)} support vectors: "
        f"the max-margin weights are zero past margin 1, the logistic weights never are.",
    )
    readout = (
        f"t = {t:g}, C = {C:g}: the star is {where} (y·s = {star_margin:.2f}), {role}; {svm_says}, "
        f"{log_says}; {len(svm.support)} support vectors."
    )
    return _frames.View(alt=alt, readout=readout)


class _Scene:
    """The two panels of a state: the data and both boundaries (left), each point's weight (right)."""

    def __init__(self, target, m):
        from ..plots import COLORS, MARKERS

        if hasattr(target, "add_gridspec"):
            grid = target.add_gridspec(
                1, 2, width_ratios=[1, 1.05], left=0.01, right=0.985, bottom=0.15, top=0.9, wspace=0.22
            )
            axes = target.add_subplot(grid[0, 0]), target.add_subplot(grid[0, 1])
        else:
            axes = tuple(target)
            if len(axes) != 2:
                raise ValueError(f"target must be a figure, a subfigure or two axes, got {len(axes)} axes")
        self.axes, self.m = axes, m
        ax, bx = axes
        svm_c, log_c = COLORS[0], COLORS[1]
        self.class_colors = {-1.0: COLORS[5], 1.0: COLORS[2]}
        still = np.arange(len(m.y)) != m.moving
        for label, marker in ((-1.0, MARKERS[1]), (1.0, MARKERS[0])):
            pick = still & (m.y == label)
            ax.plot(*m.X0[pick].T, marker, ls="none", ms=5, color=self.class_colors[label], zorder=3)
        ax.plot(*np.stack([m.start, m.end]).T, ":", color="0.5", lw=1.2)
        (self.star,) = ax.plot([], [], "*", ms=15, color=self.class_colors[1.0], mec="k", ls="none", zorder=6)
        (self.rings,) = ax.plot([], [], "o", ms=10, mfc="none", mec="k", mew=1.2, ls="none", zorder=5)
        (self.svm_line,) = ax.plot([], [], color=svm_c, lw=2.2, ls="-", label="max margin")
        (self.m_lo,) = ax.plot([], [], color=svm_c, lw=1.2, ls=(0, (4, 2)))
        (self.m_hi,) = ax.plot([], [], color=svm_c, lw=1.2, ls=(0, (4, 2)))
        (self.log_line,) = ax.plot([], [], color=log_c, lw=2.2, ls=(0, (1, 1.5)), label="logistic")
        ax.set(xlim=LIMITS, ylim=LIMITS, aspect="equal", xticks=[], yticks=[])
        ax.grid(False)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, handlelength=1.8, borderaxespad=0.2)
        bx.axvline(1.0, color="0.5", lw=1.0, ls=":")
        (self.svm_pts,) = bx.plot([], [], "o", ms=6, color=svm_c, ls="none", label="max margin: α/C")
        (self.log_pts,) = bx.plot([], [], "s", ms=5, color=log_c, ls="none", label="logistic: σ(−y·s)")
        bx.set(xlim=(-2, 6), ylim=(-0.05, 1.3), xticks=[-2, 0, 2, 4, 6], yticks=[0, 0.5, 1])
        bx.set(xlabel="margin  y · s", ylabel="weight")
        bx.legend(loc="upper right", handlelength=1.0, borderaxespad=0.2)

    def show(self, t, C):
        m = self.m
        svm, logit = m.fits(t, C)
        X = m.data(t)
        ax, bx = self.axes
        self.star.set_data([X[m.moving, 0]], [X[m.moving, 1]])
        self.rings.set_data(X[svm.support, 0], X[svm.support, 1])
        self.svm_line.set_data(*_line(svm.w, svm.b, 0.0))
        self.m_lo.set_data(*_line(svm.w, svm.b, -1.0))
        self.m_hi.set_data(*_line(svm.w, svm.b, 1.0))
        self.log_line.set_data(*_line(logit.w[1:], logit.w[0], 0.0))
        m_svm = m.y * svm.decision(X)
        m_log = m.y * logit.predict(X)
        self.svm_pts.set_data(m_svm, svm.alpha / C)
        self.log_pts.set_data(m_log, _units.sigmoid(-m_log))
        role = "support vector" if m.moving in svm.support else "not a support vector"
        ax.set_title(f"★ at t = {t:g}: {role}")
        bx.set_title(f"C = {C:g}: {len(svm.support)} support vectors")


def draw(target, *, t, C=1.0, n=15, seed=6):
    """Draw one state on ``target``: a matplotlib ``Figure``/``SubFigure``, or a pair of axes.

    Returns the state's ``View``. This one function draws the explorer's frames and its static figure; drawn
    again on the same target, it updates the picture in place.
    """
    t, C = _check_t(t), _check_C(C)
    key = ("margin", n, seed)
    holder = target if hasattr(target, "add_gridspec") else target[0]
    scene = getattr(holder, "_lossnotes_scene", None)
    if scene is None or scene[0] != key:
        scene = (key, _Scene(target, model(n, seed)))
        holder._lossnotes_scene = scene
    scene[1].show(t, C)
    return describe(t, C, n=n, seed=seed)


CONTROLS = (
    _frames.Control("t", "move ★ along its path, t", tuple((f"{t:g}", t) for t in POSITIONS), 0.0),
    _frames.Control("C", "regularisation C", tuple((f"{c:g}", c) for c in C_VALUES), 1.0),
)


def explorer(*, t=0.0, C=1.0, colors=64):
    """Move the star and choose ``C``; every combination is drawn once, so it works with no kernel.

    Returns a ``_frames.Explorer``: display it (or leave it last in a cell). ``t`` (one of ``POSITIONS``) and
    ``C`` (one of ``C_VALUES``) set the state shown first.
    """
    start = {"t": _check_t(t), "C": _check_C(C)}
    controls = [_frames.Control(c.name, c.description, c.options, start[c.name], c.kind) for c in CONTROLS]
    return _frames.build(draw, controls, size=SIZE, colors=colors)


def static_figure(states=((0.0, 1.0), (0.3, 1.0), (0.8, 1.0))):
    """Chosen states, one row each (``(t, C)`` pairs or dicts), drawn by ``draw`` into one figure."""
    states = [s if isinstance(s, dict) else {"t": s[0], "C": s[1]} for s in states]
    return _frames.static_figure(draw, states, size=SIZE)

r"""The outlier explorer: pick a loss, raise one outlier, and see how hard it pulls the fitted line.

A small fixed data set (30 points scattered around the line :math:`y = 1 + 0.5x`) gets one extra point at
:math:`x = 9.5` whose height you choose. The line :math:`\hat y = w_0 + w_1 x` is fitted with the chosen loss;
the picture shows the points, the fitted line (with the fit on the clean data dashed for reference), and
each point's share of the total loss and of the total gradient magnitude :math:`\sum_i |\partial L/\partial
\hat y_i|`. Under MSE the outlier's loss share grows quadratically and its gradient balances all the other
points together, so the line swings towards it; under MAE, Huber and log-cosh its gradient is capped, and
under Cauchy it fades, so the line stays put.

``explorer()`` is the interactive version (it works with no kernel, see ``_frames``); ``static_figure``
draws chosen states with the same ``draw`` function; ``fit`` gives the numbers behind a state.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import fit as _fit
from .. import losses as _losses
from . import _frames

__all__ = ["CHOICES", "LABELS", "HEIGHTS", "Model", "model", "fit", "draw", "describe", "explorer", "static_figure"]

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

#: The outlier heights the explorer offers (about 6 is in line with the clean data).
HEIGHTS = (6.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0)

TRUE_INTERCEPT, TRUE_SLOPE, NOISE_SD = 1.0, 0.5, 0.7
X_OUTLIER = 9.5
XLIM, YLIM = (-0.5, 10.0), (-3.0, 43.0)
SIZE = (6.88, 3.9)  # one frame, inches


def make_data(n=30, seed=0):
    """The fixed clean data set: ``n`` points with ``y = 1 + 0.5 x + N(0, 0.7^2)``, ``x`` in [0, 9]."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 9.0, n))
    y = TRUE_INTERCEPT + TRUE_SLOPE * x + NOISE_SD * rng.standard_normal(n)
    return x, y


def _check_loss(loss):
    if loss not in CHOICES:
        raise ValueError(f"loss must be one of {list(CHOICES)}, got {loss!r}")
    return loss


def _check_outlier(outlier):
    try:
        h = float(outlier)
    except (TypeError, ValueError):
        raise ValueError(f"outlier must be a finite number (the outlier's height), got {outlier!r}") from None
    if not np.isfinite(h):
        raise ValueError(f"outlier must be a finite number (the outlier's height), got {outlier!r}")
    return h


class Model:
    """The data and the fits behind the explorer.

    ``x, y`` are the clean points, ``xs`` the x values with the outlier's appended; ``clean[loss]`` holds each
    loss's fit on the clean data (the fixed start of every refit: deterministic, and for the non-convex Cauchy
    loss it selects the minimum near the bulk of the data).
    """

    def __init__(self, n=30, seed=0):
        self.x, self.y = make_data(n, seed)
        self.xs = np.append(self.x, X_OUTLIER)
        self.mean, self.sd = float(np.mean(self.xs)), float(np.std(self.xs))
        w_mse = self._fit_weights("mse", self.x, self.y)
        self.clean = {k: self._fit_weights(k, self.x, self.y, start=w_mse) for k in CHOICES}

    def _fit_weights(self, name, x, y, start=None):
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

    @functools.lru_cache(maxsize=256)  # noqa: B019  (one Model per data set, kept while the process runs)
    def fit(self, loss, outlier):
        """The fit for a loss name and an outlier height: a dict of the numbers a frame shows.

        ``line`` and ``clean_line`` are ``(intercept, slope)`` with and without the outlier; ``per_point`` the
        loss of each point (outlier last); ``loss_share`` and ``grad_share`` each point's fraction of the total
        loss and of the total gradient magnitude at the fitted line.
        """
        loss, outlier = _check_loss(loss), _check_outlier(outlier)
        ys = np.append(self.y, outlier)
        w = self._fit_weights(loss, self.xs, ys, start=self.clean[loss])
        b0, b1 = self.to_line(w)
        fn, params, _ = CHOICES[loss]
        pred = b0 + b1 * self.xs
        per_point = fn(ys, pred, reduction="none", **params)
        grad = np.abs(fn.grad(ys, pred, **params))
        total, gtotal = float(per_point.sum()), float(grad.sum())
        return {
            "line": (b0, b1),
            "clean_line": self.to_line(self.clean[loss]),
            "per_point": per_point,
            "loss_share": per_point / total if total > 0 else np.zeros_like(per_point),
            "grad_share": grad / gtotal if gtotal > 0 else np.zeros_like(grad),
        }


@functools.lru_cache(maxsize=4)
def model(n=30, seed=0):
    """The explorer's ``Model`` (built once per data set)."""
    return Model(n, seed)


def fit(loss, outlier, *, n=30, seed=0):
    """The numbers behind one state: see ``Model.fit``."""
    return model(n, seed).fit(_check_loss(loss), _check_outlier(outlier))


def describe(loss, outlier, *, n=30, seed=0):
    """The ``View`` (alt text and readout) of one state, from the same fit the picture draws."""
    r = fit(loss, outlier, n=n, seed=seed)
    slope, clean = r["line"][1], r["clean_line"][1]
    ls, gs = r["loss_share"][-1], r["grad_share"][-1]
    moved = slope - clean
    if abs(moved) < 0.05:
        verdict = f"close to the clean fit's {clean:.2f}"
    else:
        verdict = f"pulled {'up' if moved > 0 else 'down'} from the clean fit's {clean:.2f}"
    alt = (
        f"Fit under {LABELS[loss]} with the outlier at height {outlier:g}: the line's slope is {slope:.2f}, {verdict}.",
        f"Two bar charts, one bar per point: the outlier carries {ls:.0%} of the total loss and {gs:.0%} of the "
        f"total gradient; the other 30 points share the rest.",
    )
    readout = (
        f"{LABELS[loss]}, outlier at y = {outlier:g}: slope {slope:.2f} (without the outlier {clean:.2f}); "
        f"the outlier's share: {ls:.0%} of the loss, {gs:.0%} of the gradient."
    )
    return _frames.View(alt=alt, readout=readout)


class _Scene:
    """The panels of one state on a figure or subfigure: the fit (left), the two shares (right).

    The parts every state shares (axes, the clean points) are made once; ``show`` sets the parts a state
    changes, so a figure can be redrawn for state after state without being rebuilt.
    """

    def __init__(self, target, m):
        from ..plots import COLORS, MARKERS

        if hasattr(target, "add_gridspec"):
            grid = target.add_gridspec(
                2, 2, width_ratios=[1.25, 1], left=0.085, right=0.985, bottom=0.15, top=0.9, wspace=0.3, hspace=0.75
            )
            axes = target.add_subplot(grid[:, 0]), target.add_subplot(grid[0, 1]), target.add_subplot(grid[1, 1])
        else:
            axes = tuple(target)
            if len(axes) != 3:
                raise ValueError(f"target must be a figure, a subfigure or three axes, got {len(axes)} axes")
        ax, lx, gx = self.axes = axes
        blue, red, black = COLORS[0], COLORS[1], COLORS[4]
        g = np.array(XLIM)
        ax.scatter(m.x, m.y, s=16, color=blue, zorder=3, label="data")
        (self.dot,) = ax.plot(
            [X_OUTLIER], [0.0], MARKERS[3], color=red, ms=8, mec="white", zorder=4, ls="none", label="outlier"
        )
        (self.clean_line,) = ax.plot(g, 0 * g, color=black, lw=1.5, ls=(0, (5, 2)), label="fit without it")
        (self.fit_line,) = ax.plot(g, 0 * g, color=red, lw=2.2, ls="-", label="fit with it")
        ax.set(xlim=XLIM, ylim=YLIM, xlabel="x", ylabel="y", xticks=[0, 5, 10], yticks=[0, 20, 40])
        ax.legend(loc="upper left", handlelength=1.6, borderaxespad=0.2, labelspacing=0.3)
        # each bar chart is two thick stem lines (the clean points, the outlier): two artists, not k + 1 patches
        k = len(m.x)
        self.stem_x = np.repeat(np.arange(k, dtype=float), 3)
        self.bars = []
        for bx in (lx, gx):
            (rest,) = bx.plot([], [], color=blue, lw=4.0, ls="-", solid_capstyle="butt")
            (out,) = bx.plot([k + 1, k + 1], [0, 0], color=red, lw=9.0, ls="-", solid_capstyle="butt")
            self.bars.append((rest, out))
            bx.set(xlim=(-1, k + 2.5), ylim=(0, 1), yticks=[0, 0.5, 1], yticklabels=["0", "½", "1"], xticks=[])
            bx.grid(False, axis="x")
        gx.set_xlabel("each point (outlier right)")
        self.grid = g

    def show(self, loss, outlier, r):
        ax, lx, gx = self.axes
        (b0, b1), (c0, c1) = r["line"], r["clean_line"]
        self.dot.set_ydata([outlier])
        self.clean_line.set_ydata(c0 + c1 * self.grid)
        self.fit_line.set_ydata(b0 + b1 * self.grid)
        ax.set_title(f"{LABELS[loss]}: slope {b1:.2f}")
        for bx, (rest, out), share, what in zip(
            (lx, gx), self.bars, (r["loss_share"], r["grad_share"]), ("loss", "gradient"), strict=True
        ):
            stems = np.zeros((len(share) - 1, 3))
            stems[:, 1], stems[:, 2] = share[:-1], np.nan
            rest.set_data(self.stem_x, stems.ravel())
            out.set_ydata([0.0, share[-1]])
            bx.set_title(f"{what} share: outlier {share[-1]:.0%}")


def draw(target, *, loss, outlier, n=30, seed=0):
    """Draw one state on ``target``: a matplotlib ``Figure``/``SubFigure``, or a sequence of three axes.

    Returns the state's ``View``. This one function draws the explorer's frames and its static figure; drawn
    again on the same target, it updates the picture in place.
    """
    loss, outlier = _check_loss(loss), _check_outlier(outlier)
    m = model(n, seed)
    key = ("outliers", n, seed)
    holder = target if hasattr(target, "add_gridspec") else target[0]
    scene = getattr(holder, "_lossnotes_scene", None)
    if scene is None or scene[0] != key:
        scene = (key, _Scene(target, m))
        holder._lossnotes_scene = scene
    scene[1].show(loss, outlier, fit(loss, outlier, n=n, seed=seed))
    return describe(loss, outlier, n=n, seed=seed)


CONTROLS = (
    _frames.Control("loss", "loss", tuple((LABELS[k], k) for k in CHOICES), "mse", kind="dropdown"),
    _frames.Control("outlier", "outlier height y", tuple((f"{h:g}", h) for h in HEIGHTS), 25.0),
)


def explorer(*, loss="mse", outlier=25.0, colors=64):
    """Choose a loss and the outlier's height; every combination is drawn once, so it works with no kernel.

    Returns a ``_frames.Explorer``: display it (or leave it last in a cell). ``loss`` and ``outlier`` set the
    state shown first.
    """
    controls = [
        _frames.Control(c.name, c.description, c.options, v, c.kind)
        for c, v in zip(CONTROLS, (_check_loss(loss), _check_outlier(outlier)), strict=True)
    ]
    return _frames.build(draw, controls, size=SIZE, colors=colors)


def static_figure(states=(("mse", 25.0), ("huber", 25.0))):
    """Chosen states, one row each (``(loss, outlier)`` pairs or dicts), drawn by ``draw`` into one figure."""
    states = [s if isinstance(s, dict) else {"loss": s[0], "outlier": s[1]} for s in states]
    return _frames.static_figure(draw, states, size=SIZE)

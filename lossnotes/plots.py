"""The house figure style and the figures the chapters share (matplotlib is imported on first use).

``style()`` applies the style and returns pyplot: the Okabe–Ito palette, which stays distinguishable for
colour-blind readers, in an order whose first colours contrast well on white, with a dash pattern per colour so
that lines differ without colour too; text no smaller than ``MIN_FONT_PT``; a white background, so that figures
read on the book's dark theme; tight layout. ``figure()`` makes a figure sized for the book's 688 px column.

Each PNG a notebook shows is stamped, in its PNG text chunks, with the smallest font size it holds
(``lossnotes:min-font-pt``) and its resolution (``lossnotes:dpi``): a figure shown at ``w`` CSS px whose PNG
is ``W`` px wide has its smallest text at ``pt / 72 * dpi * w / W`` CSS px.

``loss_and_gradient`` draws losses and their gradients side by side over the residual ``pred - y``;
``small_multiples`` lays out one panel per value of a parameter, at most two panels side by side.
"""

from __future__ import annotations

import base64
import io

import numpy as np

__all__ = [
    "COLORS",
    "NAMED_COLORS",
    "LINESTYLES",
    "MARKERS",
    "COLUMN_WIDTH",
    "DPI",
    "MIN_FONT_PT",
    "style",
    "figure",
    "min_font_pt",
    "render",
    "png_bytes",
    "loss_and_gradient",
    "small_multiples",
]

#: The Okabe–Ito palette by name (Okabe and Ito, "Color Universal Design", 2008).
NAMED_COLORS = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "green": "#009E73",
    "purple": "#CC79A7",
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
}
#: Colours in the order figures use them: the strongest contrast on white first, yellow (too pale for lines
#: on white) last.
COLORS = list(NAMED_COLORS.values())
#: One dash pattern per colour in ``COLORS`` (the axes cycle pairs them), so that lines differ without colour.
LINESTYLES = ["-", (0, (5, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2)), (0, (3, 1, 1, 1, 1, 1)), "-", (0, (5, 2)), "-"]
#: Markers to pair with ``COLORS`` when points, not lines, must be told apart.
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

#: Width of the book's text column in inches: 688 px at ``DPI``.
COLUMN_WIDTH = 6.88
#: Resolution of every figure (1 inch = 100 px, so a figure of ``COLUMN_WIDTH`` fills the column at scale 1).
DPI = 100
#: No text in a figure is smaller than this (points); at ``DPI`` and full column width 11 pt is 15 px.
MIN_FONT_PT = 11

_BASE_PT = 12  # body text of figures: labels, titles; ticks and legends use MIN_FONT_PT

# Height of one row of panels (inches) when ``figure`` is not given one.
_ROW_HEIGHT = {1: 3.6, 2: 3.0}

STAMP_FONT = "lossnotes:min-font-pt"
STAMP_DPI = "lossnotes:dpi"


def _rc():
    from cycler import cycler

    n = len(COLORS) - 1  # the cycle leaves out yellow
    return {
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "figure.figsize": (COLUMN_WIDTH, _ROW_HEIGHT[1]),
        "figure.facecolor": "white",
        "figure.edgecolor": "white",
        "savefig.facecolor": "white",
        "savefig.edgecolor": "white",
        "savefig.transparent": False,
        "axes.facecolor": "white",
        "figure.autolayout": True,
        "axes.prop_cycle": cycler(color=COLORS[:n]) + cycler(linestyle=LINESTYLES[:n]),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "lines.linewidth": 2.0,
        "lines.markersize": 6.0,
        "font.size": _BASE_PT,
        "axes.titlesize": _BASE_PT,
        "axes.labelsize": _BASE_PT,
        "figure.titlesize": _BASE_PT,
        "figure.labelsize": _BASE_PT,
        "xtick.labelsize": MIN_FONT_PT,
        "ytick.labelsize": MIN_FONT_PT,
        "legend.fontsize": MIN_FONT_PT,
        "legend.title_fontsize": MIN_FONT_PT,
        "legend.frameon": False,
        "axes.titlelocation": "left",
        "axes.titlepad": 8.0,
        "mathtext.fontset": "dejavusans",
    }


def style():
    """Apply the house style to matplotlib and return ``matplotlib.pyplot``.

    Inside IPython it also makes each displayed figure's PNG carry its smallest font size (see the module
    docstring); calling it again is harmless.
    """
    import matplotlib.pyplot as plt

    plt.rcParams.update(_rc())
    _register_png_formatter()
    return plt


def figure(nrows=1, ncols=1, *, height=None, **kw):
    """A figure ``COLUMN_WIDTH`` wide and its axes, like ``plt.subplots(nrows, ncols)``.

    At most two panels sit side by side: asking for more than two columns lays the ``nrows * ncols`` panels
    out two per row (reading order) and returns them as a flat array, the unused last panel hidden.
    ``height`` is the whole figure's height in inches (default: 3.6 per row of one panel, 3.0 per row of two).
    Other keywords go to ``plt.subplots``. Returns ``(fig, axes)``.
    """
    nrows, ncols = _positive_int(nrows, "nrows"), _positive_int(ncols, "ncols")
    if height is not None and not (np.isfinite(height) and height > 0):
        raise ValueError(f"height must be a positive number of inches, got {height!r}")
    plt = style()
    n = nrows * ncols
    stack = ncols > 2
    rows, cols = (-(-n // 2), 2) if stack else (nrows, ncols)
    if height is None:
        height = _ROW_HEIGHT[cols] * rows
    squeeze = kw.pop("squeeze", True)
    fig, axes = plt.subplots(rows, cols, figsize=(COLUMN_WIDTH, height), squeeze=squeeze and not stack, **kw)
    if stack:
        flat = axes.ravel()
        for ax in flat[n:]:
            ax.set_visible(False)
        axes = flat[:n]
    return fig, axes


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


# ---------------------------------------------------------------------------------------------- text-size stamp
def render(fig):
    """Draw ``fig`` at its own size and dpi; return ``(rgba, smallest)``.

    ``rgba`` is the picture as a ``(height, width, 4)`` uint8 array; ``smallest`` the smallest font size in
    points among the non-empty texts actually drawn (tick labels, legends and annotations included; a tick
    outside the axes' view or a hidden artist draws nothing), or ``None`` when nothing is written.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

    if fig.canvas is None or not hasattr(fig.canvas, "print_png"):
        FigureCanvasAgg(fig)
    width, height = (int(round(v)) for v in fig.get_size_inches() * fig.dpi)
    renderer = RendererAgg(width, height, fig.dpi)
    sizes = []
    draw_text, draw_tex = renderer.draw_text, renderer.draw_tex

    def recording_draw_text(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if s.strip():
            sizes.append(prop.get_size_in_points())
        return draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    def recording_draw_tex(gc, x, y, s, prop, angle, *, mtext=None):
        if s.strip():
            sizes.append(prop.get_size_in_points())
        return draw_tex(gc, x, y, s, prop, angle, mtext=mtext)

    renderer.draw_text, renderer.draw_tex = recording_draw_text, recording_draw_tex
    fig.draw(renderer)
    rgba = np.asarray(renderer.buffer_rgba()).copy()
    return rgba, (float(min(sizes)) if sizes else None)


def min_font_pt(fig):
    """The smallest font size (points) among the texts a figure draws; ``None`` when it draws none."""
    return render(fig)[1]


def png_bytes(fig, *, dpi=None, **savefig_kw):
    """The figure as PNG bytes (tight bounding box), stamped with its smallest font size and its dpi."""
    dpi = fig.dpi if dpi is None else dpi
    smallest = min_font_pt(fig)
    metadata = {STAMP_DPI: f"{dpi:g}"}
    if smallest is not None:
        metadata[STAMP_FONT] = f"{smallest:g}"
    kw = {"format": "png", "dpi": dpi, "bbox_inches": "tight", "facecolor": fig.get_facecolor(), "metadata": metadata}
    kw.update(savefig_kw)
    buf = io.BytesIO()
    fig.savefig(buf, **kw)
    return buf.getvalue()


def _png_formatter(fig):
    """IPython's image/png formatter for matplotlib figures: the stamped PNG, base64-encoded."""
    if not fig.axes and not fig.lines:
        return None  # an empty figure shows nothing, as with IPython's own formatter
    return base64.b64encode(png_bytes(fig)).decode("ascii")


def _register_png_formatter():
    """Make IPython show matplotlib figures as stamped PNGs; ``False`` outside IPython.

    matplotlib-inline installs its own PNG formatter when its backend loads, at the latest at the end of the
    cell that first loads it; a ``pre_run_cell`` hook puts this one back before every cell.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    import matplotlib.pyplot as plt

    getattr(plt, "_get_backend_mod", lambda: None)()  # load the backend now rather than at the first figure
    _install_formatter(shell)
    if _reinstall_formatter not in shell.events.callbacks["pre_run_cell"]:
        shell.events.register("pre_run_cell", _reinstall_formatter)
    return True


def _install_formatter(shell):
    from matplotlib.figure import Figure

    shell.display_formatter.formatters["image/png"].for_type(Figure, _png_formatter)


def _reinstall_formatter(info=None):
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        _install_formatter(shell)


# ---------------------------------------------------------------------------------------------- shared figures
def _entries(losses):
    out = []
    for item in losses:
        if isinstance(item, tuple):
            loss, kw = item[0], item[1] if len(item) > 1 else {}
            label = item[2] if len(item) > 2 else loss.name
        else:
            loss, kw, label = item, {}, item.name
        out.append((loss, kw, label))
    return out


def loss_and_gradient(losses, r=None, *, y=0.0, axes=None, title=None):
    """Plot each loss (left) and its gradient (right) against the residual ``r = pred - y``.

    ``losses`` holds ``Loss`` objects or ``(loss, params, label)`` tuples, e.g. ``(ln.losses.huber, {"delta": 1})``.
    Returns the two axes.
    """
    style()
    r = np.linspace(-4, 4, 801) if r is None else np.asarray(r, dtype=float)
    if axes is None:
        _, axes = figure(1, 2, height=3.4)
    yy = np.full_like(r, y)
    for i, (loss, kw, label) in enumerate(_entries(losses)):
        line = {"color": COLORS[i % len(COLORS)], "linestyle": LINESTYLES[i % len(LINESTYLES)], "label": label}
        axes[0].plot(r, loss(yy, yy + r, reduction="none", **kw), **line)
        axes[1].plot(r, loss.grad(yy, yy + r, **kw), **line)
    axes[0].set(xlabel="residual  pred − y", ylabel="loss", title="the price")
    axes[1].set(xlabel="residual  pred − y", ylabel="∂loss/∂pred", title="the teaching signal")
    axes[0].legend()
    if title:
        axes[0].figure.suptitle(title)
    return axes


def small_multiples(draw, values, *, ncols=2, panel=(None, 2.6), sharey=True, label="{}", title=None):
    """One panel per value: ``draw(ax, value)`` fills each; the panels show what a slider would do.

    At most two panels per row (``ncols`` above 2 counts as 2), the figure ``COLUMN_WIDTH`` wide;
    ``panel[1]`` is the height of a row in inches (``panel[0]`` is ignored: the column sets the width).
    Returns the figure.
    """
    style()
    values = list(values)
    if not values:
        raise ValueError("values must hold at least one value to draw")
    ncols = max(1, min(_positive_int(ncols, "ncols"), 2, len(values)))
    nrows = -(-len(values) // ncols)
    fig, axes = figure(nrows, ncols, height=panel[1] * nrows, sharey=sharey, squeeze=False)
    for ax, v in zip(axes.flat, values, strict=False):
        draw(ax, v)
        ax.set_title(label.format(v))
    for ax in axes.flat[len(values) :]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    return fig


# ---------------------------------------------------------------------------------------------- curves and fitted lines
def curves(ax, x, named, *, kind="plot", markers=False, **kw):
    """Draw the curves ``named`` (a mapping label -> values over ``x``, or pairs ``(label, values)``) on ``ax``.

    The i-th curve takes ``COLORS[i]`` and ``LINESTYLES[i]`` (and ``MARKERS[i]`` with ``markers=True``), so that
    curves drawn in the same order on several panels match. ``kind`` is the Axes method that draws: ``"plot"``,
    ``"semilogy"``, ``"semilogx"`` or ``"loglog"``. Other keywords go to every line. Returns the lines.
    """
    if kind not in ("plot", "semilogy", "semilogx", "loglog"):
        raise ValueError(f"kind must be plot, semilogy, semilogx or loglog, got {kind!r}")
    from matplotlib.cbook import normalize_kwargs
    from matplotlib.lines import Line2D

    style()
    kw = normalize_kwargs(kw, Line2D)  # ls= and linestyle= alike override the house dash
    items = list(named.items() if hasattr(named, "items") else named)
    out = []
    for i, (label, values) in enumerate(items):
        line = {"color": COLORS[i % len(COLORS)], "linestyle": LINESTYLES[i % len(LINESTYLES)], "label": label}
        if markers:
            line["marker"] = MARKERS[i % len(MARKERS)]
        out += getattr(ax, kind)(x, np.broadcast_to(values, np.shape(x)), **{**line, **kw})
    return out


def fitted_lines(ax, x, y, lines, *, span=None, highlight=None, reference=(), labels=(None, None), s=14, **kw):
    """Points and the straight lines fitted to them: ``lines`` maps a label to ``(intercept, slope)``.

    The points are grey dots; those selected by ``highlight`` (a boolean mask or indices) are black crosses.
    Each fitted line takes the house colour and dash of its position (other keywords, e.g. ``ls="-"``, go to
    every fitted line); ``reference`` holds lines ``(intercept, slope)`` drawn thin, dashed and dark grey (a true
    line). ``span`` is the range of x the lines cover (default: the points'); ``labels`` name the dots and the
    crosses in a legend. Returns the fitted lines.
    """
    style()
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D and of one shape, got {x.shape} and {y.shape}")
    marked = np.zeros(x.shape, bool)
    if highlight is not None:
        marked[np.asarray(highlight)] = True
    ax.scatter(x[~marked], y[~marked], s=s, color="0.45", label=labels[0], zorder=2)
    if marked.any():
        ax.scatter(x[marked], y[marked], s=2.2 * s, color="k", marker="x", label=labels[1], zorder=2)
    grid = np.array([x.min(), x.max()] if span is None else span, dtype=float)
    for a, b in reference:
        ax.plot(grid, a + b * grid, color="0.3", linestyle=LINESTYLES[1], linewidth=1.2)
    return curves(ax, grid, {label: a + b * grid for label, (a, b) in lines.items()}, **kw)


def legend_above(fig, ncol=3):
    """One legend for the whole figure, in a row above its panels (the labels of every panel, once each)."""
    seen = {}
    for ax in fig.axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in seen:
                seen[label] = handle
    handles, names = list(seen.values()), list(seen)
    return fig.legend(handles, names, loc="lower center", ncol=ncol, bbox_to_anchor=(0.5, 1.0), frameon=False)


__all__ += ["curves", "fitted_lines", "legend_above"]


# ---------------------------------------------------------------------------------------------- figures of chapters 5-7
def price_and_signal(
    x, pairs, *, xlabel, log_signal=False, shade=None, ylim=None, signal_ylim=None, signal_label=None, legend=None
):
    """Two panels against ``x``: each loss (left, "the price") and its derivative (right, "the teaching signal").

    ``pairs`` maps a label to ``(loss values, derivative values)``. With ``log_signal`` the right panel shows the
    derivative's size on a log scale. ``shade=(a, b)`` greys that interval of ``x`` on the right (say, the wrong
    side). ``legend`` is the left panel's legend location. Returns the two axes.
    """
    style()
    _, axes = figure(1, 2, height=3.2)
    losses = {k: v[0] for k, v in pairs.items()}
    signals = {k: np.abs(v[1]) if log_signal else v[1] for k, v in pairs.items()}
    curves(axes[0], x, losses)
    curves(axes[1], x, signals, kind="semilogy" if log_signal else "plot")
    axes[0].set(xlabel=xlabel, ylabel="loss", title="the price")
    default = "|∂ loss / ∂z|" if log_signal else "∂ loss / ∂z"
    axes[1].set(xlabel=xlabel, ylabel=signal_label or default, title="the teaching signal")
    axes[0].legend(loc=legend or "upper right")
    if shade is not None:
        axes[1].axvspan(*shade, color="0.92", zorder=0)
    if ylim is not None:
        axes[0].set_ylim(*ylim)
    if signal_ylim is not None:
        axes[1].set_ylim(*signal_ylim)
    return axes


def decision_line(ax, w, b, offset=0.0, *, span=(-4.0, 4.0), **kw):
    """Draw the line ``w[0] x1 + w[1] x2 + b = offset`` (a linear classifier's boundary or margin) across
    ``span`` of ``x1``; keywords go to ``ax.plot``. Returns the line."""
    w = np.asarray(w, dtype=float)
    if w.shape != (2,) or w[1] == 0:
        raise ValueError(f"w must be two weights with w[1] != 0 to draw a line, got {w!r}")
    x1 = np.asarray(span, dtype=float)
    return ax.plot(x1, (offset - b - w[0] * x1) / w[1], **kw)[0]


def reliability_diagram(ax, table, *, min_count=1, title=None):
    """A reliability diagram from ``ln.metrics.reliability(...)``: a bar of accuracy per bin of confidence, a dot
    at each bin's (confidence, accuracy), and the diagonal of a calibrated model. Bins with fewer than
    ``min_count`` cases are left out. Returns ``ax``."""
    keep = np.asarray(table.count) >= min_count
    edge, conf, acc = (np.asarray(a)[keep] for a in (table.edge, table.confidence, table.accuracy))
    ax.bar(edge, acc, width=table.width, align="edge", color=COLORS[5], edgecolor="white", label="accuracy in bin")
    ax.plot(conf, acc, "o", color=COLORS[0], label="(confidence, accuracy)")
    ax.plot([0, 1], [0, 1], color=COLORS[4], ls=":", label="calibrated")
    ax.set(xlabel="confidence", ylim=(0, 1), title=title or f"ECE {table.ece:.2f}")
    return ax


__all__ += ["price_and_signal", "decision_line", "reliability_diagram"]


# ---------------------------------------------------------------------------------------------- losses of a label set
def losses_along(x, losses, *, y, xlabel, params=None, mark=(), classes=3, **kw):
    """Each loss of ``losses`` (left) and its gradient along ``x`` (right), the label held at ``y``.

    The prediction is ``x`` itself; for a loss of a row of logits (``loss.row_logits``, e.g. ``cross_entropy``)
    it is a row of ``classes`` logits whose entry ``y`` (the true class) is ``x`` and whose others are 0, and the
    gradient drawn is the one with respect to that entry. ``params`` maps a loss's name to the parameters it is
    drawn at, which its label names; the losses named in ``mark`` get a star. With more than three losses the
    legend goes above both panels (in two columns when a label is long). Other keywords go to
    :func:`price_and_signal`. Returns ``(axes, curves)``, ``curves`` mapping each label to
    ``(loss, values, gradient)``.
    """
    x = np.asarray(x, dtype=float)
    params = params or {}
    curves_ = {}
    for loss in losses:
        at = params.get(loss.name, {})
        label = ", ".join([loss.name] + [f"{k} = {v:g}" for k, v in at.items()]) + (" *" if loss.name in mark else "")
        if loss.row_logits:
            labels, pred = np.full(x.shape, int(y)), np.zeros((x.size, classes))
            pred[:, int(y)] = x
            grad = loss.grad(labels, pred, **at)[:, int(y)]
        else:
            labels, pred = np.full_like(x, y), x
            grad = loss.grad(labels, pred, **at)
        curves_[label] = (loss, loss(labels, pred, reduction="none", **at), grad)
    if not curves_:
        raise ValueError("losses must hold at least one loss to draw")
    axes = price_and_signal(x, {k: v[1:] for k, v in curves_.items()}, xlabel=xlabel, **kw)
    if len(curves_) > 3:  # above both panels, in as many columns as fit the column
        axes[0].get_legend().remove()
        legend_above(axes[0].figure, ncol=3 if max(map(len, curves_)) <= 24 else 2)
    return axes, curves_


__all__ += ["losses_along"]


def labelled_points(ax, X, y, *, support=None, labels=(-1, 1)):
    """Scatter 2-D points ``X`` of two classes ``y`` (the first of ``labels`` as orange circles, the second as
    green squares) and ring the points indexed by ``support`` (say, support vectors) in black."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, 2) and y (n,), got X {X.shape} and y {y.shape}")
    for label, color, marker in zip(labels, (COLORS[5], COLORS[2]), ("o", "s"), strict=True):
        ax.scatter(*X[y == label].T, s=22, color=color, marker=marker, zorder=3, label=f"y = {label:+d}")
    if support is not None:
        ring = {"facecolors": "none", "edgecolors": "k", "zorder": 4}
        ax.scatter(*X[np.asarray(support)].T, s=130, label="support vectors", **ring)
    return ax


__all__ += ["labelled_points"]

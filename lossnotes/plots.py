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

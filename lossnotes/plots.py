"""Figures the chapters share (matplotlib is imported on first use).

``loss_and_gradient`` draws losses and their gradients side by side over the residual ``pred - y``;
``small_multiples`` lays out one panel per value of a parameter, the static stand-in for a slider.
"""

from __future__ import annotations

import numpy as np

__all__ = ["COLORS", "style", "loss_and_gradient", "small_multiples"]

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]


def style():
    """Apply the book's matplotlib style and return pyplot."""
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.figsize": (9, 3.6),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "font.size": 10,
            "legend.frameon": False,
        }
    )
    return plt


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
    plt = style()
    r = np.linspace(-4, 4, 801) if r is None else np.asarray(r, dtype=float)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    yy = np.full_like(r, y)
    for i, (loss, kw, label) in enumerate(_entries(losses)):
        c = COLORS[i % len(COLORS)]
        axes[0].plot(r, loss(yy, yy + r, reduction="none", **kw), color=c, label=label)
        axes[1].plot(r, loss.grad(yy, yy + r, **kw), color=c, label=label)
    axes[0].set(xlabel="residual  pred − y", ylabel="loss", title="the price")
    axes[1].set(xlabel="residual  pred − y", ylabel="∂loss/∂pred", title="the teaching signal")
    axes[0].legend()
    if title:
        axes[0].figure.suptitle(title)
    axes[0].figure.tight_layout()
    return axes


def small_multiples(draw, values, *, ncols=4, panel=(2.6, 2.4), sharey=True, label="{}", title=None):
    """One panel per value: ``draw(ax, value)`` fills each; the panels show what a slider would do.

    Returns the figure.
    """
    plt = style()
    values = list(values)
    nrows = -(-len(values) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel[0] * ncols, panel[1] * nrows), sharey=sharey, squeeze=False)
    for ax, v in zip(axes.flat, values, strict=False):
        draw(ax, v)
        ax.set_title(label.format(v), fontsize=9)
    for ax in axes.flat[len(values) :]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig

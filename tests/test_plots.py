"""The house figure style: palette, sizes for the column, text no smaller than MIN_FONT_PT, and the PNG stamp."""

import base64
import io

import numpy as np
import pytest

pytest.importorskip("matplotlib")
PIL_Image = pytest.importorskip("PIL.Image")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import lossnotes as ln  # noqa: E402
from lossnotes import plots  # noqa: E402

OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}


def _contrast_on_white(hex_color):
    """WCAG 2.1 contrast ratio of a colour against white."""
    rgb = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return 1.05 / (luminance + 0.05)


@pytest.fixture
def plt():
    p = plots.style()
    yield p
    p.close("all")


def _stamp(png):
    img = PIL_Image.open(io.BytesIO(png))
    return img, img.text


def test_palette_is_okabe_ito_strong_colours_first():
    assert {c.upper() for c in plots.COLORS} == OKABE_ITO
    assert len(plots.COLORS) == len(set(plots.COLORS)) == 8
    assert plots.COLORS[-1].upper() == "#F0E442"  # yellow, too pale on white, comes last
    # the first five pass WCAG 1.4.11 (3:1 for graphics) on white
    assert all(_contrast_on_white(c) >= 3.0 for c in plots.COLORS[:5])
    assert _contrast_on_white("#F0E442") < 3.0  # the check can fail: yellow does


def test_cycle_pairs_each_colour_with_its_own_dash(plt):
    cycle = list(plt.rcParams["axes.prop_cycle"])
    colors = [c["color"] for c in cycle]
    dashes = [str(c["linestyle"]) for c in cycle]
    assert colors == plots.COLORS[: len(colors)] and "#F0E442" not in colors
    assert len(set(dashes[:5])) == 5  # the first five lines differ by dash too, not only by colour
    fig, ax = plt.subplots()
    lines = [ax.plot([0, 1], [i, i + 1])[0] for i in range(3)]
    assert [ln_.get_color() for ln_ in lines] == plots.COLORS[:3]
    # the cycle's dash reaches the lines: the first is solid, the next two dashed in different patterns
    assert lines[0].get_linestyle() == "-" and {lines[1].get_linestyle(), lines[2].get_linestyle()} == {"--"}
    assert lines[1]._unscaled_dash_pattern != lines[2]._unscaled_dash_pattern


def test_rc_text_sizes_are_at_least_the_minimum(plt):
    from matplotlib.font_manager import FontProperties

    keys = [k for k in plt.rcParams if k.endswith(("size", "fontsize")) and "font" in k or k.endswith("labelsize")]
    keys += ["axes.titlesize", "figure.titlesize", "legend.title_fontsize", "font.size"]
    for key in set(keys):
        value = plt.rcParams[key]
        if value is None or key.startswith(("lines.", "patch.", "grid.")):
            continue
        pts = FontProperties(size=value).get_size_in_points()
        assert pts >= plots.MIN_FONT_PT, (key, value, pts)


def test_background_is_white_for_dark_mode(plt):
    fig, ax = plots.figure()
    ax.plot([0, 1], [0, 1])
    img, _ = _stamp(plots.png_bytes(fig))
    rgba = np.asarray(img.convert("RGBA"))
    assert rgba[0, 0].tolist() == [255, 255, 255, 255]  # opaque white, not transparent
    assert rgba[-1, -1].tolist() == [255, 255, 255, 255]


def test_figure_is_sized_for_the_column(plt):
    fig, ax = plots.figure()
    assert fig.get_size_inches()[0] == pytest.approx(plots.COLUMN_WIDTH)
    assert fig.dpi == plots.DPI and plots.COLUMN_WIDTH * plots.DPI == pytest.approx(688)
    fig, axes = plots.figure(1, 2, height=2.5)
    assert axes.shape == (2,) and fig.get_size_inches() == pytest.approx([plots.COLUMN_WIDTH, 2.5])
    # more than two columns stack two per row, in reading order
    fig, axes = plots.figure(1, 3)
    assert axes.shape == (3,)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3 and len(fig.axes) == 4
    lefts = sorted({round(ax.get_position().x0, 3) for ax in visible})
    assert len(lefts) == 2
    assert axes[0].get_position().y0 > axes[2].get_position().y0  # third panel on the second row


@pytest.mark.parametrize(
    "kw, match",
    [({"nrows": 0}, "nrows"), ({"ncols": 1.5}, "ncols"), ({"height": -1.0}, "height"), ({"height": np.nan}, "height")],
)
def test_figure_refuses_bad_arguments(plt, kw, match):
    with pytest.raises(ValueError, match=match):
        plots.figure(**kw)


def test_small_annotation_is_stamped(plt):
    fig, ax = plots.figure()
    ax.plot([0, 1], [0, 1])
    assert plots.min_font_pt(fig) == plots.MIN_FONT_PT
    ax.annotate("small print", (0.5, 0.5), fontsize=6)
    assert plots.min_font_pt(fig) == 6.0
    _, text = _stamp(plots.png_bytes(fig))
    assert text["lossnotes:min-font-pt"] == "6"
    assert text["lossnotes:dpi"] == "100"


def test_hidden_and_empty_texts_do_not_count(plt):
    fig, axes = plots.figure(1, 2)
    for ax in axes:
        ax.plot([0, 1], [0, 1])
    axes[0].text(0.5, 0.5, "hidden", fontsize=4, visible=False)
    axes[0].text(0.5, 0.5, "   ", fontsize=5)
    ghost = axes[1]
    ghost.set_xlabel("in a hidden panel", fontsize=3)
    ghost.set_visible(False)
    assert plots.min_font_pt(fig) == plots.MIN_FONT_PT
    ghost.set_visible(True)
    assert plots.min_font_pt(fig) == 3.0


def test_tick_and_legend_sizes_count(plt):
    fig, ax = plots.figure()
    ax.plot([0, 1], [0, 1], label="a line")
    ax.legend(fontsize=7)
    assert plots.min_font_pt(fig) == 7.0
    ax.legend()
    ax.tick_params(labelsize=8)
    assert plots.min_font_pt(fig) == 8.0


def test_shared_figures_never_go_below_the_minimum(plt):
    losses = [ln.losses.mse, ln.losses.mae, (ln.losses.huber, {"delta": 1.0}, "huber δ=1"), ln.losses.log_cosh]
    axes = plots.loss_and_gradient(losses, title="four losses")
    fig = axes[0].figure
    assert fig.get_size_inches()[0] == pytest.approx(plots.COLUMN_WIDTH)
    assert plots.min_font_pt(fig) >= plots.MIN_FONT_PT
    _, text = _stamp(plots.png_bytes(fig))
    assert float(text["lossnotes:min-font-pt"]) >= plots.MIN_FONT_PT
    # the curves drawn are the losses: the left panel's first line is r^2
    r, v = axes[0].lines[0].get_data()
    assert np.allclose(v, r**2)

    fig = plots.small_multiples(lambda ax, v: ax.plot([0, 1], [0, v]), [1, 2, 3, 4, 5], ncols=4, label="v = {}")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 5
    assert len({round(ax.get_position().x0, 3) for ax in visible}) == 2  # never more than two side by side
    assert fig.get_size_inches()[0] == pytest.approx(plots.COLUMN_WIDTH)
    assert plots.min_font_pt(fig) >= plots.MIN_FONT_PT
    with pytest.raises(ValueError, match="values"):
        plots.small_multiples(lambda ax, v: None, [])


def test_notebook_display_uses_the_stamp(tmp_path):
    """A figure shown by matplotlib-inline in a real kernel carries the stamp in its PNG."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = [
        "import lossnotes as ln\nplt = ln.plots.style()",
        "fig, ax = ln.plots.figure()\nax.plot([0, 1], [0, 1])\nax.annotate('small print', (0.5, 0.5), fontsize=6)",
        "axes = ln.plots.loss_and_gradient([ln.losses.mse, ln.losses.mae])\nplt.show()",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    stamps = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png:
                img, text = _stamp(base64.b64decode(png))
                stamps.append((text.get("lossnotes:min-font-pt"), text.get("lossnotes:dpi"), img.size[0]))
    assert [s[:2] for s in stamps] == [("6", "100"), ("11", "100")]
    assert all(w <= 688 for _, _, w in stamps)  # no wider than the column at natural size


def test_curves_follow_the_house_order_on_every_panel(plt):
    fig, axes = plots.figure(1, 2)
    x = np.linspace(0.1, 2, 5)
    named = {"a": x, "b": x**2, "c": 1.0}
    left = plots.curves(axes[0], x, named)
    right = plots.curves(axes[1], x, list(named.items()), kind="semilogy", markers=True, lw=1)
    for lines in (left, right):
        assert [line.get_color() for line in lines] == plots.COLORS[:3]
        assert [line.get_label() for line in lines] == ["a", "b", "c"]
        assert len({str(line._dash_pattern) for line in lines}) == 3  # and by dash
    assert np.allclose(left[1].get_ydata(), x**2) and np.allclose(left[2].get_ydata(), 1.0)  # a constant is broadcast
    assert axes[1].get_yscale() == "log" and axes[0].get_yscale() == "linear"
    assert [line.get_marker() for line in right] == plots.MARKERS[:3] and right[0].get_linewidth() == 1
    assert left[0].get_marker() in ("None", None, "")
    assert plots.min_font_pt(fig) is None or plots.min_font_pt(fig) >= plots.MIN_FONT_PT
    with pytest.raises(ValueError, match="kind"):
        plots.curves(axes[0], x, named, kind="bar")


def test_fitted_lines_draw_the_points_and_each_line(plt):
    fig, ax = plots.figure()
    x = np.array([0.0, 1.0, 2.0, 3.0])
    y = np.array([1.0, 2.0, 3.0, 10.0])
    lines = plots.fitted_lines(
        ax, x, y, {"fit": (1.0, 1.0), "other": (0.0, 2.0)}, highlight=[3], reference=[(1.0, 1.0)], span=(-1, 4)
    )
    assert [line.get_label() for line in lines] == ["fit", "other"]
    assert [line.get_color() for line in lines] == plots.COLORS[:2]
    assert np.allclose(lines[0].get_xdata(), [-1, 4]) and np.allclose(lines[1].get_ydata(), [-2, 8])
    dots, crosses = ax.collections
    assert np.allclose(dots.get_offsets(), [[0, 1], [1, 2], [2, 3]]) and np.allclose(crosses.get_offsets(), [[3, 10]])
    reference = [line for line in ax.lines if line not in lines]
    assert len(reference) == 1 and np.allclose(reference[0].get_ydata(), [0, 5])
    # without a span the lines cover the points; a boolean mask highlights too; keywords reach every line
    fig, ax = plots.figure()
    (only,) = plots.fitted_lines(ax, x, y, {"fit": (0.0, 1.0)}, highlight=y > 5, ls="-", lw=3)
    assert np.allclose(only.get_xdata(), [0, 3]) and only.get_linewidth() == 3 and only.get_linestyle() == "-"
    assert len(ax.collections) == 2
    plots.legend_above(fig)
    assert plots.min_font_pt(fig) >= plots.MIN_FONT_PT
    with pytest.raises(ValueError, match="shape"):
        plots.fitted_lines(ax, x, y[:2], {})


def test_legend_above_names_each_curve_once(plt):
    fig, axes = plots.figure(1, 2)
    for ax in axes:
        plots.curves(ax, [0, 1], {"a": [0, 1], "b": [1, 0]})
    legend = plots.legend_above(fig, ncol=2)
    assert [t.get_text() for t in legend.get_texts()] == ["a", "b"]
    assert legend.get_bbox_to_anchor() is not None and not legend.get_frame_on()
    assert plots.min_font_pt(fig) >= plots.MIN_FONT_PT


def test_price_and_signal_shows_losses_and_gradient_sizes(plt):
    z = np.linspace(-10, 10, 201)
    ones = np.ones_like(z)
    bce = ln.losses.binary_cross_entropy
    ce, g = bce(ones, z, reduction="none"), bce.grad(ones, z)
    axes = plots.price_and_signal(z, {"ce": (ce, g)}, xlabel="z", log_signal=True, shade=(-10, 0), ylim=(0, 10))
    fig = axes[0].figure
    assert fig.get_size_inches()[0] == pytest.approx(plots.COLUMN_WIDTH)
    assert np.allclose(axes[0].lines[0].get_ydata(), ce) and np.allclose(axes[1].lines[0].get_ydata(), np.abs(g))
    assert axes[1].get_yscale() == "log" and len(axes[1].patches) == 1  # the shaded side
    assert plots.min_font_pt(fig) >= plots.MIN_FONT_PT
    axes = plots.price_and_signal(z, {"ce": (ce, g)}, xlabel="z")
    assert axes[1].get_yscale() == "linear" and np.allclose(axes[1].lines[0].get_ydata(), g)  # signed when linear


def test_decision_line_lies_on_the_boundary(plt):
    fig, ax = plots.figure()
    w, b = np.array([0.5, -2.0]), 0.3
    for offset in (-1.0, 0.0, 1.0):
        x1, x2 = plots.decision_line(ax, w, b, offset).get_data()
        assert np.allclose(w[0] * x1 + w[1] * x2 + b, offset)
    with pytest.raises(ValueError, match="w"):
        plots.decision_line(ax, [1.0, 0.0], 0.0)


def test_reliability_diagram_draws_the_table(plt):
    from lossnotes import metrics

    rng = np.random.default_rng(0)
    probs = ln.units.softmax(rng.normal(0, 2, (400, 3)))
    y = rng.integers(0, 3, 400)
    table = metrics.reliability(y, probs)
    fig, ax = plots.figure()
    plots.reliability_diagram(ax, table, min_count=20)
    keep = table.count >= 20
    assert len(ax.patches) == keep.sum()  # one bar per bin kept
    assert np.allclose([p.get_height() for p in ax.patches], table.accuracy[keep])
    assert np.allclose(ax.lines[0].get_xdata(), table.confidence[keep])
    assert f"{table.ece:.2f}" in ax.get_title(loc="left") and plots.min_font_pt(fig) >= plots.MIN_FONT_PT


def test_losses_along_draws_each_loss_and_its_gradient(plt):
    L = ln.losses
    x = np.linspace(-3, 3, 61)
    axes, curves = plots.losses_along(
        x, [L.hinge, L.logistic, L.exponential, L.squared_hinge], y=1.0, xlabel="margin", mark={"hinge"}
    )
    assert list(curves) == ["hinge *", "logistic", "exponential", "squared_hinge"]
    loss, value, grad = curves["logistic"]
    assert loss is L.logistic
    np.testing.assert_allclose(value, L.logistic(np.ones_like(x), x, reduction="none"))
    np.testing.assert_allclose(grad, L.logistic.grad(np.ones_like(x), x))
    assert len(axes[0].get_lines()) == len(axes[1].get_lines()) == 4
    fig = axes[0].figure
    assert axes[0].get_legend() is None and fig.legends  # four losses: one legend above both panels
    assert fig.get_size_inches()[0] == pytest.approx(plots.COLUMN_WIDTH)
    assert plots.min_font_pt(fig) >= plots.MIN_FONT_PT


def test_losses_along_follows_one_logit_of_a_row_and_names_parameters(plt):
    L = ln.losses
    z = np.linspace(-4, 4, 801)
    _, curves = plots.losses_along(z, [L.cross_entropy], y=2, xlabel="logit", classes=3)
    _, value, grad = curves["cross_entropy"]
    np.testing.assert_allclose(value, np.log(np.exp(z) + 2) - z)  # logits (0, 0, z), true class 2
    np.testing.assert_allclose(np.diff(value) / np.diff(z), (grad[1:] + grad[:-1]) / 2, atol=1e-4)
    _, curves = plots.losses_along(z, [L.pinball], y=0.0, xlabel="r", params={"pinball": {"tau": 0.8}})
    assert list(curves) == ["pinball, tau = 0.8"]
    assert set(np.round(curves["pinball, tau = 0.8"][2], 12)) == {-0.8, 0.0, 0.2}  # -tau, 0 at r = 0, 1 - tau
    with pytest.raises(ValueError, match="at least one"):
        plots.losses_along(z, [], y=0.0, xlabel="r")


def test_losses_along_keeps_a_long_legend_within_the_column(plt):
    L = ln.losses
    losses = [L.binary_cross_entropy, L.focal, L.hinge, L.squared_hinge, L.logistic, L.exponential]
    axes, _ = plots.losses_along(
        np.linspace(-3, 3, 61), losses, y=1.0, xlabel="margin", params={"binary_cross_entropy": {"pos_weight": 4.0}}
    )
    png = plots.png_bytes(axes[0].figure)
    assert PIL_Image.open(io.BytesIO(png)).size[0] <= 688


def test_labelled_points_draws_both_classes_and_rings(plt):
    rng = np.random.default_rng(1)
    X, y = rng.normal(0, 1, (10, 2)), np.r_[-np.ones(4), np.ones(6)]
    fig, ax = plots.figure()
    plots.labelled_points(ax, X, y, support=[0, 5])
    first, second, rings = ax.collections
    assert len(first.get_offsets()) == 4 and len(second.get_offsets()) == 6
    assert np.allclose(rings.get_offsets(), X[[0, 5]])
    assert [c.get_label() for c in ax.collections] == ["y = -1", "y = +1", "support vectors"]
    with pytest.raises(ValueError, match="X must be"):
        plots.labelled_points(ax, X[:, :1], y)

"""The explorer machinery: every state drawn once, frames with alt text, stacks linked to the controls."""

import base64
import html
import io
import re

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")

import ipywidgets as w  # noqa: E402
from ipywidgets.widgets.widget_link import Link  # noqa: E402

from lossnotes import plots  # noqa: E402
from lossnotes.widgets import _frames  # noqa: E402

SIZE = (3.0, 2.0)


def dot_draw(target, *, x, colour="blue", calls=None):
    """A tiny explorer: one dot at height ``x``; its alt text and readout name the state."""
    if calls is not None:
        calls.append((x, colour))
    ax = target.add_subplot(1, 1, 1) if not target.axes else target.axes[0]
    ax.clear()
    ax.plot([0.5], [x], "o", ms=20, color=plots.NAMED_COLORS[colour])
    ax.set(xlim=(0, 1), ylim=(0, 4), title=f"x = {x}")
    return _frames.View(alt=f"A {colour} dot at height {x} <&>", readout=f"x = {x}, {colour}")


def controls():
    return [
        _frames.Control("x", "height x", (("one", 1), ("two", 2), ("three", 3)), 2),
        _frames.Control("colour", "colour", (("blue", "blue"), ("vermillion", "vermillion")), "blue", "dropdown"),
    ]


@pytest.fixture(scope="module")
def built():
    calls = []
    ex = _frames.build(lambda t, **s: dot_draw(t, calls=calls, **s), controls(), size=SIZE)
    return ex, calls


def _imgs(frame_html):
    return [base64.b64decode(src) for src in re.findall(r'src="data:image/png;base64,([^"]+)"', frame_html)]


def test_every_combination_is_drawn_once(built):
    ex, calls = built
    assert len(ex.frames) == 3 * 2 == len(calls)
    assert sorted(calls) == sorted((x, c) for x in (1, 2, 3) for c in ("blue", "vermillion"))
    assert set(ex.frames) == {(i, j) for i in range(3) for j in range(2)}
    assert ex.frames[(2, 1)].state == {"x": 3, "colour": "vermillion"}


def test_stacks_nest_and_follow_the_option_order(built):
    ex, _ = built
    outer = ex.stack
    assert isinstance(outer, w.Stack) and len(outer.children) == 3
    assert outer.selected_index == 1  # the control's first value, x = 2
    for i, inner in enumerate(outer.children):
        assert isinstance(inner, w.Stack) and len(inner.children) == 2 and inner.selected_index == 0
        for j, frame in enumerate(inner.children):
            assert frame is ex.frame_widgets[(i, j)]
            assert frame.value == ex.frames[(i, j)].html()
    assert ex.selected() == (1, 0)


def test_links_join_each_control_index_to_its_stacks(built):
    ex, _ = built
    first, second = ex.controls
    assert len(ex.links) == 1 + 3
    targets = {}
    for link in ex.links:
        assert isinstance(link, Link) and link._model_name == "LinkModel"  # a jslink: runs in the browser
        control, trait = link.source
        stack, target_trait = link.target
        assert (trait, target_trait) == ("index", "selected_index")
        targets.setdefault(control, []).append(stack)
    assert targets[first] == [ex.stack]
    assert sorted(map(id, targets[second])) == sorted(map(id, ex.stack.children))


def test_frames_are_figures_with_alt_text_and_caption(built):
    ex, _ = built
    for frame in ex.frames.values():
        page = frame.html()
        assert page.startswith("<figure") and "<figcaption" in page
        alt = html.unescape(re.search(r'alt="([^"]*)"', page).group(1))
        assert alt == frame.alt and str(frame.state["x"]) in alt and frame.state["colour"] in alt
        assert "&lt;&amp;&gt;" in page  # markup in a description is escaped, never injected
        assert html.unescape(re.search(r"<figcaption[^>]*>([^<]*)<", page).group(1)) == frame.readout
        (png,) = _imgs(page)
        img = Image.open(io.BytesIO(png))
        assert img.size == frame.size == (300, 200)
        assert img.mode == "P"  # stored with a palette
        assert img.text["lossnotes:min-font-pt"] == f"{frame.min_font_pt:g}"
        assert float(img.text["lossnotes:min-font-pt"]) >= plots.MIN_FONT_PT
    assert len({f.png for f in ex.frames.values()}) == len(ex.frames)  # every state its own picture


def test_the_picture_follows_the_state(built):
    ex, _ = built
    blue = np.asarray(Image.open(io.BytesIO(ex.frames[(0, 0)].png)).convert("RGB")).reshape(-1, 3)
    red = np.asarray(Image.open(io.BytesIO(ex.frames[(0, 1)].png)).convert("RGB")).reshape(-1, 3)

    def near(pixels, hex_colour):
        rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
        return int(np.sum(np.all(np.abs(pixels.astype(int) - rgb) <= 12, axis=1)))

    blue_hex, red_hex = plots.NAMED_COLORS["blue"], plots.NAMED_COLORS["vermillion"]
    assert near(blue, blue_hex) > 200 and near(blue, red_hex) == 0
    assert near(red, red_hex) > 200 and near(red, blue_hex) == 0


def test_controls_are_named_and_wrap(built):
    ex, _ = built
    first, second = ex.controls
    assert isinstance(first, w.RadioButtons) and first.orientation == "horizontal"
    assert isinstance(second, w.Dropdown)
    for control, spec in zip(ex.controls, controls(), strict=True):
        assert control.description == spec.description
        assert control.style.description_width == "initial"
        assert _frames.CONTROL_CLASS in control._dom_classes
        assert [label for label, _ in spec.options] == list(control._options_labels)
    assert _frames.CSS_CLASS in ex.box._dom_classes


def test_state_bytes_counts_the_frames(built):
    ex, _ = built
    pngs = sum(len(f.png) for f in ex.frames.values())
    assert ex.nbytes() > pngs * 4 / 3  # every frame travels base64-encoded in the page state
    assert ex.nbytes() < pngs * 4 / 3 + 60_000


def test_moving_a_control_in_the_kernel_keeps_python_in_step(built):
    ex, _ = built
    first, _second = ex.controls
    first.value = 3
    assert first.index == 2  # the link itself runs in the browser; the index it follows is this one
    first.value = 2


@pytest.mark.parametrize(
    "args, match",
    [
        (("x", "", ((1, 1), (2, 2)), 1), "description"),
        (("not a name", "x", ((1, 1), (2, 2)), 1), "identifier"),
        (("x", "x", ((1, 1),), 1), "two options"),
        (("x", "x", ((1, 1), (2, 2)), 3), "one of its options"),
        (("x", "x", ((1, 1), (2, 1)), 1), "repeated"),
        (("x", "x", ((1, 1), (2, 2)), 1, "slider"), "kind"),
    ],
)
def test_bad_controls_are_refused(args, match):
    with pytest.raises(ValueError, match=match):
        _frames.Control(*args)


def test_build_refuses_bad_layouts():
    spec = controls()
    with pytest.raises(ValueError, match="one or two controls"):
        _frames.build(dot_draw, [], size=SIZE)
    with pytest.raises(ValueError, match="one or two controls"):
        _frames.build(dot_draw, spec + spec[:1], size=SIZE)
    with pytest.raises(ValueError, match="column"):
        _frames.build(dot_draw, spec, size=(8.0, 2.0))
    with pytest.raises(TypeError, match="View"):
        _frames.build(lambda target, **s: None, spec[:1], size=SIZE)


def test_one_control_makes_one_stack():
    ex = _frames.build(dot_draw, controls()[:1], size=SIZE)
    assert len(ex.frames) == 3 and len(ex.links) == 1
    assert [type(c) for c in ex.stack.children] == [w.HTML] * 3
    assert ex.stack.selected_index == 1


def two_panels(target, *, x, alts=2):
    """Two panels side by side with a gap between them: a frame that is cut into two tiles."""
    if not target.axes:
        grid = target.add_gridspec(1, 2, left=0.12, right=0.97, bottom=0.2, top=0.85, wspace=0.45)
        target.add_subplot(grid[0, 0]), target.add_subplot(grid[0, 1])
    left, right = target.axes
    for ax, colour in ((left, "blue"), (right, "vermillion")):
        ax.clear()
        ax.plot([0.5], [x], "o", ms=15, color=plots.NAMED_COLORS[colour])
        ax.set(xlim=(0, 1), ylim=(0, 4), title=f"{colour} {x}")
    alt = (f"left: a blue dot at {x}", f"right: a vermillion dot at {x}")
    return _frames.View(alt=alt[:alts] if alts < 2 else alt, readout=f"x = {x}")


def test_side_by_side_panels_become_tiles_that_wrap():
    spec = [_frames.Control("x", "height x", (("one", 1), ("two", 2)), 1)]
    ex = _frames.build(two_panels, spec, size=(6.0, 2.5))
    frame = ex.frames[(1,)]
    assert len(frame.tiles) == 2 and frame.size == (600, 250)
    left, right = frame.tiles
    assert left.alt == "left: a blue dot at 2" and right.alt == "right: a vermillion dot at 2"
    assert frame.alt == left.alt + " " + right.alt
    page = frame.html()
    assert len(_imgs(page)) == 2 and 'class="lossnotes-frame-tiles" style="display:flex;flex-wrap:wrap' in page
    assert f"min-width:min(100%,{_frames.MIN_TILE_SCALE * left.size[0]:.0f}px)" in page
    # each tile holds one panel: the blue dot only on the left, the vermillion one only on the right
    for tile, mine, other in ((left, "blue", "vermillion"), (right, "vermillion", "blue")):
        pixels = np.asarray(Image.open(io.BytesIO(tile.png)).convert("RGB")).reshape(-1, 3).astype(int)

        def count(name, pixels=pixels):
            rgb = np.array([int(plots.NAMED_COLORS[name][i : i + 2], 16) for i in (1, 3, 5)])
            return int(np.sum(np.all(np.abs(pixels - rgb) <= 12, axis=1)))

        assert count(mine) > 100 and count(other) == 0
    # a single alt text keeps the picture whole; a wrong number of alt texts is an error
    whole = _frames.render(lambda t, **s: two_panels(t, alts=1, **s), {"x": 1}, size=(6.0, 2.5))
    assert len(whole.tiles) == 1 and whole.size == (600, 250)
    with pytest.raises(ValueError, match="alt texts"):
        _frames.render(
            lambda t, **s: _frames.View(alt=("a", "b", "c"), readout="r") if two_panels(t, **s) else None,
            {"x": 1},
            size=(6.0, 2.5),
        )

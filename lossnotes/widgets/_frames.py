"""The machinery every explorer shares: one draw function, every state drawn once, a flip-book of frames.

An explorer is a draw function ``draw(target, **state)`` and its controls. ``draw`` fills a matplotlib
``Figure`` (or ``SubFigure``) with one state of the explorer and returns a ``View``: the alt text that
describes the picture and the readout printed under it, both built from the numbers it drew.

``build`` draws every combination of control values once, at the house style and resolution, and returns an
``Explorer``: an ipywidgets box holding the controls and an ``ipywidgets.Stack`` of frames. Each frame is an
``HTML`` widget, ``<figure><img alt=...>...<figcaption>readout</figcaption></figure>``, so a picture and its
readout cannot disagree; the picture is cut between its side-by-side panels into tiles (one ``<img>`` and alt
text each) that sit in a row on a wide screen and stack on a phone, where the text stays legible.

The stack's ``selected_index`` is ``jslink``-ed to the control's ``index``: the link lives in the browser, so
the controls work in a static HTML page with no kernel (the embedded widget state holds every frame) as well
as live in Jupyter. With two controls the stacks nest: the outer one follows the first control, each inner one
the second.

Displayed, an explorer's output carries, besides the widget view, the frame it shows as one ``image/png``
(``Frame.picture``) and that frame's alt text as ``text/plain``: a page without a widget manager (a PDF, a
notebook viewer) shows the picture instead of the widget's repr. The PNG holds the alt text and a caption
(``Explorer.caption``) as text chunks (``ALT_KEY``, ``CAPTION_KEY``), for the book's PDF build to put under the
picture (web/book_pdf.py); the HTML book prefers the widget view, as Jupyter does.

``static_figure`` draws chosen states with the same draw function, one row per state, into one figure.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Control",
    "View",
    "Tile",
    "Frame",
    "split_columns",
    "Explorer",
    "new_figure",
    "render",
    "build",
    "static_figure",
    "state_bytes",
]

CSS_CLASS = "lossnotes-explorer"
CONTROL_CLASS = "lossnotes-control"
STACK_CLASS = "lossnotes-frames"
FRAME_CLASS = "lossnotes-frame"
TILE_CLASS = "lossnotes-tile"
MIN_TILE_SCALE = 0.75  # a tile shown smaller than this fraction of its own width makes the tiles stack
ALT_KEY = "lossnotes:alt"  # PNG text chunks of a frame's whole picture (Frame.picture)
CAPTION_KEY = "lossnotes:caption"
KINDS = ("radio", "dropdown", "toggle")


@dataclass(frozen=True)
class Control:
    """One control: ``name`` is the keyword it sets in ``draw``, ``description`` its visible, accessible name.

    ``options`` holds ``(label, value)`` pairs; ``value`` is the one shown first. ``kind`` is ``"radio"``
    (native radio inputs, each labelled: the selection is announced and arrow keys step through it),
    ``"dropdown"`` (a labelled ``<select>``) or ``"toggle"`` (a row of buttons).
    """

    name: str
    description: str
    options: tuple
    value: object
    kind: str = "radio"

    def __post_init__(self):
        if not self.name.isidentifier():
            raise ValueError(f"name must be a Python identifier (a keyword of draw), got {self.name!r}")
        if not self.description.strip():
            raise ValueError(f"control {self.name!r} needs a description: it is the control's accessible name")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        opts = tuple((str(label), value) for label, value in self.options)
        if len(opts) < 2:
            raise ValueError(f"control {self.name!r} needs at least two options, got {len(opts)}")
        if len({v for _, v in opts}) != len(opts):
            raise ValueError(f"control {self.name!r} has repeated option values")
        if self.value not in [v for _, v in opts]:
            raise ValueError(f"value of control {self.name!r} must be one of its options, got {self.value!r}")
        object.__setattr__(self, "options", opts)

    @property
    def values(self):
        return [v for _, v in self.options]

    @property
    def index(self):
        return self.values.index(self.value)

    def widget(self):
        """The ipywidgets control, laid out to wrap on a narrow screen."""
        import ipywidgets as w

        cls = {"radio": w.RadioButtons, "dropdown": w.Dropdown, "toggle": w.ToggleButtons}[self.kind]
        extra = {"orientation": "horizontal"} if self.kind == "radio" else {}
        style = {"description_width": "initial"}
        if self.kind == "toggle":
            style["button_width"] = "auto"
        control = cls(
            options=list(self.options),
            index=self.index,
            description=self.description,
            style=style,
            layout=w.Layout(width="auto", max_width="100%", flex="0 1 auto"),
            **extra,
        )
        control.add_class(CONTROL_CLASS)
        control.add_class(f"{CONTROL_CLASS}-{self.name.replace('_', '-')}")
        return control


@dataclass(frozen=True)
class View:
    """What a draw function reports about the state it drew, built from the numbers it drew.

    ``alt`` describes the picture: one string, or one per side-by-side panel group (left to right), since a
    frame is cut into tiles where nothing crosses between its panels (see ``render``). ``readout`` is the line
    of numbers printed under the picture.
    """

    alt: str | tuple
    readout: str

    @property
    def alts(self):
        return (self.alt,) if isinstance(self.alt, str) else tuple(self.alt)


@dataclass(frozen=True)
class Tile:
    """One side-by-side part of a frame: its PNG, its alt text and its size in pixels."""

    png: bytes
    alt: str
    size: tuple


@dataclass(frozen=True)
class Frame:
    """One precomputed state: its tiles (PNG and alt text each), the readout, the smallest font size it draws.

    ``alt`` is the whole picture's description (the tiles' alt texts in order); ``png`` the tiles' bytes
    together (to tell frames apart).
    """

    state: dict
    tiles: tuple
    readout: str
    min_font_pt: float | None

    @property
    def alt(self):
        return " ".join(t.alt for t in self.tiles)

    @property
    def png(self):
        return b"".join(t.png for t in self.tiles)

    @property
    def size(self):
        return sum(t.size[0] for t in self.tiles), self.tiles[0].size[1]

    def picture(self, *, caption=None):
        """The whole frame as one PNG: the tiles side by side again, the alt text (and ``caption``) in text chunks.

        The tiles' palettes are merged exactly (one palette while the frame has at most 256 colours).
        """
        from PIL import Image, PngImagePlugin

        rgb = np.concatenate([np.asarray(Image.open(io.BytesIO(t.png)).convert("RGB")) for t in self.tiles], axis=1)
        colours, index = np.unique(rgb.reshape(-1, 3), axis=0, return_inverse=True)
        if len(colours) <= 256:
            img = Image.fromarray(index.reshape(rgb.shape[:2]).astype(np.uint8), "P")
            img.putpalette(colours.astype(np.uint8).ravel().tolist())
        else:
            img = Image.fromarray(rgb, "RGB")
        info = PngImagePlugin.PngInfo()
        for key, value in Image.open(io.BytesIO(self.tiles[0].png)).text.items():
            info.add_text(key, value)
        info.add_itxt(ALT_KEY, self.alt)
        if caption is not None:
            info.add_itxt(CAPTION_KEY, caption)
        buf = io.BytesIO()
        img.save(buf, format="png", compress_level=6, pnginfo=info)
        return buf.getvalue()

    def html(self):
        """``<figure>``: the tiles (alt text, data URL) in a row that wraps on a narrow screen, the readout below.

        Each tile takes its share of the row. Where that share would shrink a tile below ``MIN_TILE_SCALE`` of
        its own width (a phone), the row wraps and the tiles stack, each as wide as the screen allows up to its
        own width, so that the text in them stays legible: 11 pt at 100 dpi is 15 px, at 0.75 still 11.5 px.
        """
        state = "; ".join(f"{k}={v}" for k, v in self.state.items())
        width = self.size[0]
        imgs = []
        for tile in self.tiles:
            w, h = tile.size
            src = "data:image/png;base64," + base64.b64encode(tile.png).decode("ascii")
            style = (
                f"flex:1 1 {100 * w / width:.4f}%;min-width:min(100%,{MIN_TILE_SCALE * w:.0f}px);"
                f"max-width:min(100%,{w}px);"
                "height:auto;display:block"
            )
            imgs.append(
                f'<img class="{TILE_CLASS}" alt="{html.escape(tile.alt)}" src="{src}" width="{w}" '
                f'height="{h}" style="{style}">'
            )
        return (
            f'<figure class="{FRAME_CLASS}" data-state="{html.escape(state)}" style="margin:0;max-width:100%">'
            f'<div class="{FRAME_CLASS}-tiles" style="display:flex;flex-wrap:wrap;align-items:flex-start">'
            + "".join(imgs)
            + f'</div><figcaption style="margin-top:0.25rem">{html.escape(self.readout)}</figcaption></figure>'
        )


def new_figure(size):
    """A figure for frames: ``size`` inches at the house resolution, laid out by the draw function itself."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from .. import plots

    with matplotlib.rc_context(plots._rc()):
        fig = Figure(figsize=size, dpi=plots.DPI, layout="none")
    FigureCanvasAgg(fig)
    return fig


def _png(rgb, *, colors, min_font_pt, dpi):
    from PIL import Image, PngImagePlugin

    img = Image.fromarray(np.ascontiguousarray(rgb), "RGB")  # the house style draws on opaque white
    if colors:
        img = img.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    info = PngImagePlugin.PngInfo()
    if min_font_pt is not None:
        info.add_text("lossnotes:min-font-pt", f"{min_font_pt:g}")
    info.add_text("lossnotes:dpi", f"{dpi:g}")
    buf = io.BytesIO()
    img.save(buf, format="png", compress_level=6, pnginfo=info)
    return buf.getvalue(), img.size


def split_columns(fig, rgba):
    """Pixel columns where the picture ``rgba`` of ``fig`` can be cut between its side-by-side panels.

    Axes whose extents overlap in x form one group; in each gap between two groups the cut goes through the
    middle of the widest run of columns that are white from top to bottom, so that nothing drawn (tick labels,
    titles, legends) is cut. A gap with no such column gives no cut. Returns x positions in pixels from the left.
    """
    spans = sorted((box.x0, box.x1) for ax in fig.axes if ax.get_visible() and (box := ax.get_window_extent()))
    white = np.all(rgba[..., :3] == 255, axis=(0, 2))
    cuts, right = [], None
    for x0, x1 in spans:
        if right is not None and x0 > right:
            lo, hi = int(np.ceil(right)), int(np.floor(x0))
            best, run_start = None, None
            for x in range(lo, hi + 1):
                if x < len(white) and white[x]:
                    run_start = x if run_start is None else run_start
                    if best is None or x - run_start > best[1] - best[0]:
                        best = (run_start, x)
                else:
                    run_start = None
            if best is not None:
                cuts.append((best[0] + best[1] + 1) // 2)
        right = x1 if right is None else max(right, x1)
    return cuts


def render(draw, state, *, size=None, figure=None, colors=64):
    """Draw one state at the house style and resolution; return its ``Frame``.

    Pass ``figure`` to draw on a figure made by ``new_figure`` (a draw function may keep what all states share
    on it), or ``size`` (inches) for a fresh one. The picture is cut into tiles between its side-by-side panels
    (``split_columns``), one per alt text of the ``View``. ``colors`` > 0 stores each PNG with a palette of
    that many colours (0 keeps full colour).
    """
    import matplotlib

    from .. import plots

    with matplotlib.rc_context(plots._rc()):
        fig = new_figure(size) if figure is None else figure
        view = draw(fig, **state)
        if not isinstance(view, View):
            raise TypeError(f"draw must return a View, got {type(view).__name__}")
        rgba, smallest = plots.render(fig)
        cuts = split_columns(fig, rgba)
    alts = view.alts
    if len(alts) == 1:
        cuts = []
    elif len(alts) != len(cuts) + 1:
        raise ValueError(
            f"draw gave {len(alts)} alt texts for a picture with {len(cuts) + 1} side-by-side panel groups"
        )
    edges = [0, *cuts, rgba.shape[1]]
    tiles = []
    for (a, b), alt in zip(itertools.pairwise(edges), alts, strict=True):
        png, pixels = _png(rgba[:, a:b, :3], colors=colors, min_font_pt=smallest, dpi=plots.DPI)
        tiles.append(Tile(png, alt, pixels))
    return Frame(dict(state), tuple(tiles), view.readout, smallest)


class Explorer:
    """The built explorer: ``box`` (display it, or return it from a cell) and what it is made of.

    ``controls`` are the ipywidgets controls in order, ``stack`` the outer Stack, ``frames`` maps each tuple
    of option indices to its ``Frame``, ``frame_widgets`` the same tuples to their HTML widgets, ``links``
    the ``jslink`` objects (``link.source == (control, "index")``, ``link.target == (stack, "selected_index")``).
    """

    def __init__(self, box, controls, stack, frames, frame_widgets, links, specs):
        self.box, self.controls, self.stack = box, controls, stack
        self.frames, self.frame_widgets, self.links, self.specs = frames, frame_widgets, links, specs

    def _repr_mimebundle_(self, **kwargs):
        """The widget view, and the frame it shows as ``image/png`` with its alt text as ``text/plain``."""
        data = self.box._repr_mimebundle_(**kwargs)
        if data is None:  # a closed widget
            return None
        key = self.selected()
        png = self.frames[key].picture(caption=self.caption(key))
        return {**data, "image/png": base64.b64encode(png).decode("ascii"), "text/plain": self.frames[key].alt}

    def _ipython_display_(self):
        from IPython.display import display

        data = self._repr_mimebundle_()
        if data is not None:
            display(data, raw=True)

    def caption(self, key=None):
        """A caption for the picture of one frame (the one shown now by default) where the controls cannot work.

        It names the setting of each control and adds the frame's readout, so its numbers are the frame's own.
        """
        key = self.selected() if key is None else tuple(key)
        settings = "; ".join(f"{c.description}: {c.options[i][0]}" for c, i in zip(self.specs, key, strict=True))
        return (
            f"The explorer set to {settings}. {self.frames[key].readout} "
            "In the HTML book and in Jupyter its controls show every other setting."
        )

    def selected(self):
        """The option indices the stacks show now (as the browser would, following the links)."""
        key, stack = [], self.stack
        for _ in self.specs:
            i = stack.selected_index
            key.append(i)
            stack = stack.children[i] if len(key) < len(self.specs) else None
        return tuple(key)

    def nbytes(self):
        """Size in bytes of the widget state the page embeds for this explorer (JSON)."""
        return state_bytes(self)


def build(draw, controls, *, size, colors=64):
    """Draw every combination of the controls' options and return the ``Explorer`` that flips through them.

    ``controls`` is a list of one or two ``Control``; ``size`` the frame size in inches (at most the column).
    """
    import ipywidgets as w

    from .. import plots

    controls = list(controls)
    if not 1 <= len(controls) <= 2:
        raise ValueError(f"an explorer has one or two controls, got {len(controls)}")
    if size[0] > plots.COLUMN_WIDTH + 1e-9:
        raise ValueError(f"size must be at most {plots.COLUMN_WIDTH} inches wide (the column), got {size[0]}")
    names = [c.name for c in controls]
    if len(set(names)) != len(names):
        raise ValueError(f"control names must differ, got {names}")

    frames, frame_widgets = {}, {}
    fig = new_figure(size)
    for key in itertools.product(*(range(len(c.options)) for c in controls)):
        state = {c.name: c.options[i][1] for c, i in zip(controls, key, strict=True)}
        frames[key] = render(draw, state, figure=fig, colors=colors)
        frame_widgets[key] = w.HTML(value=frames[key].html())
        frame_widgets[key].add_class(f"{FRAME_CLASS}-widget")

    widgets = [c.widget() for c in controls]
    links = []
    start = tuple(c.index for c in controls)

    def stack_for(prefix):
        depth = len(prefix)
        n = len(controls[depth].options)
        if depth == len(controls) - 1:
            children = [frame_widgets[(*prefix, i)] for i in range(n)]
        else:
            children = [stack_for((*prefix, i)) for i in range(n)]
        stack = w.Stack(children=children, selected_index=start[depth])
        stack.add_class(STACK_CLASS)
        links.append(w.jslink((widgets[depth], "index"), (stack, "selected_index")))
        return stack

    stack = stack_for(())
    row = w.HBox(widgets, layout=w.Layout(flex_flow="row wrap", align_items="center", width="100%"))
    row.add_class(f"{CSS_CLASS}-controls")
    box = w.VBox([row, stack], layout=w.Layout(width="100%", max_width=f"{int(size[0] * plots.DPI)}px"))
    box.add_class(CSS_CLASS)
    return Explorer(box, widgets, stack, frames, frame_widgets, links, controls)


def _models(explorer):
    """Every widget model the explorer's page state holds: the box tree, layouts, styles and the links."""
    import ipywidgets as w

    seen, todo = {}, [explorer.box, *explorer.links]
    while todo:
        widget = todo.pop()
        if widget.model_id in seen:
            continue
        seen[widget.model_id] = widget
        for name in widget.keys:
            value = getattr(widget, name)
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(item, w.Widget):
                    todo.append(item)
                elif isinstance(item, tuple):
                    todo.extend(x for x in item if isinstance(x, w.Widget))
    return seen


def state_bytes(explorer):
    """Bytes of the JSON widget state (as a page embeds it) of every model the explorer needs."""
    models = _models(explorer)
    state = {
        mid: {
            "model_name": wd._model_name,
            "model_module": wd._model_module,
            "model_module_version": wd._model_module_version,
            "state": wd.get_state(),
        }
        for mid, wd in models.items()
    }
    return len(json.dumps({"version_major": 2, "version_minor": 0, "state": state}, separators=(",", ":")))


def static_figure(draw, states, *, size, title_of=None):
    """Draw ``states`` (a list of keyword dicts) with ``draw``, one row each, into one figure ``size[0]`` wide.

    ``size`` is one row's size in inches. Returns the figure; ``fig.lossnotes_views`` holds each row's ``View``.
    """
    from .. import plots

    plt = plots.style()
    states = list(states)
    if not states:
        raise ValueError("states must hold at least one state to draw")
    fig = plt.figure(figsize=(size[0], size[1] * len(states)), layout="none")
    rows = fig.subfigures(len(states), 1, squeeze=False)[:, 0] if len(states) > 1 else [fig]
    views = [draw(row, **state) for row, state in zip(rows, states, strict=True)]
    fig.lossnotes_views = views
    return fig

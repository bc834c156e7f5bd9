"""The saturation explorer: cross-entropy keeps teaching when the unit is confidently wrong, squared error does not."""

import io
import itertools

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import lossnotes as ln  # noqa: E402
from lossnotes import plots  # noqa: E402
from lossnotes.widgets import _frames, saturation  # noqa: E402

BUDGET = 1_500_000  # bytes of widget state per page


@pytest.fixture(scope="module")
def built():
    """The explorer, built once with ``draw`` wrapped to count its calls."""
    calls = []
    original = saturation.draw

    def counting(target, **state):
        calls.append(state)
        return original(target, **state)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(saturation, "draw", counting)
        ex = saturation.explorer(z=-8.0, unit="sigmoid")
        n_explorer = len(calls)
        fig = saturation.static_figure([(-8.0, "softmax"), (4.0, "sigmoid")])
    return ex, calls, n_explorer, fig


def test_one_frame_per_state_all_drawn_by_draw(built):
    ex, calls, n_explorer, fig = built
    n = len(saturation.UNITS) * len(saturation.LOGITS)
    assert len(ex.frames) == n == n_explorer
    assert sorted((c["unit"], c["z"]) for c in calls[:n_explorer]) == sorted(
        itertools.product(saturation.UNITS, saturation.LOGITS)
    )
    assert [(c["z"], c["unit"]) for c in calls[n_explorer:]] == [(-8.0, "softmax"), (4.0, "sigmoid")]
    assert len(fig.lossnotes_views) == 2


def test_stacks_are_linked_to_the_controls(built):
    ex, *_ = built
    unit, z = ex.controls
    assert unit.description and z.description and unit.value == "sigmoid" and z.value == -8.0
    assert ex.selected() == (0, saturation.LOGITS.index(-8.0))
    assert len(ex.links) == 1 + len(saturation.UNITS)
    assert ex.links[-1].source == (unit, "index") and ex.links[-1].target == (ex.stack, "selected_index")
    inner = {id(s) for s in ex.stack.children}
    for link in ex.links[:-1]:
        assert link.source == (z, "index") and link.target[1] == "selected_index" and id(link.target[0]) in inner


def test_each_frame_names_its_state(built):
    ex, *_ = built
    for (i, j), frame in ex.frames.items():
        unit, z = saturation.UNITS[i], saturation.LOGITS[j]
        assert frame.state == {"unit": unit, "z": z}
        v = saturation.values(z, unit)
        for text in (frame.alt, frame.readout):
            assert unit in text and f"z = {z:g}" in text and f"{v['ce']:.2f}" in text
        assert frame.min_font_pt >= plots.MIN_FONT_PT
    assert len({f.png for f in ex.frames.values()}) == len(ex.frames)
    assert ex.nbytes() < BUDGET


def test_static_figure_draws_what_the_frames_draw():
    """One state drawn alone by static_figure and by the frame machinery gives the same pixels."""
    from PIL import Image

    state = {"z": -4.0, "unit": "softmax"}
    fig = saturation.static_figure([state])
    frame = _frames.render(saturation.draw, state, size=saturation.SIZE, colors=0)
    assert len(frame.tiles) == 2  # the panels are cut apart for narrow screens
    tiles = [np.asarray(Image.open(io.BytesIO(t.png)).convert("RGB")) for t in frame.tiles]
    assert np.array_equal(plots.render(fig)[0][..., :3], np.hstack(tiles))


@pytest.mark.parametrize("unit", ["sigmoid", "softmax"])
def test_confidently_wrong_ce_teaches_mse_does_not(unit):
    v = saturation.values(-12.0, unit)
    assert v["unit"] == unit and v["z"] == -12.0
    assert v["p"] < 1e-5  # confidently wrong: almost no mass on the true class
    assert abs(v["ce_grad"]) > 0.99
    assert abs(v["se_grad"]) < 1e-3
    assert v["ce_grad"] < 0  # the teaching signal pushes the true logit up
    assert v["ce"] > 10 and v["se"] < 2.0  # cross-entropy's price keeps rising, squared error's is capped at 2


@pytest.mark.parametrize("unit", ["sigmoid", "softmax"])
def test_gradients_follow_the_logit(unit):
    wrong, right = saturation.values(-12.0, unit), saturation.values(12.0, unit)
    assert right["p"] > 0.999 > wrong["p"]
    # cross-entropy's signal fades as the answer becomes right ...
    assert abs(right["ce_grad"]) < 1e-3 < abs(wrong["ce_grad"])
    # ... squared error's is tiny at both ends and largest in between
    mid = saturation.values(0.0 if unit == "sigmoid" else 2.0, unit)
    assert abs(mid["se_grad"]) > 100 * max(abs(wrong["se_grad"]), abs(right["se_grad"]))


def _squared_error(z, unit, others=(2.0, 0.0)):
    logits = (
        np.column_stack([z, np.zeros_like(z)])
        if unit == "sigmoid"
        else np.column_stack([z] + [np.full_like(z, o) for o in others])
    )
    p = ln.units.softmax(logits, axis=1)
    target = np.zeros_like(p)
    target[:, 0] = 1.0
    return ln.losses.mse(target, p, reduction="none").sum(axis=1)


def test_gradients_and_losses_match_the_library_and_finite_differences():
    z = np.linspace(-9.0, 9.0, 37)
    p, ce, se = saturation.gradients(z, "sigmoid")
    # sigmoid unit, positive example: p = sigmoid(z), dCE/dz = sigmoid(z) - 1, the BCE gradient
    assert np.allclose(p, ln.units.sigmoid(z), rtol=1e-12)
    assert np.allclose(ce, ln.losses.binary_cross_entropy.grad(np.ones_like(z), z), rtol=1e-12, atol=1e-15)
    ce_loss, se_loss = saturation.losses(z, "sigmoid")
    assert np.allclose(ce_loss, ln.losses.binary_cross_entropy(np.ones_like(z), z, reduction="none"), rtol=1e-12)
    assert np.allclose(se_loss, 2 * (1 - ln.units.sigmoid(z)) ** 2, rtol=1e-9, atol=1e-15)
    # squared error on the probabilities, sum_k (p_k - y_k)^2, differentiated by central differences
    for unit in ("sigmoid", "softmax"):
        h = 1e-6
        fd = (_squared_error(z + h, unit) - _squared_error(z - h, unit)) / (2 * h)
        _, _, se = saturation.gradients(z, unit)
        assert np.allclose(se, fd, rtol=1e-5, atol=1e-9)
        assert np.allclose(saturation.losses(z, unit)[1], _squared_error(z, unit), rtol=1e-12)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: saturation.gradients(0.0, "tanh"), "unit"),
        (lambda: saturation.values(np.inf), "z must be a finite number"),
        (lambda: saturation.explorer(unit="relu"), "unit"),
    ],
)
def test_bad_input_is_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()

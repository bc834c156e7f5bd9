"""The GAN explorer: the non-saturating generator loss keeps teaching when the discriminator is confident, the
saturating one does not."""

import io

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import lossnotes as ln  # noqa: E402
from lossnotes import plots  # noqa: E402
from lossnotes.widgets import _frames, gan  # noqa: E402

BUDGET = 1_500_000  # bytes of widget state per page


@pytest.fixture(scope="module")
def built():
    """The explorer, built once with ``draw`` wrapped to count its calls."""
    calls = []
    original = gan.draw

    def counting(target, **state):
        calls.append(state)
        return original(target, **state)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gan, "draw", counting)
        ex = gan.explorer(z=-8.0)
        n_explorer = len(calls)
        fig = gan.static_figure([-10.0, {"z": 2.0}])
    return ex, calls, n_explorer, fig


def test_one_frame_per_state_all_drawn_by_draw(built):
    ex, calls, n_explorer, fig = built
    assert len(ex.frames) == len(gan.LOGITS) == n_explorer
    assert sorted(c["z"] for c in calls[:n_explorer]) == sorted(gan.LOGITS)
    assert [c["z"] for c in calls[n_explorer:]] == [-10.0, 2.0]
    assert len(fig.lossnotes_views) == 2


def test_the_stack_is_linked_to_the_control(built):
    ex, *_ = built
    (z,) = ex.controls
    assert z.description and z.value == -8.0
    assert ex.selected() == (gan.LOGITS.index(-8.0),)
    assert len(ex.links) == 1
    assert ex.links[0].source == (z, "index") and ex.links[0].target == (ex.stack, "selected_index")


def test_each_frame_names_its_state(built):
    ex, *_ = built
    for (i,), frame in ex.frames.items():
        z = gan.LOGITS[i]
        v = gan.values(z)
        assert frame.state == {"z": z}
        for text in (frame.alt, frame.readout):
            assert f"z = {z:g}" in text and f"{v['nonsat']:.2f}" in text and f"{v['D']:.2g}" in text
        assert frame.min_font_pt >= plots.MIN_FONT_PT
    assert len({f.png for f in ex.frames.values()}) == len(ex.frames)
    assert ex.nbytes() < BUDGET


def test_static_figure_draws_what_the_frames_draw():
    """One state drawn alone by static_figure and by the frame machinery gives the same pixels."""
    from PIL import Image

    fig = gan.static_figure([-4.0])
    frame = _frames.render(gan.draw, {"z": -4.0}, size=gan.SIZE, colors=0)
    assert len(frame.tiles) == 2  # the panels are cut apart for narrow screens
    tiles = [np.asarray(Image.open(io.BytesIO(t.png)).convert("RGB")) for t in frame.tiles]
    assert np.array_equal(plots.render(fig)[0][..., :3], np.hstack(tiles))


def test_a_confident_discriminator_starves_only_the_saturating_loss():
    v = gan.values(-12.0)
    assert v["D"] < 1e-5
    assert abs(v["nonsat_grad"]) > 0.99 and abs(v["sat_grad"]) < 1e-5
    assert v["sat_grad"] < 0 and v["nonsat_grad"] < 0  # both push the logit up (towards "real")
    assert v["nonsat"] > 11 and -1e-5 < v["sat"] < 0  # -log D keeps rising, log(1 - D) flattens at 0
    fooled = gan.values(6.0)  # a fooled discriminator: now the non-saturating signal fades
    assert abs(fooled["nonsat_grad"]) < 3e-3 < abs(fooled["sat_grad"])


def test_curves_match_the_closed_forms_and_finite_differences():
    z = np.linspace(-12.0, 6.0, 37)
    d, sat, nonsat, sat_g, nonsat_g = gan.curves(z)
    expit = 1.0 / (1.0 + np.exp(-z))
    assert np.allclose(d, expit, rtol=1e-12)
    assert np.allclose(sat, np.log1p(-expit), rtol=1e-9)
    assert np.allclose(nonsat, -np.log(expit), rtol=1e-9)
    assert np.allclose(sat_g, -expit, rtol=1e-12) and np.allclose(nonsat_g, expit - 1.0, rtol=1e-9)
    h = 1e-6
    for saturating, g in ((True, sat_g), (False, nonsat_g)):
        loss = lambda t, s=saturating: ln.generative.generator_loss(t, saturating=s, reduction="none")  # noqa: E731
        assert np.allclose(g, (loss(z + h) - loss(z - h)) / (2 * h), rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: gan.values(np.inf), "z must be a finite number"),
        (lambda: gan.values("high"), "z must be a finite number"),
        (lambda: gan.explorer(z=-7.0), "one of the explorer's logits"),
    ],
)
def test_bad_input_is_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()

"""The margin explorer: hinge ignores a point beyond its margin, logistic regression never does."""

import io
import itertools

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import lossnotes as ln  # noqa: E402
from lossnotes import plots  # noqa: E402
from lossnotes.widgets import _frames, margin  # noqa: E402

BUDGET = 1_500_000  # bytes of widget state per page


@pytest.fixture(scope="module")
def m():
    return margin.model()


@pytest.fixture(scope="module")
def built():
    """The explorer, built once with ``draw`` wrapped to count its calls."""
    calls = []
    original = margin.draw

    def counting(target, **state):
        calls.append(state)
        return original(target, **state)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(margin, "draw", counting)
        ex = margin.explorer(t=0.3, C=1.0)
        n_explorer = len(calls)
        fig = margin.static_figure([(0.0, 1.0), (0.8, 3.0)])
    return ex, calls, n_explorer, fig


def test_one_frame_per_state_all_drawn_by_draw(built):
    ex, calls, n_explorer, fig = built
    n = len(margin.POSITIONS) * len(margin.C_VALUES)
    assert len(ex.frames) == n == n_explorer
    assert sorted((c["t"], c["C"]) for c in calls[:n_explorer]) == sorted(
        itertools.product(margin.POSITIONS, margin.C_VALUES)
    )
    assert [(c["t"], c["C"]) for c in calls[n_explorer:]] == [(0.0, 1.0), (0.8, 3.0)]
    assert len(fig.lossnotes_views) == 2


def test_stacks_are_linked_to_the_controls(built):
    ex, *_ = built
    t, C = ex.controls
    assert t.description and C.description and t.value == 0.3 and C.value == 1.0
    assert ex.selected() == (margin.POSITIONS.index(0.3), margin.C_VALUES.index(1.0))
    assert len(ex.links) == 1 + len(margin.POSITIONS)
    assert ex.links[-1].source == (t, "index") and ex.links[-1].target == (ex.stack, "selected_index")
    inner = {id(s) for s in ex.stack.children}
    for link in ex.links[:-1]:
        assert link.source == (C, "index") and link.target[1] == "selected_index" and id(link.target[0]) in inner


def test_each_frame_names_its_state(built, m):
    ex, *_ = built
    for (i, j), frame in ex.frames.items():
        t, C = margin.POSITIONS[i], margin.C_VALUES[j]
        assert frame.state == {"t": t, "C": C}
        svm, _ = m.fits(t, C)
        role = "a support vector" if m.moving in svm.support else "not a support vector"
        for text in (frame.alt, frame.readout):
            assert f"t = {t:g}" in text and f"C = {C:g}" in text and role in text
            assert f"{len(svm.support)} support vectors" in text
        assert frame.min_font_pt >= plots.MIN_FONT_PT
    assert len({f.png for f in ex.frames.values()}) == len(ex.frames)
    assert ex.nbytes() < BUDGET


def test_readout_says_the_svm_stays_while_the_star_is_beyond_its_margin(built, m):
    ex, *_ = built
    j = margin.C_VALUES.index(1.0)
    for i, t in enumerate(margin.POSITIONS):
        svm, _ = m.fits(t, 1.0)
        beyond = m.y[m.moving] * svm.decision(m.data(t))[m.moving] > 1.0
        says_still = "max-margin weights are as at t = 0" in ex.frames[(i, j)].readout
        if beyond:
            assert says_still and m.moving not in svm.support
    assert "max-margin weights have moved" in ex.frames[(len(margin.POSITIONS) - 1, j)].readout


def test_static_figure_draws_what_the_frames_draw():
    """One state drawn alone by static_figure and by the frame machinery gives the same pixels."""
    from PIL import Image

    state = {"t": 0.5, "C": 0.3}
    fig = margin.static_figure([state])
    frame = _frames.render(margin.draw, state, size=margin.SIZE, colors=0)
    assert len(frame.tiles) == 2  # the panels are cut apart for narrow screens
    tiles = [np.asarray(Image.open(io.BytesIO(t.png)).convert("RGB")) for t in frame.tiles]
    assert np.array_equal(plots.render(fig)[0][..., :3], np.hstack(tiles))


def test_point_beyond_margin_moves_only_logistic(m):
    (svm0, log0), (svm1, log1) = m.fits(0.0, 1.0), m.fits(0.3, 1.0)
    X = m.data(0.3)
    assert m.moving not in svm1.support
    assert m.y[m.moving] * svm1.decision(X)[m.moving] > 1.0
    np.testing.assert_allclose(svm1.w, svm0.w, atol=1e-5)
    assert abs(svm1.b - svm0.b) < 1e-5
    assert np.max(np.abs(log1.w - log0.w)) > 1e-3  # logistic regression felt the move


def test_point_inside_margin_becomes_support_vector(m):
    svm0, _ = m.fits(0.0, 1.0)
    svm1, _ = m.fits(1.0, 1.0)
    assert m.moving in svm1.support
    assert svm1.alpha[m.moving] > 0
    assert np.max(np.abs(svm1.w - svm0.w)) > 1e-2


def test_larger_C_narrows_the_margin(m):
    widths = [2.0 / np.linalg.norm(m.fits(0.5, C)[0].w) for C in margin.C_VALUES]
    assert np.all(np.diff(widths) < 0)


@pytest.mark.parametrize("C", margin.C_VALUES)
def test_every_position_is_solved_to_optimality(m, C):
    # primal objective minus dual objective: zero at the optimum, positive otherwise
    for t in margin.POSITIONS:
        svm, _ = m.fits(t, C)
        X = m.data(t)
        primal = 0.5 * svm.w @ svm.w + C * ln.losses.hinge(m.y, svm.decision(X), reduction="sum")
        v = m.y[:, None] * X
        dual = svm.alpha.sum() - 0.5 * np.sum((svm.alpha @ v) ** 2)
        assert primal - dual < 1e-4 * max(1.0, primal), (t, C, primal - dual)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: margin.model().fits(1.5, 1.0), "t must be a number in"),
        (lambda: margin.model().fits(0.5, 0.0), "C must be a positive number"),
        (lambda: margin.explorer(t=0.33), "one of its options"),
    ],
)
def test_bad_input_is_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()

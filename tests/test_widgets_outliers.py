"""The outlier explorer: its frames, and the losses disagreeing about the outlier as they should."""

import io
import itertools

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

from lossnotes import plots  # noqa: E402
from lossnotes.widgets import _frames, outliers  # noqa: E402

BUDGET = 1_500_000  # bytes of widget state per page


@pytest.fixture(scope="module")
def built():
    """The explorer, built once with ``draw`` wrapped to count its calls."""
    calls = []
    original = outliers.draw

    def counting(target, **state):
        calls.append(state)
        return original(target, **state)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(outliers, "draw", counting)
        ex = outliers.explorer(loss="huber", outlier=25.0)
        n_explorer = len(calls)
        fig = outliers.static_figure([("mse", 40.0), ("cauchy", 40.0)])
    return ex, calls, n_explorer, fig


def test_one_frame_per_state_all_drawn_by_draw(built):
    ex, calls, n_explorer, fig = built
    n = len(outliers.CHOICES) * len(outliers.HEIGHTS)
    assert len(ex.frames) == n == n_explorer
    states = [(c["loss"], c["outlier"]) for c in calls[:n_explorer]]
    assert sorted(states) == sorted(itertools.product(outliers.CHOICES, outliers.HEIGHTS))
    # the static figure is drawn by the same function: one call per row
    assert [(c["loss"], c["outlier"]) for c in calls[n_explorer:]] == [("mse", 40.0), ("cauchy", 40.0)]
    assert [v.readout for v in fig.lossnotes_views] == [
        outliers.describe("mse", 40.0).readout,
        outliers.describe("cauchy", 40.0).readout,
    ]


def test_stacks_are_linked_to_the_controls(built):
    ex, *_ = built
    loss, height = ex.controls
    assert (loss.description, height.description) == ("loss", "outlier height y")
    assert loss.value == "huber" and height.value == 25.0
    assert ex.selected() == (list(outliers.CHOICES).index("huber"), outliers.HEIGHTS.index(25.0))
    assert len(ex.links) == 1 + len(outliers.CHOICES)
    assert ex.links[-1].source == (loss, "index") and ex.links[-1].target == (ex.stack, "selected_index")
    inner = {id(s) for s in ex.stack.children}
    for link in ex.links[:-1]:
        assert link.source == (height, "index") and link.target[1] == "selected_index" and id(link.target[0]) in inner
    for i, j in ex.frames:
        assert ex.stack.children[i].children[j] is ex.frame_widgets[(i, j)]


def test_each_frame_names_its_state(built):
    ex, *_ = built
    for (i, j), frame in ex.frames.items():
        loss, height = list(outliers.CHOICES)[i], outliers.HEIGHTS[j]
        assert frame.state == {"loss": loss, "outlier": height}
        for text in (frame.alt, frame.readout):
            assert outliers.LABELS[loss] in text and f"{height:g}" in text
        r = outliers.fit(loss, height)
        assert f"slope is {r['line'][1]:.2f}" in frame.alt
        assert frame.min_font_pt >= plots.MIN_FONT_PT
    assert len({f.png for f in ex.frames.values()}) == len(ex.frames)


def test_page_bytes_within_budget(built):
    ex, *_ = built
    assert ex.nbytes() < BUDGET


def test_static_figure_draws_what_the_frames_draw():
    """One state drawn alone by static_figure and by the frame machinery gives the same pixels."""
    from PIL import Image

    state = {"loss": "mae", "outlier": 30.0}
    fig = outliers.static_figure([state])
    frame = _frames.render(outliers.draw, state, size=outliers.SIZE, colors=0)
    assert len(frame.tiles) == 2  # the panels are cut apart for narrow screens
    tiles = [np.asarray(Image.open(io.BytesIO(t.png)).convert("RGB")) for t in frame.tiles]
    assert np.array_equal(plots.render(fig)[0][..., :3], np.hstack(tiles))


def test_mse_slope_chases_the_outlier_more_than_mae():
    heights = [6.0, 15.0, 25.0, 40.0]
    mse = np.array([outliers.fit("mse", h)["line"][1] for h in heights])
    mae = np.array([outliers.fit("mae", h)["line"][1] for h in heights])
    assert np.all(np.diff(mse) > 0.05)  # every rise of the outlier tilts the MSE line further
    assert mse[-1] - mse[0] > 10 * abs(mae[-1] - mae[0])  # MAE barely moves
    assert mse[-1] - mse[0] > 0.4
    # the MSE fit is least squares: compare with the closed form
    m = outliers.model()
    assert np.isclose(mse[-1], np.polyfit(m.xs, np.append(m.y, heights[-1]), 1)[0], rtol=1e-6)


def test_robust_losses_cap_the_outlier():
    mse = outliers.fit("mse", 40.0)
    mse_slope, mse_share = mse["line"][1], mse["loss_share"][-1]
    assert mse_share > 0.8
    # under MSE the outlier's gradient balances all the others together: at the fit the gradients sum to 0
    # (the intercept's optimality condition), so its share is at most a half, and far above any other point's
    m = outliers.model()
    g = outliers.CHOICES["mse"][0].grad(np.append(m.y, 40.0), mse["line"][0] + mse["line"][1] * m.xs)
    assert abs(g.sum()) < 1e-9 * np.abs(g).sum()
    assert 0.3 < mse["grad_share"][-1] <= 0.5
    assert mse["grad_share"][-1] > 5 * mse["grad_share"][:-1].max()
    for loss in ("mae", "huber", "log_cosh", "cauchy"):
        r = outliers.fit(loss, 40.0)
        assert abs(r["line"][1] - outliers.TRUE_SLOPE) < 0.1
        assert abs(r["line"][1] - outliers.TRUE_SLOPE) < abs(mse_slope - outliers.TRUE_SLOPE) / 5
        assert r["loss_share"][-1] < mse_share
        assert r["grad_share"][-1] < 0.1  # capped (MAE, Huber, log-cosh) or faded (Cauchy)
        assert np.isclose(r["loss_share"].sum(), 1.0) and np.isclose(r["grad_share"].sum(), 1.0)
    assert outliers.fit("mae", 40.0)["grad_share"][-1] == pytest.approx(1 / 31, rel=1e-9)  # |sign(r)| = 1 each


def test_fit_is_a_minimum():
    # the refit is a (local) minimum: nudging the line in any direction does not lower the mean loss
    m = outliers.model()
    ys = np.append(m.y, 25.0)
    for loss in outliers.CHOICES:
        r = outliers.fit(loss, 25.0)
        (b0, b1), fn, params = r["line"], outliers.CHOICES[loss][0], outliers.CHOICES[loss][1]
        best = float(np.mean(r["per_point"]))
        for d0, d1 in [(1e-2, 0), (-1e-2, 0), (0, 1e-3), (0, -1e-3)]:
            assert fn(ys, (b0 + d0) + (b1 + d1) * m.xs, **params) >= best - 1e-9


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"loss": "hinge", "outlier": 1.0}, "loss must be one of"),
        ({"loss": "mse", "outlier": np.nan}, "outlier must be a finite number"),
        ({"loss": "mse", "outlier": "high"}, "outlier must be a finite number"),
    ],
)
def test_bad_state_is_refused(kw, match):
    with pytest.raises(ValueError, match=match):
        outliers.fit(**kw)
    with pytest.raises(ValueError, match=match):
        outliers.explorer(**kw)

"""The noise-model explorer: it draws, refits, and the losses disagree about the outlier as they should."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

from lossnotes.widgets import noise  # noqa: E402


@pytest.fixture(scope="module")
def explorer():
    return noise.NoiseExplorer()


def test_update_returns_png(explorer):
    for loss in noise.CHOICES:
        png = explorer.update(loss=loss, outlier=12.0)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(png) > 1000


def test_mse_slope_chases_the_outlier_more_than_mae(explorer):
    heights = [6.0, 15.0, 25.0, 40.0]
    slopes = {}
    for loss in ("mse", "mae"):
        slopes[loss] = []
        for h in heights:
            explorer.update(loss=loss, outlier=h)
            slopes[loss].append(explorer.line[1])
    mse, mae = np.array(slopes["mse"]), np.array(slopes["mae"])
    assert np.all(np.diff(mse) > 0.05)  # every rise of the outlier tilts the MSE line further
    assert mse[-1] - mse[0] > 10 * abs(mae[-1] - mae[0])  # MAE barely moves
    assert mse[-1] - mse[0] > 0.4
    # the MSE fit is least squares: compare with the closed form
    x, y = explorer.xs, np.append(explorer.y, heights[-1])
    assert np.isclose(mse[-1], np.polyfit(x, y, 1)[0], rtol=1e-6)


def test_robust_losses_cap_the_outlier(explorer):
    explorer.update(loss="mse", outlier=40.0)
    mse_slope, mse_share = explorer.line[1], explorer.shares[-1]
    for loss in ("mae", "huber", "log_cosh", "cauchy"):
        explorer.update(loss=loss, outlier=40.0)
        assert abs(explorer.line[1] - noise.TRUE_SLOPE) < 0.1
        assert abs(explorer.line[1] - noise.TRUE_SLOPE) < abs(mse_slope - noise.TRUE_SLOPE) / 5
        assert explorer.shares[-1] < mse_share
    assert mse_share > 0.8
    assert np.isclose(explorer.shares.sum(), 1.0)


def test_fit_is_a_minimum(explorer):
    # the refit is a (local) minimum: nudging the line in any direction does not lower the mean loss
    for loss in noise.CHOICES:
        (b0, b1), per_point = explorer.fit(loss, 25.0)
        fn, params, _ = noise.CHOICES[loss]
        ys = np.append(explorer.y, 25.0)
        best = float(np.mean(per_point))
        for d0, d1 in [(1e-2, 0), (-1e-2, 0), (0, 1e-3), (0, -1e-3)]:
            assert fn(ys, (b0 + d0) + (b1 + d1) * explorer.xs, **params) >= best - 1e-9


def test_bad_loss_name_is_refused(explorer):
    with pytest.raises(ValueError, match="loss must be one of"):
        explorer.update(loss="hinge")


def test_widget_and_static_figure(explorer):
    box = explorer.widget()
    image = box.children[-1]
    choose, height = box.children[0].children
    before = image.value
    height.value = 35.0
    assert image.value != before and image.value[:4] == b"\x89PNG"
    choose.value = "cauchy"
    assert explorer.loss == "cauchy" and explorer.outlier == 35.0
    fig = noise.static_figure(losses=("mse", "mae"), heights=(6.0, 30.0))
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 4

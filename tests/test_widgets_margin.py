"""The margin explorer: hinge ignores a point beyond its margin, logistic regression never does."""

import numpy as np
import pytest

import lossnotes as ln

pytest.importorskip("matplotlib")
margin = pytest.importorskip("lossnotes.widgets.margin")


@pytest.fixture(scope="module")
def explorer():
    return margin.MarginExplorer()


def test_update_returns_png(explorer):
    png = explorer.update(t=0.2)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 2000


def test_point_beyond_margin_moves_only_logistic(explorer):
    explorer.update(t=0.0, C=1.0)
    svm0, log0 = explorer.svm, explorer.logit
    explorer.update(t=0.3)
    svm1, log1 = explorer.svm, explorer.logit
    X = explorer.data(0.3)
    assert explorer.moving not in svm1.support
    assert explorer.y[explorer.moving] * svm1.decision(X)[explorer.moving] > 1.0
    np.testing.assert_allclose(svm1.w, svm0.w, atol=1e-5)
    assert abs(svm1.b - svm0.b) < 1e-5
    assert np.max(np.abs(log1.w - log0.w)) > 1e-3  # logistic regression felt the move


def test_point_inside_margin_becomes_support_vector(explorer):
    explorer.update(t=0.0, C=1.0)
    w0 = explorer.svm.w.copy()
    explorer.update(t=1.0)
    assert explorer.moving in explorer.svm.support
    assert explorer.svm.alpha[explorer.moving] > 0
    assert np.max(np.abs(explorer.svm.w - w0)) > 1e-2


def test_larger_C_narrows_the_margin(explorer):
    widths = []
    for C in margin.C_VALUES:
        explorer.update(t=0.5, C=C)
        widths.append(2.0 / np.linalg.norm(explorer.svm.w))
    assert np.all(np.diff(widths) < 0)


@pytest.mark.parametrize("C", margin.C_VALUES)
def test_every_slider_position_is_solved_to_optimality(explorer, C):
    # primal objective minus dual objective: zero at the optimum, positive otherwise
    for t in np.linspace(0.0, 1.0, 21):
        svm, _ = explorer.fits(t, C)
        X = explorer.data(t)
        primal = 0.5 * svm.w @ svm.w + C * ln.losses.hinge(explorer.y, svm.decision(X), reduction="sum")
        v = explorer.y[:, None] * X
        dual = svm.alpha.sum() - 0.5 * np.sum((svm.alpha @ v) ** 2)
        assert primal - dual < 1e-4 * max(1.0, primal), (t, C, primal - dual)


def test_cached_update_returns_the_same_picture(explorer):
    # speed is measured in benchmarks/bench_widgets.py; here: a cached position redraws identically
    first = explorer.update(t=0.4, C=1.0)
    explorer.update(t=0.9, C=1.0)
    assert explorer.update(t=0.4, C=1.0) == first


def test_static_figure_has_one_panel_per_value():
    fig = margin.static_figure(ts=(0.0, 0.5, 1.0))
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3

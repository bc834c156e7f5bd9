"""The saturation explorer: cross-entropy keeps teaching when the unit is confidently wrong, squared error does not."""

import numpy as np
import pytest

import lossnotes as ln
from lossnotes.widgets import saturation

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def explorer():
    return saturation.SaturationExplorer(z=0.0)


@pytest.mark.parametrize("unit", ["sigmoid", "softmax"])
def test_confidently_wrong_ce_teaches_mse_does_not(explorer, unit):
    png = explorer.update(z=-12.0, unit=unit)
    assert png.startswith(PNG)
    v = explorer.values
    assert v["unit"] == unit and v["z"] == -12.0
    assert v["p"] < 1e-5  # confidently wrong: almost no mass on the true class
    assert abs(v["ce_grad"]) > 0.99
    assert abs(v["mse_grad"]) < 1e-3
    assert v["ce_grad"] < 0  # the teaching signal pushes the true logit up


@pytest.mark.parametrize("unit", ["sigmoid", "softmax"])
def test_gradients_follow_the_slider(explorer, unit):
    explorer.update(z=-12.0, unit=unit)
    wrong = dict(explorer.values)
    explorer.update(z=12.0, unit=unit)
    right = dict(explorer.values)
    assert right["p"] > 0.999 > wrong["p"]
    # cross-entropy's signal fades as the answer becomes right ...
    assert abs(right["ce_grad"]) < 1e-3 < abs(wrong["ce_grad"])
    # ... squared error's is tiny at both ends and largest in between
    mid = explorer.recompute(z=0.0 if unit == "sigmoid" else 2.0)
    assert abs(mid["mse_grad"]) > 100 * max(abs(wrong["mse_grad"]), abs(right["mse_grad"]))


def test_gradients_match_the_losses_and_finite_differences():
    z = np.linspace(-9.0, 9.0, 37)
    p, ce, se = saturation.gradients(z, "sigmoid")
    # sigmoid unit, positive example: p = sigmoid(z), dCE/dz = sigmoid(z) - 1, the BCE gradient
    assert np.allclose(p, ln.units.sigmoid(z), rtol=1e-12)
    assert np.allclose(ce, ln.losses.binary_cross_entropy.grad(np.ones_like(z), z), rtol=1e-12, atol=1e-15)
    # squared error on the probabilities, sum_k (p_k - y_k)^2, differentiated by central differences
    for unit in ("sigmoid", "softmax"):
        h = 1e-6
        fd = (_squared_error(z + h, unit) - _squared_error(z - h, unit)) / (2 * h)
        _, _, se = saturation.gradients(z, unit)
        assert np.allclose(se, fd, rtol=1e-5, atol=1e-9)


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


def test_update_redraws_and_widget_builds(explorer):
    # speed is measured in benchmarks/bench_widgets.py
    explorer.update(unit="softmax")  # a toggle redraws the static background once
    for z in np.linspace(-10, 10, 9):
        assert explorer.update(z=float(z)).startswith(PNG)
    w = explorer.widget()
    image = w.children[-1]
    assert bytes(image.value).startswith(PNG)


def test_static_figure_has_one_panel_per_logit():
    fig = saturation.static_figure(logits=(-8.0, 0.0, 4.0))
    try:
        assert len([ax for ax in fig.axes if ax.get_visible()]) == 3
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)


def test_bad_unit_is_refused():
    with pytest.raises(ValueError, match="unit"):
        saturation.gradients(0.0, "tanh")

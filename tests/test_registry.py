"""Defining a loss registers it, and everything that lists the losses follows the registry: the module's names,
the API reference page, and the README's table (which is checked here, since a README cannot run code)."""

import re
from pathlib import Path

from lossnotes import losses as L

ROOT = Path(__file__).resolve().parents[1]


def test_module_names_come_from_the_registry():
    assert L.__all__ == ["Loss", "Target", "LOSSES", "TARGETS", *L.LOSSES]
    for name, loss in L.LOSSES.items():
        assert getattr(L, name) is loss and loss.name == name
        assert isinstance(loss, L.Loss) and loss.target in L.TARGETS.values()


def test_the_api_page_lists_the_registry_and_nothing_by_hand():
    page = (ROOT / "book" / "api.md").read_text()
    assert ".. lossnotes-losses::" in page
    by_hand = [n for n in L.LOSSES if re.search(rf"auto\w+:: lossnotes\.losses\.{n}\b|^\s+{n}$", page, re.M)]
    assert not by_hand, f"book/api.md lists {by_hand} by hand; the lossnotes-losses directive lists them all"


def test_the_readme_table_names_every_loss():
    row = next(
        line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("| `lossnotes.losses`")
    )
    listed = re.findall(r"\b[a-z][a-z0-9_]+\b", row.split("|")[2].split(";")[0])
    assert listed == list(L.LOSSES), (
        "README.md's lossnotes.losses row must name the registered losses in order, before its first ';': "
        + ", ".join(L.LOSSES)
    )


def test_a_loss_must_say_what_it_is():
    import pytest

    from lossnotes.losses._base import Loss, register
    from lossnotes.losses._targets import REAL

    with pytest.raises(TypeError, match="must set gradient, references"):

        @register
        class Vague(Loss):
            name, target, noise_model = "vague", REAL, "gaussian"
            gradient_behaviour = use_when = "-"

    with pytest.raises(TypeError, match="names its noise model or, if it has none, its population minimiser"):

        @register
        class Neither(Loss):
            name, target, gradient, references = "neither", REAL, "-", "-"
            gradient_behaviour = use_when = "-"

    with pytest.raises(TypeError, match="'mse' is already registered"):

        @register
        class Again(type(L.mse)):
            pass

    assert "vague" not in L.LOSSES and "neither" not in L.LOSSES

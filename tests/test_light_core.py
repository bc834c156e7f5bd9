"""The numeric core is light: importing the losses or the units loads no SymPy, matplotlib or ipywidgets, and
every submodule still resolves as an attribute of the package."""

import json
import subprocess
import sys

import pytest

HEAVY = ("sympy", "matplotlib", "ipywidgets")


def _loaded_after(code: str) -> dict:
    """Run ``code`` in a fresh interpreter and report which heavy packages ended up in ``sys.modules``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "code",
    [
        "import lossnotes",
        "import lossnotes.losses",
        "import lossnotes.units",
        "import lossnotes as ln; ln.losses.huber([0.0], [3.0]); ln.units.softmax([1.0, 2.0])",
        "from lossnotes.losses import cross_entropy, LOSSES",
        "import lossnotes as ln; ln.generative.js_divergence([1, 1], [1, 1], [0, 1])",
        "import lossnotes as ln; ln.generative.elbo_gaussian([[0.0]], [[0.0]], [[0.0]], [[1.0]])",
    ],
)
def test_numeric_core_loads_no_heavy_package(code):
    loaded = _loaded_after(code)
    assert not any(loaded.values()), f"{code!r} loaded {[m for m, v in loaded.items() if v]}"


def test_the_probe_can_see_a_heavy_import():
    # the same probe reports sympy once the symbolic layer is used: the test above is able to fail
    assert _loaded_after("import lossnotes as ln; ln.noise")["sympy"]


def test_every_submodule_resolves_lazily():
    code = (
        "import lossnotes as ln, types\n"
        "contract = {'units', 'losses', 'noise', 'symbolic', 'fit', 'plots', 'widgets'}\n"
        "names = list(ln.__all__)\n"
        "assert contract <= set(names), names\n"
        "assert set(names) <= set(dir(ln))\n"
        "for n in names:\n"
        "    m = getattr(ln, n)\n"
        "    assert isinstance(m, types.ModuleType) and m.__name__ == 'lossnotes.' + n, n\n"
        "import lossnotes.noise\n"
        "assert ln.noise is lossnotes.noise\n"
        "try:\n"
        "    ln.nonexistent\n"
        "except AttributeError as e:\n"
        "    assert 'nonexistent' in str(e)\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_star_import_gives_the_submodules():
    out = subprocess.run(
        [sys.executable, "-c", "from lossnotes import *\nprint(losses.__name__, units.__name__)"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and out.stdout.split() == ["lossnotes.losses", "lossnotes.units"], out.stderr

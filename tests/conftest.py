import os

import numpy as np
import pytest
from hypothesis import settings

# Reproducible property tests: the same examples on every run (set HYPOTHESIS_EXPLORE=1 to search afresh).
settings.register_profile("repro", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", database=None, deadline=None)
settings.load_profile("explore" if os.environ.get("HYPOTHESIS_EXPLORE") else "repro")


@pytest.fixture
def rng():
    return np.random.default_rng(20261121)

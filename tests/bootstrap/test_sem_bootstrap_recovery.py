"""Recovery: coverage of 95% percentile intervals of a*b on simulated X -> M -> Y data.

200 replications of n = 200, 1000 draws each (the closed-form path). Coverage is a binomial
proportion with SE sqrt(.95 * .05 / 200) = 0.0154; the tolerance is 3 SE = 0.046 either side of
0.95. With a*b = 0 (a = 0.4, b = 0) the false-positive rate (interval excluding 0) must be at
most 0.05 + 3 SE; the percentile interval of a product is known to be somewhat conservative
there (MacKinnon, Lockwood & Williams, 2004), so no lower bound is asserted.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from semxhs.resample.sem import bootstrap_sem
from tests.bootstrap.sem_bootstrap_helpers import simulate_mediation

pytestmark = pytest.mark.slow  # more than a few seconds (the quick loop: -m "not slow")

MODEL = "M ~ a*X\nY ~ b*M + c*X\nab := a*b"
REPS, N, DRAWS = 200, 200, 1000
SE = math.sqrt(0.95 * 0.05 / REPS)


def _intervals(a: float, b: float, c: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((REPS, 2))
    for r in range(REPS):
        res = bootstrap_sem(MODEL, simulate_mediation(rng, N, a, b, c), draws=DRAWS, seed=int(rng.integers(2**31)))
        assert res.failed == 0
        out[r] = res.defined[0].ci_lower, res.defined[0].ci_upper
    return out


@pytest.mark.recovery
@pytest.mark.parametrize("label,a,b,c,seed", [("full", 0.4, 0.4, 0.0, 101), ("partial", 0.4, 0.4, 0.3, 102)])
def test_percentile_interval_covers_ab_near_95_percent(label, a, b, c, seed):
    ci = _intervals(a, b, c, seed)
    coverage = np.mean((ci[:, 0] <= a * b) & (a * b <= ci[:, 1]))
    assert abs(coverage - 0.95) <= 3 * SE, f"{label}: coverage {coverage:.3f}"


@pytest.mark.recovery
def test_no_mediation_false_positive_rate():
    ci = _intervals(0.4, 0.0, 0.3, 103)
    false_positive = np.mean((ci[:, 0] > 0) | (ci[:, 1] < 0))
    assert false_positive <= 0.05 + 3 * SE, f"false-positive rate {false_positive:.3f}"

"""Recovery tests of the common-method checks: simulated data with a known method component."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from semxhs.errors import DataError
from semxhs.measurement.cmb import full_collinearity, marker_variable, ulmc
from semxhs.sem.model import fit

BLOCKS = {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"], "C": ["c1", "c2", "c3"]}
MODEL = "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nC =~ c1 + c2 + c3\nB ~ A\nC ~ B"


def _simulate(n: int, method: float, seed: int) -> pd.DataFrame:
    """Standardized items: 0.7·factor + method·M + error; B = .5 A, C = .4 B; a marker loads only on M."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = 0.5 * a + np.sqrt(1 - 0.25) * rng.normal(size=n)
    c = 0.4 * b + np.sqrt(1 - 0.16) * rng.normal(size=n)
    m = rng.normal(size=n)
    err = np.sqrt(1 - 0.49 - method ** 2)
    cols = {}
    for name, f in (("a", a), ("b", b), ("c", c)):
        for k in (1, 2, 3):
            cols[f"{name}{k}"] = 0.7 * f + method * m + err * rng.normal(size=n)
    cols["mk"] = method * m + np.sqrt(1 - method ** 2) * rng.normal(size=n)
    return pd.DataFrame(cols)


@pytest.mark.recovery
def test_ulmc_recovers_method_variance_and_structural_paths() -> None:
    data = _simulate(4000, 0.4, 11)
    res = ulmc(fit(MODEL, data), data, BLOCKS, loadings="equal", model=MODEL)
    assert res.method.trustworthy
    # truth: 0.4² = .16 of every item's variance; the ULMC recovers it only roughly (lavaan gives the
    # same .107 on these data: the method factor trades off against the substantive loadings)
    assert 0.08 < res.method_variance_share < 0.24
    truth = {("B", "A"): 0.5, ("C", "B"): 0.4}
    for c in res.changes:
        if c.op == "~":  # the method factor moves every structural β towards its true value
            assert abs(c.std_all_with - truth[(c.lhs, c.rhs)]) < abs(c.std_all_without - truth[(c.lhs, c.rhs)])
    assert res.difference is not None and res.difference.pvalue < 0.05  # p = .014 here: the test has little power


@pytest.mark.recovery
def test_marker_recovers_method_correlation() -> None:
    data = _simulate(4000, 0.4, 12)
    res = marker_variable(data, BLOCKS, ["mk"])
    # the marker's correlation with a construct score: cov 0.4·0.4 over sd(score) = sqrt(.49 + .16 + .35/3)
    truth = 0.16 / np.sqrt(0.49 + 0.16 + 0.35 / 3)
    assert abs(res.r_m - truth) < 0.04
    assert all(p.r_adj < p.r for p in res.pairs)


def test_full_collinearity_names_a_singular_matrix() -> None:
    d = pd.DataFrame({"a1": [1, 2, 3, 4, 5.0], "a2": [2, 1, 4, 3, 5.0]})
    d["b1"], d["b2"] = d["a1"], d["a2"]
    with pytest.raises(DataError, match="perfectly collinear"):
        full_collinearity(d, {"A": ["a1", "a2"], "B": ["b1", "b2"]})

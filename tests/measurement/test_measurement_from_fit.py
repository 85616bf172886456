"""Reference tests of the whole path: semxhs fit -> measurement quality, against R.

hs1939_cfa's lavaan.json holds psych::alpha, CR and AVE from lavaan's std.all loadings,
semTools::htmt (htmt2 FALSE/TRUE) and lavaan's latent correlations. Tolerance 1e-3.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from semxhs.measurement.from_fit import (
    blocks_of,
    latent_correlations,
    measurement_from_fit,
)
from semxhs.sem.model import fit

CASE = Path(__file__).resolve().parents[1] / "fixtures" / "shared" / "hs1939_cfa"


@pytest.fixture(scope="module")
def quality():
    data = pd.read_csv(CASE / "data.csv")
    sem = fit((CASE / "model.lav").read_text(), data)
    return sem, measurement_from_fit(sem, data, htmt_boot=200, seed=3)


@pytest.mark.reference
def test_reliability_from_fit_agrees_with_r(quality):
    ref = json.loads((CASE / "lavaan.json").read_text())["measurement"]
    got = quality[1].to_dict()["measurement"]["reliability"]
    for factor, want in ref["reliability"].items():
        for key in ("alpha", "cr", "ave"):
            assert got[factor][key] == pytest.approx(want[key], abs=1e-3), (factor, key)


@pytest.mark.reference
def test_htmt_and_latent_correlations_from_fit_agree_with_r(quality):
    sem, result = quality
    ref = json.loads((CASE / "lavaan.json").read_text())["measurement"]
    names = ["visual", "textual", "speed"]
    got = result.to_dict()["measurement"]
    for key in ("htmt", "htmt2"):
        mat = np.array([[got[key][a][b] for b in names] for a in names])
        np.testing.assert_allclose(mat, np.array(ref[key]), atol=1e-3)
    np.testing.assert_allclose(latent_correlations(sem).loc[names, names].to_numpy(), np.array(ref["cor_lv"]), atol=1e-3)


def test_blocks_skip_higher_order_factors():
    rng = np.random.default_rng(5)
    n = 500
    g = rng.normal(size=n)
    cols = {}
    for f in "abc":
        factor = 0.8 * g + rng.normal(size=n) * 0.6
        for i in range(1, 4):
            cols[f"{f}{i}"] = factor + rng.normal(size=n) * 0.7
    model = "fa =~ a1 + a2 + a3\nfb =~ b1 + b2 + b3\nfc =~ c1 + c2 + c3\ng =~ fa + fb + fc"
    sem = fit(model, pd.DataFrame(cols))
    assert sem.converged
    assert blocks_of(sem) == {"fa": ["a1", "a2", "a3"], "fb": ["b1", "b2", "b3"], "fc": ["c1", "c2", "c3"]}


def test_one_factor_cfa_comparison_is_reported(quality):
    one = quality[1].to_dict()["measurement"]["one_factor_cfa"]
    assert one["df"] == 27 and one["delta_df"] == 3
    assert one["delta_chisq"] > 0 and one["pvalue"] < 0.001

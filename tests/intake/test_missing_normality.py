"""Missingness counts, Little's MCAR test and normality: behaviour (the numbers are in test_intake_reference.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from semxhs.errors import DataError
from semxhs.survey.missingness import little_mcar, mcar_test, missingness
from semxhs.survey.normality import (
    assess_normality,
    recommend_estimator,
    univariate_normality,
)

ITEMS = ["PI1", "PI2", "PI3", "PI4", "TR1", "TR2", "TR3", "TR4", "PU1", "PU2", "PU3", "PU4"]


def test_missingness_of_the_fixture(coded):
    m = missingness(coded, ITEMS)
    assert m.n_rows == 112 and m.n_complete_rows == 111 and m.n_missing_cells == 1
    assert m.to_frame().set_index("item").loc["PU3", "n_missing"] == 1
    assert m.patterns == (("1" * 12, 111), ("111111111101", 1))
    assert m.to_dict()["pct_missing_cells"] == pytest.approx(100 / (112 * 12))


def test_mcar_without_missing_values_has_no_test(coded):
    res = mcar_test(coded.dropna(), ITEMS)
    assert res.chisq == pytest.approx(0, abs=1e-9) and res.df == 0 and math.isnan(res.pvalue)
    assert res.to_dict()["pvalue"] is None


def test_mcar_drops_empty_rows_and_needs_numbers():
    x = np.array([[1, 2], [np.nan, np.nan], [2, np.nan], [3, 4], [4, 3], [np.nan, 5]], dtype=float)
    assert little_mcar(x).n_empty_dropped == 1
    with pytest.raises(DataError, match="not numeric: 'a'"):
        mcar_test(pd.DataFrame({"a": ["x", "y"], "b": [1, 2]}), ["a", "b"])


def test_recommendation_mlr_on_heavy_tails():
    rng = np.random.default_rng(3)
    heavy = pd.DataFrame(rng.standard_t(3, size=(400, 6)), columns=list("abcdef"))
    res = assess_normality(heavy, list("abcdef"))
    assert res.recommendation.estimator == "MLR"
    assert res.recommendation.reasons[0].startswith("MLR recommended: Mardia's kurtosis z = ")
    assert res.recommendation.reasons[0].endswith("p < .001")
    assert res.recommendation.missing == "listwise"
    assert list(res.to_frame().columns) == ["item", "n", "mean", "sd", "skew", "se_skew", "z_skew", "p_skew",
                                            "kurtosis", "se_kurtosis", "z_kurtosis", "p_kurtosis"]


def test_recommendation_ml_and_fiml(coded, planted):
    raw = assess_normality(coded, ITEMS)
    assert raw.recommendation.estimator == "MLR"  # straight-liners and the outlier make the tails heavy
    careless = {r for kind, rows in planted.items() if kind != "skipped_PU3" for r in rows}
    clean = coded[~coded["序号"].isin(careless)]
    res = assess_normality(clean, ITEMS, mcar_pvalue=0.4)
    rec = res.recommendation
    assert rec.estimator == "ML" and rec.missing == "fiml"
    assert "consistent with MCAR" in rec.reasons[-1]
    rows = univariate_normality(np.array([[1.0], [2.0], [2.0], [3.0], [7.0]]))
    coarse = recommend_estimator(rows, res.mardia, scale_points=4)
    assert "WLSMV" in coarse.reasons[-1]
    assert res.to_dict()["mardia"]["n"] == 99  # complete cases

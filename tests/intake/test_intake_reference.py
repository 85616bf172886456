"""Mardia, univariate skew/kurtosis and Little's MCAR test against R.

Reference: tests/fixtures/intake/reference/reference.json, written by
``Rscript tests/fixtures/intake/reference/make_reference.R`` (psych 2.2.9 for
``psych::mardia(x, plot = FALSE)`` and ``psych::describe(x, type = 2)``; Little's test
in base R in that script, its EM checked against lavaan's EM). All quantities are
deterministic: relative tolerance 1e-6 (EM iterated to 1e-12 on both sides).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from semxhs.survey.missingness import em_mvn, little_mcar
from semxhs.survey.normality import mardia, univariate_normality

pytestmark = pytest.mark.reference
RTOL = 1e-6


@pytest.fixture(scope="module")
def ref(intake_dir):
    return json.loads((intake_dir / "reference" / "reference.json").read_text(encoding="utf-8"))


def test_mardia_matches_psych(intake_dir, ref):
    x = pd.read_csv(intake_dir / "reference" / "normality_items.csv").to_numpy(dtype=float)
    ours = mardia(x)
    r = ref["mardia"]
    assert (ours.n, ours.p) == (r["n"], r["p"])
    for key in ("b1p", "b2p", "skew", "small_skew", "p_skew", "p_small", "kurtosis", "p_kurtosis"):
        assert getattr(ours, key) == pytest.approx(r[key], rel=RTOL), key


def test_univariate_matches_psych_describe_type2(intake_dir, ref):
    frame = pd.read_csv(intake_dir / "reference" / "normality_items.csv")
    rows = univariate_normality(frame.to_numpy(dtype=float), list(frame.columns))
    r = ref["describe"]
    assert [row.item for row in rows] == r["item"]
    np.testing.assert_allclose([row.skew for row in rows], r["skew"], rtol=RTOL)
    np.testing.assert_allclose([row.kurtosis for row in rows], r["kurtosis"], rtol=RTOL)
    np.testing.assert_allclose([row.sd for row in rows], r["sd"], rtol=RTOL)


@pytest.mark.parametrize("case, csv", [("mcar_mar", "mcar_items.csv"), ("mcar_mcar", "mcar_items_mcar.csv")])
def test_little_mcar_matches_r(intake_dir, ref, case, csv):
    x = pd.read_csv(intake_dir / "reference" / csv).to_numpy(dtype=float)
    ours = little_mcar(x)
    r = ref[case]
    assert (ours.df, ours.n, ours.n_patterns) == (r["df"], r["n"], r["n_patterns"])
    assert ours.chisq == pytest.approx(r["chisq"], rel=RTOL)
    assert ours.pvalue == pytest.approx(r["pvalue"], rel=RTOL)
    est = em_mvn(x)
    np.testing.assert_allclose(est.mean, r["em_mean"], rtol=RTOL)
    np.testing.assert_allclose(est.cov, np.array(r["em_cov"]), rtol=RTOL)


def test_mar_case_rejects_mcar_and_mcar_case_does_not(ref):
    assert ref["mcar_mar"]["pvalue"] < 0.001 < 0.05 < ref["mcar_mcar"]["pvalue"]

"""Reference: fitting from summary statistics (lavaan's sample.cov / sample.nobs / sample.mean).

Numbers from lavaan 0.6-14 (``tests/fixtures/sumstats/`` and ``tests/fixtures/next/sumstats_more``,
made by the R scripts kept beside them). The files are read as a user gives them
(``semxhs.survey.matrices.load_summary``): full and lower-triangle covariance matrices,
correlations + SDs at full precision and rounded to 3 decimals, means for a mean structure.
Tolerances as the other reference tests: est 1e-3 relative, SE 2%, std.all 2e-3, chi-square /
AIC / BIC 0.1%, fit indices 2e-3 (observed agreement ~1e-6).
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from reference_cases import FIXTURES

from semxhs.sem.model import fit
from semxhs.survey.matrices import load_summary

pytestmark = pytest.mark.reference

HS = FIXTURES / "sumstats" / "hs1939_cfa_sumstats"
PD = FIXTURES / "next" / "sumstats_more"


def _check(res, ref: dict) -> None:
    fitref = ref["fit"]
    for key in ("chisq", "aic", "bic", "logl", "unrestricted_logl", "baseline_chisq"):
        assert getattr(res.fit, key) == pytest.approx(fitref[key], rel=1e-3), key
    for key in ("cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr"):
        assert getattr(res.fit, key) == pytest.approx(fitref[key], abs=2e-3), key
    assert res.fit.df == fitref["df"]
    assert res.fit.npar == fitref["npar"]
    checked = 0
    for p in ref.get("parameters", []):
        ours = res.parameter(p["lhs"], p["op"], p["rhs"])
        assert ours.est == pytest.approx(p["est"], rel=1e-3, abs=1e-6), (p["lhs"], p["op"], p["rhs"])
        if p["se"]:
            assert ours.se == pytest.approx(p["se"], rel=0.02), (p["lhs"], p["op"], p["rhs"])
        if p["std_all"] is not None and not math.isnan(p["std_all"]):
            assert ours.std_all == pytest.approx(p["std_all"], abs=2e-3)
        checked += 1
    assert checked == len(ref.get("parameters", []))


REF_HS = json.loads((HS / "lavaan.json").read_text())


@pytest.mark.parametrize("files,key", [
    ({"cov": "cov_full.csv"}, "from_cov"),
    ({"cov": "cov_lower.csv"}, "from_cov"),
    ({"cor": "cor_full.csv", "sd": "sd.csv"}, "from_cor_sd"),
    ({"cor": "cor_lower.csv", "sd": "sd.csv"}, "from_cor_sd"),
    ({"cor": "cor_lower_3dp.csv", "sd": "sd_3dp.csv"}, "from_cor_sd_3dp"),
])
def test_hs1939_from_summary_statistics_matches_lavaan(files, key):
    summary = load_summary(nobs=301, **{k: HS / v for k, v in files.items()})
    res = fit((HS / "model.lav").read_text(), sample_cov=summary.cov, sample_nobs=summary.nobs)
    _check(res, REF_HS[key])


def test_hs1939_fit_from_cov_equals_the_raw_data_fit():
    summary = load_summary(nobs=301, cov=HS / "cov_full.csv")
    res = fit((HS / "model.lav").read_text(), sample_cov=summary.cov, sample_nobs=301)
    _check(res, REF_HS["raw_data_fit"])  # lavaan keeps only the fit measures of the raw-data fit


REF_PD = json.loads((PD / "lavaan.json").read_text())


def test_poldem_from_cov_matches_lavaan_and_the_raw_data():
    summary = load_summary(nobs=75, cov=PD / "cov_full.csv")
    res = fit((PD / "model.lav").read_text(), sample_cov=summary.cov, sample_nobs=75)
    _check(res, REF_PD["a_cov"])
    raw = fit((PD / "model.lav").read_text(), pd.read_csv(PD / "data.csv"))
    assert raw.fit.chisq == pytest.approx(res.fit.chisq, rel=1e-9)


def test_poldem_from_rounded_correlations_and_sds_matches_lavaan():
    summary = load_summary(nobs=75, cor=PD / "cor_lower_3dp.csv", sd=PD / "sd_3dp.csv")
    res = fit((PD / "model.lav").read_text(), sample_cov=summary.cov, sample_nobs=75)
    _check(res, REF_PD["b_cor_sd_3dp"])


def test_poldem_with_means_matches_lavaan_meanstructure():
    summary = load_summary(nobs=75, cov=PD / "cov_full.csv", means=PD / "means.csv")
    res = fit((PD / "model.lav").read_text(), sample_cov=summary.cov, sample_nobs=75, sample_mean=summary.mean)
    ref = REF_PD["c_cov_means"]
    assert any(p["op"] == "~1" for p in ref["parameters"])
    _check(res, ref)

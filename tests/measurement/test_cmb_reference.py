"""Reference tests of the common-method-bias checks against lavaan 0.6-14 and R.

The numbers come from ``tests/fixtures/cmb/make_reference.R`` (committed beside its
output ``reference.json``; it also writes ``demo_marker.csv``, the demo responses plus
three simulated marker items MK1–MK3). Tolerance: 1e-5 relative (fit measures, Δχ²,
method-variance share, standardized estimates without the method factor, VIFs, marker
statistics), 1e-4 for p values and for the standardized estimates and loadings of the
method model (two of its three reference solutions are improper); the one model lavaan itself cannot
identify (demo, free method loadings: its information matrix has an eigenvalue of
~1e-13) is checked for being reported as such, and for its χ².
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from semxhs.measurement.cmb import full_collinearity, marker_variable, ulmc
from semxhs.sem.model import fit

FIX = Path(__file__).resolve().parents[1] / "fixtures"
ROOT = FIX.parents[1]
REF = json.loads((FIX / "cmb" / "reference.json").read_text(encoding="utf-8"))
REL = 1e-5

DEMO_BLOCKS = {"PI": ["PI1", "PI2", "PI3", "PI4"], "TR": ["TR1", "TR2", "TR3", "TR4"], "PU": ["PU1", "PU2", "PU3"]}
HS_BLOCKS = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}


def _case(name: str) -> tuple[str, pd.DataFrame, dict[str, list[str]]]:
    if name.startswith("demo"):
        return ((ROOT / "models" / "trust_purchase.lav").read_text(encoding="utf-8"),
                pd.read_csv(FIX / "cmb" / "demo_marker.csv"), DEMO_BLOCKS)
    return ((FIX / "shared" / "hs1939_cfa" / "model.lav").read_text(encoding="utf-8"),
            pd.read_csv(FIX / "shared" / "hs1939_cfa" / "data.csv"), HS_BLOCKS)


def _close(ours: float, theirs: float, rel: float = REL, absolute: float = 1e-7) -> bool:
    return math.isclose(ours, theirs, rel_tol=rel, abs_tol=absolute)


@pytest.fixture(scope="module")
def ulmc_results() -> dict[str, object]:
    out = {}
    for name, ref in REF["ulmc"].items():
        text, data, blocks = _case(name)
        out[name] = ulmc(fit(text, data), data, blocks, loadings=ref["loadings"], model=text)
    return out


@pytest.mark.parametrize("name", ["demo_equal", "hs1939_free", "hs1939_equal"])
def test_ulmc_fit_matches_lavaan(name: str, ulmc_results: dict) -> None:
    """Reference: lavaan's fit of both models, the LRT (anova) and the method-variance share."""
    ref, res = REF["ulmc"][name], ulmc_results[name]
    assert res.syntax.splitlines()[-3:] == ref["model"].splitlines()[-3:]
    for model, theirs in (("baseline", ref["baseline"]["fit"]), ("method", ref["ulmc"]["fit"])):
        ours = getattr(res, model)
        for key in ("chisq", "cfi", "tli", "rmsea", "srmr"):
            assert _close(getattr(ours, key), theirs[key]), (name, model, key, getattr(ours, key), theirs[key])
        assert ours.df == theirs["df"]
    diff = ref["difference"]
    assert res.difference is not None
    assert _close(res.difference.delta_chisq, diff["chisq"]) and res.difference.delta_df == diff["df"]
    assert _close(res.difference.pvalue, diff["pvalue"], rel=1e-4)
    assert _close(res.method_variance_share, ref["ulmc"]["method_variance_share"])
    assert _close(res.delta_cfi, ref["ulmc"]["fit"]["cfi"] - ref["baseline"]["fit"]["cfi"], absolute=1e-6)


@pytest.mark.parametrize("name", ["demo_equal", "hs1939_free", "hs1939_equal"])
def test_ulmc_structural_changes_match_lavaan(name: str, ulmc_results: dict) -> None:
    """Reference: every standardized structural estimate (regressions, factor covariances, := effects)."""
    ref, res = REF["ulmc"][name], ulmc_results[name]
    before = {(r["lhs"], r["op"], r["rhs"]): r["std_all"] for r in ref["baseline_structural"]}
    after = {(r["lhs"], r["op"], r["rhs"]): r["std_all"] for r in ref["ulmc"]["structural"]}
    ours = {(c.lhs, c.op, c.rhs): c for c in res.changes}
    assert set(ours) == set(before) == set(after)
    for key, change in ours.items():
        assert _close(change.std_all_without, before[key], absolute=1e-6), (name, key)
        assert _close(change.std_all_with, after[key], rel=1e-4, absolute=1e-5), (name, key, change.std_all_with,
                                                                                 after[key])
    loadings = {r["item"]: r["std_all"] for r in ref["ulmc"]["method_loadings"]}
    for m in res.method_loadings:
        assert _close(m.std_all, loadings[m.item], rel=1e-4, absolute=1e-5)


def test_ulmc_improper_and_unidentified_are_reported(ulmc_results: dict) -> None:
    """Reference: what lavaan warns about, our fit reports (never a clean bill of health)."""
    assert "ov variances are negative" in " ".join(REF["ulmc"]["hs1939_free"]["ulmc"]["warnings"])
    assert ulmc_results["hs1939_free"].method.improper
    assert "heywood" in {w.code for w in ulmc_results["hs1939_free"].method.warning_codes}
    assert "not positive definite" in " ".join(REF["ulmc"]["hs1939_equal"]["ulmc"]["warnings"])
    assert "latent_cov_not_pd" in {w.code for w in ulmc_results["hs1939_equal"].method.warning_codes}
    ref = REF["ulmc"]["demo_free"]["ulmc"]
    assert ref["min_information_eigenvalue"] < 1e-10 and "not" in ref["warnings"][0]  # lavaan: not identified
    ours = ulmc_results["demo_free"].method
    assert not ours.trustworthy
    assert "singular_information" in {w.code for w in ours.warning_codes}
    assert _close(ours.chisq, ref["fit"]["chisq"], rel=1e-5)
    assert ulmc_results["demo_equal"].method.trustworthy


@pytest.mark.parametrize("name", ["demo_smallest", "demo_second", "demo_item"])
def test_marker_variable_matches_r(name: str) -> None:
    """Reference: cor.test and Lindell & Whitney's r_A and t computed in R."""
    ref = REF["marker"][name]
    data = pd.read_csv(FIX / "cmb" / "demo_marker.csv")
    res = marker_variable(data, DEMO_BLOCKS, ref["marker"], rule=ref["rule"])
    assert res.n == ref["n"]
    assert _close(res.r_m, ref["r_m"])
    for k, v in ref["marker_correlations"].items():
        assert _close(res.marker_correlations[k], v)
    theirs = {(p["lhs"], p["rhs"]): p for p in ref["pairs"]}
    assert {(p.lhs, p.rhs) for p in res.pairs} == set(theirs)
    for p in res.pairs:
        t = theirs[(p.lhs, p.rhs)]
        for key in ("r", "t", "r_adj", "t_adj"):
            assert _close(getattr(p, key), t[key]), (name, p.lhs, p.rhs, key)
        for key in ("pvalue", "pvalue_adj"):
            assert _close(getattr(p, key), t[key], rel=1e-4, absolute=1e-300)


@pytest.mark.parametrize("name", ["demo", "hs1939"])
def test_full_collinearity_matches_lm(name: str) -> None:
    """Reference: R ``lm`` of each construct score (item mean) on all the others, VIF = 1/(1 − R²)."""
    _, data, blocks = _case(name)
    res = full_collinearity(data, blocks)
    ref = REF["full_collinearity"][name]
    assert [r.construct for r in res.rows] == list(ref)
    for r in res.rows:
        assert _close(r.r2, ref[r.construct]["r2"]) and _close(r.vif, ref[r.construct]["vif"])
    assert res.above == ()

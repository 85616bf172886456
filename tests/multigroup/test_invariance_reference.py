"""Reference tests of the invariance ladder against lavaan's ``lavTestLRT`` tables (lavaan 0.6-14).

``comparisons`` of tests/fixtures/shared_next/hs1939_invariance_school (ML, four levels),
tests/fixtures/next/mg_cfa_sex_ml (ML, four levels), mg_three_groups (ML, three groups; lavaan's table stops at
scalar) and mg_mlr (MLR: chisq_diff is the Satorra-Bentler 2001 scaled difference); ``latent_means_scalar``
(group 2... latent means, group 1 fixed at 0). Tolerance: 1e-3 relative (absolute below 1); decisions by rule
on the lavaan numbers.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from reference_cases import FIXTURES

from semxhs.sem.invariance import decide, invariance

CASES = [
    ("school", FIXTURES / "shared_next" / "hs1939_invariance_school", "ML"),
    ("sex", FIXTURES / "next" / "mg_cfa_sex_ml", "ML"),
    ("three", FIXTURES / "next" / "mg_three_groups", "ML"),
    ("mlr", FIXTURES / "next" / "mg_mlr", "MLR"),
]
KEYS = ("df", "aic", "bic", "chisq", "chisq_diff", "df_diff", "pvalue", "rmsea_diff", "cfi", "rmsea", "srmr",
        "delta_cfi", "delta_rmsea", "delta_srmr")


@pytest.fixture(scope="module", params=CASES, ids=[c[0] for c in CASES])
def case(request):
    _, folder, estimator = request.param
    ref = json.loads((folder / "lavaan.json").read_text(encoding="utf-8"))
    res = invariance((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"), ref["group_var"],
                     estimator=estimator, partial_search=False)
    return ref, res.to_dict()


@pytest.mark.reference
def test_comparisons_agree_with_lavtestlrt(case):
    ref, out = case
    assert [r["model"] for r in out["comparisons"]][: len(ref["comparisons"])] == [r["model"] for r in ref["comparisons"]]
    for got, want in zip(out["comparisons"], ref["comparisons"]):
        assert got["vs"] == want["vs"]
        for key in KEYS:
            if want[key] is None:
                assert got[key] is None, (want["model"], key)
            else:
                assert got[key] == pytest.approx(want[key], rel=1e-3, abs=1e-3 if abs(want[key]) < 1 else 0), \
                    (want["model"], key)


@pytest.mark.reference
def test_latent_means_of_the_scalar_model_agree_with_lavaan(case):
    ref, out = case
    for want in ref["latent_means_scalar"]:
        got = next(r for r in out["latent_means"] if r["lhs"] == want["lhs"] and r["group"] == want["group"])
        assert got["group_label"] == want["group_label"]
        for key in ("est", "se", "std_all"):
            assert got[key] == pytest.approx(want[key], rel=0.02 if key == "se" else 1e-3, abs=1e-4), (want["lhs"], key)


def test_decisions_follow_the_stated_rules():
    row = {"vs": "metric", "delta_cfi": -0.0384516558961893, "delta_rmsea": 0.0145345622209594,
           "delta_srmr": 0.0107954747889911, "pvalue": 4.43e-07}
    assert decide("scalar", row, "chen2007")["holds"] is False  # dCFI and dSRMR over the cutoffs
    assert [c["ok"] for c in decide("scalar", row, "chen2007")["checks"]] == [False, True, False]
    assert decide("scalar", {**row, "delta_cfi": -0.005}, "cheung2002")["holds"] is True
    assert decide("scalar", row, "lrt")["holds"] is False
    metric = {"vs": "configural", "delta_cfi": -0.0025, "delta_rmsea": -0.004, "delta_srmr": 0.025, "pvalue": 0.22}
    assert decide("metric", metric, "chen2007")["holds"] is True  # .030 for loadings
    assert decide("scalar", {**metric, "vs": "metric"}, "chen2007")["holds"] is False  # .010 for intercepts


def test_school_ladder_stops_at_metric(tmp_path):
    folder = FIXTURES / "shared_next" / "hs1939_invariance_school"
    out = tmp_path / "inv.json"
    proc = subprocess.run([sys.executable, "-m", "semxhs", "invariance", str(folder / "model.lav"),
                           str(folder / "data.csv"), "--group", "school", "--json", str(out), "-q"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["highest_level"] == "metric"
    assert [d["holds"] for d in doc["decisions"]] == [True, False, True]
    assert set(doc["models"]) == {"configural", "metric", "scalar", "strict"}


@pytest.mark.reference
def test_partial_scalar_level_agrees_with_lavaan():
    """``partial_scalar`` of hs1939_invariance_school: ``group.partial = "x3~1"`` on the scalar model."""
    folder = FIXTURES / "shared_next" / "hs1939_invariance_school"
    ref = json.loads((folder / "lavaan.json").read_text(encoding="utf-8"))["partial_scalar"]
    res = invariance((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"), "school",
                     group_partial=("x3~1",))
    scalar = res.to_dict()["models"]["scalar"]["fit"]
    assert scalar["df"] == ref["fit"]["df"]
    assert scalar["chisq"] == pytest.approx(ref["fit"]["chisq"], rel=1e-3)
    row = next(r for r in res.comparisons if r["model"] == "scalar")
    want = ref["lrt_vs_metric"][-1]
    assert row["chisq_diff"] == pytest.approx(want["chisq_diff"], rel=1e-3)
    assert row["df_diff"] == want["df_diff"]

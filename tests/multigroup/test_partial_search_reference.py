"""Reference tests of the partial-invariance search against lavaan's steps (lavaan 0.6-14).

tests/fixtures/next/mg_partial_search: lavaan's ``lavTestScore`` on the scalar model, the intercept with the
largest univariate X2 freed by ``group.partial``, refit, repeated (u2~1, u7~1, u4~1). semxhs stops as soon as
the criteria hold; every step it takes must be lavaan's (same parameter, same X2, same refit).
hs1939_invariance_school: the scalar model's score tests in the JSON and the first freed intercept (x3~1).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from semxhs.sem.invariance import invariance
from tests.reference_cases import FIXTURES

TOL = 2e-3


@pytest.mark.reference
def test_partial_search_follows_lavaans_steps():
    folder = FIXTURES / "next" / "mg_partial_search"
    ref = json.loads((folder / "lavaan.json").read_text(encoding="utf-8"))
    out = invariance((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"), ref["group_var"]).to_dict()
    assert [d["holds"] for d in out["decisions"]] == [True, False, True]
    partial = out["partial"]
    assert partial["level"] == "scalar" and partial["vs"] == "metric"
    assert 1 <= len(partial["steps"]) <= partial["limit"] == 4  # 8 intercepts: min(5, 8 // 2)
    for ours, step in zip(partial["steps"], ref["steps"][1:]):
        assert ours["freed"] == step["freed_this_step"]
        assert ours["group_partial"] == step["group_partial"]
        prev = ref["steps"][step["step"] - 1]
        assert ours["X2"] == pytest.approx(prev["next_to_free_X2"], rel=TOL)
        for key in ("chisq", "df", "cfi", "rmsea", "srmr"):
            assert ours["fit"][key] == pytest.approx(step["fit"][key], rel=1e-3, abs=1e-4), key
        want = step["lrt_vs_metric"][-1]
        for key in ("chisq_diff", "df_diff", "pvalue", "delta_cfi", "delta_rmsea", "delta_srmr"):
            assert ours["comparison"][key] == pytest.approx(want[key], rel=1e-3, abs=1e-4), key
    # the search stops at the first step whose refit meets Chen (2007) against the metric model
    assert partial["holds"] is True
    assert [s["decision"]["holds"] for s in partial["steps"]] == [False] * (len(partial["steps"]) - 1) + [True]
    final = ref["steps"][len(partial["steps"])]
    assert out["latent_means_model"] == "partial_scalar"
    for want in final["latent_means"]:
        got = next(r for r in out["latent_means"] if r["lhs"] == want["lhs"] and r["group"] == want["group"])
        for key in ("est", "se", "z", "std_all"):
            assert got[key] == pytest.approx(want[key], rel=2e-2 if key in ("se", "z") else 1e-3, abs=1e-4), key


@pytest.mark.reference
def test_invariance_json_carries_the_scalar_score_tests():
    folder = FIXTURES / "shared_next" / "hs1939_invariance_school"
    ref = json.loads((folder / "lavaan.json").read_text(encoding="utf-8"))
    out = invariance((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"), "school").to_dict()
    st = out["score_tests"]
    assert st["total"]["X2"] == pytest.approx(ref["score_tests_scalar"]["total"]["X2"], rel=TOL)
    assert st["total"]["df"] == 15
    want = {r["parameter"]: r["X2"] for r in ref["score_tests_scalar"]["univariate"]}
    assert {r["parameter"]: pytest.approx(r["X2"], rel=TOL, abs=TOL) for r in st["univariate"]} == want
    assert out["partial"]["steps"][0]["freed"] == ref["partial_scalar"]["freed"] == "x3~1"
    step1 = out["partial"]["steps"][0]
    assert step1["fit"]["chisq"] == pytest.approx(ref["partial_scalar"]["fit"]["chisq"], rel=1e-3)
    assert step1["comparison"]["chisq_diff"] == pytest.approx(ref["partial_scalar"]["lrt_vs_metric"][-1]["chisq_diff"],
                                                              rel=1e-3)

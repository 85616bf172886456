"""LRT of equal structural paths across groups (hs1939_mg_mediation_school, lavaan 0.6-14 lavTestLRT)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from semxhs.sem.model import fit
from semxhs.sem.path_equality import equal_path_table, path_equality_lrt
from tests.reference_cases import FIXTURES

CASE = FIXTURES / "shared_next" / "hs1939_mg_mediation_school"


@pytest.mark.reference
def test_equal_paths_refit_agrees_with_lavaan():
    ref = json.loads((CASE / "lavaan.json").read_text(encoding="utf-8"))
    data = pd.read_csv(CASE / "data.csv")
    free = fit((CASE / "model_free.lav").read_text(), data, group="school", group_equal=("loadings",))
    table = free.state.partable
    for lhs, rhs in (("textual", "visual"), ("speed", "textual"), ("speed", "visual")):
        table = equal_path_table(table, lhs, rhs)
    equal = fit(table, data, group="school")
    want = ref["lrt_equal_paths"][1]
    assert equal.fit.df == want["df"]
    assert equal.fit.chisq == pytest.approx(want["chisq"], rel=1e-3)
    assert equal.fit.chisq - free.fit.chisq == pytest.approx(want["chisq_diff"], rel=1e-3)
    rows = path_equality_lrt(free, data, "school")
    assert [(r["lhs"], r["rhs"]) for r in rows] == [(w["lhs"], w["rhs"]) for w in free.extra["path_equality"]]
    for r, w in zip(rows, free.extra["path_equality"]):
        assert r["df_diff"] == 1 and r["converged"]
        # one path: the LRT and the Wald test are asymptotically equal; here within 25%
        assert r["chisq_diff"] == pytest.approx(w["X2"], rel=0.25, abs=0.1)

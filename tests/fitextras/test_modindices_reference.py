"""Reference tests: modification indices and score tests against lavaan 0.6-14.

``modindices(fit, sort. = TRUE)`` with lavaan's defaults for the HS1939 CFA
(``tests/fixtures/fitextras/hs1939_cfa_modindices``, all 54 rows) and the single-group cases of
``tests/fixtures/next/modindices_more`` ((a) PoliticalDemocracy SEM, 77 rows; (b) observed path
model with fixed.x covariates, 30 rows), and ``lavTestScore(fit)`` for (d) (user ``==``
constraints), and more model shapes made by ``tests/fixtures/fitextras/modindices_extra/make_ref.R``
(std.lv, meanstructure, latent regressions, MLR, FIML with and without a shared label). Rows are joined on lhs/op/rhs (ties may come in any order). Tolerance: MI 2e-3
(absolute or relative), EPC and its standardized versions 1e-4 absolute or 2e-3 relative.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from semxhs.errors import SpecError
from semxhs.sem.model import fit
from semxhs.sem.modindices import modindices, score_tests

FIX = Path(__file__).parents[1] / "fixtures"
MORE = FIX / "next" / "modindices_more"
EXTRA = FIX / "fitextras" / "modindices_extra"  # made by make_ref.R in that folder


def _compare(table: pd.DataFrame, ref_rows: list[dict]) -> None:
    ours = {(r["lhs"], r["op"], r["rhs"]): r for r in table.to_dict("records")}
    assert len(ours) == len(ref_rows)
    wrong = []
    for r in ref_rows:
        key = (r["lhs"], r["op"], r["rhs"])
        row = ours.get(key)
        assert row is not None, key
        for col in ("mi", "epc", "sepc_lv", "sepc_all", "sepc_nox"):
            if r[col] is None:
                continue
            tol = 2e-3 if col == "mi" else 1e-4
            if not math.isclose(row[col], r[col], rel_tol=2e-3, abs_tol=tol):
                wrong.append((key, col, row[col], r[col]))
    assert not wrong
    assert list(table["mi"]) == sorted(table["mi"], reverse=True)
    assert list(table.columns) == ["lhs", "op", "rhs", "mi", "epc", "sepc_lv", "sepc_all", "sepc_nox"]


@pytest.mark.reference
def test_modindices_hs1939_cfa() -> None:
    folder = FIX / "fitextras" / "hs1939_cfa_modindices"
    ref = json.loads((folder / "lavaan.json").read_text())
    res = fit((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"))
    table = modindices(res)
    _compare(table, ref["modindices"])
    assert tuple(table.iloc[0][["lhs", "op", "rhs"]]) == ("visual", "=~", "x9")


@pytest.mark.reference
@pytest.mark.parametrize("case,model,data", [
    ("a_poldem_no_rescov", "model_a_poldem.lav", "data_a_poldem.csv"),
    ("b_path_fixed_x", "model_b_path.lav", "data_b_path.csv"),
])
def test_modindices_more(case: str, model: str, data: str) -> None:
    ref = json.loads((MORE / "lavaan.json").read_text())[case]
    res = fit((MORE / model).read_text(), pd.read_csv(MORE / data))
    _compare(modindices(res), ref["modindices"])


@pytest.mark.reference
def test_modindices_mlr_equals_ml() -> None:
    """lavaan's modindices use the expected information and the ML score under MLR too."""
    folder = FIX / "fitextras" / "hs1939_cfa_modindices"
    ref = json.loads((folder / "lavaan.json").read_text())
    res = fit((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"), estimator="MLR")
    _compare(modindices(res), ref["modindices"])


@pytest.mark.reference
def test_score_tests_user_constraints() -> None:
    ref = json.loads((MORE / "lavaan.json").read_text())["d_score_user_constraints"]["score_tests"]
    res = fit((MORE / "model_d_poldem_eq.lav").read_text(), pd.read_csv(MORE / "data_a_poldem.csv"))
    st = score_tests(res)
    assert st.X2 == pytest.approx(ref["total"]["X2"], rel=2e-3)
    assert st.df == ref["total"]["df"]
    assert st.pvalue == pytest.approx(ref["total"]["pvalue"], abs=2e-3)
    rows = {(r["lhs"], r["rhs"]): r for r in st.to_frame().to_dict("records")}
    for r in ref["univariate"]:
        ours = rows[(r["lhs"], r["rhs"])]
        assert ours["X2"] == pytest.approx(r["X2"], rel=2e-3, abs=2e-3)
        assert ours["pvalue"] == pytest.approx(r["pvalue"], abs=2e-3)
        assert ours["lhs_parameter"] == r["lhs_parameter"]
        assert ours["rhs_parameter"] == r["rhs_parameter"]
    cumulative = json.loads((MORE / "lavaan.json").read_text())["d_score_user_constraints"]["score_cumulative"]
    cum = score_tests(res, cumulative=True).cumulative
    assert [(c.lhs, c.rhs, c.df) for c in cum] == [(r["lhs"], r["rhs"], r["df"]) for r in cumulative]
    for c, r in zip(cum, cumulative):
        assert c.X2 == pytest.approx(r["X2"], rel=2e-3) and c.pvalue == pytest.approx(r["pvalue"], abs=2e-3)


def test_score_tests_refuse_model_without_constraints() -> None:
    folder = FIX / "fitextras" / "hs1939_cfa_modindices"
    res = fit((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"))
    with pytest.raises(SpecError, match="no equality constraints"):
        score_tests(res)


@pytest.mark.reference
@pytest.mark.parametrize("case", ["fiml", "fiml_equal"])
def test_modindices_fiml(case: str) -> None:
    """``missing = "ml"``: casewise gradient and the missing-data expected information, as lavaan."""
    ref = json.loads((EXTRA / "lavaan.json").read_text())[case]
    res = fit(ref["model"], pd.read_csv(EXTRA / ref["data"]), missing="fiml")
    assert res.fit.chisq == pytest.approx(ref["chisq"], rel=1e-6)
    _compare(modindices(res), ref["modindices"])
    if "score_tests" in ref:
        st = score_tests(res)
        assert st.X2 == pytest.approx(ref["score_tests"]["total"]["X2"], rel=2e-3)
        uni = ref["score_tests"]["univariate"][0]
        assert (st.univariate[0].lhs, st.univariate[0].rhs) == (uni["lhs"], uni["rhs"])  # lavaan's .pN. labels
        assert st.univariate[0].X2 == pytest.approx(uni["X2"], rel=2e-3)




@pytest.mark.reference
@pytest.mark.parametrize("case,options,syntax", [
    ("std_lv", {"std_lv": True}, ""),
    ("meanstructure", {}, "x1 ~ 1"),  # lavaan's meanstructure = TRUE
    ("sem_latent_paths", {}, ""),
    ("mlr", {"estimator": "MLR"}, ""),
    ("path_fixed_x", {}, ""),
    ("mimic", {}, ""),
])
def test_modindices_model_shapes(case: str, options: dict, syntax: str) -> None:
    ref = json.loads((EXTRA / "lavaan.json").read_text())[case]
    res = fit(ref["model"] + "\n" + syntax, pd.read_csv(EXTRA / "data_hs.csv"), **options)
    assert res.fit.chisq == pytest.approx(ref["chisq"], rel=1e-6)
    _compare(modindices(res), ref["modindices"])

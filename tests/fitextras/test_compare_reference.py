"""Reference tests: nested-model comparison against lavaan 0.6-14's ``lavTestLRT``.

Case ``tests/fixtures/next/compare_lrt`` (non-normal simulated data, N 400): ``model_free`` ⊃
``model_base`` ⊃ ``model_equal``, fitted with ML (standard LRT, RMSEA of the difference) and MLR
(Satorra–Bentler 2001 scaled difference, lavaan's default). Tolerance 1e-4 relative (fit 1e-3).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from semxhs.errors import SpecError
from semxhs.sem.compare import compare_models
from semxhs.sem.model import fit

CASE = Path(__file__).parents[1] / "fixtures" / "next" / "compare_lrt"
REF = json.loads((CASE / "lavaan.json").read_text())


def _fits(estimator: str) -> dict:
    data = pd.read_csv(CASE / "data.csv")
    return {name: fit((CASE / f"model_{name}.lav").read_text(), data, estimator=estimator)
            for name in ("free", "base", "equal")}


def _check(table: pd.DataFrame, ref_rows: list[dict], rmsea: bool) -> None:
    assert list(table["model"]) == [r["model"] for r in ref_rows]
    for ours, ref in zip(table.to_dict("records"), ref_rows):
        for key in ("df", "aic", "bic", "chisq", "chisq_diff", "df_diff", "pvalue"):
            if ref[key] is None:
                assert ours[key] is None or pd.isna(ours[key])
            else:
                assert ours[key] == pytest.approx(ref[key], rel=1e-4, abs=1e-9), key
        if rmsea and ref.get("rmsea") is not None:
            assert ours["rmsea_diff"] == pytest.approx(ref["rmsea"], rel=1e-4)


@pytest.mark.reference
@pytest.mark.parametrize("estimator,key,rmsea", [("ML", "ml", True), ("MLR", "mlr", False)])
def test_lrt_three_models(estimator: str, key: str, rmsea: bool) -> None:
    fits = _fits(estimator)
    cmp = compare_models(fits)
    _check(cmp.to_frame(), REF[key]["lavTestLRT"]["default"]["three_models"], rmsea)
    assert cmp.method == ("standard" if estimator == "ML" else "satorra.bentler.2001")
    # given in the other order, the same table (sorted by df)
    two = compare_models({"base": fits["base"], "free": fits["free"]})
    _check(two.to_frame(), REF[key]["lavTestLRT"]["default"]["base_vs_free"], rmsea)


@pytest.mark.reference
def test_delta_cfi_is_this_minus_previous() -> None:
    fits = _fits("ML")
    table = compare_models(fits).to_frame()
    models = REF["ml"]["models"]
    assert table.loc[1, "delta_cfi"] == pytest.approx(models["base"]["fit"]["cfi"] - models["free"]["fit"]["cfi"],
                                                      abs=1e-6)


def test_refuses_equal_df_and_different_variables() -> None:
    data = pd.read_csv(CASE / "data.csv")
    a = fit("f1 =~ v1 + v2 + v3 + v4\nf2 =~ v5 + v6 + v7 + v8\nv1 ~~ v5", data)
    b = fit("f1 =~ v1 + v2 + v3 + v4\nf2 =~ v5 + v6 + v7 + v8\nv2 ~~ v6", data)
    with pytest.raises(SpecError, match="same degrees of freedom"):
        compare_models({"a": a, "b": b})
    c = fit("f1 =~ v1 + v2 + v3 + v4", data)
    with pytest.raises(SpecError, match="different observed variables"):
        compare_models({"a": a, "c": c})
    other = data.copy()
    other["v1"] = other["v1"].sample(frac=1.0, random_state=1).to_numpy()
    d = fit("f1 =~ v1 + v2 + v3 + v4\nf2 =~ v5 + v6 + v7 + v8", other)
    with pytest.raises(SpecError, match="different data"):
        compare_models({"a": a, "d": d})


def test_compare_cli_json_and_error(tmp_path: Path) -> None:
    out = tmp_path / "cmp.json"
    run = subprocess.run([sys.executable, "-m", "semxhs", "compare", str(CASE / "model_base.lav"),
                          str(CASE / "model_free.lav"), str(CASE / "data.csv"), "--estimator", "mlr",
                          "--json", str(out)], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    doc = json.loads(out.read_text())
    assert doc["method"] == "satorra.bentler.2001"
    ref = REF["mlr"]["lavTestLRT"]["default"]["base_vs_free"][1]
    assert doc["comparisons"][1]["chisq_diff"] == pytest.approx(ref["chisq_diff"], rel=1e-4)
    bad = tmp_path / "other.lav"
    bad.write_text("f1 =~ v1 + v2 + v3 + v4\n")
    run = subprocess.run([sys.executable, "-m", "semxhs", "compare", str(CASE / "model_base.lav"), str(bad),
                          str(CASE / "data.csv"), "--json", str(tmp_path / "x.json")],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 2
    assert run.stderr.startswith("semxhs: error: ") and run.stderr.count("\n") == 1
    assert not (tmp_path / "x.json").exists()

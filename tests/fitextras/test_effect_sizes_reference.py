"""Reference tests: Cohen's f² (by refitting without each path) and VIF against lavaan 0.6-14.

Cases: ``tests/fixtures/fitextras/poldem_sem_effect_sizes`` (PoliticalDemocracy; one negative f²)
and ``tests/fixtures/next/effect_sizes_more`` (three correlated latent predictors; f² of f3
slightly negative). lavaan's numbers: ``lavInspect(fit, "rsquare")`` of the full fit and of one
refit per path with ``0*x``; VIF from ``lavInspect(fit, "cov.all")``.
Tolerance: R² 1e-5 absolute, f² 1e-3 relative (or 1e-5 absolute), VIF 1e-4 relative.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from semxhs.sem.effect_sizes import effect_sizes
from semxhs.sem.model import fit

FIX = Path(__file__).parents[1] / "fixtures"
CASES = [FIX / "fitextras" / "poldem_sem_effect_sizes", FIX / "next" / "effect_sizes_more"]


@pytest.mark.reference
@pytest.mark.parametrize("folder", CASES, ids=lambda p: p.name)
def test_effect_sizes_against_lavaan(folder: Path) -> None:
    ref = json.loads((folder / "lavaan.json").read_text())
    res = fit((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"))
    table = effect_sizes(res)
    assert list(table.columns)[:6] == ["outcome", "predictor", "r2_full", "r2_without", "f2", "vif"]
    rows = {(r["outcome"], r["predictor"]): r for r in table.to_dict("records")}
    assert len(rows) == len(ref["f2"])
    for r in ref["f2"]:
        ours = rows[(r["outcome"], r["predictor"])]
        assert ours["converged"]
        assert ours["r2_full"] == pytest.approx(r["r2_full"], abs=1e-5)
        expected_without = 0.0 if abs(r["r2_without"]) < 1e-12 else r["r2_without"]
        assert ours["r2_without"] == pytest.approx(expected_without, abs=1e-5)
        assert ours["f2"] == pytest.approx(r["f2"], rel=1e-3, abs=1e-5)
    for v in ref["vif"]:
        assert rows[(v["outcome"], v["predictor"])]["vif"] == pytest.approx(v["vif"], rel=1e-4)


@pytest.mark.reference
def test_negative_f2_is_reported_not_clipped() -> None:
    folder = CASES[0]
    table = effect_sizes(fit((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv")))
    row = table[(table["outcome"] == "dem65") & (table["predictor"] == "ind60")].iloc[0]
    assert row["f2"] < 0
    sole = table[(table["outcome"] == "dem60")].iloc[0]
    assert sole["r2_without"] == 0.0 and sole["vif"] == 1.0


@pytest.mark.reference
def test_effect_sizes_fiml() -> None:
    """Refits under FIML (``missing = "ml"``): tests/fixtures/fitextras/effect_sizes_fiml/make_ref.R."""
    folder = FIX / "fitextras" / "effect_sizes_fiml"
    ref = json.loads((folder / "lavaan.json").read_text())
    res = fit((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"), missing="fiml")
    assert res.fit.chisq == pytest.approx(ref["chisq"], rel=1e-5)
    rows = {(r["outcome"], r["predictor"]): r for r in effect_sizes(res).to_dict("records")}
    for r in ref["f2"]:
        ours = rows[(r["outcome"], r["predictor"])]
        assert ours["r2_full"] == pytest.approx(r["r2_full"], abs=1e-5)
        assert ours["r2_without"] == pytest.approx(0.0 if abs(r["r2_without"]) < 1e-12 else r["r2_without"],
                                                   abs=1e-5)
        assert ours["f2"] == pytest.approx(r["f2"], rel=1e-3, abs=1e-5)

"""Reference tests: the AMOS-style fit set against lavaan 0.6-14's ``fitMeasures``.

Cases: ``tests/fixtures/fitextras/{hs1939_cfa_modindices,poldem_sem_effect_sizes}`` (copied from
``/work/shared/reference-next``) and the five models of ``tests/fixtures/next/amos_fit_more``.
Tolerance: 1e-5 relative (the fit tolerance of the project is 1e-3).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from semxhs.sem.model import fit

FIX = Path(__file__).parents[1] / "fixtures"
AMOS_KEYS = ("chisq", "df", "gfi", "agfi", "pgfi", "nfi", "rfi", "ifi", "pnfi", "rmr", "rmr_nomean", "srmr",
             "cn_05", "cn_01", "ecvi", "mfi", "npar", "logl", "unrestricted_logl")
# growth() = meanstructure, observed intercepts fixed at 0, latent intercepts free (lavaan's growth())
EXTRA_SYNTAX = {
    "cfa_meanstructure_hs": "x1 ~ 1",
    "growth_meanstructure": "t1 ~ 0*1\nt2 ~ 0*1\nt3 ~ 0*1\nt4 ~ 0*1\ni ~ 1\ns ~ 1",
}


def _check(fit_dict: dict, ref: dict) -> None:
    wrong = []
    for key in AMOS_KEYS:
        if key not in ref or ref[key] is None:
            continue
        ours = fit_dict.get(key)
        if ours is None or not math.isclose(ours, ref[key], rel_tol=1e-5, abs_tol=1e-9):
            wrong.append((key, ours, ref[key]))
    assert not wrong
    assert fit_dict["chisq_df_ratio"] == pytest.approx(ref["chisq"] / ref["df"], rel=1e-6)


@pytest.mark.reference
@pytest.mark.parametrize("case", ["hs1939_cfa_modindices", "poldem_sem_effect_sizes"])
def test_fit_amos_shared_cases(case: str) -> None:
    folder = FIX / "fitextras" / case
    ref = json.loads((folder / "lavaan.json").read_text())
    res = fit((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"))
    _check(res.fit.to_dict(), ref["fit_amos"])


@pytest.mark.reference
@pytest.mark.parametrize("case", ["cfa_poldem", "sem_rescov_hs", "path_fixed_x_hs", "cfa_meanstructure_hs",
                                  "growth_meanstructure"])
def test_fit_amos_more(case: str) -> None:
    folder = FIX / "next" / "amos_fit_more"
    ref = json.loads((folder / "lavaan.json").read_text())[case]
    text = (folder / f"model_{case}.lav").read_text() + "\n" + EXTRA_SYNTAX.get(case, "")
    res = fit(text, pd.read_csv(folder / ref["data_file"]))
    _check(res.fit.to_dict(), ref["fit_amos"])


@pytest.mark.reference
def test_fit_amos_mlr_uses_standard_chisq() -> None:
    """Under MLR the AMOS set is that of the ML fit (lavaan computes it from the standard test)."""
    folder = FIX / "fitextras" / "hs1939_cfa_modindices"
    ref = json.loads((folder / "lavaan.json").read_text())
    res = fit((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"), estimator="MLR")
    _check(res.fit.to_dict(), ref["fit_amos"])


@pytest.mark.reference
@pytest.mark.parametrize("case", ["std_lv", "meanstructure", "sem_latent_paths", "mlr", "path_fixed_x", "mimic",
                                  "fiml", "fiml_equal"])
def test_fit_amos_model_shapes(case: str) -> None:
    """Made by tests/fixtures/fitextras/modindices_extra/make_ref.R; FIML: lavaan's GFI weighs the
    available-case moments by the missing-data patterns' expected information."""
    folder = FIX / "fitextras" / "modindices_extra"
    ref = json.loads((folder / "lavaan.json").read_text())[case]
    options = {"std_lv": {"std_lv": True}, "mlr": {"estimator": "MLR"}, "fiml": {"missing": "fiml"},
               "fiml_equal": {"missing": "fiml"}}.get(case, {})
    text = ref["model"] + ("\nx1 ~ 1" if case == "meanstructure" else "")
    res = fit(text, pd.read_csv(folder / ref["data"]), **options)
    _check(res.fit.to_dict(), ref["fit_amos"])


@pytest.mark.reference
@pytest.mark.parametrize("case,options", [
    ("fixed_x_true", {}), ("fixed_x_false", {"fixed_x": False}),
    ("fixed_x_true_meanstructure", {"meanstructure": True}),
    ("fixed_x_false_meanstructure", {"fixed_x": False, "meanstructure": True}),
])
def test_fit_amos_fixed_x(case: str, options: dict) -> None:
    """tests/fixtures/next/fixed_x_false: with fixed.x = FALSE no moment weighs 0 in GFI (lavaan)."""
    folder = FIX / "next" / "fixed_x_false"
    ref = json.loads((folder / "lavaan.json").read_text())[case]["fit"]
    res = fit((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"), **options)
    _check(res.fit.to_dict(), ref)

"""Reference test: ``fixed.x = FALSE`` against lavaan 0.6-14 (tests/fixtures/next/fixed_x_false, make_refs.R).

``sem(model, data, fixed.x = TRUE/FALSE[, meanstructure = TRUE])``: with FALSE the covariates' (co)variances are free parameters with
standard errors; chisq, df and the baseline model are the same as with TRUE; npar, logl, AIC and BIC differ.
Tolerances: est 1e-3 relative, se 2%, std_all 2e-3, fit 1e-3 (relative for chisq/logl/aic/bic).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from reference_cases import FIXTURES

from semxhs.sem.model import fit

CASE = FIXTURES / "next" / "fixed_x_false"


@pytest.fixture(scope="module")
def ref():
    return json.loads((CASE / "lavaan.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(CASE / "data.csv")


MODEL = (CASE / "model.lav").read_text(encoding="utf-8")


@pytest.mark.reference
@pytest.mark.parametrize("key,fixed_x,meanstructure", [
    ("fixed_x_false", False, False), ("fixed_x_true", True, False),
    ("fixed_x_false_meanstructure", False, True), ("fixed_x_true_meanstructure", True, True)])
def test_fixed_x_agrees_with_lavaan(ref, data, key, fixed_x, meanstructure):
    block = ref[key]
    out = fit(MODEL, data, fixed_x=fixed_x, meanstructure=meanstructure).to_dict()
    got = out["fit"]
    for k in ("df", "npar", "baseline_df"):
        assert got[k] == block["fit"][k], k
    for k in ("chisq", "logl", "unrestricted_logl", "aic", "bic", "baseline_chisq"):
        assert got[k] == pytest.approx(block["fit"][k], rel=1e-3), k
    for k in ("cfi", "tli", "rmsea", "srmr"):
        assert got[k] == pytest.approx(block["fit"][k], abs=1e-3), k
    assert len(out["parameters"]) == len(block["parameters"])
    for p in block["parameters"]:
        g = next(r for r in out["parameters"] if (r["lhs"], r["op"], r["rhs"]) == (p["lhs"], p["op"], p["rhs"]))
        assert g["est"] == pytest.approx(p["est"], rel=1e-3, abs=1e-8), (p["lhs"], p["op"], p["rhs"])
        assert g["se"] == pytest.approx(p["se"], rel=0.02, abs=1e-8), (p["lhs"], p["op"], p["rhs"])
        assert g["std_all"] == pytest.approx(p["std_all"], abs=2e-3), (p["lhs"], p["op"], p["rhs"])


@pytest.mark.reference
def test_covariates_are_free_only_without_fixed_x(data):
    free = fit(MODEL, data, fixed_x=False).parameter("age", "~~", "edu")
    fixed = fit(MODEL, data).parameter("age", "~~", "edu")
    assert free.free and free.se > 0
    assert not fixed.free and fixed.se == 0

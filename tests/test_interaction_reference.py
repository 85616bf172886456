"""Reference test: a latent interaction written ``Y ~ X + W + X:W`` against lavaan.

lavaan fitted the product-indicator model (matched pairs, double mean centering,
semTools::indProd) given in the case's JSON (``lavaan_model``); semxhs builds the same
indicators and model from the user's ``X:W``. Tolerances as tests/test_fit_reference.py.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from semxhs.study.pipeline import AnalysisOptions, analyse
from tests.reference_cases import FIXTURES

CASE = FIXTURES / "shared" / "latent_interaction"


@pytest.fixture(scope="module")
def result():
    from semxhs.study.config import Hypothesis

    return analyse((CASE / "model.lav").read_text(), pd.read_csv(CASE / "data.csv"), AnalysisOptions(measurement=False),
                   hypotheses=(Hypothesis("H1", "W strengthens X -> Y", "Y ~ X:W", "+"),),
                   title="t", language="en", data_file=CASE / "data.csv", model_file="m")


@pytest.mark.reference
def test_latent_interaction_agrees_with_lavaan(result):
    ref = json.loads((CASE / "lavaan.json").read_text())
    rows = {(p.lhs, p.op, p.rhs): p for p in result.sem.parameters}
    for p in ref["parameters"]:
        got = rows.get((p["lhs"], p["op"], p["rhs"])) or rows.get((p["rhs"], p["op"], p["lhs"]))
        assert got is not None, p
        assert got.est == pytest.approx(p["est"], rel=1e-3, abs=1e-6)
        if p["se"]:
            assert got.se == pytest.approx(p["se"], rel=0.02)
        assert got.std_all == pytest.approx(p["std_all"], abs=2e-3)
    for key in ("chisq", "aic", "bic"):
        assert getattr(result.sem.fit, key) == pytest.approx(ref["fit"][key], rel=1e-3)
    for key in ("cfi", "tli", "rmsea", "srmr"):
        assert getattr(result.sem.fit, key) == pytest.approx(ref["fit"][key], abs=2e-3)
    assert result.sem.fit.df == ref["fit"]["df"]


def test_interaction_hypothesis_and_note(result):
    (h,) = result.hypotheses
    assert h.path == "Y ~ X:W" and h.supported and h.est == pytest.approx(0.3775, abs=1e-3)
    assert any("latent product XW" in n for n in result.notes)

"""Reference tests: KMO and Bartlett's sphericity test against R psych 2.2.9.

Numbers from tests/fixtures/measurement/factorability/factorability.json, written by
``make_factorability.R`` beside it (``psych::KMO(x)``, ``psych::cortest.bartlett(cor(x),
n = nrow(x))``) on the demo survey's 11 items, five of them, and the HS1939 items.
Tolerances: KMO 1e-10 absolute, χ² 1e-10 relative (same linear algebra), p-value 1e-12 absolute.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from semxhs.measurement.factorability import bartlett_sphericity, kmo

pytestmark = pytest.mark.reference

ROOT = Path(__file__).resolve().parents[2]
REF = json.loads((ROOT / "tests/fixtures/measurement/factorability/factorability.json").read_text())
CASES = [k for k in REF if isinstance(REF[k], dict)]


@pytest.mark.parametrize("case", CASES)
def test_kmo_and_bartlett_equal_psych(case):
    ref = REF[case]
    data = pd.read_csv(ROOT / ref["file"])[ref["items"]].dropna()
    assert len(data) == ref["n"]
    k = kmo(data)
    assert k.overall == pytest.approx(ref["kmo"]["overall"], abs=1e-10)
    assert k.items == pytest.approx(ref["kmo"]["items"], abs=1e-10)
    b = bartlett_sphericity(data)
    assert b.chisq == pytest.approx(ref["bartlett"]["chisq"], rel=1e-10)
    assert b.df == ref["bartlett"]["df"]
    assert b.pvalue == pytest.approx(ref["bartlett"]["pvalue"], abs=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_kmo_and_bartlett_equal_factor_analyzer(case):
    """The same statistics from factor_analyzer, the Python library of the field (kept as an
    independent check; it is not imported by semxhs itself because it pulls in scikit-learn)."""
    fa = pytest.importorskip("factor_analyzer.factor_analyzer")
    ref = REF[case]
    data = pd.read_csv(ROOT / ref["file"])[ref["items"]].dropna()
    items, overall = fa.calculate_kmo(data)
    chisq, pvalue = fa.calculate_bartlett_sphericity(data)
    k = kmo(data)
    b = bartlett_sphericity(data)
    assert k.overall == pytest.approx(float(overall), abs=1e-10)
    assert list(k.items.values()) == pytest.approx(list(items), abs=1e-10)
    assert b.chisq == pytest.approx(float(chisq), rel=1e-10)
    assert b.pvalue == pytest.approx(float(pvalue), abs=1e-12)

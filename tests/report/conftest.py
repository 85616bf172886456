"""Fixtures of the report tests: the poldem SEM (Bollen, 1989) fitted once, wrapped as studies."""

from __future__ import annotations

import pandas as pd
import pytest

from semxhs.sem.model import fit
from semxhs.sem.results import SemResult
from semxhs.study.results import StudyResult
from tests.report.report_helpers import POLDEM, make_study


@pytest.fixture(scope="session")
def poldem() -> SemResult:
    model = (POLDEM / "model.lav").read_text(encoding="utf-8")
    return fit(model, pd.read_csv(POLDEM / "data.csv"))


@pytest.fixture(scope="session")
def study_en(poldem: SemResult) -> StudyResult:
    return make_study(poldem, "en")


@pytest.fixture(scope="session")
def study_zh(poldem: SemResult) -> StudyResult:
    return make_study(poldem, "zh")

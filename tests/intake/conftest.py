"""Fixtures of the intake tests: the files written by tests/fixtures/intake/make_fixtures.py."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from semxhs.survey.instrument import Instrument, load_instrument

INTAKE = Path(__file__).resolve().parents[1] / "fixtures" / "intake"


@pytest.fixture(scope="session")
def intake_dir() -> Path:
    return INTAKE


@pytest.fixture(scope="session")
def instrument() -> Instrument:
    return load_instrument(INTAKE / "instrument.yaml")


@pytest.fixture(scope="session")
def coded() -> pd.DataFrame:
    """The coded truth every reader must reproduce."""
    return pd.read_csv(INTAKE / "coded.csv", encoding="utf-8")


@pytest.fixture(scope="session")
def planted() -> dict[str, list[int]]:
    return json.loads((INTAKE / "planted.json").read_text(encoding="utf-8"))

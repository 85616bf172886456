"""Fixtures of the PROCESS tests; the helpers live in ``process_helpers``."""

from __future__ import annotations

import pytest

from tests.process.process_helpers import load_case


@pytest.fixture(scope="session")
def model1_case():
    return load_case("process_model1")


@pytest.fixture(scope="session")
def model4_case():
    return load_case("process_model4")


@pytest.fixture(scope="session")
def model7_case():
    return load_case("process_model7")

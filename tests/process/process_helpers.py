"""Helpers of the PROCESS tests: fixture loading and a small data simulator.

A module with its own name (not ``conftest``) so that imports cannot pick up another
folder's conftest."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "process"


def load_case(name: str) -> tuple[pd.DataFrame, dict, dict]:
    """Data, spec and reference of a copied shared case (``process_model1`` ...)."""
    folder = FIXTURES / name
    data = pd.read_csv(folder / "data.csv")
    spec = json.loads((folder / "spec.json").read_text())
    ref = json.loads((folder / "reference.json").read_text())
    return data, spec, ref


def simulate(population: Mapping[str, Mapping[str, float]], n: int, seed: int,
             exogenous: tuple[str, ...] = ("X", "W", "Z", "C")) -> pd.DataFrame:
    """Draw exogenous N(0, 1) variables, then each outcome in order as
    ``sum(coef * product of the term's variables) + N(0, 1)``; terms are ``"X:W"`` names."""
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({v: rng.normal(size=n) for v in exogenous})
    for outcome, terms in population.items():
        value = rng.normal(size=n)
        for term, coef in terms.items():
            part = np.ones(n)
            for v in term.split(":"):
                part = part * data[v].to_numpy()
            value = value + coef * part
        data[outcome] = value
    return data

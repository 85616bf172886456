"""Shared helpers of the SEM bootstrap and mediation tests."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "bootstrap"


def load_case(name: str) -> dict:
    """Model text, data, lavaan output (and, when present, the replayed resamples) of one case."""
    folder = FIXTURES / name
    case = {
        "name": name,
        "model": (folder / "model.lav").read_text(encoding="utf-8"),
        "data": pd.read_csv(folder / "data.csv"),
        "ref": json.loads((folder / "lavaan.json").read_text(encoding="utf-8")),
    }
    if (folder / "lavaan_resamples.json").exists():
        case["resamples"] = json.loads((folder / "lavaan_resamples.json").read_text(encoding="utf-8"))
        case["indices"] = np.loadtxt(folder / "resample_indices.csv.gz", delimiter=",", dtype=np.int64)
    return case


def simulate_mediation(rng: np.random.Generator, n: int, a: float, b: float, c: float) -> pd.DataFrame:
    """X -> M -> Y with unit-variance normal X and errors: M = aX + e, Y = bM + cX + e."""
    x = rng.standard_normal(n)
    m = a * x + rng.standard_normal(n)
    y = b * m + c * x + rng.standard_normal(n)
    return pd.DataFrame({"X": x, "M": m, "Y": y})

"""Shared helpers of the reference tests: loading lavaan cases and joining their rows to ours."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def load_case(folder: Path) -> dict:
    """Model text, data path, lavaan output and options of one reference case."""
    options = folder / "options.json"
    return {
        "name": folder.name,
        "model": (folder / "model.lav").read_text(encoding="utf-8"),
        "data": folder / "data.csv",
        "ref": json.loads((folder / "lavaan.json").read_text(encoding="utf-8")),
        "options": json.loads(options.read_text()) if options.exists() else {},
    }




def match_parameter(out: dict, p: dict) -> dict | None:
    """The row of our JSON ``out`` that a lavaan row ``p`` describes.

    Joined on (lhs, op, rhs), ``~~`` in either order, ``:=`` rows on their label.
    """
    for g in out["parameters"]:
        if p["op"] == ":=":
            if g["op"] == ":=" and g["label"] == p["label"]:
                return g
        elif g["op"] == p["op"] and (
            (g["lhs"], g["rhs"]) == (p["lhs"], p["rhs"])
            or (p["op"] == "~~" and (g["lhs"], g["rhs"]) == (p["rhs"], p["lhs"]))
        ):
            return g
    return None

"""Shared helpers of the test suite."""

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



"""The report's fit extras in English and Chinese: AMOS-style rows in the fit table with their
cut-offs and sources, the effect-size table (f², VIF) and the ten largest modification indices with
the caution sentence and the score tests (regression tests of our own wording and layout)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from semxhs.report.context import build_context
from semxhs.sem.extras import with_extras
from semxhs.sem.model import fit
from semxhs.study.results import StudyResult

MORE = Path(__file__).parents[1] / "fixtures" / "next" / "modindices_more"


@pytest.fixture(scope="module")
def sem():
    res = fit((MORE / "model_d_poldem_eq.lav").read_text(), pd.read_csv(MORE / "data_a_poldem.csv"))
    return with_extras(res, modindices=True, effect_sizes=True)


def _ctx(sem, language: str) -> dict:
    return build_context(StudyResult("Demo", language, sem, (), "d.csv", "m.lav", "0" * 64, "0.1.0"))


def _table(ctx: dict, table_id: str) -> dict:
    for s in ctx["sections"]:
        for t in s["tables"]:
            if t["id"] == table_id:
                return t
    raise KeyError(table_id)


@pytest.mark.regression
def test_fit_table_has_amos_rows_with_cutoffs(sem) -> None:
    ctx = _ctx(sem, "en")
    rows = {r["cells"][0]: r["cells"][1:] for r in _table(ctx, "table-fit")["rows"]}
    assert rows["GFI"] == [".892", "≥ .90", "Not met"]
    assert rows["AGFI"] == [".822", "≥ .90 good; ≥ .80 acceptable", "Acceptable"]
    assert rows["Hoelter's CN (α = .05)"] == ["79", "≥ 200", "Not met"]
    assert rows["IFI"][1:] == ["≥ .90", "Met"]
    assert rows["ECVI"][2] == "—"
    note = " ".join(_table(ctx, "table-fit")["notes"])
    assert "Hoelter, 1983" in note and "Carmines & McIver, 1981" in note and "Bentler & Bonett, 1980" in note
    assert any(ref.startswith("Hoelter, J. W. (1983)") for ref in ctx["references"])
    zh = {r["cells"][0]: r["cells"][1:] for r in _table(_ctx(sem, "zh"), "table-fit")["rows"]}
    assert zh["AGFI"] == [".822", "≥ .90 良好；≥ .80 可接受", "可接受"]


@pytest.mark.regression
def test_effect_size_table(sem) -> None:
    ctx = _ctx(sem, "en")
    table = _table(ctx, "table-effect-sizes")
    cells = [r["cells"] for r in table["rows"]]
    assert cells[0][:5] == ["dem60 ← ind60", ".202", ".000", "0.253", "Medium"]
    assert [c[4] for c in cells] == ["Medium", "Small", "Large"]
    assert [c[6] for c in cells] == ["Good", "Good", "Good"]
    assert "Cohen, 1988" in table["notes"][0] and "< 3.3" in table["notes"][0]
    zh = _table(_ctx(sem, "zh"), "table-effect-sizes")
    assert [r["cells"][4] for r in zh["rows"]] == ["中", "小", "大"]


@pytest.mark.regression
def test_modindices_section_shows_ten_with_caution(sem) -> None:
    ctx = _ctx(sem, "en")
    section = next(s for s in ctx["sections"] if s["id"] == "modindices")
    assert "one parameter at a time" in section["paragraphs"][0] and "theory" in section["paragraphs"][0]
    rows = _table(ctx, "table-modindices")["rows"]
    assert len(rows) == 10 and rows[0]["cells"][:2] == ["y6 ~~ y8", "8.72"]
    score = _table(ctx, "table-score-tests")["rows"]
    assert score[0]["cells"][2:] == ["2.97", "3", ".396"]
    assert score[2]["cells"][:2] == ["l3 == m3", "dem60=~y3 = dem65=~y7"]
    zh = next(s for s in _ctx(sem, "zh")["sections"] if s["id"] == "modindices")
    assert "每次只修改一个参数" in zh["paragraphs"][0] and "理论" in zh["paragraphs"][0]


def test_sections_absent_without_extras() -> None:
    res = fit((MORE / "model_a_poldem.lav").read_text(), pd.read_csv(MORE / "data_a_poldem.csv"))
    ids = [s["id"] for s in _ctx(res, "en")["sections"]]
    assert "modindices" not in ids and "effect-sizes" not in ids

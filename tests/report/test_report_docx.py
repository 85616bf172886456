"""The Word report, read back with python-docx: tables, Chinese headers and fonts, three-line rules."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from semxhs.report.docx import CJK_BODY_FONT, write_docx
from semxhs.sem.results import SemResult
from semxhs.study.results import StudyResult

from .report_helpers import TODAY, make_study


def _open(study: StudyResult, path: Path) -> docx.document.Document:
    written = write_docx(study, path, today=TODAY)
    assert written == path and path.stat().st_size > 10_000
    return docx.Document(str(path))


def _plain(text: str) -> str:
    """Cell text with the non-breaking spaces and hyphens the writer ties numbers with undone."""
    return text.replace("\u00a0", " ").replace("\u2011", "-")


def _headers(document: docx.document.Document) -> list[list[str]]:
    return [[_plain(c.text) for c in t.rows[0].cells] for t in document.tables]


def test_chinese_docx(study_zh: StudyResult, tmp_path: Path) -> None:
    document = _open(study_zh, tmp_path / "out" / "报告.docx")
    headers = _headers(document)
    assert len(document.tables) == 8
    assert headers[0] == ["指标", "数值", "判断标准", "评价"]
    assert headers[1] == ["潜变量", "题项", "非标准化载荷", "SE", "标准化载荷", "p"]
    assert "假设内容" in headers[5] and "检验结果" in headers[5]
    fit_rows = {_plain(r.cells[0].text): _plain(r.cells[1].text) for r in document.tables[0].rows}
    assert fit_rows["CFI"] == ".995" and fit_rows["RMSEA [90% 置信区间]"] == ".035 [.000, .092]"
    results = [r.cells[-1].text for r in document.tables[5].rows[1:]]
    assert results == ["支持", "支持", "不支持", "支持"]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "工业化与政治民主" in text and "表 1  模型整体拟合指标" in text and "注：" in text
    assert "Hu 和 Bentler（1999）" in text


def test_east_asian_fonts(study_zh: StudyResult, tmp_path: Path) -> None:
    document = _open(study_zh, tmp_path / "zh.docx")
    normal = document.styles["Normal"].element.rPr
    assert normal.rFonts.get(qn("w:eastAsia")) == CJK_BODY_FONT
    assert normal.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    cell_run = document.tables[0].rows[0].cells[0].paragraphs[0].runs[0]
    assert cell_run.text == "指标"
    assert cell_run._r.rPr.rFonts.get(qn("w:eastAsia")) == CJK_BODY_FONT
    assert cell_run._r.rPr.rFonts.get(qn("w:ascii")) == "Times New Roman"


def test_three_line_tables(study_en: StudyResult, tmp_path: Path) -> None:
    document = _open(study_en, tmp_path / "en.docx")
    for table in document.tables:
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        edges = {child.tag.split("}")[1]: child.get(qn("w:val")) for child in borders}
        assert edges == {"top": "single", "left": "nil", "bottom": "single", "right": "nil",
                         "insideH": "nil", "insideV": "nil"}
        for cell in table.rows[0].cells:
            bottom = cell._tc.tcPr.find(qn("w:tcBorders")).find(qn("w:bottom"))
            assert bottom.get(qn("w:val")) == "single"
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        for row in table.rows[1:]:
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None
            tc_pr = row.cells[0]._tc.tcPr
            assert tc_pr is None or tc_pr.find(qn("w:tcBorders")) is None


def test_english_docx_content(study_en: StudyResult, tmp_path: Path) -> None:
    document = _open(study_en, tmp_path / "en.docx")
    headers = _headers(document)
    assert headers[2][0] == "Path (outcome ← predictor)"
    measurement = [[_plain(c.text) for c in r.cells] for r in document.tables[1].rows]
    assert measurement[1] == ["ind60", "x1", "1.000 (fixed)", "—", ".920", "—"]
    text = [p.text for p in document.paragraphs]
    assert "Table 1" in text and "Global Fit Indices of the Model" in text
    assert any(t.startswith("Note. χ² = chi-square") for t in text)
    assert document.core_properties.title == "Industrialization and Political Democracy"


def test_docx_warnings(poldem: SemResult, tmp_path: Path) -> None:
    bad = dataclasses.replace(poldem, converged=False, warnings=("optimizer stopped",))
    document = _open(make_study(bad, "en"), tmp_path / "bad.docx")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "did not converge" in text and "optimizer stopped" in text
    assert text.index("did not converge") < text.index("Table 1")


def test_docx_overwrite_leaves_no_temp_file(study_en: StudyResult, tmp_path: Path) -> None:
    target = tmp_path / "r.docx"
    write_docx(study_en, target, today=TODAY)
    write_docx(study_en, target, today=TODAY)
    assert [p.name for p in tmp_path.iterdir()] == ["r.docx"]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_docx_matches_html_context(request: pytest.FixtureRequest, language: str, tmp_path: Path) -> None:
    """Every table cell of the Word file is the string the context holds (no re-computation)."""
    from semxhs.report.context import build_context

    study: StudyResult = request.getfixturevalue(f"study_{language}")
    ctx = build_context(study, today=TODAY)
    document = _open(study, tmp_path / f"{language}.docx")
    expected = [[[c["label"] for c in t["columns"]], *[r["cells"] for r in t["rows"]]]
                for s in ctx["sections"] for t in s["tables"]]
    actual = [[[_plain(c.text) for c in r.cells] for r in t.rows] for t in document.tables]
    assert actual == expected

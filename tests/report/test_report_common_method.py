"""The common-method-bias section (id ``cmb``) in HTML, Word, LaTeX and Markdown, English and Chinese.

Behaviour tests of the rendering; the numbers themselves are checked against lavaan/R in
``tests/measurement/test_cmb_reference.py``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from semxhs.report.context import build_context
from semxhs.report.latex import render_latex
from semxhs.report.markdown import render_markdown
from semxhs.report.render import render_html
from semxhs.study.pipeline import AnalysisOptions, fit_files
from semxhs.study.results import StudyResult

from .report_helpers import TODAY

ROOT = Path(__file__).resolve().parents[2]
CITES = ("Podsakoff et al., 2003", "Lindell & Whitney, 2001", "Kock, 2015")


@pytest.fixture(scope="module")
def demo() -> StudyResult:
    return fit_files(ROOT / "models" / "trust_purchase.lav", ROOT / "tests" / "fixtures" / "cmb" / "demo_marker.csv",
                     AnalysisOptions(htmt_draws=0, marker=("MK1", "MK2", "MK3")))  # equal method loadings


def _section(result: StudyResult) -> dict:
    return next(s for s in build_context(result, today=TODAY)["sections"] if s["id"] == "cmb")


def test_section_tables_and_sentences_en(demo: StudyResult) -> None:
    s = _section(demo)
    assert [t["id"] for t in s["tables"]] == ["table-cmb", "table-cmb-ulmc", "table-cmb-ulmc-changes",
                                             "table-cmb-marker", "table-cmb-vif"]
    text = " ".join(s["paragraphs"])
    for cite in CITES:
        assert cite in text
    assert "Zhou & Long, 2004" in text
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text)  # no CJK in the English text: pdflatex sets it
    assert "Δχ²(1) = 2.04, p = .153" in text  # lavaan's anova(): 2.0419, p = .1530
    assert text.count("What it shows") == 2
    changes = s["tables"][2]["rows"]
    assert changes[0]["cells"][0] == "TR ← PI"
    assert any(r.startswith("Zhou, H., & Long, L. (2004). Statistical remedies for common method biases")
               for r in s["references"])
    assert "no common-method bias" not in text.lower()  # no verdict: each test says what it shows


def test_section_zh_and_every_format(demo: StudyResult, tmp_path: Path) -> None:
    zh = dataclasses.replace(demo, language="zh")
    s = _section(zh)
    assert s["title"] == "共同方法偏差"
    text = " ".join(s["paragraphs"])
    assert "周浩, 龙立荣, 2004" in text and "控制未测单一方法潜因子法" in text and "标记变量法" in text
    assert any(r.startswith("周浩, 龙立荣. (2004). 共同方法偏差的统计检验与控制方法") for r in s["references"])
    html = render_html(zh, today=TODAY)
    assert 'id="cmb"' in html and "共同方法偏差" in html and "table-cmb-ulmc" in html
    md = render_markdown(zh, today=TODAY)
    assert "## 共同方法偏差" in md and "构念得分的完全共线性 VIF" in md
    tex = render_latex(zh, today=TODAY)
    assert "共同方法偏差" in tex and "Lindell" in tex
    from docx import Document

    from semxhs.report.docx import write_docx

    path = write_docx(demo, tmp_path / "r.docx", today=TODAY)
    body = "\n".join(p.text for p in Document(str(path)).paragraphs)
    cells = {c.text for t in Document(str(path)).tables for r in t.rows for c in r.cells}
    assert "Common-method bias" in body and "(Kock, 2015)" in body and "Kock (2015)" in cells
    assert "With method factor" in cells and "2.04" in cells


def test_not_identified_method_model_is_said_so() -> None:
    r = fit_files(ROOT / "models" / "trust_purchase.lav", ROOT / "tests" / "fixtures" / "cmb" / "demo_marker.csv",
                  AnalysisOptions(htmt_draws=0, ulmc_loadings="free"))
    s = _section(r)
    text = " ".join(s["paragraphs"])
    assert "did not converge or is not identified" in text and "(free loadings)" in text
    assert s["tables"][1]["rows"][1]["cells"][0] == "With method factor†"
    assert "No marker variable was declared" in text


def test_english_latex_compiles_with_pdflatex(demo: StudyResult, tmp_path: Path) -> None:
    """The English section has no CJK text, so pdflatex sets it (the Chinese one needs xelatex + xeCJK)."""
    import shutil
    import subprocess

    from semxhs.report.latex import render_latex_context
    from semxhs.report.markdown import figure_files

    if shutil.which("pdflatex") is None:
        pytest.skip("no pdflatex on PATH (apt-get install texlive-latex-recommended)")
    context = build_context(demo, today=TODAY)
    (tmp_path / "r.tex").write_text(render_latex_context(context), encoding="utf-8")
    for name, data in figure_files(context, png=True):
        (tmp_path / name).write_bytes(data)
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "r.tex"], cwd=tmp_path,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stdout.decode("utf-8", "replace")[-2000:]


def test_switched_off_ulmc_is_said() -> None:
    r = fit_files(ROOT / "tests" / "fixtures" / "shared" / "hs1939_cfa" / "model.lav",
                  ROOT / "tests" / "fixtures" / "shared" / "hs1939_cfa" / "data.csv",
                  AnalysisOptions(htmt_draws=0, ulmc=False))
    s = _section(r)
    assert "The ULMC test was not run (switched off)." in s["paragraphs"]
    assert [t["id"] for t in s["tables"]] == ["table-cmb", "table-cmb-vif"]

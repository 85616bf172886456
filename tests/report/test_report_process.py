"""The PROCESS report: equations, probing, Johnson–Neyman, effects and inline SVG plots, in HTML and Word.

Cases: moderation (model 1: X = PI, W = CE, Y = VC) and moderated mediation (model 7:
X = PI, M = TR, W = CE, Y = PU), from ``tests/fixtures/process``. Numbers are checked
only as printed strings of the result (the statistics are tested in ``tests/process``).
"""

from __future__ import annotations

import dataclasses
import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import docx
import pandas as pd
import pytest

from semxhs.errors import SemxhsError
from semxhs.process import run_process
from semxhs.process.results import ProcessResult
from semxhs.report.context import build_context
from semxhs.report.docx import process_docx_bytes
from semxhs.report.process import build_process_context
from semxhs.report.render import inline_svg, process_plot_files, render_process_html
from semxhs.study.results import StudyResult
from tests.report.report_helpers import TODAY

PROCESS = Path(__file__).resolve().parents[1] / "fixtures" / "process"
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def model1() -> ProcessResult:
    data = pd.read_csv(PROCESS / "process_model1" / "data.csv")
    return run_process(data, 1, x="PI", y="VC", w="CE", boot=0)


@pytest.fixture(scope="module")
def model7() -> ProcessResult:
    data = pd.read_csv(PROCESS / "process_model7" / "data.csv")
    return run_process(data, 7, x="PI", y="PU", m=["TR"], w="CE", boot=500, seed=1)


def _svgs(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, re.S)


def _svg_text(svg: str) -> str:
    root = ET.fromstring(svg)
    return " ".join("".join(el.itertext()) for el in root.iter() if el.tag == f"{SVG_NS}text")


def _plain(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<svg\b.*?</svg>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _ids(page: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', page)


# --------------------------------------------------------------------------- moderation (model 1)

@pytest.mark.parametrize("language", ["en", "zh"])
def test_model1_report(model1: ProcessResult, language: str) -> None:
    page = render_process_html(model1, title="Moderation" if language == "en" else "调节效应", language=language,
                               today=TODAY)
    for sid in ("process-model", "process-equations", "process-interactions", "process-conditional", "process-jn"):
        assert f'<section id="{sid}">' in page, sid
    assert '<section id="process-effects">' not in page  # no mediator, no bootstrap: no effect tables
    ids = _ids(page)
    assert len(ids) == len(set(ids)), "duplicate ids"
    text = _plain(page)
    eq = model1.equation("VC")
    assert f"F({eq.df1}, {eq.df2})" in text and "PI × CE" in text
    jn_point = f"{model1.johnson_neyman[0].points[0]:.3f}"
    assert jn_point in text and (f"{jn_point} (J–N)" in text or f"{jn_point}（J–N）" in text)
    svgs = _svgs(page)
    assert len(svgs) == 4  # conceptual and statistical diagram, interaction and J-N plot
    assert "b3 = " in _svg_text(svgs[1]) and "PI × CE" in _svg_text(svgs[1])
    if language == "zh":
        assert "回归方程" in text and "交互作用检验" in text and "Johnson–Neyman 分析" in text
        assert "常数项" in text and "图 1" in text and "图 2" in text and "PROCESS 模型 1 概念图" in text
        assert "VC 预测值" in _svg_text(svgs[2]) and "PI 对 VC 的条件效应" in _svg_text(svgs[3])
    else:
        assert "Regression equations" in text and "Conditional effects at values of the moderator" in text
        assert "Conceptual Diagram of PROCESS Model 1" in text and "Statistical Diagram of PROCESS Model 1" in text
        assert "Predicted VC" in _svg_text(svgs[2]) and "Conditional effect of PI on VC" in _svg_text(svgs[3])


# --------------------------------------------------------------------------- moderated mediation (model 7)

@pytest.mark.parametrize("language", ["en", "zh"])
def test_model7_report(model7: ProcessResult, language: str) -> None:
    page = render_process_html(model7, title="Model 7", language=language, today=TODAY)
    for sid in ("process-model", "process-equations", "process-interactions", "process-conditional", "process-jn",
                "process-effects", "process-notes"):
        assert f'<section id="{sid}">' in page, sid
    text = _plain(page)
    # both equations, with their model summaries
    for outcome in ("TR", "PU"):
        eq = model7.equation(outcome)
        assert f"F({eq.df1}, {eq.df2}) = {eq.f:.2f}" in text
    # probing at the three percentiles of CE, each value printed
    for r in model7.conditional_effects:
        assert f"{dict(r.moderator_values)['CE']:.3f}" in text
    # indirect effects with bootstrap SE and CI; the index of moderated mediation
    index = model7.index_of_moderated_mediation[0]
    assert f"[{index.ci_lower:.3f}, {index.ci_upper:.3f}]" in text
    assert "PI → TR → PU" in text
    if language == "en":
        assert "Boot SE" in text and "500 draws, seed 1" in text
        assert "Index of Moderated Mediation" in text and "the indirect effect is moderated by CE" in text
        assert "Johnson–Neyman point(s): CE = 2.721" in text
    else:
        assert "被调节的中介指数" in text and "间接效应受 CE 调节" in text
        assert "Johnson–Neyman 点：CE = 2.721" in text and "500 次抽样" in text
    svgs = _svgs(page)
    assert len(svgs) == 4 and "<script" not in page
    for svg in svgs:
        ET.fromstring(svg)  # each inline figure is well-formed XML on its own


def test_plot_files(model7: ProcessResult) -> None:
    files = process_plot_files(model7, language="zh")
    assert sorted(files) == ["interaction_plot.svg", "johnson_neyman.svg"]
    for svg in files.values():
        assert svg.lstrip().startswith("<?xml") and ET.fromstring(svg.encode("utf-8")).tag == f"{SVG_NS}svg"
    assert "TR 预测值" in _svg_text(files["interaction_plot.svg"])
    # the file names the report prints are the ones returned
    page = render_process_html(model7, title="t", language="zh", today=TODAY)
    assert "图另存为 interaction_plot.svg。" in _plain(page)


def test_context_is_plain_json(model7: ProcessResult) -> None:
    import json

    ctx = build_process_context(model7, title="t", language="en", today=TODAY)
    assert json.loads(json.dumps(ctx, ensure_ascii=False)) == ctx
    captions = [t["caption"] for s in ctx["sections"] for t in s["tables"]]
    assert captions == [f"Table {i}" for i in range(1, len(captions) + 1)]
    refs = " ".join(ctx["references"])
    assert "Hayes, A. F. (2022)" in refs and "Hayes, A. F. (2015)" in refs and "Johnson, P. O., & Neyman" in refs


def test_process_options_shown(model7: ProcessResult) -> None:
    hc = dataclasses.replace(model7, options=dataclasses.replace(model7.options, hc=3, center="interaction",
                                                                  centered=("PI", "CE")),
                             n_dropped=2, dropped=(("TR", 2),))
    rows = {r["cells"][0]: r["cells"][1] for r in
            build_process_context(hc, title="t", language="en", today=TODAY)["sections"][0]["tables"][0]["rows"]}
    assert rows["Standard errors"] == "heteroscedasticity-consistent standard errors (HC3)"
    assert rows["Mean-centering"] == "Variables forming products: PI, CE"
    assert rows["Cases dropped"] == "2 (TR: 2)"
    assert rows["Bootstrap"] == "500 percentile bootstrap draws, seed 1"
    assert rows["Failed bootstrap draws"] == "0"


# --------------------------------------------------------------------------- inside a study report

@pytest.mark.slow
def test_study_report_carries_process_results(study_en: StudyResult, model1: ProcessResult,
                                              model7: ProcessResult) -> None:
    from semxhs.report.render import render_html

    study = dataclasses.replace(study_en, process=(model1, model7))
    ids = [s["id"] for s in build_context(study, today=TODAY)["sections"]]
    assert "process-1-equations" in ids and "process-2-effects" in ids and ids[0] == "warnings"
    page = render_html(study, today=TODAY)
    assert len(_svgs(page)) == 9  # the path diagram, and two diagrams and two plots of each analysis
    all_ids = _ids(page)
    assert len(all_ids) == len(set(all_ids)), "duplicate ids across the two analyses' figures"
    assert "PROCESS model 7 (analysis 2): Direct and indirect effects" in _plain(page)


# --------------------------------------------------------------------------- Word

@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.slow
def test_model7_docx(model7: ProcessResult, language: str, tmp_path: Path) -> None:
    path = tmp_path / f"process_{language}.docx"
    path.write_bytes(process_docx_bytes(model7, title="Model 7", language=language, today=TODAY))
    document = docx.Document(str(path))
    ctx = build_process_context(model7, title="Model 7", language=language, today=TODAY)
    expected = [[[c["label"] for c in t["columns"]], *[r["cells"] for r in t["rows"]]]
                for s in ctx["sections"] for t in s["tables"]]
    assert [[[c.text.replace("\u00a0", " ").replace("\u2011", "-") for c in r.cells] for r in t.rows] for t in document.tables] == expected
    text = "\n".join(p.text for p in document.paragraphs)
    if language == "zh":
        assert "图 3  调节变量不同取值下 PI 对 TR 的简单斜率" in text and "interaction_plot.svg" in text
        assert "表 1  PROCESS 分析的变量与选项" in text
    else:
        assert "Figure 4" in text and "johnson_neyman.svg" in text and "Index of Moderated Mediation" in text
        assert "Figure 1" in text and "process7_conceptual.svg" in text
    assert document.core_properties.title == "Model 7"
    # both diagrams and both plots are embedded as pictures (PNG), not placeholders
    assert len(document.inline_shapes) == 4
    assert "Insert ▸ Pictures" not in text and "插入 ▸ 图片" not in text


# --------------------------------------------------------------------------- the SVG gate

@pytest.mark.parametrize("bad,reason", [
    ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "script"),
    ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event handler"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
     '<use x:href="http://evil.example/a.svg#b"/></svg>', "links outside"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>', "foreignobject"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url(http://evil.example/x)"/></svg>', "outside"),
    ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"/>', "not an SVG"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>', "well-formed"),
    ("<html><body/></html>", "not an SVG"),
])
def test_inline_svg_refuses_active_content(bad: str, reason: str) -> None:
    with pytest.raises(SemxhsError, match=reason):
        inline_svg(bad, "fig")


def test_inline_svg_prefixes_ids(model1: ProcessResult) -> None:
    svg = process_plot_files(model1, language="en")["interaction_plot.svg"]
    out = str(inline_svg(svg, "figure-x"))
    assert out.startswith("<svg") and "<!DOCTYPE" not in out
    ids = re.findall(r'\sid="([^"]+)"', out)
    assert ids and all(i.startswith("figure-x-") for i in ids)
    for ref in re.findall(r"url\(#([^)]+)\)|href=\"#([^\"]+)\"", out):
        assert (ref[0] or ref[1]).startswith("figure-x-")

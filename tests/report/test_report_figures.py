"""Figures in Word: PNG versions of the plots (Chinese text needs a CJK font), embedded as pictures; the SVG gate."""

from __future__ import annotations

import base64
import dataclasses
import io
from pathlib import Path

import docx
import pandas as pd
import pytest

import semxhs.report.process as report_process
from semxhs.errors import ReportError, SemxhsError
from semxhs.process import run_process
from semxhs.process.results import ProcessResult
from semxhs.report.context import build_context
from semxhs.report.docx import docx_bytes, process_docx_bytes
from semxhs.report.figures import process_plots as plots
from semxhs.report.process import build_process_context
from semxhs.report.render import inline_svg
from semxhs.study.results import StudyResult
from tests.report.report_helpers import TODAY

PROCESS = Path(__file__).resolve().parents[1] / "fixtures" / "process"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def model1() -> ProcessResult:
    return run_process(pd.read_csv(PROCESS / "process_model1" / "data.csv"), 1, x="PI", y="VC", w="CE", boot=0)


def _png_dpi(png: bytes) -> float:
    from docx.image.image import Image

    return float(Image.from_blob(png).horz_dpi)


def test_png_plots(model1: ProcessResult) -> None:
    png = plots.interaction_plot_png(model1, x_label="感知互动性", y_label="购买意愿")
    assert png.startswith(PNG_MAGIC) and round(_png_dpi(png)) == plots.PNG_DPI
    assert plots.johnson_neyman_plot_png(model1, moderator_label="社群认同", dpi=100).startswith(PNG_MAGIC)


def test_png_leaves_matplotlib_settings_alone(model1: ProcessResult) -> None:
    import matplotlib

    before = dict(matplotlib.rcParams)
    plots.interaction_plot_png(model1, x_label="感知互动性", dpi=50)
    assert dict(matplotlib.rcParams) == before


def test_chinese_is_drawn_with_the_cjk_font(model1: ProcessResult, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a CJK font the Chinese label is drawn in it; without one the PNG differs (boxes) but is still made."""
    if plots.cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-noto-cjk)")
    with_font = plots.interaction_plot_png(model1, x_label="感知互动性", dpi=60)
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    without = plots.interaction_plot_png(model1, x_label="感知互动性", dpi=60)
    assert without.startswith(PNG_MAGIC) and without != with_font


def test_no_cjk_font_is_a_note_not_a_crash(model1: ProcessResult, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    monkeypatch.setattr(report_process, "cjk_font", lambda: None)
    zh = build_process_context(model1, title="调节", language="zh", today=TODAY)
    figures = [fig for s in zh["sections"] for fig in s["figures"]]
    assert figures and all(base64.b64decode(fig["png"]).startswith(PNG_MAGIC) for fig in figures)
    plots_zh = [fig for fig in figures if "diagram" not in fig["css"]]  # plots carry Chinese axis labels
    assert len(plots_zh) == 2 and all(any("未找到中文字体" in n for n in fig["notes"]) for fig in plots_zh)
    # the PROCESS diagrams draw only the (ASCII) variable names: no note
    diagrams = [fig for fig in figures if fig["css"] == "process-diagram"]
    assert len(diagrams) == 2 and not any("未找到中文字体" in n for fig in diagrams for n in fig["notes"])
    # English labels of ASCII variable names need no CJK font: no note
    en = build_process_context(model1, title="Moderation", language="en", today=TODAY)
    assert not any("No Chinese font" in n for s in en["sections"] for fig in s["figures"] for n in fig["notes"])


@pytest.mark.parametrize("language", ["en", "zh"])
def test_process_docx_embeds_pictures(model1: ProcessResult, language: str) -> None:
    document = docx.Document(io.BytesIO(process_docx_bytes(model1, title="M1", language=language, today=TODAY)))
    assert len(document.inline_shapes) == 4  # conceptual and statistical diagram, two plots
    for shape in document.inline_shapes:
        assert 4.0 < shape.width.cm <= 15.0
    for shape in list(document.inline_shapes)[2:]:
        assert 10.0 < shape.width.cm


@pytest.mark.slow
def test_study_docx_embeds_process_pictures(study_en: StudyResult, model1: ProcessResult) -> None:
    study = dataclasses.replace(study_en, process=(model1,))
    document = docx.Document(io.BytesIO(docx_bytes(study, today=TODAY)))
    assert len(document.inline_shapes) == 5  # the path diagram, the two PROCESS diagrams and plots
    ctx = build_context(study, today=TODAY)
    assert [fig["file"] for s in ctx["sections"] for fig in s["figures"]] == [
        "path_diagram.svg", "process1_conceptual.svg", "process1_statistical.svg", "process1_interaction_plot.svg",
        "process1_johnson_neyman.svg"]
    named = build_context(study, today=TODAY, file_prefix="r_")
    files = [fig["file"] for s in named["sections"] for fig in s["figures"]]
    assert files[0] == "r_path_diagram.svg" and files[1] == "r_process1_conceptual.svg"
    notes = [n for s in named["sections"] for fig in s["figures"] for n in fig["notes"]]
    assert "Also saved as r_process1_statistical.svg." in notes and not any(" path_diagram.svg" in n for n in notes)


def test_figure_without_png_gets_a_placeholder(study_en: StudyResult, model1: ProcessResult) -> None:
    from semxhs.report import docx as docx_writer

    study = dataclasses.replace(study_en, process=(model1,))
    ctx = build_context(study, today=TODAY)
    for s in ctx["sections"]:
        for fig in s["figures"]:
            fig["png"] = ""
    document = docx_writer.build_document(ctx)
    text = "\n".join(p.text for p in document.paragraphs)
    assert len(document.inline_shapes) == 0 and "process1_interaction_plot.svg (Insert ▸ Pictures)" in text


def test_unsafe_svg_is_a_report_error() -> None:
    with pytest.raises(ReportError, match="script") as info:
        inline_svg('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "f")
    assert isinstance(info.value, SemxhsError) and info.value.exit_code == 2

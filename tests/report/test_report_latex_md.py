"""The LaTeX and Markdown reports: the same tables as HTML/Word, escaped, and (when TeX is installed) compiled."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from semxhs.report.context import build_context
from semxhs.report.latex import latex_escape, render_latex_context
from semxhs.report.markdown import markdown_escape, render_markdown_context
from semxhs.study.results import StudyResult

from .report_helpers import POLDEM, TODAY

XELATEX = shutil.which("xelatex")
PDFLATEX = shutil.which("pdflatex")


def _tables(context: dict) -> list[dict]:
    return [t for s in context["sections"] for t in s["tables"]]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_table_cell_in_latex_and_markdown(request: pytest.FixtureRequest, language: str) -> None:
    study: StudyResult = request.getfixturevalue(f"study_{language}")
    context = build_context(study, today=TODAY)
    tex = render_latex_context(context)
    md = render_markdown_context(context)
    tables = _tables(context)
    assert len(tables) >= 6
    assert tex.count(r"\begin{longtable}") == len(tables) and tex.count(r"\toprule") == 2 * len(tables)
    md_rows = [line for line in md.splitlines() if line.startswith("| ")]
    for table in tables:
        assert latex_escape(table["title"]) in tex and markdown_escape(table["title"]) in md
        for row in table["rows"]:
            assert " & ".join(latex_escape(c) for c in row["cells"]) + r" \\" in tex
            assert "| " + " | ".join(markdown_escape(c) for c in row["cells"]) + " |" in md_rows
        for note in table["notes"]:
            assert latex_escape(note) in tex
    if language == "zh":
        assert r"\usepackage{xeCJK}" in tex and "表 1" in tex
    else:
        assert "xeCJK" not in tex and r"$\chi^{2}$" in tex
    for sec in context["sections"]:
        for fig in sec["figures"]:
            assert fig["caption"] in md and fig["caption"] in tex


def test_latex_escapes_specials() -> None:
    text = r"50% & $5 #1 a_b {c} ~d ^e \f <g> |h χ² ≤ .05 ← β −1"
    escaped = latex_escape(text)
    stripped = re.sub(r"\$[^$]*\$|\\text\w+\{\}|\\[%&$#_{}]", "", escaped)
    assert not set(stripped) & set("%&$#_{}~^\\<>|χ²≤←β−"), stripped
    assert r"50\% \& \$5 \#1 a\_b \{c\}" in escaped and r"$\chi^{2}$ $\leq$ .05 $\leftarrow$ $\beta$ $-$1" in escaped


def _compile(engine: str, tex_path: Path) -> str:
    for _ in range(2):  # longtable settles its column widths on the second pass
        done = subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", tex_path.name],
                              cwd=tex_path.parent, capture_output=True, timeout=300)
        assert done.returncode == 0, done.stdout.decode("utf-8", "replace")[-3000:]
    pdf = tex_path.with_suffix(".pdf")
    assert pdf.exists()
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True,
                              timeout=60).stdout.decode("utf-8")
    return ""


def _kpse(name: str) -> bool:
    which = shutil.which("kpsewhich")
    return bool(which) and bool(subprocess.run([which, name], capture_output=True).stdout.strip())


@pytest.mark.parametrize("language", ["en", "zh"])
def test_latex_compiles(request: pytest.FixtureRequest, language: str, tmp_path: Path) -> None:
    engine = XELATEX if language == "zh" or PDFLATEX is None else PDFLATEX
    if engine is None:
        pytest.skip("no xelatex/pdflatex on PATH (apt-get install texlive-xetex texlive-latex-recommended)")
    if language == "zh" and not _kpse("xeCJK.sty"):
        pytest.skip("xeCJK missing (apt-get install texlive-lang-chinese)")
    if not _kpse("booktabs.sty"):
        pytest.skip("booktabs missing (apt-get install texlive-latex-recommended)")
    study: StudyResult = request.getfixturevalue(f"study_{language}")
    context = build_context(study, today=TODAY)
    tex_path = tmp_path / "report.tex"
    tex_path.write_text(render_latex_context(context), encoding="utf-8")
    from semxhs.report.markdown import figure_files

    for name, data in figure_files(context, png=True):
        (tmp_path / name).write_bytes(data)
    text = _compile(engine, tex_path)
    if text:
        flat = re.sub(r"\s+", " ", text)
        if language == "zh":
            assert "模型整体拟合指标" in flat.replace(" ", "")
        for table in _tables(context):
            for row in table["rows"]:
                for cell in row["cells"]:
                    for token in cell.replace("−", "-").split():
                        if re.fullmatch(r"[<>]?-?\d*\.\d+\*{0,3}|\(\d+\)", token):
                            assert token in flat, (table["caption"], cell)


def test_cli_fit_writes_tex_and_md_with_figures(tmp_path: Path) -> None:
    tex, md = tmp_path / "out" / "report.tex", tmp_path / "out" / "report.md"
    done = subprocess.run([sys.executable, "-m", "semxhs", "fit", str(POLDEM / "model.lav"), str(POLDEM / "data.csv"),
                           "--no-measurement", "--tex", str(tex), "--md", str(md), "-q"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert tex.exists() and md.exists()
    assert r"\begin{document}" in tex.read_text(encoding="utf-8")
    text = md.read_text(encoding="utf-8")
    assert "](report_path_diagram.svg)" in text  # figures are named after the report
    assert (tmp_path / "out" / "report_path_diagram.svg").exists()
    assert (tmp_path / "out" / "report_path_diagram.png").exists()
    assert f"wrote {tex}" in done.stdout and f"wrote {md}" in done.stdout


def test_study_output_tex_and_md(tmp_path: Path) -> None:
    """``output: {tex: ..., md: ...}`` of a study file writes both reports on ``semxhs run``."""
    from semxhs.study.demo import write_demo_study

    study = write_demo_study(tmp_path)
    text = study.read_text(encoding="utf-8").replace("5000", "50")
    study.write_text(text.replace("  json: results.json", "  json: results.json\n  tex: report.tex\n  md: report.md"),
                     encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "semxhs", "run", str(study), "-q", "--no-progress"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert any(line.startswith("| H1 |") for line in md.splitlines())
    # named after the first report of the study (report.html)
    assert "](report_path_diagram.svg)" in md and (tmp_path / "report_path_diagram.svg").exists()
    assert r"\section*{" in (tmp_path / "report.tex").read_text(encoding="utf-8")


def test_wide_table_goes_landscape_in_latex(study_en: StudyResult, tmp_path: Path) -> None:
    """A table too wide for a portrait page (the Word report's measure) is set on a landscape
    page (pdflscape), the narrow ones stay portrait; compiled when pdflatex is there."""
    context = build_context(study_en, today=TODAY)
    columns = [{"label": "Construct", "align": "left", "italic": False}] + [
        {"label": f"M{k}", "align": "num", "italic": False} for k in range(1, 13)]
    rows = [{"cells": [f"H{i} Factor {i}"] + [f"−{i}.{k:02d}{i}7**" for k in range(1, 13)], "starts_group": False}
            for i in range(1, 9)]
    wide = {"id": "wide", "caption": "Table 99", "title": "A wide table", "columns": columns,
            "rows": rows, "notes": ["Many columns."], "keep_together": True}
    context["sections"][0]["tables"].append(wide)
    tex = render_latex_context(context)
    assert r"\usepackage{pdflscape}" in tex
    from semxhs.report.table_layout import table_layout

    landscape = [t for t in _tables(context) if table_layout(t).landscape]  # as the Word report sets them
    assert wide in landscape and len(landscape) < len(_tables(context))
    assert tex.count(r"\begin{landscape}") == len(landscape)
    blocks = [b.split(r"\end{landscape}")[0] for b in tex.split(r"\begin{landscape}")[1:]]
    assert any("A wide table" in b for b in blocks) and all(b.count(r"\begin{longtable}") == 1 for b in blocks)
    if PDFLATEX is None or not _kpse("pdflscape.sty"):
        return
    tex_path = tmp_path / "wide.tex"
    tex_path.write_text(tex, encoding="utf-8")
    from semxhs.report.markdown import figure_files

    for name, data in figure_files(context, png=True):
        (tmp_path / name).write_bytes(data)
    text = re.sub(r"\s+", " ", _compile(PDFLATEX, tex_path))
    for row in rows:
        for cell in row["cells"][1:]:
            assert cell.replace("−", "-") in text.replace("−", "-"), cell

"""The Word report as a reader sees it: rendered to PDF by LibreOffice, read back with pdftotext.

LibreOffice lays tables out by itself (it ignores Word's autofit), which is where numbers
used to break mid-token ("0.3/79", "H/1", "< .0/01"). Each test renders a docx headless
to PDF and asserts that every number of every table comes out intact: all number cells of
a row on one line of ``pdftotext -layout``, in order, and every Latin token of every
cell (labels, hypothesis ids) somewhere in the text unbroken.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from semxhs.report.blocks import Table
from semxhs.report.context import build_context
from semxhs.report.docx import build_document
from semxhs.study.results import StudyResult

from .report_helpers import TODAY

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None,
    reason="LibreOffice (soffice) or pdftotext missing: apt-get install libreoffice-writer-nogui poppler-utils "
           "(CI installs both, so this runs there)")

_SPACE = re.compile(r"[\s\u00a0\u2009]+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text.replace("\u2011", "-")).strip()


def pdf_text(docx_path: Path) -> str:
    """Render ``docx_path`` to PDF with headless LibreOffice and return ``pdftotext -layout`` of it."""
    out = docx_path.parent
    profile = out / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(docx_path)], check=True, capture_output=True, timeout=300)
    pdf = docx_path.with_suffix(".pdf")
    assert pdf.exists(), f"LibreOffice wrote no PDF for {docx_path}"
    done = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, timeout=120)
    return done.stdout.decode("utf-8")


def _is_cjk(ch: str) -> bool:
    import unicodedata

    return unicodedata.east_asian_width(ch) in ("W", "F")


def assert_tables_intact(tables: list[Table], text: str) -> int:
    """Assert every table's numbers and Latin tokens appear unbroken in ``text``; return the cells checked."""
    lines = [_norm(line) for line in text.splitlines()]
    flat = _norm(text)
    checked = 0
    for table in tables:
        num_cols = [j for j, c in enumerate(table["columns"]) if c["align"] == "num"]
        for row in table["rows"]:
            numbers = [_norm(row["cells"][j]) for j in num_cols if _norm(row["cells"][j])]
            if numbers:
                pattern = ".*".join(re.escape(n) for n in numbers)
                assert any(re.search(pattern, line) for line in lines), (
                    f"{table['caption']} {table['title']}: the numbers {numbers} are not on one line intact")
                checked += len(numbers)
            for cell in row["cells"]:
                latin = "".join(" " if _is_cjk(ch) else ch for ch in _norm(cell))
                for token in latin.split():
                    if any(ch.isdigit() or ch.isalpha() for ch in token):
                        assert token in flat, f"{table['caption']}: '{token}' of '{cell}' broken or missing"
                        checked += 1
    return checked


def _tables(context: dict) -> list[Table]:
    return [t for s in context["sections"] for t in s["tables"]]


@pytest.fixture(scope="module")
def demo_study(tmp_path_factory: pytest.TempPathFactory) -> StudyResult:
    from semxhs.study.config import load_study
    from semxhs.study.demo import write_demo_study
    from semxhs.study.pipeline import run_study

    folder = tmp_path_factory.mktemp("demo")
    path = write_demo_study(folder)
    path.write_text(path.read_text(encoding="utf-8").replace("5000", "200"), encoding="utf-8")
    return run_study(load_study(path))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_demo_report_numbers_intact_in_libreoffice(demo_study: StudyResult, language: str, tmp_path: Path) -> None:
    study = dataclasses.replace(demo_study, language=language)
    context = build_context(study, today=TODAY)
    path = tmp_path / f"demo_{language}.docx"
    build_document(context).save(str(path))
    text = pdf_text(path)
    tables = _tables(context)
    assert len(tables) >= 8
    assert assert_tables_intact(tables, text) > 200
    for hid in ("H1", "H2", "H3", "H4"):
        assert hid in text


def test_poldem_report_numbers_intact_in_libreoffice(study_en: StudyResult, tmp_path: Path) -> None:
    context = build_context(study_en, today=TODAY)
    path = tmp_path / "poldem.docx"
    build_document(context).save(str(path))
    assert assert_tables_intact(_tables(context), pdf_text(path)) > 100


def test_wide_table_goes_landscape_and_stays_intact(study_en: StudyResult, tmp_path: Path) -> None:
    """A 13-column table of signed numbers cannot fit a portrait page: it is set landscape, unbroken."""
    from docx.enum.section import WD_ORIENT

    context = build_context(study_en, today=TODAY)
    columns = [{"label": "Construct", "align": "left", "italic": False}] + [
        {"label": f"M{k}", "align": "num", "italic": False} for k in range(1, 13)]
    rows = [{"cells": [f"H{i} Factor {i}"] + [f"−{i}.{k:02d}{i}7**" for k in range(1, 13)], "starts_group": False}
            for i in range(1, 9)]
    wide: Table = {"id": "wide", "caption": "Table 99", "title": "A wide table", "columns": columns,
                   "rows": rows, "notes": ["Many columns."], "keep_together": True}
    context["sections"][0]["tables"].append(wide)
    document = build_document(context)
    assert any(s.orientation == WD_ORIENT.LANDSCAPE for s in document.sections)
    assert document.sections[-1].orientation == WD_ORIENT.PORTRAIT
    path = tmp_path / "wide.docx"
    document.save(str(path))
    assert assert_tables_intact([wide], pdf_text(path)) >= 8 * 12


@pytest.mark.parametrize("language", ["en", "zh"])
def test_fit_extras_tables_intact_in_libreoffice(language: str, tmp_path: Path) -> None:
    """The AMOS-style fit rows, the effect sizes (f², VIF) and the modification indices with the
    score tests, as LibreOffice prints them: every number and label unbroken."""
    import pandas as pd

    from semxhs.sem.extras import with_extras
    from semxhs.sem.model import fit

    more = Path(__file__).parents[1] / "fixtures" / "next" / "modindices_more"
    sem = with_extras(fit((more / "model_d_poldem_eq.lav").read_text(), pd.read_csv(more / "data_a_poldem.csv")),
                      modindices=True, effect_sizes=True)
    context = build_context(StudyResult("Fit extras", language, sem, (), "d.csv", "m.lav", "0" * 64, "0.1.0"),
                            today=TODAY)
    tables = _tables(context)
    ids = {t["id"] for t in tables}
    assert {"table-fit", "table-effect-sizes"} <= ids and any("modindices" in i for i in ids), ids
    extras = [t for t in tables if t["id"] in ("table-fit", "table-effect-sizes") or "modindices" in t["id"]
              or "score" in t["id"]]
    path = tmp_path / f"extras_{language}.docx"
    build_document(context).save(str(path))
    text = pdf_text(path)
    assert assert_tables_intact(extras, text) > 60
    for label in ("GFI", "AGFI", "Hoelter", "ECVI"):
        assert label in text

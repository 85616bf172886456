"""Measurement-quality sections: tables, cut-offs with sources, and shortfalls said in words (en and zh).

Two kinds of case: the Holzinger–Swineford CFA (``hs1939_cfa``; its ``visual`` factor
fails AVE), and a *recovery* case simulated from a population in which two constructs
correlate .95, so that exactly that pair must be reported as failing discriminant
validity and no other pair may be named.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import docx
import pytest

from semxhs.report.context import build_context
from semxhs.report.docx import write_docx
from semxhs.report.render import render_html
from semxhs.sem.simulate import simulate
from semxhs.study.pipeline import analyse, fit_files
from semxhs.study.results import StudyResult

from .report_helpers import TODAY

HS = Path(__file__).resolve().parents[1] / "fixtures" / "shared" / "hs1939_cfa"
QUALITY_IDS = ("reliability", "discriminant", "items", "cmb")

# trust and credibility are nearly the same construct (latent r = .95); intention is distinct
POPULATION = """
trust =~ 0.8*t1 + 0.75*t2 + 0.8*t3
credibility =~ 0.8*c1 + 0.8*c2 + 0.75*c3
intention =~ 0.75*i1 + 0.8*i2 + 0.7*i3
trust ~~ 0.95*credibility
trust ~~ 0.3*intention
credibility ~~ 0.25*intention
"""
MODEL = "trust =~ t1 + t2 + t3\ncredibility =~ c1 + c2 + c3\nintention =~ i1 + i2 + i3\n"


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _block(page: str, section_id: str) -> str:
    start = page.index(f'<section id="{section_id}"')
    return page[start:page.index("</section>", start)]


def _words_of(block: str) -> str:
    """The sentences of a section (lead paragraphs and findings), not its tables."""
    parts = re.findall(r'<p class="lead">(.*?)</p>', block, re.S) + re.findall(r"<li>(.*?)</li>", block, re.S)
    return html.unescape(" ".join(parts))


@pytest.fixture(scope="module", params=["en", "zh"])
def hs(request: pytest.FixtureRequest) -> StudyResult:
    return fit_files(HS / "model.lav", HS / "data.csv", htmt_draws=200, seed=1, language=request.param,
                     reverse=("x2",), scale=(0.0, 10.0))


@pytest.fixture(scope="module")
def near_identical(tmp_path_factory: pytest.TempPathFactory) -> dict[str, StudyResult]:
    frame = simulate(POPULATION, n=500, seed=11, likert=7)
    path = tmp_path_factory.mktemp("sim") / "data.csv"
    frame.to_csv(path, index=False)
    return {lang: analyse(MODEL, frame, htmt_draws=300, seed=1, title="Near-identical constructs", language=lang,
                          data_file=path, model_file="model.lav") for lang in ("en", "zh")}


# --------------------------------------------------------------------------- recovery: a pair that fails

def test_population_pair_fails_discriminant_validity_in_words(near_identical: dict[str, StudyResult]) -> None:
    expected = {
        "en": ("Discriminant validity is not established for: trust and credibility.",
               "trust ~ credibility: HTMT", "discriminant validity not established"),
        "zh": ("以下构念对的区分效度不成立：trust 与 credibility。", "trust 与 credibility：HTMT 为", "区分效度不成立"),
    }
    for lang, study in near_identical.items():
        htmt = study.measurement.htmt.loc["trust", "credibility"]  # type: ignore[union-attr]
        assert htmt > 0.90, "the simulated pair must exceed the liberal HTMT cut-off"
        page = render_html(study, today=TODAY)
        words = _words_of(_block(page, "discriminant"))
        lead, finding, verdict = expected[lang]
        assert lead in words, words
        assert finding in words and verdict in words
        assert "> .90" in words or "高于 .90" in words
        # the distinct construct is in the tables but in no sentence about discriminant validity
        assert "intention" not in words
        assert "intention" in _block(page, "discriminant")
        # the reliability words do not accuse the good constructs either
        assert "Discriminant" not in _words_of(_block(page, "reliability"))


def test_failing_pair_is_marked_in_the_htmt_table(near_identical: dict[str, StudyResult]) -> None:
    ctx = build_context(near_identical["en"], today=TODAY)
    htmt = next(t for s in ctx["sections"] for t in s["tables"] if t["id"] == "table-htmt")
    rows = {r["cells"][0]: r["cells"][1:] for r in htmt["rows"]}
    assert re.match(r"^\.9\d\d‡ \[\.\d{3}, (1\.000|\.\d{3})\]$", rows["credibility"][0])
    assert "‡" not in rows["intention"][0] and "†" not in rows["intention"][1]
    assert rows["trust"][0] == "—"


# --------------------------------------------------------------------------- hs1939: a construct that falls short

def test_quality_sections_in_order(hs: StudyResult) -> None:
    ids = [s["id"] for s in build_context(hs, today=TODAY)["sections"]]
    # fit_files records where the data came from (section "data"); no instrument, so no other intake section
    assert ids[:8] == ["warnings", "data", "fit", "measurement", *QUALITY_IDS]
    assert ids.index("cmb") < ids.index("structural") if "structural" in ids else True


def test_reliability_table_one_row_per_item(hs: StudyResult) -> None:
    ctx = build_context(hs, today=TODAY)
    table = next(t for s in ctx["sections"] for t in s["tables"] if t["id"] == "table-reliability")
    rows = [r["cells"] for r in table["rows"]]
    assert len(rows) == 9 + 1  # nine items and the cut-off row
    assert rows[0][:3] == ["visual", "x1", ".772"]
    assert rows[0][-1] == ".371‡"  # AVE of visual below .50
    assert rows[1][0] == "" and rows[1][3:] == ["", "", "", "", ""]  # construct values only on the first row
    assert rows[1][1] in ("x2 (R)", "x2（R）")
    assert rows[-1][2:] == ["≥ .50 (≥ .70)" if hs.language == "en" else "≥ .50（≥ .70）", "≥ .70", "", "≥ .70", "",
                            "≥ .50"]
    notes = " ".join(table["notes"])
    assert "Nunnally, 1978" in notes and "Fornell & Larcker, 1981" in notes and "Hair et al., 2019" in notes
    assert "x2" in notes and "0 + 10 − x" in notes  # the re-keyed item and how


@pytest.mark.parametrize("section_id", QUALITY_IDS)
def test_sections_render_in_html(hs: StudyResult, section_id: str) -> None:
    page = render_html(hs, today=TODAY)
    assert f'<section id="{section_id}">' in page
    assert len(re.findall(r'id="([^"]+)"', page)) == len(set(re.findall(r'id="([^"]+)"', page)))


def test_shortfalls_in_words(hs: StudyResult) -> None:
    page = render_html(hs, today=TODAY)
    words = _words_of(_block(page, "reliability"))
    if hs.language == "en":
        assert "Constructs that fall short of a reliability or convergent-validity cut-off: visual, speed." in words
        assert "visual: AVE .37 < .50 (Fornell & Larcker (1981))" in words
        assert "All pairs of constructs meet HTMT < .85" in _words_of(_block(page, "discriminant"))
    else:
        assert "未达到信度或聚合效度标准的构念：visual、speed。" in words
        assert "visual：平均方差抽取量（AVE）为 .37，低于 .50 的标准" in words
        assert "所有构念对均满足 HTMT" in _words_of(_block(page, "discriminant"))
    assert "textual" not in words


def test_thresholds_beside_values_with_sources(hs: StudyResult) -> None:
    text = _text(render_html(hs, today=TODAY))
    for needle in ("≥ .60", "Kaiser (1974)", "Bartlett (1951)", "< 50%", "Podsakoff et al. (2003)",
                   "< .85 (Kline, 2011; Henseler et al., 2015)", "< .90 (Gold et al., 2001; Henseler et al., 2015)",
                   ".752", "χ²(36) = 904.10, p < .001", "35.7%", "Δχ²(3) = 226.96, p < .001"):
        zh_form = needle.replace(" (", "（").replace(")", "）")  # Chinese brackets, no space before them
        assert needle in text or zh_form in text, needle


def test_cmb_paragraph_apa(hs: StudyResult) -> None:
    block = _block(render_html(hs, today=TODAY), "cmb")
    if hs.language == "en":
        assert "first unrotated factor explained 35.7% of the total variance of the 9 items, below the 50% cut-off" \
               " (Podsakoff et al., 2003)" in block
        assert "fitted significantly worse than the measurement model, Δχ²(3) = 226.96, p &lt; .001" in block
    else:
        assert "解释了 9 个题项总方差的 35.7%，低于 50% 的标准" in block
        assert "显著差于测量模型" in block


def test_fornell_larcker_diagonal(hs: StudyResult) -> None:
    ctx = build_context(hs, today=TODAY)
    fl = next(t for s in ctx["sections"] for t in s["tables"] if t["id"] == "table-fornell-larcker")
    assert [r["cells"] for r in fl["rows"]] == [["visual", ".609", "", ""], ["textual", ".459", ".848", ""],
                                                ["speed", ".471", ".283", ".656"]]


def test_quality_tables_in_word(hs: StudyResult, tmp_path: Path) -> None:
    path = write_docx(hs, tmp_path / "quality.docx", today=TODAY)
    document = docx.Document(str(path))
    ctx = build_context(hs, today=TODAY)
    expected = [[[c["label"] for c in t["columns"]], *[r["cells"] for r in t["rows"]]]
                for s in ctx["sections"] for t in s["tables"]]
    assert [[[c.text.replace("\u00a0", " ") for c in r.cells] for r in t.rows] for t in document.tables] == expected
    text = "\n".join(p.text for p in document.paragraphs)
    assert ("visual: AVE .37 < .50" in text) if hs.language == "en" else ("visual：平均方差抽取量（AVE）为 .37" in text)


def test_no_measurement_no_sections(study_en: StudyResult) -> None:
    ids = [s["id"] for s in build_context(study_en, today=TODAY)["sections"]]
    assert not set(QUALITY_IDS) & set(ids)

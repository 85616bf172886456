"""Data-intake sections: data source, participant flow, screening rules, missing data, normality (HTML and Word).

The intake study is the Wenjuanxing export of ``tests/fixtures/intake`` (112 responses,
careless respondents planted as listed in ``planted.json``), run through
:func:`semxhs.study.pipeline.run_study` as ``semxhs run`` does. Expected counts come from
``planted.json``; numbers are checked only as printed strings (the statistics are
tested in ``tests/intake``).
"""

from __future__ import annotations

import dataclasses
import html
import io
import json
import re
import shutil
from pathlib import Path

import docx
import pytest

from semxhs.report.context import build_context
from semxhs.report.docx import docx_bytes
from semxhs.report.render import render_html
from semxhs.study.config import load_study
from semxhs.study.pipeline import run_study
from semxhs.study.results import StudyResult

from .report_helpers import TODAY

INTAKE = Path(__file__).resolve().parents[1] / "fixtures" / "intake"
MODEL = """PI =~ PI1 + PI2 + PI3 + PI4
TR =~ TR1 + TR2 + TR3 + TR4
PU =~ PU1 + PU2 + PU3 + PU4
TR ~ a*PI
PU ~ b*TR + c*PI
ind := a*b
"""
INTAKE_IDS = ["data", "screening", "missing-data", "normality"]


def _expected_flow() -> dict[str, int]:
    """Respondents each rule claims (the first flagging rule in the order attention, speed, longstring, outlier)."""
    planted = json.loads((INTAKE / "planted.json").read_text(encoding="utf-8"))
    counts = {"attention": 0, "speed": 0, "longstring": 0, "mahalanobis": 0}
    first = {"attention": "attention", "attention+speed": "attention", "speed": "speed",
             "speed+straight": "speed", "straight": "longstring", "outlier": "mahalanobis"}
    for kind, rows in planted.items():
        if kind in first:
            counts[first[kind]] += len(rows)
    return counts


def _study_yaml(folder: Path, data: str, instrument: bool, language: str = "en") -> Path:
    (folder / "model.lav").write_text(MODEL, encoding="utf-8")
    text = f"title: Intake\nlanguage: {language}\ndata: {data}\nmodel: model.lav\n"
    if instrument:
        text += ("instrument: instrument.yaml\n"
                 "screening: {attention: true, speed: true, longstring: true, mahalanobis: true}\n")
    else:
        text += "reverse: [TR4]\nscale: [1, 7]\n"
    text += "htmt_draws: 0\noutput: {dir: out}\n"
    path = folder / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def intake_study(tmp_path_factory: pytest.TempPathFactory) -> StudyResult:
    folder = tmp_path_factory.mktemp("intake")
    shutil.copy(INTAKE / "wjx_text.xlsx", folder / "wjx_text.xlsx")
    shutil.copy(INTAKE / "instrument.yaml", folder / "instrument.yaml")
    return run_study(load_study(_study_yaml(folder, "wjx_text.xlsx", instrument=True)))


@pytest.fixture(scope="module")
def plain_study(tmp_path_factory: pytest.TempPathFactory) -> StudyResult:
    folder = tmp_path_factory.mktemp("plain")
    shutil.copy(INTAKE / "coded.csv", folder / "coded.csv")
    return run_study(load_study(_study_yaml(folder, "coded.csv", instrument=False)))


def _in(study: StudyResult, language: str) -> StudyResult:
    return dataclasses.replace(study, language=language)


def _section(ctx: dict, sid: str) -> dict:
    return next(s for s in ctx["sections"] if s["id"] == sid)


def _plain(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<svg\b.*?</svg>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


# --------------------------------------------------------------------------- context

def test_intake_sections_in_order(intake_study: StudyResult) -> None:
    ids = [s["id"] for s in build_context(intake_study, today=TODAY)["sections"]]
    assert ids[:6] == ["warnings", *INTAKE_IDS, "fit"]


def test_flow_counts_follow_the_planted_respondents(intake_study: StudyResult) -> None:
    expected = _expected_flow()
    rows = [r["cells"] for r in _section(build_context(intake_study, today=TODAY), "screening")["tables"][0]["rows"]]
    assert rows[0] == ["Responses received", "", "—", "112"]
    remaining = 112
    for cells, rule in zip(rows[1:-1], ("attention", "speed", "longstring", "mahalanobis")):
        remaining -= expected[rule]
        assert cells[2:] == [str(expected[rule]), str(remaining)], rule
    assert rows[-1] == ["Retained for analysis", "", "—", "100"]
    assert rows[1][:2] == ["Excluded: failed attention check", "any attention check failed"]
    assert rows[4][1] == "Mahalanobis D² > 32.91 (critical χ²(12) at p < .001)"
    assert re.fullmatch(r"completion time under \d+\.\d s \(0\.33 × the median of \d+\.\d s\)", rows[2][1])


def test_data_source_and_rows(intake_study: StudyResult) -> None:
    sec = _section(build_context(intake_study, today=TODAY), "data")
    source = {r["cells"][0]: r["cells"][1] for r in sec["tables"][0]["rows"]}
    assert source["Data file"] == "wjx_text.xlsx"
    assert source["SHA-256 of the data file"] == intake_study.provenance.sha256[:12]
    assert source["Format"] == "Excel workbook" and source["Survey platform"] == "Wenjuanxing (问卷星)"
    assert source["Instrument file"].startswith("instrument.yaml (SHA-256 ")
    assert source["Set missing by the platform’s skip marker"] == "PU3 (1)"
    steps = [r["cells"] for r in sec["tables"][1]["rows"]]
    assert steps == [["Rows read from the file", "112", "—", ""],
                     ["Rows with valid responses", "112", "0", ""],
                     ["Retained after screening", "100", "-12", "12 excluded by screening"],
                     ["Complete cases analysed", "99", "-1", "1 dropped listwise (missing answers)"]]
    derived = " ".join(sec["paragraphs"])
    assert "wjx_text.cleaned.csv (cleaned data)" in derived and "wjx_text.exclusions.csv (exclusion log)" in derived
    assert "/" not in derived  # file names, not the folders of the student's machine


def test_screening_rules_and_multiple_flags(intake_study: StudyResult) -> None:
    sec = _section(build_context(intake_study, today=TODAY), "screening")
    rules = {r["cells"][0]: r["cells"][1:] for r in sec["tables"][1]["rows"]}
    assert rules["Low response variability (IRV)"][0] == "No"
    assert rules["Multivariate outlier"] == ["Yes", "Mahalanobis D² > 32.91 (critical χ²(12) at p < .001)",
                                             "Tabachnick & Fidell, 2019"]
    notes = " ".join(sec["tables"][0]["notes"])
    assert "7 (completed too fast, straight-lining)" in notes
    assert "74 (failed attention check, completed too fast)" in notes
    assert any("Meade, A. W., & Craig" in ref for ref in sec["references"])
    assert sec["figures"][0]["svg"].lstrip().startswith("<?xml") and sec["figures"][0]["png"]


def test_missing_data_and_mcar(intake_study: StudyResult) -> None:
    sec = _section(build_context(intake_study, today=TODAY), "missing-data")
    mcar = intake_study.intake.mcar
    rows = {r["cells"][0]: r["cells"][1:] for r in sec["tables"][0]["rows"]}
    assert rows["PU3"] == ["99", "1", "1.0%"] and rows["PI1"] == ["100", "0", "0.0%"]
    assert rows["All items (cells)"] == ["1,199", "1", "0.1%"]
    text = " ".join(sec["paragraphs"])
    p = f"{mcar.pvalue:.3f}".lstrip("0")
    assert f"Little’s MCAR test: χ²({mcar.df}) = {mcar.chisq:.2f}, p = {p}" in text
    assert "listwise deletion: 1 case(s)" in text


def test_normality_and_recommendation(intake_study: StudyResult) -> None:
    sec = _section(build_context(intake_study, today=TODAY), "normality")
    norm = intake_study.intake.normality
    univariate = sec["tables"][0]["rows"]
    assert [r["cells"][0] for r in univariate] == list(intake_study.intake.missing.items)
    mardia = {r["cells"][0]: r["cells"][1:] for r in sec["tables"][1]["rows"]}
    assert mardia["Multivariate kurtosis"][1] == f"z = {norm.mardia.kurtosis:.2f}"
    text = " ".join(sec["paragraphs"])
    assert norm.recommendation.estimator == "ML" and "estimated with maximum likelihood (ML), as recommended" in text
    # one answer is missing: FIML is recommended, the study used listwise deletion, and the report says so
    assert "not the recommended full information maximum likelihood (FIML): set “missing: fiml”" in text
    assert any(b.startswith("0.1% of the item answers are missing: FIML recommended") for b in sec["bullets"])


def test_recommendation_in_words_when_mlr_is_advised(intake_study: StudyResult) -> None:
    """A recommendation of MLR for Mardia's kurtosis reads as such, and an ML study is told it does not follow it."""
    from semxhs.survey.normality import EstimatorRecommendation, recommend_estimator

    norm = intake_study.intake.normality
    kurtotic = dataclasses.replace(norm.mardia, kurtosis=4.9, p_kurtosis=9.6e-7)
    rec = recommend_estimator(norm.univariate, kurtotic)
    assert rec.estimator == "MLR" and rec.reason_codes[0].code == "mlr_kurtosis"
    run = dataclasses.replace(intake_study.intake, normality=dataclasses.replace(norm, recommendation=rec))
    for language, recommended, follows in (
            ("en", "Mardia’s kurtosis is significant (z = 4.90, p < .001)",
             "not the recommended robust maximum likelihood (MLR)"),
            ("zh", "Mardia 多元峰度显著（z = 4.90, p < .001）", "而非建议的稳健最大似然法（MLR）")):
        sec = _section(build_context(_in(dataclasses.replace(intake_study, intake=run), language), today=TODAY),
                       "normality")
        assert sec["bullets"][0].startswith(recommended) and "MLR" in sec["bullets"][0]
        assert any(follows in p for p in sec["paragraphs"])
    # a reason without a code (a recommendation built by hand) is shown as its English sentence, never dropped
    plain = EstimatorRecommendation("MLR", "listwise", ("MLR recommended: Mardia's kurtosis z = 4.90, p < .001",))
    run = dataclasses.replace(intake_study.intake, normality=dataclasses.replace(norm, recommendation=plain))
    sec = _section(build_context(_in(dataclasses.replace(intake_study, intake=run), "zh"), today=TODAY), "normality")
    assert sec["bullets"] == ["MLR recommended: Mardia's kurtosis z = 4.90, p < .001"]


def test_context_is_plain_json(intake_study: StudyResult) -> None:
    ctx = build_context(intake_study, today=TODAY)
    assert json.loads(json.dumps(ctx, ensure_ascii=False)) == ctx


# --------------------------------------------------------------------------- HTML and Word

@pytest.mark.parametrize("language,received,analysed", [
    ("en", "Of 112 responses received, 12 were excluded", "100 were retained for analysis"),
    ("zh", "共收到 112 份问卷，按筛查规则剔除 12 份", "保留 100 份用于分析"),
])
def test_html_shows_the_flow(intake_study: StudyResult, language: str, received: str, analysed: str) -> None:
    page = render_html(_in(intake_study, language), today=TODAY)
    for sid in INTAKE_IDS:
        assert f'<section id="{sid}">' in page
    text = _plain(page)
    assert received in text and analysed in text
    screening = page[page.index('<section id="screening">'):page.index('<section id="missing-data">')]
    assert screening.count("<svg") == 1 and "<script" not in screening
    cells = re.findall(r'<td class="num">(\d+)</td>', screening)
    assert cells[:6] == ["112", "4", "108", "4", "104", "3"]
    assert "χ²(11) = " in text or "χ²(" in text  # Little's test in APA form


@pytest.mark.parametrize("language,title", [("en", "Participant Flow Through Data Screening"),
                                            ("zh", "数据筛查的样本流程")])
def test_docx_has_the_flow_table_and_diagram(intake_study: StudyResult, language: str, title: str) -> None:
    study = _in(intake_study, language)
    document = docx.Document(io.BytesIO(docx_bytes(study, today=TODAY)))
    ctx = build_context(study, today=TODAY)
    expected = [[[c["label"] for c in t["columns"]], *[r["cells"] for r in t["rows"]]]
                for s in ctx["sections"] for t in s["tables"]]
    actual = [[[c.text.replace("\u00a0", " ") for c in r.cells] for r in t.rows] for t in document.tables]
    assert actual == expected
    flow = _section(ctx, "screening")["tables"][0]
    word_flow = document.tables[[t["id"] for s in ctx["sections"] for t in s["tables"]].index("table-flow")]
    # row 0 is the header: received 112, then attention leaves 108 ..., retained 100
    assert [r.cells[3].text for r in word_flow.rows[1:3]] == ["112", "108"] and word_flow.rows[-1].cells[3].text == "100"
    assert flow["title"] == title and title in "\n".join(p.text for p in document.paragraphs)
    assert len(document.inline_shapes) == 2  # the flow diagram and the path diagram, as PNG pictures


def test_study_without_instrument_shows_source_and_rows_only(plain_study: StudyResult) -> None:
    ctx = build_context(plain_study, today=TODAY)
    ids = [s["id"] for s in ctx["sections"]]
    assert "data" in ids and not {"screening", "missing-data", "normality"} & set(ids)
    sec = _section(ctx, "data")
    source = {r["cells"][0]: r["cells"][1] for r in sec["tables"][0]["rows"]}
    assert source["Data file"] == "coded.csv" and source["Format"] == "CSV text file"
    assert "Survey platform" not in source and "Instrument file" not in source
    steps = [r["cells"] for r in sec["tables"][1]["rows"]]
    n_read = plain_study.provenance.n("read")
    dropped = n_read - plain_study.sem.n_obs
    assert steps[0] == ["Rows read from the file", str(n_read), "—", ""]
    assert steps[-1] == ["Complete cases analysed", str(plain_study.sem.n_obs), f"-{dropped}",
                         f"{dropped} dropped listwise (missing answers)"]
    assert sec["paragraphs"] == [f"Of the {n_read} rows read from coded.csv, {plain_study.sem.n_obs} were analysed."]
    page = render_html(plain_study, today=TODAY)
    assert '<section id="data">' in page and '<section id="screening">' not in page


def test_study_without_provenance_has_no_intake_section(study_en: StudyResult) -> None:
    ids = [s["id"] for s in build_context(study_en, today=TODAY)["sections"]]
    assert not set(INTAKE_IDS) & set(ids)

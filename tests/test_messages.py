"""Notes and warnings as data: every message of the analysis layer has a code and parameters,
the report words it in English and in Chinese, and nothing is lost.

Three whole reports are read as a student sees them: the Heywood case of
``tests/fixtures/lavaan/heywood``, the Wenjuanxing intake study with screening
(as ``tests/test_study_intake.py``), and a study with two PROCESS model 7 analyses.
A Chinese report shows none of the English sentences the analysis layer wrote and shows
their Chinese wording instead; the English report still says the same things.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from reference_cases import FIXTURES

from semxhs.measurement import measurement_quality
from semxhs.measurement.thresholds import THRESHOLDS
from semxhs.messages import Message
from semxhs.process import run_process
from semxhs.report.context import build_context
from semxhs.report.labels import labels_for
from semxhs.report.messages import (
    KNOWN_CODES,
    message_words,
    messages_in_words,
    pair_messages,
)
from semxhs.report.render import render_html
from semxhs.sem.interaction import expand_latent_products, latent_product_expansion
from semxhs.sem.model import fit
from semxhs.study.config import load_study
from semxhs.study.pipeline import fit_files, run_study
from semxhs.study.results import StudyResult
from semxhs.survey.normality import MardiaResult, recommend_estimator

TODAY = date(2024, 5, 1)
CJK = re.compile(r"[\u4e00-\u9fff]")
MODEL = """PI =~ PI1 + PI2 + PI3 + PI4
TR =~ TR1 + TR2 + TR3 + TR4
PU =~ PU1 + PU2 + PU3 + PU4
TR ~ a*PI
PU ~ b*TR + c*PI
ind := a*b
"""

#: One example of every code the report words (parameters as the producers give them).
SAMPLES: dict[str, dict[str, Any]] = {
    "fiml_empty_rows": {"n": 4},
    "fiml_missing_x": {"n": 3, "covariates": ["x1", "x2"]},
    "not_converged": {"iterations": 500, "max_gradient": 0.00123, "message": "did not converge"},
    "singular_information": {},
    "heywood": {"variances": [{"lhs": "b1", "rhs": "b1", "est": -0.1219}, {"lhs": "c2", "rhs": "c2", "est": -0.01}]},
    "latent_cov_not_pd": {},
    "defined_not_finite": {"names": ["ratio", "root"]},
    "defined_se_not_finite": {"names": ["sq"]},
    "mlr_kurtosis": {"z": 4.9, "p": 9.6e-7, "alpha": 0.001},
    "mlr_skew": {"chisq": 406.7, "df": 364.0, "p": 0.0001, "alpha": 0.001},
    "mlr_items": {"items": ["PI1", "TR2"], "skew_limit": 2.0, "kurtosis_limit": 7.0},
    "ml_adequate": {"alpha": 0.001},
    "fiml_missing": {"pct": 0.0744, "mcar_pvalue": 0.52},
    "coarse_scale": {"points": 4},
    "attention_no_checks": {},
    "speed_no_duration_column": {},
    "speed_no_duration": {"n": 2},
    "mahalanobis_incomplete": {"n": 1},
    "intake_tests_too_few_rows": {"n_complete": 8, "n_items": 12},
    "intake_tests_singular": {"n_complete": 95, "n_items": 12},
    "intake_tests_not_run": {"detail": "Little's MCAR test: the EM algorithm did not converge"},
    "block_skipped": {"factor": "price", "items": ["p1"], "min_items": 2},
    "omega_not_computed": {},
    "negative_within": {"pairs": [["trust1", "trust2"]]},
    "negative_between": {"pairs": [["a1", "b1"], ["a2", "b2"]], "more": 3},
    "htmt_boot_failed": {"failed": 2, "draws": 500},
    "jn_dichotomous": {"focal": "PI", "outcome": "TR", "moderator": "CEd"},
    "jn_two_moderators": {"focal": "PI", "outcome": "PU", "moderators": ["W", "Z"]},
    "total_effect_conditional": {"model": 7},
    "bootstrap_failed": {"failed": 3, "draws": 1000},
    "standardized_dichotomous_x": {"x": "group"},
    "index_quadratic": {"model": 58, "moderator": "W"},
    "index_direct_only": {"model": 5, "moderator": "W"},
    "latent_product": {"term": "X:W", "name": "XW", "indicators": ["x1.w1", "x2.w2"]},
}


def _plain(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.DOTALL)
    page = re.sub(r"<svg\b.*?</svg>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _records(result: StudyResult) -> list[Message]:
    """Every message record a study result carries."""
    out = [*result.sem.warning_codes, *result.note_codes]
    if result.measurement is not None:
        out += result.measurement.note_codes
    for p in result.process:
        out += p.note_codes
    if result.intake is not None:
        out += [*result.intake.screening.note_codes, *result.intake.note_codes]
        if result.intake.normality is not None:
            out += result.intake.normality.recommendation.reason_codes
    return out


def _in(result: StudyResult, language: str) -> StudyResult:
    return dataclasses.replace(result, language=language)


def _says_it_in_chinese(result: StudyResult, english_phrases: tuple[str, ...], chinese: tuple[str, ...]) -> None:
    """The Chinese report words every record in Chinese and shows none of the English sentences."""
    zh = _plain(render_html(_in(result, "zh"), today=TODAY))
    t = labels_for("zh")
    records = _records(result)
    assert records, "the case should produce messages"
    for record in records:
        assert record.code in KNOWN_CODES, record
        assert record.text not in zh, record.text
        words = message_words(record, t)
        assert CJK.search(words) and words in zh, words
    for phrase in english_phrases:
        assert phrase not in zh, phrase
    for phrase in chinese:
        assert phrase in zh, phrase


# --------------------------------------------------------------------------- wording of every code

def test_every_code_has_a_sample_and_wording() -> None:
    assert set(SAMPLES) == set(KNOWN_CODES)


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_every_code_is_worded_in_both_languages(code: str) -> None:
    message = Message(code, SAMPLES[code], f"english text of {code}")
    en, zh = message_words(message, labels_for("en")), message_words(message, labels_for("zh"))
    assert en and en != message.text and not CJK.search(en)
    assert zh != message.text and CJK.search(zh)
    # the names reach the words as given (not the engine's own English: the optimizer's message, an error's detail)
    for key, value in SAMPLES[code].items():
        if isinstance(value, str) and key not in ("message", "detail"):
            assert value in en and value in zh, (code, value)


def test_numbers_are_formatted_by_the_report() -> None:
    zh, en = labels_for("zh"), labels_for("en")
    heywood = Message("heywood", SAMPLES["heywood"], "")
    assert message_words(heywood, zh) == "解不合理（Heywood 案例）：方差估计值为负：b1 ~~ b1（-0.122）、c2 ~~ c2（-0.010）。"
    assert message_words(heywood, en).endswith("negative variance estimates: b1 ~~ b1 (-0.122), c2 ~~ c2 (-0.010).")
    assert "0.0012" in message_words(Message("not_converged", SAMPLES["not_converged"], ""), en)
    assert message_words(Message("fiml_missing", SAMPLES["fiml_missing"], ""), zh).startswith("题项作答缺失 0.1%")
    assert "，另有 3 对" in message_words(Message("negative_between", SAMPLES["negative_between"], ""), zh)


def test_unknown_codes_and_plain_notes_are_shown_in_english() -> None:
    zh = labels_for("zh")
    assert message_words(Message("from_a_newer_version", {"n": 1}, "a note we cannot word"), zh) == \
        "a note we cannot word"
    assert message_words("a caller's own note", zh) == "a caller's own note"
    # parameters that do not fit the template: the English text, not an error
    assert message_words(Message("heywood", {"variance": 1}, "improper solution"), zh) == "improper solution"
    assert message_words(Message("speed_no_duration", {}, "speed: 2 respondent(s)"), zh) == "speed: 2 respondent(s)"


def test_texts_decide_what_is_shown_records_how() -> None:
    a = Message("speed_no_duration", {"n": 2}, "speed: 2 without a time")
    b = Message("mahalanobis_incomplete", {"n": 1}, "mahalanobis: 1 incomplete")
    stale = Message("attention_no_checks", {}, "no longer in the texts")
    paired = pair_messages(["mahalanobis: 1 incomplete", "hand-written", "speed: 2 without a time"], [a, stale, b])
    assert paired == [b, "hand-written", a]
    words = messages_in_words(["mahalanobis: 1 incomplete", "hand-written"], [a, b], labels_for("zh"))
    assert words == ["马氏距离规则：1 名有缺失题项的受访者未按此规则筛查", "hand-written"]


# --------------------------------------------------------------------------- producers: codes beside the texts

def _aligned(texts: tuple[str, ...], records: tuple[Message, ...]) -> list[str]:
    assert tuple(r.text for r in records) == texts
    return [r.code for r in records]


def test_fit_warning_codes_and_json() -> None:
    case = FIXTURES / "lavaan" / "heywood"
    sem = fit((case / "model.lav").read_text(encoding="utf-8"), pd.read_csv(case / "data.csv"))
    assert _aligned(sem.warnings, sem.warning_codes) == ["heywood"]
    assert sem.warning_codes[0].params["variances"][0]["lhs"] == "b1"
    doc = json.loads(json.dumps(sem.to_dict()))
    assert doc["warnings"] == list(sem.warnings)  # unchanged for old readers
    assert doc["warning_codes"] == [{"code": "heywood", "params": sem.warning_codes[0].params,
                                     "text": sem.warnings[0]}]


def test_fiml_drop_notes_have_codes() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 1)) + rng.normal(size=(200, 3))
    frame = pd.DataFrame(x, columns=["a", "b", "c"])
    frame.iloc[:4] = np.nan
    sem = fit("f =~ a + b + c", frame, missing="fiml")
    assert _aligned(sem.warnings, sem.warning_codes)[0] == "fiml_empty_rows"
    assert sem.warning_codes[0].params == {"n": 4}


def test_recommendation_reason_codes() -> None:
    m = MardiaResult(400, 12, 3.1, 180.2, 206.7, 364.0, 1.0, 208.9, 1.0, 4.9, 9.6e-7)
    rec = recommend_estimator([], m, pct_missing_cells=2.5, mcar_pvalue=0.01, scale_points=4)
    assert _aligned(rec.reasons, rec.reason_codes) == ["mlr_kurtosis", "fiml_missing", "coarse_scale"]
    assert rec.reason_codes[1].params == {"pct": 2.5, "mcar_pvalue": 0.01}
    assert rec.to_dict()["reason_codes"][2] == {"code": "coarse_scale", "params": {"points": 4},
                                                "text": rec.reasons[2]}


def test_measurement_notes_thresholds_and_level() -> None:
    rng = np.random.default_rng(5)
    f1 = rng.normal(size=300)
    data = pd.DataFrame({"a1": f1 + rng.normal(size=300) * 0.6, "a2": f1 + rng.normal(size=300) * 0.6,
                         "a3": -f1 + rng.normal(size=300) * 0.6, "p1": rng.normal(size=300)})
    blocks = {"A": ["a1", "a2", "a3"], "price": ["p1"]}
    lam = {"A": {"a1": 0.8, "a2": 0.8, "a3": 0.8}}
    phi = pd.DataFrame([[1.0]], index=["A"], columns=["A"])
    strict = {**THRESHOLDS, "alpha": dataclasses.replace(THRESHOLDS["alpha"], value=0.8)}
    res = measurement_quality(data, blocks, lam, phi, level=0.9, thresholds=strict)
    assert _aligned(res.notes, res.note_codes) == ["block_skipped", "omega_not_computed", "negative_within"]
    assert res.level == 0.9 and res.thresholds["alpha"].value == 0.8
    doc = res.to_dict()["measurement"]
    assert doc["level"] == 0.9 and doc["thresholds"]["alpha"]["value"] == 0.8
    assert doc["note_codes"][0]["params"] == {"factor": "price", "items": ["p1"], "min_items": 2}
    # the report prints the cut-off and the level the result was judged with, and every note in Chinese
    study = dataclasses.replace(_heywood_study(), language="zh", measurement=res)
    ctx = build_context(study, today=TODAY)
    table = next(s for s in ctx["sections"] if s["id"] == "reliability")["tables"][0]
    assert table["rows"][-1]["cells"][3] == "≥ .80"
    assert [c["label"] for c in table["columns"]][4] == "90% 置信区间"
    notes = " ".join(table["notes"])
    assert "构念 price 只有 1 个题项（p1）" in notes and "a1~a3" in notes and "未计算 ω" in notes
    assert not any(n.text in notes for n in res.note_codes)


def test_process_and_latent_product_codes() -> None:
    data = pd.read_csv(FIXTURES / "process" / "process_model7" / "data.csv")
    data["CEd"] = (data.CE > data.CE.median()).astype(float)
    res = run_process(data, 7, x="PI", y="PU", m=["TR"], w="CEd", boot=0)
    assert _aligned(res.notes, res.note_codes) == ["jn_dichotomous", "total_effect_conditional"]
    assert res.to_dict()["note_codes"][0]["params"] == {"focal": "PI", "outcome": "TR", "moderator": "CEd"}

    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(60, 5)), columns=["x1", "x2", "w1", "w2", "y"])
    model = "X =~ x1 + x2\nW =~ w1 + w2\ny ~ X + W + X:W"
    _, _, notes = latent_product_expansion(model, frame)
    assert [n.code for n in notes] == ["latent_product"]
    assert expand_latent_products(model, frame)[2] == (notes[0].text,)  # the plain-text form is unchanged


def test_screen_file_too_few_rows(tmp_path: Path) -> None:
    from semxhs.survey.instrument import load_instrument
    from semxhs.survey.screening import screen_file

    intake = FIXTURES / "intake"
    pd.read_csv(intake / "coded.csv").head(8).to_csv(tmp_path / "few.csv", index=False)
    run = screen_file(tmp_path / "few.csv", load_instrument(intake / "instrument.yaml"), {
        "attention": False, "speed": False, "longstring": False, "mahalanobis": False}, write=False)
    assert run.normality is None
    assert _aligned(run.notes, run.note_codes) == ["intake_tests_too_few_rows"]
    assert run.note_codes[0].params == {"n_complete": 8, "n_items": 12}
    assert run.to_dict()["note_codes"][0]["code"] == "intake_tests_too_few_rows"


def test_screen_file_singular_items(tmp_path: Path) -> None:
    from semxhs.survey.instrument import load_instrument
    from semxhs.survey.screening import screen_file

    intake = FIXTURES / "intake"
    frame = pd.read_csv(intake / "coded.csv").dropna()  # complete answers: Little's test is not needed
    frame["PU4"] = frame["PU3"]  # an item that copies another
    frame.to_csv(tmp_path / "flat.csv", index=False)
    run = screen_file(tmp_path / "flat.csv", load_instrument(intake / "instrument.yaml"), {
        "attention": False, "speed": False, "longstring": False, "mahalanobis": False}, write=False)
    assert _aligned(run.notes, run.note_codes) == ["intake_tests_singular"]
    assert "协方差矩阵奇异" in message_words(run.note_codes[0], labels_for("zh"))


# --------------------------------------------------------------------------- whole reports

def _heywood_study(language: str = "en") -> StudyResult:
    case = FIXTURES / "lavaan" / "heywood"
    return fit_files(case / "model.lav", case / "data.csv", language=language, htmt_draws=0)


@pytest.fixture(scope="module")
def heywood_zh() -> StudyResult:
    return _heywood_study("zh")


@pytest.fixture(scope="module")
def intake_study(tmp_path_factory: pytest.TempPathFactory) -> StudyResult:
    folder = tmp_path_factory.mktemp("messages-intake")
    shutil.copy(FIXTURES / "intake" / "wjx_text.xlsx", folder / "wjx_text.xlsx")
    shutil.copy(FIXTURES / "intake" / "instrument.yaml", folder / "instrument.yaml")
    (folder / "model.lav").write_text(MODEL, encoding="utf-8")
    (folder / "study.yaml").write_text(
        "title: 问卷星导出测试\nlanguage: zh\ndata: wjx_text.xlsx\nmodel: model.lav\ninstrument: instrument.yaml\n"
        "screening: {attention: true, speed: true, longstring: true, mahalanobis: true}\n"
        "htmt_draws: 0\nhypotheses:\n  - {id: H1, path: 'TR ~ PI', sign: '+'}\noutput: {dir: out}\n",
        encoding="utf-8")
    return run_study(load_study(folder / "study.yaml"))


@pytest.fixture(scope="module")
def process_study(tmp_path_factory: pytest.TempPathFactory) -> StudyResult:
    folder = tmp_path_factory.mktemp("messages-process")
    data = pd.read_csv(FIXTURES / "process" / "process_model7" / "data.csv")
    data["CEd"] = (data.CE > data.CE.median()).astype(float)
    data.to_csv(folder / "data.csv", index=False)
    (folder / "study.yaml").write_text(
        "title: 有调节的中介\nlanguage: zh\ndata: data.csv\nmodel_syntax: |\n  TR ~ PI\n  PU ~ TR + PI\n"
        "process:\n  - {model: 7, x: PI, m: [TR], w: CEd, y: PU, boot: 200}\n"
        "  - {model: 7, x: PI, m: [TR], w: CE, y: PU, boot: 200}\noutput: {dir: out}\n", encoding="utf-8")
    return run_study(load_study(folder / "study.yaml"))


def test_heywood_report_in_chinese(heywood_zh: StudyResult) -> None:
    assert [m.code for m in heywood_zh.sem.warning_codes] == ["heywood"]
    _says_it_in_chinese(
        heywood_zh,
        ("improper solution", "Heywood case", "negative variance estimates"),
        ("解不合理（Heywood 案例）：方差估计值为负：b1 ~~ b1（-0.122）。",))
    doc = json.loads(json.dumps(heywood_zh.to_dict(), ensure_ascii=False))
    assert doc["warning_codes"][0]["code"] == "heywood" and doc["warnings"] == list(heywood_zh.sem.warnings)
    assert doc["measurement"]["level"] == 0.95 and "htmt_liberal" in doc["measurement"]["thresholds"]


def test_heywood_report_in_english_says_the_same(heywood_zh: StudyResult) -> None:
    en = _plain(render_html(_in(heywood_zh, "en"), today=TODAY))
    assert "Improper solution (Heywood case): negative variance estimates: b1 ~~ b1 (-0.122)." in en


def test_intake_report_in_chinese(intake_study: StudyResult) -> None:
    codes = [m.code for m in _records(intake_study)]
    assert {"mahalanobis_incomplete", "ml_adequate", "fiml_missing"} <= set(codes)
    _says_it_in_chinese(
        intake_study,
        ("respondent(s) with missing items were not screened", "mahalanobis:", "MLR recommended",
         "FIML recommended", "of item answers are missing", "severely non-normal", "Screening notes"),
        ("筛查说明：马氏距离规则：1 名有缺失题项的受访者未按此规则筛查",
         "Mardia 多元偏度与峰度在 p < .001 水平均不显著，且无严重非正态题项：ML 即可。",
         "题项作答缺失 0.1%：建议采用 FIML"))


def test_intake_report_in_english_says_the_same(intake_study: StudyResult) -> None:
    en = _plain(render_html(_in(intake_study, "en"), today=TODAY))
    assert "Screening notes: Mahalanobis rule: 1 respondent(s) with missing items were not screened" in en
    assert ("Mardia’s skewness and kurtosis are not significant at p < .001 and no item is severely non-normal: "
            "ML is adequate.") in en
    assert "0.1% of the item answers are missing: FIML recommended" in en


def test_process_report_in_chinese(process_study: StudyResult) -> None:
    assert [[m.code for m in p.note_codes] for p in process_study.process] == [
        ["jn_dichotomous", "total_effect_conditional"], ["total_effect_conditional"]]
    _says_it_in_chinese(
        process_study,
        ("Johnson-Neyman: not computed", "is dichotomous", "total effect: not reported",
         "with a moderator it is conditional"),
        ("未对 TR 方程中 PI 的效应使用 Johnson–Neyman 法：调节变量 CEd 为二分变量。",
         "模型 7 不报告总效应：存在调节变量时，总效应随调节变量而变化。"))
    doc = process_study.to_dict()
    assert doc["process"][0]["note_codes"][0]["code"] == "jn_dichotomous"


def test_process_report_in_english_says_the_same(process_study: StudyResult) -> None:
    en = _plain(render_html(_in(process_study, "en"), today=TODAY))
    assert "Johnson–Neyman technique not applied to PI in the equation of TR: the moderator CEd is dichotomous." in en
    assert en.count("The total effect is not reported for model 7: with a moderator it is conditional.") == 2


def test_study_notes_in_the_header() -> None:
    note = Message("latent_product", SAMPLES["latent_product"], "X:W is estimated as the latent product XW")
    study = dataclasses.replace(_heywood_study(), language="zh", notes=(note.text, "Bollen (1989) example."),
                                note_codes=(note,))
    notes = build_context(study, today=TODAY)["header"]["notes"]
    assert notes == ["X:W 以潜变量乘积 XW 估计，其指标为配对指标经双重均值中心化后的乘积（x1.w1、x2.w2）。",
                     "Bollen (1989) example."]
    assert study.to_dict()["study"]["note_codes"][0]["code"] == "latent_product"

"""The context builder: which sections exist, and what their rows say (strings only)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

from semxhs.report.context import SECTION_BUILDERS, build_context, ci_level
from semxhs.report.format import DASH
from semxhs.sem.model import fit
from semxhs.sem.results import SemResult
from semxhs.study.results import StudyResult

from .report_helpers import TODAY, make_study

LAVAAN = Path(__file__).resolve().parents[1] / "fixtures" / "lavaan"


def _section(ctx: dict, section_id: str) -> dict:
    return next(s for s in ctx["sections"] if s["id"] == section_id)


def _rows(ctx: dict, table_id: str) -> list[list[str]]:
    for s in ctx["sections"]:
        for t in s["tables"]:
            if t["id"] == table_id:
                return [r["cells"] for r in t["rows"]]
    raise KeyError(table_id)


def test_context_is_plain_json(study_en: StudyResult) -> None:
    ctx = build_context(study_en, today=TODAY)
    assert json.loads(json.dumps(ctx, ensure_ascii=False)) == ctx


def test_sections_in_order(study_en: StudyResult) -> None:
    ctx = build_context(study_en, today=TODAY)
    assert [s["id"] for s in ctx["sections"]] == [
        "warnings", "fit", "measurement", "structural", "path-diagram", "defined", "r2", "hypotheses", "covariances"]
    captions = [t["caption"] for s in ctx["sections"] for t in s["tables"]]
    assert captions == [f"Table {i}" for i in range(1, len(captions) + 1)]


def test_header(study_zh: StudyResult) -> None:
    header = build_context(study_zh, today=TODAY)["header"]
    values = {r["label"]: r["value"] for r in header["rows"]}
    assert values["有效样本量（N）"] == "75"
    assert values["删除的样本数"] == "0"
    assert values["估计方法"] == "最大似然法（ML）"
    assert values["数据 SHA-256"] == "9f86d081884c"
    assert values["日期"] == "2024-05-01"
    assert values["semxhs 版本"] == "0.1.0"


def test_fit_rows(study_en: StudyResult) -> None:
    rows = {r[0]: r[1:] for r in _rows(build_context(study_en), "table-fit")}
    assert rows["χ²(df)"][0] == "38.13 (35)"
    assert rows["p (χ² test)"][0] == ".329"
    assert rows["χ²/df"] == ["1.09", "≤ 3", "Met"]
    assert rows["CFI"] == [".995", "≥ .95 good; ≥ .90 acceptable", "Good"]
    assert rows["TLI"][0] == ".993"
    assert rows["RMSEA [90% CI]"] == [".035 [.000, .092]", "≤ .06 good; ≤ .08 acceptable", "Good"]
    assert rows["SRMR"] == [".044", "≤ .08", "Met"]
    note = " ".join(_section(build_context(study_en), "fit")["tables"][0]["notes"])
    assert "Hu and Bentler (1999)" in note and "Browne and Cudeck (1993)" in note


@pytest.mark.parametrize("cfi,rmsea,expected", [
    (0.94951, 0.06049, ("Good", "Good")),       # judged as printed: .950 and .060
    (0.93, 0.07, ("Acceptable", "Acceptable")),
    (0.85, 0.12, ("Not met", "Not met")),
])
def test_fit_evaluation_on_printed_values(poldem: SemResult, cfi: float, rmsea: float,
                                          expected: tuple[str, str]) -> None:
    sem = dataclasses.replace(poldem, fit=dataclasses.replace(poldem.fit, cfi=cfi, rmsea=rmsea))
    rows = {r[0]: r for r in _rows(build_context(make_study(sem, "en")), "table-fit")}
    assert rows["CFI"][3] == expected[0]
    assert rows["RMSEA [90% CI]"][3] == expected[1]


def test_fit_missing_index_is_a_dash(poldem: SemResult) -> None:
    sem = dataclasses.replace(poldem, fit=dataclasses.replace(poldem.fit, tli=float("nan"), df=0))
    rows = {r[0]: r for r in _rows(build_context(make_study(sem, "en")), "table-fit")}
    assert rows["TLI"][1:] == [DASH, "≥ .95 good; ≥ .90 acceptable", DASH]
    assert rows["χ²/df"][1] == DASH and rows["χ²/df"][3] == DASH


def test_measurement_rows_show_fixed_markers(study_en: StudyResult, study_zh: StudyResult) -> None:
    rows = _rows(build_context(study_en), "table-measurement")
    assert rows[0] == ["ind60", "x1", "1.000 (fixed)", DASH, ".920", DASH]
    assert rows[1] == ["", "x2", "2.180", "0.139", ".973", "< .001"]
    assert [r[0] for r in rows].count("dem60") == 1
    assert _rows(build_context(study_zh), "table-measurement")[0][2] == "1.000（固定）"


def test_structural_rows(study_en: StudyResult) -> None:
    ctx = build_context(study_en)
    rows = _rows(ctx, "table-structural")
    assert rows[0] == ["dem60 ← ind60 (a)", "1.483", "0.399", "3.72", "< .001", ".447", "[0.701, 2.265]"]
    assert rows[1][4] == ".010"
    headers = [c["label"] for c in _section(ctx, "structural")["tables"][0]["columns"]]
    assert headers[-1] == "95% CI"


def test_defined_covariance_r2_rows(study_en: StudyResult) -> None:
    ctx = build_context(study_en)
    assert _rows(ctx, "table-defined")[0][:3] == ["indirect", "a*b", "1.242"]
    covs = _rows(ctx, "table-covariances")
    assert covs[0][:2] == ["y1 ↔ y5", "Residual covariance"]
    variances = {r[0]: r for r in _rows(ctx, "table-variances")}
    assert variances["ind60"][1] == "Variance" and variances["dem60"][1] == "Residual variance"
    r2 = _rows(ctx, "table-r2")
    assert r2[0] == ["dem60", "Latent", ".200"] and r2[1] == ["dem65", "Latent", ".961"]


def test_hypotheses_in_words(study_en: StudyResult, study_zh: StudyResult) -> None:
    rows = _rows(build_context(study_en), "table-hypotheses")
    assert [r[0] for r in rows] == ["H1", "H2", "H3", "H4"]
    assert rows[0][2:] == ["dem60 ← ind60", "+", "1.483", ".447", "< .001", "[0.701, 2.265]", "Supported"]
    assert rows[2][3] == "\u2212" and rows[2][-1] == "Not supported"
    assert rows[3][2] == "indirect"
    zh_rows = _rows(build_context(study_zh), "table-hypotheses")
    assert [r[-1] for r in zh_rows] == ["支持", "支持", "不支持", "支持"]
    note = _section(build_context(study_en), "hypotheses")["tables"][0]["notes"][0]
    assert "α = .05" in note


def test_ok_status_block(study_en: StudyResult) -> None:
    block = _section(build_context(study_en), "warnings")
    assert block["alert"] is False
    assert "converged in" in block["paragraphs"][0]


def test_warnings_block(poldem: SemResult) -> None:
    bad = dataclasses.replace(poldem, converged=False, improper=True, iterations=500,
                              warnings=("negative variance estimates: y1 ~~ y1 (-0.122)",))
    block = _section(build_context(make_study(bad, "en")), "warnings")
    assert block["alert"] is True
    text = " ".join(block["paragraphs"])
    assert "did not converge" in text and "500 iterations" in text and "improper" in text
    assert block["bullets"] == ["negative variance estimates: y1 ~~ y1 (-0.122)"]
    only_warning = dataclasses.replace(poldem, warnings=("something odd",))
    assert _section(build_context(make_study(only_warning, "zh")), "warnings")["alert"] is True


def _fit_case(name: str) -> SemResult:
    folder = LAVAAN / name
    return fit((folder / "model.lav").read_text(encoding="utf-8"), pd.read_csv(folder / "data.csv"))


def test_optional_sections_follow_the_data() -> None:
    study = StudyResult("Means", "en", _fit_case("meanstructure"), (), "d.csv", "m.lav", "", "0.1.0")
    ids = [s["id"] for s in build_context(study)["sections"]]
    assert "intercepts" in ids and "hypotheses" not in ids and "defined" not in ids
    rows = {r[0]: r for r in _rows(build_context(study), "table-intercepts")}
    assert rows["x1"][1:4] == ["Intercept", "0.000 (fixed)", DASH]
    assert rows["f"][1] == "Mean"


def test_path_model_has_no_measurement_section() -> None:
    import numpy as np

    rng = np.random.default_rng(5)
    x = rng.normal(size=150)
    m = 0.4 * x + rng.normal(size=150)
    y = 0.3 * m + rng.normal(size=150)
    sem = fit("m ~ x\ny ~ m + x", pd.DataFrame({"x": x, "m": m, "y": y}))
    study = StudyResult("Path", "en", sem, (), "d.csv", "m.lav", "", "0.1.0")
    ctx = build_context(study)
    assert "measurement" not in [s["id"] for s in ctx["sections"]]
    assert {r["label"]: r["value"] for r in ctx["header"]["rows"]}["Data SHA-256"] == DASH


def test_ci_level_read_back() -> None:
    import numpy as np

    rng = np.random.default_rng(2)
    x = rng.normal(size=120)
    df = pd.DataFrame({"x": x, "y": 0.3 * x + rng.normal(size=120)})
    sem = fit("y ~ x", df, level=0.90)
    assert ci_level(sem) == pytest.approx(0.90)
    ctx = build_context(StudyResult("CI", "en", sem, (), "d", "m", "", "0.1.0"))
    assert _section(ctx, "structural")["tables"][0]["columns"][-1]["label"] == "90% CI"


def test_a_new_section_is_a_function(study_en: StudyResult) -> None:
    """Adding a section: a builder returning None when its data is absent (here: no ``measurement``)."""
    def quality(result: StudyResult, t: dict) -> dict | None:
        if getattr(result, "measurement", None) is None:
            return None
        raise AssertionError("unreachable in this test")

    ids = [s["id"] for s in build_context(study_en, builders=(*SECTION_BUILDERS, quality))["sections"]]
    assert "quality" not in ids and ids[0] == "warnings"

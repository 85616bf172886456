"""Screening removes exactly the planted careless respondents; the files go next to the input."""

from __future__ import annotations

import hashlib
import shutil

import numpy as np
import pandas as pd
import pytest

from semxhs.errors import DataError, InputFileError, StudyError
from semxhs.survey.screening import (
    RULE_ORDER,
    ScreeningRules,
    irv,
    longstring,
    screen,
    screen_file,
    write_screening,
)


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def export(tmp_path, intake_dir):
    """A private copy of the Wenjuanxing text export (tests must not write into the fixtures)."""
    path = tmp_path / "wjx_text.xlsx"
    shutil.copyfile(intake_dir / "wjx_text.xlsx", path)
    return path


def test_screen_removes_exactly_the_planted(export, instrument, planted):
    before = sha(export)
    run = screen_file(export, instrument)
    result = run.screening
    careless = {k: v for k, v in planted.items() if k != "skipped_PU3"}
    expected_rows = sorted(r for rows in careless.values() for r in rows)
    assert list(result.excluded_rows()) == expected_rows
    assert result.n_received == 112 and result.n_analysed == 100

    # the flow counts each respondent once, first rule in RULE_ORDER wins
    flow = {s.rule: s.excluded for s in result.flow if s.rule}
    assert flow == {"attention": 4, "speed": 4, "longstring": 3, "mahalanobis": 1}
    assert [s.remaining for s in result.flow] == [112, 108, 104, 101, 100, 100]
    assert result.flow[0].stage == "received" and result.flow[-1].stage == "analysed"

    counted = {(e.row, e.rule) for e in result.log if e.counted}
    assert (planted["speed+straight"][0], "speed") in counted
    assert (planted["attention+speed"][0], "attention") in counted
    also = {(e.row, e.rule) for e in result.log if not e.counted}
    assert also == {(planted["speed+straight"][0], "longstring"), (planted["attention+speed"][0], "speed")}
    log = result.to_frame()
    assert list(log.columns) == ["respondent", "row", "rule", "value", "threshold", "detail", "counted"]
    by_rule = log[log.counted].groupby("rule")["row"].apply(sorted).to_dict()
    assert by_rule["attention"] == sorted(planted["attention"] + planted["attention+speed"])
    assert by_rule["speed"] == sorted(planted["speed"] + planted["speed+straight"])
    assert by_rule["longstring"] == planted["straight"]
    assert by_rule["mahalanobis"] == planted["outlier"]
    # thresholds as applied
    assert result.thresholds["speed_min_seconds"] == pytest.approx(result.thresholds["speed_median_seconds"] / 3)
    assert result.thresholds["longstring_min"] == 12
    assert result.notes == ("mahalanobis: 1 respondent(s) with missing items were not screened",)

    # files next to the input, input untouched
    assert sha(export) == before
    files = run.files
    assert files.cleaned == export.with_name("wjx_text.cleaned.csv")
    assert files.exclusions == export.with_name("wjx_text.exclusions.csv")
    cleaned = pd.read_csv(files.cleaned, encoding="utf-8-sig")
    assert len(cleaned) == 100 and not set(cleaned["序号"]) & set(expected_rows)
    exclusions = pd.read_csv(files.exclusions, encoding="utf-8-sig")
    assert len(exclusions) == len(result.log) and exclusions["counted"].sum() == 12
    assert pd.read_csv(files.flow, encoding="utf-8-sig")["remaining"].tolist() == [112, 108, 104, 101, 100, 100]
    assert not list(export.parent.glob("*.tmp"))

    rows = {r["step"]: r["n"] for r in run.provenance.to_dict()["rows"]}
    assert rows == {"read": 112, "valid": 112, "screened": 100, "complete_cases": 99}
    assert run.provenance.sha256 == before


def test_out_folder_and_refusing_to_overwrite(export, instrument, tmp_path):
    result = screen_file(export, instrument, out=tmp_path / "screened").screening
    assert (tmp_path / "screened" / "wjx_text.cleaned.csv").is_file()
    # A name clash with the input can only come through a link: refuse, and leave the input alone.
    trap = tmp_path / "trap"
    trap.mkdir()
    (trap / "wjx_text.cleaned.csv").symlink_to(export)
    before = sha(export)
    with pytest.raises(InputFileError, match="refusing to overwrite the input file"):
        write_screening(result, export, out=trap)
    assert sha(export) == before
    with pytest.raises(InputFileError, match="must be a folder"):
        write_screening(result, export, out=export)


def test_rules_switch_off_and_thresholds(instrument, coded, planted):
    rules = ScreeningRules(attention=False, mahalanobis=False, speed_fraction=0.2)
    result = screen(coded, instrument, rules)
    assert [s.rule for s in result.flow if s.rule] == ["speed", "longstring"]
    # 40-69 s speeders are all under 0.2 x ~300 s as well
    assert {e.rule for e in result.log} == {"speed", "longstring"}
    absolute = screen(coded, instrument, {"speed": {"min_seconds": 45}, "mahalanobis": False,
                                          "attention": False, "longstring": False})
    assert all(e.value < 45 for e in absolute.log)
    irv_only = screen(coded, instrument, {"irv": {"max": 0.0}, "speed": False, "attention": False,
                                          "longstring": False, "mahalanobis": False})
    straight = sorted(planted["straight"] + planted["speed+straight"])
    assert sorted(e.row for e in irv_only.log) == straight


def test_rules_dict_round_trip_and_errors():
    rules = ScreeningRules.from_dict({"speed": {"fraction_of_median": 0.25}, "irv": True})
    assert rules.to_dict()["speed"] == {"enabled": True, "fraction_of_median": 0.25, "min_seconds": None}
    assert ScreeningRules.from_dict(rules.to_dict()) == rules
    assert rules.enabled() == ("attention", "speed", "longstring", "irv", "mahalanobis") == RULE_ORDER
    with pytest.raises(StudyError) as info:
        ScreeningRules.from_dict({"speed": {"fraction_of_median": 3}, "mahalanobis": {"p": "small"},
                                  "longstring": {"min_run": 1}, "irv": "yes"})
    message = str(info.value)
    for fragment in ("'fraction_of_median' must be between 0 and 1, got 3", "mahalanobis: 'p' must be",
                     "'min_run' must be a whole number >= 2", "irv: expected true, false or a mapping"):
        assert fragment in message


def test_screen_needs_usable_columns(instrument, coded):
    frame = coded.drop(columns=["所用时间", "AC1"])
    frame["PI1"] = frame["PI1"].astype(object)
    frame.loc[0, "PI1"] = "同意"
    with pytest.raises(DataError) as info:
        screen(frame, instrument)
    message = str(info.value)
    assert "'PI1': not numbers in rows 1 (同意)" in message
    assert "item 'AC1' is not in the data" in message
    assert "the speed rule is on but '所用时间' is not in the data" in message
    bad = coded.copy()
    bad["所用时间"] = bad["所用时间"].astype(object)
    bad.loc[2, "所用时间"] = "很快"
    with pytest.raises(DataError, match=r"'所用时间': not a duration in rows 3 \(很快\)"):
        screen(bad, instrument)


def test_screen_file_reports_import_and_validation_problems_together(tmp_path, intake_dir, instrument):
    from semxhs.survey.files import read_data

    frame = read_data(intake_dir / "wjx_text.xlsx").frame.copy()
    frame.loc[0, "5、博主会及时回复我的评论"] = "很同意"
    frame = frame.drop(columns=["13.博主的推荐会提高我的购买可能性"])
    frame["序号"] = frame["序号"].where(frame.index != 5, 1)
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    with pytest.raises(DataError) as info:
        screen_file(path, instrument)
    message = str(info.value)
    assert "no column found for 'PU4'" in message
    assert "'PI2' (column '5、博主会及时回复我的评论'): unknown answer '很同意' in rows 1" in message
    assert "'序号': duplicated respondent ids in rows 1 (1), 6 (1)" in message
    assert message.count("PU4") == 1
    assert not list(tmp_path.glob("bad.*.csv"))


def test_pure_indices():
    x = np.array([[1, 1, 2, 2, 2], [3, np.nan, 3, 3, 4]], dtype=float)
    assert longstring(x).tolist() == [3, 2]
    assert irv(x)[0] == pytest.approx(np.std([1, 1, 2, 2, 2], ddof=1))


def test_rules_without_inputs_are_skipped_with_a_note(tmp_path):
    from pathlib import Path

    from semxhs.survey.instrument import load_instrument

    root = Path(__file__).resolve().parents[2] / "surveys" / "demo"
    data = tmp_path / "responses.csv"
    shutil.copyfile(root / "responses.csv", data)
    run = screen_file(data, load_instrument(root / "instrument.yaml"))
    result = run.screening
    assert [s.rule for s in result.flow if s.rule] == ["longstring", "mahalanobis"]
    assert not result.rules.attention and not result.rules.speed
    assert result.notes == ("attention: the instrument declares no attention_checks; rule not applied",
                            "speed: no completion-time column (instrument 'duration'); rule not applied")
    assert run.mcar is None and run.normality is not None and run.missing.n_missing_cells == 0


def test_run_includes_missing_data_and_normality(export, instrument):
    run = screen_file(export, instrument, write=False)
    assert run.missing.n_missing_cells == 1 and run.mcar is not None and run.mcar.df > 0
    assert run.normality.recommendation.missing == "fiml"
    assert run.to_dict()["mcar"]["n_patterns"] == 2

"""Issue 9, "silent data loss in survey decoding": markers only as whole cells, digits always codes,
every non-empty cell decoded, missing by a named marker, or an error; the decoding summary shown.

Fixtures: ``tests/fixtures/intake/make_decoding_fixtures.py`` (two 300-row Wenjuanxing exports
that lost answers before the fix: 202 and 74 complete rows instead of 295 and 300).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from semxhs.errors import DataError
from semxhs.survey.decoding import decode_column
from semxhs.survey.instrument import ResponseScale
from semxhs.survey.platforms import import_survey, read_survey

ITEMS = ["PI1", "PI2", "PI3", "PI4", "AC1", "TR1", "TR2", "TR3", "TR4", "PU1", "PU2", "PU3", "PU4"]
MODEL = """PI =~ PI1 + PI2 + PI3 + PI4
TR =~ TR1 + TR2 + TR3 + TR4
PU =~ PU1 + PU2 + PU3 + PU4
TR ~ PI
PU ~ TR + PI
"""
SCALE7 = ResponseScale(7, 1, {1: ("非常不同意", "Strongly disagree"), 4: ("一般", ""), 7: ("非常同意", "")},
                       {"中立": 4})
WJX = ["(跳过)", "(空)", "-3"]


@pytest.fixture(scope="module")
def truth(intake_dir) -> pd.DataFrame:
    return pd.read_csv(intake_dir / "decoding_truth.csv", encoding="utf-8")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "semxhs", *args], capture_output=True, text=True, timeout=300,
                          check=False)


def _decoding_row(stdout: str, column: str) -> str:
    """The line of ``column`` in the printed decoding table."""
    lines = stdout.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("Answers decoded per column"))
    return next(line for line in lines[start:] if line.startswith(f"{column} "))


# --------------------------------------------------------------------------- cell rules

def test_marker_minus3_never_matches_a_genuine_3():
    codes, col = decode_column(["3", "-3", "3", 3, -3, "－3", " -3 "], SCALE7, markers=WJX, column="q")
    np.testing.assert_array_equal(codes, [3, np.nan, 3, 3, np.nan, np.nan, np.nan])
    assert dict(col.markers) == {"-3": 4} and col.from_digits == 3 and col.n_errors == 0


def test_markers_are_whole_cells_only():
    cells = ["(跳过)", "（跳过）", "跳过", "(跳过)3", "空", "(空)", " (空) "]
    codes, col = decode_column(cells, SCALE7, markers=WJX, column="q")
    # full-width brackets and surrounding spaces are the same cell; "跳过" or "空" alone are not markers
    assert dict(col.markers) == {"(跳过)": 2, "(空)": 2}
    assert sorted(e.value for e in col.errors) == ["(跳过)3", "空", "跳过"]
    assert np.isnan(codes).all()


def test_text_that_only_normalises_to_a_digit_is_an_error_not_a_code():
    codes, col = decode_column(["—3", "(3)", "3分", "nan", "inf", "1e1"], SCALE7, markers=WJX, column="q")
    assert np.isnan(codes).all() and col.n_errors == 6 and col.decoded == 0


def test_digits_labels_aliases_full_width_and_numbers_in_text_columns():
    cells = ["非常不同意", "２", "3.0", " 5 ", 6, 7.0, "中立", "strongly disagree", "非常 同意。"]
    codes, col = decode_column(cells, SCALE7, markers=WJX, column="q")
    assert codes.tolist() == [1, 2, 3, 5, 6, 7, 4, 1, 7]
    assert (col.from_digits, col.from_labels, col.missing_by_marker, col.n_errors) == (5, 4, 0, 0)


def test_blank_cells_are_counted_apart():
    _, col = decode_column([None, math.nan, "", "  ", pd.NA, 4], SCALE7, markers=WJX, column="q")
    assert (col.n, col.empty, col.nonempty, col.decoded) == (6, 5, 1, 1)


def test_every_nonempty_cell_is_accounted_for():
    rng = np.random.default_rng(3)
    pool = ["1", "3", "-3", "(跳过)", "(空)", "很同意", 3, -3, "非常同意", None, "", "x", 2.5]
    cells = [pool[k] for k in rng.integers(0, len(pool), size=500)]
    _, col = decode_column(cells, SCALE7, markers=WJX, column="q")
    assert col.nonempty == col.decoded + col.missing_by_marker + col.n_errors
    assert col.n == col.nonempty + col.empty


def test_marker_that_is_a_code_of_the_scale_is_an_error():
    scale = ResponseScale(7, -3)  # -3 .. 3
    codes, col = decode_column([-3, "-3", 2], scale, markers=WJX, column="q")
    assert [(e.value, e.reason, e.rows) for e in col.errors] == [("-3", "ambiguous", (1, 2))]
    assert codes[2] == 2
    frame = pd.DataFrame({"序号": [1, 2], "提交答卷时间": ["x", "y"], "所用时间": ["1秒", "2秒"], "q": ["-3", "2"]})
    from semxhs.survey.instrument import parse_instrument

    inst = parse_instrument({"scale": {"points": 7, "min": -3}, "constructs": [{"id": "A"}],
                             "items": [{"id": "q", "construct": "A"}]})
    survey = import_survey(frame, inst)
    with pytest.raises(DataError, match=r"'q': '-3' is both a missing-answer marker of wenjuanxing and a code "
                                        r"of the scale in rows 1; give --platform generic"):
        survey.raise_if_problems()
    assert import_survey(frame, inst, platform="generic").ok


def test_undecodable_cell_is_an_error_naming_column_header_rows_and_value(intake_dir):
    frame = pd.read_csv(intake_dir / "wjx_skip_markers.csv", encoding="utf-8-sig")
    column = "10、我愿意在小红书上购买博主推荐的商品"
    frame[column] = frame[column].astype(object)
    frame.loc[[2, 4, 6, 8, 10, 12, 14], column] = "同 意吗"
    survey = import_survey(frame, _instrument(intake_dir))
    assert not survey.ok
    with pytest.raises(DataError) as info:
        survey.raise_if_problems()
    assert (f"'PU1' (column '{column}'): unknown answer '同 意吗' in rows 3, 5, 7, 9, 11 and 2 more"
            in str(info.value))
    col = {c.column: c for c in survey.decoding.columns}["PU1"]
    assert (col.n_errors, col.missing_by_marker, col.decoded) == (7, 2, 291)


def _instrument(intake_dir):
    from semxhs.survey.instrument import load_instrument

    return load_instrument(intake_dir / "instrument.yaml")


# --------------------------------------------------------------------------- the two exports of the issue

def test_skip_markers_export_keeps_every_answer(intake_dir, instrument, truth):
    survey = read_survey(intake_dir / "wjx_skip_markers.csv", instrument)
    assert survey.ok, survey.message()
    assert survey.platform == "wenjuanxing" and len(survey.frame) == 300
    np.testing.assert_array_equal(survey.frame[ITEMS].to_numpy(dtype=float), truth[ITEMS].to_numpy(dtype=float))
    planted = json.loads((intake_dir / "decoding_markers.json").read_text(encoding="utf-8"))
    markers = survey.decoding.marker_frame()
    expected = pd.DataFrame(planted).groupby(["item", "marker"], sort=False).size()
    assert {(r.column, r.marker): r.n for r in markers.itertuples()} == expected.to_dict()
    assert survey.skipped == {"PI2": 1, "TR1": 1, "PU1": 2, "PU3": 1}
    table = survey.decoding.to_frame().set_index("column")
    assert (table["nonempty"] == 300).all() and table["errors"].sum() == 0
    assert table.loc["PU1", "decoded"] == 298 and table.loc["PI1", "decoded"] == 300
    # genuine 3s beside the markers are kept
    for item in ("PI2", "TR1", "PU1", "PU3"):
        assert (survey.frame[item] == 3).sum() == (truth[item] == 3).sum() > 20
    assert int(np.isfinite(survey.frame[ITEMS].to_numpy(dtype=float)).all(axis=1).sum()) == 295


def test_endpoint_labels_export_keeps_n_300(intake_dir, instrument, truth):
    survey = read_survey(intake_dir / "wjx_endpoint_labels.xlsx", instrument)
    assert survey.ok, survey.message()
    assert survey.answer_format == "mixed" and len(survey.frame) == 300
    got = survey.frame[ITEMS].to_numpy(dtype=float)
    assert np.isfinite(got).all()
    known = truth[ITEMS].to_numpy(dtype=float)  # the same codes, with holes where the other file has markers
    mask = np.isfinite(known)
    assert mask.sum() == 300 * 13 - 5
    np.testing.assert_array_equal(got[mask], known[mask])
    table = survey.decoding.to_frame().set_index("column")
    assert (table["decoded"] == 300).all() and (table["missing_by_marker"] == 0).all()
    assert (table["from_labels"] == ((survey.frame[table.index] == 1) | (survey.frame[table.index] == 7)).sum()).all()
    assert survey.to_dict()["decoding"][0]["column"] == "PI1"


def test_instrument_check_says_what_it_decoded(intake_dir):
    proc = _cli("instrument", "check", str(intake_dir / "instrument.yaml"),
                "--data", str(intake_dir / "wjx_endpoint_labels.xlsx"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Answers decoded per column" in out
    pi1 = _decoding_row(out, "PI1")
    assert pi1.split()[:5] == ["PI1", "300", "300", "290", "10"]
    assert "3,900 non-empty answer cells: 3,900 decoded (3,761 from digits, 139 from labels), 0 missing" in out
    assert "300 responses map to the instrument without problems" in out

    proc = _cli("instrument", "check", str(intake_dir / "instrument.yaml"),
                "--data", str(intake_dir / "wjx_skip_markers.csv"))
    assert proc.returncode == 0, proc.stderr
    pu1 = _decoding_row(proc.stdout, "PU1")
    assert pu1.split()[:5] == ["PU1", "300", "298", "298", "0"] and "2 ((跳过) ×1, -3 ×1)" in pu1
    assert "5 missing by a marker ((跳过) ×2, (空) ×1, -3 ×2)" in proc.stdout


def test_instrument_check_refuses_an_undecodable_cell(intake_dir, tmp_path):
    frame = pd.read_csv(intake_dir / "wjx_skip_markers.csv", encoding="utf-8-sig")
    frame["4、我可以在小红书上与博主进行互动"] = frame["4、我可以在小红书上与博主进行互动"].astype(object)
    frame.loc[41, "4、我可以在小红书上与博主进行互动"] = "3 "
    frame.loc[42, "4、我可以在小红书上与博主进行互动"] = "三"
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    proc = _cli("instrument", "check", str(intake_dir / "instrument.yaml"), "--data", str(path))
    assert proc.returncode == 2
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 1 and "Traceback" not in proc.stderr
    assert errors[0].startswith("semxhs: error: survey import: 'PI1' (column '4、我可以在小红书上与博主进行互动'): "
                                "unknown answer '三' in rows 43")


def test_fit_with_instrument_keeps_the_answers_and_prints_the_decoding(intake_dir, tmp_path):
    model = tmp_path / "model.lav"
    model.write_text(MODEL, encoding="utf-8")
    out = tmp_path / "fit.json"
    proc = _cli("fit", str(model), str(intake_dir / "wjx_skip_markers.csv"), "--instrument",
                str(intake_dir / "instrument.yaml"), "--no-measurement", "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["n_obs"] == 295  # 300 rows, five marker cells in five rows (the bug left 202)
    decoding = {c["column"]: c for c in doc["survey"]["decoding"]}
    assert decoding["PU1"]["markers"] == {"(跳过)": 1, "-3": 1} and decoding["PU1"]["decoded"] == 298
    assert decoding["PI1"] == {**decoding["PI1"], "nonempty": 300, "decoded": 300, "errors": 0}
    assert "2 ((跳过) ×1, -3 ×1)" in _decoding_row(proc.stdout, "PU1")


def test_screen_and_run_print_the_decoding(intake_dir, tmp_path):
    import shutil

    for name in ("wjx_endpoint_labels.xlsx", "instrument.yaml"):
        shutil.copy(intake_dir / name, tmp_path / name)
    proc = _cli("screen", str(tmp_path / "wjx_endpoint_labels.xlsx"), "--instrument", str(tmp_path / "instrument.yaml"),
                "--out", str(tmp_path / "screened"))
    assert proc.returncode == 0, proc.stderr
    assert "Answers decoded per column" in proc.stdout
    assert "3,900 non-empty answer cells: 3,900 decoded" in proc.stdout

    (tmp_path / "model.lav").write_text(MODEL, encoding="utf-8")
    (tmp_path / "study.yaml").write_text(
        "title: t\ndata: wjx_endpoint_labels.xlsx\nmodel: model.lav\ninstrument: instrument.yaml\n"
        "measurement: false\noutput: {dir: out, html: null, docx: null, json: results.json}\n", encoding="utf-8")
    proc = _cli("run", str(tmp_path / "study.yaml"))
    assert proc.returncode == 0, proc.stderr
    assert "Answers decoded per column" in proc.stdout and "3,761 from digits, 139 from labels" in proc.stdout
    doc = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert doc["n_obs"] == 300 and len(doc["survey"]["decoding"]) == 13


def test_many_unknown_values_in_one_column_stay_one_readable_line(intake_dir, instrument):
    frame = pd.read_csv(intake_dir / "wjx_skip_markers.csv", encoding="utf-8-sig")
    column = "6、我能在小红书上方便地表达自己的看法"
    frame[column] = frame[column].astype(object)
    for row, value in enumerate(["a", "b", "c", "d", "e", "e"]):
        frame.loc[row, column] = value
    message = import_survey(frame, instrument).message()
    assert message.count("unknown answer '") == 3
    assert message.endswith(f"'PI3' (column '{column}'): 2 more unknown answer values in 3 cells")
    assert "\n" not in message


def test_decoding_text_in_chinese(intake_dir, instrument):
    from semxhs.report.decoding import decoding_text

    survey = read_survey(intake_dir / "wjx_skip_markers.csv", instrument)
    text = decoding_text(survey.decoding, "zh")
    assert text.startswith("逐列解码答案")
    pu1 = next(line for line in text.splitlines() if line.startswith("PU1 "))
    assert pu1.split()[:5] == ["PU1", "300", "298", "298", "0"] and "2（(跳过) ×1、-3 ×1）" in pu1
    assert "因标记设为缺失 5 个（(跳过) ×2、(空) ×1、-3 ×2）" in text

"""One reading test per format: the codes of coded.csv come back from every file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from semxhs.errors import InputFileError
from semxhs.survey.files import detect_encoding, read_data, read_table
from semxhs.survey.platforms import read_survey

ITEMS = ["PI1", "PI2", "PI3", "PI4", "TR1", "TR2", "TR3", "TR4", "PU1", "PU2", "PU3", "PU4", "AC1"]


def same_codes(frame: pd.DataFrame, coded: pd.DataFrame) -> None:
    np.testing.assert_array_equal(frame[ITEMS].to_numpy(dtype=float), coded[ITEMS].to_numpy(dtype=float))


def test_gbk_csv_without_encoding_argument(intake_dir, coded, instrument):
    raw = (intake_dir / "wjx_codes_gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the fixture really is GBK
    table = read_data(intake_dir / "wjx_codes_gbk.csv")
    assert table.encoding == "gb18030" and table.encoding_detected
    assert "1、您的性别：" in table.frame.columns
    survey = read_survey(intake_dir / "wjx_codes_gbk.csv", instrument)
    assert survey.platform == "wenjuanxing" and survey.answer_format == "codes"
    assert survey.skipped == {"PU3": 1}  # Wenjuanxing's -3 (skipped) became missing
    same_codes(survey.frame, coded)


def test_gbk_csv_with_explicit_encoding(intake_dir):
    table = read_data(intake_dir / "wjx_codes_gbk.csv", "gbk")
    assert table.encoding == "gbk" and not table.encoding_detected
    assert table.frame.shape == (112, 22)


def test_wrong_explicit_encoding_is_one_clear_error(intake_dir):
    with pytest.raises(InputFileError, match="cannot decode wjx_codes_gbk.csv with encoding 'utf-8'"):
        read_table(intake_dir / "wjx_codes_gbk.csv", "utf-8")


def test_utf8_bom_csv(intake_dir, coded):
    assert (intake_dir / "responses_bom.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    table = read_data(intake_dir / "responses_bom.csv")
    assert table.encoding == "utf-8-sig"
    assert list(table.frame.columns[:2]) == ["序号", "所用时间"]  # no BOM glued to the first header
    same_codes(table.frame, coded)


def test_utf16_text(tmp_path, coded):
    path = tmp_path / "unicode.txt"
    coded[["序号", *ITEMS]].to_csv(path, sep="\t", index=False, encoding="utf-16")
    assert detect_encoding(path.read_bytes()) == "utf-16"
    same_codes(read_table(path), coded)


def test_wenjuanxing_xlsx(intake_dir):
    table = read_data(intake_dir / "wjx_text.xlsx")
    assert table.format == "excel" and table.sheet == "Sheet1"
    assert table.frame.shape == (112, 22)
    assert table.frame["PI1" if "PI1" in table.frame else "4、我可以在小红书上与博主进行互动"].iloc[0] in {
        "非常不同意", "不同意", "比较不同意", "一般", "比较同意", "同意", "非常同意"}
    with pytest.raises(InputFileError, match="has no sheet 'Data'; sheets: 'Sheet1'"):
        read_data(intake_dir / "wjx_text.xlsx", sheet="Data")


def test_spss_keeps_codes_and_records_labels(intake_dir, coded):
    table = read_data(intake_dir / "responses.sav")
    assert table.format == "spss"
    same_codes(table.frame, coded)
    assert table.value_labels["PI1"][7.0] == "非常同意" and table.value_labels["AC1"][1.0] == "非常不同意"
    assert table.variable_labels["PU1"] == "我愿意在小红书上购买博主推荐的商品"
    assert table.to_dict()["value_labels"]["PI1"]["7"] == "非常同意"
    pd.testing.assert_frame_equal(read_table(intake_dir / "responses.sav"), table.frame)


def test_stata_keeps_codes_and_records_labels(intake_dir, coded):
    table = read_data(intake_dir / "responses.dta")
    assert table.format == "stata"
    same_codes(table.frame, coded)
    assert list(table.frame.columns[:2]) == ["id", "duration"]
    assert table.value_labels["TR4"][1] == "非常不同意"
    assert table.variable_labels["TR4"] == "我怀疑小红书博主推荐商品的动机"


def test_unknown_and_old_formats(tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputFileError, match="old Excel 97-2003 .xls file: open it in Excel or WPS and save it as .xlsx"):
        read_table(tmp_path / "old.xls")
    (tmp_path / "data.json").write_text("{}")
    with pytest.raises(InputFileError, match="unknown extension '.json'"):
        read_table(tmp_path / "data.json")
    with pytest.raises(InputFileError, match="data file not found"):
        read_table(tmp_path / "none.csv")

"""Survey-platform exports mapped through the instrument; unknown headers and answers listed."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from semxhs.errors import DataError
from semxhs.survey.files import read_data
from semxhs.survey.platforms import (
    import_survey,
    parse_duration,
    parse_header,
    read_survey,
)

ITEMS = ["PI1", "PI2", "PI3", "PI4", "TR1", "TR2", "TR3", "TR4", "PU1", "PU2", "PU3", "PU4"]


def test_wenjuanxing_text_export_maps_to_codes(intake_dir, instrument, coded):
    survey = read_survey(intake_dir / "wjx_text.xlsx", instrument)
    assert survey.ok, survey.message()
    assert survey.platform == "wenjuanxing" and survey.answer_format == "text"
    how = {h.target: h.how for h in survey.headers}
    assert all(how[i] == "wording" for i in [*ITEMS, "AC1"])  # incl. "Q12. …", "13.…" and matrix rows "9、…—…"
    assert survey.unknown_headers == ("1、您的性别：", "2、您的年龄段：", "3、您使用小红书的频率：")
    assert survey.id_column == "序号" and survey.duration_column == "所用时间"
    assert survey.skipped == {"PU3": 1}  # "(跳过)"
    np.testing.assert_array_equal(survey.frame[[*ITEMS, "AC1"]].to_numpy(dtype=float),
                                  coded[[*ITEMS, "AC1"]].to_numpy(dtype=float))
    # meta and unmatched columns are kept, under their own names and in their order
    assert list(survey.frame.columns[:6]) == ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
    assert survey.frame["1、您的性别："].isin(["男", "女"]).all()
    durations = [parse_duration(v) for v in survey.frame["所用时间"]]
    np.testing.assert_array_equal(durations, coded["所用时间"].to_numpy(dtype=float))


def test_number_matching_when_headers_are_bare(instrument, coded):
    frame = coded[["序号", *ITEMS]].copy()
    frame.columns = ["序号"] + [f"Q{instrument.item(i).number.replace('.', '_')}" for i in ITEMS]
    survey = import_survey(frame, instrument)
    assert {h.how for h in survey.headers[1:]} == {"number"}
    assert [h.target for h in survey.headers[1:]] == ITEMS
    assert survey.missing_items == ("AC1",)  # the attention check is not in this frame


def test_unknown_header_is_reported_not_guessed(intake_dir, instrument):
    table = read_data(intake_dir / "wjx_text.xlsx")
    frame = table.frame.rename(columns={"6、我能在小红书上方便地表达自己的看法": "我能在小红书方便表达看法"})
    survey = import_survey(frame, instrument)
    assert not survey.ok
    assert "我能在小红书方便表达看法" in survey.unknown_headers
    assert survey.missing_items == ("PI3",)
    message = survey.message()
    assert message.startswith("survey import: no column found for 'PI3'; unmatched headers: ")
    assert "'我能在小红书方便表达看法'" in message
    with pytest.raises(DataError, match="no column found for 'PI3'"):
        survey.raise_if_problems()
    # an explicit rename settles it
    fixed = import_survey(frame, instrument, rename={"我能在小红书方便表达看法": "PI3"})
    assert fixed.ok and dict((h.header, h.how) for h in fixed.headers)["我能在小红书方便表达看法"] == "rename"


def test_unknown_answer_is_reported_with_rows(intake_dir, instrument):
    frame = read_data(intake_dir / "wjx_text.xlsx").frame.copy()
    column = "5、博主会及时回复我的评论"
    frame.loc[[3, 9], column] = "很同意"
    frame.loc[20, column] = "Agree"  # the English label is a label too
    survey = import_survey(frame, instrument)
    assert [(a.column, a.value, a.rows) for a in survey.unknown_answers] == [("PI2", "很同意", (4, 10))]
    assert math.isnan(survey.frame.loc[3, "PI2"]) and survey.frame.loc[20, "PI2"] == 6
    assert "'PI2' (column '5、博主会及时回复我的评论'): unknown answer '很同意' in rows 4, 10" in survey.message()


def test_conflicting_headers(instrument, coded):
    frame = coded[["序号", "PI1", "PI2"]].copy()
    frame.columns = ["序号", "4、我可以在小红书上与博主进行互动", "4.我可以在小红书上与博主进行互动"]
    survey = import_survey(frame, instrument)
    assert [h.how for h in survey.headers] == ["meta", "wording", "duplicate"]
    frame.columns = ["序号", "5、我可以在小红书上与博主进行互动", "PI2"]  # wording says PI1, number says PI2
    survey = import_survey(frame, instrument)
    assert survey.headers[1].how == "ambiguous" and "question number 5 is 'PI2'" in survey.headers[1].note
    assert "is ambiguous" in survey.message()


@pytest.mark.parametrize("header, number, texts", [
    ("5.我愿意在小红书上购买博主推荐的商品", "5", ("我愿意在小红书上购买博主推荐的商品",)),
    ("Q5. 我愿意", "5", ("我愿意",)),
    ("5、我愿意", "5", ("我愿意",)),
    ("第5题：我愿意", "5", ("我愿意",)),
    ("9、请评价—我信任博主", "9", ("请评价—我信任博主", "我信任博主")),
    ("9(我信任博主)", "9", ("我信任博主",)),
    ("9(2)", "9.2", ()),
    ("Q9_2", "9.2", ()),
    ("PI1", None, ("PI1",)),
])
def test_parse_header(header, number, texts):
    parts = parse_header(header)
    assert (parts.number, parts.texts) == (number, texts)


def test_parse_duration_rejects_text():
    assert parse_duration("2分5秒") == 125 and parse_duration("1小时") == 3600 and math.isnan(parse_duration(""))
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("很快")


def test_platform_given_explicitly(instrument, coded):
    survey = import_survey(coded.drop(columns=["性别", "年龄"]), instrument, platform="问卷星")
    assert survey.platform == "wenjuanxing"
    with pytest.raises(DataError, match="platform must be 'auto' or one of 'wenjuanxing', 'tencent'"):
        import_survey(coded, instrument, platform="surveymonkey")
    assert isinstance(survey.to_dict()["headers"], list) and isinstance(survey.to_frame(), pd.DataFrame)

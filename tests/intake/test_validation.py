"""validate_responses: every problem at once, naming columns and rows."""

from __future__ import annotations

import pandas as pd
import pytest

from semxhs.errors import DataError
from semxhs.survey.validate import check_responses, reverse_code, validate_responses


def test_clean_fixture_is_valid(instrument, coded):
    report = validate_responses(coded, instrument)
    assert report.ok and report.message() == "" and report.to_frame().empty
    assert report.scale == (1, 7) and "AC1" in report.items


def test_all_problems_at_once(instrument, coded):
    frame = coded.drop(columns=["PU4"]).copy()
    frame["PI1"] = frame["PI1"].astype(object)
    frame.loc[4, "PI1"] = "非常同意"            # text not coded
    frame.loc[[2, 7], "PI2"] = [0, 8]           # outside 1..7
    frame["TR1"] = frame["TR1"].astype(float)
    frame.loc[9, "TR1"] = 3.5                   # not a scale point
    frame.loc[11, "序号"] = frame.loc[10, "序号"]  # duplicated id
    frame["PU2"] = 4                            # no variance
    report = validate_responses(frame, instrument)
    kinds = [(p.kind, p.column) for p in report.problems]
    assert kinds == [
        ("missing_item", "PU4"),
        ("non_numeric", "PI1"),
        ("out_of_scale", "PI2"),
        ("out_of_scale", "TR1"),
        ("duplicate_id", "序号"),
        ("zero_variance", "PU2"),
    ]
    assert report.problems[1].rows == (5,) and report.problems[2].rows == (3, 8)
    assert report.problems[2].values == ("0", "8")
    assert report.problems[4].rows == (11, 12) and report.problems[4].values == ("11", "11")
    message = report.message()
    assert message == (
        "responses: items not in the data: 'PU4'; 'PI1': not numbers in rows 5 (非常同意); "
        "'PI2': values outside the scale 1 to 7 in rows 3 (0), 8 (8); "
        "'TR1': values outside the scale 1 to 7 in rows 10 (3.5); "
        "'序号': duplicated respondent ids in rows 11 (11), 12 (11); 'PU2': no variance (every answer is 4)"
    )
    with pytest.raises(DataError) as info:
        check_responses(frame, instrument)
    assert str(info.value) == message
    assert list(report.to_frame().columns) == ["kind", "column", "n", "rows", "values", "message"]
    assert report.to_dict()["problems"][0]["kind"] == "missing_item"


def test_attention_check_everyone_passing_is_no_problem(instrument, coded):
    frame = coded.copy()
    frame["AC1"] = 6
    assert validate_responses(frame, instrument).ok


def test_plain_item_list_and_tuple_scale():
    frame = pd.DataFrame({"a": [1, 2, None], "b": [5, 6, 9]})
    assert validate_responses(frame, ["a", "b"]).ok  # no scale: range not checked
    report = validate_responses(frame, ["a", "b"], (1, 7), id_column="id")
    assert [p.kind for p in report.problems] == ["missing_id_column", "out_of_scale"]


def test_reverse_code(instrument, coded):
    before = coded.copy()
    out = reverse_code(coded, instrument)
    assert (out["TR4"] == 8 - coded["TR4"]).all() and (out["TR1"] == coded["TR1"]).all()
    pd.testing.assert_frame_equal(coded, before)  # the input frame is not modified

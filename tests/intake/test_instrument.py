"""instrument.yaml: loading, validation (every problem at once), blocks and the lavaan text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from semxhs.errors import InputFileError, StudyError
from semxhs.survey.instrument import (
    load_instrument,
    measurement_model,
    parse_instrument,
)

ROOT = Path(__file__).resolve().parents[2]


def test_fixture_instrument(instrument):
    assert instrument.blocks() == {
        "PI": ["PI1", "PI2", "PI3", "PI4"],
        "TR": ["TR1", "TR2", "TR3", "TR4"],
        "PU": ["PU1", "PU2", "PU3", "PU4"],
    }
    assert instrument.reverse_items() == ["TR4"]
    assert instrument.respondent_id == "序号" and instrument.duration == "所用时间"
    assert instrument.scale.codes == (1, 2, 3, 4, 5, 6, 7)
    assert instrument.scale.code_of("非常同意") == 7 and instrument.scale.code_of("Strongly disagree") == 1
    assert instrument.scale.code_of("中立") == 4  # alias
    check = instrument.attention_checks[0]
    assert (check.id, check.correct, check.number) == ("AC1", 6, "8")  # "同意" -> 6
    assert instrument.item("TR2").number == "9.2"
    assert instrument.constructs[1].citation.startswith("Gefen")
    assert measurement_model(instrument) == (
        "PI =~ PI1 + PI2 + PI3 + PI4\nTR =~ TR1 + TR2 + TR3 + TR4\nPU =~ PU1 + PU2 + PU3 + PU4"
    )


@pytest.mark.parametrize("example", sorted((ROOT / "surveys").glob("*/instrument.yaml")))
def test_survey_examples_load(example):
    inst = load_instrument(example)
    assert inst.items and measurement_model(inst)


def test_every_problem_reported_at_once(tmp_path):
    raw = {
        "scale": {"points": 12, "labels": {0: "非常不同意", 3: "同意", 4: "同意"}, "colour": 1},
        "constructs": [{"id": "PI"}, {"id": "PI"}, {"id": "EMPTY"}, {"id": "1bad"}],
        "items": [
            {"id": "PI1", "construct": "PI", "number": 4},
            {"id": "PI1", "construct": "PI"},
            {"id": "PI2", "construct": "XX", "reverse": "yes", "number": 4},
            {"construct": "PI"},
        ],
        "attention_checks": [{"id": "AC1", "correct": "很同意"}],
        "respondent_id": ["序号"],
        "whatever": True,
    }
    path = tmp_path / "instrument.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(StudyError) as info:
        load_instrument(path)
    message = str(info.value)
    assert "\n" not in message
    for fragment in (
        "instrument file instrument.yaml:",
        "unknown key 'whatever'",
        "scale: unknown key 'colour'",
        "'points' must be a whole number from 2 to 11, got 12",
        "scale.labels[0]: code 0 is outside the scale 1 to 7",
        "label texts given to two codes: '同意'",
        "constructs[2]: id 'PI' is used twice",
        "constructs[4]: id '1bad' must start with a letter",
        "items[2]: id 'PI1' is used twice",
        "items[3] 'PI2': construct 'XX' is not declared",
        "items[3] 'PI2': 'reverse' must be true or false",
        "items[4]: missing key 'id'",
        "attention_checks[1] 'AC1': 'correct' must be a code from 1 to 7",
        "constructs without items: 'EMPTY'",
        "question number 4 is given to 'PI1' and 'PI2'",
        "'respondent_id' must be a column name",
    ):
        assert fragment in message, fragment


def test_missing_and_not_yaml(tmp_path):
    with pytest.raises(InputFileError, match="instrument file not found"):
        load_instrument(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("items: [unclosed", encoding="utf-8")
    with pytest.raises(InputFileError, match="not valid YAML"):
        load_instrument(bad)
    with pytest.raises(StudyError, match="missing key 'scale'; missing key 'constructs'; missing key 'items'"):
        parse_instrument({})

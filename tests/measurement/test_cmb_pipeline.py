"""The common-method checks inside ``semxhs fit``/``run``: the instrument's and the study's ``marker``,
``--no-ulmc``, the JSON key ``common_method`` and the terminal line.

The marker numbers are checked against the R reference of ``tests/fixtures/cmb`` (reference);
the rest are behaviour tests.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from semxhs.errors import StudyError
from semxhs.study.config import parse_study
from semxhs.study.pipeline import AnalysisOptions, analyse, study_options
from semxhs.survey.instrument import load_instrument, measurement_model, parse_instrument
from tests.cli_runner import run_cli

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures"
REF = json.loads((FIX / "cmb" / "reference.json").read_text(encoding="utf-8"))
MODEL = (ROOT / "models" / "trust_purchase.lav").read_text(encoding="utf-8")
MARKER_ITEMS = """
  - {id: MK1, construct: MK, number: 12, zh: 我喜欢蓝色, en: I like the colour blue}
  - {id: MK2, construct: MK, number: 13, zh: 我经常看天气预报, en: I often check the weather forecast}
  - {id: MK3, construct: MK, number: 14, zh: 我喜欢早起, en: I like getting up early}
"""


def _instrument(tmp_path: Path) -> Path:
    text = (ROOT / "surveys" / "demo" / "instrument.yaml").read_text(encoding="utf-8")
    text = text.replace("items:\n", "  - id: MK\n    name: {zh: 标记变量, en: Marker}\nitems:\n", 1)
    path = tmp_path / "instrument.yaml"
    path.write_text(text.rstrip("\n") + MARKER_ITEMS + "marker: [MK1, MK2, MK3]\n", encoding="utf-8")
    return path


def test_instrument_marker_key(tmp_path: Path) -> None:
    inst = load_instrument(_instrument(tmp_path))
    assert inst.marker == ("MK1", "MK2", "MK3")
    assert "MK" not in measurement_model(inst) and "MK1" not in measurement_model(inst)
    assert inst.to_dict()["marker"] == ["MK1", "MK2", "MK3"]
    with pytest.raises(StudyError, match="'marker': not declared in 'items': 'MK9'"):
        parse_instrument({"scale": {"points": 5}, "constructs": [{"id": "A"}],
                          "items": [{"id": "a1", "construct": "A"}], "marker": "MK9"})


def test_study_common_method_key(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("x,y\n1,2\n", encoding="utf-8")
    study = parse_study({"data": "d.csv", "model_syntax": "y ~ x",
                         "common_method": {"marker": "MK1, MK2", "marker_rule": "second_smallest",
                                           "ulmc": False, "ulmc_loadings": "equal"}}, tmp_path / "s.yaml")
    options = study_options(study)
    assert (options.marker, options.marker_rule, options.ulmc, options.ulmc_loadings) == \
        (("MK1", "MK2"), "second_smallest", False, "equal")
    with pytest.raises(StudyError, match="'common_method.marker_rule' must be smallest or second_smallest"):
        parse_study({"data": "d.csv", "model_syntax": "y ~ x", "common_method": {"marker_rule": "least"}},
                    tmp_path / "s.yaml")


def test_marker_must_not_be_a_model_item() -> None:
    data = pd.read_csv(FIX / "cmb" / "demo_marker.csv")
    with pytest.raises(StudyError, match="marker items must not be model variables.*'PI1'"):
        analyse(MODEL, data, AnalysisOptions(htmt_draws=0, marker=("PI1",)))
    with pytest.raises(StudyError, match="marker items are not columns of the data: 'MK9'"):
        analyse(MODEL, data, AnalysisOptions(htmt_draws=0, marker=("MK9",)))


def test_fit_with_instrument_marker_matches_r(tmp_path: Path) -> None:
    """Reference (R): the instrument's marker reaches ``fit``; r_M and r_A as in make_reference.R."""
    out = tmp_path / "out.json"
    res = run_cli("fit", "models/trust_purchase.lav", str(FIX / "cmb" / "demo_marker.csv"), "--instrument",
                  str(_instrument(tmp_path)), "--htmt-draws", "0", "--no-ulmc", "--json", str(out))
    assert res.returncode == 0, res.stdout + res.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    cm = doc["common_method"]
    ref = REF["marker"]["demo_smallest"]
    assert cm["marker"]["marker"] == ["MK1", "MK2", "MK3"]
    assert math.isclose(cm["marker"]["r_m"], ref["r_m"], rel_tol=1e-6)
    assert math.isclose(cm["marker"]["pairs"][0]["r_adj"], ref["pairs"][0]["r_adj"], rel_tol=1e-6)
    assert cm["ulmc"] is None and cm["note_codes"][0]["code"] == "ulmc_not_run"
    assert set(cm) >= {"harman", "one_factor_cfa", "ulmc", "marker", "full_collinearity"}
    assert "MK1" not in {p["rhs"] for p in doc["parameters"]}
    assert "Common-method bias: Harman 46.3%; marker r_M = .120, 0 of 3 significant r lose significance; " \
           "max VIF 1.61" in res.stdout


def test_fit_json_common_method_ulmc(tmp_path: Path) -> None:
    """Behaviour: ``fit`` runs the ULMC by default (equal loadings, one extra fit) under ``common_method``."""
    out = tmp_path / "out.json"
    res = run_cli("fit", "tests/fixtures/shared/hs1939_cfa/model.lav", "tests/fixtures/shared/hs1939_cfa/data.csv",
                  "--htmt-draws", "0", "--json", str(out))
    assert res.returncode == 0, res.stdout + res.stderr
    cm = json.loads(out.read_text(encoding="utf-8"))["common_method"]
    u = cm["ulmc"]
    assert u["loadings"] == "equal" and u["model"] == "full"
    assert math.isclose(u["method"]["chisq"], REF["ulmc"]["hs1939_equal"]["ulmc"]["fit"]["chisq"], rel_tol=1e-5)
    assert u["method"]["improper"] and "latent_cov_not_pd" in {w["code"] for w in u["method"]["warning_codes"]}
    assert cm["marker"] is None and len(cm["full_collinearity"]["vif"]) == 3
    assert "ULMC† Δχ²(1) = 30.41" in res.stdout


def test_fit_without_factors_has_no_common_method() -> None:
    data = pd.read_csv(FIX / "cmb" / "demo_marker.csv")
    res = analyse("F =~ PI1 + PI2 + PI3 + PI4", data, AnalysisOptions(htmt_draws=0))
    assert res.measurement is not None and res.measurement.common_method is None
    assert "common_method" not in res.to_dict()


def test_run_study_common_method_block(tmp_path: Path) -> None:
    """Behaviour: a study's ``common_method:`` block reaches ``semxhs run`` (marker rule, equal loadings)."""
    from semxhs.study.config import load_study
    from semxhs.study.pipeline import run_study

    study = tmp_path / "study.yaml"
    study.write_text(
        f"data: {FIX / 'cmb' / 'demo_marker.csv'}\nmodel: {ROOT / 'models' / 'trust_purchase.lav'}\n"
        "htmt_draws: 0\ncommon_method: {marker: [MK1, MK2, MK3], marker_rule: second_smallest, "
        "ulmc_loadings: equal}\n", encoding="utf-8")
    cm = run_study(load_study(study)).to_dict()["common_method"]
    ref = REF["marker"]["demo_second"]
    assert cm["marker"]["rule"] == "second_smallest"
    assert math.isclose(cm["marker"]["r_m"], ref["r_m"], rel_tol=1e-6)
    assert cm["ulmc"]["loadings"] == "equal"
    assert math.isclose(cm["ulmc"]["difference"]["delta_chisq"], REF["ulmc"]["demo_equal"]["difference"]["chisq"],
                        rel_tol=1e-5)

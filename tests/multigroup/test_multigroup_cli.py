"""The multi-group command line and API: JSON keys, single-group JSON unchanged, one-line errors (exit 2).

Numbers are checked in test_multigroup_reference.py; here the contract: `semxhs fit ... --group COL` writes
parameter rows with `group`/`group_label` and `fit.chisq_group`; bad input gives one `semxhs: error:` line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reference_cases import FIXTURES

from semxhs.errors import DataError, SpecError
from semxhs.sem.model import fit

CASE = FIXTURES / "next" / "mg_cfa_sex_ml"
MODEL = (CASE / "model.lav").read_text(encoding="utf-8")


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "semxhs", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(CASE / "data.csv")


def test_cli_writes_group_keys(tmp_path):
    out = tmp_path / "out.json"
    proc = _run("fit", str(CASE / "model.lav"), str(CASE / "data.csv"), "--group", "sex", "--group-equal",
                "loadings,intercepts", "--group-partial", "x1~1,speed=~x9", "--json", str(out), "-q",
                cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    ref = json.loads((CASE / "lavaan.json").read_text(encoding="utf-8"))["partial_scalar"]
    assert doc["group_labels"] == ["2", "1"]
    assert doc["fit"]["chisq"] == pytest.approx(ref["fit"]["chisq"], rel=1e-3)
    assert set(doc["fit"]["chisq_group"]) == {"2", "1"}
    rows = doc["parameters"]
    assert {r["group"] for r in rows} == {1, 2}
    x2 = [r for r in rows if (r["lhs"], r["op"], r["rhs"]) == ("visual", "=~", "x2")]
    assert [(r["group"], r["group_label"], r["label"]) for r in x2] == [(1, "2", ".p2."), (2, "1", ".p2.")]


def test_single_group_json_has_no_group_keys(data):
    doc = fit(MODEL, data).to_dict()
    assert "group_labels" not in doc and "chisq_group" not in doc["fit"]
    assert all("group" not in r and "group_label" not in r for r in doc["parameters"])


def test_defined_rows_have_group_zero():
    folder = FIXTURES / "next" / "mg_modifiers"
    doc = fit((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"), group="arm").to_dict()
    defined = [r for r in doc["parameters"] if r["op"] == ":="]
    assert defined and all(r["group"] == 0 and r["group_label"] is None for r in defined)


def test_missing_group_values_are_dropped_with_a_warning(data):
    frame = data.copy()
    frame.loc[:6, "sex"] = np.nan
    res = fit(MODEL, frame, group="sex")
    assert res.n_obs == len(frame) - 7
    assert any("7 rows with a missing value of the group column 'sex'" in w for w in res.warnings)


@pytest.mark.parametrize("kwargs,error,words", [
    ({"group": "nosuch"}, DataError, "'nosuch' is not in the data"),
    ({"group": "one"}, DataError, "has 1 group"),
    ({"group": "tiny"}, DataError, "group 'b' of 'tiny' has 6 complete rows"),
    ({"group": "sex", "group_partial": ["x99~1"]}, SpecError, "'x99~1', which is not a parameter"),
    ({"group": "sex", "group_equal": ["loadingz"]}, SpecError, "'loadingz' not known"),
    ({"group_equal": ["loadings"]}, SpecError, "need a group column"),
])
def test_bad_group_input_names_the_offender(data, kwargs, error, words):
    frame = data.assign(one="a", tiny=["a"] * (len(data) - 6) + ["b"] * 6)
    with pytest.raises(error, match=words.replace("(", r"\(")):
        fit(MODEL, frame, **kwargs)


def test_per_group_modifier_with_wrong_length(data):
    with pytest.raises(SpecError, match="has 3 values but the model has 2 groups"):
        fit("f =~ x1 + c(a, b, c)*x2 + x3", data, group="sex")
    with pytest.raises(SpecError, match="has 2 values but the model has 1 group; give the group column"):
        fit("f =~ x1 + c(a, b)*x2 + x3", data)


@pytest.mark.parametrize("args,words", [
    (("--group", "nosuch"), "the group column 'nosuch' is not in the data"),
    (("--group", "sex", "--group-partial", "x99~1"), "group_partial names 'x99~1'"),
    (("--group-equal", "loadings"), "need --group"),
])
def test_cli_bad_input_is_one_line_exit_2(tmp_path, args, words):
    out = tmp_path / "x.json"
    proc = _run("fit", str(CASE / "model.lav"), str(CASE / "data.csv"), *args, "--json", str(out), "-q",
                cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("semxhs: error:") and words in lines[0]
    assert not out.exists()


def test_cli_no_fixed_x(tmp_path):
    folder = FIXTURES / "next" / "fixed_x_false"
    out = tmp_path / "out.json"
    proc = _run("fit", str(folder / "model.lav"), str(folder / "data.csv"), "--no-fixed-x", "--no-measurement",
                "--json", str(out), "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    ref = json.loads((folder / "lavaan.json").read_text())["fixed_x_false"]["fit"]
    doc = json.loads(out.read_text())
    assert doc["fit"]["npar"] == ref["npar"]
    assert doc["fit"]["logl"] == pytest.approx(ref["logl"], rel=1e-6)


def _study(tmp_path: Path, hypotheses: str) -> Path:
    folder = FIXTURES / "next" / "mg_modifiers"
    study = tmp_path / "study.yaml"
    study.write_text(
        f"data: {folder / 'data.csv'}\nmodel: {folder / 'model.lav'}\ngroup: arm\n{hypotheses}"
        f"output: {{dir: {tmp_path / 'out'}, json: r.json, html: null}}\n", encoding="utf-8")
    return study


def test_study_with_groups_decides_defined_effects(tmp_path):
    study = _study(tmp_path, 'hypotheses:\n  - {id: H1, text: "indirect, treated", path: ind_treated, sign: "+"}\n')
    proc = _run("run", str(study), "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "out" / "r.json").read_text(encoding="utf-8"))
    ref = json.loads((FIXTURES / "next" / "mg_modifiers" / "lavaan.json").read_text())["model"]
    assert doc["group_labels"] == ["treated", "control"]
    assert doc["fit"]["chisq"] == pytest.approx(ref["fit"]["chisq"], rel=1e-3)
    assert doc["hypotheses"][0]["supported"] is True


def test_study_with_groups_refuses_path_hypotheses(tmp_path):
    study = _study(tmp_path, 'hypotheses:\n  - {id: H1, text: "f to z", path: "z ~ f", sign: "+"}\n')
    proc = _run("run", str(study), "-q", cwd=tmp_path)
    assert proc.returncode == 2
    assert "hypotheses must name := effects" in proc.stderr and "'H1'" in proc.stderr

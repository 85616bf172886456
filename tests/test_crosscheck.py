"""The semopy cross-check (``--crosscheck semopy``, study ``crosscheck: semopy``): live, semopy installed.

These check the cross-check itself: with tightened convergence the two ML solutions agree to
~1e-6 (far inside the 1e-3 tolerance), and everything semopy cannot estimate is listed
under ``skipped`` with its reason -- never a silent pass.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from reference_cases import FIXTURES

from semxhs.sem.model import fit
from semxhs.study.crosscheck import crosscheck_semopy

pytest.importorskip("semopy")

SHARED = FIXTURES / "shared"


def _case(name: str) -> tuple[str, pd.DataFrame]:
    return (SHARED / name / "model.lav").read_text(), pd.read_csv(SHARED / name / "data.csv")


def test_poldem_agrees_and_lists_defined_parameters_as_skipped():
    text, data = _case("poldem_sem")
    check = crosscheck_semopy(text, fit(text, data), data=data)
    assert check.parameters_compared == 31
    assert check.max_abs_diff < 1e-4  # default semopy stopping is ~1e-2 off on this model
    assert check.agrees
    skipped = {s.reason: s.parameters for s in check.skipped}
    assert set(skipped) == {"defined"} and set(skipped["defined"]) == {"indirect", "total"}
    doc = check.to_dict()
    assert {"engine", "version", "parameters_compared", "max_abs_diff", "skipped"} <= set(doc)
    assert doc["engine"] == "semopy"


def test_from_a_covariance_matrix():
    folder = FIXTURES / "sumstats" / "hs1939_cfa_sumstats"
    text = (folder / "model.lav").read_text()
    cov = pd.read_csv(folder / "cov_full.csv", index_col=0)
    ours = fit(text, sample_cov=cov, sample_nobs=301)
    check = crosscheck_semopy(text, ours, cov=cov * 300 / 301, nobs=301)
    assert check.parameters_compared == 21 and check.max_abs_diff < 1e-4 and not check.skipped


def test_equality_constraints_and_intercepts_are_skipped_with_reasons():
    text, data = _case("hs1939_cfa")
    model = text + "\nvisual =~ a*x2\ntextual =~ b*x5\na == b\nx1 ~ 1\n"
    model = model.replace("visual =~ x1 + x2 + x3", "visual =~ x1 + x3")
    model = model.replace("textual =~ x4 + x5 + x6", "textual =~ x4 + x6")
    ours = fit(model, data)
    check = crosscheck_semopy(model, ours, data=data)
    reasons = {s.reason: s.parameters for s in check.skipped}
    assert "constraint" in reasons and "visual =~ x2" in reasons["constraint"]
    assert "intercept" in reasons
    assert check.parameters_compared > 0


def test_a_model_semopy_cannot_read_is_reported_not_passed():
    text, data = _case("mediation_observed")
    ours = fit(text, data)
    check = crosscheck_semopy("this is not a model ~~ ~~", ours, data=data)
    assert check.parameters_compared == 0 and check.max_abs_diff is None and check.agrees is None
    assert check.skipped[-1].reason == "failed" and check.skipped[-1].parameters


def test_groups_are_skipped():
    text, data = _case("mediation_observed")
    check = crosscheck_semopy(text, fit(text, data), data=data, groups=True)
    assert check.parameters_compared == 0 and check.skipped[-1].reason == "groups"


def test_latent_interaction_is_compared_on_its_product_indicator_model():
    from semxhs.sem.interaction import latent_product_expansion

    text, data = _case("latent_interaction")
    fitted, wide, _ = latent_product_expansion(text, data)
    ours = fit(fitted, wide)
    check = crosscheck_semopy(fitted, ours, data=wide)
    assert check.parameters_compared >= sum(p.free for p in ours.parameters if p.op != ":=") - 1
    assert check.agrees


def test_cli_crosscheck_writes_the_json_record(tmp_path):
    text_path = SHARED / "mediation_observed" / "model.lav"
    out = tmp_path / "o.json"
    proc = subprocess.run([sys.executable, "-m", "semxhs", "fit", str(text_path),
                           str(SHARED / "mediation_observed" / "data.csv"), "--crosscheck", "semopy",
                           "--no-measurement", "--json", str(out), "--html", str(tmp_path / "r.html"), "-q"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())["crosscheck"]
    assert doc["engine"] == "semopy" and doc["parameters_compared"] == 5 and doc["max_abs_diff"] < 1e-4
    assert [s["reason"] for s in doc["skipped"]] == ["defined"]
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Independent check: semopy" in html and "Not compared by the independent check" in html
    bad = subprocess.run([sys.executable, "-m", "semxhs", "fit", str(text_path),
                          str(SHARED / "mediation_observed" / "data.csv"), "--crosscheck", "lisrel"],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "semopy" in bad.stderr


def test_semopy_is_imported_only_when_the_crosscheck_runs():
    code = ("import sys, semxhs.cli, semxhs.study.pipeline, semxhs.study.crosscheck, semxhs.report.context; "
            "print('semopy' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.stdout.strip() == "False", proc.stderr


@pytest.mark.parametrize("model,detail", [
    ("visual =~ NA*x1 + x2 + x3\nvisual ~~ 1*visual", "semopy fixed parameters this model estimates: visual =~ x2"),
    ("visual =~ x1 + 0.8*x2 + x3", "semopy did not keep the fixed values of visual =~ x1"),
])
def test_fixed_values_semopy_misreads_stop_the_comparison(model, detail):
    _, data = _case("hs1939_cfa")
    ours = fit(model, data)
    check = crosscheck_semopy(model, ours, data=data)
    assert check.parameters_compared == 0 and check.agrees is None
    last = check.skipped[-1]
    assert last.reason == "fixed_misread" and detail in last.detail
    assert len(last.parameters) == sum(p.free for p in ours.parameters)


def test_fiml_is_skipped_with_its_reason():
    folder = SHARED / "hs1939_fiml"
    text, data = (folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv")
    check = crosscheck_semopy(text, fit(text, data, missing="fiml"), data=data, missing="fiml")
    assert check.parameters_compared == 0 and check.skipped[-1].reason == "fiml"

"""Fitting from summary statistics: the command line, the study key and every bad input (one line, exit 2)."""

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
from semxhs.study.config import load_study
from semxhs.study.pipeline import run_study

HS = FIXTURES / "sumstats" / "hs1939_cfa_sumstats"
MODEL = HS / "model.lav"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "semxhs", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> str:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("semxhs: error: "), proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def cov_frame() -> pd.DataFrame:
    return pd.read_csv(HS / "cov_full.csv", index_col=0)


def write_matrix(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path)
    return path


def test_cli_fit_from_lower_triangle_writes_json_with_sample_record(tmp_path):
    out = tmp_path / "out.json"
    proc = run("fit", str(MODEL), "--cov", str(HS / "cov_lower.csv"), "--nobs", "301", "--json", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    ref = json.loads((HS / "lavaan.json").read_text())["from_cov"]["fit"]
    assert doc["fit"]["chisq"] == pytest.approx(ref["chisq"], rel=1e-6)
    assert doc["sample"]["source"] == "summary_statistics" and doc["sample"]["nobs"] == 301
    assert "bootstrap" in doc["sample"]["ruled_out"] and "item_reliability" in doc["sample"]["ruled_out"]
    assert "measurement" not in doc or not doc.get("measurement")


def test_report_says_fitted_from_summary_statistics(tmp_path):
    html = tmp_path / "r.html"
    proc = run("fit", str(MODEL), "--cor", str(HS / "cor_lower_3dp.csv"), "--sd", str(HS / "sd_3dp.csv"),
               "--nobs", "301", "--html", str(html), "-q")
    assert proc.returncode == 0, proc.stderr
    text = html.read_text(encoding="utf-8")
    assert "fitted from summary statistics" in text and "rules out a bootstrap" in text


@pytest.mark.parametrize("option", [("--bootstrap", "100"), ("--missing", "fiml"), ("--estimator", "mlr")])
def test_raw_data_options_are_refused_with_one_line(option):
    proc = run("fit", str(MODEL), "--cov", str(HS / "cov_full.csv"), "--nobs", "301", *option)
    one_line_error(proc, "summary statistics")


def test_asymmetric_matrix(tmp_path):
    s = cov_frame()
    s.iloc[0, 1] += 0.2
    path = write_matrix(tmp_path / "s.csv", s)
    one_line_error(run("fit", str(MODEL), "--cov", str(path), "--nobs", "301"), "not symmetric", "x1/x2")


def test_non_positive_definite_matrix(tmp_path):
    s = cov_frame()
    s.loc["x1", "x2"] = s.loc["x2", "x1"] = 5.0
    path = write_matrix(tmp_path / "s.csv", s)
    one_line_error(run("fit", str(MODEL), "--cov", str(path), "--nobs", "301"), "not positive definite")


def test_names_not_matching_the_model(tmp_path):
    s = cov_frame().rename(index={"x9": "z9"}, columns={"x9": "z9"})
    path = write_matrix(tmp_path / "s.csv", s)
    one_line_error(run("fit", str(MODEL), "--cov", str(path), "--nobs", "301"), "'x9'", "not in the covariance")


def test_correlation_outside_range(tmp_path):
    r = pd.read_csv(HS / "cor_full.csv", index_col=0)
    r.loc["x3", "x1"] = r.loc["x1", "x3"] = 1.3
    path = write_matrix(tmp_path / "r.csv", r)
    one_line_error(run("fit", str(MODEL), "--cor", str(path), "--sd", str(HS / "sd.csv"), "--nobs", "301"),
                   "outside [-1, 1]", "x3/x1")


def test_missing_sd(tmp_path):
    sd = pd.read_csv(HS / "sd.csv").iloc[:-1]
    path = tmp_path / "sd.csv"
    sd.to_csv(path, index=False)
    one_line_error(run("fit", str(MODEL), "--cor", str(HS / "cor_full.csv"), "--sd", str(path), "--nobs", "301"),
                   "no standard deviation", "'x9'")
    one_line_error(run("fit", str(MODEL), "--cor", str(HS / "cor_full.csv"), "--nobs", "301"), "--sd")


def test_n_too_small_and_missing():
    one_line_error(run("fit", str(MODEL), "--cov", str(HS / "cov_full.csv"), "--nobs", "5"), "larger than the 9")
    one_line_error(run("fit", str(MODEL), "--cov", str(HS / "cov_full.csv")), "--nobs")


def test_api_errors_name_the_offender():
    s = cov_frame()
    with pytest.raises(SpecError, match="sample_nobs"):
        fit(MODEL.read_text(), sample_cov=s)
    with pytest.raises(SpecError, match="not both"):
        fit(MODEL.read_text(), pd.DataFrame(np.ones((3, 9))), sample_cov=s, sample_nobs=301)
    with pytest.raises(DataError, match="sample mean for 'x1'"):
        fit(MODEL.read_text(), sample_cov=s, sample_nobs=301, sample_mean=pd.Series({"x2": 1.0}))


def test_study_summary_key(tmp_path):
    study = tmp_path / "study.yaml"
    study.write_text(
        f"title: sumstats\nmodel: {MODEL}\n"
        f"summary: {{cor: {HS / 'cor_lower_3dp.csv'}, sd: {HS / 'sd_3dp.csv'}, nobs: 301}}\n"
        "hypotheses:\n  - {id: H1, path: 'visual =~ x2', sign: '+', finding: 'loads'}\n"
        "crosscheck: semopy\ncitation: 'Holzinger & Swineford (1939)'\ndescription: 'A CFA from a table.'\n",
        encoding="utf-8")
    result = run_study(load_study(study))
    doc = result.to_dict()
    ref = json.loads((HS / "lavaan.json").read_text())["from_cor_sd_3dp"]["fit"]
    assert doc["fit"]["chisq"] == pytest.approx(ref["chisq"], rel=1e-6)
    assert doc["sample"]["kind"] == "cor_sd"
    assert doc["study"]["citation"].startswith("Holzinger") and doc["study"]["description"]
    assert doc["hypotheses"][0]["finding"] == "loads"
    assert doc["crosscheck"]["parameters_compared"] == 21


def test_study_summary_with_bootstrap_is_refused(tmp_path):
    study = tmp_path / "study.yaml"
    study.write_text(f"model: {MODEL}\nsummary: {{cov: {HS / 'cov_full.csv'}, nobs: 301}}\nbootstrap: 100\n",
                     encoding="utf-8")
    one_line_error(run("run", str(study)), "bootstrap")

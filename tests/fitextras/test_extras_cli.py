"""CLI and study plumbing of the fit extras: ``semxhs fit --modindices --effect-sizes`` and the study
keys ``modindices`` / ``effect_sizes`` (JSON keys ``modindices``, ``score_tests``, ``effect_sizes``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from semxhs.errors import StudyError
from semxhs.study.config import load_study

FIX = Path(__file__).parents[1] / "fixtures"
MORE = FIX / "next" / "modindices_more"


def test_fit_cli_writes_extras(tmp_path: Path) -> None:
    out = tmp_path / "fit.json"
    run = subprocess.run([sys.executable, "-m", "semxhs", "fit", str(MORE / "model_d_poldem_eq.lav"),
                          str(MORE / "data_a_poldem.csv"), "--modindices", "--effect-sizes", "--no-measurement",
                          "--json", str(out), "-q"], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    doc = json.loads(out.read_text())
    ref = json.loads((MORE / "lavaan.json").read_text())["d_score_user_constraints"]
    assert doc["score_tests"]["total"]["X2"] == pytest.approx(ref["score_tests"]["total"]["X2"], rel=2e-3)
    mis = [r["mi"] for r in doc["modindices"]]
    assert mis == sorted(mis, reverse=True) and set(doc["modindices"][0]) == {
        "lhs", "op", "rhs", "mi", "epc", "sepc_lv", "sepc_all", "sepc_nox"}
    assert [(e["outcome"], e["predictor"]) for e in doc["effect_sizes"]] == [
        ("dem60", "ind60"), ("dem65", "ind60"), ("dem65", "dem60")]
    for key in ("gfi", "agfi", "pgfi", "nfi", "rfi", "ifi", "pnfi", "rmr", "cn_05", "cn_01", "ecvi", "chisq_df_ratio"):
        assert key in doc["fit"]


def test_fit_cli_without_flags_has_no_extras(tmp_path: Path) -> None:
    out = tmp_path / "fit.json"
    run = subprocess.run([sys.executable, "-m", "semxhs", "fit", str(MORE / "model_a_poldem.lav"),
                          str(MORE / "data_a_poldem.csv"), "--no-measurement", "--json", str(out), "-q"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    doc = json.loads(out.read_text())
    assert "modindices" not in doc and "effect_sizes" not in doc and "gfi" in doc["fit"]


def test_study_keys(tmp_path: Path) -> None:
    (tmp_path / "m.lav").write_text((MORE / "model_a_poldem.lav").read_text())
    (tmp_path / "d.csv").write_text((MORE / "data_a_poldem.csv").read_text())
    (tmp_path / "study.yaml").write_text("data: d.csv\nmodel: m.lav\nmodindices: true\neffect_sizes: true\n")
    study = load_study(tmp_path / "study.yaml")
    assert study.modindices and study.effect_sizes
    (tmp_path / "bad.yaml").write_text("data: d.csv\nmodel: m.lav\nmodindices: 5\n")
    with pytest.raises(StudyError, match="'modindices' must be true or false"):
        load_study(tmp_path / "bad.yaml")


def test_run_study_with_extras(tmp_path: Path) -> None:
    (tmp_path / "m.lav").write_text((MORE / "model_d_poldem_eq.lav").read_text())
    (tmp_path / "d.csv").write_text((MORE / "data_a_poldem.csv").read_text())
    (tmp_path / "study.yaml").write_text(
        "data: d.csv\nmodel: m.lav\nmeasurement: false\nmodindices: true\neffect_sizes: true\n"
        "output: {dir: out, json: results.json, html: report.html}\n")
    run = subprocess.run([sys.executable, "-m", "semxhs", "run", str(tmp_path / "study.yaml"), "-q"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    assert doc["modindices"] and doc["effect_sizes"] and doc["score_tests"]["total"]["df"] == 3
    html = (tmp_path / "out" / "report.html").read_text()
    assert 'id="modindices"' in html and 'id="effect-sizes"' in html


def test_terminal_prints_extras() -> None:
    import pandas as pd
    from rich.console import Console

    from semxhs.report.terminal_extras import print_fit_extras
    from semxhs.sem.extras import with_extras
    from semxhs.sem.model import fit

    res = fit((MORE / "model_d_poldem_eq.lav").read_text(), pd.read_csv(MORE / "data_a_poldem.csv"))
    console = Console(record=True, width=160)
    print_fit_extras(with_extras(res, modindices=True, effect_sizes=True), console=console)
    text = console.export_text()
    assert "y6 ~~ y8     8.72" in text and "largest 10 of 75" in text
    assert "total chisq(3) = 2.97, p = .396" in text and "dem65 ~ dem60" in text
    console = Console(record=True, width=160)
    print_fit_extras(with_extras(res, modindices=True, effect_sizes=True), console=console, language="zh")
    zh = console.export_text()
    assert "修正指数（75 个中最大的 10 个" in zh and "等值约束的计分检验" in zh and "效应量" in zh
    assert "modification" not in zh and "effect sizes" not in zh and "y6 ~~ y8     8.72" in zh


def test_fit_from_summary_statistics_with_extras(tmp_path: Path) -> None:
    """Modification indices and effect sizes need only the moments: they work from a published table."""
    folder = FIX / "next" / "sumstats_more"
    out = tmp_path / "ss.json"
    run = subprocess.run([sys.executable, "-m", "semxhs", "fit", str(folder / "model.lav"), "--cov",
                          str(folder / "cov_full.csv"), "--nobs", "75", "--modindices", "--effect-sizes",
                          "--json", str(out), "-q"], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    doc = json.loads(out.read_text())
    assert doc["modindices"] and len(doc["effect_sizes"]) == 3 and "gfi" in doc["fit"]

"""The demo as a new user runs it: one command, a complete study folder and report."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.cli_runner import run_cli

pytestmark = pytest.mark.slow  # more than a few seconds (the quick loop: -m "not slow")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    proc = subprocess.run([sys.executable, "-m", "semxhs", "demo", "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out, proc


def test_demo_writes_the_study_and_its_outputs(demo):
    out, proc = demo
    for name in ("study.yaml", "model.lav", "responses.csv", "results.json", "report.html", "report.docx"):
        assert (out / name).is_file(), name
        assert f"wrote {out / name}" in proc.stdout or name in ("study.yaml", "model.lav", "responses.csv")


def test_demo_supports_the_population_hypotheses(demo):
    """The population model has every path positive, so every hypothesis is supported."""
    doc = json.loads((demo[0] / "results.json").read_text(encoding="utf-8"))
    assert doc["converged"] and not doc["improper"]
    assert [h["id"] for h in doc["hypotheses"]] == ["H1", "H2", "H3", "H4"]
    assert all(h["supported"] and h["est"] > 0 for h in doc["hypotheses"])
    assert doc["study"]["language"] == "zh"
    assert set(doc["measurement"]["reliability"]) == {"PI", "TR", "PU"}
    assert doc["process"][0]["model"] == 4


def test_demo_report_shows_every_section(demo):
    html = (demo[0] / "report.html").read_text(encoding="utf-8")
    for section in ("warnings", "data", "fit", "measurement", "reliability", "discriminant", "structural",
                    "defined", "bootstrap", "r2", "hypotheses", "process-1-model"):
        assert f'id="{section}"' in html, section
    assert "支持" in html and "<script" not in html


def test_demo_can_be_rerun_from_its_study_file(demo, tmp_path):
    out = demo[0]
    proc = run_cli("run", str(out / "study.yaml"), "--out", str(tmp_path), "-q")
    assert proc.returncode == 0, proc.stderr
    first = json.loads((out / "results.json").read_text(encoding="utf-8"))
    again = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert again["parameters"] == first["parameters"] and again["fit"] == first["fit"]


def test_demo_reports_its_sample_profile(demo):
    """The demo's demographics: counts of the 400 analysed respondents as pandas counts them, blanks as a row."""
    import pandas as pd

    out = demo[0]
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    data = pd.read_csv(out / "responses.csv")
    profile = doc["sample_profile"]
    assert profile["n"] == doc["n_obs"] == 400 and profile["basis"] == "listwise"
    for variable in ("gender", "education", "tenure"):
        rows = [r for r in profile["rows"] if r["variable"] == variable and r["kind"] != "missing"]
        assert {int(r["level"]): r["n"] for r in rows if r["n"]} == data[variable].value_counts().to_dict()
    missing = {r["variable"]: r["n"] for r in profile["rows"] if r["kind"] == "missing"}
    assert missing == {"age": int(data["age"].isna().sum()), "education": int(data["education"].isna().sum())}
    (age,) = profile["numeric"]
    assert age["mean"] == pytest.approx(data["age"].mean()) and age["sd"] == pytest.approx(data["age"].std())
    html = (out / "report.html").read_text(encoding="utf-8")
    for section in ("sample-profile", "instrument"):
        assert f'id="{section}"' in html, section
    assert "样本人口统计特征" in html and "未作答" in html and "信任 (TR)" in html

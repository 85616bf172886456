"""The invariance report (``semxhs invariance --html/--docx``): a results section in en and zh."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from tests.reference_cases import FIXTURES

CASE = FIXTURES / "next" / "mg_partial_search"


def _run(tmp_path, *extra):
    return subprocess.run([sys.executable, "-m", "semxhs", "invariance", str(CASE / "model.lav"), str(CASE / "data.csv"),
                           "--group", "country", *extra], capture_output=True, text=True, cwd=tmp_path, check=False)


def test_invariance_report_html_docx_json(tmp_path):
    proc = _run(tmp_path, "--json", "inv.json", "--html", "inv.html", "--docx", "inv.docx")
    assert proc.returncode == 0, proc.stderr
    assert "partial scalar, step 1: freed u2~1" in proc.stdout
    doc = json.loads((tmp_path / "inv.json").read_text())
    assert {"score_tests", "partial", "latent_means", "latent_means_model"} <= set(doc)
    assert doc["partial"]["steps"][0]["freed"] == "u2~1"
    assert {"freed", "fit", "comparison", "decision"} <= set(doc["partial"]["steps"][0])
    html = (tmp_path / "inv.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    assert '<section id="invariance">' in html
    assert "Chen, 2007" in text and "Partial scalar invariance was supported with u2~1" in text
    assert "ΔCFI" in text and "Latent Mean Differences" in text
    assert (tmp_path / "inv.docx").read_bytes()[:2] == b"PK"


def test_invariance_report_in_chinese(tmp_path):
    proc = _run(tmp_path, "--html", "inv.html", "--language", "zh", "--criteria", "cheung2002", "-q")
    assert proc.returncode == 0, proc.stderr
    text = re.sub(r"<[^>]+>", "", (tmp_path / "inv.html").read_text())
    assert "Cheung &amp; Rensvold, 2002" in text or "Cheung & Rensvold, 2002" in text
    assert "部分强等值" in text and "潜均值差异" in text


def test_invariance_refuses_to_overwrite_the_data(tmp_path):
    proc = _run(tmp_path, "--html", str(CASE / "data.csv"))
    assert proc.returncode == 2
    assert proc.stderr.startswith("semxhs: error:") and "Traceback" not in proc.stderr


def test_study_invariance_key_adds_the_ladder_and_its_section(tmp_path):
    study = tmp_path / "study.yaml"
    study.write_text(
        f"data: {CASE / 'data.csv'}\nmodel: {CASE / 'model.lav'}\nmeasurement: false\n"
        "invariance: {group: country, criteria: chen2007}\n"
        f"output: {{dir: {tmp_path / 'out'}, json: r.json, html: r.html}}\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "semxhs", "run", str(study), "-q"], capture_output=True, text=True, check=False,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "out" / "r.json").read_text(encoding="utf-8"))
    assert doc["invariance"]["group"] == "country"
    assert doc["invariance"]["partial"]["steps"][0]["freed"] == "u2~1"
    html = (tmp_path / "out" / "r.html").read_text(encoding="utf-8")
    assert '<section id="invariance">' in html


def test_study_invariance_key_is_checked(tmp_path):
    study = tmp_path / "study.yaml"
    study.write_text(f"data: {CASE / 'data.csv'}\nmodel: {CASE / 'model.lav'}\ninvariance: {{criteria: nope}}\n",
                     encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "semxhs", "run", str(study), "-q"], capture_output=True, text=True, check=False,
                          cwd=tmp_path)
    assert proc.returncode == 2
    assert "invariance" in proc.stderr and "Traceback" not in proc.stderr

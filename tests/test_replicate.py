"""``semxhs replicate``: hypotheses against the cited findings, the study keys it needs, the report table.

A small study (simulated, no bootstrap) keeps this fast; the library's own run
(``semxhs replicate --all``) is exercised by ``test_library_studies.py`` (marked slow).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from semxhs.errors import InputFileError, StudyError
from semxhs.sem.simulate import simulate
from semxhs.study.config import load_study, parse_study
from semxhs.study.pipeline import run_study
from semxhs.study.replicate import LIBRARY, replication_of, resolve_study

ROOT = Path(__file__).resolve().parents[1]

POPULATION = "X =~ 0.8*x1 + 0.8*x2 + 0.7*x3\nY =~ 0.8*y1 + 0.7*y2 + 0.7*y3\nY ~ 0.4*X"


def small_study(folder: Path, *, sign: str = "+", extra: str = "") -> Path:
    simulate(POPULATION, n=300, seed=4).to_csv(folder / "d.csv", index=False)
    study = folder / "study.yaml"
    study.write_text(
        "title: small\nlanguage: en\ndata: d.csv\ncitation: 'Author, A. (2024). A paper. Journal, 1, 1-2.'\n"
        "description: 'A two-factor study.'\nmeasurement: false\n"
        "model_syntax: |\n  X =~ x1 + x2 + x3\n  Y =~ y1 + y2 + y3\n  Y ~ X\n"
        f"hypotheses:\n  - {{id: H1, text: 'X raises Y', path: 'Y ~ X', sign: '{sign}', "
        "finding: 'Positive, significant'}\n"
        f"output: {{dir: out, html: report.html, json: results.json}}\n{extra}",
        encoding="utf-8")
    return study


def test_replication_rows_and_json_shape(tmp_path):
    result = run_study(load_study(small_study(tmp_path)))
    rep = replication_of(result, "small")
    doc = rep.to_dict()
    assert doc["id"] == "small" and doc["citation"].startswith("Author") and doc["description"]
    h = doc["hypotheses"][0]
    assert h["id"] == "H1" and h["finding"] == "Positive, significant" and h["agrees"] is True
    assert {"est", "std_all", "ci_lower", "ci_upper", "pvalue"} <= set(h["result"])
    assert h["result"]["std_all"] == pytest.approx(0.4, abs=0.12)


def test_a_finding_in_the_other_direction_does_not_agree(tmp_path):
    result = run_study(load_study(small_study(tmp_path, sign="-")))
    assert replication_of(result, "small").hypotheses[0].agrees is False


def test_description_citation_and_finding_reach_json_and_report(tmp_path):
    result = run_study(load_study(small_study(tmp_path)))
    doc = result.to_dict()
    assert doc["study"]["description"] == "A two-factor study."
    assert doc["study"]["citation"].startswith("Author")
    assert doc["hypotheses"][0]["finding"] == "Positive, significant"
    from semxhs.report.context import build_context

    ctx = build_context(result)
    ids = [s["id"] for s in ctx["sections"]]
    assert "about" in ids and "replication" in ids
    table = next(s for s in ctx["sections"] if s["id"] == "replication")["tables"][0]
    assert table["rows"][0]["cells"][0] == "H1" and table["rows"][0]["cells"][-1] == "Agrees"


def test_unknown_study_keys_are_still_refused(tmp_path):
    with pytest.raises(StudyError, match="hypotheses\\[1\\]: unknown key 'findings'"):
        parse_study({"data": "d.csv", "model_syntax": "y ~ x",
                     "hypotheses": [{"id": "H1", "path": "y ~ x", "findings": "x"}]}, tmp_path / "s.yaml")


def test_resolve_library_ids_and_paths(tmp_path):
    assert len(LIBRARY) == 8
    for sid in LIBRARY:
        found, path = resolve_study(sid)
        assert found == sid and path.is_file()
    study = small_study(tmp_path)
    assert resolve_study(str(study))[1] == study
    with pytest.raises(InputFileError, match="no study 'nope'"):
        resolve_study("nope")


def test_every_library_study_has_citation_description_findings_and_crosscheck():
    for sid in LIBRARY:
        study = load_study(ROOT / "surveys" / sid / "study.yaml")
        assert study.citation and study.description and study.crosscheck == "semopy", sid
        assert all(h.finding for h in study.hypotheses), sid
        assert all("原研究结论" not in h.text and "Cited finding" not in h.text for h in study.hypotheses), sid


def test_cli_replicate_prints_table_and_writes_json_and_report(tmp_path):
    study = small_study(tmp_path)
    out = tmp_path / "rep.json"
    proc = subprocess.run([sys.executable, "-m", "semxhs", "replicate", str(study), "--json", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "1 of 1 hypotheses agree" in proc.stdout and "Positive, significant" in proc.stdout
    doc = json.loads(out.read_text())
    assert list(doc) == ["studies"] and doc["studies"][0]["hypotheses"][0]["agrees"] is True
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Replication of the cited findings" in html and "Author, A. (2024)" in html
    bad = subprocess.run([sys.executable, "-m", "semxhs", "replicate"], capture_output=True, text=True,
                         timeout=300)
    assert bad.returncode == 2 and bad.stderr.startswith("semxhs: error: ") and bad.stderr.count("\n") == 1

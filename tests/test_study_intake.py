"""A whole study from a Wenjuanxing export: instrument mapping, screening, re-keying,
provenance and derived files, through `semxhs run` as a user runs it."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from tests.cli_runner import run_cli
from tests.reference_cases import FIXTURES

INTAKE = FIXTURES / "intake"
MODEL = """PI =~ PI1 + PI2 + PI3 + PI4
TR =~ TR1 + TR2 + TR3 + TR4
PU =~ PU1 + PU2 + PU3 + PU4
TR ~ a*PI
PU ~ b*TR + c*PI
ind := a*b
"""


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("study")
    shutil.copy(INTAKE / "wjx_text.xlsx", folder / "wjx_text.xlsx")
    shutil.copy(INTAKE / "instrument.yaml", folder / "instrument.yaml")
    (folder / "model.lav").write_text(MODEL, encoding="utf-8")
    (folder / "study.yaml").write_text(
        "title: 问卷星导出测试\nlanguage: zh\ndata: wjx_text.xlsx\nmodel: model.lav\ninstrument: instrument.yaml\n"
        "screening: {attention: true, speed: true, longstring: true, mahalanobis: true}\n"
        "hypotheses:\n  - {id: H1, path: 'TR ~ PI', sign: '+'}\noutput: {dir: out}\n",
        encoding="utf-8",
    )
    before = hashlib.sha256((folder / "wjx_text.xlsx").read_bytes()).hexdigest()
    proc = run_cli("run", str(folder / "study.yaml"), "-q")
    assert proc.returncode == 0, proc.stderr
    return folder, before


def test_screening_removes_exactly_the_planted_respondents(study):
    folder, _ = study
    doc = json.loads((folder / "out" / "results.json").read_text(encoding="utf-8"))
    planted = json.loads((INTAKE / "planted.json").read_text())
    excluded = {int(e["respondent"]) for e in doc["screening"]["log"]} if doc["screening"].get("log") else set()
    # every planted straight-liner, speeder, failed check and outlier; not the respondent who
    # merely skipped an item (kept by screening, dropped listwise by the fit)
    expected = {int(r) for kind, rows in planted.items() if kind != "skipped_PU3" for r in rows}
    assert excluded == expected
    assert doc["n_obs"] == doc["data_provenance"]["rows"][-1]["n"]
    assert doc["n_dropped"] == 1


def test_provenance_and_derived_files(study):
    folder, before = study
    doc = json.loads((folder / "out" / "results.json").read_text(encoding="utf-8"))
    prov = doc["data_provenance"]
    assert prov["sha256"] == before
    assert [r["step"] for r in prov["rows"]][0] == "read"
    assert doc["study"]["reversed_items"] == ["TR4"]
    for path in doc["study"]["derived_files"]:
        assert (folder / "out").resolve().as_posix() in path
        assert __import__("pathlib").Path(path).is_file()
    assert hashlib.sha256((folder / "wjx_text.xlsx").read_bytes()).hexdigest() == before

"""The command line as a user meets it: exit codes, one-line errors, no partial output, input files untouched.

Commands run in this process (typer's ``CliRunner``: the same ``main`` a user runs, without
a new interpreter per test); ``python -m semxhs`` and Ctrl-C are checked in real subprocesses.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runner import run_cli
from tests.reference_cases import FIXTURES

ROOT = Path(__file__).resolve().parents[1]
POLDEM = FIXTURES / "shared" / "poldem_sem"
HEYWOOD = FIXTURES / "lavaan" / "heywood"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return run_cli(*args, cwd=cwd)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr.strip()
    assert "Traceback" not in proc.stderr
    assert len(err.splitlines()) == 1, err
    assert err.startswith("semxhs: error:"), err
    for needle in needles:
        assert needle in err, err


def test_help_lists_commands():
    proc = run("--help")
    assert proc.returncode == 0
    for command in ("fit", "run", "demo"):
        assert command in proc.stdout


def test_fit_writes_json_with_the_contract(tmp_path):
    out = tmp_path / "out.json"
    data = POLDEM / "data.csv"
    before = sha(data)
    proc = run("fit", str(POLDEM / "model.lav"), str(data), "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["n_obs"] == 75 and doc["estimator"] == "ML" and doc["missing"] == "listwise"
    assert doc["converged"] is True
    assert set(doc["fit"]) >= {"chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower",
                               "rmsea_ci_upper", "srmr", "aic", "bic", "logl", "npar"}
    row = doc["parameters"][0]
    assert set(row) >= {"lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"}
    defined = [p for p in doc["parameters"] if p["op"] == ":="]
    assert [(p["lhs"], p["rhs"], p["label"]) for p in defined] == [("indirect", "a*b", "indirect"),
                                                                    ("total", "c+a*b", "total")]
    assert set(doc["r2"]) >= {"dem60", "dem65", "y1"}
    assert sha(data) == before


def test_missing_data_file(tmp_path):
    out = tmp_path / "out.json"
    proc = run("fit", str(POLDEM / "model.lav"), str(tmp_path / "nope.csv"), "--json", str(out))
    assert_one_line_error(proc, "data file not found", "nope.csv")
    assert not out.exists()


def test_unreadable_data_file(tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"this is not a workbook")
    proc = run("fit", str(POLDEM / "model.lav"), str(bad))
    assert_one_line_error(proc, "cannot read broken.xlsx")


def test_model_variables_not_in_data_are_listed(tmp_path):
    model = tmp_path / "m.lav"
    model.write_text("f =~ y1 + y2 + zz1\nf ~ zz2\n", encoding="utf-8")
    out = tmp_path / "o.json"
    proc = run("fit", str(model), str(POLDEM / "data.csv"), "--json", str(out))
    assert_one_line_error(proc, "not in the data", "'zz1'", "'zz2'")
    assert not out.exists()


def test_non_numeric_values_name_column_and_rows(tmp_path):
    data = tmp_path / "d.csv"
    lines = (POLDEM / "data.csv").read_text().splitlines()
    header = lines[0].split(",")
    col = header.index('"y2"')
    row = lines[3].split(",")
    row[col] = "agree"
    lines[3] = ",".join(row)
    data.write_text("\n".join(lines) + "\n")
    before = sha(data)
    out = tmp_path / "o.json"
    proc = run("fit", str(POLDEM / "model.lav"), str(data), "--json", str(out))
    assert_one_line_error(proc, "non-numeric", "'y2'", "rows 3", "agree")
    assert not out.exists()
    assert sha(data) == before


@pytest.mark.parametrize(
    "model_text, needles",
    [
        ("M ~ a*X\nY ~ b*M + c*X\nind := a*d", ["'d'", "not a label", "line 3"]),
        ("M ~ a*X\nY ~ b*M + c*X\nind := exp(a)", ["function calls", "exp"]),
        ("M ~ a*X\nY ~ b*M + c*X\nind := a*b; import os", ["line 3"]),
        ("M ~ a*X\nY ~ b*M + c*X\nind := a*b__import__", ["not a label"]),
        ("M ~ a*X\nY ~ b*M + c*X\nY ~ M +\nthis is not lavaan\n", ["line"]),
        ("M ~ a*X\nY ~ b*M + c*X\nind := a**b**", ["not valid arithmetic"]),
    ],
)
def test_bad_models_are_rejected_with_one_line(tmp_path, model_text, needles):
    model = tmp_path / "m.lav"
    model.write_text(model_text, encoding="utf-8")
    out = tmp_path / "o.json"
    proc = run("fit", str(model), str(FIXTURES / "shared" / "mediation_observed" / "data.csv"), "--json", str(out))
    assert_one_line_error(proc, *needles)
    assert not out.exists()


def test_syntax_error_names_the_line(tmp_path):
    model = tmp_path / "m.lav"
    model.write_text("# comment\nM ~ X\nY ~ M + X\nY ~~ \n", encoding="utf-8")
    proc = run("fit", str(model), str(FIXTURES / "shared" / "mediation_observed" / "data.csv"))
    assert_one_line_error(proc, "line 4")


def test_study_with_unknown_and_missing_keys(tmp_path):
    study = tmp_path / "study.yaml"
    study.write_text("titel: x\nmodel_syntax: 'y ~ x'\nhypotheses:\n  - {id: H1, pth: 'y ~ x'}\n", encoding="utf-8")
    proc = run("run", str(study))
    assert_one_line_error(proc, "unknown key 'titel'", "missing key 'data'", "'pth'", "hypotheses[1]")


def test_study_hypothesis_not_in_model(tmp_path):
    (tmp_path / "d.csv").write_text((FIXTURES / "shared" / "mediation_observed" / "data.csv").read_text())
    study = tmp_path / "study.yaml"
    study.write_text(
        "data: d.csv\nmodel_syntax: |\n  M ~ a*X\n  Y ~ b*M + c*X\n  ind := a*b\n"
        "hypotheses:\n  - {id: H1, path: 'Y ~ M', sign: '+'}\n  - {id: H2, path: 'X ~ Y'}\n"
        "  - {id: H3, path: 'indirekt'}\n",
        encoding="utf-8",
    )
    proc = run("run", str(study), "--out", str(tmp_path / "out"))
    assert_one_line_error(proc, "H2 (X ~ Y)", "H3 (indirekt)")
    assert not (tmp_path / "out").exists()


def test_heywood_case_is_reported_not_hidden(tmp_path):
    out = tmp_path / "o.json"
    proc = run("fit", str(HEYWOOD / "model.lav"), str(HEYWOOD / "data.csv"), "--json", str(out))
    assert proc.returncode == 0
    doc = json.loads(out.read_text())
    assert doc["improper"] is True
    assert any("negative variance" in w and "b1 ~~ b1" in w for w in doc["warnings"])
    assert "negative variance" in proc.stdout


def test_output_never_overwrites_input(tmp_path):
    data = tmp_path / "d.csv"
    data.write_bytes((POLDEM / "data.csv").read_bytes())
    before = sha(data)
    proc = run("fit", str(POLDEM / "model.lav"), str(data), "--json", str(data))
    assert_one_line_error(proc, "refusing to overwrite the input file")
    assert sha(data) == before


def test_python_dash_m_help():
    proc = subprocess.run([sys.executable, "-m", "semxhs", "fit", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "--json" in proc.stdout and "--html" in proc.stdout


def test_process_command_scores_constructs(tmp_path):
    out = tmp_path / "p.json"
    proc = run("process", "surveys/demo/responses.csv", "--model", "4", "--x", "PI", "--m", "TR", "--y", "PU",
               "--constructs", "models/trust_purchase.lav", "--boot", "500", "--json", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["model"] == 4 and doc["variables"]["x"] == "PI" and doc["n"] == 400
    assert doc["indirect"][0]["ci_lower"] > 0


def test_process_command_bad_input(tmp_path):
    proc = run("process", "surveys/demo/responses.csv", "--model", "9", "--x", "PI1", "--y", "PU1")
    assert_one_line_error(proc, "model 9", "supported")
    proc = run("process", "surveys/demo/responses.csv", "--model", "4", "--x", "PI", "--m", "TRX", "--y", "PU",
               "--constructs", "models/trust_purchase.lav")
    assert_one_line_error(proc, "'TRX'")


def test_process_html_report_with_plots_beside_it(tmp_path):
    html = tmp_path / "report.html"
    proc = run("process", str(FIXTURES / "process" / "process_model7" / "data.csv"), "--model", "7",
               "--x", "PI", "--m", "TR", "--w", "CE", "--y", "PU", "--boot", "500", "--html", str(html),
               "--lang", "zh", "-q")
    assert proc.returncode == 0, proc.stderr
    page = html.read_text(encoding="utf-8")
    assert page.count("<svg") >= 2 and "调节" in page
    for name in ("report_interaction_plot.svg", "report_johnson_neyman.svg"):
        svg = (tmp_path / name).read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<?xml") or "<svg" in svg
    assert "report_interaction_plot.svg" in page and not (tmp_path / "interaction_plot.svg").exists()


def test_process_docx_and_plots_named_after_each_report(tmp_path):
    """Two analyses written into one folder keep their own plots; --docx writes the Word report."""
    import docx

    data = str(FIXTURES / "process" / "process_model1" / "data.csv")
    for name, w in (("first", "CE"), ("second", "PI")):
        other = "PI" if w == "CE" else "CE"
        proc = run("process", data, "--model", "1", "--x", other, "--w", w, "--y", "VC", "--boot", "0",
                   "--html", str(tmp_path / f"{name}.html"), "--docx", str(tmp_path / f"{name}.docx"), "-q")
        assert proc.returncode == 0, proc.stderr
        assert f"wrote {tmp_path / (name + '.docx')}" in proc.stdout
    first = (tmp_path / "first_interaction_plot.svg").read_text(encoding="utf-8")
    second = (tmp_path / "second_interaction_plot.svg").read_text(encoding="utf-8")
    assert first != second
    document = docx.Document(str(tmp_path / "second.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "second_interaction_plot.svg" in text and len(document.tables) >= 3


def test_bootstrap_from_the_command_line(tmp_path):
    out = tmp_path / "b.json"
    case = FIXTURES / "shared" / "mediation_observed"
    proc = run("fit", str(case / "model.lav"), str(case / "data.csv"), "--bootstrap", "2000", "--seed", "5",
               "--ci", "bc", "--json", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    boot = json.loads(out.read_text())["bootstrap"]
    assert boot["draws"] == 2000 and boot["seed"] == 5 and boot["ci"] == "bc" and boot["failed"] == 0
    assert {d["label"] for d in boot["defined"]} == {"indirect", "total"}
    assert any(e["path"] == "X -> M -> Y" for e in boot["indirect"])


@pytest.mark.slow
def test_ctrl_c_during_bootstrap_leaves_no_output(tmp_path):
    import signal
    import time

    out = tmp_path / "b.json"
    html = tmp_path / "b.html"
    proc = subprocess.Popen(
        [sys.executable, "-m", "semxhs", "fit", str(POLDEM / "model.lav"), str(POLDEM / "data.csv"),
         "--bootstrap", "200000", "--json", str(out), "--html", str(html)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    time.sleep(4)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert not out.exists() and not html.exists()
    assert list(tmp_path.iterdir()) == []


def test_model_with_negative_df_is_refused(tmp_path):
    model = tmp_path / "m.lav"
    model.write_text("f =~ x1 + x2\n", encoding="utf-8")
    out = tmp_path / "o.json"
    proc = run("fit", str(model), str(FIXTURES / "shared" / "hs1939_cfa" / "data.csv"), "--json", str(out))
    assert_one_line_error(proc, "not identified", "df = -1")
    assert not out.exists()


def test_terminal_bootstrap_intervals_process_tables_and_chinese(tmp_path):
    """fit --bootstrap prints the intervals; --lang zh words the summary; PROCESS tables are formatted."""
    case = FIXTURES / "shared" / "mediation_observed"
    proc = run("fit", str(case / "model.lav"), str(case / "data.csv"), "--bootstrap", "60", "--no-progress",
               "--lang", "zh")
    assert proc.returncode == 0, proc.stderr
    assert "Bootstrap：60 次抽样中成功 60 次，percentile 95% 置信区间" in proc.stdout
    assert "95% CI" in proc.stdout and "收敛" in proc.stdout
    proc = run("process", str(FIXTURES / "process" / "process_model7" / "data.csv"), "--model", "7",
               "--x", "PI", "--m", "TR", "--w", "CE", "--y", "PU", "--boot", "100")
    assert proc.returncode == 0, proc.stderr
    assert "0.0000" not in proc.stdout and "index of moderated mediation" in proc.stdout
    assert re.search(r"PI -> TR -> PU\s+\d\.\d{3}\s+\d\.\d{3}\s+0\.\d{3}\s", proc.stdout)

"""`power:` in a study file: `semxhs run` runs the power analysis and the study report gets its
"Sample size justification / 样本量论证" section (HTML, Word, LaTeX, Markdown; en and zh); bad keys
give one line each."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from semxhs.errors import StudyError
from semxhs.sem.simulate import simulate
from semxhs.study.config import parse_study

pytestmark = pytest.mark.slow

POPULATION = "m ~ 0.4*x\ny ~ 0.3*m + 0.1*x"
MODEL = "m ~ a*x\ny ~ b*m + x\nind := a*b\n"
N_STUDY = 150


def _study(folder: Path, language: str = "en", power: str = "{n: [60, 120], reps: 12, seed: 3}") -> Path:
    simulate(POPULATION, N_STUDY, seed=4).to_csv(folder / "data.csv", index=False)
    (folder / "model.lav").write_text(MODEL)
    (folder / "pop.lav").write_text(POPULATION)
    (folder / "study.yaml").write_text(
        f"title: Power study\nlanguage: {language}\ndata: data.csv\nmodel: model.lav\nmeasurement: false\n"
        "hypotheses:\n  - {id: H1, text: x raises m, path: m ~ x, sign: '+'}\n"
        "  - {id: H2, text: mediation, path: ind, sign: '+'}\n"
        f"power: {power}\n"
        "output: {dir: out, html: report.html, json: results.json, docx: report.docx, tex: report.tex, md: report.md}\n",
        encoding="utf-8")
    return folder / "study.yaml"


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "semxhs", "run", *args], cwd=folder, capture_output=True, text=True,
                          timeout=600)


def test_a_study_with_power_runs_end_to_end_in_english(tmp_path: Path) -> None:
    _study(tmp_path)
    out = _run(tmp_path, "study.yaml", "-q")
    assert out.returncode == 0, out.stderr
    doc = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    power = doc["power"]
    # the document of `semxhs power`, the study's N among the simulated ones
    assert power["design"]["n"] == [60, 120, N_STUDY] and power["design"]["reps"] == 12
    assert power["study"] == {"n": N_STUDY, "population": "estimates"}
    keys = {(r["n"], r["label"] if r["op"] == ":=" else f"{r['lhs']} ~ {r['rhs']}") for r in power["power"]}
    assert keys >= {(N_STUDY, "ind"), (N_STUDY, "m ~ x")}
    assert len(power["rmsea_power"]) == 3 and set(power["min_n_80"]) == {"m ~ x", "y ~ m", "y ~ x", "ind"}
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Sample size justification" in html and "Power at N = 150" in html and "Hoenig" in html
    assert "<svg" in html.split("Sample size justification")[1]  # the power curve
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "Sample size justification" in md and "report_power_curve.svg" in md  # figures named after the report
    assert (tmp_path / "out" / "report_power_curve.svg").is_file() and (tmp_path / "out" / "report_power_curve.png").is_file()
    tex = (tmp_path / "out" / "report.tex").read_text(encoding="utf-8")
    assert "Sample size justification" in tex
    from docx import Document

    text = "\n".join(p.text for p in Document(str(tmp_path / "out" / "report.docx")).paragraphs)
    assert "Sample size justification" in text and "Power of the Hypothesised Effects" in text


def test_a_study_with_a_population_file_in_chinese(tmp_path: Path) -> None:
    _study(tmp_path, "zh", "{population: pop.lav, n: 80, reps: 8}")
    out = _run(tmp_path, "study.yaml", "-q")
    assert out.returncode == 0, out.stderr
    doc = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert doc["power"]["design"]["n"] == [80, N_STUDY]
    assert doc["power"]["study"]["population"].endswith("pop.lav")
    assert doc["power"]["design"]["population"] == POPULATION
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "样本量论证" in html and "N = 150 时的检验力" in html and "Hoenig" not in html
    assert "样本量论证" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("power", "message"), [
    ({"reps": 0}, "power: 'reps' must be a whole number >= 1"),
    ({"n": [100, 2]}, "power: 'n' must be a list of sample sizes of at least 3"),
    ({"n": "abc"}, "power: 'n' must be a list of sample sizes"),
    ({"alpha": 2}, "power: 'alpha' must be a number between 0 and 1"),
    ({"workers": 0}, "power: 'workers' must be a whole number >= 1"),
    ({"seed": -1}, "power: 'seed' must be a whole number >= 0"),
    ({"ci": "magic"}, "power: 'ci' must be one of"),
    ({"ci": "bc"}, "power: 'ci: bc' needs 'bootstrap'"),
    ({"population": "nothere.lav"}, "power: 'population': file not found"),
    ({"population": 5}, "power: 'population' must be a model file or 'estimates'"),
    ({"repz": 5}, "power: unknown key 'repz'"),
    ("lots", "'power' must be true or a mapping"),
])
def test_bad_power_keys_are_named(tmp_path: Path, power: object, message: str) -> None:
    (tmp_path / "d.csv").write_text("x,y\n1,2\n")
    with pytest.raises(StudyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_study({"data": "d.csv", "model_syntax": "y ~ x", "power": power}, tmp_path / "s.yaml")


def test_bad_power_keys_give_one_line_on_the_command_line(tmp_path: Path) -> None:
    _study(tmp_path, power="{reps: 0, n: [1], colour: red}")
    out = _run(tmp_path, "study.yaml", "-q")
    assert out.returncode == 2
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("semxhs: error:"), out.stderr
    assert "power: unknown key 'colour'" in lines[0] and "power: 'reps'" in lines[0] and "power: 'n'" in lines[0]
    assert not (tmp_path / "out").exists()


def test_power_needs_a_single_group_model(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("x,y,g\n1,2,a\n")
    with pytest.raises(StudyError, match="'power' is not available with 'group'"):
        parse_study({"data": "d.csv", "model_syntax": "y ~ x", "group": "g", "power": True}, tmp_path / "s.yaml")

"""What the user sees must not mislead (issue 9).

- ``screen`` keeps reverse-worded items as answered and says so plainly (terminal, flow
  file, report note); ``fit`` and ``process`` take ``--instrument`` and re-key them.
- The terminal warns about negative standardized loadings and negative alpha.
- One study, one analysis sample: the PROCESS analyses of a study use the respondents
  the SEM used, or the study says each N and why they differ.
- Numbers in ``exclusions.csv``, ``flow.csv`` and the terminal are rounded for people;
  cleaned data keep whole numbers whole; Mardia's χ² shows its df as ``df = …``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from semxhs.cli import app
from semxhs.messages import Message
from semxhs.report.labels import labels_for
from semxhs.report.messages import message_words
from semxhs.study.config import load_study
from semxhs.study.pipeline import run_study

ROOT = Path(__file__).resolve().parents[2]
INTAKE = ROOT / "tests" / "fixtures" / "intake"
INSTRUMENT = INTAKE / "instrument.yaml"
CONSTRUCTS = "PI =~ PI1 + PI2 + PI3 + PI4\nTR =~ TR1 + TR2 + TR3 + TR4\nPU =~ PU1 + PU2 + PU3 + PU4\n"


def cli(*args: object) -> subprocess.CompletedProcess[str]:
    res = CliRunner().invoke(app, [str(a) for a in args])
    return subprocess.CompletedProcess(list(args), res.exit_code, res.stdout, res.stderr)


# --------------------------------------------------------------------------- reverse-worded items

@pytest.fixture()
def screened(tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    export = tmp_path / "wjx_text.xlsx"
    shutil.copy(INTAKE / "wjx_text.xlsx", export)
    done = cli("screen", export, "--instrument", INSTRUMENT)
    assert done.returncode == 0, done.stderr
    return done, tmp_path


def test_screen_says_plainly_that_reverse_items_are_raw(screened):
    done, folder = screened
    assert "Reverse-worded items (TR4) are NOT re-keyed in the cleaned data file" in done.stdout
    flow = pd.read_csv(folder / "wjx_text.flow.csv", encoding="utf-8-sig")
    last = flow.iloc[-1]
    assert last["stage"] == "note" and "'TR4' are NOT re-keyed" in last["criterion"]
    assert "--reverse TR4" in last["criterion"] and pd.isna(last["remaining"])
    # the cleaned file holds the answers as given: TR4 equals the coded truth, not 8 - x
    cleaned = pd.read_csv(folder / "wjx_text.cleaned.csv", encoding="utf-8-sig").set_index("序号")
    truth = pd.read_csv(INTAKE / "coded.csv", encoding="utf-8").set_index("序号").loc[cleaned.index]
    assert (cleaned["TR4"] == truth["TR4"]).all()


def test_fit_of_the_cleaned_file_with_the_instrument_rekeys(screened, tmp_path):
    _, folder = screened
    model = tmp_path / "m.lav"
    model.write_text(CONSTRUCTS, encoding="utf-8")
    cleaned = folder / "wjx_text.cleaned.csv"
    with_inst = cli("fit", model, cleaned, "--instrument", INSTRUMENT, "--no-measurement", "--json",
                    tmp_path / "a.json")
    by_hand = cli("fit", model, cleaned, "--reverse", "TR4", "--scale", "1,7", "--no-measurement", "--json",
                  tmp_path / "b.json")
    assert with_inst.returncode == 0 and by_hand.returncode == 0, with_inst.stderr + by_hand.stderr
    a = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["parameters"]
    b = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["parameters"]
    assert [p["est"] for p in a] == pytest.approx([p["est"] for p in b], rel=1e-10)
    tr4 = next(p for p in a if p["op"] == "=~" and p["rhs"] == "TR4")
    assert tr4["std_all"] > 0


def test_process_takes_the_instrument_and_rekeys(tmp_path):
    """``process --instrument`` reads the platform export, re-keys TR4 and knows the constructs."""
    model = tmp_path / "m.lav"
    model.write_text(CONSTRUCTS, encoding="utf-8")
    common = ["--model", "4", "--x", "PI", "--m", "TR", "--y", "PU", "--boot", "0", "-q"]
    a = cli("process", INTAKE / "wjx_text.xlsx", *common, "--instrument", INSTRUMENT, "--json", tmp_path / "a.json")
    b = cli("process", INTAKE / "coded.csv", *common, "--constructs", model, "--reverse", "TR4", "--scale", "1,7",
            "--json", tmp_path / "b.json")
    c = cli("process", INTAKE / "coded.csv", *common, "--constructs", model, "--json", tmp_path / "c.json")
    assert a.returncode == b.returncode == c.returncode == 0, a.stderr + b.stderr + c.stderr
    ja, jb, jc = (json.loads((tmp_path / f"{k}.json").read_text(encoding="utf-8")) for k in "abc")
    assert ja["n"] == jb["n"]
    assert json.dumps(ja["equations"], sort_keys=True) == json.dumps(jb["equations"], sort_keys=True)
    assert json.dumps(ja["equations"], sort_keys=True) != json.dumps(jc["equations"], sort_keys=True)


# --------------------------------------------------------------------------- negative loadings and alpha

def _opposed(n: int = 300, seed: int = 9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f, g = rng.normal(size=n), rng.normal(size=n)
    frame = pd.DataFrame({f"a{k}": f + rng.normal(scale=0.5, size=n) for k in (1, 2, 3)})
    frame["b1"] = g + rng.normal(scale=0.5, size=n)
    frame["b2"] = -(g + rng.normal(scale=0.5, size=n))  # reverse-worded, not re-keyed
    frame["a3"] = -frame["a3"]                            # reverse-worded, not re-keyed
    return frame


def test_terminal_warns_about_negative_loadings_and_alpha(tmp_path):
    data = tmp_path / "d.csv"
    _opposed().to_csv(data, index=False)
    model = tmp_path / "m.lav"
    model.write_text("A =~ a1 + a2 + a3\nB =~ b1 + b2\n", encoding="utf-8")
    done = cli("fit", model, data, "--htmt-draws", "0")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("warning:")]
    assert any("A / a3: negative standardized loading (-" in line for line in lines), done.stdout
    assert any("B / b2: negative standardized loading (-" in line for line in lines), done.stdout
    assert any("B: Cronbach's alpha is negative (-" in line for line in lines), done.stdout
    assert not any("a1" in line or "a2" in line for line in lines)


def test_sign_warnings_are_worded_in_chinese():
    t = labels_for("zh")
    assert message_words(Message("negative_alpha", {"factor": "TR", "alpha": -0.123}), t) == (
        "TR：Cronbach's α 系数为负（-0.12）：题项方向相反，是否有反向题未反向计分？")


# --------------------------------------------------------------------------- one study, one analysis sample

def _study_data(n: int = 200, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    m = 0.5 * x + rng.normal(size=n)
    y = 0.4 * m + 0.2 * x + rng.normal(size=n)
    o = rng.normal(size=n)
    out = {}
    for name, f in (("x", x), ("m", m), ("y", y), ("o", o)):
        for k in (1, 2, 3):
            out[f"{name}{k}"] = np.clip(np.round(4 + 1.2 * (f + rng.normal(scale=0.6, size=n))), 1, 7)
    frame = pd.DataFrame(out)
    frame["age"] = rng.integers(18, 60, size=n).astype(float)
    frame.loc[[1, 5, 9, 13, 17, 21], "o2"] = np.nan   # missing in a construct PROCESS does not use
    return frame


def _write_study(folder: Path, frame: pd.DataFrame, missing: str = "listwise", cov: str = "") -> Path:
    frame.to_csv(folder / "d.csv", index=False)
    model = ("X =~ x1 + x2 + x3\nM =~ m1 + m2 + m3\nY =~ y1 + y2 + y3\nO =~ o1 + o2 + o3\n"
             "M ~ X\nY ~ M + X + O\n")
    (folder / "m.lav").write_text(model, encoding="utf-8")
    study = folder / "study.yaml"
    study.write_text(f"data: d.csv\nmodel: m.lav\nmissing: {missing}\nmeasurement: false\nscale: [1, 7]\n"
                     f"process:\n  - {{model: 4, x: X, m: [M], y: Y, boot: 0{cov}}}\n", encoding="utf-8")
    return study


def test_process_uses_the_respondents_the_sem_used(tmp_path):
    result = run_study(load_study(_write_study(tmp_path, _study_data())))
    assert result.sem.n_obs == 194
    assert result.process[0].n == 194  # not 200: the rows the SEM dropped listwise are not analysed either
    assert not any(c.code.startswith("process_sample") for c in result.note_codes)


def test_a_different_process_n_is_stated_with_its_reason(tmp_path):
    frame = _study_data()
    frame.loc[[2, 3, 4], "age"] = np.nan  # a PROCESS covariate outside the SEM, missing in 3 more rows
    result = run_study(load_study(_write_study(tmp_path, frame, cov=", cov: [age]")))
    assert (result.sem.n_obs, result.process[0].n) == (194, 191)
    note = next(c for c in result.note_codes if c.code == "process_sample_roles")
    assert note.params["roles"] == ["age"] and note.params["n_process"] == 191 and note.params["n_sem"] == 194
    assert message_words(note, labels_for("en")) == (
        "PROCESS model 4 analysed 191 of the SEM's 194 respondents: age, outside the SEM model, have missing values.")
    assert any("PROCESS model 4 analysed 191" in n for n in result.notes)


def test_fiml_study_states_both_ns(tmp_path):
    result = run_study(load_study(_write_study(tmp_path, _study_data(), missing="fiml")))
    assert (result.sem.n_obs, result.process[0].n) == (200, 200)  # O is not a PROCESS role
    frame = _study_data()
    frame.loc[[30, 31], "x1"] = np.nan
    result = run_study(load_study(_write_study(tmp_path, frame, missing="fiml")))
    assert (result.sem.n_obs, result.process[0].n) == (200, 198)
    note = next(c for c in result.note_codes if c.code == "process_sample_fiml")
    assert "the SEM used FIML" in message_words(note, labels_for("en"))


# --------------------------------------------------------------------------- numbers for people

def test_screening_files_and_terminal_round_for_people(screened):
    done, folder = screened
    exclusions = (folder / "wjx_text.exclusions.csv").read_text(encoding="utf-8-sig")
    speed = [line.split(",") for line in exclusions.splitlines() if ",speed," in line]
    assert speed and all(re.fullmatch(r"\d+(\.\d)?", cell) for row in speed for cell in row[3:5])
    assert not re.search(r"\d\.\d{5,}", exclusions)
    flow = (folder / "wjx_text.flow.csv").read_text(encoding="utf-8-sig")
    assert "completed in under 102.7 s (0.333 x median 308 s)" in flow and not re.search(r"\d\.\d{5,}", flow)
    assert "χ²(df = 12)" in flow
    assert not re.search(r"\d\.\d{5,}", done.stdout)
    cleaned = (folder / "wjx_text.cleaned.csv").read_text(encoding="utf-8-sig").splitlines()
    header = cleaned[0].split(",")
    items = [header.index(c) for c in ("PI1", "TR4", "PU3", "AC1")]
    cells = [line.split(",")[k] for line in cleaned[1:] for k in items]
    assert cells and all(re.fullmatch(r"\d*", c) for c in cells), [c for c in cells if "." in c][:3]


def test_mardia_skewness_shows_its_df():
    m = Message("mlr_skew", {"chisq": 406.71, "df": 364.0, "p": 0.0001, "alpha": 0.001})
    assert "χ²(df = 364) = 406.71, p < .001" in message_words(m, labels_for("en"))


def test_process_never_writes_over_its_instrument(tmp_path):
    inst = tmp_path / "instrument.yaml"
    shutil.copy(INSTRUMENT, inst)
    before = inst.read_bytes()
    done = cli("process", INTAKE / "wjx_text.xlsx", "--model", "4", "--x", "PI", "--m", "TR", "--y", "PU",
               "--boot", "0", "--instrument", inst, "--json", inst)
    assert done.returncode == 2 and "refusing to overwrite" in done.stderr and inst.read_bytes() == before

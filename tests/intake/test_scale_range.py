"""A declared response scale is enforced on every item it covers (issue 15).

Planted values off a 1-to-5 scale — above, below, fractional, in a reverse-worded and in
a plain item — in CSV, XLSX and SAV files are refused by ``fit``, ``process``, ``run``
and ``screen`` with one line (exit 2, nothing written); declared as missing codes they
become missing values and the fit equals the fit of the same data with those cells
blank (the parameter tables are compared).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from semxhs.errors import DataError, StudyError
from semxhs.study.config import load_study
from semxhs.study.pipeline import AnalysisOptions, fit_files, run_study, scale_items
from semxhs.survey.instrument import parse_instrument
from semxhs.survey.validate import check_scale

ROOT = Path(__file__).resolve().parents[2]
INTAKE = ROOT / "tests" / "fixtures" / "intake"

MODEL = """SI =~ si1 + si2 + si3
TR =~ tr1 + tr2 + tr3
PU =~ pu1 + pu2 + pu3
TR ~ SI
PU ~ TR + SI + age
"""
REVERSE = "tr3,pu2"


def likert(n: int = 240, seed: int = 15) -> pd.DataFrame:
    """Five-point answers from a three-factor model; tr3 and pu2 reverse-worded; age off the scale."""
    rng = np.random.default_rng(seed)
    si = rng.normal(size=n)
    tr = 0.6 * si + rng.normal(scale=0.8, size=n)
    pu = 0.5 * tr + 0.2 * si + rng.normal(scale=0.8, size=n)
    out = {}
    for name, factor in (("si", si), ("tr", tr), ("pu", pu)):
        for k in (1, 2, 3):
            latent = factor + rng.normal(scale=0.7, size=n)
            out[f"{name}{k}"] = np.clip(np.round(3 + 1.1 * latent), 1, 5).astype(int)
    frame = pd.DataFrame(out)
    frame["tr3"] = 6 - frame["tr3"]
    frame["pu2"] = 6 - frame["pu2"]
    frame["age"] = rng.integers(18, 60, size=n)
    return frame


def write(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        import pyreadstat

        pyreadstat.write_sav(frame.astype(float), str(path))
    return path


def cli(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "semxhs", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def cli_here(*args: object) -> subprocess.CompletedProcess[str]:
    """The same command line run in this process (Typer's runner): quick, for the many refusals."""
    from typer.testing import CliRunner

    from semxhs.cli import app

    res = CliRunner().invoke(app, [str(a) for a in args])
    return subprocess.CompletedProcess(list(args), res.exit_code, res.stdout, res.stderr)


def refused(proc: subprocess.CompletedProcess[str]) -> str:
    """The one error line of a refused command (exit 2, no traceback)."""
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, proc.stderr + proc.stdout
    assert len(lines) == 1 and lines[0].startswith("semxhs: error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def params(path: Path) -> pd.DataFrame:
    table = pd.DataFrame(json.loads(path.read_text(encoding="utf-8"))["parameters"])
    return table.set_index(["lhs", "op", "rhs"]).sort_index()


# --------------------------------------------------------------------------- the rule, as a pure function

def test_scale_covers_the_indicators_and_reverse_items_not_covariates():
    assert scale_items(MODEL, ("tr3", "pu2")) == ("si1", "si2", "si3", "tr1", "tr2", "tr3", "pu1", "pu2", "pu3")
    frame = likert()
    frame.loc[0, "age"] = 99  # a covariate: not on the Likert scale, not checked
    out, check = check_scale(frame, scale_items(MODEL), (1, 5))
    assert check.counts == {} and out["age"].iloc[0] == 99


@pytest.mark.parametrize(("column", "value", "says"), [
    ("si2", 9, "declare it missing with --missing-codes 9"),            # above, plain item
    ("si1", 0, "declare it missing with --missing-codes 0"),            # below
    ("tr1", 2.5, "2.5 is not a whole step of the scale, so no missing code explains it"),  # fractional
    ("tr3", 9, "declare it missing with --missing-codes 9"),            # a reverse-worded item
    ("pu2", -1, "declare it missing with --missing-codes -1"),          # below, reverse-worded
])
def test_check_scale_names_column_value_rows_and_whether_a_code_explains_it(column, value, says):
    frame = likert().astype(float)
    frame.loc[[3, 16], column] = value
    with pytest.raises(DataError) as info:
        check_scale(frame, scale_items(MODEL, ("tr3", "pu2")), (1, 5))
    message = str(info.value)
    assert "\n" not in message
    shown = str(int(value)) if float(value).is_integer() else str(value)
    assert f"'{column}': {shown} in rows 4, 17" in message and "scale 1 to 5" in message
    assert says in message


def test_declared_codes_that_do_not_explain_a_value_are_named():
    frame = likert()
    frame.loc[5, "si2"] = 9
    with pytest.raises(DataError, match=r"'si2': 9 in row 6 .*\(declared missing codes: 99\)"):
        check_scale(frame, scale_items(MODEL), (1, 5), missing_codes=[99])


def test_a_missing_code_on_the_scale_is_refused():
    # 3 on a 1-to-5 scale is an answer: declaring it missing would delete genuine answers
    with pytest.raises(DataError, match="missing code 3 is an answer of the scale 1 to 5"):
        check_scale(likert(), scale_items(MODEL), (1, 5), missing_codes=[9, 3])


def test_missing_codes_in_study_and_instrument_files(tmp_path):
    inst = parse_instrument({"scale": {"points": 5}, "constructs": [{"id": "A"}],
                             "items": [{"id": "a1", "construct": "A"}], "missing_codes": [9, 99]})
    assert inst.missing_codes == (9.0, 99.0) and inst.to_dict()["missing_codes"] == [9, 99]
    with pytest.raises(StudyError, match="'missing_codes': missing code 4 is an answer of the scale 1 to 5"):
        parse_instrument({"scale": {"points": 5}, "constructs": [{"id": "A"}],
                          "items": [{"id": "a1", "construct": "A"}], "missing_codes": [4]})
    data = write(likert(), tmp_path / "d.csv")
    study = tmp_path / "study.yaml"
    study.write_text(f"data: {data.name}\nmodel_syntax: 'F =~ si1 + si2 + si3'\nscale: [1, 5]\n"
                     "missing_codes: [9, x]\n", encoding="utf-8")
    with pytest.raises(StudyError, match="missing code 'x' is not a number"):
        load_study(study)


# --------------------------------------------------------------------------- fit: one clear refusal each

PLANTS = [
    pytest.param("si2", 9, id="above-plain"),
    pytest.param("si1", 0, id="below-plain"),
    pytest.param("tr1", 2.5, id="fraction-plain"),
    pytest.param("tr3", 9, id="above-reversed"),
    pytest.param("pu2", 0, id="below-reversed"),
    pytest.param("pu2", 4.5, id="fraction-reversed"),
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".sav"])
@pytest.mark.parametrize(("column", "value"), PLANTS)
def test_fit_refuses_a_value_off_the_scale(tmp_path, suffix, column, value):
    frame = likert().astype(float)
    frame.loc[[3, 16], column] = value
    data = write(frame, tmp_path / f"answers{suffix}")
    model = tmp_path / "m.lav"
    model.write_text(MODEL, encoding="utf-8")
    out = tmp_path / "out.json"
    line = refused(cli_here("fit", model, data, "--reverse", REVERSE, "--scale", "1,5", "--no-measurement",
                            "--json", out))
    shown = str(int(value)) if float(value).is_integer() else str(value)
    assert f"'{column}': {shown} in rows 4, 17" in line
    assert ("--missing-codes" in line) == float(value).is_integer()
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == sorted([data.name, "m.lav"])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".sav"])
def test_fit_with_missing_codes_equals_fit_with_blank_cells(tmp_path, suffix):
    frame = likert().astype(float)
    blank = frame.copy()
    cells = [(3, "si2", 9), (16, "si2", 9), (40, "tr3", 99), (41, "pu2", 9), (77, "pu1", 99)]
    for row, col, code in cells:
        frame.loc[row, col] = code
        blank.loc[row, col] = np.nan
    coded = write(frame, tmp_path / f"coded{suffix}")
    blanked = write(blank, tmp_path / f"blank{suffix}")
    model = tmp_path / "m.lav"
    model.write_text(MODEL, encoding="utf-8")
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    done = cli("fit", model, coded, "--reverse", REVERSE, "--scale", "1,5", "--missing-codes", "9,99",
               "--no-measurement", "--json", a, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "5 answers coded as missing (9, 99) were set missing" in done.stdout
    done = cli("fit", model, blanked, "--reverse", REVERSE, "--scale", "1,5", "--no-measurement", "--json", b,
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    pa, pb = params(a), params(b)
    assert pa.index.equals(pb.index)
    for col in ("est", "se", "std_all"):
        np.testing.assert_allclose(pa[col].to_numpy(float), pb[col].to_numpy(float), rtol=1e-10, atol=1e-12)
    doc = json.loads(a.read_text(encoding="utf-8"))
    assert doc["missing_codes"] == {"si2": {"9": 2}, "tr3": {"99": 1}, "pu2": {"9": 1}, "pu1": {"99": 1}}
    assert doc["n_obs"] == json.loads(b.read_text(encoding="utf-8"))["n_obs"] == 240 - 5


def test_fiml_with_missing_codes_equals_fiml_with_blank_cells(tmp_path):
    frame = likert().astype(float)
    blank = frame.copy()
    for row, col in ((2, "si3"), (9, "tr2"), (30, "pu3")):
        frame.loc[row, col] = 99
        blank.loc[row, col] = np.nan
    model = tmp_path / "m.lav"
    model.write_text(MODEL, encoding="utf-8")
    a = fit_files(model, write(frame, tmp_path / "a.csv"), AnalysisOptions(
        missing="fiml", reverse=("tr3", "pu2"), scale=(1, 5), missing_codes=(99,), measurement=False))
    b = fit_files(model, write(blank, tmp_path / "b.csv"), AnalysisOptions(
        missing="fiml", reverse=("tr3", "pu2"), scale=(1, 5), measurement=False))
    pd.testing.assert_frame_equal(a.sem.to_frame(), b.sem.to_frame(), rtol=1e-10, atol=1e-12)
    assert a.sem.n_obs == 240 and a.scale_check.n_set_missing == 3


def test_fit_refuses_a_missing_code_on_the_scale(tmp_path):
    data = write(likert(), tmp_path / "d.csv")
    model = tmp_path / "m.lav"
    model.write_text(MODEL, encoding="utf-8")
    line = refused(cli("fit", model, data, "--scale", "1,5", "--missing-codes", "9,3", "--json", tmp_path / "o.json",
                       cwd=tmp_path))
    assert "missing code 3 is an answer of the scale 1 to 5" in line
    assert not (tmp_path / "o.json").exists()
    line = refused(cli("fit", model, data, "--scale", "1,5", "--missing-codes", "nine", cwd=tmp_path))
    assert "--missing-codes must be numbers" in line


# --------------------------------------------------------------------------- process, run, screen behave the same

def test_process_refuses_then_accepts_declared_codes(tmp_path):
    frame = likert().astype(float)
    blank = frame.copy()
    frame.loc[[3, 16], "si2"] = 9
    blank.loc[[3, 16], "si2"] = np.nan
    coded, blanked = write(frame, tmp_path / "c.xlsx"), write(blank, tmp_path / "b.xlsx")
    model = tmp_path / "m.lav"
    model.write_text(MODEL, encoding="utf-8")
    common = ["--model", "4", "--x", "SI", "--m", "TR", "--y", "PU", "--constructs", model, "--reverse", REVERSE,
              "--scale", "1,5", "--boot", "0", "-q"]
    line = refused(cli("process", coded, *common, "--json", tmp_path / "p.json", cwd=tmp_path))
    assert "'si2': 9 in rows 4, 17" in line and not (tmp_path / "p.json").exists()
    assert cli("process", coded, *common, "--missing-codes", "9", "--json", tmp_path / "a.json",
               cwd=tmp_path).returncode == 0
    assert cli("process", blanked, *common, "--json", tmp_path / "b.json", cwd=tmp_path).returncode == 0
    a = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert a["n"] == b["n"] == 238
    assert json.dumps(a["equations"], sort_keys=True) == json.dumps(b["equations"], sort_keys=True)


def _study(folder: Path, data: Path, extra: str = "") -> Path:
    study = folder / "study.yaml"
    study.write_text(
        f"data: {data.name}\nmodel_syntax: |\n" + "".join(f"  {line}\n" for line in MODEL.splitlines())
        + f"reverse: [tr3, pu2]\nscale: [1, 5]\nmeasurement: false\noutput: {{dir: out}}\n{extra}",
        encoding="utf-8")
    return study


def test_run_refuses_then_accepts_declared_codes(tmp_path):
    frame = likert().astype(float)
    blank = frame.copy()
    frame.loc[[3, 16], "pu2"] = 9
    blank.loc[[3, 16], "pu2"] = np.nan
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    study = _study(tmp_path / "a", write(frame, tmp_path / "a" / "d.sav"))
    line = refused(cli("run", study, cwd=tmp_path))
    assert "'pu2': 9 in rows 4, 17" in line and not (tmp_path / "a" / "out").exists()
    coded = run_study(load_study(_study(tmp_path / "a", tmp_path / "a" / "d.sav", "missing_codes: [9]\n")))
    plain = run_study(load_study(_study(tmp_path / "b", write(blank, tmp_path / "b" / "d.sav"))))
    pd.testing.assert_frame_equal(coded.sem.to_frame(), plain.sem.to_frame(), rtol=1e-10, atol=1e-12)
    assert coded.to_dict()["missing_codes"] == {"pu2": {"9": 2}}


@pytest.fixture()
def export(tmp_path: Path) -> Path:
    """The Wenjuanxing export of the intake fixtures with a 9 planted in PI2 (rows 4 and 17) and TR4 (row 30)."""
    frame = pd.read_csv(INTAKE / "wjx_codes_gbk.csv", encoding="gbk")
    pi2 = next(c for c in frame.columns if "博主会及时回复我的评论" in c)
    tr4 = next(c for c in frame.columns if "我怀疑小红书博主推荐商品的动机" in c)  # reverse-worded
    frame[pi2] = frame[pi2].astype(object)
    frame.loc[[3, 16], pi2] = 9
    frame.loc[29, tr4] = 9
    path = tmp_path / "wjx.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    return path


def test_screen_refuses_then_counts_declared_codes(tmp_path, export):
    inst = INTAKE / "instrument.yaml"
    line = refused(cli("screen", export, "--instrument", inst, "--json", tmp_path / "s.json", cwd=tmp_path))
    assert "'PI2' off the scale 1 to 7: 9 in rows 4, 17" in line and "'TR4' off the scale 1 to 7: 9 in row 30" in line
    assert "--missing-codes 9" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wjx.csv"]
    done = cli("screen", export, "--instrument", inst, "--missing-codes", "9", "--json", tmp_path / "s.json",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    doc = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert doc["missing_codes"] == {"PI2": {"9": 2}, "TR4": {"9": 1}}
    assert "3 answers coded as missing (9) were set missing: PI2: 9 × 2; TR4: 9 × 1" in done.stdout


def test_fit_with_instrument_uses_its_missing_codes(tmp_path, export):
    text = (INTAKE / "instrument.yaml").read_text(encoding="utf-8")
    inst = tmp_path / "instrument.yaml"
    inst.write_text(text + "\nmissing_codes: [9]\n", encoding="utf-8")
    model = tmp_path / "m.lav"
    model.write_text("PI =~ PI1 + PI2 + PI3 + PI4\nTR =~ TR1 + TR2 + TR3 + TR4\nTR ~ PI\n", encoding="utf-8")
    result = fit_files(model, export, AnalysisOptions(measurement=False), instrument=inst)
    assert result.scale_check.counts == {"PI2": {"9": 2}, "TR4": {"9": 1}}
    assert result.to_dict()["missing_codes"] == {"PI2": {"9": 2}, "TR4": {"9": 1}}
    line = refused(cli("fit", model, export, "--instrument", INTAKE / "instrument.yaml", "--json",
                       tmp_path / "o.json", cwd=tmp_path))
    assert "'PI2' off the scale 1 to 7: 9 in rows 4, 17" in line and not (tmp_path / "o.json").exists()


def test_report_data_section_counts_the_declared_codes(tmp_path):
    from semxhs.report.intake import data_section

    frame = likert()
    frame.loc[[3, 16], "si2"] = 9
    frame.loc[40, "tr3"] = 99
    model = tmp_path / "m.lav"
    model.write_text(MODEL, encoding="utf-8")
    result = fit_files(model, write(frame, tmp_path / "d.csv"), AnalysisOptions(
        reverse=("tr3", "pu2"), scale=(1, 5), missing_codes=(9, 99), measurement=False))
    for language, scale_row in (("en", "1 to 5 in whole steps, enforced on 9 items"),
                                ("zh", "1 至 5（整数级），已对 9 个题项逐一核查")):
        from semxhs.report.labels import labels_for

        section = data_section(result, labels_for(language))
        tables = {t["id"]: t for t in section["tables"]}
        assert [r["cells"] for r in tables["table-missing-codes"]["rows"]] == [["si2", "9", "2"], ["tr3", "99", "1"]]
        assert any(r["cells"][1] == scale_row for r in tables["table-data-source"]["rows"])


def test_a_continuous_score_is_checked_for_its_range_only():
    # a test score such as 3.33 on 0 to 10 (HS1939 re-keyed with --scale 0,10) is not a Likert answer
    frame = pd.DataFrame({"x1": np.linspace(0.3, 9.7, 50)})
    out, check = check_scale(frame, ["x1"], (0, 10))
    assert out["x1"].equals(frame["x1"]) and check.items == ("x1",)
    frame.loc[3, "x1"] = 12.5
    with pytest.raises(DataError, match=r"'x1': 12.5 in row 4"):
        check_scale(frame, ["x1"], (0, 10))


def test_a_long_refusal_stays_short():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({f"q{k}": rng.integers(1, 12, size=300) for k in range(12)})
    with pytest.raises(DataError) as info:
        check_scale(frame, list(frame.columns), (1, 5))
    message = str(info.value)
    assert len(message) < 1200 and "and 6 more columns" in message and "more values" in message


def test_missing_codes_with_nothing_to_cover_are_refused(tmp_path):
    data = write(likert(), tmp_path / "d.csv")
    model = tmp_path / "m.lav"
    model.write_text("si1 ~ si2\n", encoding="utf-8")  # a path model: no indicators, no reverse items
    line = refused(cli_here("fit", model, data, "--missing-codes", "9"))
    assert "missing codes apply to the items a scale covers" in line


def test_instrument_check_honours_the_instruments_missing_codes(tmp_path, export):
    inst = tmp_path / "instrument.yaml"
    inst.write_text((INTAKE / "instrument.yaml").read_text(encoding="utf-8") + "\nmissing_codes: [9]\n",
                    encoding="utf-8")
    assert cli_here("instrument", "check", inst, "--data", export).returncode == 0
    line = refused(cli_here("instrument", "check", INTAKE / "instrument.yaml", "--data", export))
    assert "'PI2' off the scale 1 to 7: 9 in rows 4, 17" in line

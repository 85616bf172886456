"""Robustness of the command line: malformed inputs of every kind, through the real CLI.

Each case builds its inputs from small generated files in ``tmp_path`` and runs
``semxhs.cli.main`` in-process (the same function ``python -m semxhs`` runs: option parsing,
the commands, the one place that maps errors to exit codes), with the working folder in
``tmp_path``. For every case: exit status 2, exactly one line on stderr starting with
``semxhs: error:``, no traceback, no file created or removed in the folder, every input
byte-for-byte unchanged (SHA-256), and the line names the offender. A few cases also run as
real subprocesses (``python -m semxhs``) to show that in-process and out-of-process agree.

The ``:=`` arithmetic without a finite value is not an error: those fits exit 0 with a
warning naming the parameter (tested at the end).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from semxhs.cli import main

ROOT = Path(__file__).resolve().parents[1]

MODEL = "m ~ a*x\ny ~ b*m + c*x\nind := a*b\n"
LATENT = "F =~ x1 + x2 + x3\ny ~ F\n"
INSTRUMENT = """\
scale: {points: 5}
constructs:
  - {id: F}
items:
  - {id: x1, construct: F, number: 1, zh: 第一题}
  - {id: x2, construct: F, number: 2, zh: 第二题}
  - {id: x3, construct: F, number: 3, zh: 第三题}
"""
STUDY = """\
data: data.csv
model: model.lav
hypotheses:
  - {id: H1, path: "m ~ x", sign: "+"}
output: {dir: out}
"""


def _frame(n: int = 80, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    m = 0.5 * x + rng.normal(size=n)
    y = 0.4 * m + 0.2 * x + rng.normal(size=n)
    f = rng.normal(size=n)
    items = {f"x{k}": np.clip(np.round(3 + f + rng.normal(scale=0.7, size=n)), 1, 5).astype(int) for k in (1, 2, 3)}
    return pd.DataFrame({"id": np.arange(1, n + 1), "x": x, "m": m, "y": y, "w": rng.normal(size=n), **items})


def _alias_bomb(top: str = "") -> str:
    lines = [top.rstrip("\n"), 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'] if top else [
        'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for k in range(1, 10):
        lines.append(f"l{k}: &l{k} [" + ", ".join([f"*l{k - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


class Folder:
    """The inputs of one case: a good set written up front, and helpers to add bad ones."""

    def __init__(self, root: Path) -> None:
        self.root = root
        frame = _frame()
        frame.to_csv(root / "data.csv", index=False)
        (root / "model.lav").write_text(MODEL, encoding="utf-8")
        (root / "latent.lav").write_text(LATENT, encoding="utf-8")
        (root / "instrument.yaml").write_text(INSTRUMENT, encoding="utf-8")
        (root / "study.yaml").write_text(STUDY, encoding="utf-8")

    def text(self, name: str, content: str, encoding: str = "utf-8") -> str:
        (self.root / name).write_bytes(content.encode(encoding))
        return str(self.root / name)

    def raw(self, name: str, content: bytes) -> str:
        (self.root / name).write_bytes(content)
        return str(self.root / name)

    def frame(self, name: str, frame: pd.DataFrame, **kwargs: object) -> str:
        path = self.root / name
        if name.endswith(".xlsx"):
            frame.to_excel(path, index=False, **kwargs)  # type: ignore[arg-type]
        else:
            frame.to_csv(path, index=False, **kwargs)  # type: ignore[arg-type]
        return str(path)

    def csv_lines(self, name: str, lines: list[str]) -> str:
        return self.text(name, "\n".join(lines) + "\n")

    def study(self, name: str, content: str) -> str:
        return self.text(name, content)

    @property
    def data(self) -> str:
        return str(self.root / "data.csv")

    @property
    def model(self) -> str:
        return str(self.root / "model.lav")

    @property
    def instrument(self) -> str:
        return str(self.root / "instrument.yaml")


Case = Callable[[Folder], tuple[list[str], tuple[str, ...]]]


def _fit(f: Folder, *options: str) -> list[str]:
    return ["fit", f.model, f.data, "--no-measurement", "-q", *options]


def _process(f: Folder, *options: str) -> list[str]:
    return ["process", f.data, "--model", "4", "--x", "x", "--m", "m", "--y", "y", "--boot", "0", "-q", *options]


def _fit_model(f: Folder, text: str, encoding: str = "utf-8") -> list[str]:
    return ["fit", f.text("bad.lav", text, encoding), f.data, "--no-measurement", "-q"]


def _fit_data(f: Folder, path: str, *options: str) -> list[str]:
    return ["fit", f.model, path, "--no-measurement", "-q", *options]


def _duplicate_columns() -> pd.DataFrame:
    frame = _frame()
    return frame.rename(columns={"w": "x"})


def _non_numeric() -> pd.DataFrame:
    frame = _frame().astype({"m": object})
    frame.loc[[4, 9], "m"] = "n/a?"
    return frame


def _infinite() -> pd.DataFrame:
    frame = _frame()
    frame.loc[3, "m"] = float("inf")
    return frame


def _huge() -> pd.DataFrame:
    frame = _frame()
    frame["m"] = frame["m"] * 1e300  # numpy overflows on the way: its RuntimeWarnings must not reach stderr
    return frame


def _all_missing() -> pd.DataFrame:
    frame = _frame()
    frame["m"] = np.nan
    return frame


def _constant() -> pd.DataFrame:
    frame = _frame()
    frame["m"] = 3.0
    return frame


def _bad_rules(f: Folder, content: str) -> list[str]:
    return ["screen", f.data, "--instrument", f.instrument, "--rules", f.text("rules.yaml", content), "-q"]


def _instrument(f: Folder, content: str) -> list[str]:
    return ["instrument", "check", f.text("bad_instrument.yaml", content)]


def _study(f: Folder, content: str) -> list[str]:
    return ["run", f.study("bad_study.yaml", content), "-q", "--no-progress"]


# (id, build the arguments from the folder, words the error line must contain)
CASES: list[tuple[str, Case]] = [
    # ---------------------------------------------------------------- options of every command
    ("fit-seed-not-a-number", lambda f: (_fit(f, "--seed", "abc"), ("--seed", "whole number", "'abc'"))),
    ("fit-seed-negative", lambda f: (_fit(f, "--seed", "-1"), ("--seed", ">= 0", "'-1'"))),
    ("fit-jobs-zero", lambda f: (_fit(f, "--jobs", "0"), ("--jobs", "from 1 to 64", "'0'"))),
    ("fit-jobs-too-many", lambda f: (_fit(f, "--jobs=65"), ("--jobs", "'65'"))),
    ("fit-bootstrap-negative", lambda f: (_fit(f, "--bootstrap", "-5"), ("--bootstrap", ">= 0", "'-5'"))),
    ("fit-bootstrap-float", lambda f: (_fit(f, "--bootstrap", "1e3"), ("--bootstrap", "'1e3'"))),
    ("fit-htmt-draws-negative", lambda f: (_fit(f, "--htmt-draws", "-1"), ("--htmt-draws",))),
    ("fit-monte-carlo-text", lambda f: (_fit(f, "--monte-carlo", "many"), ("--monte-carlo", "'many'"))),
    ("fit-estimator-unknown", lambda f: (_fit(f, "--estimator", "wls"), ("--estimator", "ml, mlr", "'wls'"))),
    ("fit-missing-unknown", lambda f: (_fit(f, "--missing", "pairwise"), ("--missing", "'pairwise'"))),
    ("fit-ci-unknown", lambda f: (_fit(f, "--ci", "bca"), ("--ci", "percentile, bc", "'bca'"))),
    ("fit-failed-rule-unknown", lambda f: (_fit(f, "--failed-rule", "never"), ("--failed-rule", "'never'"))),
    ("fit-lang-unknown", lambda f: (_fit(f, "--lang", "fr"), ("--lang", "en, zh", "'fr'"))),
    ("fit-platform-unknown", lambda f: (_fit(f, "--platform", "qualtrics"), ("--platform", "'qualtrics'"))),
    ("fit-scale-reversed", lambda f: (_fit(f, "--scale", "7,1"), ("--scale", "7,1"))),
    ("fit-scale-text", lambda f: (_fit(f, "--scale", "one,seven"), ("--scale",))),
    ("fit-reverse-without-scale", lambda f: (_fit(f, "--reverse", "x"), ("--scale MIN,MAX",))),
    ("fit-unknown-option", lambda f: (_fit(f, "--colour", "red"), ("--colour",))),
    ("fit-option-without-value", lambda f: (_fit(f, "--seed"), ("--seed",))),
    ("fit-missing-argument", lambda f: (["fit", f.model], ("DATA",))),
    ("fit-extra-argument", lambda f: (_fit(f, "surplus"), ("surplus",))),
    ("unknown-command", lambda f: (["frobnicate"], ("frobnicate",))),
    ("process-conf-above-range", lambda f: (_process(f, "--conf", "1.5"), ("--conf", "0.5 to 0.999", "'1.5'"))),
    ("process-conf-text", lambda f: (_process(f, "--conf", "high"), ("--conf", "'high'"))),
    ("process-hc-out-of-range", lambda f: (_process(f, "--hc", "5"), ("--hc", "0 to 4", "'5'"))),
    ("process-boot-negative", lambda f: (_process(f, "--boot", "-1"), ("--boot", "'-1'"))),
    ("process-seed-negative", lambda f: (_process(f, "--seed", "-3"), ("--seed", "'-3'"))),
    ("process-model-text", lambda f: (["process", f.data, "--model", "four", "--x", "x", "--y", "y"],
                                      ("--model", "'four'"))),
    ("process-model-unsupported", lambda f: (["process", f.data, "--model", "99", "--x", "x", "--y", "y", "-q"],
                                             ("99",))),
    ("process-missing-model", lambda f: (["process", f.data, "--x", "x", "--y", "y"], ("--model",))),
    ("process-probe-text", lambda f: (_process(f, "--probe", "low,high"), ("--probe", "low,high"))),
    ("process-center-unknown", lambda f: (_process(f, "--center", "middle"), ("--center", "'middle'"))),
    ("screen-platform-unknown", lambda f: (["screen", f.data, "--instrument", f.instrument, "--platform", "x"],
                                           ("--platform", "'x'"))),
    ("screen-missing-instrument", lambda f: (["screen", f.data], ("--instrument",))),
    ("instrument-check-platform-unknown", lambda f: (["instrument", "check", f.instrument, "--platform", "y"],
                                                     ("--platform",))),
    ("demo-unknown-option", lambda f: (["demo", "--fast"], ("--fast",))),
    ("run-unknown-option", lambda f: (["run", "study.yaml", "--jobs", "2"], ("--jobs",))),
    # ---------------------------------------------------------------- model files
    ("model-syntax-error", lambda f: (_fit_model(f, "m ~ x\ny ~~~ m\n"), ("line 2", "'~ m'"))),
    ("model-unknown-variables", lambda f: (_fit_model(f, "m ~ x\ny ~ m + ghost + phantom\n"),
                                           ("ghost", "phantom"))),
    ("model-defined-unknown-label", lambda f: (_fit_model(f, "m ~ a*x\ny ~ b*m\nind := a*z\n"), ("'z'",))),
    ("model-defined-function-call", lambda f: (_fit_model(f, "m ~ a*x\ny ~ b*m\nind := exp(a)\n"), ("exp",))),
    ("model-defined-nested-too-deep", lambda f: (_fit_model(f, "m ~ a*x\ny ~ b*m\nd := " + "(" * 300 + "a"
                                                            + ")" * 300 + "\n"), ("100 levels",))),
    ("model-defined-chain-too-long", lambda f: (_fit_model(f, "m ~ a*x\ny ~ b*m\nd := " + "+".join(["a"] * 400)
                                                           + "\n"), ("100 levels",))),
    ("model-defined-expands-too-far", lambda f: (_fit_model(f, "m ~ a*x\ny ~ b*m\nd0 := a*b\n" + "".join(
        f"d{k} := d{k - 1}*d{k - 1}\n" for k in range(1, 30))), ("'d12'", "10000 terms"))),
    ("model-regressed-on-itself", lambda f: (_fit_model(f, "y ~ 1*y\n"), ("'y ~ y'", "itself"))),
    ("model-unit-loop", lambda f: (_fit_model(f, "m ~ x + 1*y\ny ~ 1*m\n"), ("singular", "'m', 'y'"))),
    ("model-negative-df", lambda f: (_fit_model(f, "F =~ x1 + x2\n"), ("not identified",))),
    ("model-empty", lambda f: (_fit_model(f, "# nothing here\n"), ("no =~, ~ or ~~ statement",))),
    ("model-binary", lambda f: (["fit", f.raw("bin.lav", b"\x00\x01PK\x03\x04" * 20), f.data], ("not a text file",))),
    ("model-missing-file", lambda f: (["fit", str(f.root / "none.lav"), f.data], ("none.lav",))),
    ("model-gbk-unknown-variable", lambda f: (_fit_model(f, "信任 ~ x\n", "gbk"), ("信任",))),
    ("model-label-reused", lambda f: (_fit_model(f, "m ~ a*x\ny ~ b*m\na := b*2\n"), ("'a'",))),
    # ---------------------------------------------------------------- data files
    ("data-missing-file", lambda f: (_fit_data(f, str(f.root / "nope.csv")), ("nope.csv",))),
    ("data-empty-file", lambda f: (_fit_data(f, f.raw("empty.csv", b"")), ("empty.csv", "empty"))),
    ("data-header-only", lambda f: (_fit_data(f, f.csv_lines("header.csv", ["x,m,y"])), ("0 complete rows",))),
    ("data-one-row", lambda f: (_fit_data(f, f.csv_lines("one.csv", ["x,m,y", "1,2,3"])), ("1 complete rows",))),
    ("data-binary-garbage", lambda f: (_fit_data(f, f.raw("garbage.csv", bytes(range(256)) * 8)), ("garbage.csv",))),
    ("data-wrong-extension", lambda f: (_fit_data(f, f.text("data.json", "{}")), ("'.json'",))),
    ("data-old-excel", lambda f: (_fit_data(f, f.raw("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 60)), (".xls",))),
    ("data-garbage-xlsx", lambda f: (_fit_data(f, f.raw("broken.xlsx", b"not a workbook")), ("broken.xlsx",))),
    ("data-garbage-sav", lambda f: (_fit_data(f, f.raw("broken.sav", b"$FL2 not really")), ("broken.sav",))),
    ("data-duplicate-columns-csv", lambda f: (_fit_data(f, f.frame("dup.csv", _duplicate_columns())),
                                              ("'x'", "twice"))),
    ("data-duplicate-columns-xlsx", lambda f: (_fit_data(f, f.frame("dup.xlsx", _duplicate_columns())),
                                               ("'x'", "twice"))),
    ("data-non-numeric-cells", lambda f: (_fit_data(f, f.frame("text.csv", _non_numeric())), ("'m'",))),
    ("data-infinite-value", lambda f: (_fit_data(f, f.frame("inf.csv", _infinite())), ("infinite", "'m' (rows 4)"))),
    ("process-infinite-value", lambda f: (["process", f.frame("inf.csv", _infinite()), "--model", "4", "--x", "x",
                                           "--m", "m", "--y", "y", "--boot", "0", "-q"], ("infinite", "'m' (rows 4)"))),
    ("data-huge-values", lambda f: (_fit_data(f, f.frame("huge.csv", _huge())), ("singular",))),
    ("data-bom-only", lambda f: (_fit_data(f, f.raw("bom.csv", b"\xef\xbb\xbf\r\n")), ("bom.csv", "empty"))),
    ("data-ragged-rows", lambda f: (_fit_data(f, f.csv_lines("ragged.csv", ["x,m,y", "1,2,3", "4,5,6,7"])),
                                    ("ragged.csv", "line 3"))),
    ("data-all-missing-column", lambda f: (_fit_data(f, f.frame("allna.csv", _all_missing())), ("no value", "'m'"))),
    ("data-constant-column", lambda f: (_fit_data(f, f.frame("const.csv", _constant())), ("no variance", "'m'"))),
    ("data-unknown-encoding", lambda f: (_fit(f, "--encoding", "klingon"), ("klingon",))),
    ("data-sheet-not-found", lambda f: (_fit_data(f, f.frame("book.xlsx", _frame()), "--sheet", "Answers"),
                                        ("Answers",))),
    ("process-unknown-column", lambda f: (["process", f.data, "--model", "4", "--x", "x", "--m", "ghost", "--y",
                                           "y", "--boot", "0", "-q"], ("ghost",))),
    ("process-non-numeric", lambda f: (["process", f.frame("text.csv", _non_numeric()), "--model", "4", "--x", "x",
                                        "--m", "m", "--y", "y", "--boot", "0", "-q"], ("numeric", "'m'"))),
    ("process-constructs-missing", lambda f: (_process(f, "--constructs", str(f.root / "none.lav")),
                                              ("none.lav",))),
    ("screen-data-duplicate-columns", lambda f: (["screen", f.frame("dup.csv", _duplicate_columns()),
                                                  "--instrument", f.instrument, "-q"], ("twice",))),
    # ---------------------------------------------------------------- study files
    ("study-missing-file", lambda f: (["run", str(f.root / "none.yaml")], ("none.yaml",))),
    ("study-not-yaml", lambda f: (_study(f, "data: [unclosed\n"), ("not valid YAML",))),
    ("study-not-a-mapping", lambda f: (_study(f, "- data.csv\n- model.lav\n"), ("mapping",))),
    ("study-unknown-key-and-wrong-type", lambda f: (_study(f, STUDY + "colour: red\nencoding: [utf-8]\n"),
                                                    ("'colour'", "'encoding' must be text"))),
    ("study-process-seed-text", lambda f: (_study(f, STUDY + "process: [{model: 4, x: x, m: m, y: y, seed: abc}]\n"),
                                           ("process[1]", "'seed'", "'abc'"))),
    ("study-every-problem-at-once", lambda f: (_study(f, STUDY.replace("m ~ x", "y ~ ghost") + "colour: 1\n"
                                                      "seed: -2\nbootstrap: {draws: many}\n"),
                                               ("'colour'", "'seed'", "draws", "H1"))),
    ("study-missing-data-key", lambda f: (_study(f, "model: model.lav\n"), ("missing key 'data'",))),
    ("study-data-not-found", lambda f: (_study(f, "data: nothing.csv\nmodel: model.lav\n"), ("nothing.csv",))),
    ("study-wrong-types", lambda f: (_study(f, "data: [data.csv]\nmodel: model.lav\nalpha: high\nstd_lv: 1\n"
                                              "hypotheses: [{id: [1], path: {a: 1}}]\n"),
                                     ("'data'", "'alpha'", "'std_lv'", "hypotheses[1]"))),
    ("study-model-syntax-error", lambda f: (_study(f, "data: data.csv\nmodel_syntax: 'y ~~~ x'\n"), ("model",))),
    ("study-repeated-key", lambda f: (_study(f, "data: data.csv\nmodel: model.lav\ndata: other.csv\n"),
                                      ("'data'", "twice"))),
    ("study-alias-bomb", lambda f: (_study(f, _alias_bomb("data: data.csv\nmodel: model.lav")), ("aliases",))),
    ("study-recursive-alias", lambda f: (_study(f, "data: data.csv\nmodel: model.lav\nx: &a [1, *a]\n"),
                                         ("alias",))),
    ("study-nested-too-deep", lambda f: (_study(f, "x: " + "[" * 200 + "]" * 200 + "\n"), ("deep",))),
    ("study-python-tag", lambda f: (_study(f, "data: !!python/object/apply:os.system [echo hi]\n"),
                                    ("not valid YAML",))),
    ("study-binary", lambda f: (["run", f.raw("bin.yaml", b"\x00\xff\x00\xfe")], ("not a text file",))),
    # ---------------------------------------------------------------- instrument and screening rules
    ("instrument-missing-file", lambda f: (["instrument", "check", str(f.root / "none.yaml")], ("none.yaml",))),
    ("instrument-not-yaml", lambda f: (_instrument(f, "items: [unclosed\n"), ("not valid YAML",))),
    ("instrument-missing-keys", lambda f: (_instrument(f, "title: empty\n"), ("scale", "constructs", "items"))),
    ("instrument-wrong-types", lambda f: (_instrument(f, "scale: five\nconstructs: 3\nitems: {a: 1}\n"),
                                          ("scale",))),
    ("instrument-alias-bomb", lambda f: (_instrument(f, _alias_bomb(INSTRUMENT)), ("aliases",))),
    ("instrument-title-a-list", lambda f: (_instrument(f, "title: [a, b]\n" + INSTRUMENT), ("'title'", "text"))),
    ("instrument-for-fit-alias-bomb", lambda f: (_fit(f, "--instrument", f.text("bomb.yaml", _alias_bomb())),
                                                 ("aliases",))),
    ("rules-unknown-rule", lambda f: (_bad_rules(f, "speeding: true\n"), ("rules.yaml", "speeding"))),
    ("rules-not-a-mapping", lambda f: (_bad_rules(f, "- attention\n"), ("rules.yaml",))),
    ("rules-alias-bomb", lambda f: (_bad_rules(f, _alias_bomb()), ("aliases",))),
    ("rules-missing-file", lambda f: (["screen", f.data, "--instrument", f.instrument, "--rules",
                                       str(f.root / "none.yaml")], ("none.yaml",))),
]


def _snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``semxhs ARGV`` in-process: exit status, stdout, stderr."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    captured = capsys.readouterr()
    code = stop.value.code
    return (code if isinstance(code, int) else (0 if code is None else 1)), captured.out, captured.err


def assert_one_clean_line(code: int, err: str, needles: tuple[str, ...]) -> None:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    assert lines[0].startswith("semxhs: error: "), err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def test_there_are_at_least_sixty_cases() -> None:
    assert len(CASES) >= 60
    assert len({name for name, _ in CASES}) == len(CASES)
    commands = {name.split("-")[0] for name, _ in CASES}
    assert {"fit", "process", "screen", "run", "demo", "instrument", "model", "data", "study", "rules"} <= commands


@pytest.mark.parametrize("build", [c for _, c in CASES], ids=[name for name, _ in CASES])
def test_malformed_input_gives_one_clean_line(build: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEMXHS_DEBUG", raising=False)
    argv, needles = build(Folder(tmp_path))
    before = _snapshot(tmp_path)
    start = time.perf_counter()
    code, _, err = run_cli(argv, capsys)
    assert time.perf_counter() - start < 20, "a malformed input must be refused quickly"
    assert_one_clean_line(code, err, needles)
    assert _snapshot(tmp_path) == before  # no new file, none removed, every input unchanged


def test_the_good_inputs_are_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """The folder the cases spoil is itself valid, so each case fails for its own reason."""
    monkeypatch.chdir(tmp_path)
    f = Folder(tmp_path)
    code, _, err = run_cli(_fit(f), capsys)
    assert code == 0, err
    code, _, err = run_cli(["instrument", "check", f.instrument, "--data", f.data], capsys)
    assert code == 0, err
    code, _, err = run_cli(_process(f), capsys)
    assert code == 0, err
    code, out, err = run_cli(["run", "study.yaml", "-q", "--no-progress"], capsys)
    assert code == 0, err
    assert (tmp_path / "out" / "results.json").is_file()


def test_alias_bomb_is_refused_within_a_second(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    f = Folder(tmp_path)
    study = f.study("bomb.yaml", _alias_bomb("data: data.csv\nmodel: model.lav"))
    run_cli(["run", "study.yaml", "--help"], capsys)  # imports done before timing
    from semxhs.errors import InputFileError
    from semxhs.study.config import load_study

    start = time.perf_counter()
    with pytest.raises(InputFileError, match="aliases"):
        load_study(study)
    assert time.perf_counter() - start < 1.0


def test_fit_sheet_is_honoured_without_instrument(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    f = Folder(tmp_path)
    book = tmp_path / "book.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"note": ["not the data"]}).to_excel(writer, sheet_name="About", index=False)
        _frame().to_excel(writer, sheet_name="Answers", index=False)
    code, _, err = run_cli(["fit", f.model, str(book), "--no-measurement", "-q"], capsys)
    assert code == 2 and "'x'" in err, err  # sheet 0 ("About") has none of the model's columns
    out = tmp_path / "fit.json"
    code, _, err = run_cli(["fit", f.model, str(book), "--sheet", "Answers", "--no-measurement", "-q",
                            "--json", str(out)], capsys)
    assert code == 0, err
    assert json.loads(out.read_text(encoding="utf-8"))["n_obs"] == 80
    code, _, err = run_cli(["fit", f.model, str(book), "--sheet", "1", "--no-measurement", "-q"], capsys)
    assert code == 0, err


# ------------------------------------------------------------------ the same through a real process

SUBPROCESS_CASES = ["fit-seed-not-a-number", "process-conf-above-range", "study-alias-bomb"]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_real_process_agrees(name: str, tmp_path: Path) -> None:
    build = dict(CASES)[name]
    argv, needles = build(Folder(tmp_path))
    before = _snapshot(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "semxhs", *argv], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)
    assert_one_clean_line(proc.returncode, proc.stderr, needles)
    assert _snapshot(tmp_path) == before


def test_internal_errors_are_one_honest_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A bug of ours (here: planted) is one line 'semxhs: internal error: ...', exit 1, not 'error:'."""
    import semxhs.study.pipeline as pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(pipeline, "fit_files", broken)
    monkeypatch.delenv("SEMXHS_DEBUG", raising=False)
    f = Folder(tmp_path)
    code, _, err = run_cli(_fit(f), capsys)
    assert code == 1
    assert err.strip().splitlines() == [err.strip()]
    assert err.startswith("semxhs: internal error: ZeroDivisionError: planted")


# ------------------------------------------------------------------ := arithmetic with no finite value (not errors)

NON_FINITE = {"division-by-zero": "a/0", "division-by-difference": "a/(b-b)", "negative-root": "(0-a)^0.5",
              "overflow": "(a+2)^1e308"}


@pytest.mark.parametrize("expression", list(NON_FINITE.values()), ids=list(NON_FINITE))
def test_defined_parameter_without_finite_value_is_not_available(expression: str, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    f = Folder(tmp_path)
    model = f.text("q.lav", f"m ~ a*x\ny ~ b*m + c*x\nd := {expression}\nind := a*b\n")
    out = tmp_path / "q.json"
    code, stdout, err = run_cli(["fit", model, f.data, "--no-measurement", "--json", str(out)], capsys)
    assert code == 0, err
    assert "Traceback" not in err and "RuntimeWarning" not in err, err
    doc = json.loads(out.read_text(encoding="utf-8"))
    rows = {p["lhs"]: p for p in doc["parameters"] if p["op"] == ":="}
    assert rows["d"]["est"] is None and rows["d"]["se"] is None and rows["d"]["ci_lower"] is None
    assert rows["ind"]["est"] is not None and rows["ind"]["se"] > 0
    assert any("'d'" in w and "not available" in w for w in doc["warnings"])
    assert "'d'" in stdout + err  # the terminal says so too


def test_defined_parameter_without_finite_value_in_the_bootstrap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    f = Folder(tmp_path)
    model = f.text("q.lav", "m ~ a*x\ny ~ b*m + c*x\nd := a/(b-b)\nr := (0-a)^0.5\nind := a*b\n")
    out = tmp_path / "q.json"
    code, _, err = run_cli(["fit", model, f.data, "--no-measurement", "-q", "--json", str(out), "--bootstrap", "200",
                            "--monte-carlo", "200", "--sobel", "--no-progress"], capsys)
    assert code == 0, err
    boot = json.loads(out.read_text(encoding="utf-8"))["bootstrap"]
    defined = {d["label"]: d for d in boot["defined"]}
    assert defined["d"]["est"] is None and defined["d"]["ci_lower"] is None
    assert defined["r"]["boot_se"] is None
    # the other effects keep every draw: a := without a value does not fail the draws
    assert boot["failed"] == 0
    assert defined["ind"]["ci_lower"] is not None and defined["ind"]["boot_se"] > 0
    for line in ("monte_carlo", "sobel"):
        rows = {r["name"]: r for r in boot[line]["rows"]}
        assert rows["d"]["se"] is None and rows["r"]["se"] is None and rows["ind"]["se"] > 0


def test_plots_draw_mathtext_characters_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Columns named like ``x$1``, ``m_1^2``, ``w$\\frac`` reach the figures as written (mathtext off)."""
    monkeypatch.chdir(tmp_path)
    frame = _frame().rename(columns={"x": "x$1", "m": "m_1^2", "y": "y$", "w": "w$\\frac"})
    data = tmp_path / "weird.csv"
    frame.to_csv(data, index=False)
    html = tmp_path / "p.html"
    docx = tmp_path / "p.json"
    code, _, err = run_cli(["process", str(data), "--model", "7", "--x", "x$1", "--m", "m_1^2", "--w", "w$\\frac",
                            "--y", "y$", "--boot", "50", "-q", "--html", str(html), "--json", str(docx)], capsys)
    assert code == 0, err
    svgs = [p.read_text(encoding="utf-8") for p in tmp_path.glob("*.svg")]
    assert svgs and any("w$\\frac" in s for s in svgs) and any("x$1" in s for s in svgs)

"""Unit tests of the input checks behind the one-line errors (the CLI side is tests/test_robustness_cli.py):
the YAML reader's limits, study-file validation, ``:=`` arithmetic without a finite value, expression
limits, singular regression structures, duplicate column names, text drawn as written in figures."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from semxhs.errors import InputFileError, ModelSyntaxError, SpecError, StudyError
from semxhs.resample import engine as bt
from semxhs.sem.expression import MAX_DEPTH, evaluate, gradient, parse_expression
from semxhs.sem.model import fit
from semxhs.sem.ram import RamStructure
from semxhs.sem.partable import build_partable
from semxhs.study.config import load_study, parse_study
from semxhs.survey import yamlfile
from semxhs.survey.files import check_unique_columns, read_data
from semxhs.survey.yamlfile import parse_yaml, read_text, read_yaml


def _data(n: int = 200, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    m = 0.5 * x + rng.normal(size=n)
    y = 0.4 * m + 0.2 * x + rng.normal(size=n)
    return pd.DataFrame({"x": x, "m": m, "y": y})


# ------------------------------------------------------------------------------------------ YAML reader

def _bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"l{k}: &l{k} [" + ", ".join([f"*l{k - 1}"] * width) + "]" for k in range(1, levels + 1)]
    return "\n".join(lines)


def test_alias_bomb_is_refused_in_well_under_a_second() -> None:
    start = time.perf_counter()
    with pytest.raises(InputFileError, match="more than 100000 values through its aliases"):
        parse_yaml(_bomb(), "study file s.yaml")
    assert time.perf_counter() - start < 1.0


def test_a_few_aliases_and_merge_keys_are_fine() -> None:
    doc = parse_yaml("base: &b {min: 1, max: 7}\nscale:\n  <<: *b\n  points: 7\nother: *b\n", "f")
    assert doc["scale"] == {"min": 1, "max": 7, "points": 7} and doc["other"] == {"min": 1, "max": 7}
    assert parse_yaml(_bomb(levels=3, width=9), "f")["l3"][0][0][0] == ["lol"] * 9  # 9^4 values: allowed


def test_recursive_alias_deep_nesting_and_repeated_keys_are_refused_quickly() -> None:
    with pytest.raises(InputFileError, match="refers to a list or mapping that contains it"):
        parse_yaml("a: &a [1, *a]\n", "f")
    start = time.perf_counter()
    with pytest.raises(InputFileError, match="more than 50 levels deep"):
        parse_yaml("x: " + "[" * 20000 + "]" * 20000, "f")
    assert time.perf_counter() - start < 2.0
    assert parse_yaml("x: " + "[" * 49 + "]" * 49, "f") is not None
    with pytest.raises(InputFileError, match=r"keys given twice: 'a' \(lines 1 and 3\), 'b' \(lines 2 and 4\)"):
        parse_yaml("a: 1\nb: 2\na: 3\nb: 4\n", "f")


def test_yaml_errors_are_short_and_name_the_place() -> None:
    with pytest.raises(InputFileError) as info:
        parse_yaml("a: [1, 2\nb: 3\n", "study file s.yaml")
    message = str(info.value)
    assert message.startswith("study file s.yaml is not valid YAML: ") and "(line" in message
    assert "\n" not in message and "<unicode string>" not in message
    with pytest.raises(InputFileError, match="could not determine a constructor"):
        parse_yaml("a: !!python/object/apply:os.system [ls]\n", "f")


def test_yaml_and_model_files_in_gbk_are_read(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes("title: 感知互动性与信任\ndata: d.csv\n".encode("gbk"))
    assert read_yaml(path, "study")["title"] == "感知互动性与信任"
    model = tmp_path / "m.lav"
    model.write_bytes("# 模型：信任中介\nm ~ a*x\ny ~ b*m\n".encode("gbk"))
    assert read_text(model, "model").startswith("# 模型：信任中介")
    (tmp_path / "bin.yaml").write_bytes(b"a: 1\x00")
    with pytest.raises(InputFileError, match="not a text file"):
        read_yaml(tmp_path / "bin.yaml", "study")


def test_oversized_yaml_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlfile, "MAX_YAML_BYTES", 1_000_000)
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 1_000_001, encoding="utf-8")
    with pytest.raises(InputFileError, match="larger than 1 MB"):
        read_yaml(path, "instrument")


# ------------------------------------------------------------------------------------------ study files

def _study_folder(tmp_path: Path) -> Path:
    _data().to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "m.lav").write_text("m ~ a*x\ny ~ b*m + c*x\nind := a*b\n", encoding="utf-8")
    return tmp_path / "study.yaml"


def test_a_study_lists_every_problem_at_once(tmp_path: Path) -> None:
    path = _study_folder(tmp_path)
    raw = {"data": "d.csv", "model": "m.lav", "colour": "red", "encoding": ["utf-8"], "estimator": "WLS",
           "missing": 3, "seed": "one", "alpha": True, "language": "fr", "platform": ["x"], "sheet": 1.5,
           "hypotheses": [{"id": "H1", "path": "y ~ ghost"}, {"id": [1], "path": "m ~ x"}],
           "output": {"dir": ["x"], "html": 3},
           "bootstrap": {"draws": 0, "jobs": True, "ci": ["bc"]},
           "process": [{"model": 4, "x": "x", "m": "m", "y": "y", "seed": "abc", "boot": -1, "conf": "high"},
                       {"model": 1, "x": "x", "y": "y"}]}
    with pytest.raises(StudyError) as info:
        parse_study(raw, path)
    message = str(info.value)
    for expected in ("unknown key 'colour'", "'encoding' must be text, got ['utf-8']", "'estimator' must be one of",
                     "'missing' must be one of", "'seed' must be a whole number >= 0, got 'one'", "'alpha'",
                     "'language'", "'platform'", "'sheet'", "hypotheses[2]: 'id' must be text",
                     "output: 'dir' must be a folder name", "output: 'html' must be a file name",
                     "bootstrap: 'draws'", "bootstrap: 'jobs'", "bootstrap: 'ci'",
                     "process[1]: 'seed' must be a whole number >= 0, got 'abc'", "process[1]: 'boot'",
                     "process[1]: 'conf'", "process[2]: w: model 1 needs a moderator W",
                     "hypotheses name paths that are not in the model: 'H1 (y ~ ghost)'"):
        assert expected in message, expected
    assert "\n" not in message


def test_a_study_with_a_bad_model_reports_it_with_the_other_problems(tmp_path: Path) -> None:
    path = _study_folder(tmp_path)
    with pytest.raises(StudyError, match=r"unknown key 'colour'; model: line 1: "):
        parse_study({"data": "d.csv", "model_syntax": "y ~~~ x", "colour": 1}, path)


def test_a_valid_study_with_a_gbk_model_loads(tmp_path: Path) -> None:
    path = _study_folder(tmp_path)
    (tmp_path / "m.lav").write_bytes("# 中介模型\nm ~ a*x\ny ~ b*m + c*x\nind := a*b\n".encode("gbk"))
    path.write_text("data: d.csv\nmodel: m.lav\nhypotheses: [{id: H1, path: ind, sign: '+'}]\nencoding: gbk\n"
                    "process: [{model: 4, x: x, m: [m], y: y, seed: 3}]\n", encoding="utf-8")
    study = load_study(path)
    assert study.model_text.startswith("# 中介模型") and study.encoding == "gbk" and study.process[0].seed == 3


# ------------------------------------------------------------------------------------------ := arithmetic

@pytest.mark.parametrize("text", ["a/0", "a/(b-b)", "(0-a)^0.5", "(a+2)^1e308", "0/0"])
def test_arithmetic_without_a_finite_value_never_raises_or_warns(text: str) -> None:
    tree = parse_expression(text)
    env = {"a": 2.0, "b": 3.0}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = float(evaluate(tree, env))
        grad = gradient(tree, env)
        arrays = evaluate(tree, {"a": np.array([2.0, -1.0]), "b": np.array([3.0, 3.0])})
    assert not np.isfinite(value)
    assert all(isinstance(v, float) for v in grad.values())
    assert np.shape(arrays) in ((), (2,))


def test_fit_reports_a_defined_parameter_without_value_as_not_available() -> None:
    res = fit("m ~ a*x\ny ~ b*m + c*x\nd := a/(b-b)\nz := 0^a\nind := a*b\n", _data())
    d, z, ind = res.parameter("d", ":="), res.parameter("z", ":="), res.parameter("ind", ":=")
    assert np.isnan(d.est) and np.isnan(d.se) and d.z is None and d.pvalue is None and np.isnan(d.ci_lower)
    assert z.est == 0.0 and np.isnan(z.se) and np.isnan(z.ci_lower)  # 0^a: value 0, no derivative
    assert np.isfinite(ind.se) and ind.se > 0
    codes = {w.code: w.params for w in res.warning_codes}
    assert codes["defined_not_finite"] == {"names": ["d"]}
    assert codes["defined_se_not_finite"] == {"names": ["z"]}
    assert any("'d'" in w and "not available" in w for w in res.warnings)
    assert res.converged and not res.improper


def test_bootstrap_draws_survive_a_defined_parameter_without_value() -> None:
    """A block whose optional columns are NaN keeps its draws; a NaN in a required column fails the draw."""
    values = np.array([[1.0, np.nan], [2.0, 3.0], [np.nan, 1.0]])
    block = bt.BlockResult(values, np.zeros(3, dtype=int), np.array([True, False]))
    checked = bt._check_block(block, 3)
    assert checked.status.tolist() == [bt.OK, bt.OK, bt.ERROR]
    plain = bt._check_block(bt.BlockResult(values, np.zeros(3, dtype=int)), 3)
    assert plain.status.tolist() == [bt.ERROR, bt.OK, bt.ERROR]


def test_expression_depth_and_size_limits_are_syntax_errors() -> None:
    ok = "(" * (MAX_DEPTH - 1) + "a" + ")" * (MAX_DEPTH - 1)
    assert parse_expression(ok) is not None
    for text in ("(" * 5000 + "a" + ")" * 5000, "-" * 5000 + "a", "a^" * 300 + "a", "+".join(["a"] * 5000)):
        with pytest.raises(ModelSyntaxError, match="100 levels"):
            parse_expression(text)
    chain = "m ~ a*x\ny ~ b*m\nd0 := a*b\n" + "".join(f"d{k} := d{k - 1}*d{k - 1}\n" for k in range(1, 40))
    with pytest.raises(ModelSyntaxError, match=r"line \d+: defined parameter 'd\d+' expands to more than 10000"):
        build_partable(chain)
    deep = "m ~ a*x\ny ~ b*m\nd0 := a\n" + "".join(f"d{k} := d{k - 1} + " + "+".join(["a"] * 50) + "\n"
                                                 for k in range(1, 5))
    with pytest.raises(ModelSyntaxError, match="nests more than 100 levels deep once"):
        build_partable(deep)


# ------------------------------------------------------------------------------------------ singular structures

@pytest.mark.parametrize("model", ["y ~ y", "y ~ 1*y", "y ~ x + 0.5*y"])
def test_a_variable_regressed_on_itself_is_refused(model: str) -> None:
    with pytest.raises(SpecError, match="'y ~ y' regresses a variable on itself"):
        build_partable(model)


@pytest.mark.parametrize("model", ["m ~ 1*y\ny ~ 1*m", "m ~ x + 2*y\ny ~ 0.5*m", "a ~ 1*b\nb ~ 1*c\nc ~ 1*a + x"])
def test_loops_of_fixed_paths_multiplying_to_one_are_refused(model: str) -> None:
    with pytest.raises(SpecError, match="I - B is singular"):
        RamStructure(build_partable(model)).check_solvable()


def test_a_free_loop_is_not_refused() -> None:
    RamStructure(build_partable("m ~ x + y\ny ~ m + w")).check_solvable()


# ------------------------------------------------------------------------------------------ data files

def test_duplicate_column_names_are_refused_in_csv_and_xlsx(tmp_path: Path) -> None:
    frame = _data().rename(columns={"y": "x"})
    frame.to_csv(tmp_path / "d.csv", index=False)
    with pytest.raises(InputFileError, match=r"d.csv names a column twice: 'x' \(columns 1 and 3\)"):
        read_data(tmp_path / "d.csv")
    frame.to_excel(tmp_path / "d.xlsx", index=False)
    with pytest.raises(InputFileError, match=r"d.xlsx \(sheet 'Sheet1'\) names a column twice: 'x'"):
        read_data(tmp_path / "d.xlsx")
    (tmp_path / "gbk.csv").write_bytes("题项,得分,题项\n1,2,3\n".encode("gbk"))
    with pytest.raises(InputFileError, match="'题项' \\(columns 1 and 3\\)"):
        read_data(tmp_path / "gbk.csv")


def test_several_duplicates_are_all_named() -> None:
    with pytest.raises(InputFileError, match=r"names columns twice: 'a' \(columns 1, 3 and 5\); 'b' \(columns 2 and 4\)"):
        check_unique_columns(["a", "b", "a", "b", "a", "c"], "f.csv")
    check_unique_columns(["a", "A", " b", "Unnamed: 1"], "f.csv")


def test_the_sheet_option_is_honoured(tmp_path: Path) -> None:
    from semxhs.study.pipeline import load_responses

    book = tmp_path / "book.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"note": ["readme"]}).to_excel(writer, sheet_name="About", index=False)
        _data().to_excel(writer, sheet_name="Answers", index=False)
    assert list(load_responses(book, sheet="Answers").frame.columns) == ["x", "m", "y"]
    assert list(load_responses(book, sheet=1).frame.columns) == ["x", "m", "y"]
    assert list(load_responses(book).frame.columns) == ["note"]


# ------------------------------------------------------------------------------------------ figures

def test_figure_text_is_drawn_as_written() -> None:
    from matplotlib.figure import Figure

    from semxhs.report.figures.flowchart import flow_diagram_png, flow_diagram_svg
    from semxhs.report.figures.process_plots import render_png, render_svg

    def draw() -> Figure:
        fig = Figure(figsize=(3, 1))
        fig.text(0.1, 0.5, "effect of x$\\frac on y$ and m_1^2")
        return fig

    assert "x$\\frac on y$ and m_1^2" in render_svg(draw)
    assert render_png(draw, dpi=30).startswith(b"\x89PNG")
    assert "$a_1^2\\b$" in flow_diagram_svg(["$a_1^2\\b$ (n = 3)", "kept"], ["x$"])
    assert flow_diagram_png(["$\\frac$", "kept"], ["c$"], dpi=30).startswith(b"\x89PNG")

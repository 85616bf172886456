"""PROCESS conceptual and statistical diagrams (Hayes, 2022, Appendix A), per-group path diagrams, and the
figure files written beside the reports.

Kinds: layout checks on every supported PROCESS model (simulated data, no numbers asserted); the coefficient
symbols of Hayes' templates; a *regression* test of one SVG's structure (our own earlier output, labelled so);
a *reference* test of the per-group path diagrams (lavaan 0.6-14's std.all and R² per group, from
tests/fixtures/shared_next/hs1939_mg_mediation_school and tests/fixtures/multigroup/std_lv_regressions);
command-line tests of the files.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from semxhs.process import run_process
from semxhs.process.models import MODEL_TABLE
from semxhs.process.results import ProcessResult
from semxhs.report import format as f
from semxhs.report.diagram import (
    coefficient_symbols,
    conceptual_spec,
    diagram_spec,
    group_file_names,
    statistical_arrow_count,
    statistical_spec,
)
from semxhs.report.figures.layout import overlapping_boxes
from semxhs.report.figures.process_diagram import (
    conceptual_arrows,
    conceptual_boxes,
    conceptual_segments,
    conceptual_svg,
    segment_hits_box,
    statistical_boxes,
    statistical_segments,
    statistical_svg,
)
from semxhs.report.labels import labels_for
from semxhs.sem.model import fit
from tests.cli_runner import run_cli
from tests.reference_cases import FIXTURES

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG_NS = "{http://www.w3.org/2000/svg}"


def _data(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    d = pd.DataFrame(rng.normal(size=(n, 7)), columns=["X", "M1", "M2", "M3", "W", "Z", "C1"])
    d["M1"] += 0.5 * d.X
    d["M2"] += 0.4 * d.X + 0.3 * d.M1
    d["M3"] += 0.3 * d.M2
    d["C2"] = rng.normal(size=n)
    d["Y"] = 0.3 * d.X + 0.4 * d.M1 + 0.2 * d.M2 + 0.2 * d.M3 + rng.normal(size=n)
    return d


def _run(model: int, k: int, cov: tuple[str, ...] = ("C1",)) -> ProcessResult:
    spec = MODEL_TABLE[model]
    lo, hi = spec.mediator_range
    m = [f"M{i}" for i in range(1, min(max(lo, k), hi) + 1)] if hi else []
    return run_process(_data(), model, x="X", y="Y", m=m, w="W" if spec.uses_w else None,
                       z="Z" if spec.uses_z else None, cov=list(cov), boot=0)


def _svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg.encode("utf-8"))
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


CASES = [(model, k) for model in MODEL_TABLE for k in ((0,) if MODEL_TABLE[model].mediation == "none" else (1, 3))]


@pytest.mark.parametrize(("model", "k"), CASES, ids=[f"model{m}-k{k}" for m, k in CASES])
def test_every_model_draws_both_diagrams(model: int, k: int) -> None:
    result = _run(model, k)
    v = result.variables
    mspec = MODEL_TABLE[model]
    # conceptual: no two boxes overlap; one arrow per causal path and per moderated path
    cspec = conceptual_spec(result)
    assert overlapping_boxes(conceptual_boxes(cspec)) == []
    n_m = len(v.m)
    causal = (n_m + n_m * (n_m - 1) // 2 if mspec.mediation == "serial" else n_m) + n_m + 1
    per_kind = {"a": n_m, "b": n_m, "c": 1}
    moderated = sum(per_kind[p] for p in mspec.w_paths) + (
        1 if mspec.three_way else sum(per_kind[p] for p in mspec.z_paths))
    assert len(cspec.paths) == causal and len(cspec.moderations) == moderated
    assert conceptual_arrows(cspec) == causal + moderated
    cboxes = conceptual_boxes(cspec)
    for source, target, start, end in conceptual_segments(cspec):  # no arrow runs through a box
        assert not [n for n, b in cboxes.items() if n not in (source, target) and segment_hits_box(start, end, b)]
    texts = _svg_texts(conceptual_svg(cspec))
    assert sorted(texts) == sorted([v.x, v.y, *v.m, *(n for n in (v.w, v.z) if n)])
    # statistical: one arrow per regression coefficient, from its regressor to its outcome
    sspec = statistical_spec(result)
    expected = sorted((c.term, e.outcome) for e in result.equations for c in e.coefficients if c.term != "Intercept")
    assert sorted((a.source, a.target) for a in sspec.arrows) == expected
    assert len(sspec.arrows) == statistical_arrow_count(result.equations)
    boxes = statistical_boxes(sspec)
    assert overlapping_boxes(boxes) == []  # boxes and the coefficient labels
    nodes = {name: b for name, b in boxes.items() if not name.startswith("label::")}
    for source, target, start, end in statistical_segments(sspec):  # no arrow runs through a box
        assert not [n for n, b in nodes.items() if n not in (source, target) and segment_hits_box(start, end, b)]
    texts = _svg_texts(statistical_svg(sspec))
    assert all(a.label in texts for a in sspec.arrows)
    assert "C1" in texts  # covariates are drawn in the statistical diagram


NAMES = {"X": "感知互动性", "M1": "社区信任", "M2": "Perceived usefulness of posts", "M3": "情感依恋", "W": "内容专业性",
         "C1": "年龄", "C2": "gender", "Y": "购买意愿"}


@pytest.mark.parametrize("model", [m for m in MODEL_TABLE if MODEL_TABLE[m].mediation != "none"] + [3])
def test_names_of_unequal_width_neither_overlap_nor_get_crossed(model: int) -> None:
    """Chinese and long English construct names (boxes of very different widths), three mediators, two covariates."""
    spec = MODEL_TABLE[model]
    m = [NAMES[f"M{i}"] for i in range(1, 4)] if spec.mediation != "none" else []
    result = run_process(_data().rename(columns=NAMES), model, x=NAMES["X"], y=NAMES["Y"], m=m,
                         w=NAMES["W"] if spec.uses_w else None, z="Z" if spec.uses_z else None,
                         cov=[NAMES["C1"], NAMES["C2"]], boot=0)
    cspec, sspec = conceptual_spec(result), statistical_spec(result)
    cboxes, sboxes = conceptual_boxes(cspec), statistical_boxes(sspec)
    assert overlapping_boxes(cboxes) == [] and overlapping_boxes(sboxes) == []
    for segments, boxes in ((conceptual_segments(cspec), cboxes), (statistical_segments(sspec), sboxes)):
        nodes = {n: b for n, b in boxes.items() if not n.startswith("label::")}
        for source, target, start, end in segments:
            assert not [n for n, b in nodes.items() if n not in (source, target) and segment_hits_box(start, end, b)]


def test_hayes_symbols() -> None:
    assert set(coefficient_symbols(_run(4, 1, ())).values()) == {"a", "b", "c′"}
    assert coefficient_symbols(_run(7, 1, ())) == {("M1", "X"): "a1", ("M1", "W"): "a2", ("M1", "X:W"): "a3",
                                                   ("Y", "X"): "c′", ("Y", "M1"): "b"}
    assert coefficient_symbols(_run(14, 2, ())) == {
        ("M1", "X"): "a1", ("M2", "X"): "a2", ("Y", "X"): "c′", ("Y", "M1"): "b11", ("Y", "M2"): "b12",
        ("Y", "W"): "b2", ("Y", "M1:W"): "b31", ("Y", "M2:W"): "b32"}
    assert coefficient_symbols(_run(6, 2, ("C1",))) == {
        ("M1", "X"): "a1", ("M1", "C1"): "f11", ("M2", "X"): "a2", ("M2", "M1"): "d21", ("M2", "C1"): "f12",
        ("Y", "X"): "c′", ("Y", "M1"): "b1", ("Y", "M2"): "b2", ("Y", "C1"): "g1"}
    assert coefficient_symbols(_run(59, 1, ())) == {
        ("M1", "X"): "a1", ("M1", "W"): "a2", ("M1", "X:W"): "a3", ("Y", "X"): "c′1", ("Y", "W"): "c′2",
        ("Y", "X:W"): "c′3", ("Y", "M1"): "b1", ("Y", "M1:W"): "b2"}
    assert list(coefficient_symbols(_run(3, 0, ())).values()) == [f"b{i}" for i in range(1, 8)]


def test_labels_are_the_coefficients_with_stars_and_dashes() -> None:
    result = _run(7, 1, ())
    spec = statistical_spec(result)
    for a in spec.arrows:
        c = result.equation(a.target).coefficient(a.source)
        stars = "***" if c.pvalue < .001 else "**" if c.pvalue < .01 else "*" if c.pvalue < .05 else ""
        assert a.label.endswith(f" = {f.fmt_num(c.est, 3)}{stars}")
        assert a.significant == (c.pvalue < 0.05)
    assert any(not a.significant for a in spec.arrows) and any(a.significant for a in spec.arrows)


def test_statistical_svg_structure_regression() -> None:
    """Regression (our own output of this version, not a reference): the statistical diagram of PROCESS model 7
    on the bundled model-7 fixture keeps its texts, its boxes and one arrow per coefficient, dashes included."""
    d = pd.read_csv(FIXTURES / "process" / "process_model7" / "data.csv")
    result = run_process(d, 7, x="PI", m=["TR"], w="CE", y="PU", boot=0)
    svg = statistical_svg(statistical_spec(result))
    root = ET.fromstring(svg.encode("utf-8"))
    texts = _svg_texts(svg)
    assert sorted(t for t in texts if " = " not in t) == ["CE", "PI", "PI × CE", "PU", "TR"]
    symbols = sorted(t.split(" = ")[0] for t in texts if " = " in t)
    assert symbols == ["a1", "a2", "a3", "b", "c′"]
    patches = [g for g in root.iter(f"{SVG_NS}g") if g.get("id", "").startswith("patch_")]
    # the background, five boxes, five arrows, and the white ground of each of the five labels
    assert len(patches) == 1 + 5 + 5 + 5
    dashed = [g for g in patches if "stroke-dasharray" in ET.tostring(g, encoding="unicode")]
    spec = statistical_spec(result)
    assert len(dashed) == sum(not a.significant for a in spec.arrows)


# --------------------------------------------------------------------------- one path diagram per group

MEDIATION = FIXTURES / "shared_next" / "hs1939_mg_mediation_school"


def _number(label: str) -> float:
    return float(re.sub(r"\*+$", "", label).replace("−", "-"))


@pytest.mark.reference
def test_group_diagrams_show_each_groups_standardized_estimates() -> None:
    ref = json.loads((MEDIATION / "lavaan.json").read_text(encoding="utf-8"))
    res = fit((MEDIATION / "model_free.lav").read_text(encoding="utf-8"), pd.read_csv(MEDIATION / "data.csv"),
              group="school", group_equal=["loadings"])
    rows = {(p["lhs"], p["rhs"], p["group"]): p for p in ref["models"]["free_paths"]["parameters"] if p["op"] == "~"}
    values = {}
    for g in (1, 2):
        spec = diagram_spec(res, labels_for("en"), group=g)
        assert spec is not None and len(spec.paths) == 3  # each path once, not once per group
        for p in spec.paths:
            want = rows[(p.target, p.source, g)]["std_all"]
            assert abs(_number(p.label) - want) <= 0.0051, (g, p)
            values[(p.source, p.target, g)] = p.label
    assert values[("visual", "textual", 1)] != values[("visual", "textual", 2)]


@pytest.mark.reference
def test_group_diagrams_show_each_groups_r2() -> None:
    case = FIXTURES / "multigroup" / "std_lv_regressions"
    ref = json.loads((case / "lavaan.json").read_text(encoding="utf-8"))
    res = fit((case / "model.lav").read_text(encoding="utf-8"), pd.read_csv(case / "data.csv"), group="sex",
              group_equal=["loadings", "regressions", "intercepts"], std_lv=True)
    for g, label in enumerate(ref["group_labels"], start=1):
        spec = diagram_spec(res, labels_for("en"), group=g)
        note = next(n.note for n in spec.nodes if n.id == "textual")
        assert abs(float(note.split("=")[1]) - ref["r2"][label]["textual"]) <= 0.0051


def test_group_file_names_are_safe_and_distinct() -> None:
    names = group_file_names(["a/b", "a:b", "..", "CON", "高 中", ""])
    assert len(set(names)) == 6 and all(re.fullmatch(r"[\w\-]+", n) for n in names)
    assert names[:2] == ["a_b", "a_b_2"] and names[4] == "高_中"


# --------------------------------------------------------------------------- files beside the reports

def _valid(folder: Path, stem: str) -> None:
    svg = (folder / f"{stem}.svg").read_text(encoding="utf-8")
    assert ET.fromstring(svg.encode("utf-8")).tag == f"{SVG_NS}svg"
    assert (folder / f"{stem}.png").read_bytes().startswith(PNG_MAGIC)


@pytest.mark.slow
def test_process_cli_writes_both_diagrams_beside_html_and_docx(tmp_path: Path) -> None:
    data = str(FIXTURES / "process" / "process_model7" / "data.csv")
    args = ["process", data, "--model", "7", "--x", "PI", "--m", "TR", "--w", "CE", "--y", "PU", "--boot", "0", "-q"]
    proc = run_cli(*args, "--html", str(tmp_path / "a.html"), "--docx", str(tmp_path / "sub" / "a.docx"),
                   "--tex", str(tmp_path / "tex" / "a.tex"), "--md", str(tmp_path / "md" / "a.md"))
    assert proc.returncode == 0, proc.stderr
    md = (tmp_path / "md" / "a.md").read_text(encoding="utf-8")
    assert "](a_process7_conceptual.svg)" in md and (tmp_path / "md" / "a_process7_statistical.svg").exists()
    assert "a_process7_statistical.png" in (tmp_path / "tex" / "a.tex").read_text(encoding="utf-8")
    _valid(tmp_path / "tex", "a_process7_statistical")
    for folder in (tmp_path, tmp_path / "sub"):
        for kind in ("conceptual", "statistical"):
            _valid(folder, f"a_process7_{kind}")
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert "a_process7_conceptual.svg" in page and "a_process7_statistical.svg" in page
    first = {p.name: p.read_bytes() for p in tmp_path.glob("a_*")}
    # a second analysis into the same folder under another name keeps the first one's figures
    proc = run_cli(*args, "--lang", "zh", "--html", str(tmp_path / "b.html"))
    assert proc.returncode == 0, proc.stderr
    _valid(tmp_path, "b_process7_statistical")
    assert {p.name: p.read_bytes() for p in tmp_path.glob("a_*")} == first


@pytest.mark.slow
def test_fit_cli_writes_the_path_diagram_and_one_per_group(tmp_path: Path) -> None:
    model, data = str(MEDIATION / "model_free.lav"), str(MEDIATION / "data.csv")
    plain = tmp_path / "plain.lav"  # the same model without the per-group labels
    plain.write_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
                     "textual ~ visual\nspeed ~ textual + visual\n", encoding="utf-8")
    proc = run_cli("fit", str(plain), data, "--no-measurement", "-q", "--html", str(tmp_path / "one.html"))
    assert proc.returncode == 0, proc.stderr
    _valid(tmp_path, "one_path_diagram")
    assert "Also saved as one_path_diagram.svg." in (tmp_path / "one.html").read_text(encoding="utf-8")
    first = (tmp_path / "one_path_diagram.svg").read_bytes()
    proc = run_cli("fit", model, data, "--no-measurement", "-q", "--group", "school", "--group-equal", "loadings",
                   "--html", str(tmp_path / "two.html"), "--docx", str(tmp_path / "two.docx"))
    assert proc.returncode == 0, proc.stderr
    for label in ("Pasteur", "Grant-White"):
        _valid(tmp_path, f"two_path_diagram_{label}")
    page = (tmp_path / "two.html").read_text(encoding="utf-8")
    assert page.count('class="figure-block keep path-diagram"') == 2
    assert "Group Pasteur" in page and "Group Grant-White" in page
    assert (tmp_path / "one_path_diagram.svg").read_bytes() == first  # the first run's figure untouched
    import docx

    assert len(docx.Document(str(tmp_path / "two.docx")).inline_shapes) == 2


def test_figure_over_an_input_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    """The path diagram would be written to r_path_diagram.svg, which is the model file: nothing is written."""
    case = FIXTURES / "shared" / "poldem_sem"
    model = tmp_path / "r_path_diagram.svg"
    model.write_text((case / "model.lav").read_text(encoding="utf-8"), encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = run_cli("fit", str(model), str(case / "data.csv"), "--no-measurement", "-q", "--json",
                   str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html"))
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("semxhs: error: ") and "r_path_diagram.svg" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.slow
def test_study_run_writes_its_process_diagrams(tmp_path: Path) -> None:
    """``semxhs run``: the demo study's PROCESS analysis (model 4) draws both diagrams, saved beside report.html."""
    from semxhs.study.demo import write_demo_study

    study = write_demo_study(tmp_path)
    study.write_text(study.read_text(encoding="utf-8").replace("5000", "50"), encoding="utf-8")
    proc = run_cli("run", str(study), "-q", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    for stem in ("report_path_diagram", "report_process1_conceptual", "report_process1_statistical"):
        _valid(tmp_path, stem)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "PROCESS 模型 4 概念图" in page and "图另存为 report_process1_statistical.svg。" in page

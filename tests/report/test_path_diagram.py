"""The path diagram on every reference model: no two boxes overlap, every path is drawn, labels are the results."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from reference_cases import FIXTURES

from semxhs.report.diagram import diagram_spec, stars
from semxhs.report.figures.layout import Box, layered_layout, overlapping_boxes
from semxhs.report.figures.path_diagram import (
    DiagramNode,
    DiagramPath,
    DiagramSpec,
    diagram_boxes,
    path_diagram_svg,
)
from semxhs.report.labels import labels_for
from semxhs.sem.interaction import latent_product_expansion
from semxhs.sem.model import fit

CASES = sorted(
    [p for p in (FIXTURES / "lavaan").iterdir() if (p / "model.lav").exists()]
    + [p for p in (FIXTURES / "shared").iterdir() if (p / "model.lav").exists()]
    + [p for p in (FIXTURES / "random_models").iterdir() if (p / "model.lav").exists()]
)


def _fit(folder: Path):
    data = pd.read_csv(folder / "data.csv")
    text, data, _ = latent_product_expansion((folder / "model.lav").read_text(encoding="utf-8"), data)
    return fit(text, data)


@pytest.mark.parametrize("folder", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_reference_model_draws_without_overlap(folder: Path) -> None:
    res = _fit(folder)
    spec = diagram_spec(res, labels_for("en"))
    assert spec is not None
    for with_indicators in (True, False):
        boxes = diagram_boxes(spec, with_indicators=with_indicators)
        assert overlapping_boxes(boxes) == []
    # every regression and every factor-on-factor loading is a drawn path, in the right direction
    expected = {(p.rhs, p.lhs) for p in res.parameters if p.op == "~"}
    expected |= {(p.lhs, p.rhs) for p in res.parameters if p.op == "=~" and p.rhs in res.latent}
    assert {(p.source, p.target) for p in spec.paths} == expected
    svg = path_diagram_svg(spec)
    text = re.sub(r"<[^>]+>", " ", svg)
    for p in spec.paths:
        assert p.label in text
    for n in spec.nodes:
        assert n.text in text


def test_labels_are_the_standardized_estimates_with_stars() -> None:
    res = _fit(FIXTURES / "shared" / "poldem_sem")
    spec = diagram_spec(res, labels_for("en"))
    path = next(p for p in spec.paths if (p.source, p.target) == ("ind60", "dem60"))
    est = res.parameter("dem60", "~", "ind60")
    assert path.label == f"{est.std_all:.2f}".replace("0.", ".", 1) + stars(est.pvalue)
    assert path.significant == (est.pvalue < 0.05)
    dem65 = next(n for n in spec.nodes if n.id == "dem65")
    assert dem65.note == f"R² = {res.r2['dem65']:.2f}".replace("0.", ".", 1)
    assert [i.name for i in dem65.indicators] == ["y5", "y6", "y7", "y8"]


def test_non_significant_paths_are_dashed_in_the_svg() -> None:
    spec = DiagramSpec(nodes=(DiagramNode("X", "X", False), DiagramNode("Y", "Y", False)),
                       paths=(DiagramPath("X", "Y", ".05", significant=False),))
    assert "stroke-dasharray" in path_diagram_svg(spec)
    solid = DiagramSpec(nodes=spec.nodes, paths=(DiagramPath("X", "Y", ".50***"),))
    assert "stroke-dasharray" not in path_diagram_svg(solid)


def test_chinese_construct_names_are_text() -> None:
    res = _fit(FIXTURES / "shared" / "poldem_sem")
    names = {"ind60": "工业化", "dem60": "民主 1960", "dem65": "民主 1965"}
    spec = diagram_spec(res, labels_for("zh"), names)
    svg = path_diagram_svg(spec)
    assert all(name in svg for name in names.values())
    assert overlapping_boxes(diagram_boxes(spec)) == []


def test_layers_point_right_and_cycles_do_not_hang() -> None:
    sizes = {n: (1.0, 0.5) for n in "ABC"}
    lay = layered_layout("ABC", sizes, [("A", "B"), ("B", "C"), ("C", "A")])
    assert len({lay.layers[n] for n in "ABC"}) == 3
    assert overlapping_boxes(lay.boxes) == []
    assert math.isfinite(lay.width) and math.isfinite(lay.height)


def test_overlap_check_can_fail() -> None:
    assert overlapping_boxes({"a": Box(0, 0, 2, 2), "b": Box(1, 1, 2, 2)}) == [("a", "b")]


def test_unknown_path_is_refused() -> None:
    spec = DiagramSpec(nodes=(DiagramNode("X", "X", False),), paths=(DiagramPath("X", "Z", ".1"),))
    with pytest.raises(ValueError, match="X -> Z"):
        path_diagram_svg(spec)

"""Plots: valid SVG, text kept as text (Chinese labels included), no global matplotlib state changed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import matplotlib
import pytest

from semxhs.errors import SpecError
from semxhs.process import run_process
from semxhs.report.figures.process_plots import interaction_plot, johnson_neyman_plot

LABEL = "感知互动性"


@pytest.fixture(scope="module")
def model1(model1_case):
    data = model1_case[0]
    return run_process(data, 1, x="PI", y="VC", w="CE")


def text_of(svg: str) -> str:
    root = ET.fromstring(svg)
    return " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("text"))


def test_interaction_plot_svg_with_chinese_labels(model1):
    before = dict(matplotlib.rcParams)
    svg = interaction_plot(model1, x_label=LABEL, y_label="购买意愿", moderator_label="社群认同",
                           title="简单斜率")
    text = text_of(svg)
    assert LABEL in text and "购买意愿" in text and "社群认同" in text and "简单斜率" in text
    assert dict(matplotlib.rcParams) == before


def test_johnson_neyman_plot_svg(model1):
    svg = johnson_neyman_plot(model1, moderator_label=LABEL, effect_label="条件效应")
    text = text_of(svg)
    assert LABEL in text and "条件效应" in text
    assert svg.count("<svg") == 1


def test_plots_refuse_models_without_moderation(model4_case):
    data = model4_case[0]
    res = run_process(data, 4, x="PI", y="PU", m=["TR"], boot=0)
    with pytest.raises(SpecError):
        interaction_plot(res)
    with pytest.raises(SpecError):
        johnson_neyman_plot(res)


def test_significant_region(model1):
    from semxhs.report.figures.process_plots import significant_intervals

    jn = model1.johnson_neyman[0]
    # the effect of PI is significant above the JN point 3.297 up to CE's maximum
    assert significant_intervals(jn) == [(pytest.approx(jn.points[0]), jn.upper)]

"""The descriptive statistics and correlations table of the constructs, checked against pandas by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from semxhs.report.context import build_context
from semxhs.report.latex import render_latex_context
from semxhs.report.markdown import render_markdown_context
from semxhs.report.render import render_context

CASE = "tests/fixtures/shared/hs1939_cfa"
BLOCKS = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}


@pytest.fixture(scope="module")
def hs1939():
    from semxhs.study.pipeline import AnalysisOptions, fit_files

    return fit_files(f"{CASE}/model.lav", f"{CASE}/data.csv", AnalysisOptions(htmt_draws=0))


def test_construct_scores_match_item_means_by_hand(hs1939) -> None:
    data = pd.read_csv(f"{CASE}/data.csv")
    scores = pd.DataFrame({k: data[v].mean(axis=1) for k, v in BLOCKS.items()})
    d = hs1939.measurement.constructs
    assert list(d.index) == list(BLOCKS)
    for k in BLOCKS:
        assert d.loc[k, "mean"] == pytest.approx(scores[k].mean(), abs=1e-12)
        assert d.loc[k, "sd"] == pytest.approx(scores[k].std(ddof=1), abs=1e-12)
    assert d.loc["speed", "r_visual"] == pytest.approx(scores["speed"].corr(scores["visual"]), abs=1e-12)
    assert hs1939.to_dict()["measurement"]["construct_descriptives"]["visual"]["n"] == len(data)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_descriptives_table_in_every_format(hs1939, language: str) -> None:
    import dataclasses

    study = dataclasses.replace(hs1939, language=language)
    context = build_context(study, today=date(2024, 5, 1))
    sec = next(s for s in context["sections"] if s["id"] == "descriptives")
    tab = sec["tables"][0]
    data = pd.read_csv(f"{CASE}/data.csv")
    textual = data[BLOCKS["textual"]].mean(axis=1)
    visual = data[BLOCKS["visual"]].mean(axis=1)
    r = textual.corr(visual)
    row = tab["rows"][1]["cells"]
    assert row[0] == "2. textual" and row[1] == f"{textual.mean():.3f}" and row[2] == f"{textual.std():.3f}"
    assert row[3] == f"{r:.3f}".replace("0.", ".", 1) + "***"
    fl = hs1939.measurement.fornell_larcker
    assert row[4] == f"{fl.loc['textual', 'textual']:.3f}".replace("0.", ".", 1) and row[5] == ""
    assert "√AVE" in tab["notes"][0] and ("构念得分" in tab["notes"][0]) == (language == "zh")
    html = render_context(context)
    assert tab["title"] in html and row[3] in html
    assert tab["title"] in render_markdown_context(context) and "table-descriptives" not in render_latex_context(context)

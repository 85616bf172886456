"""Construct names from the instrument in every table, beside the code the model uses.

One lookup (``semxhs.report.names``) serves every table builder; without an instrument the
tables keep the codes. Also the instrument appendix, in English and Chinese.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from semxhs.report.context import build_context
from semxhs.study.config import Hypothesis
from semxhs.study.pipeline import AnalysisOptions, analyse, load_responses

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MODEL = """PI =~ PI1 + PI2 + PI3 + PI4
TR =~ TR1 + TR2 + TR3 + TR4
PU =~ PU1 + PU2 + PU3 + PU4
TR ~ a*PI
PU ~ b*TR + PI
ind := a*b
"""
NAMES = {"zh": {"PI": "感知互动性 (PI)", "TR": "信任 (TR)", "PU": "购买意愿 (PU)"},
         "en": {"PI": "Perceived interactivity (PI)", "TR": "Trust (TR)", "PU": "Purchase intention (PU)"}}


@pytest.fixture(scope="module")
def results():
    responses = load_responses(FIXTURES / "intake" / "wjx_text.xlsx",
                               instrument=FIXTURES / "profile" / "instrument.yaml")
    hyps = (Hypothesis("H1", "PI raises TR", "TR ~ PI", "+"), Hypothesis("H2", "mediation", "ind", "+"))
    out = {}
    for lang in ("zh", "en"):
        out[lang] = analyse(MODEL, responses, AnalysisOptions(htmt_draws=0, effect_sizes=True), hypotheses=hyps,
                            language=lang)
    bare = analyse(MODEL, responses.frame.drop(columns=["gender", "age", "frequency"]),
                   AnalysisOptions(htmt_draws=0, reverse=("TR4",), scale=(1, 7)), hypotheses=hyps)
    return out, bare


def _tables(result):
    ctx = build_context(result)
    return {tab["id"]: tab for s in ctx["sections"] for tab in s["tables"]}


def _first_cells(tab):
    return [r["cells"][0] for r in tab["rows"] if r["cells"][0]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_table_names_the_constructs(results, lang):
    tables = _tables(results[0][lang])
    n = NAMES[lang]
    assert _first_cells(tables["table-measurement"]) == [n["PI"], n["TR"], n["PU"]]
    assert _first_cells(tables["table-reliability"])[:3] == [n["PI"], n["TR"], n["PU"]]
    assert _first_cells(tables["table-fornell-larcker"]) == [n["PI"], n["TR"], n["PU"]]
    assert _first_cells(tables["table-htmt"]) == [n["PI"], n["TR"], n["PU"]]
    # matrix columns keep the codes, so a reader matches the cells with the rows
    assert [c["label"] for c in tables["table-htmt"]["columns"]][1:] == ["PI", "TR", "PU"]
    assert _first_cells(tables["table-descriptives"]) == [f"1. {n['PI']}", f"2. {n['TR']}", f"3. {n['PU']}"]
    assert f"{n['TR']} ← {n['PI']} (a)" in _first_cells(tables["table-structural"])
    assert [r["cells"][2] for r in tables["table-hypotheses"]["rows"]] == [f"{n['TR']} ← {n['PI']}", "ind"]
    assert set(_first_cells(tables["table-r2"])[:2]) == {n["TR"], n["PU"]}
    assert f"{n['PU']} ← {n['TR']}" in _first_cells(tables["table-effect-sizes"])
    assert f"{n['PI']}" in _first_cells(tables["table-variances"])
    # common-method checks: the full-collinearity VIF and the ULMC changes
    assert set(_first_cells(tables["table-cmb-vif"])) == {n["PI"], n["TR"], n["PU"]}
    assert f"{n['TR']} ← {n['PI']}" in _first_cells(tables["table-cmb-ulmc-changes"])
    # items keep their ids
    assert [r["cells"][1] for r in tables["table-measurement"]["rows"]][:2] == ["PI1", "PI2"]


def test_without_an_instrument_tables_keep_the_codes(results):
    tables = _tables(results[1])
    assert _first_cells(tables["table-measurement"]) == ["PI", "TR", "PU"]
    assert "TR ← PI (a)" in _first_cells(tables["table-structural"])
    ids = [s["id"] for s in build_context(results[1])["sections"]]
    assert "instrument" not in ids and "sample-profile" not in ids


@pytest.mark.parametrize("lang,words", [
    ("zh", ["附录：调查问卷", "感知互动性 (PI)", "我怀疑小红书博主推荐商品的动机", "TR4（R）", "9.4", "7 点量表"]),
    ("en", ["Appendix: Questionnaire", "Perceived interactivity (PI)",
            "I doubt bloggers' motives for recommending products", "TR4 (R)", "9.4", "7-point scale"]),
])
def test_instrument_appendix_lists_constructs_sources_and_items(results, lang, words):
    ctx = build_context(results[0][lang])
    sec = next(s for s in ctx["sections"] if s["id"] == "instrument")
    sources, items = sec["tables"]
    assert [r["cells"][0] for r in sources["rows"]] == list(NAMES[lang].values())
    assert sources["rows"][1]["cells"][1] == "Trust in online vendors"
    assert sources["rows"][1]["cells"][2].startswith("Gefen, D., Karahanna, E., & Straub, D. W. (2003)")
    assert len(items["rows"]) == 12 and [r["cells"][1] for r in items["rows"]][7].startswith("TR4")
    text = " ".join([sec["title"], *sec["paragraphs"], *(c for tab in sec["tables"] for r in tab["rows"] for c in r["cells"])])
    for word in words:
        assert word in text, word
    # the scales' citations join the reference list
    assert any(ref.startswith("Gefen, D., Karahanna") for ref in ctx["references"])


def test_path_diagram_names_the_constructs(results):
    ctx = build_context(results[0]["zh"])
    fig = next(s for s in ctx["sections"] if s["id"] == "path-diagram")["figures"][0]
    assert all(name in fig["svg"] for name in ("感知互动性", "信任", "购买意愿"))
    bare = next(s for s in build_context(results[1])["sections"] if s["id"] == "path-diagram")["figures"][0]
    assert "信任" not in bare["svg"]


def test_multigroup_tables_by_a_demographic_name_the_constructs():
    """A declared demographic is a column like any other: here the group of a multi-group model."""
    responses = load_responses(FIXTURES / "intake" / "wjx_text.xlsx",
                               instrument=FIXTURES / "profile" / "instrument.yaml")
    res = analyse("PI =~ PI1 + PI2 + PI3 + PI4\nTR =~ TR1 + TR2 + TR3 + TR4\nTR ~ PI\n", responses,
                  AnalysisOptions(group="gender"), language="zh")
    assert res.sample_profile is not None and res.sample_profile.n == res.sem.n_obs == 112
    tables = _tables(res)
    assert _first_cells(tables["table-structural"]) == ["信任 (TR) ← 感知互动性 (PI)"]
    assert _first_cells(tables["table-measurement"])[0] == "感知互动性 (PI) =~ PI1"


def test_process_roles_are_named(results):
    from dataclasses import replace

    from semxhs.process import run_process
    from semxhs.survey.constructs import construct_scores

    res = results[0]["en"]
    responses = load_responses(FIXTURES / "intake" / "wjx_text.xlsx",
                               instrument=FIXTURES / "profile" / "instrument.yaml")
    scored = construct_scores(responses.frame, ["PI", "TR", "PU"], res.instrument.blocks())
    proc = run_process(scored, 4, x="PI", m=["TR"], y="PU", boot=0)
    tables = _tables(replace(res, process=(proc,)))
    roles = {r["cells"][0]: r["cells"][1] for r in tables["table-process-1-model"]["rows"]}
    assert roles["X (focal predictor)"] == "Perceived interactivity (PI)"
    assert roles["Y (outcome)"] == "Purchase intention (PU)"
    # the equations, the coefficients' terms and the effects' paths are named too
    pi, tr, pu = "Perceived interactivity (PI)", "Trust (TR)", "Purchase intention (PU)"
    assert _first_cells(tables["table-process-1-equations-summary"])[:2] == [tr, pu]
    assert _first_cells(tables["table-process-1-equations-2"])[1:] == [pi, tr]
    assert pu in tables["table-process-1-equations-2"]["title"]
    assert _first_cells(tables["table-process-1-effects-indirect"]) == [f"{pi} → {tr} → {pu}"]


def test_bootstrap_indirect_effects_name_the_constructs():
    from semxhs.study.config import BootstrapSpec

    responses = load_responses(FIXTURES / "intake" / "wjx_text.xlsx",
                               instrument=FIXTURES / "profile" / "instrument.yaml")
    res = analyse(MODEL, responses, AnalysisOptions(htmt_draws=0, measurement=False,
                                                    bootstrap=BootstrapSpec(draws=50)), language="zh")
    cells = _first_cells(_tables(res)["table-indirect"])
    assert "感知互动性 (PI) → 信任 (TR) → 购买意愿 (PU)" in cells
    assert "总效应：感知互动性 (PI) → 购买意愿 (PU)" in cells  # total, direct and total indirect rows too


def test_invariance_latent_means_name_the_factors():
    import pandas as pd

    from semxhs.report.invariance import invariance_sections
    from semxhs.report.labels import labels_for
    from semxhs.sem.invariance import invariance

    folder = FIXTURES / "shared_next" / "hs1939_invariance_school"
    res = invariance((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"), "school")
    names = {"visual": "Visual ability (visual)"}
    tabs = {tab["id"]: tab for s in invariance_sections(res, labels_for("en"), names) for tab in s["tables"]}
    factors = {r["cells"][0] for r in tabs["table-invariance-latent-means"]["rows"]}
    assert "Visual ability (visual)" in factors and "textual" in factors

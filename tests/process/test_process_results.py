"""Result objects: the JSON contract, frames, probing options, centering, HC formulas."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from semxhs.process import run_process
from semxhs.process.ols import collinear_columns, hc_covariance
from tests.process.process_helpers import simulate


@pytest.fixture(scope="module")
def model7_result(model7_case):
    data = model7_case[0]
    return run_process(data, 7, x="PI", y="PU", m=["TR"], w="CE", boot=500, seed=1)


def test_json_contract(model7_result):
    out = json.loads(json.dumps(model7_result.to_dict(), allow_nan=False))
    assert out["model"] == 7 and out["n"] == 400
    assert out["variables"] == {"x": "PI", "m": ["TR"], "w": "CE", "y": "PU"}
    assert set(out["equations"]) == {"TR", "PU"}
    eq = out["equations"]["TR"]
    assert set(eq) == {"r2", "f", "df1", "df2", "pvalue", "coefficients"}
    assert set(eq["coefficients"][0]) == {"term", "est", "se", "t", "pvalue", "ci_lower", "ci_upper"}
    assert [c["term"] for c in eq["coefficients"]] == ["Intercept", "PI", "CE", "PI:CE"]
    assert set(out["interaction_tests"][0]) == {"equation", "term", "r2_change", "f", "df1", "df2", "pvalue"}
    ce = out["conditional_effects"][0]
    assert set(ce) == {"equation", "focal", "moderator_values", "effect", "se", "t", "pvalue", "ci_lower",
                       "ci_upper"}
    assert ce["equation"] == "TR" and ce["focal"] == "PI" and set(ce["moderator_values"]) == {"CE"}
    assert set(out["johnson_neyman"][0]) == {"equation", "focal", "moderator", "points"}
    assert set(out["indirect"][0]) == {"path", "moderator_values", "effect", "boot_se", "ci_lower", "ci_upper"}
    assert set(out["index_of_moderated_mediation"][0]) == {"moderator", "path", "index", "boot_se", "ci_lower",
                                                          "ci_upper"}
    assert set(out["bootstrap"]) == {"draws", "seed", "seconds", "failed"}
    assert out["bootstrap"]["draws"] == 500 and out["bootstrap"]["seed"] == 1
    assert out["n_dropped"] == 0
    assert out["options"]["center"] == "none" and out["options"]["probe"] == "percentiles"


def test_frames(model7_result):
    coef = model7_result.to_frame()
    assert list(coef.columns) == ["equation", "term", "est", "se", "t", "pvalue", "ci_lower", "ci_upper"]
    assert list(model7_result.indirect.to_frame().columns) == ["path", "CE", "effect", "boot_se", "ci_lower",
                                                                "ci_upper"]
    jn = model7_result.johnson_neyman[0].to_frame()
    assert {"CE", "effect", "se", "ci_lower", "ci_upper"} <= set(jn.columns)
    with pytest.raises(KeyError):
        model7_result.to_frame("nonsense")


def test_results_are_frozen(model7_result):
    with pytest.raises(AttributeError):
        model7_result.n = 3  # type: ignore[misc]


def test_dichotomous_moderator_probed_at_its_two_values():
    rng = np.random.default_rng(4)
    d = pd.DataFrame({"X": rng.normal(size=200), "W": rng.integers(0, 2, size=200).astype(float)})
    d["Y"] = d.X * (0.2 + 0.5 * d.W) + rng.normal(size=200)
    res = run_process(d, 1, x="X", y="Y", w="W")
    assert [dict(r.moderator_values)["W"] for r in res.conditional_effects] == [0.0, 1.0]
    assert res.johnson_neyman == ()
    assert any("dichotomous" in n for n in res.notes)


def test_user_probe_values_and_model2_grid():
    d = simulate({"Y": {"X": 0.3, "X:W": 0.2, "X:Z": 0.1, "W": 0.1, "Z": 0.1}}, 300, seed=2)
    res = run_process(d, 2, x="X", y="Y", w="W", z="Z", probe={"W": [-1.0, 1.0]})
    grid = [dict(r.moderator_values) for r in res.conditional_effects]
    assert len(grid) == 2 * 3 and {g["W"] for g in grid} == {-1.0, 1.0}
    one = run_process(d, 1, x="X", y="Y", w="W", probe=[0.5])
    assert [dict(r.moderator_values) for r in one.conditional_effects] == [{"W": 0.5}]


def test_centering_moves_lower_order_terms_only():
    pop = {"Y": {"X": 0.3, "W": 0.2, "X:W": 0.25}}
    d = simulate(pop, 500, seed=3)
    d["X"] += 3.0
    d["W"] += 2.0
    raw = run_process(d, 1, x="X", y="Y", w="W")
    cen = run_process(d, 1, x="X", y="Y", w="W", center="interaction")
    assert cen.options.centered == ("X", "W")
    r, c = raw.equation("Y"), cen.equation("Y")
    assert c.coefficient("X:W").est == pytest.approx(r.coefficient("X:W").est, rel=1e-10)
    assert c.r2 == pytest.approx(r.r2, rel=1e-10)
    # with W centered, the X coefficient is the effect of X at the mean of W
    mean_w = d["W"].mean()
    assert c.coefficient("X").est == pytest.approx(r.coefficient("X").est + r.coefficient("X:W").est * mean_w,
                                                   rel=1e-10)
    # probe values shift by the mean, conditional effects do not change
    for a, b in zip(raw.conditional_effects, cen.conditional_effects):
        assert dict(b.moderator_values)["W"] == pytest.approx(dict(a.moderator_values)["W"] - mean_w)
        assert b.effect == pytest.approx(a.effect, rel=1e-10)
    allc = run_process(d.assign(C=d.X * 0.1 + np.linspace(0, 1, 500)), 1, x="X", y="Y", w="W", cov=["C"],
                       center="all")
    assert allc.options.centered == ("X", "W", "C")


@pytest.mark.parametrize("kind", [0, 1, 2, 3])
def test_hc_formula_matches_statsmodels(kind):
    rng = np.random.default_rng(kind)
    X = sm.add_constant(rng.normal(size=(50, 2)))
    y = X @ [1.0, 0.5, -0.3] + rng.normal(size=50) * (1 + np.abs(X[:, 1]))
    fit = sm.OLS(y, X).fit(cov_type=f"HC{kind}")
    np.testing.assert_allclose(hc_covariance(X, y - X @ fit.params, kind), fit.cov_params(), rtol=1e-10)


def test_collinear_columns_named():
    X = np.column_stack([np.ones(6), np.arange(6.0), np.zeros(6)])
    assert collinear_columns(X, ["Intercept", "a", "b"]) == ["b"]

"""Reference tests: numbers computed by R (`lm`, `sandwich`), kept in tests/fixtures/process.

OLS numbers (coefficients, SEs, t, p, R-squared, F change, conditional effects,
Johnson-Neyman roots) agree to 1e-6 relative. Bootstrap interval ends come from R's
random numbers, ours from numpy's: they must land within 5% of R's interval width.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from semxhs.process import run_process
from tests.process.process_helpers import FIXTURES

pytestmark = pytest.mark.reference

RTOL = 1e-6
BOOT_WIDTH_SHARE = 0.05
COLUMNS = ["est", "se", "t", "pvalue"]
R_TERMS = {"(Intercept)": "Intercept", ".xw": "PI:CE"}


def assert_coefficients(equation, reference_rows):
    frame = equation.to_frame()
    assert len(frame) == len(reference_rows)
    for row in reference_rows:
        term = R_TERMS.get(row["term"], row["term"])
        ours = frame.loc[term, COLUMNS].to_numpy(dtype=float)
        np.testing.assert_allclose(ours, [row[c] for c in COLUMNS], rtol=RTOL, err_msg=term)


def assert_boot_interval(lower, upper, ref_lower, ref_upper):
    width = ref_upper - ref_lower
    assert abs(lower - ref_lower) <= BOOT_WIDTH_SHARE * width, (lower, ref_lower, width)
    assert abs(upper - ref_upper) <= BOOT_WIDTH_SHARE * width, (upper, ref_upper, width)


# --- model 1: lm(VC ~ PI + CE + PI*CE) ---------------------------------------------------

@pytest.fixture(scope="module")
def model1(model1_case):
    data, spec, _ = model1_case
    return run_process(data, spec["model"], x=spec["x"], y=spec["y"], w=spec["w"])


def test_model1_coefficients_and_r2(model1, model1_case):
    ref = model1_case[2]
    assert model1.n == ref["n"]
    assert_coefficients(model1.equation("VC"), ref["coefficients"])
    np.testing.assert_allclose(model1.equation("VC").r2, ref["r2"], rtol=RTOL)


def test_model1_interaction_test(model1, model1_case):
    ref = model1_case[2]
    (test,) = model1.interaction_tests
    assert (test.term, test.df1, test.df2) == ("PI:CE", 1, 396)
    np.testing.assert_allclose([test.r2_change, test.f, test.pvalue],
                               [ref["r2_change_interaction"], ref["f_change"], ref["f_change_p"]], rtol=RTOL)


@pytest.mark.parametrize("probe, key", [("percentiles", "conditional_effects_percentiles"),
                                        ("moments", "conditional_effects_moments")])
def test_model1_conditional_effects(model1_case, probe, key):
    data, spec, ref = model1_case
    res = run_process(data, 1, x="PI", y="VC", w="CE", probe=probe)
    frame = res.conditional_effects.to_frame()
    cols = ["effect", "se", "t", "pvalue", "ci_lower", "ci_upper"]
    np.testing.assert_allclose(frame["CE"].to_numpy(), [r["w"] for r in ref[key]], rtol=RTOL)
    np.testing.assert_allclose(frame[cols].to_numpy(), [[r[c] for c in cols] for r in ref[key]], rtol=RTOL)


def test_model1_johnson_neyman(model1, model1_case):
    ref = model1_case[2]
    (jn,) = model1.johnson_neyman
    # R lists both roots of the quadratic; only the one inside CE's observed range is a JN point
    np.testing.assert_allclose(jn.roots, ref["johnson_neyman"], rtol=RTOL)
    np.testing.assert_allclose([jn.lower, jn.upper], ref["w_range"], rtol=RTOL)
    inside = [p for p in ref["johnson_neyman"] if ref["w_range"][0] <= p <= ref["w_range"][1]]
    np.testing.assert_allclose(jn.points, inside, rtol=RTOL)
    table = jn.to_frame()
    assert len(table) == 21 + len(inside)
    at_point = table.loc[np.isclose(table["CE"], inside[0])]
    assert abs(float(at_point["pvalue"].iloc[0]) - 0.05) < 1e-8


# --- model 4: a, b, c', c and the bootstrapped indirect effect ---------------------------

@pytest.fixture(scope="module")
def model4(model4_case):
    data, spec, _ = model4_case
    return run_process(data, 4, x=spec["x"], y=spec["y"], m=[spec["m"]], boot=5000, seed=21)


def test_model4_equations(model4, model4_case):
    ref = model4_case[2]
    assert_coefficients(model4.equation("TR"), ref["a_path"])
    assert_coefficients(model4.equation("PU"), ref["b_path"])
    assert_coefficients(model4.total_equation, ref["total"])
    (total,) = model4.total_effects
    np.testing.assert_allclose(total.effect, ref["total"][1]["est"], rtol=RTOL)
    (direct,) = model4.direct_effects
    np.testing.assert_allclose(direct.effect, ref["b_path"][1]["est"], rtol=RTOL)


def test_model4_indirect(model4, model4_case):
    ref = model4_case[2]["indirect"]
    (ind,) = model4.indirect
    np.testing.assert_allclose(ind.effect, ref["effect"], rtol=RTOL)
    assert_boot_interval(ind.ci_lower, ind.ci_upper, ref["perc_lower"], ref["perc_upper"])
    assert ind.boot_se == pytest.approx(ref["boot_se"], rel=0.1)
    assert model4.bootstrap.draws == ref["boot_draws"] and model4.bootstrap.failed == 0


# --- model 7: first-stage moderated mediation ---------------------------------------------

@pytest.fixture(scope="module")
def model7(model7_case):
    data, spec, _ = model7_case
    return run_process(data, 7, x=spec["x"], y=spec["y"], m=[spec["m"]], w=spec["w"], boot=5000, seed=22)


def test_model7_equations(model7, model7_case):
    ref = model7_case[2]
    assert_coefficients(model7.equation("TR"), ref["m_equation"])
    assert_coefficients(model7.equation("PU"), ref["y_equation"])


def test_model7_index_of_moderated_mediation(model7, model7_case):
    ref = model7_case[2]["index_of_moderated_mediation"]
    (index,) = model7.index_of_moderated_mediation
    assert (index.moderator, index.path) == ("CE", "PI -> TR -> PU")
    np.testing.assert_allclose(index.index, ref["effect"], rtol=RTOL)
    assert_boot_interval(index.ci_lower, index.ci_upper, ref["perc_lower"], ref["perc_upper"])
    assert index.boot_se == pytest.approx(ref["boot_se"], rel=0.1)


def test_model7_conditional_indirect(model7, model7_case):
    ref = model7_case[2]["conditional_indirect_percentiles"]
    assert len(model7.indirect) == len(ref)
    for ours, theirs in zip(model7.indirect, ref):
        np.testing.assert_allclose(dict(ours.moderator_values)["CE"], theirs["w"], rtol=RTOL)
        np.testing.assert_allclose(ours.effect, theirs["effect"], rtol=RTOL)
        assert_boot_interval(ours.ci_lower, ours.ci_upper, theirs["perc_lower"], theirs["perc_upper"])


# --- extra: R lm + sandwich::vcovHC (tests/fixtures/process/make_reference.R) -------------

EXTRA = json.loads((FIXTURES / "extra" / "reference.json").read_text())


@pytest.mark.parametrize("hc", [0, 1, 2, 3, 4])
def test_model1_hc_standard_errors(model1_case, hc):
    data = model1_case[0]
    ref = EXTRA["model1_hc"][f"HC{hc}"]
    res = run_process(data, 1, x="PI", y="VC", w="CE", hc=hc)
    assert_coefficients(res.equation("VC"), ref["coefficients"])
    (test,) = res.interaction_tests
    np.testing.assert_allclose(test.f, ref["f_interaction"], rtol=RTOL)
    np.testing.assert_allclose(res.equation("VC").f, ref["f_model"], rtol=RTOL)


def test_model14_against_r(model7_case):
    data = model7_case[0]
    ref = EXTRA["model14"]
    res = run_process(data, 14, x="PI", y="PU", m=["TR"], w="CE", boot=0)
    assert_coefficients(res.equation("TR"), ref["m_equation"])
    assert_coefficients(res.equation("PU"), ref["y_equation"])
    np.testing.assert_allclose(res.equation("PU").r2, ref["y_r2"], rtol=RTOL)
    cond = [r for r in res.conditional_effects if r.focal == "TR"]
    for ours, theirs in zip(cond, ref["conditional_b"], strict=True):
        np.testing.assert_allclose(
            [dict(ours.moderator_values)["CE"], ours.effect, ours.se, ours.t, ours.pvalue],
            [theirs["w"], theirs["effect"], theirs["se"], theirs["t"], theirs["pvalue"]], rtol=RTOL)
    for ours, theirs in zip(res.indirect, ref["conditional_indirect"], strict=True):
        np.testing.assert_allclose(ours.effect, theirs["effect"], rtol=RTOL)
    np.testing.assert_allclose(res.index_of_moderated_mediation[0].index, ref["index_of_moderated_mediation"],
                               rtol=RTOL)
    hc4 = run_process(data, 14, x="PI", y="PU", m=["TR"], w="CE", boot=0, hc=4)
    assert_coefficients(hc4.equation("PU"), ref["y_equation_hc4"])

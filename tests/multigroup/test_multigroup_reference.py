"""Reference tests: multi-group ML fits against lavaan 0.6-14 (numbers computed in R).

Cases: tests/fixtures/multigroup/{std_lv_regressions, equal_covariances_means} (our make_refs.R there: std.lv
with equal loadings and regressions, a fixed.x covariate; equal residual/latent covariances and means),
tests/fixtures/next/{mg_cfa_sex_ml, mg_three_groups, mg_modifiers, mg_partial_search} (made by make_refs.R there) and
tests/fixtures/shared_next/{hs1939_invariance_school, hs1939_mg_mediation_school} (copied from
shared/reference-next, made by make_refs_next.R). Groups are in lavaan's order (first appearance, never
sorted in these cases). Rows are joined on (lhs, op, rhs, group); ``:=`` rows (group 0) on lhs.
Tolerances (issue 11): est 1e-3 relative, se 2% relative, std_all 2e-3 absolute; chisq, logl, aic, bic and
each group's chisq 1e-3 relative; cfi, tli, rmsea (+ CI), srmr, pvalue 1e-3 absolute; df and npar exact;
the ``label`` column (lavaan's automatic ``.pN.`` labels and the user's) exactly.
"""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest

from semxhs.sem.model import fit
from tests.reference_cases import FIXTURES

NEXT = FIXTURES / "next"
SHARED = FIXTURES / "shared_next"

# (id, folder, model file, JSON path of the fit block, group.partial)
CASES = [
    *[(f"sex_{k}", NEXT / "mg_cfa_sex_ml", "model.lav", ("models", k), ())
      for k in ("configural", "metric", "scalar", "strict")],
    ("sex_partial", NEXT / "mg_cfa_sex_ml", "model.lav", ("partial_scalar",), ("x1~1", "speed=~x9")),
    *[(f"three_{k}", NEXT / "mg_three_groups", "model.lav", ("models", k), ())
      for k in ("configural", "metric", "scalar")],
    ("three_partial", NEXT / "mg_three_groups", "model.lav", ("partial_scalar",), ("y2~1",)),
    ("modifiers", NEXT / "mg_modifiers", "model.lav", ("model",), ()),
    *[(f"school_{k}", SHARED / "hs1939_invariance_school", "model.lav", ("models", k), ())
      for k in ("configural", "metric", "scalar", "strict")],
    ("school_partial", SHARED / "hs1939_invariance_school", "model.lav", ("partial_scalar",), ("x3~1",)),
    ("mediation_free", SHARED / "hs1939_mg_mediation_school", "model_free.lav", ("models", "free_paths"), ()),
    ("mediation_equal", SHARED / "hs1939_mg_mediation_school", "model_equal.lav", ("models", "equal_paths"), ()),
    ("search_metric", NEXT / "mg_partial_search", "model.lav", ("metric",), ()),
    *[(name, FIXTURES / "multigroup" / name, "model.lav", (), ())
      for name in ("std_lv_regressions", "equal_covariances_means")],
    *[(f"search_step{k}", NEXT / "mg_partial_search", "model.lav", ("steps", k), partial)
      for k, partial in enumerate([(), ("u2~1",), ("u2~1", "u7~1"), ("u2~1", "u7~1", "u4~1")])],
]

REL_FIT = ("chisq", "logl", "unrestricted_logl", "aic", "bic", "baseline_chisq")
ABS_FIT = ("pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr")


def group_equal_of(call: str) -> list[str]:
    """The ``group.equal`` of a lavaan call written in words (``c("loadings", "intercepts")``)."""
    match = re.search(r'group\.equal = (c\([^)]*\)|"[^"]*")', call)
    return re.findall(r'"([a-z.]+)"', match.group(1)) if match else []


@pytest.fixture(scope="module", params=CASES, ids=[c[0] for c in CASES])
def case(request):
    name, folder, model_file, path, partial = request.param
    ref_all = json.loads((folder / "lavaan.json").read_text(encoding="utf-8"))
    block = ref_all
    for key in path:
        block = block[key]
    if "group_partial" in block:
        assert tuple(block["group_partial"] or ()) == tuple(partial)
    result = fit((folder / model_file).read_text(encoding="utf-8"), pd.read_csv(folder / "data.csv"),
                 group=ref_all["group_var"], group_equal=group_equal_of(block["call"]), group_partial=partial,
                 std_lv=bool(block.get("std_lv", False)))
    return {"ref": block, "ref_all": ref_all, "result": result, "out": result.to_dict()}


def _close(got, want, rel=0.0, abs_=0.0) -> bool:
    if want is None:
        return got is None
    return got is not None and abs(got - want) <= max(abs_, rel * abs(want))


def _row(out: dict, p: dict) -> dict:
    hits = [g for g in out["parameters"] if g["op"] == p["op"] and (
        (p["op"] == ":=" and g["lhs"] == p["lhs"])
        or (p["op"] != ":=" and g["group"] == p["group"] and (
            (g["lhs"], g["rhs"]) == (p["lhs"], p["rhs"])
            or (p["op"] == "~~" and (g["lhs"], g["rhs"]) == (p["rhs"], p["lhs"]))))
    )]
    assert len(hits) == 1, f"{p['lhs']} {p['op']} {p['rhs']} group {p.get('group')}: {len(hits)} rows"
    return hits[0]


@pytest.mark.reference
def test_converged_and_groups_in_lavaans_order(case):
    assert case["result"].converged
    assert case["out"]["group_labels"] == case["ref_all"]["group_labels"]


@pytest.mark.reference
def test_fit_measures_agree_with_lavaan(case):
    ref, got = case["ref"]["fit"], case["out"]["fit"]
    assert got["df"] == ref["df"]
    assert got["npar"] == ref["npar"]
    assert got["baseline_df"] == ref["baseline_df"]
    for key in REL_FIT:
        assert _close(got[key], ref[key], rel=1e-3), f"{key}: semxhs {got[key]} lavaan {ref[key]}"
    for key in ABS_FIT:
        assert _close(got[key], ref[key], abs_=1e-3), f"{key}: semxhs {got[key]} lavaan {ref[key]}"


@pytest.mark.reference
def test_chisq_per_group_agrees_with_lavaan(case):
    got, ref = case["out"]["fit"]["chisq_group"], case["ref"]["chisq_group"]
    assert list(got) == list(ref)
    for label, value in ref.items():
        assert _close(got[label], value, rel=1e-3), f"group {label}: semxhs {got[label]} lavaan {value}"
    assert sum(got.values()) == pytest.approx(case["out"]["fit"]["chisq"], rel=1e-12)


@pytest.mark.reference
def test_every_parameter_agrees_with_lavaan(case):
    ref_rows = case["ref"]["parameters"] + case["ref"].get("defined", [])
    ref_rows = list({(p["lhs"], p["op"], p["rhs"], p.get("group")): p for p in ref_rows}.values())
    assert len(case["out"]["parameters"]) == len(ref_rows)
    for p in ref_rows:
        g = _row(case["out"], p)
        where = f"{p['lhs']} {p['op']} {p['rhs']} (group {p.get('group')})"
        assert g["label"] == p["label"], f"{where} label: semxhs {g['label']!r} lavaan {p['label']!r}"
        assert g["group_label"] == p["group_label"], where
        assert _close(g["est"], p["est"], rel=1e-3, abs_=1e-6), f"{where} est: {g['est']} vs {p['est']}"
        assert _close(g["se"], p["se"], rel=0.02, abs_=1e-8), f"{where} se: {g['se']} vs {p['se']}"
        if p["std_all"] is not None:
            assert _close(g["std_all"], p["std_all"], abs_=2e-3), f"{where} std_all: {g['std_all']} vs {p['std_all']}"


@pytest.mark.reference
def test_r2_per_group_agrees_with_lavaan(case):
    ref = case["ref"].get("r2")
    if not ref:
        pytest.skip("no r2 in this block")
    got = case["out"]["r2"]
    for label, values in ref.items():
        for var, value in values.items():
            assert _close(got[label][var], value, abs_=2e-3), f"{label} {var}: {got[label][var]} vs {value}"


MLR_KEYS = ("chisq", "chisq_scaled", "chisq_scaling_factor", "baseline_chisq_scaled",
            "baseline_chisq_scaling_factor", "cfi_scaled", "tli_scaled", "rmsea_scaled", "cfi_robust", "tli_robust",
            "rmsea_robust", "logl", "aic", "bic", "srmr")


@pytest.mark.reference
@pytest.mark.parametrize("level,group_equal", [("configural", []), ("metric", ["loadings"]),
                                               ("scalar", ["loadings", "intercepts"])])
def test_mlr_multigroup_agrees_with_lavaan(level, group_equal):
    """tests/fixtures/next/mg_mlr: ``cfa(..., group = "school", estimator = "MLR")``, Grant-White first."""
    folder = NEXT / "mg_mlr"
    block = json.loads((folder / "lavaan.json").read_text(encoding="utf-8"))["models"][level]
    res = fit((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"), group="school",
              estimator="MLR", group_equal=group_equal)
    out = res.to_dict()
    for key in MLR_KEYS:
        assert _close(out["fit"][key], block["fit"][key], rel=1e-3, abs_=1e-3 if key not in REL_FIT else 0), key
    for label, value in block["chisq_group_yuan_bentler_mplus"].items():
        assert _close(out["fit"]["chisq_group_scaled"][label], value, rel=1e-3), label
    for p in block["parameters"]:
        g = _row(out, p)
        assert _close(g["est"], p["est"], rel=1e-3, abs_=1e-6), (p["lhs"], p["op"], p["rhs"], p["group"])
        assert _close(g["se"], p["se"], rel=0.02, abs_=1e-8), (p["lhs"], p["op"], p["rhs"], p["group"])


@pytest.mark.reference
@pytest.mark.parametrize("level,group_equal", [("configural", []), ("metric", ["loadings"]),
                                               ("scalar", ["loadings", "intercepts"])])
def test_fiml_multigroup_agrees_with_lavaan(level, group_equal):
    """tests/fixtures/next/mg_fiml: ``cfa(..., group = "school", missing = "ml")``, 111 cells missing (MCAR)."""
    folder = NEXT / "mg_fiml"
    block = json.loads((folder / "lavaan.json").read_text(encoding="utf-8"))["models"][level]
    out = fit((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"), group="school",
              missing="fiml", group_equal=group_equal).to_dict()
    ref = block["fit"]
    for key in ("df", "npar", "baseline_df"):
        assert out["fit"][key] == ref[key], key
    for key in REL_FIT:
        assert _close(out["fit"][key], ref[key], rel=1e-3), key
    for key in ABS_FIT + ("cfi_robust", "tli_robust", "rmsea_robust"):
        assert _close(out["fit"][key], ref[key], abs_=1e-3), key
    for label, value in block["chisq_group"].items():
        assert _close(out["fit"]["chisq_group"][label], value, rel=1e-3), label
    for p in block["parameters"]:
        g = _row(out, p)
        where = (p["lhs"], p["op"], p["rhs"], p["group"])
        assert _close(g["est"], p["est"], rel=1e-3, abs_=1e-6), where
        assert _close(g["se"], p["se"], rel=0.02, abs_=1e-8), where
        if p["std_all"] is not None:
            assert _close(g["std_all"], p["std_all"], abs_=2e-3), where


@pytest.mark.reference
def test_mlr_fiml_multigroup_agrees_with_lavaan():
    """tests/fixtures/next/mg_fiml ``metric_mlr_fiml``: ``missing = "ml", estimator = "MLR"``, loadings equal."""
    folder = NEXT / "mg_fiml"
    block = json.loads((folder / "lavaan.json").read_text(encoding="utf-8"))["metric_mlr_fiml"]
    out = fit((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"), group="school",
              missing="fiml", estimator="MLR", group_equal=["loadings"]).to_dict()
    for key in MLR_KEYS:
        assert _close(out["fit"][key], block["fit"][key], rel=1e-3, abs_=1e-3 if key not in REL_FIT else 0), key
    for label, value in block["chisq_group_yuan_bentler_mplus"].items():
        assert _close(out["fit"]["chisq_group_scaled"][label], value, rel=1e-3), label
    for p in block["parameters"]:
        g = _row(out, p)
        assert _close(g["est"], p["est"], rel=1e-3, abs_=1e-6), (p["lhs"], p["op"], p["rhs"], p["group"])
        assert _close(g["se"], p["se"], rel=0.02, abs_=1e-8), (p["lhs"], p["op"], p["rhs"], p["group"])


@pytest.mark.reference
@pytest.mark.parametrize("folder,key,model_file,group_equal", [
    (NEXT / "mg_modifiers", "wald_tests", "model.lav", []),
    (SHARED / "hs1939_mg_mediation_school", "wald_tests_free_model", "model_free.lav", ["loadings"]),
])
def test_wald_tests_agree_with_lavtestwald(folder, key, model_file, group_equal):
    """``lavTestWald(fit, constraints = ...)`` (se = "standard"): X2 1e-3 relative, df exact."""
    ref = json.loads((folder / "lavaan.json").read_text(encoding="utf-8"))
    res = fit((folder / model_file).read_text(), pd.read_csv(folder / "data.csv"), group=ref["group_var"],
              group_equal=group_equal, wald_tests=[w["constraints"] for w in ref[key]])
    for got, want in zip(res.to_dict()["wald_tests"], ref[key]):
        assert got["df"] == want["df"]
        assert got["X2"] == pytest.approx(want["X2"], rel=1e-3), want["constraints"]
        assert got["pvalue"] == pytest.approx(want["pvalue"], abs=1e-3), want["constraints"]
    # each free path's equality across groups is the single-constraint Wald test of its two labels
    single = {w["constraints"]: w["X2"] for w in ref[key] if w["df"] == 1 and "*" not in w["constraints"]}
    paths = res.to_dict()["path_equality"]
    assert sorted(round(p["X2"], 3) for p in paths)[: len(single)] == pytest.approx(
        sorted(round(v, 3) for v in single.values())[: len(paths)], abs=2e-3)


@pytest.mark.reference
def test_fiml_mlr_with_fixed_x_covariate_agrees_with_lavaan():
    """tests/fixtures/multigroup/fiml_fixed_x_mlr (our make_refs.R): ``missing = "ml", estimator = "MLR"`` by
    school with a fixed.x covariate x7 that has missing values: lavaan drops those 10 rows (5 per group)."""
    folder = FIXTURES / "multigroup" / "fiml_fixed_x_mlr"
    ref = json.loads((folder / "lavaan.json").read_text(encoding="utf-8"))
    res = fit((folder / "model.lav").read_text(), pd.read_csv(folder / "data.csv"), group="school",
              group_equal=["loadings"], missing="fiml", estimator="MLR")
    out = res.to_dict()
    assert out["n_obs_group"] == dict(zip(ref["group_labels"], ref["nobs"]))
    assert any("10 rows with missing values on fixed.x covariates" in w for w in res.warnings)
    for key in ("df", "npar", "baseline_df"):
        assert out["fit"][key] == ref["fit"][key], key
    for key in MLR_KEYS + ("unrestricted_logl", "baseline_chisq", "cfi", "tli", "rmsea"):
        assert _close(out["fit"][key], ref["fit"][key], rel=1e-3, abs_=1e-3 if key not in REL_FIT else 0), key
    for p in ref["parameters"]:
        g = _row(out, p)
        where = (p["lhs"], p["op"], p["rhs"], p["group"])
        assert g["label"] == p["label"], where
        assert _close(g["est"], p["est"], rel=1e-3, abs_=1e-6), where
        assert _close(g["se"], p["se"], rel=0.02, abs_=1e-8), where
        assert _close(g["std_all"], p["std_all"], abs_=2e-3), where


def test_multigroup_defined_without_a_finite_value_is_reported() -> None:
    """A multi-group ``:=`` that divides by zero is kept as a row without a value and warned about
    (code ``defined_not_finite``), as in a single-group fit; the others keep their values."""
    folder = FIXTURES / "multigroup" / "std_lv_regressions"
    model = ("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ c(b1, b2)*visual\n"
             "diff := b1 - b2\nbad := b1 / (b2 - b2)")
    res = fit(model, pd.read_csv(folder / "data.csv"), group="sex")
    rows = {p.label: p for p in res.parameters if p.op == ":="}
    assert math.isfinite(rows["diff"].est) and math.isfinite(rows["diff"].se) and rows["diff"].group == 0
    assert math.isnan(rows["bad"].est) and rows["bad"].pvalue is None
    codes = {m.code: m.params for m in res.warning_codes}
    assert codes["defined_not_finite"] == {"names": ["bad"]}

"""Indirect-effect enumeration and the closed-form (OLS) path of the bootstrap.

Reference parts compare with lavaan's ``:=`` products (estimates and std.all, lavaan 0.6-14,
tests/fixtures/bootstrap/{parallel_mediation_observed, serial_mediation_latent}); the rest
checks identities: effects equal the corresponding ``:=`` products draw by draw, and the
closed form equals the iterative ML solution.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sem_bootstrap_helpers import load_case, simulate_mediation

from semxhs.resample import engine as bt
from semxhs.resample import sem as md
from semxhs.resample.sem import bootstrap_sem, closed_form_reason, effect_plan
from semxhs.sem.estimate import Moments, fit_ml
from semxhs.sem.ram import RamStructure
from semxhs.sem.partable import build_partable

# effect (source, target, path) -> the := parameter of the fixture that defines it
PARALLEL = {("X", "Y", "X -> M1 -> Y"): "ind1", ("X", "Y", "X -> M2 -> Y"): "ind2", ("X", "Y", "total"): "total"}
SERIAL = {("X", "Y", "X -> M1 -> Y"): "ind1", ("X", "Y", "X -> M2 -> Y"): "ind2",
          ("X", "Y", "X -> M1 -> M2 -> Y"): "ind_serial", ("X", "Y", "total indirect"): "total_ind",
          ("X", "Y", "total"): "total"}


def test_parallel_and_serial_paths_are_enumerated():
    parallel = effect_plan(build_partable("M1 ~ X\nM2 ~ X\nY ~ M1 + M2 + X"))
    assert [e.path for e in parallel.effects] == ["X -> M1 -> Y", "X -> M2 -> Y", "total indirect", "direct", "total"]
    serial = effect_plan(build_partable("M1 ~ X\nM2 ~ M1\nY ~ M2"))
    assert [(e.source, e.target, e.path) for e in serial.effects] == [
        ("X", "M2", "X -> M1 -> M2"), ("X", "M2", "total indirect"), ("X", "M2", "total"),
        ("X", "Y", "X -> M1 -> M2 -> Y"), ("X", "Y", "total indirect"), ("X", "Y", "total"),
        ("M1", "Y", "M1 -> M2 -> Y"), ("M1", "Y", "total indirect"), ("M1", "Y", "total"),
    ]


def test_loadings_are_not_structural_paths():
    plan = effect_plan(build_partable("f =~ x1 + x2 + x3\ng =~ y1 + y2 + y3\ng ~ f + z\nw ~ g"))
    assert {(e.source, e.target) for e in plan.effects} == {("f", "w"), ("z", "w")}


def test_nonrecursive_models_get_no_enumeration():
    plan = effect_plan(build_partable("y1 ~ y2 + x1\ny2 ~ y1 + x2"))
    assert not plan.recursive and plan.effects == ()


@pytest.mark.reference
@pytest.mark.parametrize("name,mapping", [("parallel_mediation_observed", PARALLEL),
                                          ("serial_mediation_latent", SERIAL)])
def test_effects_equal_lavaan_defined_products(name, mapping):
    """Point estimates and std.all of the effects against lavaan's := rows (1e-4 relative, as fits)."""
    case = load_case(name)
    res = bootstrap_sem(case["model"], case["data"], draws=20, seed=1)
    ref = {p["lhs"]: p for p in case["ref"]["parameters"] if p["op"] == ":="}
    effects = {(e.source, e.target, e.path): e for e in res.indirect}
    for key, label in mapping.items():
        assert effects[key].est == pytest.approx(ref[label]["est"], rel=1e-4), key
        assert effects[key].std_est == pytest.approx(ref[label]["std_all"], rel=1e-3), key
    for d in res.defined:
        assert d.est == pytest.approx(ref[d.label]["est"], rel=1e-4, abs=1e-8), d.label
        assert d.std_est == pytest.approx(ref[d.label]["std_all"], rel=1e-3, abs=1e-8), d.label


@pytest.mark.parametrize("name,mapping", [("parallel_mediation_observed", PARALLEL),
                                          ("serial_mediation_latent", SERIAL)])
def test_effects_equal_defined_products_in_every_draw(name, mapping):
    case = load_case(name)
    res = bootstrap_sem(case["model"], case["data"], draws=300, seed=2)
    cols = list(res.columns)
    for (source, target, path), label in mapping.items():
        effect = next(e for e in res.indirect if (e.source, e.target, e.path) == (source, target, path))
        name_ = path if effect.kind == "specific" else f"{source} => {target}: {effect.kind}"
        np.testing.assert_allclose(res.replicates[:, cols.index(name_)], res.replicates[:, cols.index(label)],
                                   rtol=1e-10, atol=1e-12)
        d = next(d for d in res.defined if d.label == label)
        assert (effect.ci_lower, effect.ci_upper) == pytest.approx((d.ci_lower, d.ci_upper), rel=1e-9)


def test_total_effect_is_direct_plus_total_indirect():
    case = load_case("serial_mediation_latent")
    res = bootstrap_sem(case["model"], case["data"], draws=50, seed=3)
    by = {(e.source, e.target, e.kind): e for e in res.indirect}
    for (s, t, kind), e in by.items():
        if kind == "total":
            direct = by.get((s, t, "direct"))
            assert e.est == pytest.approx(by[(s, t, "total indirect")].est + (direct.est if direct else 0.0))


CLOSED_FORM_MODELS = [
    "M ~ a*X\nY ~ b*M + c*X",                                   # simple mediation
    "M1 ~ X + C\nM2 ~ X + C\nY ~ M1 + M2 + X + C\nM1 ~~ M2",     # parallel, correlated mediator residuals
    "M1 ~ X\nM2 ~ M1 + X\nY ~ M2 + M1",                         # serial
    "M ~ X\nY ~ M + X\nM ~ 1\nY ~ 1",                           # with intercepts (mean structure)
]


@pytest.mark.parametrize("model", CLOSED_FORM_MODELS)
def test_closed_form_equals_iterative_ml(model):
    rng = np.random.default_rng(8)
    n = 150
    c = rng.standard_normal(n)
    x = rng.standard_normal(n) + 0.3 * c
    m1 = 0.5 * x + rng.standard_normal(n)
    m2 = 0.4 * x + 0.3 * m1 + rng.standard_normal(n)
    data = pd.DataFrame({"X": x, "C": c, "M": m1, "M1": m1, "M2": m2,
                         "Y": 0.4 * m1 + 0.3 * m2 + 0.1 * x + rng.standard_normal(n) + 2.0})
    pt = build_partable(model)
    assert closed_form_reason(pt) is None
    values = data[list(pt.observed)].to_numpy()
    moments = Moments.from_data(values)
    structure = RamStructure(pt, moments.cov, moments.mean)
    full = fit_ml(structure, moments)
    mom = md.ResampleMoments(values)(bt.resample_indices(n, 40, seed=1))
    closed, status = md.ClosedFormML(structure).fit(mom)
    iterative, status_it = md.BatchedML(structure).fit(mom, full.theta, gtol=1e-12)
    assert (status == bt.OK).all() and (status_it == bt.OK).all()
    np.testing.assert_allclose(closed, iterative, rtol=1e-7, atol=1e-9)
    # and one draw against the scalar optimizer of the fitting engine
    one = RamStructure(pt, mom.cov[0], mom.mean[0])
    est = fit_ml(one, Moments(mom.cov[0], mom.mean[0], n, float(np.linalg.slogdet(mom.cov[0])[1])))
    np.testing.assert_allclose(closed[0], est.theta, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("model,reason", [
    ("f =~ x1 + x2 + x3\ny ~ f", "latent variables"),
    ("M ~ a*X\nY ~ a*M", "equality constraints"),
    ("M ~ X\nY ~ 0.5*M + X", "fixed parameters"),
    ("y1 ~ y2 + x1\ny2 ~ y1 + x2", "not recursive"),
    ("M ~ X\nY ~ M + X\nM ~~ Y", "different predictors"),
    ("Y1 ~ X\nY2 ~ X + Z", "different predictors"),
])
def test_models_outside_the_closed_form_are_named(model, reason):
    assert reason in closed_form_reason(build_partable(model))


def test_bootstrap_uses_the_closed_form_only_when_it_applies():
    data = simulate_mediation(np.random.default_rng(4), 120, 0.4, 0.4, 0.1)
    closed = bootstrap_sem("M ~ X\nY ~ M + X", data, draws=100, seed=1)
    constrained = bootstrap_sem("M ~ a*X\nY ~ a*M + X", data, draws=100, seed=1)
    assert closed.method.startswith("closed form")
    assert constrained.method.startswith("batched Newton/Fisher scoring")


def test_monte_carlo_and_sobel_lines():
    data = simulate_mediation(np.random.default_rng(5), 400, 0.4, 0.4, 0.1)
    res = bootstrap_sem("M ~ a*X\nY ~ b*M + X\nab := a*b", data, draws=500, seed=1, monte_carlo=20000, sobel=True)
    mc = {r.name: r for r in res.monte_carlo}
    sobel = {r.name: r for r in res.sobel}
    boot = res.defined[0]
    # the three intervals of a*b roughly agree at n = 400
    assert mc["ab"].ci_lower == pytest.approx(boot.ci_lower, abs=0.5 * boot.boot_se)
    assert mc["ab"].ci_upper == pytest.approx(boot.ci_upper, abs=0.5 * boot.boot_se)
    assert sobel["ab"].se == pytest.approx(boot.boot_se, rel=0.15)
    # the effect enumerated from the paths has the same first-order SE as the := product
    assert sobel["X -> M -> Y"].se == pytest.approx(sobel["ab"].se, rel=1e-9)
    assert sobel["ab"].pvalue < 0.001
    assert res.to_dict()["sobel"]["note"].startswith("legacy")
    alone = md.monte_carlo_sem("M ~ a*X\nY ~ b*M + X\nab := a*b", data, draws=20000, seed=1)
    assert alone.rows == res.monte_carlo

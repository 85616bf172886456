"""Recovery tests: simulated data with known population paths, for every supported model.

Each population model below is written out by hand from Hayes (2022, appendix A), not
built by the engine, so these tests also check that the engine puts the right terms in
each equation. Data: N = 2000, exogenous variables and errors N(0, 1), fixed seeds. With
N = 2000 a coefficient's SE is about 0.02-0.03, so ``TOL = 0.1`` is about four SEs;
bootstrap draws are kept few where the draws are not what is tested.
"""

from __future__ import annotations

import numpy as np
import pytest

from semxhs.process import MODEL_TABLE, run_process
from tests.process.process_helpers import simulate

pytestmark = pytest.mark.recovery

N = 2000
TOL = 0.1
BOOT = 200

# population models: outcome -> {term: coefficient}; the intercept is 0, C is a covariate
POPULATION: dict[int, dict[str, dict[str, float]]] = {
    1: {"Y": {"X": 0.3, "W": 0.2, "X:W": 0.25, "C": 0.1}},
    2: {"Y": {"X": 0.3, "W": 0.2, "Z": -0.1, "X:W": 0.25, "X:Z": -0.15, "C": 0.1}},
    3: {"Y": {"X": 0.3, "W": 0.2, "Z": -0.1, "X:W": 0.25, "X:Z": -0.15, "W:Z": 0.1, "X:W:Z": 0.2, "C": 0.1}},
    4: {"M1": {"X": 0.5, "C": 0.1}, "M2": {"X": -0.4, "C": 0.1},
        "Y": {"X": 0.2, "M1": 0.4, "M2": 0.3, "C": 0.1}},
    5: {"M1": {"X": 0.5, "C": 0.1}, "Y": {"X": 0.2, "M1": 0.4, "W": 0.1, "X:W": 0.2, "C": 0.1}},
    6: {"M1": {"X": 0.5, "C": 0.1}, "M2": {"X": 0.3, "M1": 0.4, "C": 0.1},
        "Y": {"X": 0.2, "M1": 0.3, "M2": 0.35, "C": 0.1}},
    7: {"M1": {"X": 0.5, "W": 0.1, "X:W": 0.3, "C": 0.1}, "Y": {"X": 0.2, "M1": 0.4, "C": 0.1}},
    8: {"M1": {"X": 0.5, "W": 0.1, "X:W": 0.3, "C": 0.1},
        "Y": {"X": 0.2, "M1": 0.4, "W": -0.1, "X:W": 0.15, "C": 0.1}},
    14: {"M1": {"X": 0.5, "C": 0.1}, "Y": {"X": 0.2, "M1": 0.4, "W": 0.1, "M1:W": 0.2, "C": 0.1}},
    15: {"M1": {"X": 0.5, "C": 0.1},
         "Y": {"X": 0.2, "M1": 0.4, "W": 0.1, "X:W": 0.15, "M1:W": 0.2, "C": 0.1}},
    58: {"M1": {"X": 0.5, "W": 0.1, "X:W": 0.3, "C": 0.1},
         "Y": {"X": 0.2, "M1": 0.4, "W": 0.1, "M1:W": 0.2, "C": 0.1}},
    59: {"M1": {"X": 0.5, "W": 0.1, "X:W": 0.3, "C": 0.1},
         "Y": {"X": 0.2, "M1": 0.4, "W": 0.1, "X:W": 0.15, "M1:W": 0.2, "C": 0.1}},
}


def roles(model: int) -> dict:
    spec = MODEL_TABLE[model]
    kw: dict = {"x": "X", "y": "Y", "cov": ["C"]}
    if spec.mediation != "none":
        kw["m"] = [k for k in POPULATION[model] if k != "Y"]
    if spec.uses_w:
        kw["w"] = "W"
    if spec.uses_z:
        kw["z"] = "Z"
    return kw


@pytest.fixture(scope="module", params=sorted(POPULATION))
def fitted(request):
    model = request.param
    data = simulate(POPULATION[model], N, seed=100 + model)
    return model, data, run_process(data, model, boot=BOOT, seed=7, **roles(model))


def conditional(pop: dict[str, float], focal: str, values: dict[str, float]) -> float:
    """Population conditional effect of ``focal`` at moderator ``values``."""
    total = 0.0
    for term, coef in pop.items():
        parts = term.split(":")
        if focal in parts:
            total += coef * float(np.prod([values[v] for v in parts if v != focal]))
    return total


def test_equations_have_the_population_terms_and_recover_them(fitted):
    model, _, res = fitted
    assert [e.outcome for e in res.equations] == list(POPULATION[model])
    for outcome, pop in POPULATION[model].items():
        frame = res.equation(outcome).to_frame()
        assert set(frame.index) == {"Intercept", *pop}, (model, outcome)
        for term, value in {"Intercept": 0.0, **pop}.items():
            assert frame.loc[term, "est"] == pytest.approx(value, abs=TOL), (model, outcome, term)


def test_conditional_effects_recover_population(fitted):
    model, _, res = fitted
    for row in res.conditional_effects:
        pop = POPULATION[model][row.equation]
        if ":" in row.focal:  # model 3: conditional X:W interaction at Z
            truth = pop["X:W"] + pop["X:W:Z"] * dict(row.moderator_values)["Z"]
        else:
            truth = conditional(pop, row.focal, dict(row.moderator_values))
        assert row.effect == pytest.approx(truth, abs=2 * TOL), (model, row)


def test_indirect_effects_recover_population(fitted):
    model, _, res = fitted
    pops = POPULATION[model]
    for row in res.indirect:
        if row.path == "total":
            continue
        names = row.path.split(" -> ")
        values = dict(row.moderator_values)
        truth = 1.0
        for p, o in zip(names[:-1], names[1:]):
            truth *= conditional(pops[o], p, values)
        assert row.effect == pytest.approx(truth, abs=TOL), (model, row)
        assert row.ci_lower < row.effect < row.ci_upper


def test_index_of_moderated_mediation_model7():
    """Model 7: the index is (X:W coefficient of M) x (M coefficient of Y) = 0.3 x 0.4."""
    data = simulate(POPULATION[7], N, seed=107)
    res = run_process(data, 7, boot=1000, seed=3, **roles(7))
    (index,) = res.index_of_moderated_mediation
    a3 = res.equation("M1").coefficient("X:W").est
    b = res.equation("Y").coefficient("M1").est
    assert index.index == pytest.approx(a3 * b, rel=1e-12)
    assert index.index == pytest.approx(0.3 * 0.4, abs=0.05)
    assert index.ci_lower < 0.12 < index.ci_upper


@pytest.mark.parametrize("model, expected", [(8, 0.3 * 0.4), (14, 0.5 * 0.2), (15, 0.5 * 0.2)])
def test_index_of_moderated_mediation_linear_models(model, expected):
    data = simulate(POPULATION[model], N, seed=200 + model)
    res = run_process(data, model, boot=BOOT, seed=3, **roles(model))
    (index,) = res.index_of_moderated_mediation
    assert index.index == pytest.approx(expected, abs=0.05)


@pytest.mark.parametrize("model", [58, 59])
def test_index_not_reported_when_quadratic(model):
    data = simulate(POPULATION[model], 300, seed=model)
    res = run_process(data, model, boot=50, seed=3, **roles(model))
    assert len(res.index_of_moderated_mediation) == 0
    assert any("quadratic" in note for note in res.notes)
    assert res.to_dict()["index_of_moderated_mediation"] == []


def test_serial_model6_specific_paths():
    data = simulate(POPULATION[6], N, seed=106)
    res = run_process(data, 6, boot=BOOT, seed=3, **roles(6))
    effects = {r.path: r.effect for r in res.indirect}
    assert effects["X -> M1 -> M2 -> Y"] == pytest.approx(0.5 * 0.4 * 0.35, abs=0.03)
    assert effects["total"] == pytest.approx(0.5 * 0.3 + 0.3 * 0.35 + 0.5 * 0.4 * 0.35, abs=0.05)
    # total effect = direct + total indirect, exactly, in OLS
    assert res.total_effects[0].effect == pytest.approx(res.direct_effects[0].effect + effects["total"], rel=1e-10)
    assert len(res.indirect_contrasts) == 3


def test_parallel_contrast_model4():
    data = simulate(POPULATION[4], N, seed=104)
    res = run_process(data, 4, boot=BOOT, seed=3, **roles(4))
    (contrast,) = res.indirect_contrasts
    assert contrast.effect == pytest.approx(0.5 * 0.4 - (-0.4 * 0.3), abs=TOL)
    effects = {r.path: r.effect for r in res.indirect}
    assert contrast.effect == pytest.approx(effects["X -> M1 -> Y"] - effects["X -> M2 -> Y"], rel=1e-12)


def test_standardized_indirect_model4():
    data = simulate(POPULATION[4], N, seed=104)
    res = run_process(data, 4, boot=BOOT, seed=3, **roles(4))
    sd = data[["X", "Y"]].std()
    for raw, std in zip(res.indirect, res.indirect_standardized, strict=True):
        assert std.path == raw.path
        assert std.effect == pytest.approx(raw.effect * sd["X"] / sd["Y"], rel=1e-12)
        assert std.ci_lower < std.effect < std.ci_upper

"""Recovery tests: FIML and MLR on simulated data with known population values (fixed seeds)."""

from __future__ import annotations

import numpy as np
import pytest

from semxhs.sem.model import fit
from semxhs.sem.simulate import simulate

pytestmark = pytest.mark.recovery

POPULATION = """
F1 =~ 0.8*a1 + 0.7*a2 + 0.6*a3
F2 =~ 0.8*b1 + 0.7*b2 + 0.6*b3
F2 ~ 0.5*F1
"""
MODEL = """
F1 =~ a1 + a2 + a3
F2 =~ b1 + b2 + b3
F2 ~ F1
"""
# standardized population: the std_all solution recovers these values
TRUTH = {("F1", "=~", "a1"): 0.8, ("F1", "=~", "a2"): 0.7, ("F1", "=~", "a3"): 0.6,
         ("F2", "=~", "b1"): 0.8, ("F2", "=~", "b2"): 0.7, ("F2", "=~", "b3"): 0.6,
         ("F2", "~", "F1"): 0.5}


def _mcar(frame, rate: float, rng: np.random.Generator):
    out = frame.copy()
    mask = rng.random(out.shape) < rate
    return out.mask(mask)


def _error(result) -> float:
    return float(np.mean([abs(result.parameter(*key).std_all - value) for key, value in TRUTH.items()]))


def test_fiml_is_closer_to_the_population_than_listwise_under_mcar():
    """With 20% MCAR per item, listwise keeps about a quarter of the rows; FIML uses them all,
    so its estimates are closer to the population on average (same seeds for both)."""
    fiml_err, listwise_err = [], []
    for seed in (11, 12, 13, 14, 15):
        rng = np.random.default_rng(seed)
        full = simulate(POPULATION, n=300, seed=rng)
        data = _mcar(full, 0.2, rng)
        res_fiml = fit(MODEL, data, missing="fiml")
        res_lw = fit(MODEL, data)
        assert res_fiml.converged and res_lw.converged
        assert res_fiml.n_obs == 300 and res_lw.n_obs < 150
        fiml_err.append(_error(res_fiml))
        listwise_err.append(_error(res_lw))
    assert np.mean(fiml_err) < np.mean(listwise_err)
    assert np.mean(fiml_err) < 0.05


def test_fiml_equals_ml_with_complete_data():
    """Without missing values FIML is ML with a mean structure: same estimates and chi-square;
    SEs differ only by observed versus expected information."""
    data = simulate(POPULATION, n=400, seed=3)
    a = fit(MODEL, data, missing="fiml")
    b = fit(MODEL, data)
    assert a.fit.df == b.fit.df
    assert a.fit.chisq == pytest.approx(b.fit.chisq, rel=1e-6)
    for key in TRUTH:
        assert a.parameter(*key).est == pytest.approx(b.parameter(*key).est, rel=1e-5)
        assert a.parameter(*key).se == pytest.approx(b.parameter(*key).se, rel=0.05)


def test_mlr_scaling_factor_near_one_for_normal_data():
    """Under multivariate normality the Yuan-Bentler scaling factor estimates 1 and the sandwich
    SEs estimate the ML ones."""
    data = simulate(POPULATION, n=2000, seed=5)
    ml, mlr = fit(MODEL, data), fit(MODEL, data, estimator="MLR")
    assert mlr.fit.chisq_scaling_factor == pytest.approx(1.0, abs=0.1)
    for key in TRUTH:
        assert mlr.parameter(*key).est == ml.parameter(*key).est
        assert mlr.parameter(*key).se == pytest.approx(ml.parameter(*key).se, rel=0.1)

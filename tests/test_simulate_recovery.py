"""Recovery tests: data simulated from a known population model, fitted back.

The demo's population model (standardized loadings .70-.85, TR ~ .55 PI,
PU ~ .45 TR + .20 PI) is drawn with a large N; the fitted standardized solution must
recover the population values within 0.03 (several standard errors at N = 20 000).
"""

from __future__ import annotations

import pandas as pd
import pytest

from semxhs.sem.model import fit
from semxhs.sem.simulate import population_covariance, simulate
from semxhs.sem.partable import build_partable
from semxhs.study.demo import DEMO_N, DEMO_SEED, demo_file, demo_responses

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


@pytest.mark.recovery
def test_continuous_data_recover_population_values():
    population = demo_file("population.lav")
    data = simulate(population, n=20_000, seed=11)
    res = fit(demo_file("model.lav"), data)
    assert res.converged and not res.improper
    truth = {(p.lhs, p.op, p.rhs): p.value for p in build_partable(population).params if p.op in ("=~", "~")}
    for (lhs, op, rhs), value in truth.items():
        assert res.parameter(lhs, op, rhs).std_all == pytest.approx(value, abs=0.03), (lhs, op, rhs)
    assert res.parameter("ind", ":=").std_all == pytest.approx(0.55 * 0.45, abs=0.03)
    assert res.fit.rmsea < 0.02


@pytest.mark.recovery
def test_population_covariance_is_standardized():
    cov, names = population_covariance(demo_file("population.lav"))
    assert names[:4] == ("PI1", "PI2", "PI3", "PI4")
    assert all(abs(cov[i, i] - 1.0) < 1e-12 for i in range(len(names)))
    # PI1 and PU1 correlate through .78 * (.20 + .55 * .45) * .85
    assert cov[0, names.index("PU1")] == pytest.approx(0.78 * (0.20 + 0.55 * 0.45) * 0.85)


def test_simulation_is_deterministic():
    a = simulate(demo_file("population.lav"), n=50, seed=3, likert=7)
    b = simulate(demo_file("population.lav"), n=50, seed=3, likert=7)
    pd.testing.assert_frame_equal(a, b)
    assert a.to_numpy().min() >= 1 and a.to_numpy().max() <= 7


@pytest.mark.regression
def test_committed_demo_data_is_what_the_demo_generates():
    """Regression: surveys/demo/responses.csv is our own earlier output of demo_responses()."""
    committed = pd.read_csv(ROOT / "surveys" / "demo" / "responses.csv")
    pd.testing.assert_frame_equal(committed, demo_responses(DEMO_N, DEMO_SEED), check_dtype=False)


def test_bundled_model_is_the_model_library_model():
    assert demo_file("model.lav") == (ROOT / "models" / "trust_purchase.lav").read_text(encoding="utf-8")

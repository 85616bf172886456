"""Batched replications (semxhs.power.batch) against replications fitted one by one: the same draws,
the same estimates within the optimizer's tolerance, the same decisions; the same numbers on any
number of workers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from semxhs.power.batch import BLOCK, batch_reason, run_block
from semxhs.power.design import PowerDesign, design_truth
from semxhs.power.engine import _blocks, _chunks, _jobs, run_power
from semxhs.power.replication import run_replication

LATENT_POP = ("X =~ 0.8*x1 + 0.7*x2 + 0.6*x3\nM =~ 0.8*m1 + 0.7*m2 + 0.6*m3\nY =~ 0.8*y1 + 0.7*y2 + 0.6*y3\n"
              "M ~ 0.3*X\nY ~ 0.3*M + 0.1*X")
LATENT_ANA = "X =~ x1 + x2 + x3\nM =~ m1 + m2 + m3\nY =~ y1 + y2 + y3\nM ~ a*X\nY ~ b*M + X\nab := a*b"

CASES = [
    # latent mediation at a small N: some replications improper (Heywood cases), := by the delta method
    pytest.param(LATENT_POP, LATENT_ANA, 60, id="latent-mediation"),
    # observed paths, one of them 0; an exogenous covariate whose moments are the replication's own
    pytest.param("y ~ 0.25*x + 0*w", "y ~ x + w", 40, id="regression"),
    # a ratio of paths: a defined effect far from linear
    pytest.param("m ~ 0.3*x\ny ~ 0.3*m", "m ~ a*x\ny ~ b*m + x\nab := a*b\nratio := a/b", 30, id="ratio"),
    # analysis model using a subset of the population's variables, with an equality constraint
    pytest.param("m ~ 0.4*x\ny ~ 0.4*m + 0.2*z", "m ~ a*x\ny ~ a*m", 80, id="subset-equality"),
]


@pytest.mark.parametrize(("population", "analysis", "n"), CASES)
def test_batched_replications_equal_single_fits(population: str, analysis: str, n: int) -> None:
    design = PowerDesign(population, analysis, (n,), 20, 7)
    truth = design_truth(design)
    assert batch_reason(design, truth) is None
    jobs = _jobs(design)
    batched = run_block(design, truth, jobs)
    alone = [run_replication(design, truth, *job) for job in jobs]
    assert [o.replication for o in batched] == list(range(20))
    for b, s in zip(batched, alone):
        assert (b.n, b.converged, b.improper) == (s.n, s.converged, s.improper)
        assert b.significant == s.significant and b.covered == s.covered
        for x, y in zip(b.est, s.est):
            assert (math.isnan(x) and math.isnan(y)) or abs(x - y) <= 1e-6 * max(1.0, abs(y))


def test_run_power_batched_equals_unbatched() -> None:
    design = PowerDesign(LATENT_POP, LATENT_ANA, (80, 150), 15, 3)
    fast = run_power(design)
    slow = run_power(design, batch=False)
    for a, b in zip(fast.rows, slow.rows):
        assert (a.n, a.key, a.power, a.coverage, a.converged, a.reps, a.improper) == \
               (b.n, b.key, b.power, b.coverage, b.converged, b.reps, b.improper)
        assert a.mean_est == pytest.approx(b.mean_est, abs=1e-6)


def test_designs_that_need_each_replications_rows_are_not_batched() -> None:
    base = {"population": "m ~ 0.3*x\ny ~ 0.3*m", "analysis": "m ~ a*x\ny ~ b*m\nab := a*b", "ns": (50,),
            "reps": 3, "seed": 1}
    fiml = PowerDesign(**base, missing=0.1)
    assert "FIML" in (batch_reason(fiml, design_truth(fiml)) or "")
    boot = PowerDesign(**base, ci="percentile", bootstrap=20)
    assert "percentile" in (batch_reason(boot, design_truth(boot)) or "")
    # non-normal data are still complete-data ML: batched
    skewed = PowerDesign(**base, skew=1.0, kurtosis=2.0)
    assert batch_reason(skewed, design_truth(skewed)) is None


def test_blocks_are_fixed_by_the_design_not_by_the_workers() -> None:
    design = PowerDesign("y ~ 0.3*x", "y ~ x", (40, 60), BLOCK + 7, 1)
    blocks = _blocks(design, _jobs(design))
    assert [len(b) for b in blocks] == [BLOCK, 7, BLOCK, 7]
    assert all(len({job[0] for job in b}) == 1 for b in blocks)
    for size in (1, 5, BLOCK, 3 * BLOCK):
        chunks = _chunks(blocks, size)
        assert [b for c in chunks for b in c] == blocks


def test_same_numbers_on_one_and_two_local_workers() -> None:
    pytest.importorskip("distributed")
    design = PowerDesign(LATENT_POP, LATENT_ANA, (100,), BLOCK + 10, 9)
    one = run_power(design, workers=1)
    two = run_power(design, workers=2, chunk=BLOCK)
    assert one.rows == two.rows
    assert np.isfinite([r.power for r in one.rows]).all()

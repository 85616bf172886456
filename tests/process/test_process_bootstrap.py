"""The vectorized bootstrap equals refitting OLS on each resample; failed draws are counted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from semxhs.process import run_process
from semxhs.process.bootstrap import batch_ols, bootstrap_ols
from semxhs.resample.engine import quantile_interval as percentile_interval
from semxhs.resample.engine import resample_counts as counts_from_indices
from tests.process.process_helpers import simulate


def draw_indices(rng, n, draws):
    """The PROCESS bootstrap's indices: the engine's, drawn from ``rng`` (``resample_indices``)."""
    return rng.integers(0, n, size=(draws, n))


def test_batch_solution_equals_refitting_each_resample():
    rng = np.random.default_rng(11)
    n = 80
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 3))])
    X[:, 3] = X[:, 1] * X[:, 2]
    y = X @ np.array([1.0, 0.5, -0.2, 0.3]) + rng.normal(size=n)
    idx = draw_indices(rng, n, 40)
    coef, ok = batch_ols(X, y, counts_from_indices(idx, n))
    assert ok.all()
    for b in range(40):
        expected, *_ = np.linalg.lstsq(X[idx[b]], y[idx[b]], rcond=None)
        np.testing.assert_allclose(coef[b], expected, rtol=1e-9, atol=1e-12)


def test_chunking_does_not_change_the_numbers():
    rng = np.random.default_rng(2)
    n = 50
    X = np.column_stack([np.ones(n), rng.normal(size=n)])
    y = rng.normal(size=n)
    idx = draw_indices(rng, n, 101)
    whole = bootstrap_ols([(X, y)], idx)
    chunked = bootstrap_ols([(X, y)], idx, chunk_size=7)
    np.testing.assert_allclose(whole.coefs[0], chunked.coefs[0], rtol=1e-12)


def test_failed_draws_are_counted_not_dropped():
    # a dichotomous moderator with two 1s in 30 rows: some resamples have no 1 at all
    rng = np.random.default_rng(5)
    d = pd.DataFrame({"X": rng.normal(size=30), "W": [1.0, 1.0] + [0.0] * 28})
    d["M"] = 0.5 * d.X + rng.normal(size=30)
    d["Y"] = 0.5 * d.M + rng.normal(size=30)
    res = run_process(d, 7, x="X", y="Y", m=["M"], w="W", boot=400, seed=1)
    info = res.bootstrap
    assert info.draws == 400
    assert 0 < info.failed < 400 and len(info.failed_draws) == info.failed
    assert res.to_dict()["bootstrap"]["failed"] == info.failed
    assert any("failed" in note for note in res.notes)
    # the failed draws are exactly those missing one of the two W = 1 rows: with a single
    # distinct W = 1 row, the columns W and X:W are proportional
    idx = draw_indices(np.random.default_rng(1), 30, 400)
    expected = np.flatnonzero(~((idx == 0).any(axis=1) & (idx == 1).any(axis=1)))
    assert list(info.failed_draws) == expected.tolist()
    for row in res.indirect:
        assert np.isfinite(row.ci_lower) and np.isfinite(row.ci_upper)


def test_same_seed_same_numbers_other_seed_other_numbers():
    pop = {"M1": {"X": 0.5, "X:W": 0.2, "W": 0.1}, "Y": {"M1": 0.4, "X": 0.1}}
    d = simulate(pop, 200, seed=9)
    a = run_process(d, 7, x="X", y="Y", m=["M1"], w="W", boot=300, seed=4)
    b = run_process(d, 7, x="X", y="Y", m=["M1"], w="W", boot=300, seed=4)
    c = run_process(d, 7, x="X", y="Y", m=["M1"], w="W", boot=300, seed=5)
    assert a.indirect.to_frame().equals(b.indirect.to_frame())
    assert not a.indirect.to_frame().equals(c.indirect.to_frame())


def test_seed_none_is_recorded_and_repeatable():
    d = simulate({"M1": {"X": 0.5}, "Y": {"M1": 0.4}}, 100, seed=1)
    a = run_process(d, 4, x="X", y="Y", m=["M1"], boot=200, seed=None)
    assert isinstance(a.bootstrap.seed, int)
    b = run_process(d, 4, x="X", y="Y", m=["M1"], boot=200, seed=a.bootstrap.seed)
    assert a.indirect[0].ci_lower == b.indirect[0].ci_lower


def test_no_bootstrap_when_boot_is_zero():
    d = simulate({"M1": {"X": 0.5}, "Y": {"M1": 0.4}}, 100, seed=1)
    res = run_process(d, 4, x="X", y="Y", m=["M1"], boot=0)
    assert res.bootstrap.draws == 0
    assert np.isnan(res.indirect[0].ci_lower)
    assert res.to_dict()["indirect"][0]["ci_lower"] is None


def test_percentile_interval_ignores_nan():
    v = np.concatenate([np.arange(101.0), [np.nan]])
    assert percentile_interval(v, 0.9) == pytest.approx((5.0, 95.0))

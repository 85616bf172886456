"""The resampling engine: determinism, worker processes, failed draws, progress, Ctrl-C, JSON.

Regression-free: every expectation here is a property (same seed -> same numbers, failed
draws counted at their indices), not a stored earlier output.
"""

from __future__ import annotations

import json
import multiprocessing

import numpy as np
import pandas as pd
import pytest

from semxhs.errors import SpecError
from semxhs.resample import engine as bt
from semxhs.resample.sem import bootstrap_sem
from tests.bootstrap.sem_bootstrap_helpers import load_case, simulate_mediation

MEDIATION = "M ~ a*X\nY ~ b*M + c*X\nab := a*b"


@pytest.fixture(scope="module")
def poldem():
    return load_case("poldem_sem")


@pytest.mark.slow
def test_same_seed_same_numbers_and_different_seed_different_numbers(poldem):
    one = bootstrap_sem(poldem["model"], poldem["data"], draws=300, seed=5)
    two = bootstrap_sem(poldem["model"], poldem["data"], draws=300, seed=5)
    other = bootstrap_sem(poldem["model"], poldem["data"], draws=300, seed=6)
    assert np.array_equal(one.replicates, two.replicates, equal_nan=True)
    assert one.defined == two.defined and one.indirect == two.indirect and one.parameters == two.parameters
    assert not np.array_equal(one.replicates, other.replicates, equal_nan=True)


def test_indices_are_drawn_up_front_from_one_generator():
    idx = bt.resample_indices(40, 10, seed=3)
    assert np.array_equal(idx, np.random.default_rng(3).integers(0, 40, size=(10, 40)))


@pytest.mark.parametrize("name", ["poldem_sem", "mediation_observed"])
@pytest.mark.slow
def test_one_and_two_jobs_give_identical_results(name):
    case = load_case(name)
    one = bootstrap_sem(case["model"], case["data"], draws=600, seed=9, n_jobs=1)
    two = bootstrap_sem(case["model"], case["data"], draws=600, seed=9, n_jobs=2)
    assert np.array_equal(one.replicates, two.replicates, equal_nan=True)
    assert one.defined == two.defined and one.indirect == two.indirect


@pytest.mark.slow
def test_progress_is_reported_per_block_up_to_the_total(poldem):
    calls: list[tuple[int, int]] = []
    bootstrap_sem(poldem["model"], poldem["data"], draws=600, seed=1, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (600, 600)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls) and len(calls) == 3


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_ctrl_c_propagates_and_leaves_no_worker_behind(poldem, n_jobs):
    def interrupt(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        bootstrap_sem(poldem["model"], poldem["data"], draws=1000, seed=1, n_jobs=n_jobs, progress=interrupt)
    assert multiprocessing.active_children() == []


def _rare_binary_x(seed: int = 4, n: int = 60, ones: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    x[:ones] = 1.0
    m = 0.8 * x + rng.standard_normal(n)
    y = 0.5 * m + rng.standard_normal(n)
    return pd.DataFrame({"X": x, "M": m, "Y": y})


@pytest.mark.parametrize("rule", ["nonconverged", "improper"])
def test_draws_without_variance_in_x_fail_are_counted_and_kept_as_nan(rule):
    data = _rare_binary_x()
    res = bootstrap_sem(MEDIATION, data, draws=1000, seed=2, failed_rule=rule)
    idx = bt.resample_indices(len(data), 1000, seed=2)
    constant = np.flatnonzero(data["X"].to_numpy()[idx].std(axis=1) == 0)
    assert constant.size > 10  # the case does produce failures
    assert res.failed == constant.size and res.failed_draws == tuple(constant.tolist())
    assert np.isnan(res.replicates[constant]).all()
    assert np.isfinite(np.delete(res.replicates, constant, axis=0)).all()
    # the intervals rest on the successful draws only, and say how many there were
    ab = np.delete(res.replicates[:, res.columns.index("ab")], constant)
    assert (res.defined[0].ci_lower, res.defined[0].ci_upper) == bt.percentile_interval(ab)
    assert res.successful == 1000 - constant.size
    out = res.to_dict()
    assert out["failed"] == constant.size and "numerical error" in out["failed_rule"]


def _heywood_prone_cfa(seed: int = 11, n: int = 40) -> pd.DataFrame:
    """A small sample of a weakly measured factor: resamples often give negative variances."""
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(n)
    loadings = np.array([0.9, 0.35, 0.3])
    x = f[:, None] * loadings + rng.standard_normal((n, 3)) * np.sqrt(1 - loadings**2)
    return pd.DataFrame(x, columns=["x1", "x2", "x3"])


@pytest.mark.slow
def test_improper_draws_are_counted_and_fail_only_under_the_improper_rule():
    data = _heywood_prone_cfa()
    model = "f =~ x1 + x2 + x3"
    kept = bootstrap_sem(model, data, draws=100, seed=3, failed_rule="nonconverged")
    dropped = bootstrap_sem(model, data, draws=100, seed=3, failed_rule="improper")
    assert kept.improper == dropped.improper > 0
    assert dropped.failed == kept.failed + kept.improper
    assert set(kept.failed_draws) < set(dropped.failed_draws)
    improper_rows = np.array(sorted(set(dropped.failed_draws) - set(kept.failed_draws)))
    assert np.isnan(dropped.replicates[improper_rows]).all()
    # the kept improper draws are real solutions with a negative variance
    var_cols = [i for i, p in enumerate(kept.parameters) if p.op == "~~" and p.lhs == p.rhs]
    assert np.all((kept.replicates[improper_rows][:, var_cols] < 0).any(axis=1))
    assert np.isnan(kept.replicates[list(kept.failed_draws)]).all()
    assert "improper" in dropped.failed_rule and "kept" in kept.failed_rule
    assert any("failed" in note for note in dropped.notes)


def test_to_dict_has_the_contract_keys_and_is_valid_json():
    data = simulate_mediation(np.random.default_rng(1), 200, 0.4, 0.4, 0.1)
    res = bootstrap_sem(MEDIATION, data, draws=200, seed=1, monte_carlo=2000, sobel=True)
    out = res.to_dict()
    assert {"draws", "seed", "ci", "failed", "seconds", "defined", "indirect", "failed_rule",
            "parameters", "monte_carlo", "sobel"} == set(out)
    assert set(out["defined"][0]) == {"label", "est", "boot_se", "ci_lower", "ci_upper"}
    assert set(out["indirect"][0]) == {"from", "to", "path", "est", "std_est", "boot_se", "ci_lower", "ci_upper"}
    assert set(out["parameters"][0]) == {"lhs", "op", "rhs", "boot_se"}
    json.loads(json.dumps(out, allow_nan=False))
    assert out["seed"] == 1 and out["ci"] == "percentile"
    frame = res.to_frame()
    assert list(frame.columns)[:5] == ["section", "label", "from", "to", "path"] and len(frame) == 1 + 4


def test_nan_becomes_none_in_json():
    data = _rare_binary_x()
    res = bootstrap_sem("M ~ X\nY ~ M", data, draws=50, seed=1, failed_rule="improper")
    text = json.dumps(res.to_dict(), allow_nan=False)
    assert "NaN" not in text


def test_no_seed_draws_one_and_records_it():
    data = simulate_mediation(np.random.default_rng(2), 100, 0.3, 0.3, 0.0)
    res = bootstrap_sem(MEDIATION, data, draws=50)
    again = bootstrap_sem(MEDIATION, data, draws=50, seed=res.seed)
    assert isinstance(res.seed, int) and res.defined == again.defined


@pytest.mark.parametrize("kwargs,match", [
    ({"ci": "bca"}, "ci must be one of"),
    ({"failed_rule": "any"}, "failed_rule must be one of"),
    ({"draws": 0}, "draws must be a positive"),
    ({"n_jobs": 0}, "n_jobs must be at least 1"),
    ({"level": 95}, "level must be"),
    ({"seed": 1.5}, "seed must be"),
])
def test_bad_arguments_are_named(kwargs, match):
    data = simulate_mediation(np.random.default_rng(2), 100, 0.3, 0.3, 0.0)
    with pytest.raises(SpecError, match=match):
        bootstrap_sem(MEDIATION, data, **{"draws": 20, "seed": 1, **kwargs})


def test_interval_functions_follow_lavaan_definitions():
    t = np.random.default_rng(0).normal(size=999)
    lo, hi = bt.percentile_interval(t, 0.9)
    s = np.sort(t)  # (R + 1) * 0.05 = 50 is an integer: plain order statistics
    assert (lo, hi) == (s[49], s[949])
    # bias correction moves both ends the same way as the estimate sits off the median
    blo, bhi = bt.bias_corrected_interval(t, float(np.median(t)) + 0.2, 0.9)
    assert blo > lo and bhi > hi
    assert bt.boot_se(t, ddof=0) == pytest.approx(np.std(t))


def test_resample_moments_equal_moments_of_the_resampled_rows():
    from semxhs.resample.sem import ResampleMoments

    x = np.random.default_rng(0).normal(size=(50, 4)) + 100.0  # far from 0: centering keeps precision
    idx = bt.resample_indices(50, 7, seed=1)
    mom = ResampleMoments(x)(idx)
    for b in range(7):
        rows = x[idx[b]]
        np.testing.assert_allclose(mom.cov[b], np.cov(rows.T, bias=True), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(mom.mean[b], rows.mean(axis=0), rtol=1e-12)


def _failing_statistic(block):
    raise ZeroDivisionError("a statistic that fails")


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_an_error_in_the_statistic_reaches_the_caller_and_leaves_no_worker(n_jobs):
    with pytest.raises(ZeroDivisionError, match="a statistic that fails"):
        bt.run_replicates(_failing_statistic, bt.resample_indices(10, 1000, seed=1), n_jobs=n_jobs)
    assert multiprocessing.active_children() == []


def _slow_mean(block):
    import time

    time.sleep(0.02)
    return bt.BlockResult(block.mean(axis=1, keepdims=True).astype(float), np.zeros(len(block), int))


def test_repeated_ctrl_c_with_two_workers_never_hangs():
    """The shutdown path that once deadlocked in Pool.terminate, hit after every block."""
    indices = bt.resample_indices(20, 2000, seed=1)
    for stop_at in range(1, 8):
        calls = []

        def interrupt(done, total, calls=calls, stop_at=stop_at):
            calls.append(done)
            if len(calls) == stop_at:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            bt.run_replicates(_slow_mean, indices, n_jobs=2, progress=interrupt)
        assert multiprocessing.active_children() == []
    assert len(bt.run_replicates(_slow_mean, indices, n_jobs=2).values) == 2000

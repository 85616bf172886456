"""Reference tests: the SEM bootstrap against lavaan 0.6-14 (numbers computed in R).

Two kinds (see tests/fixtures/bootstrap/README.md):

1. lavaan's own bootstrap (``se = "bootstrap"``; R's random numbers, so Monte Carlo error on
   both sides). Tolerances: every interval end within ``0.05 * sqrt(5000 / draws)`` of the
   lavaan interval's width (5% at 5000 draws, as /work/shared/reference/README.md states;
   Monte Carlo error of a quantile grows as ``1 / sqrt(draws)``, so 7.9% at 2000 draws), and
   the bootstrap SE within 5%.
2. lavaan refitted on *our* resamples (no Monte Carlo error): per-draw estimates within 1e-3 of
   each parameter's bootstrap SD (lavaan stops at a looser tolerance than we do), and the
   intervals (lavaan's ``norm.inter`` arithmetic) within 1e-3 of their width.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from semxhs.resample.sem import bootstrap_sem
from tests.bootstrap.sem_bootstrap_helpers import load_case

pytestmark = pytest.mark.slow  # more than a few seconds (the quick loop: -m "not slow")

LAVAAN_RUNS = [("mediation_observed", 12), ("poldem_sem", 11)]


@pytest.fixture(scope="module", params=LAVAAN_RUNS, ids=lambda p: p[0])
def lavaan_run(request):
    name, seed = request.param
    case = load_case(name)
    draws = case["ref"]["bootstrap"]["draws"]
    case["ours"] = {ci: bootstrap_sem(case["model"], case["data"], draws=draws, seed=seed, ci=ci)
                    for ci in ("percentile", "bc")}
    return case


@pytest.mark.reference
@pytest.mark.parametrize("ci,prefix", [("percentile", "perc"), ("bc", "bc")])
def test_intervals_agree_with_lavaan_bootstrap(lavaan_run, ci, prefix):
    ref = lavaan_run["ref"]["bootstrap"]
    ours = {d.label: d for d in lavaan_run["ours"][ci].defined}
    share = 0.05 * math.sqrt(5000 / ref["draws"])
    for row in ref["defined"]:
        got = ours[row["label"]]
        width = row[f"{prefix}_upper"] - row[f"{prefix}_lower"]
        assert got.est == pytest.approx(row["est"], rel=1e-5)
        assert abs(got.ci_lower - row[f"{prefix}_lower"]) <= share * width, row["label"]
        assert abs(got.ci_upper - row[f"{prefix}_upper"]) <= share * width, row["label"]


@pytest.mark.reference
def test_boot_se_agrees_with_lavaan_bootstrap(lavaan_run):
    ours = {d.label: d for d in lavaan_run["ours"]["percentile"].defined}
    for row in lavaan_run["ref"]["bootstrap"]["defined"]:
        assert ours[row["label"]].boot_se == pytest.approx(row["boot_se"], rel=0.05), row["label"]


@pytest.mark.reference
def test_lavaan_runs_report_no_failed_draws(lavaan_run):
    res = lavaan_run["ours"]["percentile"]
    assert res.failed == 0 and res.successful == res.draws
    assert res.to_dict()["draws"] == lavaan_run["ref"]["bootstrap"]["draws"]


@pytest.fixture(scope="module", params=["mediation_observed", "poldem_sem"])
def replayed(request):
    case = load_case(request.param)
    case["ours"] = {ci: bootstrap_sem(case["model"], case["data"], indices=case["indices"], ci=ci)
                    for ci in ("percentile", "bc")}
    return case


@pytest.mark.reference
def test_per_draw_estimates_equal_lavaan_on_the_same_resamples(replayed):
    res, ref = replayed["ours"]["percentile"], replayed["resamples"]
    assert all(ref["converged"])
    names = [f"{p.lhs} {p.op} {p.rhs}" for p in res.parameters]
    assert names == ref["free_names"]
    lav = np.array(ref["free"])
    ours = res.replicates[:, : len(names)]
    scale = lav.std(axis=0)
    assert np.all(np.abs(ours - lav) <= 1e-3 * scale)
    q = len(names)
    lav_def = np.array(ref["defined"])
    assert np.all(np.abs(res.replicates[:, q:q + lav_def.shape[1]] - lav_def) <= 1e-3 * lav_def.std(axis=0))


@pytest.mark.reference
@pytest.mark.parametrize("ci,prefix", [("percentile", "perc"), ("bc", "bc")])
def test_intervals_equal_lavaan_arithmetic_on_the_same_resamples(replayed, ci, prefix):
    ours = {d.label: d for d in replayed["ours"][ci].defined}
    for row in replayed["resamples"]["intervals"]:
        got = ours[row["label"]]
        width = row[f"{prefix}_upper"] - row[f"{prefix}_lower"]
        assert abs(got.ci_lower - row[f"{prefix}_lower"]) <= 1e-3 * width
        assert abs(got.ci_upper - row[f"{prefix}_upper"]) <= 1e-3 * width
        # lavaan's SE of a defined parameter is R's sd (divisor R - 1)
        assert got.boot_se == pytest.approx(row["boot_se"], rel=1e-3)

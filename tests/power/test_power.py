"""semxhs power: recovery tests (known analytic power, zero paths at alpha, no bias), identical numbers
serially and on a local Dask cluster, and one clear line for every bad input."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from semxhs.errors import SpecError
from semxhs.power.analytic import rmsea_power, wald_power
from semxhs.power.design import PowerDesign, design_truth, exact_sample
from semxhs.power.engine import run_power
from semxhs.power.nonnormal import vale_maurelli

pytestmark = pytest.mark.slow  # more than a few seconds (the quick loop: -m "not slow")

POPULATION = "y ~ 0.25*x + 0*w"
ANALYSIS = "y ~ x + w"


def _mc_tolerance(p: float, reps: int) -> float:
    """3.5 Monte Carlo standard errors of a proportion."""
    return 3.5 * math.sqrt(max(p * (1 - p), 0.01) / reps)


@pytest.mark.recovery
def test_power_of_a_path_matches_the_normal_theory_value_and_a_zero_path_is_alpha() -> None:
    reps = 400
    res = run_power(PowerDesign(POPULATION, ANALYSIS, ns=(60, 120), reps=reps, seed=11))
    for n in (60, 120):
        path = next(r for r in res.rows if r.n == n and r.rhs == "x")
        null = next(r for r in res.rows if r.n == n and r.rhs == "w")
        # standardized population: var(x) = 1, residual variance 1 - .25^2; SE of b ~ sqrt(resid / n)
        expected = wald_power(0.25, math.sqrt((1 - 0.25**2) / n))
        assert abs(path.power - expected) < _mc_tolerance(expected, reps)
        assert abs(null.power - 0.05) < _mc_tolerance(0.05, reps)
        assert path.converged == 1.0 and path.reps == reps
        # unbiased ML: mean estimate within MC error of the truth
        assert abs(path.bias) < 3.5 * math.sqrt((1 - 0.25**2) / n) / math.sqrt(reps)
        assert abs(path.coverage - 0.95) < _mc_tolerance(0.95, reps)


@pytest.mark.recovery
def test_latent_mediation_truths_and_unbiased_indirect_effect() -> None:
    pop = ("X =~ 0.8*x1 + 0.7*x2 + 0.6*x3\nM =~ 0.8*m1 + 0.7*m2 + 0.6*m3\nY =~ 0.8*y1 + 0.7*y2 + 0.6*y3\n"
           "M ~ 0.4*X\nY ~ 0.4*M + 0.1*X")
    ana = "X =~ x1 + x2 + x3\nM =~ m1 + m2 + m3\nY =~ y1 + y2 + y3\nM ~ a*X\nY ~ b*M + X\nab := a*b"
    truth = design_truth(PowerDesign(pop, ana, ns=(200,), reps=1, seed=1))
    values = {t.key: t.true for t in truth.targets}
    # marker scaling with equal first loadings keeps the standardized paths
    assert values["M ~ X"] == pytest.approx(0.4, abs=1e-6)
    assert values["ab"] == pytest.approx(0.16, abs=1e-6)
    res = run_power(PowerDesign(pop, ana, ns=(250,), reps=150, seed=5))
    ab = next(r for r in res.rows if r.label == "ab")
    assert abs(ab.bias) < 0.02 and ab.power > 0.8 and ab.coverage > 0.85


def test_same_numbers_serially_and_on_a_local_dask_cluster() -> None:
    distributed = pytest.importorskip("distributed")
    design = PowerDesign(POPULATION, ANALYSIS, ns=(50, 80), reps=12, seed=3)
    serial = run_power(design)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None, silence_logs=50)
    try:
        remote = run_power(design, scheduler=cluster.scheduler_address, chunk=5)
    finally:
        cluster.close()
    assert remote.rows == serial.rows
    assert remote.scheduler == cluster.scheduler_address


def test_exact_sample_has_the_population_moments() -> None:
    cov = np.array([[2.0, 0.5, 0.1], [0.5, 1.0, 0.3], [0.1, 0.3, 1.5]])
    x = exact_sample(cov, 40, seed=2)
    assert np.allclose(x.T @ x / 40, cov) and np.allclose(x.mean(axis=0), 0)


def test_nonnormal_data_keep_the_covariance() -> None:
    cov = np.array([[1.0, 0.4], [0.4, 1.0]])
    x = vale_maurelli(cov, 100_000, np.random.default_rng(4), 2.0, 7.0)
    assert abs(np.corrcoef(x.T)[0, 1] - 0.4) < 0.02
    from scipy import stats

    assert abs(stats.skew(x[:, 0]) - 2.0) < 0.2


def test_rmsea_power_rises_with_n() -> None:
    values = [rmsea_power(n, 24, 0.05, 0.08) for n in (100, 200, 400)]
    assert values == sorted(values) and values[-1] > 0.8


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"reps": 0}, "--reps must be at least 1"),
    ({"ns": (2,)}, "--n needs sample sizes of at least 3"),
    ({"alpha": 1.5}, "--alpha must lie between 0 and 1"),
    ({"ci": "percentile"}, "--ci percentile needs --bootstrap B"),
    ({"ci": "montecarlo", "missing": 0.05}, "with --missing use --ci wald"),
])
def test_bad_designs_are_refused(kwargs: dict, message: str) -> None:
    base = {"population": POPULATION, "analysis": ANALYSIS, "ns": (100,), "reps": 5, "seed": 1}
    with pytest.raises(SpecError, match=message):
        design_truth(PowerDesign(**{**base, **kwargs}))


def test_bad_models_are_refused() -> None:
    with pytest.raises(SpecError, match="population model: give every loading and path a value"):
        design_truth(PowerDesign("y ~ x", ANALYSIS, (100,), 5, 1))
    with pytest.raises(SpecError, match="does not generate"):
        design_truth(PowerDesign(POPULATION, "y ~ x + z", (100,), 5, 1))
    with pytest.raises(SpecError, match="not positive definite|more than all"):
        design_truth(PowerDesign("y ~ 1.5*x + 1.5*w\nw ~ 0.9*x", ANALYSIS, (100,), 5, 1))


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "semxhs", "power", *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)


def test_cli_writes_json_and_html(tmp_path: Path) -> None:
    (tmp_path / "pop.lav").write_text(POPULATION)
    (tmp_path / "ana.lav").write_text(ANALYSIS)
    out = _cli(tmp_path, "pop.lav", "--model", "ana.lav", "--n", "40,80", "--reps", "8", "--workers", "1",
               "--json", "p.json", "--html", "p.html", "--no-progress")
    assert out.returncode == 0, out.stderr
    doc = json.loads((tmp_path / "p.json").read_text())
    assert {r["n"] for r in doc["power"]} == {40, 80}
    assert set(doc["power"][0]) >= {"n", "lhs", "op", "rhs", "label", "power", "bias", "coverage", "converged",
                                    "reps"}
    assert "min_n_80" in doc and len(doc["rmsea_power"]) == 2
    html = (tmp_path / "p.html").read_text()
    assert "<svg" in html and "Power" in html


@pytest.mark.parametrize("args", [
    ("pop.lav", "--model", "ana.lav", "--n", "100", "--reps", "0"),
    ("ana.lav", "--model", "ana.lav", "--n", "100", "--reps", "5"),
    ("pop.lav", "--model", "bad.lav", "--n", "100", "--reps", "5"),
    ("pop.lav", "--model", "ana.lav", "--n", "abc", "--reps", "5"),
    ("pop.lav", "--model", "ana.lav", "--n", "100", "--reps", "5", "--scheduler", "tcp://127.0.0.1:9"),
    ("pop.lav", "--model", "ana.lav", "--n", "100", "--reps", "5", "--json", "pop.lav"),
], ids=["reps0", "free-population", "unknown-variables", "bad-n", "unreachable-scheduler", "overwrite-input"])
def test_cli_bad_input_is_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    (tmp_path / "pop.lav").write_text(POPULATION)
    (tmp_path / "ana.lav").write_text(ANALYSIS)
    (tmp_path / "bad.lav").write_text("y ~ x + nothere")
    before = sorted(p.name for p in tmp_path.iterdir())
    out = _cli(tmp_path, *args, "--no-progress")
    assert out.returncode == 2, out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("semxhs: error:"), out.stderr
    assert "Traceback" not in out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "pop.lav").read_text() == POPULATION


def test_power_curve_labels_are_drawn_as_written() -> None:
    from semxhs.report.figures.power_plot import power_curve_svg

    svg = power_curve_svg([100, 200], [("ind_1$a", [0.4, 0.8])])
    assert "ind_1$a" in svg and "\\_" not in svg

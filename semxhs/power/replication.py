"""One replication: draw a data set from the population, fit the analysis model, judge every target."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from semxhs.errors import SemxhsError
from semxhs.power.design import PowerDesign, Truth
from semxhs.power.nonnormal import vale_maurelli
from semxhs.sem.model import fit

__all__ = ["Outcome", "draw_data", "draw_values", "run_replication"]


@dataclass(frozen=True)
class Outcome:
    """What one replication gave: per target (in ``Truth.targets`` order) the estimate, whether
    it was significant and whether its interval covered the true value; NaN/False when the fit failed."""

    n: int
    replication: int
    converged: bool
    improper: bool
    est: tuple[float, ...]
    significant: tuple[bool, ...]
    covered: tuple[bool, ...]


def draw_values(design: PowerDesign, truth: Truth, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` rows from the population (columns in ``truth.names`` order): normal, or Vale-Maurelli
    non-normal; MCAR cells set missing. The one place a replication's data are drawn."""
    if design.skew or design.kurtosis:
        values = vale_maurelli(truth.cov, n, rng, design.skew, design.kurtosis)
    else:
        values = rng.multivariate_normal(np.zeros(len(truth.names)), truth.cov, size=n, method="cholesky")
    if design.missing > 0:
        values[rng.random(values.shape) < design.missing] = np.nan
    return values


def draw_data(design: PowerDesign, truth: Truth, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """:func:`draw_values` as a data frame named by the population's observed variables."""
    return pd.DataFrame(draw_values(design, truth, n, rng), columns=list(truth.names))


def _failed(n: int, replication: int, k: int) -> Outcome:
    return Outcome(n, replication, False, False, (math.nan,) * k, (False,) * k, (False,) * k)


def run_replication(design: PowerDesign, truth: Truth, n: int, replication: int,
                    seed: np.random.SeedSequence) -> Outcome:
    """Simulate, fit and judge one replication (never raises for a failed fit: it is counted).

    Regression paths are judged by their Wald test (p < alpha) and interval; ``:=`` effects
    by the design's ``ci`` (Wald/delta method, Monte Carlo, or bootstrap percentile/bc):
    significant when the 1 − alpha interval excludes 0.
    """
    rng = np.random.default_rng(seed)
    frame = draw_data(design, truth, n, rng)
    k = len(truth.targets)
    level = 1 - design.alpha
    try:
        res = fit(design.analysis, frame, missing="fiml" if design.missing > 0 else "listwise", level=level)
    except SemxhsError:
        return _failed(n, replication, k)
    if not res.converged:
        return _failed(n, replication, k)
    intervals: dict[str, tuple[float, float]] = {}
    if design.ci != "wald" and any(t.op == ":=" for t in truth.targets):
        try:
            if design.ci == "montecarlo":
                from semxhs.resample.sem import monte_carlo_sem

                mc = monte_carlo_sem(design.analysis, frame, draws=design.mc_draws, seed=rng, level=level)
                intervals = {r.name: (r.ci_lower, r.ci_upper) for r in mc.rows}
            else:
                from semxhs.resample.sem import bootstrap_sem

                boot = bootstrap_sem(design.analysis, frame, draws=design.bootstrap, seed=rng, ci=design.ci,
                                     level=level)
                intervals = {d.label: (d.ci_lower, d.ci_upper) for d in boot.defined}
        except SemxhsError:
            return _failed(n, replication, k)
    est, significant, covered = [], [], []
    for t in truth.targets:
        p = res.parameter(t.label, ":=") if t.op == ":=" else res.parameter(t.lhs, t.op, t.rhs)
        if t.op == ":=" and design.ci != "wald":
            lo, hi = intervals.get(t.label, (math.nan, math.nan))
            sig = bool(lo > 0 or hi < 0)
        else:
            lo, hi = p.ci_lower, p.ci_upper
            sig = p.pvalue is not None and p.pvalue < design.alpha
        est.append(float(p.est))
        significant.append(bool(sig))
        covered.append(bool(lo <= t.true <= hi))
    return Outcome(n, replication, True, bool(res.improper), tuple(est), tuple(significant), tuple(covered))

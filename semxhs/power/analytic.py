"""Analytic power: RMSEA tests of the whole model and the Wald test of one coefficient (pure formulas)."""

from __future__ import annotations

import math

from scipy import stats

__all__ = ["rmsea_power", "wald_power"]


def rmsea_power(n: int, df: int, rmsea0: float, rmsea_a: float, alpha: float = 0.05) -> float:
    """Power of the RMSEA test of H0: ε = ``rmsea0`` against Ha: ε = ``rmsea_a`` (MacCallum, Browne & Sugawara, 1996).

    Under each hypothesis the test statistic is non-central χ² with ``df`` degrees of
    freedom and non-centrality λ = (N − 1)·df·ε². For a test of close fit (ε0 = .05,
    εa = .08) H0 is rejected in the upper tail; for a test of not-close fit (ε0 = .05,
    εa = .01) in the lower tail.

    Examples
    --------
    >>> round(rmsea_power(200, 50, 0.05, 0.08), 3)   # R: 1 - pchisq(qchisq(.95, 50, ncp = l0), 50, ncp = la)
    0.769
    >>> round(rmsea_power(200, 50, 0.05, 0.01), 3)   # R: pchisq(qchisq(.05, 50, ncp = l0), 50, ncp = la)
    0.608
    """
    if n < 2 or df < 1:
        return math.nan
    lam0 = (n - 1) * df * rmsea0**2
    lam_a = (n - 1) * df * rmsea_a**2
    if rmsea_a > rmsea0:
        crit = stats.ncx2.ppf(1 - alpha, df, lam0)
        return float(stats.ncx2.sf(crit, df, lam_a))
    crit = stats.ncx2.ppf(alpha, df, lam0)
    return float(stats.ncx2.cdf(crit, df, lam_a))


def wald_power(effect: float, se: float, alpha: float = 0.05) -> float:
    """Power of the two-sided Wald z test of a coefficient whose sampling SD is ``se``.

    Examples
    --------
    >>> round(wald_power(0.2, 0.1), 3)
    0.516
    >>> round(wald_power(0.0, 0.1), 3)
    0.05
    """
    z = stats.norm.ppf(1 - alpha / 2)
    shift = effect / se
    return float(stats.norm.sf(z - shift) + stats.norm.cdf(-z - shift))

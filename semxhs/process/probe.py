"""Probing interactions: moderator values, conditional effects and Johnson-Neyman points.

Pure functions of numbers. A conditional effect is a linear combination ``g'b`` of an
equation's coefficients, where ``g`` holds, for every term containing the focal
predictor, the product of the term's other variables at the chosen moderator values
(:func:`effect_gradient`); its standard error is ``sqrt(g'Vg)`` (Hayes, 2022, ch. 7).

References
----------
Hayes, A. F., & Matthes, J. (2009). Computational procedures for probing interactions in
OLS and logistic regression: SPSS and SAS implementations. *Behavior Research Methods,
41*, 924-936.

Hyndman, R. J., & Fan, Y. (1996). Sample quantiles in statistical packages. *The American
Statistician, 50*, 361-365 (definition 6, R's ``quantile(type = 6)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from semxhs.errors import SpecError

#: Percentiles PROCESS probes a continuous moderator at.
PROBE_PERCENTILES = (16.0, 50.0, 84.0)


def is_dichotomous(values: np.ndarray) -> bool:
    """Whether a variable takes exactly two distinct values.

    Examples
    --------
    >>> is_dichotomous(np.array([0.0, 1.0, 1.0])), is_dichotomous(np.array([1.0, 2.0, 3.0]))
    (True, False)
    """
    return np.unique(values).size == 2


def probe_values(values: np.ndarray, how: str = "percentiles") -> np.ndarray:
    """Values of a moderator at which to probe an interaction.

    A dichotomous moderator is probed at its two values. A continuous one at the
    16th, 50th and 84th percentiles (``how="percentiles"``; Hyndman-Fan definition 6,
    R's ``quantile(type=6)``, numpy's ``method="weibull"``), or at the mean and one
    standard deviation (``ddof=1``) either side (``how="moments"``); as in PROCESS, a
    value beyond the observed range is replaced by the minimum or maximum.

    Examples
    --------
    >>> v = np.arange(1.0, 11.0)
    >>> probe_values(v)
    array([1.76, 5.5 , 9.24])
    >>> np.round(probe_values(v, "moments"), 4)
    array([2.4723, 5.5   , 8.5277])
    >>> probe_values(np.array([0.0, 1.0, 0.0]))
    array([0., 1.])
    """
    values = np.asarray(values, dtype=float)
    if is_dichotomous(values):
        return np.unique(values)
    if how == "percentiles":
        return np.percentile(values, PROBE_PERCENTILES, method="weibull")
    if how == "moments":
        mean, sd = values.mean(), values.std(ddof=1)
        return np.clip(np.array([mean - sd, mean, mean + sd]), values.min(), values.max())
    raise SpecError(f"probe: must be 'percentiles' or 'moments', received {how!r}")


def effect_gradient(terms: Sequence[Sequence[str]], focal: Sequence[str],
                    values: Mapping[str, float]) -> np.ndarray:
    """Weights ``g`` of the coefficients in the conditional effect of ``focal``.

    ``terms`` lists an equation's columns as tuples of variable names (``()`` is the
    intercept). A term containing every variable of ``focal`` gets the product of its
    other variables' values; other terms get 0.

    Examples
    --------
    >>> effect_gradient([(), ("X",), ("W",), ("X", "W")], ("X",), {"W": 2.5})
    array([0. , 1. , 0. , 2.5])
    """
    focal_set = set(focal)
    g = np.zeros(len(terms))
    for j, term in enumerate(terms):
        if term and focal_set <= set(term):
            rest = [v for v in term if v not in focal_set]
            g[j] = float(np.prod([values[v] for v in rest])) if rest else 1.0
    return g


@dataclass(frozen=True)
class LinearEffect:
    """A linear combination of coefficients with its t-based inference."""

    effect: float
    se: float
    t: float
    pvalue: float
    ci_lower: float
    ci_upper: float


def linear_effect(params: np.ndarray, cov: np.ndarray, g: np.ndarray, df: int,
                  conf: float = 0.95) -> LinearEffect:
    """Estimate, SE, t, p and CI of ``g'b``; SE ``sqrt(g'Vg)``, t with ``df`` degrees of freedom.

    Examples
    --------
    >>> e = linear_effect(np.array([1.0, 2.0]), np.diag([0.04, 0.01]), np.array([0.0, 1.0]), 100)
    >>> round(e.effect, 3), round(e.se, 3), round(e.t, 3)
    (2.0, 0.1, 20.0)
    """
    est = float(g @ params)
    se = float(np.sqrt(g @ cov @ g))
    t = est / se
    crit = float(stats.t.ppf(0.5 + conf / 2.0, df))
    return LinearEffect(est, se, t, float(2.0 * stats.t.sf(abs(t), df)), est - crit * se, est + crit * se)


def jn_roots(b1: float, b3: float, v11: float, v13: float, v33: float, crit: float) -> np.ndarray:
    """Moderator values where the CI of ``b1 + b3 w`` has an end at 0 (Johnson-Neyman).

    Solves ``(b1 + b3 w)^2 = crit^2 (v11 + 2 w v13 + w^2 v33)`` for ``w``
    (Hayes & Matthes, 2009), the quadratic
    ``(b3^2 - c^2 v33) w^2 + 2 (b1 b3 - c^2 v13) w + (b1^2 - c^2 v11) = 0``.

    Returns
    -------
    ndarray
        The real roots, ascending (zero, one or two of them).

    Examples
    --------
    >>> jn_roots(0.0, 1.0, 1.0, 0.0, 0.0, 2.0)
    array([-2.,  2.])
    """
    c2 = crit * crit
    a = b3 * b3 - c2 * v33
    b = 2.0 * (b1 * b3 - c2 * v13)
    c = b1 * b1 - c2 * v11
    scale = max(abs(a), abs(b), abs(c), np.finfo(float).tiny)
    if abs(a) <= 1e-14 * scale:
        return np.array([-c / b]) if b != 0 else np.array([])
    disc = b * b - 4.0 * a * c
    if disc < 0:
        return np.array([])
    root = np.sqrt(disc)
    return np.sort(np.array([(-b - root) / (2.0 * a), (-b + root) / (2.0 * a)]))


def jn_points(roots: np.ndarray, lower: float, upper: float) -> np.ndarray:
    """The Johnson-Neyman roots that lie within the moderator's observed range.

    Examples
    --------
    >>> jn_points(np.array([0.39, 3.3]), 1.1, 7.0)
    array([3.3])
    """
    roots = np.asarray(roots, dtype=float)
    return roots[(roots >= lower) & (roots <= upper)]


def range_grid(lower: float, upper: float, points: int = 21,
               extra: Sequence[float] | np.ndarray = ()) -> np.ndarray:
    """Equally spaced moderator values across ``[lower, upper]`` plus ``extra`` values, sorted.

    Examples
    --------
    >>> range_grid(0.0, 1.0, 3, extra=[0.25])
    array([0.  , 0.25, 0.5 , 1.  ])
    """
    grid = np.linspace(lower, upper, points)
    return np.unique(np.concatenate([grid, np.asarray(extra, dtype=float)]))

"""Simulate questionnaire data from a population model written in lavaan syntax.

The population model fixes every loading and path to its population value
(``TR =~ 0.80*TR1 + ...``, ``TR ~ 0.50*PI``). With ``standardized=True`` every variable
gets unit variance: exogenous factors have variance 1, and residual variances are set to
1 minus the variance the model explains (so a loading of .80 is a standardized loading
of .80). Continuous scores are drawn from the implied multivariate normal distribution
with a seeded :class:`numpy.random.Generator` and, for Likert items, cut into categories
at fixed thresholds (Likert data in this field lean towards agreement).

Recovery tests and the demo study use this module.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from semxhs.errors import SpecError
from semxhs.sem.ram import RamStructure
from semxhs.sem.partable import build_partable

#: Thresholds on the standard-normal scale cutting scores into 7 categories, leaning to
#: "agree" as Likert answers in consumer surveys do (category shares about
#: 2%, 6%, 13%, 21%, 27%, 21%, 10%).
LIKERT7_THRESHOLDS = (-2.05, -1.4, -0.8, -0.2, 0.5, 1.3)


def population_covariance(model: str, standardized: bool = True) -> tuple[np.ndarray, tuple[str, ...]]:
    """Implied covariance matrix of the observed variables of a fully fixed population model.

    Parameters
    ----------
    model : str
        lavaan syntax whose loadings and paths are all fixed numbers; covariances that
        lavaan would add by itself (between exogenous factors, between outcomes) are 0
        unless written with a value (``PI ~~ 0.3*EW``).
    standardized : bool
        Give every variable unit variance (residual variances = 1 - explained variance).

    Returns
    -------
    covariance : numpy.ndarray
    names : tuple of str
        The observed variables, in the order of the matrix.

    Examples
    --------
    >>> cov, names = population_covariance("f =~ 0.8*a + 0.6*b")
    >>> names, round(float(cov[0, 1]), 2)
    (('a', 'b'), 0.48)
    """
    pt = build_partable(model)
    free_paths = [f"{p.lhs} {p.op} {p.rhs}" for p in pt.params
                  if p.free and p.op in ("=~", "~")]
    if free_paths:
        raise SpecError(f"population model: give every loading and path a value, e.g. 0.7*x; free: {free_paths[0]}")
    structure = RamStructure(pt)
    A, S, _ = structure.matrices(np.zeros(structure.q))
    # fixed.x covariates are plain exogenous variables in a population model
    for name in pt.exogenous_observed:
        i = structure.index[name]
        S[i, i] = 1.0
    for p in pt.params:
        # covariances lavaan would add by itself are zero in a population model
        if p.op == "~~" and p.free and p.lhs != p.rhs and p.user:
            raise SpecError(f"population model: give the covariance {p.lhs} ~~ {p.rhs} a value")
    eye = np.eye(structure.m)
    B = np.linalg.inv(eye - A)
    if standardized:
        fixed_var = {structure.index[p.lhs] for p in pt.params
                     if p.op == "~~" and p.lhs == p.rhs and not p.free and not p.exo and p.user}
        for _ in range(structure.m + 1):
            C = B @ S @ B.T
            for i in range(structure.m):
                if i in fixed_var:
                    continue
                explained = C[i, i] - S[i, i]
                S[i, i] = 1.0 - explained
        if np.any(np.diag(S) < 0):
            raise SpecError("population model: paths explain more than all of a variable's variance")
    C = B @ S @ B.T
    p = structure.p
    return C[:p, :p], pt.observed


def simulate(model: str, n: int, seed: int | np.random.Generator, standardized: bool = True,
             likert: int | None = None, thresholds: tuple[float, ...] | None = None) -> pd.DataFrame:
    """Draw ``n`` respondents from a population model.

    Parameters
    ----------
    model : str
        Population model (see :func:`population_covariance`).
    n : int
        Number of respondents.
    seed : int or numpy.random.Generator
        Seed; the same seed gives the same data on every machine.
    standardized : bool
        Unit-variance population (see :func:`population_covariance`).
    likert : int, optional
        Cut the scores into 1..``likert`` categories (7 uses :data:`LIKERT7_THRESHOLDS`,
        other sizes equally spaced normal quantiles) unless ``thresholds`` are given.
    thresholds : tuple of float, optional
        Increasing cut points on the standard-normal scale (``likert - 1`` of them).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> df = simulate("f =~ 0.8*a + 0.7*b + 0.6*c", n=5, seed=1, likert=7)
    >>> list(df.columns), int(df.to_numpy().min()) >= 1, int(df.to_numpy().max()) <= 7
    (['a', 'b', 'c'], True, True)
    """
    cov, names = population_covariance(model, standardized)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    scores = rng.multivariate_normal(np.zeros(len(names)), cov, size=n, method="cholesky")
    if likert is None:
        return pd.DataFrame(scores, columns=list(names))
    if thresholds is None:
        if likert == 7:
            thresholds = LIKERT7_THRESHOLDS
        else:
            from scipy import stats

            thresholds = tuple(stats.norm.ppf(np.arange(1, likert) / likert))
    cuts = np.asarray(thresholds, dtype=float)
    if cuts.size != likert - 1 or np.any(np.diff(cuts) <= 0):
        raise SpecError(f"likert={likert} needs {likert - 1} increasing thresholds")
    sd = np.sqrt(np.diag(cov))
    categories = np.searchsorted(cuts, scores / sd) + 1
    return pd.DataFrame(categories.astype(int), columns=list(names))

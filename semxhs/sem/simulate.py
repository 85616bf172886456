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


def _product_moments(S: np.ndarray, index: dict[str, int], products: tuple[tuple[str, str], ...]) -> None:
    """Write the moments of products X*W of zero-mean normal exogenous variables into ``S`` (in place).

    Isserlis: var(XW) = var(X)var(W) + cov(X,W)^2; cov(XW, UV) = cov(X,U)cov(W,V) + cov(X,V)cov(W,U);
    cov(XW, Z) = 0 for every first-order variable Z (third moments of normal variables vanish).
    """
    for a, b in products:
        i = index[f"{a}:{b}"]
        S[i, :] = 0.0
        S[:, i] = 0.0
    for a, b in products:
        i = index[f"{a}:{b}"]
        x, w = index[a], index[b]
        for c, d in products:
            j = index[f"{c}:{d}"]
            u, v = index[c], index[d]
            S[i, j] = S[x, u] * S[w, v] + S[x, v] * S[w, u]


def _population(model: str, standardized: bool) -> tuple[RamStructure, np.ndarray, np.ndarray, list[int]]:
    """The RAM structure, the population S (residual) matrix, (I - A)^-1 and the product indices."""
    pt = build_partable(model)
    free_paths = [f"{p.lhs} {p.op} {p.rhs}" for p in pt.params
                  if p.free and p.op in ("=~", "~")]
    if free_paths:
        raise SpecError(f"population model: give every loading and path a value, e.g. 0.7*x; free: {free_paths[0]}")
    structure = RamStructure(pt)
    A, S, _ = structure.matrices(np.zeros(structure.q))
    products = pt.products
    product_idx = [structure.index[f"{a}:{b}"] for a, b in products]
    if products:
        outcomes = {p.lhs for p in pt.params if p.op == "~" and p.lhs}
        bad = sorted({v for pair in products for v in pair if v in outcomes})
        if bad:
            raise SpecError(f"population model: a product term may only join exogenous variables; "
                            f"{', '.join(bad)} {'is' if len(bad) == 1 else 'are'} explained by other variables")
    # fixed.x covariates are plain exogenous variables in a population model
    for name in pt.exogenous_observed:
        i = structure.index[name]
        if i not in product_idx:
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
        fixed_var |= set(product_idx)
        for _ in range(structure.m + 1):
            _product_moments(S, structure.index, products)
            C = B @ S @ B.T
            for i in range(structure.m):
                if i in fixed_var:
                    continue
                explained = C[i, i] - S[i, i]
                S[i, i] = 1.0 - explained
        if np.any(np.diag(S) < 0):
            raise SpecError("population model: paths explain more than all of a variable's variance")
    _product_moments(S, structure.index, products)
    return structure, S, B, product_idx


def population_covariance(model: str, standardized: bool = True) -> tuple[np.ndarray, tuple[str, ...]]:
    """Implied covariance matrix of the observed variables of a fully fixed population model.

    Parameters
    ----------
    model : str
        lavaan syntax whose loadings and paths are all fixed numbers; covariances that
        lavaan would add by itself (between exogenous factors, between outcomes) are 0
        unless written with a value (``PI ~~ 0.3*EW``). Product terms ``X:W`` of
        exogenous variables (latent or observed) are the products of their scores; their
        moments are those of products of normal variables (see :func:`simulate`).
    standardized : bool
        Give every variable unit variance (residual variances = 1 - explained variance).

    Returns
    -------
    covariance : numpy.ndarray
    names : tuple of str
        The observed variables, in the order of the matrix (product terms left out: they
        are formed from the data, not drawn).

    Examples
    --------
    >>> cov, names = population_covariance("f =~ 0.8*a + 0.6*b")
    >>> names, round(float(cov[0, 1]), 2)
    (('a', 'b'), 0.48)
    """
    structure, S, B, product_idx = _population(model, standardized)
    C = B @ S @ B.T
    keep = [i for i in range(structure.p) if i not in product_idx]
    names = tuple(structure.names[i] for i in keep)
    return C[np.ix_(keep, keep)], names


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

    Notes
    -----
    A product term ``Y ~ b*X:W`` (lavaan's syntax for an interaction; ``X`` and ``W``
    exogenous, latent or observed) is simulated as the product of the scores of ``X`` and
    ``W``: the exogenous variables and all residuals are drawn from a normal distribution,
    the product scores are formed, and every other variable follows from the linear
    structure. With ``standardized=True`` the outcome's residual variance accounts for the
    product's variance (var(XW) = 1 + r_XW^2 for unit-variance normal X, W), so the
    outcome has unit variance. Products of variables that other variables explain are
    refused (their moments are not those of normal variables).

    Examples
    --------
    >>> d = simulate("X =~ 0.8*x1 + 0.8*x2\\nW =~ 0.8*w1 + 0.8*w2\\ny ~ 0.3*X + 0.2*W + 0.4*X:W", n=2000, seed=3)
    >>> list(d.columns), round(float(d["y"].var()), 1)
    (['x1', 'x2', 'w1', 'w2', 'y'], 1.0)
    >>> df = simulate("f =~ 0.8*a + 0.7*b + 0.6*c", n=5, seed=1, likert=7)
    >>> list(df.columns), int(df.to_numpy().min()) >= 1, int(df.to_numpy().max()) <= 7
    (['a', 'b', 'c'], True, True)
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    structure, S, B, product_idx = _population(model, standardized)
    if product_idx:
        scores, names, cov = _draw_with_products(structure, S, B, product_idx, n, rng)
    else:
        cov, names = population_covariance(model, standardized)
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


def _draw_with_products(structure: RamStructure, S: np.ndarray, B: np.ndarray, product_idx: list[int], n: int,
                        rng: np.random.Generator) -> tuple[np.ndarray, tuple[str, ...], np.ndarray]:
    """Scores of the observed variables of a model with product terms of exogenous variables.

    Every first-order source of variance (exogenous variables and residuals) is drawn
    jointly normal from ``S`` without the product rows; the product sources are the
    products of their factors' scores; all variables are then ``(I - A)^-1`` times the
    sources.
    """
    m = structure.m
    first = [i for i in range(m) if i not in product_idx]
    sources = np.zeros((n, m))
    sub = S[np.ix_(first, first)]
    sources[:, first] = rng.multivariate_normal(np.zeros(len(first)), sub, size=n, method="cholesky")
    for name in (structure.names[i] for i in product_idx):
        left, right = name.split(":")
        i = structure.index[name]
        sources[:, i] = sources[:, structure.index[left]] * sources[:, structure.index[right]]
    values = sources @ B.T
    keep = [i for i in range(structure.p) if i not in product_idx]
    C = B @ S @ B.T
    return values[:, keep], tuple(structure.names[i] for i in keep), C[np.ix_(keep, keep)]

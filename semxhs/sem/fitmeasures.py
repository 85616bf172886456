"""Fit measures as pure functions of plain numbers, with lavaan's definitions.

Each function takes numbers or arrays, never a fitted model; :mod:`semxhs.sem.model` pulls the
numbers out of a fit and calls them (as ``lav_fit_cfi(x2, df, x2_null, df_null)`` in
lavaan's ``R/lav_fit_cfi.R``).
"""

from __future__ import annotations

import math

import numpy as np


def chisq_pvalue(chisq: float, df: int) -> float | None:
    """Upper-tail p-value of the chi-square test; ``None`` when df = 0.

    Examples
    --------
    >>> round(chisq_pvalue(85.3055217699727, 24), 12)
    8.503e-09
    """
    if df <= 0:
        return None
    from scipy import special  # imported where used: it costs about as much as numpy

    return float(special.chdtrc(df, chisq))


def cfi(chisq: float, df: int, chisq_null: float, df_null: int) -> float:
    """Comparative fit index (Bentler, 1990).

    ``CFI = 1 - max(chisq - df, 0) / max(chisq - df, chisq_null - df_null, 0)``

    Examples
    --------
    >>> round(cfi(85.3055, 24, 918.8516, 36), 4)
    0.9306
    """
    num = max(chisq - df, 0.0)
    den = max(chisq - df, chisq_null - df_null, 0.0)
    return 1.0 if den == 0 else float(1.0 - num / den)


def tli(chisq: float, df: int, chisq_null: float, df_null: int) -> float:
    """Tucker-Lewis index (non-normed fit index); 1 when the model has no degrees of freedom.

    ``TLI = (chisq_null/df_null - chisq/df) / (chisq_null/df_null - 1)``

    Examples
    --------
    >>> round(tli(85.3055, 24, 918.8516, 36), 4)
    0.8958
    """
    if df <= 0 or df_null <= 0:
        return 1.0
    t_null = chisq_null / df_null
    if t_null == 1.0:
        return 1.0
    return float((t_null - chisq / df) / (t_null - 1.0))


def rmsea(chisq: float, df: int, n: int) -> float:
    """Root mean square error of approximation (Steiger, 1990), with N as lavaan uses it.

    ``RMSEA = sqrt(max(chisq - df, 0) / (df * N))``

    Examples
    --------
    >>> round(rmsea(85.3055217699727, 24, 301), 6)
    0.092121
    """
    if df <= 0:
        return 0.0
    return math.sqrt(max(chisq - df, 0.0) / (df * n))


def rmsea_ci(chisq: float, df: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """Confidence interval of RMSEA from the noncentral chi-square (Browne & Cudeck, 1993).

    The lower (upper) bound solves ``P(X <= chisq | df, lambda) = (1 + level)/2``
    (``(1 - level)/2``) for the noncentrality ``lambda``; the bound is
    ``sqrt(lambda / (df * N))``, or 0 when no positive ``lambda`` solves it.

    Examples
    --------
    >>> [round(v, 5) for v in rmsea_ci(85.3055217699727, 24, 301)]
    [0.07142, 0.11368]
    """
    if df <= 0:
        return 0.0, 0.0
    from scipy import special

    upper_p = (1.0 + level) / 2.0
    lower_p = (1.0 - level) / 2.0

    def cdf(lam: float) -> float:
        return float(special.chndtr(chisq, df, lam)) if lam > 0 else float(special.chdtr(df, chisq))

    def bound(target: float) -> float:
        # P(X <= chisq | df, lambda) falls as lambda grows: bracket, then bisect
        if cdf(0.0) < target:
            return 0.0
        lo, hi = 0.0, max(chisq, 1.0)
        while cdf(hi) > target:
            lo, hi = hi, hi * 2.0
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if cdf(mid) > target:
                lo = mid
            else:
                hi = mid
            if hi - lo <= 1e-12 * max(1.0, hi):
                break
        return math.sqrt(0.5 * (lo + hi) / (df * n))

    return bound(upper_p), bound(lower_p)


def srmr(sample_cov: np.ndarray, implied_cov: np.ndarray,
         sample_mean: np.ndarray | None = None, implied_mean: np.ndarray | None = None) -> float:
    """Standardized root mean square residual, lavaan's default (``srmr_bentler``).

    Residuals ``(s_ij - sigma_ij) / sqrt(s_ii s_jj)`` over the lower triangle with the
    diagonal; with a mean structure the standardized mean residuals
    ``(m_i - mu_i) / sqrt(s_ii)`` join them.

    Examples
    --------
    >>> import numpy as np
    >>> srmr(np.array([[1.0, .5], [.5, 1.0]]), np.array([[1.0, .3], [.3, 1.0]]))
    0.11547005383792516
    """
    sd = np.sqrt(np.diag(sample_cov))
    resid = (sample_cov - implied_cov) / np.outer(sd, sd)
    rows, cols = np.tril_indices(sample_cov.shape[0])
    values = resid[rows, cols]
    if sample_mean is not None and implied_mean is not None:
        values = np.concatenate([values, (sample_mean - implied_mean) / sd])
    return float(np.sqrt(np.mean(values**2)))


def normal_loglik(n: int, sample_cov: np.ndarray, implied_cov: np.ndarray,
                  sample_mean: np.ndarray | None = None, implied_mean: np.ndarray | None = None) -> float:
    """Full multivariate-normal log-likelihood of n complete rows, from their moments.

    ``logl = -n/2 [p log(2 pi) + log|Sigma| + tr(S Sigma^-1) + (m - mu)' Sigma^-1 (m - mu)]``

    Examples
    --------
    >>> import numpy as np
    >>> s = np.array([[2.0]])
    >>> round(normal_loglik(10, s, s), 6)  # unrestricted: -n/2 (log 2 pi + log s + 1)
    -17.655121
    """
    p = sample_cov.shape[0]
    sign, logdet = np.linalg.slogdet(implied_cov)
    if sign <= 0:
        return float("nan")
    inv = np.linalg.inv(implied_cov)
    value = p * math.log(2 * math.pi) + logdet + float(np.trace(sample_cov @ inv))
    if sample_mean is not None and implied_mean is not None:
        d = sample_mean - implied_mean
        value += float(d @ inv @ d)
    return float(-0.5 * n * value)


def aic(logl: float, npar: int) -> float:
    """Akaike information criterion, ``-2 logl + 2 npar``."""
    return float(-2.0 * logl + 2.0 * npar)


def bic(logl: float, npar: int, n: int) -> float:
    """Bayesian information criterion, ``-2 logl + npar log(N)``."""
    return float(-2.0 * logl + npar * math.log(n))


def baseline_chisq(sample_cov: np.ndarray, n: int, exogenous: np.ndarray | None = None) -> tuple[float, int]:
    """Chi-square and df of lavaan's independence (baseline) model.

    All observed variables are uncorrelated, except that the covariances among fixed.x
    covariates stay at their sample values (as in lavaan).

    Parameters
    ----------
    sample_cov : numpy.ndarray
        Sample covariance matrix (divisor N).
    n : int
        Number of observations.
    exogenous : numpy.ndarray of bool, optional
        Which variables are fixed.x covariates.

    Examples
    --------
    >>> import numpy as np
    >>> chi, df = baseline_chisq(np.array([[1.0, .5], [.5, 1.0]]), 100)
    >>> round(chi, 4), df
    (28.7682, 1)
    """
    p = sample_cov.shape[0]
    exo = np.zeros(p, dtype=bool) if exogenous is None else np.asarray(exogenous, dtype=bool)
    sigma0 = np.diag(np.diag(sample_cov))
    if exo.any():
        sigma0[np.ix_(exo, exo)] = sample_cov[np.ix_(exo, exo)]
    _, logdet0 = np.linalg.slogdet(sigma0)
    _, logdet = np.linalg.slogdet(sample_cov)
    f0 = logdet0 + float(np.trace(sample_cov @ np.linalg.inv(sigma0))) - logdet - p
    px = int(exo.sum())
    df0 = p * (p + 1) // 2 - (p - px) - px * (px + 1) // 2
    return float(n * f0), df0

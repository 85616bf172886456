"""The AMOS-style fit set (GFI, AGFI, PGFI, NFI, RFI, IFI, PNFI, RMR, Hoelter's CN, ECVI, MFI).

Pure functions of plain numbers and arrays with the definitions of lavaan's ``fitMeasures``
(``R/lav_fit_gfi.R``, ``lav_fit_nfi`` …, lavaan 0.6-14), and one wrapper,
:func:`amos_measures`, that takes the moments of a fitted single-group model. A multi-group
fit calls the per-group pieces (:func:`gfi_parts`, :func:`residual_parts`) once per group and
combines them as lavaan does (GFI and RMR weighted by the group sizes, ``nel`` summed).

Notation: ``S`` and ``m`` are the sample covariance matrix (divisor N) and means, ``Sigma``
and ``mu`` the model-implied ones, ``p* = p(p+1)/2`` (``+ p`` with a mean structure) the
number of sample moments (``nel``), ``chisq_b`` / ``df_b`` the baseline (independence) model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AmosMeasures:
    """The AMOS-style set, lavaan's names; NaN where lavaan gives NA."""

    chisq_df_ratio: float
    gfi: float
    agfi: float
    pgfi: float
    nfi: float
    rfi: float
    ifi: float
    pnfi: float
    rmr: float
    rmr_nomean: float
    cn_05: float
    cn_01: float
    ecvi: float
    mfi: float

    def as_dict(self) -> dict[str, float]:
        """The measures as a plain dict (field name -> value)."""
        return {k: float(getattr(self, k)) for k in self.__dataclass_fields__}


def chisq_df_ratio(chisq: float, df: int) -> float:
    """χ²/df (AMOS's CMIN/DF); NaN when df = 0.

    Examples
    --------
    >>> round(chisq_df_ratio(85.3055217699727, 24), 4)
    3.5544
    """
    return float(chisq / df) if df > 0 else float("nan")


def gfi_parts(sample_cov: np.ndarray, implied_cov: np.ndarray, sample_mean: np.ndarray | None = None,
              implied_mean: np.ndarray | None = None, exogenous: np.ndarray | None = None) -> tuple[float, float]:
    """Numerator and denominator of one group's GFI with lavaan's normal-theory weight.

    With ``W = Sigma^-1``: ``t1 = tr[(W (S - Sigma))^2] / 2 + (m - mu)' W (m - mu)`` and
    ``t2 = tr[(W S)^2] / 2 + m' W m`` (the mean terms only with a mean structure);
    ``GFI = 1 - t1 / t2``, lavaan's ``lav_fit_gfi`` with the ML weight matrix. The moments
    among fixed.x covariates (``exogenous``) get weight 0, as in lavaan's
    ``lav_mvnorm_information_expected``: their block of ``S`` (and their means) are left out.

    Examples
    --------
    >>> import numpy as np
    >>> t1, t2 = gfi_parts(np.eye(2), np.eye(2))
    >>> t1, t2
    (0.0, 1.0)
    """
    inv = np.linalg.inv(implied_cov)
    obs = np.array(sample_cov, dtype=float)
    diff = obs - implied_cov
    exo = None if exogenous is None else np.asarray(exogenous, dtype=bool)
    if exo is not None and exo.any():
        obs[np.ix_(exo, exo)] = 0.0
        diff[np.ix_(exo, exo)] = 0.0
    ws = inv @ obs
    wd = inv @ diff
    t1 = 0.5 * float(np.sum(wd * wd.T))
    t2 = 0.5 * float(np.sum(ws * ws.T))
    if sample_mean is not None and implied_mean is not None:
        m = np.array(sample_mean, dtype=float)
        d = m - implied_mean
        if exo is not None and exo.any():
            m[exo] = 0.0
            d[exo] = 0.0
        t1 += float(d @ inv @ d)
        t2 += float(m @ inv @ m)
    return t1, t2


def gfi_parts_missing(sample_cov: np.ndarray, implied_cov: np.ndarray, sample_mean: np.ndarray,
                      implied_mean: np.ndarray, patterns: list[tuple[float, np.ndarray]],
                      exogenous: np.ndarray | None = None) -> tuple[float, float]:
    """GFI's numerator and denominator under FIML, with lavaan's missing-data weight.

    lavaan weighs the residuals of the h1 (EM) moments by the expected information of the
    missing-data patterns (``lav_mvnorm_missing_information_expected`` at the implied moments):
    ``t = sum_k w_k [tr((V_k E_oo)^2) / 2 + e_o' V_k e_o]`` with ``V_k = Sigma_oo^-1`` over the
    variables ``o`` a pattern observes and ``w_k`` its share of the rows; ``E, e`` are the
    covariance and mean residuals (``t1``) or the moments themselves (``t2``).

    Examples
    --------
    >>> import numpy as np
    >>> s = np.array([[1.0, .5], [.5, 1.0]]); m = np.zeros(2)
    >>> full = gfi_parts_missing(s, np.eye(2), m, m, [(1.0, np.array([0, 1]))])
    >>> np.allclose(full, gfi_parts(s, np.eye(2), m, m))
    True
    """
    obs_c = np.array(sample_cov, dtype=float)
    diff_c = obs_c - implied_cov
    obs_m = np.array(sample_mean, dtype=float)
    diff_m = obs_m - implied_mean
    exo = None if exogenous is None else np.asarray(exogenous, dtype=bool)
    if exo is not None and exo.any():
        for mat in (obs_c, diff_c):
            mat[np.ix_(exo, exo)] = 0.0
        obs_m[exo] = 0.0
        diff_m[exo] = 0.0
    t1 = t2 = 0.0
    for weight, o in patterns:
        inv = np.linalg.inv(implied_cov[np.ix_(o, o)])
        for which, (c, m) in enumerate(((diff_c, diff_m), (obs_c, obs_m))):
            wc = inv @ c[np.ix_(o, o)]
            value = weight * (0.5 * float(np.sum(wc * wc.T)) + float(m[o] @ inv @ m[o]))
            if which == 0:
                t1 += value
            else:
                t2 += value
    return t1, t2


def gfi(sample_cov: np.ndarray, implied_cov: np.ndarray, sample_mean: np.ndarray | None = None,
        implied_mean: np.ndarray | None = None, exogenous: np.ndarray | None = None) -> float:
    """Goodness-of-fit index (Jöreskog & Sörbom), lavaan's ML version.

    ``GFI = 1 - tr[(Sigma^-1 S - I)^2] / tr[(Sigma^-1 S)^2]`` without a mean structure
    (see :func:`gfi_parts` for the mean terms).

    Examples
    --------
    >>> import numpy as np
    >>> round(gfi(np.array([[1.0, .5], [.5, 1.0]]), np.eye(2)), 4)
    0.8
    """
    t1, t2 = gfi_parts(sample_cov, implied_cov, sample_mean, implied_mean, exogenous)
    return float(1.0 - t1 / t2)


def agfi(gfi_value: float, nel: int, df: int) -> float:
    """Adjusted GFI: ``1 - (nel/df)(1 - GFI)``; 1 when df = 0 (lavaan).

    Examples
    --------
    >>> round(agfi(0.943332061258475, 45, 24), 6)
    0.893748
    """
    if not math.isfinite(gfi_value):
        return float("nan")
    return float(1.0 - (nel / df) * (1.0 - gfi_value)) if df > 0 else 1.0


def pgfi(gfi_value: float, nel: int, df: int) -> float:
    """Parsimony GFI: ``(df/nel) GFI`` (Mulaik et al., 1989).

    Examples
    --------
    >>> round(pgfi(0.943332061258475, 45, 24), 6)
    0.50311
    """
    if not math.isfinite(gfi_value) or nel == 0:
        return float("nan")
    return float(df / nel * gfi_value)


def nfi(chisq: float, df: int, chisq_null: float, df_null: int) -> float:
    """Normed fit index (Bentler & Bonett, 1980): ``(chisq_b - chisq) / chisq_b``.

    NaN when df > df_b or chisq_b = 0, 1 when df = 0 (lavaan).

    Examples
    --------
    >>> round(nfi(85.3055217699727, 24, 918.851589292384, 36), 6)
    0.907161
    """
    if df > df_null or math.isclose(chisq_null, 0.0, abs_tol=1.5e-8):
        return float("nan")
    if df > 0:
        return float((chisq_null - chisq) / chisq_null)
    return 1.0


def rfi(chisq: float, df: int, chisq_null: float, df_null: int) -> float:
    """Relative fit index (Bollen, 1986): ``(chisq_b/df_b - chisq/df) / (chisq_b/df_b)``.

    Examples
    --------
    >>> round(rfi(85.3055217699727, 24, 918.851589292384, 36), 6)
    0.860741
    """
    if df > df_null:
        return float("nan")
    if df > 0 and df_null > 0:
        t1 = chisq_null / df_null - chisq / df
        t2 = chisq_null / df_null
        if not (math.isfinite(t1) and math.isfinite(t2)):
            return float("nan")
        if t1 < 0 or t2 < 0:
            return 1.0
        return float(t1 / t2)
    return 1.0


def ifi(chisq: float, df: int, chisq_null: float, df_null: int) -> float:
    """Incremental fit index (Bollen, 1989): ``(chisq_b - chisq) / (chisq_b - df)``.

    Examples
    --------
    >>> round(ifi(85.3055217699727, 24, 918.851589292384, 36), 6)
    0.931491
    """
    t1 = chisq_null - chisq
    t2 = chisq_null - df
    if not (math.isfinite(t1) and math.isfinite(t2)):
        return float("nan")
    if t2 < 0:
        return 1.0
    if math.isclose(t2, 0.0, abs_tol=1.5e-8):
        return float("nan")
    return float(t1 / t2)


def pnfi(chisq: float, df: int, chisq_null: float, df_null: int) -> float:
    """Parsimony NFI (James, Mulaik & Brett, 1982): ``(df/df_b) NFI``.

    Examples
    --------
    >>> round(pnfi(85.3055217699727, 24, 918.851589292384, 36), 6)
    0.604774
    """
    if df_null > 0 and chisq_null > 0:
        return float(df / df_null * (chisq_null - chisq) / chisq_null)
    return float("nan")


def residual_parts(sample_cov: np.ndarray, implied_cov: np.ndarray, sample_mean: np.ndarray | None = None,
                   implied_mean: np.ndarray | None = None) -> tuple[float, float]:
    """RMR of one group, with and without the mean residuals: ``(rmr, rmr_nomean)``.

    ``rmr_nomean = sqrt(mean over i >= j of (s_ij - sigma_ij)^2)``; ``rmr`` also averages the
    squared mean residuals ``(m_i - mu_i)^2`` when there is a mean structure (lavaan's
    ``lav_residuals_summary``, "total").

    Examples
    --------
    >>> import numpy as np
    >>> residual_parts(np.array([[1.0, .5], [.5, 1.0]]), np.array([[1.0, .2], [.2, 1.0]]))
    (0.17320508075688773, 0.17320508075688773)
    """
    rows, cols = np.tril_indices(sample_cov.shape[0])
    cov_res = (sample_cov - implied_cov)[rows, cols]
    nomean = float(np.sqrt(np.mean(cov_res**2)))
    if sample_mean is None or implied_mean is None:
        return nomean, nomean
    total = np.concatenate([cov_res, sample_mean - implied_mean])
    return float(np.sqrt(np.mean(total**2))), nomean


def hoelter_cn(chisq: float, df: int, n: int, alpha: float = 0.05) -> float:
    """Hoelter's critical N: ``qchisq(1 - alpha, df) / (chisq / N) + 1``; NaN for a saturated model.

    Examples
    --------
    >>> round(hoelter_cn(85.3055217699727, 24, 301), 4)
    129.4902
    >>> round(hoelter_cn(85.3055217699727, 24, 301, alpha=0.01), 4)
    152.654
    """
    if df <= 0:
        return float("nan")  # lavaan: NA for a saturated model
    from scipy import special  # imported here: scipy.special costs about as much as numpy

    return float(special.chdtri(df, alpha) / (chisq / n) + 1.0) if chisq > 0 else float("inf")


def ecvi(chisq: float, npar: int, n: int) -> float:
    """Expected cross-validation index (Browne & Cudeck, 1989): ``chisq/N + 2 npar/N``.

    Examples
    --------
    >>> round(ecvi(85.3055217699727, 21, 301), 6)
    0.422942
    """
    return float(chisq / n + 2.0 * npar / n)


def mfi(chisq: float, df: int, n: int) -> float:
    """McDonald's fit index: ``exp(-(chisq - df) / (2N))``.

    Examples
    --------
    >>> round(mfi(24.3613038484665, 8, 301), 6)
    0.973188
    """
    return float(math.exp(-0.5 * (chisq - df) / n))


def available_case_moments(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise covariances (times (N-1)/N) and available-case means of rows with NaN for missing.

    lavaan's sample statistics with ``missing = "ml"`` (``WLS.obs``), which its GFI uses.

    Examples
    --------
    >>> import numpy as np
    >>> cov, mean = available_case_moments(np.array([[1.0, 2.0], [3.0, np.nan], [2.0, 4.0]]))
    >>> mean.tolist(), round(float(cov[0, 0]), 6)
    ([2.0, 3.0], 0.666667)
    """
    import pandas as pd  # only FIML fits need it

    frame = pd.DataFrame(np.asarray(values, dtype=float))
    n = len(frame)
    cov = frame.cov(min_periods=1).to_numpy() * (n - 1) / n
    return cov, frame.mean().to_numpy()


def n_moments(p: int, meanstructure: bool) -> int:
    """Number of sample moments (lavaan's ``nel``): ``p(p+1)/2``, plus ``p`` means.

    Examples
    --------
    >>> n_moments(9, False), n_moments(9, True)
    (45, 54)
    """
    return p * (p + 1) // 2 + (p if meanstructure else 0)


def amos_measures(*, chisq: float, df: int, n: int, npar: int, chisq_null: float, df_null: int,
                  sample_cov: np.ndarray, implied_cov: np.ndarray, sample_mean: np.ndarray | None = None,
                  implied_mean: np.ndarray | None = None, exogenous: np.ndarray | None = None,
                  patterns: list[tuple[float, np.ndarray]] | None = None,
                  available_moments: tuple[np.ndarray, np.ndarray] | None = None) -> AmosMeasures:
    """The whole AMOS-style set of a single-group model from its numbers.

    Pass the means only when the model has a mean structure. ``chisq`` is the standard
    (unscaled) statistic, as lavaan uses it for these measures under MLR too; ``exogenous``
    marks the fixed.x covariates (see :func:`gfi_parts`). Under FIML pass the EM (h1) moments
    (for RMR), the missing-data ``patterns`` as ``(share of rows, observed variable indices)`` and
    the ``available_moments`` (pairwise covariances times (N-1)/N, available-case means), which
    lavaan's GFI compares with the implied moments under its missing-data weight
    (:func:`gfi_parts_missing`; lavaan's ``WLS.obs`` with ``missing = "ml"``).

    Examples
    --------
    >>> import numpy as np
    >>> s = np.array([[1.0, .5, .4], [.5, 1.0, .3], [.4, .3, 1.0]])
    >>> m = amos_measures(chisq=0.0, df=0, n=100, npar=6, chisq_null=50.0, df_null=3,
    ...                   sample_cov=s, implied_cov=s)
    >>> m.gfi, m.agfi, m.nfi
    (1.0, 1.0, 1.0)
    """
    if patterns is not None and sample_mean is not None and implied_mean is not None:
        obs_cov, obs_mean = available_moments if available_moments is not None else (sample_cov, sample_mean)
        t1, t2 = gfi_parts_missing(obs_cov, implied_cov, obs_mean, implied_mean, patterns, exogenous)
        g = float(1.0 - t1 / t2)
    else:
        g = gfi(sample_cov, implied_cov, sample_mean, implied_mean, exogenous)
    nel = n_moments(sample_cov.shape[0], sample_mean is not None and implied_mean is not None)
    rmr_total, rmr_nomean = residual_parts(sample_cov, implied_cov, sample_mean, implied_mean)
    return AmosMeasures(
        chisq_df_ratio=chisq_df_ratio(chisq, df),
        gfi=g,
        agfi=agfi(g, nel, df),
        pgfi=pgfi(g, nel, df),
        nfi=nfi(chisq, df, chisq_null, df_null),
        rfi=rfi(chisq, df, chisq_null, df_null),
        ifi=ifi(chisq, df, chisq_null, df_null),
        pnfi=pnfi(chisq, df, chisq_null, df_null),
        rmr=rmr_total,
        rmr_nomean=rmr_nomean,
        cn_05=hoelter_cn(chisq, df, n, 0.05),
        cn_01=hoelter_cn(chisq, df, n, 0.01),
        ecvi=ecvi(chisq, npar, n),
        mfi=mfi(chisq, df, n),
    )

"""Univariate and multivariate normality of the items, and the estimator it suggests.

Univariate: the adjusted Fisher–Pearson skewness G1 and excess kurtosis G2 (as SPSS,
SAS and ``psych::describe(type = 2)``), each divided by its standard error under
normality to give a z test::

    SE(G1) = sqrt(6n(n − 1) / ((n − 2)(n + 1)(n + 3)))
    SE(G2) = 2 SE(G1) sqrt((n² − 1) / ((n − 3)(n + 5)))

Multivariate: Mardia's (1970) skewness b1p and kurtosis b2p, computed as
``psych::mardia`` does (sample covariance with divisor n − 1)::

    D = X_c S⁻¹ X_cᵀ,   b1p = Σ_ij D_ij³ / n²,   b2p = Σ_i D_ii² / n
    skew = n b1p / 6 ~ χ²(p(p + 1)(p + 2)/6)
    kurtosis z = (b2p − p(p + 2)) sqrt(n / (8p(p + 2))) ~ N(0, 1)

References
----------
Mardia, K. V. (1970). Measures of multivariate skewness and kurtosis with applications.
*Biometrika*, 57(3), 519–530.
Curran, P. J., West, S. G., & Finch, J. F. (1996). The robustness of test statistics to
nonnormality and specification error in confirmatory factor analysis. *Psychological
Methods*, 1(1), 16–29 (|skew| > 2 and |excess kurtosis| > 7 as severe non-normality).
Rhemtulla, M., Brosseau-Liard, P. É., & Savalei, V. (2012). When can categorical
variables be treated as continuous? *Psychological Methods*, 17(3), 354–373.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from semxhs.errors import DataError, name_list
from semxhs.messages import Message, json_safe, message_texts, messages_to_json

__all__ = [
    "EstimatorRecommendation",
    "MardiaResult",
    "NormalityResult",
    "UnivariateRow",
    "assess_normality",
    "mardia",
    "recommend_estimator",
    "univariate_normality",
]

#: Columns of :meth:`NormalityResult.to_frame`.
UNIVARIATE_COLUMNS = ("item", "n", "mean", "sd", "skew", "se_skew", "z_skew", "p_skew",
                      "kurtosis", "se_kurtosis", "z_kurtosis", "p_kurtosis")

#: Severe non-normality (Curran, West & Finch, 1996).
SKEW_LIMIT = 2.0
KURTOSIS_LIMIT = 7.0


@dataclass(frozen=True)
class UnivariateRow:
    """Skewness (G1) and excess kurtosis (G2) of one item with their z tests (two-sided p)."""

    item: str
    n: int
    mean: float
    sd: float
    skew: float
    se_skew: float
    z_skew: float
    p_skew: float
    kurtosis: float
    se_kurtosis: float
    z_kurtosis: float
    p_kurtosis: float


def univariate_normality(values: np.ndarray, names: Sequence[str] | None = None) -> tuple[UnivariateRow, ...]:
    """G1, G2, their standard errors and z tests for each column (``nan`` ignored per column).

    Examples
    --------
    >>> row = univariate_normality(np.array([[1.], [2.], [2.], [3.], [7.]]), ["x"])[0]
    >>> round(row.skew, 6), round(row.kurtosis, 6), round(row.se_skew, 6)
    (1.744369, 3.322314, 0.912871)
    """
    x = np.asarray(values, dtype=float)
    names = list(names) if names is not None else [f"V{j + 1}" for j in range(x.shape[1])]
    rows = []
    for j, name in enumerate(names):
        v = x[:, j][np.isfinite(x[:, j])]
        n = v.size
        mean = float(v.mean()) if n else math.nan
        sd = float(v.std(ddof=1)) if n > 1 else math.nan
        g1 = g2 = se1 = se2 = math.nan
        if n > 3:
            d = v - mean
            m2 = float(np.mean(d ** 2))
            m3 = float(np.mean(d ** 3))
            m4 = float(np.mean(d ** 4))
            if m2 > 0:
                b1 = m3 / m2 ** 1.5
                b2 = m4 / m2 ** 2 - 3
                g1 = b1 * math.sqrt(n * (n - 1)) / (n - 2)
                g2 = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * b2 + 6)
            se1 = math.sqrt(6 * n * (n - 1) / ((n - 2) * (n + 1) * (n + 3)))
            se2 = 2 * se1 * math.sqrt((n * n - 1) / ((n - 3) * (n + 5)))
        z1, z2 = g1 / se1 if se1 == se1 else math.nan, g2 / se2 if se2 == se2 else math.nan
        rows.append(UnivariateRow(
            item=str(name), n=int(n), mean=mean, sd=sd,
            skew=g1, se_skew=se1, z_skew=z1, p_skew=_two_sided(z1),
            kurtosis=g2, se_kurtosis=se2, z_kurtosis=z2, p_kurtosis=_two_sided(z2),
        ))
    return tuple(rows)


def _two_sided(z: float) -> float:
    return float(2 * stats.norm.sf(abs(z))) if math.isfinite(z) else math.nan


@dataclass(frozen=True)
class MardiaResult:
    """Mardia's multivariate skewness and kurtosis, as ``psych::mardia`` reports them.

    Attributes
    ----------
    b1p, b2p : float
        Mardia's skewness and kurtosis coefficients.
    skew : float
        n·b1p/6, χ² with ``df_skew`` degrees of freedom; ``p_skew``.
    small_skew : float
        The small-sample corrected skewness statistic; ``p_small``.
    kurtosis : float
        The z statistic of b2p; ``p_kurtosis`` (two-sided).
    """

    n: int
    p: int
    b1p: float
    b2p: float
    skew: float
    df_skew: float
    p_skew: float
    small_skew: float
    p_small: float
    kurtosis: float
    p_kurtosis: float

    def to_dict(self) -> dict[str, Any]:
        return {k: json_safe(v) for k, v in asdict(self).items()}


def mardia(values: np.ndarray) -> MardiaResult:
    """Mardia's tests on complete rows (``psych::mardia`` with ``na.rm = TRUE``).

    Examples
    --------
    >>> rng = np.random.default_rng(7)
    >>> res = mardia(rng.normal(size=(300, 4)))
    >>> res.df_skew, res.p_kurtosis > 0.01
    (20.0, True)
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x).all(axis=1)]
    n, p = x.shape
    if n <= p:
        raise DataError(f"Mardia's test: {n} complete rows for {p} items; need more rows than items")
    xc = x - x.mean(axis=0)
    s = xc.T @ xc / (n - 1)
    try:
        d = xc @ np.linalg.solve(s, xc.T)
    except np.linalg.LinAlgError:
        raise DataError("Mardia's test: the item covariance matrix is singular") from None
    b1p = float(np.sum(d ** 3) / n ** 2)
    b2p = float(np.sum(np.diag(d) ** 2) / n)
    df = p * (p + 1) * (p + 2) / 6
    k = (p + 1) * (n + 1) * (n + 3) / (n * ((n + 1) * (p + 1) - 6))
    skew = n * b1p / 6
    small = n * k * b1p / 6
    kurt = (b2p - p * (p + 2)) * math.sqrt(n / (8 * p * (p + 2)))
    return MardiaResult(
        n=n, p=p, b1p=b1p, b2p=b2p, skew=skew, df_skew=df, p_skew=float(stats.chi2.sf(skew, df)),
        small_skew=small, p_small=float(stats.chi2.sf(small, df)),
        kurtosis=kurt, p_kurtosis=float(2 * stats.norm.sf(abs(kurt))),
    )


@dataclass(frozen=True)
class EstimatorRecommendation:
    """The estimator and missing-data treatment the data suggest, with the reasons.

    ``estimator`` is ``"ML"`` or ``"MLR"``, ``missing`` ``"listwise"`` or ``"fiml"``
    (the names :func:`semxhs.sem.model.fit` takes); ``reasons`` are full English sentences and
    ``reason_codes`` the same reasons as :class:`~semxhs.messages.Message` records (same
    order), which the report words in its language. Codes and parameters:

    ``mlr_kurtosis``
        Mardia's kurtosis significant: ``z``, ``p``, ``alpha``.
    ``mlr_skew``
        Mardia's skewness significant: ``chisq``, ``df``, ``p``, ``alpha``.
    ``mlr_items``
        Severely non-normal items: ``items``, ``skew_limit``, ``kurtosis_limit``.
    ``ml_adequate``
        Neither test significant at ``alpha`` and no severe item.
    ``fiml_missing``
        Item answers missing: ``pct`` (percent of cells), ``mcar_pvalue`` (or None).
    ``coarse_scale``
        Fewer than five scale points: ``points``.
    """

    estimator: str
    missing: str
    reasons: tuple[str, ...]
    reason_codes: tuple[Message, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"estimator": self.estimator, "missing": self.missing, "reasons": list(self.reasons),
                "reason_codes": messages_to_json(self.reason_codes)}


@dataclass(frozen=True)
class NormalityResult:
    """Univariate rows, Mardia's tests and the estimator recommendation."""

    univariate: tuple[UnivariateRow, ...]
    mardia: MardiaResult
    recommendation: EstimatorRecommendation

    def to_frame(self) -> pd.DataFrame:
        """One row per item, columns :data:`UNIVARIATE_COLUMNS`."""
        return pd.DataFrame([asdict(r) for r in self.univariate], columns=list(UNIVARIATE_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        return {
            "univariate": [{k: (json_safe(v) if not isinstance(v, str) else v) for k, v in asdict(r).items()}
                           for r in self.univariate],
            "mardia": self.mardia.to_dict(),
            "recommendation": self.recommendation.to_dict(),
        }


def recommend_estimator(
    univariate: Sequence[UnivariateRow],
    mardia_result: MardiaResult,
    *,
    alpha: float = 0.001,
    pct_missing_cells: float = 0.0,
    mcar_pvalue: float | None = None,
    scale_points: int | None = None,
) -> EstimatorRecommendation:
    """Choose ML or MLR, and listwise or FIML, from the normality and missing-data checks.

    MLR (robust standard errors and scaled χ²) when Mardia's kurtosis or skewness test
    has p < ``alpha`` or an item exceeds |skew| > 2 or |excess kurtosis| > 7; otherwise
    ML. FIML whenever item cells are missing (it uses every answer; it assumes MAR,
    listwise deletion assumes MCAR). Scales of fewer than five points get a note that
    treating items as continuous is doubtful (Rhemtulla et al., 2012).

    Examples
    --------
    >>> m = MardiaResult(400, 12, 3.1, 180.2, 206.7, 364.0, 1.0, 208.9, 1.0, 4.9, 9.6e-7)
    >>> rec = recommend_estimator([], m)
    >>> rec.estimator, rec.reasons[0]
    ('MLR', "MLR recommended: Mardia's kurtosis z = 4.90, p < .001")
    >>> rec.reason_codes[0].code, rec.reason_codes[0].params["z"]
    ('mlr_kurtosis', 4.9)
    """
    reasons: list[Message] = []
    robust = False
    if mardia_result.p_kurtosis < alpha:
        robust = True
        reasons.append(Message(
            "mlr_kurtosis", {"z": mardia_result.kurtosis, "p": mardia_result.p_kurtosis, "alpha": alpha},
            f"MLR recommended: Mardia's kurtosis z = {mardia_result.kurtosis:.2f}, p < {_p(alpha)}"))
    if mardia_result.p_skew < alpha:
        robust = True
        reasons.append(Message(
            "mlr_skew", {"chisq": mardia_result.skew, "df": mardia_result.df_skew, "p": mardia_result.p_skew,
                         "alpha": alpha},
            f"MLR recommended: Mardia's skewness χ²({mardia_result.df_skew:g}) = "
            f"{mardia_result.skew:.2f}, p < {_p(alpha)}"))
    severe = [r.item for r in univariate
              if (math.isfinite(r.skew) and abs(r.skew) > SKEW_LIMIT)
              or (math.isfinite(r.kurtosis) and abs(r.kurtosis) > KURTOSIS_LIMIT)]
    if severe:
        robust = True
        reasons.append(Message(
            "mlr_items", {"items": severe, "skew_limit": SKEW_LIMIT, "kurtosis_limit": KURTOSIS_LIMIT},
            f"MLR recommended: items with |skew| > {SKEW_LIMIT:g} or |excess kurtosis| > "
            f"{KURTOSIS_LIMIT:g}: {name_list(severe)}"))
    if not robust:
        reasons.append(Message(
            "ml_adequate", {"alpha": alpha},
            f"ML: Mardia's skewness and kurtosis tests are not significant at p < {_p(alpha)} "
            "and no item is severely non-normal"))
    missing = "listwise"
    if pct_missing_cells > 0:
        missing = "fiml"
        text = f"FIML recommended: {pct_missing_cells:.1f}% of item answers are missing"
        mcar = float(mcar_pvalue) if mcar_pvalue is not None and math.isfinite(mcar_pvalue) else None
        if mcar is not None:
            verdict = ("not MCAR (Little's test p < .05), so listwise deletion may bias estimates"
                       if mcar < 0.05 else "consistent with MCAR (Little's test p ≥ .05)")
            text += f"; the data are {verdict}"
        reasons.append(Message("fiml_missing", {"pct": float(pct_missing_cells), "mcar_pvalue": mcar}, text))
    if scale_points is not None and scale_points < 5:
        reasons.append(Message(
            "coarse_scale", {"points": int(scale_points)},
            f"a {scale_points}-point scale is coarse for treating items as continuous; "
            "consider a categorical (WLSMV) analysis"))
    return EstimatorRecommendation("MLR" if robust else "ML", missing, message_texts(reasons), tuple(reasons))


def _p(alpha: float) -> str:
    return f"{alpha:g}".lstrip("0") if alpha < 1 else f"{alpha:g}"


def assess_normality(
    frame: pd.DataFrame,
    items: Sequence[str],
    *,
    alpha: float = 0.001,
    mcar_pvalue: float | None = None,
    scale_points: int | None = None,
) -> NormalityResult:
    """Univariate (per item, available cases) and Mardia (complete cases) tests with a recommendation.

    Raises
    ------
    DataError
        Items missing from ``frame`` or not numeric.
    """
    items = tuple(items)
    absent = [i for i in items if i not in frame.columns]
    if absent:
        raise DataError(f"normality: items not in the data: {name_list(absent)}")
    block = frame.loc[:, list(items)]
    bad = [c for c in items if not pd.api.types.is_numeric_dtype(block[c]) or pd.api.types.is_bool_dtype(block[c])]
    if bad:
        raise DataError(f"normality: items must be numeric (code the answers first); not numeric: {name_list(bad)}")
    x = block.to_numpy(dtype=float)
    uni = univariate_normality(x, items)
    mar = mardia(x)
    holes = ~np.isfinite(x)
    pct = 100.0 * holes.sum() / holes.size if holes.size else 0.0
    rec = recommend_estimator(uni, mar, alpha=alpha, pct_missing_cells=pct, mcar_pvalue=mcar_pvalue,
                              scale_points=scale_points)
    return NormalityResult(uni, mar, rec)

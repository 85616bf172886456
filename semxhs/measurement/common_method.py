"""Common-method bias checks: Harman's single-factor test and the one-factor CFA comparison.

Harman's test here is defined as the share of the items' total (standardized)
variance carried by the first unrotated principal component of their correlation
matrix,

.. math:: \\text{share} = \\lambda_1(R) / p,

which is what SPSS's "Extraction: Principal components, unrotated, 1 factor" prints
as "% of Variance" and what students cite. (A principal-axis or ML single factor
would give a somewhat smaller share.) A share of 50% or more is read as a sign of
common-method variance (Podsakoff et al. 2003), a test Podsakoff et al. themselves
call insensitive.

The CFA version compares a one-factor model with the measurement model by a
chi-square difference test; the SEM fits come from the caller.

References
----------
Podsakoff, P. M., MacKenzie, S. B., Lee, J.-Y., & Podsakoff, N. P. (2003). Common
    method biases in behavioral research. *Journal of Applied Psychology, 88*, 879–903.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special  # scipy.special, not scipy.stats: stats costs ~0.5 s to import

from semxhs.errors import DataError, name_list
from semxhs.measurement.blocks import item_matrix
from semxhs.measurement.results import ChisqDifference, HarmanResult

__all__ = ["chisq_difference", "first_factor_share", "harman_single_factor"]


def first_factor_share(corr: ArrayLike) -> tuple[float, float]:
    """Largest eigenvalue of a correlation matrix and its share of the trace, λ₁ / p.

    Examples
    --------
    >>> first_factor_share([[1.0, 0.5], [0.5, 1.0]])
    (1.5, 0.75)
    """
    r = np.asarray(corr, dtype=float)
    if r.ndim != 2 or r.shape[0] != r.shape[1] or r.shape[0] < 2:
        raise DataError(f"corr: expected a square correlation matrix of at least 2 items, got shape {r.shape}")
    ev = np.linalg.eigvalsh(r)
    return float(ev[-1]), float(ev[-1] / r.shape[0])


def harman_single_factor(data: pd.DataFrame, items: Sequence[str] | None = None) -> HarmanResult:
    """Harman's single-factor test: share of total variance of the first unrotated component.

    Parameters
    ----------
    data : pandas.DataFrame
        Listwise-complete item responses.
    items : sequence of str, optional
        All the study's items (default: every column).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5], "c": [5, 3, 4, 1, 2]})
    >>> res = harman_single_factor(df)
    >>> res.n_items, round(res.first_factor_share, 4)
    (3, 0.7638)
    """
    cols = [str(c) for c in data.columns] if items is None else [str(i) for i in items]
    missing = [c for c in cols if c not in set(map(str, data.columns))]
    if missing:
        raise DataError(f"items: not columns of the data: {name_list(missing)}")
    x = item_matrix(data, cols)
    const = [c for c, s in zip(cols, x.std(axis=0)) if s == 0]
    if const:
        raise DataError(f"data: items without variance (every answer the same): {name_list(const)}")
    ev1, share = first_factor_share(np.corrcoef(x, rowvar=False))
    return HarmanResult(first_factor_share=share, first_eigenvalue=ev1, n_items=len(cols))


def chisq_difference(chisq1: float, df1: int, chisq0: float, df0: int) -> ChisqDifference:
    r"""Likelihood-ratio (chi-square difference) test of nested models fitted by ML.

    Model 1 is the more restricted model (for common-method bias: all items on one
    factor), model 0 the less restricted one (the measurement model):

    .. math:: \Delta\chi^2 = \chi^2_1 - \chi^2_0,\quad \Delta df = df_1 - df_0,\quad
              p = P(\chi^2_{\Delta df} > \Delta\chi^2).

    A small p means the one-factor model fits significantly worse, i.e. one common
    factor does not account for the covariances. Only valid for plain (ML) chi-squares;
    scaled statistics (MLR, Satorra–Bentler) need a scaled difference test.

    Returns
    -------
    ChisqDifference
        ``chisq``/``df`` of model 1 and the differences.

    Raises
    ------
    DataError
        If ``df1 <= df0`` (model 1 is not more restricted) or a chi-square is negative.

    Examples
    --------
    >>> chisq_difference(312.264, 27, 85.306, 24)
    ChisqDifference(chisq=312.264, df=27, delta_chisq=226.958, delta_df=3, pvalue=6.28...e-49)
    """
    if chisq1 < 0 or chisq0 < 0:
        raise DataError(f"chisq_difference: chi-squares must be >= 0, got chisq1={chisq1}, chisq0={chisq0}")
    if int(df1) != df1 or int(df0) != df0:
        raise DataError(f"chisq_difference: degrees of freedom must be whole numbers, got df1={df1}, df0={df0}")
    delta_df = int(df1) - int(df0)
    if delta_df <= 0:
        raise DataError(
            f"chisq_difference: model 1 must be the more restricted model (df1 > df0), got df1={df1}, df0={df0}"
        )
    delta = float(chisq1) - float(chisq0)
    return ChisqDifference(
        chisq=float(chisq1),
        df=int(df1),
        delta_chisq=delta,
        delta_df=delta_df,
        pvalue=float(special.chdtrc(delta_df, delta)) if delta >= 0 else 1.0,
    )

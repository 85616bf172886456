"""Item analysis: moments, corrected item-total correlations and alpha-if-item-deleted.

Skewness and kurtosis are the bias-adjusted sample estimates G1 and G2 (Joanes &
Gill 1998, "type 2"), which SPSS, SAS and Excel report and students cite; R's
``psych::describe`` gives them with ``type = 2`` (its default ``type = 3`` differs
slightly). Kurtosis is excess kurtosis (0 for a normal distribution).

References
----------
Joanes, D. N., & Gill, C. A. (1998). Comparing measures of sample skewness and
    kurtosis. *Journal of the Royal Statistical Society D, 47*, 183–189.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from semxhs.measurement.blocks import check_item_map, item_matrix
from semxhs.measurement.reliability import cronbach_alpha
from semxhs.measurement.results import ItemRow

__all__ = ["alpha_if_deleted", "corrected_item_total", "item_moments", "item_statistics"]


def item_moments(x: ArrayLike) -> dict[str, np.ndarray]:
    r"""Mean, SD (n − 1), skewness G1 and excess kurtosis G2 of each column of ``x``.

    .. math::

        G_1 = \frac{\sqrt{n(n-1)}}{n-2}\, g_1,\qquad
        G_2 = \frac{n-1}{(n-2)(n-3)}\bigl((n+1) g_2 + 6\bigr)

    with :math:`g_1 = m_3/m_2^{3/2}`, :math:`g_2 = m_4/m_2^2 - 3` (Joanes & Gill 1998).

    Examples
    --------
    >>> m = item_moments([[1, 2], [2, 2], [3, 5], [4, 1], [5, 3]])
    >>> m["mean"], m["skew"]
    (array([3. , 2.6]), array([0. , 1.1180...]))
    """
    a = np.asarray(x, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    return {
        "mean": a.mean(axis=0),
        "sd": a.std(axis=0, ddof=1),
        "skew": skewness(a),
        "kurtosis": excess_kurtosis(a),
    }


def _central_moments(a: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = a.shape[0]
    mean = a.mean(axis=0)
    d = a - mean
    m2 = (d ** 2).mean(axis=0)
    # no variance (to the precision of the mean): skewness and kurtosis are undefined
    zero = m2 <= (np.finfo(float).resolution * mean) ** 2
    return n, m2, (d ** 3).mean(axis=0), (d ** 4).mean(axis=0), zero


def skewness(a: np.ndarray) -> np.ndarray:
    r"""Sample skewness of each column, adjusted for bias: :math:`G_1 = g_1\sqrt{n(n-1)}/(n-2)`.

    :math:`g_1 = m_3/m_2^{3/2}` from the central moments; ``nan`` for a column without
    variance, :math:`g_1` when :math:`n \le 2`. Equals ``scipy.stats.skew(bias=False)``
    and ``psych::describe(type = 2)`` (Joanes & Gill 1998, type 2).

    Examples
    --------
    >>> skewness(np.array([[1.0], [2.0], [3.0], [10.0]])).round(4)
    array([1.7636])
    """
    n, m2, m3, _, zero = _central_moments(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        g1 = np.where(zero, np.nan, m3 / m2 ** 1.5)
        if n > 2:
            g1 = np.where(zero, g1, g1 * np.sqrt((n - 1.0) * n) / (n - 2.0))
    return np.atleast_1d(g1)


def excess_kurtosis(a: np.ndarray) -> np.ndarray:
    r"""Sample excess kurtosis of each column, adjusted for bias (:math:`G_2`, type 2).

    :math:`G_2 = \frac{(n^2-1)\,m_4/m_2^2 - 3(n-1)^2}{(n-2)(n-3)}`; ``nan`` for a column
    without variance, :math:`m_4/m_2^2 - 3` when :math:`n \le 3`. Equals
    ``scipy.stats.kurtosis(fisher=True, bias=False)`` and ``psych::describe(type = 2)``.

    Examples
    --------
    >>> excess_kurtosis(np.array([[1.0], [2.0], [3.0], [10.0]])).round(4)
    array([3.228])
    """
    n, m2, _, m4, zero = _central_moments(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = np.where(zero, np.nan, m4 / m2 ** 2)
        if n > 3:
            adjusted = ((n * n - 1.0) * g2 - 3.0 * (n - 1.0) ** 2) / ((n - 2.0) * (n - 3.0)) + 3.0
            g2 = np.where(zero, g2, adjusted)
    return np.atleast_1d(g2 - 3.0)


def corrected_item_total(x: ArrayLike) -> np.ndarray:
    r"""Corrected item-total correlation: each item with the sum of the *other* items.

    .. math:: r_{j,(T-j)} = \operatorname{cor}\bigl(x_j, \textstyle\sum_{i \ne j} x_i\bigr)

    psych::alpha's ``r.drop``; SPSS's "Corrected Item-Total Correlation".

    Examples
    --------
    >>> corrected_item_total([[1, 2, 1], [2, 2, 3], [3, 4, 3], [4, 5, 5]])
    array([0.9943..., 0.8852..., 0.8894...])
    """
    a = np.asarray(x, dtype=float)
    s = np.cov(a, rowvar=False)
    total_cov = s.sum(axis=1)  # cov(x_j, T)
    rest_cov = total_cov - np.diag(s)  # cov(x_j, T - x_j)
    rest_var = s.sum() - 2 * total_cov + np.diag(s)  # var(T - x_j)
    return rest_cov / np.sqrt(np.diag(s) * rest_var)


def alpha_if_deleted(x: ArrayLike) -> np.ndarray:
    """Cronbach's alpha of the block without each item in turn (psych's ``alpha.drop``).

    ``nan`` for a two-item block, where one item is left and alpha is undefined.

    Examples
    --------
    >>> alpha_if_deleted([[1, 2, 1], [2, 2, 3], [3, 4, 3], [4, 5, 5]])
    array([0.8971..., 0.96 , 0.9670...])
    """
    s = np.cov(np.asarray(x, dtype=float), rowvar=False)
    k = s.shape[0]
    if k < 3:
        return np.full(k, np.nan)
    keep = ~np.eye(k, dtype=bool)
    return np.array([cronbach_alpha(s[np.ix_(keep[j], keep[j])]) for j in range(k)])


def item_statistics(
    data: pd.DataFrame,
    blocks: Mapping[str, Sequence[str]],
    loadings_std: Mapping[str, Mapping[str, float]],
) -> tuple[ItemRow, ...]:
    """Item table for blocks of ≥ 2 items: moments, standardized loading, item-total r, alpha-if-deleted.

    Parameters
    ----------
    data : pandas.DataFrame
        Listwise-complete item responses.
    blocks : mapping of str to sequence of str
        ``{factor: [items]}``, each with at least two items (see :func:`check_blocks`).
    loadings_std : mapping
        ``{factor: {item: λ}}`` completely standardized loadings.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 4, 5]})
    >>> rows = item_statistics(df, {"F": ["a", "b"]}, {"F": {"a": 0.8, "b": 0.9}})
    >>> rows[0].item, rows[0].loading_std, rows[0].item_total_r
    ('a', 0.8, 0.9467...)
    """
    out: list[ItemRow] = []
    for factor, items in blocks.items():
        x = item_matrix(data, items)
        lam = check_item_map(loadings_std.get(factor, {}), items, argument="loadings_std", factor=factor)
        m = item_moments(x)
        r_drop = corrected_item_total(x)
        a_drop = alpha_if_deleted(x)
        for j, item in enumerate(items):
            out.append(
                ItemRow(
                    item=item,
                    factor=factor,
                    mean=float(m["mean"][j]),
                    sd=float(m["sd"][j]),
                    skew=float(m["skew"][j]),
                    kurtosis=float(m["kurtosis"][j]),
                    loading_std=float(lam[j]),
                    item_total_r=float(r_drop[j]),
                    alpha_if_deleted=float(a_drop[j]),
                )
            )
    return tuple(out)

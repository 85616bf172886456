r"""Sampling adequacy and factorability: Kaiser–Meyer–Olkin (KMO) and Bartlett's sphericity test.

.. math::

    \mathrm{MSA}_j = \frac{\sum_{i\ne j} r_{ij}^2}{\sum_{i\ne j} r_{ij}^2 + \sum_{i\ne j} q_{ij}^2},
    \qquad
    \chi^2 = -\Bigl(n - 1 - \frac{2p+5}{6}\Bigr)\ln\lvert R\rvert,\quad df = \frac{p(p-1)}{2},

with :math:`q_{ij} = -R^{-1}_{ij}/\sqrt{R^{-1}_{ii}R^{-1}_{jj}}` the partial (anti-image)
correlations; the overall KMO sums over all :math:`i \ne j`.

Why computed here rather than with ``factor_analyzer`` (the field's Python library, which
semxhs used before): both statistics are a few lines of linear algebra on the item
correlation matrix and take microseconds, while importing ``factor_analyzer`` imports
scikit-learn (about 1 s, most of the cost of the measurement section of a default
``semxhs fit``), and KMO and Bartlett are part of every default run, so deferring the
import would not save it. The reference tests check both against ``psych::KMO`` and
``psych::cortest.bartlett`` (tests/fixtures/measurement/factorability/).

References
----------
Kaiser, H. F. (1974). An index of factorial simplicity. *Psychometrika, 39*, 31–36.
Bartlett, M. S. (1951). The effect of standardization on a χ² approximation in
    factor analysis. *Biometrika, 38*, 337–344.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special  # scipy.special, not scipy.stats: stats costs ~0.5 s to import

from semxhs.errors import DataError, name_list
from semxhs.measurement.blocks import item_matrix
from semxhs.measurement.results import BartlettResult, KMOResult

__all__ = ["bartlett_sphericity", "bartlett_statistic", "kmo", "kmo_from_corr"]


def _items(data: pd.DataFrame, items: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    cols = [str(c) for c in data.columns] if items is None else [str(i) for i in items]
    missing = [c for c in cols if c not in set(map(str, data.columns))]
    if missing:
        raise DataError(f"items: not columns of the data: {name_list(missing)}")
    x = item_matrix(data, cols)
    if x.shape[1] < 2:
        raise DataError(f"items: KMO and Bartlett's test need at least 2 items, got {x.shape[1]}")
    if x.shape[0] <= x.shape[1]:
        raise DataError(
            f"data: KMO and Bartlett's test need more respondents than items, got n={x.shape[0]} for {x.shape[1]} items"
        )
    const = [c for c, s in zip(cols, x.std(axis=0)) if s == 0]
    if const:
        raise DataError(f"data: items without variance (every answer the same): {name_list(const)}")
    return x, cols


def kmo(data: pd.DataFrame, items: Sequence[str] | None = None) -> KMOResult:
    """Kaiser–Meyer–Olkin measure of sampling adequacy, overall and per item (MSA).

    Parameters
    ----------
    data : pandas.DataFrame
        Listwise-complete item responses.
    items : sequence of str, optional
        Columns to use (default: all).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(500, 1))
    >>> df = pd.DataFrame(f + rng.normal(size=(500, 4)), columns=["a", "b", "c", "d"])
    >>> res = kmo(df)
    >>> round(res.overall, 2), sorted(res.items)
    (0.8, ['a', 'b', 'c', 'd'])
    """
    x, cols = _items(data, items)
    per_item, overall = kmo_from_corr(np.corrcoef(x, rowvar=False))
    return KMOResult(overall=overall, items={c: float(v) for c, v in zip(cols, per_item)})


def kmo_from_corr(r: np.ndarray) -> tuple[np.ndarray, float]:
    """KMO per item (MSA) and overall from a correlation matrix (``psych::KMO``).

    The anti-image uses the inverse of ``r``; a singular ``r`` (an item a linear
    combination of others) falls back to the Moore–Penrose pseudo-inverse.

    Returns
    -------
    (msa, overall) : ndarray (p,) and float

    Examples
    --------
    >>> r = np.array([[1.0, 0.5, 0.4], [0.5, 1.0, 0.3], [0.4, 0.3, 1.0]])
    >>> msa, overall = kmo_from_corr(r)
    >>> msa.round(4).tolist(), round(overall, 4)
    ([0.5938, 0.6241, 0.6994], 0.6279)
    """
    r = np.asarray(r, dtype=float)
    try:
        inv = np.linalg.inv(r)
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(r, hermitian=True)
    d = np.sqrt(np.diag(inv))
    partial = inv / np.outer(d, d)
    off = ~np.eye(len(r), dtype=bool)
    r2 = np.where(off, r * r, 0.0)
    q2 = np.where(off, partial * partial, 0.0)
    msa = r2.sum(axis=0) / (r2.sum(axis=0) + q2.sum(axis=0))
    overall = float(r2.sum() / (r2.sum() + q2.sum()))
    return msa, overall


def bartlett_statistic(log_det_r: float, n: int, p: int) -> tuple[float, int, float]:
    r"""Bartlett's (1951) sphericity statistic from :math:`\ln|R|`, n and p.

    Returns ``(chisq, df, pvalue)`` with
    :math:`\chi^2 = -(n - 1 - (2p+5)/6)\ln|R|` on :math:`p(p-1)/2` df.

    Examples
    --------
    >>> chisq, df, p = bartlett_statistic(np.log(0.5), n=101, p=3)
    >>> round(chisq, 4), df
    (68.0439, 3)
    """
    chisq = -(n - 1 - (2 * p + 5) / 6) * log_det_r
    df = p * (p - 1) // 2
    return float(chisq), int(df), float(special.chdtrc(df, chisq))


def bartlett_sphericity(data: pd.DataFrame, items: Sequence[str] | None = None) -> BartlettResult:
    """Bartlett's test of sphericity (H0: the item correlation matrix is the identity).

    Equals ``psych::cortest.bartlett(cor(x), n = nrow(x))`` (:func:`bartlett_statistic`).

    Raises
    ------
    DataError
        If the item correlation matrix is singular (an item is a linear combination of
        others), where the statistic is undefined.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(500, 1))
    >>> df = pd.DataFrame(f + rng.normal(size=(500, 4)), columns=["a", "b", "c", "d"])
    >>> res = bartlett_sphericity(df)
    >>> res.df, res.n, res.pvalue < 0.001
    (6, 500, True)
    """
    x, cols = _items(data, items)
    sign, _ = np.linalg.slogdet(np.corrcoef(x, rowvar=False))
    if sign <= 0:
        r = np.corrcoef(x, rowvar=False)
        dup = [f"{cols[i]}~{cols[j]}" for i in range(len(cols)) for j in range(i + 1, len(cols))
               if abs(r[i, j]) > 1 - 1e-10]
        which = f"; perfectly correlated: {name_list(dup)}" if dup else ""
        raise DataError(
            "data: the item correlation matrix is singular (some item is a linear combination of others"
            f"{which}); Bartlett's test is undefined"
        )
    n, p = x.shape
    chisq, df, pvalue = bartlett_statistic(float(np.linalg.slogdet(np.corrcoef(x, rowvar=False))[1]), n, p)
    return BartlettResult(chisq=chisq, df=df, pvalue=pvalue, n=n)

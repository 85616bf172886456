"""Missing data: how much is missing, in which patterns, and Little's MCAR test.

Little's (1988) test compares the observed means of each missing-data pattern with the
maximum-likelihood means of all data (estimated by EM under multivariate normality)::

    d² = Σ_j n_j (ȳ_j − μ̂_j)ᵀ Σ̂_j⁻¹ (ȳ_j − μ̂_j),   df = Σ_j p_j − p

where pattern ``j`` has ``n_j`` rows observing ``p_j`` of the ``p`` variables and
``μ̂_j``, ``Σ̂_j`` are the EM estimates restricted to those variables. Under MCAR d² is
asymptotically χ²(df). Rows missing every variable are left out (as in
``naniar::mcar_test``).

References
----------
Little, R. J. A. (1988). A test of missing completely at random for multivariate data
with missing values. *Journal of the American Statistical Association*, 83(404), 1198–1202.
Dempster, A. P., Laird, N. M., & Rubin, D. B. (1977). Maximum likelihood from incomplete
data via the EM algorithm. *JRSS B*, 39(1), 1–38.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from semxhs.errors import DataError, name_list
from semxhs.messages import json_safe
from semxhs.sem.fiml import EMEstimates, em_mvn

__all__ = [
    "EMEstimates",
    "LittleMCAR",
    "MissingnessResult",
    "em_mvn",
    "little_mcar",
    "mcar_test",
    "missingness",
]

#: Columns of :meth:`MissingnessResult.to_frame`.
MISSING_COLUMNS = ("item", "n", "n_missing", "pct_missing")


def _numeric(frame: pd.DataFrame, items: Sequence[str], who: str) -> np.ndarray:
    absent = [i for i in items if i not in frame.columns]
    if absent:
        raise DataError(f"{who}: items not in the data: {name_list(absent)}")
    block = frame.loc[:, list(items)]
    bad = [c for c in block.columns
           if not pd.api.types.is_numeric_dtype(block[c]) or pd.api.types.is_bool_dtype(block[c])]
    if bad:
        raise DataError(f"{who}: items must be numeric (code the answers first); not numeric: {name_list(bad)}")
    return block.to_numpy(dtype=float)


@dataclass(frozen=True)
class MissingnessResult:
    """Missing values per item and overall, and the missing-data patterns.

    Attributes
    ----------
    items : tuple of str
    n_missing : tuple of int
        Missing cells per item.
    n_rows, n_complete_rows : int
        Rows, and rows with every item answered.
    patterns : tuple of (str, int)
        ``("1101", n)``: 1 = observed, 0 = missing, items in order; most frequent first.
    """

    items: tuple[str, ...]
    n_missing: tuple[int, ...]
    n_rows: int
    n_complete_rows: int
    patterns: tuple[tuple[str, int], ...]

    @property
    def n_missing_cells(self) -> int:
        return int(sum(self.n_missing))

    @property
    def pct_missing_cells(self) -> float:
        """Percentage of item cells missing (0–100)."""
        cells = self.n_rows * len(self.items)
        return 100.0 * self.n_missing_cells / cells if cells else math.nan

    @property
    def pct_complete_rows(self) -> float:
        return 100.0 * self.n_complete_rows / self.n_rows if self.n_rows else math.nan

    def to_frame(self) -> pd.DataFrame:
        """One row per item, columns :data:`MISSING_COLUMNS` (percentages 0–100)."""
        return pd.DataFrame({
            "item": list(self.items),
            "n": [self.n_rows - m for m in self.n_missing],
            "n_missing": list(self.n_missing),
            "pct_missing": [100.0 * m / self.n_rows if self.n_rows else math.nan for m in self.n_missing],
        }, columns=list(MISSING_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_rows": self.n_rows,
            "n_complete_rows": self.n_complete_rows,
            "pct_complete_rows": json_safe(self.pct_complete_rows),
            "n_missing_cells": self.n_missing_cells,
            "pct_missing_cells": json_safe(self.pct_missing_cells),
            "items": {i: {"n_missing": m, "pct_missing": json_safe(100.0 * m / self.n_rows if self.n_rows else math.nan)}
                      for i, m in zip(self.items, self.n_missing)},
            "patterns": [{"pattern": p, "n": n} for p, n in self.patterns],
        }


def missingness(frame: pd.DataFrame, items: Sequence[str]) -> MissingnessResult:
    """Count missing values per item, complete rows and missing-data patterns.

    Examples
    --------
    >>> m = missingness(pd.DataFrame({"a": [1, None, 3, 4], "b": [1, 2, None, 4]}), ["a", "b"])
    >>> m.n_missing, m.n_complete_rows, m.pct_missing_cells, m.patterns
    ((1, 1), 2, 25.0, (('11', 2), ('10', 1), ('01', 1)))
    """
    items = tuple(items)
    x = _numeric(frame, items, "missingness")
    observed = np.isfinite(x)
    codes = ["".join("1" if o else "0" for o in row) for row in observed]
    counts = pd.Series(codes, dtype=object).value_counts(sort=False)
    patterns = sorted(((str(k), int(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], [-int(c) for c in kv[0]]))
    return MissingnessResult(
        items=items,
        n_missing=tuple(int(v) for v in (~observed).sum(axis=0)),
        n_rows=int(x.shape[0]),
        n_complete_rows=int(observed.all(axis=1).sum()),
        patterns=tuple(patterns),
    )


@dataclass(frozen=True)
class LittleMCAR:
    """Little's (1988) MCAR test.

    ``pvalue`` is ``nan`` when there is a single pattern (df = 0: nothing to compare).
    """

    chisq: float
    df: int
    pvalue: float
    n: int
    n_patterns: int
    n_empty_dropped: int
    em_iterations: int
    em_converged: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "test": "Little's MCAR test (Little, 1988)",
            "chisq": json_safe(self.chisq),
            "df": self.df,
            "pvalue": json_safe(self.pvalue),
            "n": self.n,
            "n_patterns": self.n_patterns,
            "n_empty_dropped": self.n_empty_dropped,
            "em_iterations": self.em_iterations,
            "em_converged": self.em_converged,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row: ``chisq, df, pvalue, n, n_patterns``."""
        return pd.DataFrame([{k: getattr(self, k) for k in ("chisq", "df", "pvalue", "n", "n_patterns")}])


def little_mcar(values: np.ndarray, *, tol: float = 1e-12, max_iter: int = 10_000) -> LittleMCAR:
    """Little's MCAR test on a numeric array (``nan`` = missing).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=(200, 3))
    >>> x[rng.random((200, 3)) < 0.1] = np.nan
    >>> res = little_mcar(x)
    >>> res.df, res.n_patterns, res.pvalue > 0.05
    (8, 6, True)
    """
    x = np.asarray(values, dtype=float)
    observed = np.isfinite(x)
    empty = ~observed.any(axis=1)
    x, observed = x[~empty], observed[~empty]
    n, p = x.shape
    if n <= p:
        raise DataError(f"Little's MCAR test: {n} rows with any answer for {p} variables; too few")
    est = em_mvn(x, tol=tol, max_iter=max_iter)
    keys, inverse = np.unique(observed, axis=0, return_inverse=True)
    d2 = 0.0
    df = 0
    for g, obs in enumerate(keys):
        rows = np.flatnonzero(inverse.ravel() == g)
        diff = x[np.ix_(rows, obs)].mean(axis=0) - est.mean[obs]
        sigma = est.cov[np.ix_(obs, obs)]
        d2 += len(rows) * float(diff @ np.linalg.solve(sigma, diff))
        df += int(obs.sum())
    df -= p
    pvalue = float(stats.chi2.sf(d2, df)) if df > 0 else math.nan
    return LittleMCAR(chisq=d2, df=df, pvalue=pvalue, n=n, n_patterns=len(keys),
                      n_empty_dropped=int(empty.sum()), em_iterations=est.iterations,
                      em_converged=est.converged)


def mcar_test(frame: pd.DataFrame, items: Sequence[str]) -> LittleMCAR:
    """:func:`little_mcar` on the ``items`` columns of ``frame``."""
    return little_mcar(_numeric(frame, tuple(items), "Little's MCAR test"))

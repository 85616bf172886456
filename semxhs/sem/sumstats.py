"""Sample moments from summary statistics: a published covariance or correlation table.

Papers print means, standard deviations and a correlation matrix, not raw data. lavaan
fits a model to them with ``sem(model, sample.cov = S, sample.nobs = N)``; this module
prepares the same input for :func:`semxhs.sem.model.fit`:

* :func:`covariance_from_correlation` is lavaan's ``cor2cov(R, sds)`` = diag(sd) R diag(sd);
* :func:`check_correlation` and :func:`check_covariance` refuse what cannot be a sample
  matrix (asymmetric, a correlation outside [-1, 1] or a diagonal other than 1, a
  non-positive-definite matrix), naming the offending cells;
* :func:`summary_moments` orders the matrix as the model's observed variables (extra
  variables are left out, missing ones named) and turns the unbiased (N - 1) matrix into
  the ML moments with divisor N, as lavaan does (``sample.cov.rescale = TRUE``):
  S_ML = S (N - 1) / N. With this convention the fit from ``cov()`` of a data set equals the
  fit from the raw data exactly.

Pure functions of arrays and labelled frames; reading the CSV files is
:mod:`semxhs.survey.matrices`' job.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from semxhs.errors import DataError, name_list
from semxhs.sem.estimate import Moments

#: Largest |S - S'| (relative to the largest variance) still taken for rounding, not asymmetry.
SYMMETRY_TOLERANCE = 1e-8


def _cells(frame: pd.DataFrame, mask: np.ndarray, limit: int = 3) -> str:
    rows, cols = np.nonzero(mask)
    pairs = [(frame.index[i], frame.columns[j]) for i, j in zip(rows, cols) if i >= j] or \
        [(frame.index[i], frame.columns[j]) for i, j in zip(rows, cols)]
    shown = ", ".join(f"{a}/{b}" for a, b in pairs[:limit])
    return shown + (f" and {len(pairs) - limit} more" if len(pairs) > limit else "")


def _square(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    if frame.shape[0] != frame.shape[1]:
        raise DataError(f"the {what} matrix is not square: {frame.shape[0]} rows, {frame.shape[1]} columns")
    rows, cols = [str(v) for v in frame.index], [str(v) for v in frame.columns]
    if rows != cols:
        raise DataError(f"the {what} matrix's row names ({name_list(rows, 4)}) are not its column names "
                        f"({name_list(cols, 4)}) in the same order")
    dup = sorted({v for v in rows if rows.count(v) > 1})
    if dup:
        raise DataError(f"the {what} matrix names a variable twice: {name_list(dup)}")
    values = frame.to_numpy(dtype=float)
    if not np.all(np.isfinite(values)):
        raise DataError(f"the {what} matrix has empty or non-numeric cells: {_cells(frame, ~np.isfinite(values))}")
    return pd.DataFrame(values, index=rows, columns=cols)


def check_covariance(frame: pd.DataFrame, what: str = "covariance") -> pd.DataFrame:
    """Check a labelled covariance matrix: square, same names on rows and columns, symmetric, PD.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows and columns named by the variables.
    what : str
        The matrix's name in messages.

    Returns
    -------
    pandas.DataFrame
        The matrix as floats, made exactly symmetric (the mean of S and S').

    Raises
    ------
    DataError
        Naming the first offending cells (asymmetric, non-numeric, non-positive variance)
        or saying the matrix is not positive definite.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame([[2.0, 0.5], [0.5, 1.0]], index=["a", "b"], columns=["a", "b"])
    >>> float(check_covariance(s).loc["a", "b"])
    0.5
    >>> check_covariance(pd.DataFrame([[1.0, 2.0], [2.0, 1.0]], index=["a", "b"], columns=["a", "b"]))
    Traceback (most recent call last):
    ...
    semxhs.errors.DataError: the covariance matrix is not positive definite (smallest eigenvalue -1): ...
    """
    frame = _square(frame, what)
    values = frame.to_numpy()
    scale = max(float(np.max(np.abs(np.diag(values)))), 1e-300)
    asym = np.abs(values - values.T) > SYMMETRY_TOLERANCE * scale
    if asym.any():
        raise DataError(f"the {what} matrix is not symmetric: cells {_cells(frame, np.triu(asym, 1))} differ "
                        "from their mirror cells (give a full symmetric matrix or only the lower triangle)")
    bad_var = [v for v, d in zip(frame.index, np.diag(values)) if not d > 0]
    if bad_var:
        raise DataError(f"the {what} matrix has variances that are not positive: {name_list(bad_var)}")
    values = (values + values.T) / 2
    smallest = float(np.linalg.eigvalsh(values).min())
    if not smallest > 0:
        raise DataError(f"the {what} matrix is not positive definite (smallest eigenvalue {smallest:.3g}): "
                        "a variable is a linear combination of others, or the table has a typo")
    return pd.DataFrame(values, index=frame.index, columns=frame.columns)


def check_correlation(frame: pd.DataFrame) -> pd.DataFrame:
    """Check a labelled correlation matrix: symmetric, unit diagonal, every r in [-1, 1], PD.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame([[1.0, 1.2], [1.2, 1.0]], index=["a", "b"], columns=["a", "b"])
    >>> check_correlation(r)
    Traceback (most recent call last):
    ...
    semxhs.errors.DataError: the correlation matrix has correlations outside [-1, 1]: b/a (1.2)
    """
    frame = _square(frame, "correlation")
    values = frame.to_numpy()
    outside = np.abs(values) > 1 + 1e-12
    if outside.any():
        rows, cols = np.nonzero(np.tril(outside))
        shown = ", ".join(f"{frame.index[i]}/{frame.columns[j]} ({values[i, j]:g})" for i, j in zip(rows, cols))
        raise DataError(f"the correlation matrix has correlations outside [-1, 1]: {shown}")
    diag = [v for v, d in zip(frame.index, np.diag(values)) if abs(d - 1) > 1e-12]
    if diag:
        raise DataError(f"the correlation matrix's diagonal must be 1: {name_list(diag)}")
    return check_covariance(frame, "correlation")


def covariance_from_correlation(cor: pd.DataFrame, sd: pd.Series) -> pd.DataFrame:
    """lavaan's ``cor2cov(R, sds)``: diag(sd) R diag(sd), the SDs matched by name.

    Parameters
    ----------
    cor : pandas.DataFrame
        Labelled correlation matrix (checked by :func:`check_correlation`).
    sd : pandas.Series
        Standard deviations indexed by variable name (the N - 1 ones papers print).

    Raises
    ------
    DataError
        A variable of the matrix without an SD, or an SD that is not a positive number.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame([[1.0, 0.5], [0.5, 1.0]], index=["a", "b"], columns=["a", "b"])
    >>> float(covariance_from_correlation(r, pd.Series({"a": 2.0, "b": 3.0})).loc["a", "b"])
    3.0
    >>> covariance_from_correlation(r, pd.Series({"a": 2.0}))
    Traceback (most recent call last):
    ...
    semxhs.errors.DataError: no standard deviation for 'b' of the correlation matrix
    """
    cor = check_correlation(cor)
    sd = pd.Series(sd, dtype=float)
    sd.index = [str(v) for v in sd.index]
    absent = [v for v in cor.index if v not in sd.index or not np.isfinite(sd[v])]
    if absent:
        raise DataError(f"no standard deviation for {name_list(absent)} of the correlation matrix")
    values = sd[list(cor.index)].to_numpy(dtype=float)
    bad = [v for v, s in zip(cor.index, values) if not s > 0]
    if bad:
        raise DataError(f"standard deviations must be positive: {name_list(bad)}")
    cov = cor.to_numpy() * np.outer(values, values)
    return pd.DataFrame(cov, index=cor.index, columns=cor.columns)


def summary_moments(cov: pd.DataFrame, nobs: int, observed: tuple[str, ...],
                    mean: pd.Series | None = None) -> Moments:
    """ML sample moments of the model's observed variables from an (N - 1) covariance matrix.

    Parameters
    ----------
    cov : pandas.DataFrame
        Labelled unbiased covariance matrix (divisor N - 1, as R's ``cov()`` and papers);
        may hold more variables than the model.
    nobs : int
        Sample size N.
    observed : tuple of str
        The model's observed variables, in the model's order.
    mean : pandas.Series, optional
        Sample means by variable name (for a mean structure).

    Returns
    -------
    Moments
        ``cov`` = S (N - 1) / N (lavaan's ``sample.cov.rescale``), ``mean`` (zeros when not
        given), ``n`` = N.

    Raises
    ------
    DataError
        N not a whole number larger than the number of model variables; model variables
        absent from the matrix or the means (all named); a matrix that fails
        :func:`check_covariance`.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame([[2.0, 0.5], [0.5, 1.0]], index=["a", "b"], columns=["a", "b"])
    >>> m = summary_moments(s, 11, ("b", "a"))
    >>> m.cov.tolist(), m.n
    ([[0.9090909090909091, 0.45454545454545453], [0.45454545454545453, 1.8181818181818181]], 11)
    """
    if isinstance(nobs, bool) or not isinstance(nobs, (int, np.integer)) or nobs <= len(observed):
        raise DataError(f"the sample size N must be a whole number larger than the {len(observed)} model "
                        f"variables, got {nobs!r}")
    cov = check_covariance(cov)
    absent = [v for v in observed if v not in cov.index]
    if absent:
        raise DataError(f"some observed variables in the model are not in the covariance matrix: "
                        f"{name_list(absent)} (the matrix has {name_list(cov.index, 6)})")
    sub = cov.loc[list(observed), list(observed)].to_numpy()
    sub = check_covariance(pd.DataFrame(sub, index=list(observed), columns=list(observed))).to_numpy()
    n = int(nobs)
    s_ml = sub * (n - 1) / n
    if mean is None:
        mu = np.zeros(len(observed))
    else:
        mean = pd.Series(mean, dtype=float)
        mean.index = [str(v) for v in mean.index]
        gone = [v for v in observed if v not in mean.index or not np.isfinite(mean[v])]
        if gone:
            raise DataError(f"no sample mean for {name_list(gone)}")
        mu = mean[list(observed)].to_numpy(dtype=float)
    sign, logdet = np.linalg.slogdet(s_ml)
    return Moments(cov=s_ml, mean=mu, n=n, logdet=float(logdet) if sign > 0 else float("nan"))

"""Published summary statistics as files: covariance or correlation matrices, SDs, means.

A paper's table becomes a CSV (or Excel) file the way R's ``write.csv`` writes a matrix:
variable names in the header and in the first column; the full matrix, or only the lower
triangle with the cells above the diagonal left empty (as papers print it; the upper
triangle alone is accepted too). SDs and means are a two-column file (name, value), as
``write.csv(data.frame(variable, sd))`` writes it, or one row of values under a header of
names.

:func:`load_summary` reads the files named by ``semxhs fit --cov/--cor/--sd/--means`` or a
study's ``summary:`` key into :class:`SummaryStatistics`: the unbiased (N - 1) covariance
matrix (from ``--cor`` and ``--sd`` by lavaan's ``cor2cov``), N and the means, checked by
:mod:`semxhs.sem.sumstats`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from semxhs.errors import DataError, InputFileError
from semxhs.sem.sumstats import check_covariance, covariance_from_correlation
from semxhs.survey.files import read_table

#: What a fit from summary statistics cannot do (codes; the report words them).
RULED_OUT = ("bootstrap", "fiml", "robust", "item_reliability", "screening")


def _label_column(frame: pd.DataFrame) -> bool:
    first = frame.columns[0]
    unnamed = str(first).startswith("Unnamed") or str(first).strip() in ("", "variable", "name", "rowname")
    return unnamed or not pd.api.types.is_numeric_dtype(frame.iloc[:, 0])


def _numeric(frame: pd.DataFrame, path: Path, what: str) -> pd.DataFrame:
    out = frame.apply(pd.to_numeric, errors="coerce")
    bad = frame.notna() & out.isna()
    if bad.to_numpy().any():
        i, j = (int(v[0]) for v in np.nonzero(bad.to_numpy()))
        raise DataError(f"{what} file {path.name}: cell {frame.index[i]}/{frame.columns[j]} is not a number: "
                        f"'{frame.iat[i, j]}'")
    return out.astype(float)


def read_matrix(path: str | Path, what: str = "covariance", encoding: str | None = None) -> pd.DataFrame:
    """Read a labelled square matrix, full or one triangle, into a full symmetric frame.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (UTF-8 or GBK) or ``.xlsx``; names in the header and the first column.
    what : str
        ``"covariance"`` or ``"correlation"`` (for messages).
    encoding : str, optional
        CSV encoding (detected when not given).

    Returns
    -------
    pandas.DataFrame
        Rows and columns named by the variables; empty upper (or lower) cells filled from
        the mirror cells. Not yet checked for symmetry or definiteness
        (:mod:`semxhs.sem.sumstats` does that).

    Raises
    ------
    InputFileError, DataError
    """
    path = Path(path)
    frame = read_table(path, encoding)
    if frame.shape[1] < 2 or not _label_column(frame):
        raise DataError(f"{what} file {path.name}: expected variable names in the first column and the header "
                        "(as R's write.csv writes a matrix)")
    names = [str(v).strip() for v in frame.iloc[:, 0]]
    body = frame.iloc[:, 1:]
    body.index = names
    body.columns = [str(c).strip() for c in body.columns]
    if body.shape[0] != body.shape[1]:
        raise DataError(f"{what} file {path.name}: the matrix is not square ({body.shape[0]} rows, "
                        f"{body.shape[1]} columns)")
    if list(body.index) != list(body.columns):
        raise DataError(f"{what} file {path.name}: the row names are not the column names in the same order")
    values = _numeric(body, path, what).to_numpy()
    empty = np.isnan(values)
    upper, lower = np.triu(np.ones_like(values, dtype=bool), 1), np.tril(np.ones_like(values, dtype=bool), -1)
    if empty[upper].all() and not empty[lower].any():
        values = np.where(upper, values.T, values)
    elif empty[lower].all() and not empty[upper].any():
        values = np.where(lower, values.T, values)
    if np.isnan(values).any():
        i, j = (int(v[0]) for v in np.nonzero(np.isnan(values)))
        raise DataError(f"{what} file {path.name}: empty cell {body.index[i]}/{body.columns[j]} (give the full "
                        "matrix or one whole triangle with its diagonal)")
    return pd.DataFrame(values, index=body.index, columns=body.columns)


def read_vector(path: str | Path, what: str = "sd", encoding: str | None = None) -> pd.Series:
    """Read SDs or means: two columns (name, value) or one row of values under a header of names.

    Raises
    ------
    InputFileError, DataError
    """
    path = Path(path)
    frame = read_table(path, encoding)
    if frame.shape[1] == 2 and _label_column(frame) and len(frame) >= 1:
        names = [str(v).strip() for v in frame.iloc[:, 0]]
        values = frame.iloc[:, [1]]
        values.index = names
    elif len(frame) == 1:
        values = frame.T
        values.index = [str(c).strip() for c in frame.columns]
    else:
        raise DataError(f"{what} file {path.name}: expected two columns (variable, value) or one row of values "
                        "under a header of variable names")
    series = _numeric(values, path, what).iloc[:, 0]
    series.name = what
    dup = sorted({v for v in series.index if list(series.index).count(v) > 1})
    if dup:
        raise DataError(f"{what} file {path.name}: a variable appears twice: {', '.join(dup)}")
    return series


@dataclass(frozen=True)
class SummaryStatistics:
    """A sample given by its moments instead of its rows (lavaan's sample.cov/sample.nobs/sample.mean).

    Attributes
    ----------
    cov : pandas.DataFrame
        Unbiased (N - 1) covariance matrix, labelled.
    nobs : int
        Sample size N.
    mean : pandas.Series or None
        Sample means by name, for a mean structure.
    source : dict
        The files read (``cov`` or ``cor`` + ``sd``, ``means``): what the report cites.
    """

    cov: pd.DataFrame
    nobs: int
    mean: pd.Series | None = None
    source: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """``"cov"`` or ``"cor_sd"``: what the paper's table was."""
        return "cor_sd" if "cor" in self.source else "cov"

    def to_dict(self) -> dict[str, Any]:
        """JSON record (``sample`` key of the results)."""
        return {"source": "summary_statistics", "kind": self.kind, "nobs": self.nobs,
                "variables": list(self.cov.index), "means": self.mean is not None,
                "files": dict(self.source), "ruled_out": list(RULED_OUT)}


def load_summary(*, nobs: int | None, cov: str | Path | None = None, cor: str | Path | None = None,
                 sd: str | Path | None = None, means: str | Path | None = None,
                 encoding: str | None = None) -> SummaryStatistics:
    """Read ``--cov`` (or ``--cor`` with ``--sd``), ``--nobs`` and optional ``--means``.

    Raises
    ------
    DataError
        A missing N or SD file, both or neither of cov and cor, and everything
        :func:`read_matrix`, :func:`~semxhs.sem.sumstats.check_covariance` and
        :func:`~semxhs.sem.sumstats.covariance_from_correlation` refuse.
    """
    if (cov is None) == (cor is None):
        raise DataError("give a covariance matrix (--cov) or a correlation matrix with SDs (--cor and --sd), "
                        "one of the two")
    if nobs is None:
        raise DataError("summary statistics need the sample size: give --nobs N (summary: nobs)")
    if isinstance(nobs, bool) or not isinstance(nobs, (int, np.integer)) or nobs < 2:
        raise DataError(f"the sample size must be a whole number >= 2, got {nobs!r}")
    source: dict[str, str] = {}
    if cov is not None:
        if sd is not None:
            raise DataError("--sd goes with --cor; a covariance matrix (--cov) already holds the variances")
        matrix = check_covariance(read_matrix(cov, "covariance", encoding))
        source["cov"] = str(cov)
    else:
        if sd is None:
            raise DataError("a correlation matrix (--cor) needs the standard deviations (--sd FILE)")
        matrix = covariance_from_correlation(read_matrix(cor, "correlation", encoding),  # type: ignore[arg-type]
                                             read_vector(sd, "sd", encoding))
        source["cor"], source["sd"] = str(cor), str(sd)
    mean = None
    if means is not None:
        mean = read_vector(means, "means", encoding)
        source["means"] = str(means)
    for key, value in source.items():
        if not Path(value).is_file():
            raise InputFileError(f"{key} file not found: {value}")
    return SummaryStatistics(cov=matrix, nobs=int(nobs), mean=mean, source=source)

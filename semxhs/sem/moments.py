"""The model's columns of a data frame: observed product terms and the numeric matrix the estimator fits.

The estimator's only contact with a data frame: :func:`model_columns` checks the observed
variables (all present, numeric, not constant), drops incomplete rows under listwise
deletion and hands back a plain array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from semxhs.errors import DataError, name_list


@dataclass(frozen=True)
class ModelData:
    """The complete rows of the model's observed variables."""

    values: np.ndarray  # (n, p)
    columns: tuple[str, ...]
    n_total: int
    n_dropped: int


def add_products(frame: pd.DataFrame, products: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """Add the product column ``X:W`` for each observed product term ``X:W`` (as lavaan does).

    Examples
    --------
    >>> import pandas as pd
    >>> add_products(pd.DataFrame({"X": [1, 2], "W": [3, 4]}), (("X", "W"),))["X:W"].tolist()
    [3, 8]
    """
    out = frame.copy()
    for left, right in products:
        if left in out.columns and right in out.columns:
            out[f"{left}:{right}"] = out[left] * out[right]
    return out


def model_columns(frame: pd.DataFrame, observed: tuple[str, ...], missing: str = "listwise") -> ModelData:
    """Check and extract the observed variables of a model, dropping incomplete rows.

    Raises
    ------
    DataError
        Naming the variables that are not in the data, or the non-numeric columns with
        their first offending rows (1-based data rows).
    """
    absent = [v for v in observed if v not in frame.columns]
    if absent:
        raise DataError(
            f"some observed variables in the model are not in the data: {name_list(absent)}"
        )
    problems: list[str] = []
    numeric = {}
    for col in observed:
        series = frame[col]
        if pd.api.types.is_bool_dtype(series):
            series = series.astype(float)
        converted = pd.to_numeric(series, errors="coerce")
        bad = series.notna() & converted.isna()
        if bad.any():
            rows = [int(i) + 1 for i in np.flatnonzero(bad.to_numpy())[:3]]
            sample = str(series[bad].iloc[0])
            problems.append(f"'{col}' (rows {', '.join(map(str, rows))}: '{sample}')")
        numeric[col] = converted.astype(float)
    if problems:
        raise DataError("non-numeric values in model columns: " + "; ".join(problems))
    infinite = []
    for col, values in numeric.items():
        rows = np.flatnonzero(np.isinf(values.to_numpy()))
        if rows.size:
            infinite.append(f"'{col}' (rows {', '.join(str(int(i) + 1) for i in rows[:3])})")
    if infinite:
        raise DataError("infinite values in model columns: " + "; ".join(infinite))
    table = pd.DataFrame(numeric)
    n_total = len(table)
    empty = [c for c in observed if n_total and table[c].isna().all()]
    if empty:
        raise DataError(f"model variables with no value in any of the {n_total} rows: {name_list(empty)}")
    if missing == "listwise":
        complete = table.notna().all(axis=1).to_numpy()
        values = table.to_numpy()[complete]
    else:
        values = table.to_numpy()
    n = values.shape[0]
    if n <= len(observed):
        raise DataError(
            f"only {n} complete rows for {len(observed)} model variables: too few to estimate the model"
        )
    constant = [c for c, sd in zip(observed, np.nanstd(values, axis=0)) if not sd > 0]
    if constant:
        raise DataError(f"model variables with no variance: {name_list(constant)}")
    return ModelData(values=values, columns=tuple(observed), n_total=n_total, n_dropped=n_total - n)

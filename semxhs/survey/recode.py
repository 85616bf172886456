"""Recode items before measurement analysis: reverse-keying of negatively worded items."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from semxhs.errors import DataError, name_list

__all__ = ["reverse_key"]


def reverse_key(
    df: pd.DataFrame, items: Sequence[str], scale_min: float, scale_max: float
) -> pd.DataFrame:
    """Return a new frame in which each of ``items`` is reverse-keyed: x → MIN + MAX − x.

    On a 1–7 Likert scale a 2 becomes a 6; the scale midpoint stays in place.
    Missing values stay missing. ``df`` is not modified.

    Parameters
    ----------
    df : pandas.DataFrame
        Item responses.
    items : sequence of str
        Columns to reverse.
    scale_min, scale_max : float
        Lowest and highest response option of the scale (e.g. 1 and 7).

    Returns
    -------
    pandas.DataFrame
        A copy of ``df`` with the ``items`` columns recoded.

    Raises
    ------
    DataError
        If ``scale_min >= scale_max``, an item is not a column of ``df``, is not numeric,
        or has a value outside ``[scale_min, scale_max]`` (the message names the column
        and the first offending rows).

    Examples
    --------
    >>> df = pd.DataFrame({"q1": [1, 2, 7], "q2": [4, 5, 6]})
    >>> reverse_key(df, ["q1"], 1, 7)
       q1  q2
    0   7   4
    1   6   5
    2   1   6
    >>> reverse_key(df, ["q3"], 1, 7)
    Traceback (most recent call last):
    ...
    semxhs.errors.DataError: reverse_key: items not in the data: 'q3'
    >>> reverse_key(df, ["q2"], 1, 5)
    Traceback (most recent call last):
    ...
    semxhs.errors.DataError: reverse_key: column 'q2' has values outside the scale 1 to 5 in rows 3 (value 6)
    """
    if isinstance(items, str):
        items = [items]
    if not np.isfinite(scale_min) or not np.isfinite(scale_max) or scale_min >= scale_max:
        raise DataError(
            f"reverse_key: scale_min must be below scale_max, got scale_min={scale_min}, scale_max={scale_max}"
        )
    missing = [i for i in items if i not in df.columns]
    if missing:
        raise DataError(f"reverse_key: items not in the data: {name_list(missing)}")
    out = df.copy()
    for item in items:
        col = df[item]
        if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            raise DataError(f"reverse_key: column '{item}' is not numeric (dtype {col.dtype})")
        outside = col.notna() & ((col < scale_min) | (col > scale_max))
        if outside.any():
            # rows are counted from 1 over the data rows (the header is not a row)
            positions = np.flatnonzero(outside.to_numpy())[:5]
            shown = ", ".join(f"{int(r) + 1} (value {col.iloc[r]:g})" for r in positions)
            more = f" and {int(outside.sum()) - len(positions)} more rows" if outside.sum() > len(positions) else ""
            raise DataError(
                f"reverse_key: column '{item}' has values outside the scale "
                f"{scale_min:g} to {scale_max:g} in rows {shown}{more}"
            )
        out[item] = (scale_min + scale_max) - col
    return out

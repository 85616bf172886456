"""Recode items before measurement analysis: declared missing codes, reverse-keying of negatively worded items."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from semxhs.errors import DataError, name_list

__all__ = ["LIKERT_SHARE", "apply_missing_codes", "code_text", "is_likert", "missing_code_problems", "off_scale",
           "reverse_key"]


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


def code_text(value: float) -> str:
    """A value as the user typed it: ``9``, ``2.5``, ``-99``."""
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def off_scale(values: np.ndarray, low: float, high: float, steps: bool = True) -> np.ndarray:
    """Which values are not answers of the scale ``low .. high`` (missing values are not).

    With ``steps`` (a Likert scale) an answer must also be a whole step from ``low``;
    without, only the range is checked (a continuous score).

    Examples
    --------
    >>> off_scale(np.array([1, 5, 0, 6, 2.5, np.nan, np.inf]), 1, 5)
    array([False, False,  True,  True,  True, False,  True])
    >>> off_scale(np.array([2.5, 6.0]), 1, 5, steps=False)
    array([False,  True])
    """
    v = np.asarray(values, dtype=float)
    finite = np.isfinite(v)
    bad = finite & ((v < low) | (v > high))
    if steps:
        step = np.where(finite, v - low, 0.0)
        bad |= finite & (np.floor(step) != step)
    return bad | np.isinf(v)


#: A column counts as Likert answers (whole steps enforced) when at least this share of its answers
#: are whole steps; otherwise it is a continuous score (a test score of 3.33 on 0 to 10) and only
#: its range is checked.
LIKERT_SHARE = 0.9


def is_likert(values: np.ndarray, low: float) -> bool:
    """Whether a column holds Likert answers: at least :data:`LIKERT_SHARE` of its answers are whole steps.

    Examples
    --------
    >>> is_likert(np.array([1, 2, 2.5, 4, 5, 3, 3, 2, 1, 4, 5]), 1), is_likert(np.array([3.33, 6.67, 5.0]), 0)
    (True, False)
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)] - low
    return v.size == 0 or float(np.mean(np.floor(v) == v)) >= LIKERT_SHARE


def missing_code_problems(codes: Sequence[object], scale: tuple[float, float] | None) -> list[str]:
    """What is wrong with declared missing codes: not numbers, or answers of the scale.

    A code on the scale (``3`` on a 1-to-5 scale) would delete genuine answers, so it is refused.

    Examples
    --------
    >>> missing_code_problems([9, "x", 3], (1, 5))
    ["missing code 'x' is not a number", 'missing code 3 is an answer of the scale 1 to 5; a missing code must lie off the scale']
    """
    problems = []
    for code in codes:
        if isinstance(code, bool) or not isinstance(code, (int, float)) or not np.isfinite(code):
            problems.append(f"missing code '{code}' is not a number")
        elif scale is not None and not off_scale(np.array([float(code)]), scale[0], scale[1])[0]:
            problems.append(f"missing code {code_text(code)} is an answer of the scale {code_text(scale[0])} to "
                            f"{code_text(scale[1])}; a missing code must lie off the scale")
    return problems


def apply_missing_codes(frame: pd.DataFrame, columns: Sequence[str],
                        codes: Sequence[float]) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
    """Set the cells of ``columns`` that hold a declared missing code to missing, and count them.

    Only numeric cells are compared (a text cell ``"9"`` in a numeric column is left to
    the numeric check). ``frame`` is not modified.

    Returns
    -------
    (pandas.DataFrame, dict)
        The new frame and ``{column: {code: count}}`` (codes as text, only codes found).

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1, 9, 3, 99], "b": [9, 2, 2, 1], "age": [99, 30, 40, 50]})
    >>> out, counts = apply_missing_codes(frame, ["a", "b"], [9, 99])
    >>> out["a"].tolist(), out["age"].tolist(), counts
    ([1.0, nan, 3.0, nan], [99, 30, 40, 50], {'a': {'9': 1, '99': 1}, 'b': {'9': 1}})
    """
    out = frame.copy()
    counts: dict[str, dict[str, int]] = {}
    if not codes:
        return out, counts
    wanted = [float(c) for c in codes]
    for col in columns:
        if col not in out.columns:
            continue
        numeric = pd.to_numeric(out[col], errors="coerce")
        hit = numeric.isin(wanted).to_numpy()
        if not hit.any():
            continue
        found = {code_text(c): int((numeric.to_numpy()[hit] == c).sum()) for c in wanted}
        counts[col] = {k: n for k, n in found.items() if n}
        series = out[col]
        out[col] = series.astype(float).where(~hit) if pd.api.types.is_numeric_dtype(series) else series.where(~hit)
    return out, counts

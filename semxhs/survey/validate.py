"""Checking responses against an instrument: every problem at once (items absent, non-numeric, off the scale...)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from semxhs.errors import DataError, name_list

if TYPE_CHECKING:
    from semxhs.survey.instrument import Instrument, ResponseScale


#: Kinds of :class:`ValidationProblem`, in the order they are reported.
PROBLEM_KINDS = ("missing_item", "missing_id_column", "non_numeric", "out_of_scale",
                 "duplicate_id", "no_answers", "zero_variance")

#: Columns of :meth:`ValidationReport.to_frame`.
VALIDATION_COLUMNS = ("kind", "column", "n", "rows", "values", "message")


@dataclass(frozen=True)
class ValidationProblem:
    """One problem found in the responses.

    Attributes
    ----------
    kind : str
        One of :data:`PROBLEM_KINDS`.
    column : str
        The offending column (the id column for duplicated ids).
    rows : tuple of int
        1-based data rows concerned (row 1 is the first row under the header).
    values : tuple of str
        The offending values, one per row (duplicated ids for ``duplicate_id``).
    message : str
        One line naming the column, the rule and the first offending rows.
    """

    kind: str
    column: str
    rows: tuple[int, ...]
    values: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class ValidationReport:
    """Every problem :func:`validate_responses` found, in one record.

    Examples
    --------
    >>> frame = pd.DataFrame({"a1": [1, 2, 9], "a2": [3, 3, 3]})
    >>> report = validate_responses(frame, ["a1", "a2", "a3"], (1, 7))
    >>> report.ok, [p.kind for p in report.problems]
    (False, ['missing_item', 'out_of_scale', 'zero_variance'])
    >>> print(report.message())
    responses: items not in the data: 'a3'; 'a1': values outside the scale 1 to 7 in rows 3 (9); 'a2': no variance (every answer is 3)
    """

    problems: tuple[ValidationProblem, ...]
    n_rows: int
    items: tuple[str, ...]
    scale: tuple[int, int] | None

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def of_kind(self, kind: str) -> tuple[ValidationProblem, ...]:
        """The problems of one kind."""
        return tuple(p for p in self.problems if p.kind == kind)

    def message(self) -> str:
        """One line listing every problem (``''`` when there is none)."""
        if self.ok:
            return ""
        missing = [p.column for p in self.of_kind("missing_item")]
        parts = [f"items not in the data: {name_list(missing)}"] if missing else []
        parts += [p.message for p in self.problems if p.kind != "missing_item"]
        return "responses: " + "; ".join(parts)

    def raise_if_problems(self) -> None:
        """Raise :class:`DataError` with :meth:`message` when a problem was found."""
        if not self.ok:
            raise DataError(self.message())

    def to_frame(self) -> pd.DataFrame:
        """One row per problem, columns :data:`VALIDATION_COLUMNS` (rows/values joined by ', ')."""
        return pd.DataFrame(
            [(p.kind, p.column, len(p.rows), ", ".join(map(str, p.rows)), ", ".join(p.values), p.message)
             for p in self.problems],
            columns=list(VALIDATION_COLUMNS),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "ok": self.ok,
            "n_rows": self.n_rows,
            "items": list(self.items),
            "scale": list(self.scale) if self.scale else None,
            "problems": [
                {"kind": p.kind, "column": p.column, "rows": list(p.rows), "values": list(p.values),
                 "message": p.message}
                for p in self.problems
            ],
        }


def _rows_text(rows: Sequence[int], values: Sequence[object], limit: int = 5) -> str:
    shown = ", ".join(f"{r} ({v})" for r, v in zip(rows[:limit], values[:limit]))
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return shown + more


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def validate_responses(
    frame: pd.DataFrame,
    items: Instrument | Sequence[str],
    scale: ResponseScale | tuple[int, int] | None = None,
    *,
    id_column: str | None = None,
) -> ValidationReport:
    """Check item responses before fitting and report every problem at once.

    Checks, in this order: model items missing from the data; the respondent-id
    column missing; cells that are not numbers (text answers not yet coded); values
    that are not a code of the scale (outside ``min..max`` or not whole); duplicated
    respondent ids; items nobody answered; items with zero variance (attention checks
    are exempt from the last two: everyone passing them is the hoped-for result).

    Parameters
    ----------
    frame : pandas.DataFrame
        The responses, one row per respondent, item ids as columns.
    items : Instrument or sequence of str
        An :class:`~semxhs.survey.instrument.Instrument` (its items and attention checks, its
        scale and respondent-id column are used), or the item columns to check.
    scale : ResponseScale or (min, max), optional
        The response scale; taken from the instrument when ``items`` is one; with
        ``None`` and a plain list of items the range is not checked.
    id_column : str, optional
        The respondent-id column (default: the instrument's ``respondent_id``).

    Returns
    -------
    ValidationReport
        ``report.ok`` is true when nothing was found; see :func:`check_responses`
        for the raising form.
    """
    from semxhs.survey.instrument import Instrument, ResponseScale

    checks: tuple[str, ...] = ()
    if isinstance(items, Instrument):
        checks = tuple(items.check_ids)  # range-checked, but everyone passing is no problem
        names = tuple(items.item_ids) + checks
        scale = items.scale if scale is None else scale
        id_column = items.respondent_id if id_column is None else id_column
    elif isinstance(items, str):
        names = (items,)
    else:
        names = tuple(str(i) for i in items)
    bounds: tuple[int, int] | None
    if isinstance(scale, ResponseScale):
        bounds = (scale.min, scale.max)
    elif scale is None:
        bounds = None
    else:
        bounds = (int(scale[0]), int(scale[1]))
    problems: list[ValidationProblem] = []
    present = [c for c in names if c in frame.columns]
    for col in names:
        if col not in frame.columns:
            problems.append(ValidationProblem("missing_item", col, (), (), f"item '{col}' is not in the data"))
    if id_column is not None and id_column not in frame.columns:
        problems.append(ValidationProblem(
            "missing_id_column", id_column, (), (), f"respondent-id column '{id_column}' is not in the data"))

    numeric: dict[str, pd.Series] = {}
    for col in present:
        series = frame[col]
        if pd.api.types.is_bool_dtype(series):
            series = series.astype(float)
        converted = pd.to_numeric(series, errors="coerce")
        bad = (series.notna() & converted.isna()).to_numpy()
        if bad.any():
            rows = tuple(int(i) + 1 for i in np.flatnonzero(bad))
            values = tuple(str(v) for v in series.to_numpy()[bad])
            problems.append(ValidationProblem(
                "non_numeric", col, rows, values,
                f"'{col}': not numbers in rows {_rows_text(rows, values)}"))
        numeric[col] = converted.astype(float)

    if bounds is not None:
        low, high = bounds
        for col, values in numeric.items():
            v = values.to_numpy()
            bad = np.isfinite(v) & ((v < low) | (v > high) | (np.floor(v) != v))
            bad |= np.isinf(v)
            if bad.any():
                rows = tuple(int(i) + 1 for i in np.flatnonzero(bad))
                shown = tuple(_cell_text(x) for x in v[bad])
                problems.append(ValidationProblem(
                    "out_of_scale", col, rows, shown,
                    f"'{col}': values outside the scale {low} to {high} in rows {_rows_text(rows, shown)}"))

    if id_column is not None and id_column in frame.columns:
        ids = frame[id_column]
        dup = (ids.duplicated(keep=False) & ids.notna()).to_numpy()
        if dup.any():
            rows = tuple(int(i) + 1 for i in np.flatnonzero(dup))
            values = tuple(_cell_text(x) for x in ids.to_numpy()[dup])
            problems.append(ValidationProblem(
                "duplicate_id", id_column, rows, values,
                f"'{id_column}': duplicated respondent ids in rows {_rows_text(rows, values, limit=8)}"))

    for col, values in numeric.items():
        if col in checks:
            continue
        answered = values.dropna()
        if answered.empty:
            problems.append(ValidationProblem("no_answers", col, (), (), f"'{col}': no numeric answers at all"))
        elif answered.nunique() == 1:
            problems.append(ValidationProblem(
                "zero_variance", col, (), (_cell_text(answered.iloc[0]),),
                f"'{col}': no variance (every answer is {_cell_text(answered.iloc[0])})"))

    order = {k: n for n, k in enumerate(PROBLEM_KINDS)}
    problems.sort(key=lambda p: order[p.kind])
    return ValidationReport(tuple(problems), int(len(frame)), names, bounds)


def check_responses(
    frame: pd.DataFrame,
    items: Instrument | Sequence[str],
    scale: ResponseScale | tuple[int, int] | None = None,
    *,
    id_column: str | None = None,
) -> ValidationReport:
    """:func:`validate_responses`, raising :class:`DataError` listing every problem.

    Examples
    --------
    >>> check_responses(pd.DataFrame({"a1": [1, "很同意", 8], "a2": [1, 2, 3]}), ["a1", "a2"], (1, 7))
    Traceback (most recent call last):
    ...
    semxhs.errors.DataError: responses: 'a1': not numbers in rows 2 (很同意); 'a1': values outside the scale 1 to 7 in rows 3 (8)
    """
    report = validate_responses(frame, items, scale, id_column=id_column)
    report.raise_if_problems()
    return report


def reverse_code(frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """A copy of ``frame`` with the instrument's reverse-keyed items recoded: x -> min + max - x.

    The instrument's items and scale handed to :func:`semxhs.survey.recode.reverse_key`, the
    one re-keying function. Missing values stay missing; non-numeric cells and values
    outside the scale raise (run :func:`check_responses` first).

    Examples
    --------
    >>> from semxhs.survey.instrument import parse_instrument
    >>> inst = parse_instrument({"scale": {"points": 5}, "constructs": [{"id": "A"}],
    ...     "items": [{"id": "a1", "construct": "A"}, {"id": "a2", "construct": "A", "reverse": True}]})
    >>> reverse_code(pd.DataFrame({"a1": [1, 2], "a2": [1, 4]}), inst)["a2"].tolist()
    [5, 2]
    """
    from semxhs.survey.recode import reverse_key

    return reverse_key(frame, list(instrument.reverse_items()), instrument.scale.min, instrument.scale.max)

"""Checking responses against an instrument: every problem at once (items absent, non-numeric, off the scale...)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from semxhs.errors import DataError, name_list
from semxhs.survey.recode import (
    apply_missing_codes,
    code_text,
    is_likert,
    missing_code_problems,
    off_scale,
)

if TYPE_CHECKING:
    from semxhs.survey.instrument import Instrument, ResponseScale

__all__ = [
    "PROBLEM_KINDS",
    "ScaleCheck",
    "ValidationProblem",
    "ValidationReport",
    "check_responses",
    "check_scale",
    "code_hint",
    "reverse_code",
    "validate_responses",
    "values_in_rows",
]


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
    responses: items not in the data: 'a3'; 'a1' off the scale 1 to 7: 9 in row 3 — if 9 means 'not applicable' or 'no answer', declare it missing with --missing-codes 9 (missing_codes: [9] in a study or instrument file); 'a2': no variance (every answer is 3)
    """

    problems: tuple[ValidationProblem, ...]
    n_rows: int
    items: tuple[str, ...]
    scale: tuple[int, int] | None
    missing_codes: tuple[float, ...] = ()

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
        off = self.of_kind("out_of_scale")
        for p in self.problems:
            if p.kind == "missing_item":
                continue
            parts.append(p.message)
            if off and p is off[-1]:  # whether a missing code would explain the values, right after them
                parts[-1] += code_hint([float(v) for q in off for v in q.values], self.missing_codes)
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
    missing_codes: Sequence[float] = (),
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
    missing_codes : sequence of float, optional
        The missing codes the user declared (already set missing with
        :func:`apply_missing_codes`); named in the message of an off-scale value.

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
            bad = off_scale(v, low, high)
            if bad.any():
                rows = tuple(int(i) + 1 for i in np.flatnonzero(bad))
                shown = tuple(_cell_text(x) for x in v[bad])
                problems.append(ValidationProblem(
                    "out_of_scale", col, rows, shown,
                    f"'{col}' off the scale {low} to {high}: {values_in_rows(v[bad], rows)}"))

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
    return ValidationReport(tuple(problems), int(len(frame)), names, bounds, tuple(missing_codes))


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
    semxhs.errors.DataError: responses: 'a1': not numbers in rows 2 (很同意); 'a1' off the scale 1 to 7: 8 in row 3 — if 8 means 'not applicable' or 'no answer', declare it missing with --missing-codes 8 (missing_codes: [8] in a study or instrument file)
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


# --------------------------------------------------------------------------- a declared scale and missing codes

def values_in_rows(values: Sequence[float] | np.ndarray, rows: Sequence[int], limit: int = 5,
                   max_values: int = 3) -> str:
    """Offending values with their first rows, grouped by value (the first ``max_values`` values).

    Examples
    --------
    >>> values_in_rows([9, 9, 2.5, 9], [4, 17, 20, 31], limit=2)
    '9 in rows 4, 17 and 1 more; 2.5 in row 20'
    >>> values_in_rows([6, 7, 8, 9], [1, 2, 3, 4], max_values=2)
    '6 in row 1; 7 in row 2; and 2 more values'
    """
    by_value: dict[str, list[int]] = {}
    for value, r in zip(values, rows):
        by_value.setdefault(code_text(float(value)), []).append(int(r))
    parts = []
    for text, where in list(by_value.items())[:max_values]:
        shown = ", ".join(str(r) for r in where[:limit])
        more = f" and {len(where) - limit} more" if len(where) > limit else ""
        parts.append(f"{text} in row{'s' if len(where) > 1 else ''} {shown}{more}")
    if len(by_value) > max_values:
        parts.append(f"and {len(by_value) - max_values} more values")
    return "; ".join(parts)


def _few(texts: Sequence[str], limit: int = 6) -> str:
    """``'9, 99'``, or the first ``limit`` and how many more."""
    shown = ", ".join(texts[:limit])
    return shown + (f" and {len(texts) - limit} more" if len(texts) > limit else "")


def code_hint(values: Sequence[float], declared: Sequence[float] = ()) -> str:
    """Whether a declared missing code would explain off-scale values, as the tail of a message.

    A whole number off the scale may be a platform's code for "not applicable" or "no
    answer" (9, 99, -1); a fraction on a whole-step scale is not a code but a data error.

    Examples
    --------
    >>> code_hint([9, 99, 9])
    " — if 9, 99 mean 'not applicable' or 'no answer', declare them missing with --missing-codes 9,99 (missing_codes: [9, 99] in a study or instrument file)"
    >>> code_hint([2.5], declared=[99])
    ' — 2.5 is not a whole step of the scale, so no missing code explains it (declared missing codes: 99)'
    """
    seen = sorted({float(v) for v in values if np.isfinite(v)})
    whole = [v for v in seen if v.is_integer()]
    other = [v for v in seen if not v.is_integer()] + [float(v) for v in values if not np.isfinite(v)][:1]
    parts = []
    if whole:
        texts = [code_text(v) for v in whole]
        one = len(texts) == 1
        parts.append(f"if {_few(texts)} mean{'s' if one else ''} 'not applicable' or 'no answer', declare "
                     f"{'it' if one else 'them'} missing with --missing-codes {','.join(texts[:6])} "
                     f"(missing_codes: [{', '.join(texts[:6])}] in a study or instrument file)")
    if other:
        texts = [code_text(v) for v in other]
        one = len(texts) == 1
        parts.append(f"{_few(texts)} {'is' if one else 'are'} not a whole step of the scale, so no missing "
                     f"code explains {'it' if one else 'them'}")
    tail = " — " + "; ".join(parts) if parts else ""
    if declared:
        tail += f" (declared missing codes: {', '.join(code_text(c) for c in declared)})"
    return tail


@dataclass(frozen=True)
class ScaleCheck:
    """What a declared response scale did to the model's items before anything was computed.

    Attributes
    ----------
    items : tuple of str
        The columns the scale covers (checked against it, and where missing codes apply).
    scale : (float, float) or None
        The declared scale ``(min, max)``, answers in whole steps; ``None`` when only
        missing codes were declared.
    declared : tuple of float
        The declared missing codes.
    counts : dict
        ``{column: {code: count}}``: cells set missing per column and code.
    """

    items: tuple[str, ...]
    scale: tuple[float, float] | None
    declared: tuple[float, ...] = ()
    counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    @property
    def n_set_missing(self) -> int:
        """All cells set missing by a declared code."""
        return int(sum(sum(c.values()) for c in self.counts.values()))

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"items", "scale", "declared", "counts"}``."""
        return {"items": list(self.items), "scale": list(self.scale) if self.scale else None,
                "declared": [int(c) if float(c).is_integer() else c for c in self.declared],
                "counts": {k: dict(v) for k, v in self.counts.items()}}


def check_scale(
    frame: pd.DataFrame,
    items: Sequence[str],
    scale: tuple[float, float] | None,
    missing_codes: Sequence[float] = (),
) -> tuple[pd.DataFrame, ScaleCheck]:
    """Enforce a declared response scale on the items it covers; declared missing codes become missing.

    The cells of ``items`` equal to a declared missing code are set missing (counted per
    column and code); any other value outside ``scale``, or in a column of Likert answers
    (:func:`~semxhs.survey.recode.is_likert`) not a whole step of it, is refused, naming the
    columns, the values and their first rows, and saying whether a missing code would
    explain it. Items absent from ``frame`` are skipped (the caller reports them).

    Parameters
    ----------
    frame : pandas.DataFrame
    items : sequence of str
        The columns the scale covers.
    scale : (min, max) or None
        ``None``: no range check, only the missing codes are applied.
    missing_codes : sequence of float
        Codes that mean "no answer" (e.g. 9, 99, -1); each must lie off the scale.

    Returns
    -------
    (pandas.DataFrame, ScaleCheck)
        A new frame (``frame`` is not modified) and what was done.

    Raises
    ------
    DataError
        A missing code that is an answer of the scale, or a value off the scale.

    Examples
    --------
    >>> frame = pd.DataFrame({"a1": [1, 9, 5, 9], "a2": [2, 3, 0, 4], "age": [20, 30, 99, 40]})
    >>> check_scale(frame, ["a1", "a2"], (1, 5))
    Traceback (most recent call last):
    ...
    semxhs.errors.DataError: values off the response scale 1 to 5: 'a1': 9 in rows 2, 4; 'a2': 0 in row 3 — if 0, 9 mean 'not applicable' or 'no answer', declare them missing with --missing-codes 0,9 (missing_codes: [0, 9] in a study or instrument file)
    >>> out, check = check_scale(frame, ["a1", "a2"], (1, 5), missing_codes=[0, 9])
    >>> out["a1"].tolist(), check.counts
    ([1.0, nan, 5.0, nan], {'a1': {'9': 2}, 'a2': {'0': 1}})
    """
    present = [c for c in items if c in frame.columns]
    codes = tuple(float(c) for c in missing_codes)
    problems = missing_code_problems(codes, scale)
    if problems:
        raise DataError("; ".join(problems))
    if codes:
        out, counts = apply_missing_codes(frame, present, codes)
    else:  # nothing to set missing: a shallow copy (copy-on-write) spares copying every column, 10% of
        out, counts = frame.copy(deep=False), {}  # loading 200,000 rows, which was mostly re-blocking them
    if scale is not None:
        low, high = float(scale[0]), float(scale[1])
        parts: list[str] = []
        offending: list[float] = []
        for col in present:
            values = pd.to_numeric(out[col], errors="coerce").to_numpy(dtype=float)
            bad = off_scale(values, low, high, steps=is_likert(values, low))
            if bad.any():
                rows = [int(i) + 1 for i in np.flatnonzero(bad)]
                parts.append(f"'{col}': {values_in_rows(values[bad], rows)}")
                offending += [float(v) for v in values[bad]]
        if parts:
            shown = parts[:6] + ([f"and {len(parts) - 6} more columns"] if len(parts) > 6 else [])
            raise DataError(f"values off the response scale {code_text(low)} to {code_text(high)}: "
                            + "; ".join(shown) + code_hint(offending, codes))
    return out, ScaleCheck(tuple(present), (float(scale[0]), float(scale[1])) if scale else None, codes, counts)

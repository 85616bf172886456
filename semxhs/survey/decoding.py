"""Answer cells -> codes, one cell at a time, with a count of what became of every cell.

A cell of an item column is, in this order:

1. **empty**: a blank cell (``NaN``, ``None`` or only spaces); it stays missing;
2. a **marker** of the platform (Wenjuanxing's ``(跳过)``, ``(空)``, ``-3``): only when the
   *whole* cell is the marker as the platform writes it (surrounding spaces and full-width
   forms folded by NFKC, nothing else), so that the marker ``-3`` never matches an answer
   ``3``; it becomes missing and is counted under its marker;
3. a **number** (``3``, ``"3"``, ``"３"``, ``"3.0"``): always read as that code, in any
   column, also among label texts (exports that label only the end points and write the
   middle options as digits); whether it is a code of the scale is checked by
   :func:`semxhs.survey.validate.validate_responses`;
4. an anchor **label** or alias of the scale (``非常同意``, ``Strongly agree``), compared
   after :func:`~semxhs.survey.instrument.normalize_text`;
5. anything else is an **error**: an :class:`UnknownAnswer` naming the column, the value
   and its 1-based data rows. Nothing is set missing silently.

:func:`decode_column` returns the codes and a :class:`ColumnDecoding` (how many non-empty
cells were decoded from numbers and from labels, how many became missing by which marker,
which were errors); :class:`DecodingSummary` holds one per column and gives the tidy
table the reports print.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from semxhs.survey.instrument import ResponseScale, normalize_text

# A number as a cell may hold it: "3", "+3", "-3", "3.0", "3.", ".5" (no exponent, no "nan"/"inf");
# the same rule as ResponseScale.code_of.
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")

__all__ = [
    "DECODING_COLUMNS",
    "ColumnDecoding",
    "DecodingSummary",
    "UnknownAnswer",
    "decode_column",
    "label_codes",
]

#: Columns of :meth:`DecodingSummary.to_frame`.
DECODING_COLUMNS = ("column", "header", "n", "empty", "nonempty", "decoded", "from_digits", "from_labels",
                    "missing_by_marker", "errors")



@dataclass(frozen=True)
class UnknownAnswer:
    """A non-empty answer cell that decodes to nothing (an error, never a silent gap).

    ``reason`` is ``"unknown"`` (not a number, label, alias or marker of the scale) or
    ``"ambiguous"`` (a platform marker that is also a code of the scale, e.g. ``-3`` on a
    scale from -3 to 3). ``header`` is the column's header in the file (``column`` is its
    item id once matched). ``rows`` are 1-based data rows (row 1 is the first row under
    the header).
    """

    column: str
    value: str
    rows: tuple[int, ...]
    header: str = ""
    reason: str = "unknown"


@dataclass(frozen=True)
class ColumnDecoding:
    """What became of the cells of one column.

    ``nonempty == decoded + missing_by_marker + n_errors`` always holds.

    Attributes
    ----------
    column : str
        The item (or attention-check) id.
    header : str
        The column's header in the file.
    n : int
        Cells (data rows).
    empty : int
        Blank cells (missing in the file itself).
    decoded : int
        Non-empty cells that became a number: ``from_digits + from_labels``.
    from_digits : int
        Cells holding a number (read as that code).
    from_labels : int
        Cells holding an anchor label or alias of the scale.
    markers : mapping of str to int
        ``{marker: cells}`` set missing by each platform marker, as the platform writes it.
    errors : tuple of UnknownAnswer
        Values that decode to nothing, with their rows.
    """

    column: str
    header: str
    n: int
    empty: int
    from_digits: int
    from_labels: int
    markers: Mapping[str, int] = field(default_factory=dict)
    errors: tuple[UnknownAnswer, ...] = ()

    @property
    def nonempty(self) -> int:
        """Cells that are not blank."""
        return self.n - self.empty

    @property
    def decoded(self) -> int:
        """Non-empty cells that became a code."""
        return self.from_digits + self.from_labels

    @property
    def missing_by_marker(self) -> int:
        """Cells set missing by a platform marker."""
        return int(sum(self.markers.values()))

    @property
    def n_errors(self) -> int:
        """Cells that decode to nothing."""
        return int(sum(len(e.rows) for e in self.errors))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (the columns of :data:`DECODING_COLUMNS` plus ``markers``)."""
        return {
            "column": self.column, "header": self.header, "n": self.n, "empty": self.empty,
            "nonempty": self.nonempty, "decoded": self.decoded, "from_digits": self.from_digits,
            "from_labels": self.from_labels, "missing_by_marker": self.missing_by_marker,
            "markers": dict(self.markers), "errors": self.n_errors,
            "error_values": [{"value": e.value, "rows": list(e.rows), "reason": e.reason} for e in self.errors],
        }


@dataclass(frozen=True)
class DecodingSummary:
    """One :class:`ColumnDecoding` per item column, in the file's order.

    Examples
    --------
    >>> scale = ResponseScale(5, 1, {1: ("非常不同意", ""), 5: ("非常同意", "")})
    >>> codes, col = decode_column(["非常不同意", "3", "(跳过)", None, "非常同意"], scale,
    ...                            markers=["(跳过)", "-3"], column="a1")
    >>> summary = DecodingSummary((col,))
    >>> summary.to_frame().drop(columns="header").to_dict("records")
    [{'column': 'a1', 'n': 5, 'empty': 1, 'nonempty': 4, 'decoded': 3, 'from_digits': 1, 'from_labels': 2, 'missing_by_marker': 1, 'errors': 0}]
    >>> summary.marker_frame().to_dict("records")
    [{'column': 'a1', 'marker': '(跳过)', 'n': 1}]
    """

    columns: tuple[ColumnDecoding, ...] = ()

    @property
    def errors(self) -> tuple[UnknownAnswer, ...]:
        """Every undecodable value, column by column."""
        return tuple(e for c in self.columns for e in c.errors)

    @property
    def skipped(self) -> dict[str, int]:
        """``{column: cells}`` set missing by a marker (columns with none left out)."""
        return {c.column: c.missing_by_marker for c in self.columns if c.missing_by_marker}

    @property
    def answer_format(self) -> str:
        """``"codes"`` (numbers only), ``"text"`` (labels only) or ``"mixed"``."""
        digits = sum(c.from_digits for c in self.columns)
        labels = sum(c.from_labels for c in self.columns)
        if labels == 0:
            return "codes"
        return "text" if digits == 0 else "mixed"

    def totals(self) -> dict[str, int]:
        """Sums over the columns: ``nonempty, decoded, from_digits, from_labels, missing_by_marker, errors``."""
        return {
            "nonempty": sum(c.nonempty for c in self.columns),
            "decoded": sum(c.decoded for c in self.columns),
            "from_digits": sum(c.from_digits for c in self.columns),
            "from_labels": sum(c.from_labels for c in self.columns),
            "missing_by_marker": sum(c.missing_by_marker for c in self.columns),
            "errors": sum(c.n_errors for c in self.columns),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per column with the counts of :data:`DECODING_COLUMNS`."""
        rows = [(c.column, c.header, c.n, c.empty, c.nonempty, c.decoded, c.from_digits, c.from_labels,
                 c.missing_by_marker, c.n_errors) for c in self.columns]
        return pd.DataFrame(rows, columns=list(DECODING_COLUMNS))

    def marker_frame(self) -> pd.DataFrame:
        """One row per column and marker that set cells missing: ``column, marker, n``."""
        rows = [(c.column, m, n) for c in self.columns for m, n in c.markers.items() if n]
        return pd.DataFrame(rows, columns=["column", "marker", "n"])

    def to_dict(self) -> list[dict[str, Any]]:
        """JSON-ready: one record per column (:meth:`ColumnDecoding.to_dict`)."""
        return [c.to_dict() for c in self.columns]


def label_codes(scale: ResponseScale) -> dict[str, int]:
    """Normalised label and alias text -> code (:meth:`ResponseScale.label_codes`; no digits).

    Examples
    --------
    >>> label_codes(ResponseScale(5, 1, {1: ("非常不同意", "Strongly disagree")}, {"完全不同意": 1}))
    {'非常不同意': 1, 'stronglydisagree': 1, '完全不同意': 1}
    """
    return scale.label_codes()


def _cell_text(value: object) -> str:
    """A cell as the user sees it: NFKC (full-width folded), surrounding spaces removed."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _is_blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)) and math.isnan(float(value)):
        return True
    return isinstance(value, str) and _cell_text(value) == ""


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def decode_column(
    values: Iterable[object],
    scale: ResponseScale,
    *,
    markers: Sequence[str] = (),
    column: str = "",
    header: str | None = None,
    labels: Mapping[str, int] | None = None,
) -> tuple[np.ndarray, ColumnDecoding]:
    """Decode the cells of one item column (see the module's rules).

    Parameters
    ----------
    values : iterable
        The cells, as read (numbers, texts, ``NaN``).
    scale : ResponseScale
        Its labels and aliases decode text answers; a marker that is also one of its codes
        is an ``"ambiguous"`` error.
    markers : sequence of str
        The platform's missing-answer markers, as the platform writes them.
    column, header : str
        The item id and the header in the file (default: the id), for the record.
    labels : mapping, optional
        :func:`label_codes` of ``scale`` (given when decoding many columns).

    Returns
    -------
    (numpy.ndarray, ColumnDecoding)
        Float codes (``nan`` for blanks, markers and errors) and the record of the column.

    Examples
    --------
    >>> scale = ResponseScale(7, 1, {1: ("非常不同意", ""), 7: ("非常同意", "")})
    >>> codes, col = decode_column(["3", "-3", "非常同意", 3, -3, "(空)", "很同意", "  "], scale,
    ...                            markers=["(跳过)", "(空)", "-3"], column="q1")
    >>> codes.tolist()
    [3.0, nan, 7.0, 3.0, nan, nan, nan, nan]
    >>> (col.nonempty, col.decoded, col.from_digits, col.from_labels, dict(col.markers), col.n_errors)
    (7, 3, 2, 1, {'(空)': 1, '-3': 2}, 1)
    >>> col.errors
    (UnknownAnswer(column='q1', value='很同意', rows=(7,), header='q1', reason='unknown'),)
    """
    header = column if header is None else header
    table = label_codes(scale) if labels is None else labels
    marker_text = {_cell_text(m): m for m in markers}
    marker_number: dict[float, str] = {}
    for m in markers:
        text = _cell_text(m)
        if _NUMBER.match(text):
            marker_number[float(text)] = m
    codes_of_scale = set(scale.codes)
    cells = list(values)
    out = np.full(len(cells), np.nan)
    empty = digits = texts = 0
    marked: dict[str, int] = {}
    bad: dict[tuple[str, str], list[int]] = {}

    def marker_hit(marker: str, pos: int, number: float | None) -> None:
        if number is not None and number in codes_of_scale:
            bad.setdefault((marker, "ambiguous"), []).append(pos + 1)
        else:
            marked[marker] = marked.get(marker, 0) + 1

    for pos, cell in enumerate(cells):
        if _is_blank(cell):
            empty += 1
            continue
        if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, (bool, np.bool_)):
            number = float(cell)
            if not math.isfinite(number):
                bad.setdefault((str(cell), "unknown"), []).append(pos + 1)
            elif number in marker_number:
                marker_hit(marker_number[number], pos, number)
            else:
                out[pos] = number
                digits += 1
            continue
        if not isinstance(cell, str):  # a date, a boolean...: what a spreadsheet made of an answer
            bad.setdefault((str(cell), "unknown"), []).append(pos + 1)
            continue
        text = _cell_text(cell)
        if text in marker_text:
            marker = marker_text[text]
            marker_hit(marker, pos, float(text) if _NUMBER.match(text) else None)
            continue
        if _NUMBER.match(text):
            out[pos] = float(text)
            digits += 1
            continue
        code = table.get(normalize_text(text))
        if code is None:
            bad.setdefault((cell, "unknown"), []).append(pos + 1)
        else:
            out[pos] = code
            texts += 1
    errors = tuple(UnknownAnswer(column, value, tuple(rows), header, reason)
                   for (value, reason), rows in bad.items())
    record = ColumnDecoding(column, header, len(cells), empty, digits, texts,
                            {m: marked[m] for m in markers if m in marked}, errors)
    return out, record


def decode_frame(
    frame: pd.DataFrame,
    columns: Sequence[str],
    scale: ResponseScale,
    *,
    markers: Sequence[str] = (),
    headers: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, DecodingSummary]:
    """Decode ``columns`` of ``frame`` (:func:`decode_column`); other columns are kept as they are.

    Examples
    --------
    >>> scale = ResponseScale(5, 1, {5: ("非常同意", "Strongly agree")})
    >>> coded, summary = decode_frame(pd.DataFrame({"id": [1, 2], "a": ["非常同意", "2"], "b": [1, -3]}),
    ...                               ["a", "b"], scale, markers=["-3"])
    >>> coded.to_dict("list"), summary.skipped, summary.answer_format
    ({'id': [1, 2], 'a': [5.0, 2.0], 'b': [1.0, nan]}, {'b': 1}, 'mixed')
    """
    headers = dict(headers or {})
    labels = label_codes(scale)
    out = frame.copy()
    records: list[ColumnDecoding] = []
    for col in columns:
        codes, record = decode_column(frame[col].tolist(), scale, markers=markers, column=col,
                                      header=headers.get(col, col), labels=labels)
        out[col] = codes
        records.append(record)
    return out, DecodingSummary(tuple(records))

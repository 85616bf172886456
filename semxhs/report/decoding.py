"""The answer-decoding summary for the terminal: per column, what became of the non-empty cells.

Reads a :class:`~semxhs.survey.decoding.DecodingSummary` (carried by
:class:`~semxhs.survey.platforms.SurveyImport` as ``decoding``) and words it in English or
Chinese (:mod:`semxhs.report.labels`). ``semxhs instrument check --data``, ``semxhs screen``,
``semxhs fit --instrument`` and ``semxhs run`` print it, so that a column whose answers
became missing shows it before anything is fitted.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

from semxhs.report import format as f
from semxhs.report.labels import labels_for
from semxhs.survey.decoding import ColumnDecoding, DecodingSummary

__all__ = ["decoding_lines", "decoding_rows", "decoding_text"]

Labels = Mapping[str, str]


def _markers(markers: Mapping[str, int], t: Labels) -> str:
    return t["list_sep"].join(t["dec_marker"].format(marker=m, n=f.fmt_int(n)) for m, n in markers.items() if n)


def decoding_rows(summary: DecodingSummary, t: Labels) -> list[list[str]]:
    """The table as text cells: a header row, one row per column, a total row.

    Columns: column, non-empty, decoded, digits, labels, missing by marker (count and
    markers), blank, errors.
    """
    head = [t["dec_col_column"], t["dec_col_nonempty"], t["dec_col_decoded"], t["dec_col_digits"],
            t["dec_col_labels"], t["dec_col_marked"], t["dec_col_blank"], t["dec_col_errors"]]

    def cells(name: str, totals: Mapping[str, int], markers: Mapping[str, int]) -> list[str]:
        marked = f.fmt_int(totals["missing_by_marker"])
        if totals["missing_by_marker"]:
            marked += t["dec_paren"].format(text=_markers(markers, t))
        return [name, f.fmt_int(totals["nonempty"]), f.fmt_int(totals["decoded"]), f.fmt_int(totals["from_digits"]),
                f.fmt_int(totals["from_labels"]), marked, f.fmt_int(totals["empty"]), f.fmt_int(totals["errors"])]

    rows = [head] + [cells(c.column, _counts(c), c.markers) for c in summary.columns]
    totals = {**summary.totals(), "empty": sum(c.empty for c in summary.columns)}
    rows.append(cells(t["dec_total"], totals, _marker_totals(summary)))
    return rows


def _counts(c: ColumnDecoding) -> dict[str, int]:
    return {"nonempty": c.nonempty, "decoded": c.decoded, "from_digits": c.from_digits,
            "from_labels": c.from_labels, "missing_by_marker": c.missing_by_marker, "empty": c.empty,
            "errors": c.n_errors}


def _marker_totals(summary: DecodingSummary) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in summary.columns:
        for m, n in c.markers.items():
            out[m] = out.get(m, 0) + n
    return out


def _width(text: str) -> int:
    """Terminal columns taken by ``text`` (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _aligned(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(_width(r[k]) for r in rows) for k in range(len(rows[0]))]
    lines = []
    for r in rows:
        parts = []
        for k, cell in enumerate(r):
            pad = " " * (widths[k] - _width(cell))
            # the first column (names) and the marker column read left to right; counts align right
            parts.append(cell + pad if k in (0, 5) else pad + cell)
        lines.append("  ".join(parts).rstrip())
    return lines


def decoding_lines(summary: DecodingSummary, t: Labels) -> list[str]:
    """The title, the aligned table of :func:`decoding_rows` and one summary sentence."""
    if not summary.columns:
        return []
    totals = summary.totals()
    markers = _marker_totals(summary)
    listed = _markers(markers, t)
    sentence = t["dec_summary"].format(
        nonempty=f.fmt_int(totals["nonempty"]), decoded=f.fmt_int(totals["decoded"]),
        digits=f.fmt_int(totals["from_digits"]), labels=f.fmt_int(totals["from_labels"]),
        marked=f.fmt_int(totals["missing_by_marker"]), markers=t["dec_paren"].format(text=listed) if listed else "",
        errors=f.fmt_int(totals["errors"]), blank=f.fmt_int(sum(c.empty for c in summary.columns)))
    return [t["dec_title"], *_aligned(decoding_rows(summary, t)), sentence]


def decoding_text(summary: DecodingSummary, language: str = "en") -> str:
    """:func:`decoding_lines` joined into one text, in ``"en"`` or ``"zh"``.

    Examples
    --------
    >>> from semxhs.survey.decoding import decode_column
    >>> from semxhs.survey.instrument import ResponseScale
    >>> scale = ResponseScale(7, 1, {1: ("非常不同意", ""), 7: ("非常同意", "")})
    >>> _, a = decode_column(["非常不同意", "3", "(跳过)", "3"], scale, markers=["(跳过)", "-3"], column="PI1")
    >>> _, b = decode_column([3, -3, None, 5], scale, markers=["(跳过)", "-3"], column="PI2")
    >>> print(decoding_text(DecodingSummary((a, b))))
    Answers decoded per column (non-empty cells; a marker counts only as a whole cell):
    column  non-empty  decoded  digits  labels  missing by marker  blank  errors
    PI1             4        3       2       1  1 ((跳过) ×1)           0       0
    PI2             3        2       2       0  1 (-3 ×1)               1       0
    total           7        5       4       1  2 ((跳过) ×1, -3 ×1)    1       0
    7 non-empty answer cells: 5 decoded (4 from digits, 1 from labels), 2 missing by a marker ((跳过) ×1, -3 ×1), 0 undecodable; blank cells: 1.
    """
    return "\n".join(decoding_lines(summary, labels_for(language)))

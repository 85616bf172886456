"""How wide a report table prints: column widths from content, and when a table needs a landscape page.

Pure measuring, shared by the Word report (which sets the widths in the document) and the
LaTeX report (which puts the same tables on landscape pages): every character's advance
width is estimated in em for the fonts a reader may get (Times New Roman, or DejaVu Serif
substituted by LibreOffice, about 20% wider), so no number, label or hypothesis id is ever
broken mid-token. Widths are in twentieths of a point (dxa), Word's unit; the page is A4
with 2.5 cm margins in both reports.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import NamedTuple

from semxhs.report.blocks import Table

__all__ = ["CELL_PADDING", "LANDSCAPE_TEXT_WIDTH", "MIN_CELL_SIZE", "TEXT_WIDTH", "TableLayout", "column_needs",
           "column_widths", "display_width", "nonbreaking", "table_layout", "text_dxa"]

TEXT_WIDTH = 9072  # dxa: 16 cm between 2.5 cm margins on A4
LANDSCAPE_TEXT_WIDTH = 14004  # dxa: 24.7 cm between 2.5 cm margins on A4 landscape
MIN_CELL_SIZE = 7.0  # pt: a table wider than a landscape page shrinks to this size at the least
CELL_PADDING = 260  # Word's default left and right cell margins (2 x 0.19 cm) plus a little


class TableLayout(NamedTuple):
    """The cell font size (pt), whether the table needs a landscape page, and its column widths (dxa)."""

    size: float
    landscape: bool
    widths: list[int]


def display_width(text: str) -> int:
    """Width of ``text`` in Latin-character units: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def char_em(ch: str) -> float:
    """The advance width of one character in em, safe for the fonts a reader may get instead of
    Times New Roman (LibreOffice without it substitutes DejaVu Serif, about 20% wider)."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch in " \u00a0\u2009":
        return 0.33
    if ch in "←→↔⇒":
        return 1.0
    if ch in "il.,:;'|!()[]{}":
        return 0.40
    if ch.isdigit() or ch in "*+=<>≤≥\u2212-\u2011\u2013^~$#_?/\\\"χβ":
        return 0.66
    if ch.isupper() or ch in "mw\u2014%&@":
        return 0.80
    return 0.62


def text_dxa(text: str, size: float) -> int:
    """The printed width of ``text`` at ``size`` points, in twentieths of a point (dxa)."""
    return int(math.ceil(sum(char_em(ch) for ch in text) * size * 20 * 1.04))


def unbreakable(text: str) -> list[str]:
    """The pieces of ``text`` a line may not break inside: words (between spaces), and each CJK character."""
    pieces: list[str] = []
    for word in text.split():
        if any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in word):
            pieces.extend(ch for ch in word if unicodedata.east_asian_width(ch) in ("W", "F"))
            latin = "".join(" " if unicodedata.east_asian_width(ch) in ("W", "F") else ch for ch in word)
            pieces.extend(latin.split())
        else:
            pieces.append(word)
    return pieces or [""]


def column_needs(table: Table, size: float) -> tuple[list[int], list[int]]:
    """Per column, the width (dxa) that prints every cell on one line, and the least width that
    breaks no cell mid-token (number columns: the whole cell, which never wraps; text columns:
    their longest word)."""
    full, least = [], []
    for j, col in enumerate(table["columns"]):
        cells = [nonbreaking(r["cells"][j], col["align"]) for r in table["rows"]]
        header_least = max(text_dxa(w, size) for w in unbreakable(col["label"]))
        widest = max([text_dxa(c, size) for c in cells] or [0])
        if col["align"] == "num":
            need_least = widest
        else:
            need_least = max([max(text_dxa(w, size) for w in unbreakable(c)) for c in cells] or [0])
        full.append(max(widest, header_least, text_dxa(col["label"], size) if len(col["label"]) <= 12 else 0)
                    + CELL_PADDING)
        least.append(max(need_least, header_least) + CELL_PADDING)
    return full, least


def column_widths(table: Table, size: float = 10.0, text_width: int = TEXT_WIDTH) -> list[int]:
    """Column widths in twentieths of a point (dxa), from the content of each column.

    Each column asks for the width of its longest cell; when the columns together exceed
    ``text_width``, the room above each column's least width (a number column never
    wraps; a text column wraps only between words) is shared out in proportion, so no
    number, label or hypothesis id is ever broken mid-token. When even the least widths
    exceed ``text_width`` they are returned as they are (the caller sets the table in
    landscape or in a smaller size).

    Examples
    --------
    >>> t = {"columns": [{"label": "Path", "align": "left", "italic": False},
    ...                  {"label": "p", "align": "num", "italic": True}],
    ...      "rows": [{"cells": ["H1 Trust ← Interactivity", "< .001"], "starts_group": False}]}
    >>> wide = column_widths(t)
    >>> narrow = column_widths(t, text_width=2000)
    >>> narrow[1] == wide[1] and narrow[0] < wide[0]
    True
    """
    full, least = column_needs(table, size)
    if sum(full) <= text_width:
        return full
    if sum(least) >= text_width:
        return least
    room = text_width - sum(least)
    slack = [f - m for f, m in zip(full, least)]
    total = sum(slack) or 1
    return [m + int(room * s / total) for m, s in zip(least, slack)]


def table_layout(table: Table) -> TableLayout:
    """The cell font size, whether the table goes on a landscape page, and its column widths."""
    size = 10.0
    if sum(column_needs(table, size)[1]) <= TEXT_WIDTH:
        return TableLayout(size, False, column_widths(table, size, TEXT_WIDTH))
    while size > MIN_CELL_SIZE and sum(column_needs(table, size)[1]) > LANDSCAPE_TEXT_WIDTH:
        size -= 0.5
    return TableLayout(size, True, column_widths(table, size, LANDSCAPE_TEXT_WIDTH))


_NBSP = "\u00a0"
_SPACED = re.compile(r"(?<=[<>=≤≥]) (?=[-−.\d])|(?<=[\d.]) (?=[<>=≤≥])|(?<=[pβBRrtFzχ]) (?=[<>=≤≥])")


def nonbreaking(text: str, align: str) -> str:
    """``text`` with the spaces that must not break made non-breaking.

    In a number column the whole cell is one unit (``.035 [.000, .092]``, ``< .001``);
    elsewhere only the space after a comparison (``p < .001``) is tied. Hyphens stay
    ordinary hyphens (copied text must stay ``utf-8-sig``); negative numbers carry the
    minus sign U+2212, after which no line breaks.

    Examples
    --------
    >>> nonbreaking("< .001", "num") == "<\u00a0.001"
    True
    >>> nonbreaking("p < .001 and more", "left") == "p\u00a0<\u00a0.001 and more"
    True
    """
    if align == "num":
        return text.replace(" ", _NBSP)
    return _SPACED.sub(_NBSP, text)

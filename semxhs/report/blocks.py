"""The shapes of a report context and the small constructors every section builder uses.

A report context (see :mod:`semxhs.report.context`) is plain data: dicts of strings
and lists, typed here as :class:`~typing.TypedDict` so that the study report, the
measurement-quality sections (:mod:`semxhs.report.measurement`) and the PROCESS
report (:mod:`semxhs.report.process`) build the same structures, which the one set of
templates and the one Word writer print. Nothing here formats a number.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal, TypedDict

__all__ = [
    "Column",
    "Context",
    "Figure",
    "GENERIC_TEMPLATE",
    "Header",
    "HeaderRow",
    "KEEP_TOGETHER_MAX_ROWS",
    "Labels",
    "Row",
    "Section",
    "Table",
    "collect_references",
    "column",
    "figure",
    "number_captions",
    "prefix_figure_files",
    "row",
    "section",
    "table",
]

Labels = Mapping[str, str]

GENERIC_TEMPLATE = "section_tables.html.j2"
KEEP_TOGETHER_MAX_ROWS = 25  # longer tables may break across pages (their header repeats)


class Column(TypedDict):
    """One column: header text, alignment, and whether the header is a symbol set in italics (APA)."""

    label: str
    align: Literal["left", "num", "center"]
    italic: bool


class Row(TypedDict):
    """One body row; ``starts_group`` marks the first row of a block (a factor, an outcome)."""

    cells: list[str]
    starts_group: bool


class Table(TypedDict):
    """An APA table: ``caption`` (``"Table 3"``/``"表 3"``) is filled in by :func:`number_captions`."""

    id: str
    caption: str
    title: str
    columns: list[Column]
    rows: list[Row]
    notes: list[str]
    keep_together: bool


class Figure(TypedDict):
    """An APA figure: an SVG document (our own matplotlib output) with number, title and notes.

    ``svg`` is the raw SVG text; only :func:`semxhs.report.render.inline_svg` turns it
    into markup, after checking it. ``png`` is the same figure as a PNG image, base64
    encoded (so the context stays plain JSON), for Word, which cannot embed SVG; ``""``
    when there is none (Word then shows a placeholder naming ``file``). ``file`` is the
    name the figure is saved under beside the report, ``""`` when it is not saved.
    """

    id: str
    caption: str
    title: str
    svg: str
    png: str
    file: str
    notes: list[str]
    css: str


class Section(TypedDict):
    """A titled part of the report; ``alert`` asks the renderers to make it impossible to miss.

    ``paragraphs`` print before the tables, ``bullets`` (findings in words) after the
    paragraphs, then ``tables``, then ``figures``. ``references`` are the works the
    section cites; :func:`~semxhs.report.context.build_context` lists each once.
    """

    id: str
    title: str
    template: str
    alert: bool
    heading: str
    paragraphs: list[str]
    bullets: list[str]
    tables: list[Table]
    figures: list[Figure]
    references: list[str]


class HeaderRow(TypedDict):
    label: str
    value: str


class Header(TypedDict):
    title: str
    subtitle: str
    rows: list[HeaderRow]
    notes: list[str]


class Context(TypedDict):
    language: str
    html_lang: str
    t: Mapping[str, str]
    header: Header
    sections: list[Section]
    references: list[str]
    footer: str


def column(label: str, align: Literal["left", "num", "center"] = "num", italic: bool = False) -> Column:
    """A column header.

    Examples
    --------
    >>> column("p", italic=True)
    {'label': 'p', 'align': 'num', 'italic': True}
    """
    return {"label": label, "align": align, "italic": italic}


def table(table_id: str, title: str, columns: list[Column], rows: list[Row], notes: Iterable[str]) -> Table:
    """A table with its caption still empty (numbered once all sections exist); empty notes are dropped."""
    return {"id": table_id, "caption": "", "title": title, "columns": columns, "rows": rows,
            "notes": [n for n in notes if n], "keep_together": len(rows) <= KEEP_TOGETHER_MAX_ROWS}


def figure(figure_id: str, title: str, svg: str, file: str, notes: Iterable[str], *, png: bytes = b"",
           css: str = "") -> Figure:
    """A figure with its caption still empty (numbered once all sections exist); empty notes are dropped.

    ``png`` (the PNG file's bytes, for Word) is stored base64-encoded; ``css`` is an extra
    class of the HTML ``<figure>`` (``"path-diagram"``).

    Examples
    --------
    >>> fig = figure("figure-1", "Flow", "<svg/>", "", ["", "A note."], png=b"\\x89PNG")
    >>> fig["png"], fig["notes"]
    ('iVBORw==', ['A note.'])
    """
    return {"id": figure_id, "caption": "", "title": title, "svg": svg,
            "png": base64.b64encode(png).decode("ascii"), "file": file, "notes": [n for n in notes if n],
            "css": css}


def section(section_id: str, title: str, tables: list[Table], *, paragraphs: Sequence[str] = (),
            bullets: Sequence[str] = (), figures: Sequence[Figure] = (), references: Sequence[str] = (),
            template: str = GENERIC_TEMPLATE) -> Section:
    """A section printed by the generic template unless ``template`` names another partial."""
    return {"id": section_id, "title": title, "template": template, "alert": False, "heading": "",
            "paragraphs": list(paragraphs), "bullets": list(bullets), "tables": tables,
            "figures": list(figures), "references": list(references)}


def row(cells: list[str], starts_group: bool = False) -> Row:
    """A body row.

    Examples
    --------
    >>> row(["a", ".50"], starts_group=True)
    {'cells': ['a', '.50'], 'starts_group': True}
    """
    return {"cells": cells, "starts_group": starts_group}


def number_captions(sections: Sequence[Section], t: Labels) -> None:
    """Number tables and figures in reading order (``"Table 1"``, ``"图 2"``), so numbers never skip."""
    n_tables = n_figures = 0
    for s in sections:
        for tab in s["tables"]:
            n_tables += 1
            tab["caption"] = f"{t['table_word']} {n_tables}"
        for fig in s["figures"]:
            n_figures += 1
            fig["caption"] = f"{t['figure_word']} {n_figures}"


def prefix_figure_files(sections: Sequence[Section], prefix: str, t: Labels) -> None:
    """Put ``prefix`` (the report's stem, ``"report_"``) before every figure's file name, in the note that names it too.

    Figures are saved beside the report under these names, so two reports in one folder
    keep their own files.

    Examples
    --------
    >>> sec = section("s", "S", [], figures=[figure("f", "F", "<svg/>", "path_diagram.svg", ["Also saved as path_diagram.svg."])])
    >>> prefix_figure_files([sec], "out_", {"figure_file_note": "Also saved as {file}."})
    >>> sec["figures"][0]["file"], sec["figures"][0]["notes"]
    ('out_path_diagram.svg', ['Also saved as out_path_diagram.svg.'])
    """
    if not prefix:
        return
    for s in sections:
        for fig in s["figures"]:
            if not fig["file"]:
                continue
            old, new = fig["file"], prefix + fig["file"]
            note = t["figure_file_note"].format(file=old)
            fig["notes"] = [t["figure_file_note"].format(file=new) if n == note else n for n in fig["notes"]]
            fig["file"] = new


def collect_references(base: Iterable[str], sections: Sequence[Section]) -> list[str]:
    """The works cited by a report: ``base`` and every section's own, each once, in APA order (by author).

    Examples
    --------
    >>> collect_references(["Hu, L. (1999).", "Browne, M. (1993)."], [])
    ['Browne, M. (1993).', 'Hu, L. (1999).']
    """
    seen: dict[str, None] = dict.fromkeys(base)
    for s in sections:
        seen.update(dict.fromkeys(s["references"]))
    return sorted(seen, key=str.casefold)

"""The Markdown report: the same sections, tables, notes and figures as the HTML and Word reports.

Reads only the context of :func:`~semxhs.report.context.build_context` (nothing is computed
or formatted here). Tables are pipe tables (GitHub/Pandoc Markdown) with the caption line
above (``**Table 1.** *Title*``) and the notes below; figures are references to their SVG
files, written beside the report (:func:`figure_files`).
"""

from __future__ import annotations

import base64
import re
from datetime import date
from typing import TYPE_CHECKING

from semxhs.report.blocks import Context, Figure, Table
from semxhs.study.results import StudyResult

if TYPE_CHECKING:
    from semxhs.process.results import ProcessResult

__all__ = ["figure_files", "figure_name", "markdown_escape", "process_markdown", "render_markdown",
           "render_markdown_context"]

_MD_SPECIAL = re.compile(r"([\\`*_|<>#])")


def markdown_escape(text: str) -> str:
    """``text`` with the characters Markdown would read as markup backslash-escaped.

    Examples
    --------
    >>> print(markdown_escape(".52*** | a_b"))
    .52\\*\\*\\* \\| a\\_b
    """
    return _MD_SPECIAL.sub(r"\\\1", text)


def figure_name(fig: Figure, suffix: str = ".svg") -> str:
    """The file name a figure is saved under beside a Markdown/LaTeX report (its own, else its id).

    Examples
    --------
    >>> figure_name({"file": "path_diagram.svg", "id": "figure-path"}, ".png")
    'path_diagram.png'
    >>> figure_name({"file": "", "id": "figure-flow"})
    'figure-flow.svg'
    """
    stem = fig["file"].rsplit(".", 1)[0] if fig["file"] else fig["id"]
    return stem + suffix


def figure_files(context: Context, *, png: bool = False) -> list[tuple[str, bytes]]:
    """The figures of ``context`` as files to write beside the report: each SVG, and its PNG when ``png``.

    Examples
    --------
    >>> ctx = {"sections": [{"figures": [{"id": "f", "file": "", "svg": "<svg/>", "png": ""}]}]}
    >>> figure_files(ctx)
    [('f.svg', b'<svg/>')]
    """
    out: list[tuple[str, bytes]] = []
    for sec in context["sections"]:
        for fig in sec["figures"]:
            if fig["svg"]:
                out.append((figure_name(fig), fig["svg"].encode("utf-8")))
            if png and fig["png"]:
                out.append((figure_name(fig, ".png"), base64.b64decode(fig["png"])))
    return out


def _table(table: Table, note_lead: str, zh: bool) -> list[str]:
    sep = "" if zh else " "
    lines = [f"**{table['caption']}**{'  ' if zh else '. '}*{markdown_escape(table['title'])}*", ""]
    align = {"left": ":---", "num": "---:", "center": ":---:"}
    lines.append("| " + " | ".join(markdown_escape(c["label"]) for c in table["columns"]) + " |")
    lines.append("| " + " | ".join(align[c["align"]] for c in table["columns"]) + " |")
    for row in table["rows"]:
        lines.append("| " + " | ".join(markdown_escape(c) for c in row["cells"]) + " |")
    lines.append("")
    for k, note in enumerate(table["notes"]):
        lead = f"*{note_lead}*{sep}" if k == 0 and not zh else (note_lead if k == 0 else "")
        lines += [lead + markdown_escape(note), ""]
    return lines


def _figure(fig: Figure, note_lead: str, zh: bool) -> list[str]:
    sep = "" if zh else " "
    title = markdown_escape(fig["title"])
    lines = [f"**{fig['caption']}**{'  ' if zh else '. '}*{title}*", ""]
    if fig["svg"]:
        lines += [f"![{title}]({figure_name(fig)})", ""]
    for k, note in enumerate(fig["notes"]):
        lead = f"*{note_lead}*{sep}" if k == 0 and not zh else (note_lead if k == 0 else "")
        lines += [lead + markdown_escape(note), ""]
    return lines


def render_markdown_context(context: Context) -> str:
    """The Markdown text of a report context.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from datetime import date
    >>> from semxhs.sem.model import fit
    >>> from semxhs.report.context import build_context
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=200); y = 0.5 * x + rng.normal(size=200)
    >>> study = StudyResult("Demo", "en", fit("y ~ x", pd.DataFrame({"x": x, "y": y})), (),
    ...                     "d.csv", "m.lav", "ab" * 32, "0.1.0")
    >>> text = render_markdown_context(build_context(study, today=date(2024, 5, 1)))
    >>> text.splitlines()[0], "| Index | Value |" in text
    ('# Demo', True)
    """
    zh = context["language"] == "zh"
    t = context["t"]
    header = context["header"]
    sep = "：" if zh else ": "
    lines = [f"# {markdown_escape(header['title'])}", "", f"*{markdown_escape(header['subtitle'])}*", ""]
    for hrow in header["rows"]:
        lines.append(f"- **{markdown_escape(hrow['label'])}**{sep}{markdown_escape(hrow['value'])}")
    lines.append("")
    if header["notes"]:
        lines += [f"### {t['study_notes']}", ""]
        for note in header["notes"]:
            lines += [markdown_escape(note), ""]
    for sec in context["sections"]:
        lines += [f"## {markdown_escape(sec['title'])}", ""]
        if sec["heading"]:
            lines += [f"**{markdown_escape(sec['heading'])}**", ""]
        for text in sec["paragraphs"]:
            lines += [markdown_escape(text), ""]
        if sec["bullets"]:
            lines += [f"- {markdown_escape(b)}" for b in sec["bullets"]] + [""]
        for table in sec["tables"]:
            lines += _table(table, t["note_lead"], zh)
        for fig in sec["figures"]:
            lines += _figure(fig, t["note_lead"], zh)
    lines += [f"## {t['references']}", ""]
    for ref in context["references"]:
        lines += [markdown_escape(ref), ""]
    lines += ["---", "", markdown_escape(context["footer"]), ""]
    return "\n".join(lines)


def render_markdown(result: StudyResult, *, today: date | None = None) -> str:
    """The Markdown report of a study (see :func:`render_markdown_context`)."""
    from semxhs.report.context import build_context

    return render_markdown_context(build_context(result, today=today))


def process_markdown(result: "ProcessResult", *, title: str, language: str, today: date | None = None) -> str:
    """The Markdown report of one PROCESS analysis (the same context as its HTML report)."""
    from semxhs.report.process import build_process_context

    return render_markdown_context(build_process_context(result, title=title, language=language, today=today))

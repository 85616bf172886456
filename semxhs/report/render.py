"""The HTML report: one self-contained file (inline CSS; no fonts, scripts or links to fetch).

The "render" half of collect-then-render: :func:`~semxhs.report.context.build_context`
decides every string, and the Jinja templates in ``templates/`` only loop and print.
The environment escapes every value (``autoescape=True``) and fails on any name the
context lacks (``StrictUndefined``), so a missing label or a typo cannot slip through
as an empty cell. The one exception to escaping is a figure: :func:`inline_svg` (the
template filter of the same name) lets an SVG through as markup only after it has
parsed as XML and shown no script, event handler, foreign object or outside link.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from semxhs.atomic import atomic_write_bytes
from semxhs.errors import ReportError
from semxhs.report.context import Context, build_context
from semxhs.study.results import StudyResult

if TYPE_CHECKING:
    from semxhs.process.results import ProcessResult

__all__ = ["TEMPLATES", "environment", "inline_svg", "process_plot_files",
           "render_context", "render_html", "render_process_html", "write_html"]

TEMPLATES = Path(__file__).parent / "templates"
"""The folder of the report templates (shipped as package data)."""


_SVG_NS = "{http://www.w3.org/2000/svg}"
_FORBIDDEN_ELEMENTS = {"script", "foreignobject", "iframe", "object", "embed", "handler", "listener"}
_PROLOG = re.compile(r"\A\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*(<!DOCTYPE\s+svg[^>\[]*>\s*)?(<!--.*?-->\s*)*",
                     re.DOTALL)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def inline_svg(svg: str, prefix: str) -> Markup:
    """An SVG document as markup for inlining in HTML, after checking that it is only a picture.

    The check: the text parses as XML (after an optional XML declaration and an SVG
    doctype without internal subset); the root is ``<svg>``; no ``<script>``,
    ``<foreignObject>``, ``<iframe>``, ``<object>`` or ``<embed>`` element; no ``on…``
    event-handler attribute; every ``href`` points inside the document (``#id``); no
    ``javascript:``, ``@import`` or outside ``url(…)`` in attributes or style sheets.
    Every ``id`` (and every reference to it) gets ``prefix-`` in front, so two figures
    on one page never share an id.

    Parameters
    ----------
    svg : str
        The SVG text (matplotlib output of :mod:`semxhs.report.figures.process_plots`).
    prefix : str
        Unique per figure (the figure's id).

    Returns
    -------
    markupsafe.Markup
        The ``<svg>`` element, without XML declaration or doctype.

    Raises
    ------
    ReportError
        When the text is not well-formed SVG or contains anything active.

    Examples
    --------
    >>> svg = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><g id="a"/><use href="#a"/></svg>'
    >>> str(inline_svg(svg, "fig-1"))
    '<svg xmlns="http://www.w3.org/2000/svg"><g id="fig-1-a"/><use href="#fig-1-a"/></svg>'
    >>> inline_svg('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "f")
    Traceback (most recent call last):
    ...
    semxhs.errors.ReportError: figure f: the SVG contains a <script> element; refusing to inline it
    """
    prolog = _PROLOG.match(svg)
    body = svg[prolog.end():] if prolog else svg
    if "<!ENTITY" in svg or not body.startswith("<svg"):
        raise ReportError(f"figure {prefix}: not an SVG document (expected <svg> after the XML prolog)")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise ReportError(f"figure {prefix}: the SVG is not well-formed XML ({exc})") from None
    if root.tag != f"{_SVG_NS}svg":
        raise ReportError(f"figure {prefix}: the root element is {root.tag!r}, expected an SVG <svg>")
    for el in root.iter():
        name = _local(str(el.tag))
        if name in _FORBIDDEN_ELEMENTS:
            raise ReportError(f"figure {prefix}: the SVG contains a <{name}> element; refusing to inline it")
        texts = [el.text or ""] if name == "style" else []
        for attr, value in el.attrib.items():
            attr_name = _local(attr)
            if attr_name.startswith("on"):
                raise ReportError(f"figure {prefix}: the SVG has an event handler ({attr_name}); refusing to inline it")
            if attr_name == "href" and not value.startswith("#"):
                raise ReportError(f"figure {prefix}: the SVG links outside itself ({value!r}); refusing to inline it")
            texts.append(value)
        for text in texts:
            low = text.lower()
            if "javascript:" in low or "@import" in low or re.search(r"url\(\s*['\"]?(?!#)", low):
                raise ReportError(f"figure {prefix}: the SVG refers to outside content; refusing to inline it")
    body = re.sub(r'(\sid=")([^"]+)"', lambda m: f'{m.group(1)}{prefix}-{m.group(2)}"', body)
    body = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", body)
    body = re.sub(r'(href=")#([^"]+)"', lambda m: f'{m.group(1)}#{prefix}-{m.group(2)}"', body)
    return Markup(body)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja environment of the reports: autoescape on, undefined names are errors.

    One filter: ``inline_svg`` (:func:`inline_svg`), the only way markup enters a page.
    """
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["inline_svg"] = inline_svg
    return env


def render_context(context: Context) -> str:
    """Fill ``report.html.j2`` with a context from :func:`build_context`."""
    return environment().get_template("report.html.j2").render(**context)


def render_html(result: StudyResult, *, today: date | None = None) -> str:
    """The report of ``result`` as one HTML document.

    Parameters
    ----------
    result : StudyResult
        The study's results; ``result.language`` picks English or Chinese.
    today : datetime.date, optional
        The date printed in the report (default: today).

    Returns
    -------
    str
        A complete, self-contained HTML5 document.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> from semxhs.study.results import StudyResult
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=200); y = 0.5 * x + rng.normal(size=200)
    >>> study = StudyResult("<b>Demo</b>", "en", fit("y ~ x", pd.DataFrame({"x": x, "y": y})), (),
    ...                     "d.csv", "m.lav", "ab" * 32, "0.1.0")
    >>> html = render_html(study)
    >>> html.startswith("<!DOCTYPE html>"), '<section id="structural">' in html, "&lt;b&gt;Demo" in html
    (True, True, True)
    """
    return render_context(build_context(result, today=today))


def write_html(result: StudyResult, path: str | os.PathLike[str], *, today: date | None = None) -> Path:
    """Render the report of ``result`` and write it to ``path`` atomically (UTF-8).

    Returns
    -------
    pathlib.Path
        The path written.
    """
    return atomic_write_bytes(path, render_html(result, today=today).encode("utf-8"))


def render_process_html(result: ProcessResult, *, title: str, language: str, today: date | None = None,
                        file_prefix: str = "") -> str:
    """The report of one PROCESS analysis as one self-contained HTML document, plots inline as SVG.

    Parameters
    ----------
    result : ProcessResult
        From :func:`semxhs.process.run_process`.
    title : str
        The report's title.
    language : {"en", "zh"}
        Report language (wording, plot labels, Chinese table conventions).
    today : datetime.date, optional
        The date printed in the report (default: today).
    file_prefix : str
        Put before the names of the plot files the report cites.

    Returns
    -------
    str
        A complete HTML5 document; section ids are listed in :mod:`semxhs.report.process`.

    Examples
    --------
    >>> import pandas as pd
    >>> from semxhs.process import run_process
    >>> from pathlib import Path; import semxhs
    >>> FIX = Path(semxhs.__file__).resolve().parents[1] / "tests" / "fixtures"
    >>> d = pd.read_csv(FIX / "process/process_model1/data.csv")
    >>> html = render_process_html(run_process(d, 1, x="PI", y="VC", w="CE", boot=0), title="Moderation",
    ...                            language="en")
    >>> html.count("<svg"), '<section id="process-jn">' in html
    (4, True)
    """
    from semxhs.report.process import build_process_context

    return render_context(build_process_context(result, title=title, language=language, today=today,
                                                file_prefix=file_prefix))


def process_plot_files(result: ProcessResult, *, language: str) -> dict[str, str]:
    """The plots of a PROCESS report as ``{file name: SVG text}`` (see :func:`semxhs.report.process.process_plot_files`)."""
    from semxhs.report.process import process_plot_files as files

    return files(result, language=language)

"""Publication-style (APA) reports of a study: HTML for the screen and the printer, Word for theses.

Collect first, render second: :func:`build_context` turns a
:class:`~semxhs.study.results.StudyResult` into finished strings (numbers formatted by
:mod:`semxhs.report.format`, words from :mod:`semxhs.report.labels`); :func:`render_html`
/ :func:`write_html` print them through Jinja templates, :func:`write_docx` through
python-docx. A PROCESS analysis has its own entry points (:func:`render_process_html`,
:func:`process_docx_bytes`, :func:`process_plot_files`). Nothing here computes a statistic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from semxhs import lazy_getattr

if TYPE_CHECKING:
    from semxhs.report.context import build_context
    from semxhs.report.docx import (
               build_document,
               docx_bytes,
               process_docx_bytes,
               write_docx,
    )
    from semxhs.report.process import build_process_context, process_plot_files
    from semxhs.report.render import render_html, render_process_html, write_html

# imported on first use (start-up time: each command imports only what it uses)
_LAZY = {
    'build_context': ('semxhs.report.context', 'build_context'),
    'build_document': ('semxhs.report.docx', 'build_document'),
    'build_process_context': ('semxhs.report.process', 'build_process_context'),
    'docx_bytes': ('semxhs.report.docx', 'docx_bytes'),
    'process_docx_bytes': ('semxhs.report.docx', 'process_docx_bytes'),
    'process_plot_files': ('semxhs.report.process', 'process_plot_files'),
    'render_html': ('semxhs.report.render', 'render_html'),
    'render_process_html': ('semxhs.report.render', 'render_process_html'),
    'write_docx': ('semxhs.report.docx', 'write_docx'),
    'write_html': ('semxhs.report.render', 'write_html'),
}


__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = ["build_context", "build_document", "build_process_context", "docx_bytes", "process_docx_bytes",
           "process_plot_files", "render_html", "render_process_html", "write_docx", "write_html"]

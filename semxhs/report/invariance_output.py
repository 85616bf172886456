"""Write the ``semxhs invariance`` report: HTML (the study report's templates) and Word."""

from __future__ import annotations

import io
from datetime import date

from semxhs.report.docx import build_document
from semxhs.report.invariance import build_invariance_context
from semxhs.report.render import render_context
from semxhs.sem.invariance import InvarianceResult

__all__ = ["invariance_docx_bytes", "render_invariance_html"]


def render_invariance_html(res: InvarianceResult, *, title: str, language: str, today: date | None = None) -> str:
    """The invariance report as one self-contained HTML document."""
    return render_context(build_invariance_context(res, title=title, language=language, today=today))


def invariance_docx_bytes(res: InvarianceResult, *, title: str, language: str, today: date | None = None) -> bytes:
    """The invariance report as ``.docx`` bytes (the same context as the HTML one)."""
    buffer = io.BytesIO()
    build_document(build_invariance_context(res, title=title, language=language, today=today)).save(buffer)
    return buffer.getvalue()

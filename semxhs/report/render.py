"""The HTML report: one self-contained file (inline CSS; no fonts, scripts or links to fetch).

The "render" half of collect-then-render: :func:`~semxhs.report.context.build_context`
decides every string, and the Jinja templates in ``templates/`` only loop and print.
The environment escapes every value (``autoescape=True``) and fails on any name the
context lacks (``StrictUndefined``), so a missing label or a typo cannot slip through
as an empty cell.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from semxhs.report.context import Context, build_context
from semxhs.results import StudyResult

__all__ = ["TEMPLATES", "atomic_write_bytes", "environment", "render_context", "render_html", "write_html"]

TEMPLATES = Path(__file__).parent / "templates"
"""The folder of the report templates (shipped as package data)."""


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja environment of the reports: autoescape on, undefined names are errors."""
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


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
    >>> from semxhs.fit import fit
    >>> from semxhs.results import StudyResult
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=200); y = 0.5 * x + rng.normal(size=200)
    >>> study = StudyResult("<b>Demo</b>", "en", fit("y ~ x", pd.DataFrame({"x": x, "y": y})), (),
    ...                     "d.csv", "m.lav", "ab" * 32, "0.1.0")
    >>> html = render_html(study)
    >>> html.startswith("<!DOCTYPE html>"), '<section id="structural">' in html, "&lt;b&gt;Demo" in html
    (True, True, True)
    """
    return render_context(build_context(result, today=today))


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half of one.

    The bytes go to a temporary file in the same folder (same file system), are flushed
    to disk, and the temporary file is renamed over ``path`` with :func:`os.replace`.
    Missing parent folders are created.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(folder / "a" / "b.txt", b"hi").read_bytes()
    b'hi'
    >>> sorted(p.name for p in (folder / "a").iterdir())
    ['b.txt']
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)  # mkstemp makes 0600; a report is meant to be shared
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    return target


def write_html(result: StudyResult, path: str | os.PathLike[str], *, today: date | None = None) -> Path:
    """Render the report of ``result`` and write it to ``path`` atomically (UTF-8).

    Returns
    -------
    pathlib.Path
        The path written.
    """
    return atomic_write_bytes(path, render_html(result, today=today).encode("utf-8"))

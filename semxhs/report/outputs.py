"""Write a run's outputs: everything is rendered in memory first, then each file is
written to a temporary name in its folder and renamed into place, so an interrupted or
failed run never leaves a partial file (and never touches the input files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from semxhs.atomic import atomic_write_bytes
from semxhs.errors import InputFileError
from semxhs.study.results import StudyResult

if TYPE_CHECKING:
    from semxhs.process import ProcessResult


def refuse_overwriting(inputs: tuple[str | Path, ...], *outputs: str | Path | None) -> None:
    """Raise :class:`InputFileError` when an output path is one of the input files."""
    protected = {Path(p).resolve() for p in inputs}
    clash = [str(p) for p in outputs if p is not None and Path(p).resolve() in protected]
    if clash:
        raise InputFileError(f"refusing to overwrite an input file with output: {', '.join(clash)}")


def results_json(result: StudyResult) -> str:
    """The results document as JSON text (UTF-8, Chinese kept readable)."""
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)


def write_outputs(result: StudyResult, *, json_path: str | Path | None = None,
                  html_path: str | Path | None = None, docx_path: str | Path | None = None,
                  inputs: tuple[str | Path, ...] = (), tex_path: str | Path | None = None,
                  md_path: str | Path | None = None) -> list[Path]:
    """Render every requested output, then write them all; return the paths written.

    The LaTeX and Markdown reports get their figures written beside them (SVG; for LaTeX
    also the PNG it includes).

    Raises
    ------
    InputFileError
        When an output path would overwrite one of the ``inputs``.
    """
    refuse_overwriting(inputs, json_path, html_path, docx_path, tex_path, md_path)
    payloads: list[tuple[Path, bytes]] = []
    if json_path is not None:
        payloads.append((Path(json_path), results_json(result).encode("utf-8")))
    if html_path is not None:
        from semxhs.report.render import render_html

        payloads.append((Path(html_path), render_html(result).encode("utf-8")))
        payloads.extend(_plot_payloads(result.process, Path(html_path).parent, result.language, study=True))
    if docx_path is not None:
        from semxhs.report.docx import docx_bytes

        payloads.append((Path(docx_path), docx_bytes(result)))
    if tex_path is not None or md_path is not None:
        payloads.extend(_text_payloads(result, tex_path, md_path))
    for path, payload in payloads:
        atomic_write_bytes(path, payload)
    return [p for p, _ in payloads]


def write_process_outputs(result: ProcessResult, *, json_path: str | Path | None = None,
                          html_path: str | Path | None = None, inputs: tuple[str | Path, ...] = (),
                          title: str = "PROCESS", language: str = "en", docx_path: str | Path | None = None,
                          tex_path: str | Path | None = None, md_path: str | Path | None = None) -> list[Path]:
    """Render and write the outputs of a PROCESS analysis (see :func:`write_outputs`).

    The plots are named after the report (``report.html`` → ``report_interaction_plot.svg``,
    the first of HTML, Word, LaTeX, Markdown given), so two analyses written into one
    folder never overwrite each other's plots; they are written beside each report.
    """
    refuse_overwriting(inputs, json_path, html_path, docx_path, tex_path, md_path)
    payloads: dict[Path, bytes] = {}
    if json_path is not None:
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)
        payloads[Path(json_path)] = text.encode("utf-8")
    reports = [Path(p) for p in (html_path, docx_path, tex_path, md_path) if p is not None]
    if not reports:
        return _write_all(payloads)
    prefix = f"{reports[0].stem}_"
    if html_path is not None:
        from semxhs.report.render import render_process_html

        payloads[Path(html_path)] = render_process_html(result, title=title, language=language,
                                                        file_prefix=prefix).encode("utf-8")
    if docx_path is not None:
        from semxhs.report.docx import process_docx_bytes

        payloads[Path(docx_path)] = process_docx_bytes(result, title=title, language=language, file_prefix=prefix)
    if tex_path is not None or md_path is not None:
        from semxhs.report.process import build_process_context

        context = build_process_context(result, title=title, language=language, file_prefix=prefix)
        for path, data in text_report_payloads(context, tex_path, md_path):
            payloads.setdefault(path, data)
    for folder in dict.fromkeys(p.parent for p in reports):
        for path, data in _plot_payloads((result,), folder, language, study=False, prefix=prefix):
            payloads.setdefault(path, data)
    return _write_all(payloads)


def _write_all(payloads: dict[Path, bytes]) -> list[Path]:
    for path, payload in payloads.items():
        atomic_write_bytes(path, payload)
    return list(payloads)


def _text_payloads(result: StudyResult, tex_path: str | Path | None,
                   md_path: str | Path | None) -> list[tuple[Path, bytes]]:
    """The LaTeX and Markdown reports of one context, with their figure files beside each."""
    from semxhs.report.context import build_context

    return text_report_payloads(build_context(result), tex_path, md_path)


def text_report_payloads(context: object, tex_path: str | Path | None,
                         md_path: str | Path | None) -> list[tuple[Path, bytes]]:
    """LaTeX/Markdown files of a report context and the figures they cite (names deduplicated)."""
    from semxhs.report.latex import render_latex_context
    from semxhs.report.markdown import figure_files, render_markdown_context

    out: dict[Path, bytes] = {}
    if tex_path is not None:
        out[Path(tex_path)] = render_latex_context(context).encode("utf-8")  # type: ignore[arg-type]
        for name, data in figure_files(context, png=True):  # type: ignore[arg-type]
            out.setdefault(Path(tex_path).parent / name, data)
    if md_path is not None:
        out[Path(md_path)] = render_markdown_context(context).encode("utf-8")  # type: ignore[arg-type]
        for name, data in figure_files(context):  # type: ignore[arg-type]
            out.setdefault(Path(md_path).parent / name, data)
    return list(out.items())


def _plot_payloads(analyses: tuple[ProcessResult, ...], folder: Path, language: str, *,
                   study: bool, prefix: str = "") -> list[tuple[Path, bytes]]:
    """The SVG plots a report shows inline, to be saved beside it (names as the report cites them)."""
    if not analyses:
        return []
    from semxhs.report.labels import labels_for
    from semxhs.report.process import process_figures

    labels = labels_for(language)
    out = []
    for k, analysis in enumerate(analyses, start=1):
        for _, name, _, svg in process_figures(analysis, labels, file_prefix=f"process{k}_" if study else prefix):
            out.append((folder / name, svg.encode("utf-8")))
    return out

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
                  inputs: tuple[str | Path, ...] = ()) -> list[Path]:
    """Render every requested output, then write them all; return the paths written.

    Raises
    ------
    InputFileError
        When an output path would overwrite one of the ``inputs``.
    """
    refuse_overwriting(inputs, json_path, html_path, docx_path)
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
    for path, payload in payloads:
        atomic_write_bytes(path, payload)
    return [p for p, _ in payloads]


def write_process_outputs(result: ProcessResult, *, json_path: str | Path | None = None,
                          html_path: str | Path | None = None, inputs: tuple[str | Path, ...] = (),
                          title: str = "PROCESS", language: str = "en") -> list[Path]:
    """Render and write the outputs of a PROCESS analysis (see :func:`write_outputs`)."""
    refuse_overwriting(inputs, json_path, html_path)
    payloads: list[tuple[Path, bytes]] = []
    if json_path is not None:
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)
        payloads.append((Path(json_path), text.encode("utf-8")))
    if html_path is not None:
        from semxhs.report.render import render_process_html

        payloads.append((Path(html_path), render_process_html(result, title=title, language=language).encode("utf-8")))
        payloads.extend(_plot_payloads((result,), Path(html_path).parent, language, study=False))
    for path, payload in payloads:
        atomic_write_bytes(path, payload)
    return [p for p, _ in payloads]


def _plot_payloads(analyses: tuple[ProcessResult, ...], folder: Path, language: str, *,
                   study: bool) -> list[tuple[Path, bytes]]:
    """The SVG plots a report shows inline, to be saved beside it (names as the report cites them)."""
    if not analyses:
        return []
    from semxhs.report.labels import labels_for
    from semxhs.report.process import process_figures

    labels = labels_for(language)
    out = []
    for k, analysis in enumerate(analyses, start=1):
        prefix = f"process{k}_" if study else ""
        for _, name, _, svg in process_figures(analysis, labels, file_prefix=prefix):
            out.append((folder / name, svg.encode("utf-8")))
    return out

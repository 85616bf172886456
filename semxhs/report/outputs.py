"""A run's outputs as bytes, and writing them: everything is rendered in memory first, then
handed to one :class:`semxhs.atomic.OutputStage`, which writes all files to temporary names
in their folders and moves them into place together (all or none, never over an input)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from semxhs.atomic import OutputStage
from semxhs.study.results import StudyResult

if TYPE_CHECKING:
    from semxhs.process import ProcessResult

#: An output: where it goes and its bytes.
Payload = tuple[Path, bytes]


def results_json(result: StudyResult) -> str:
    """The results document as JSON text (UTF-8, Chinese kept readable)."""
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)


def study_payloads(result: StudyResult, *, json_path: str | Path | None = None,
                   html_path: str | Path | None = None, docx_path: str | Path | None = None) -> list[Payload]:
    """Render the requested outputs of a fit or a study (and the plots the HTML report cites)."""
    payloads: list[Payload] = []
    if json_path is not None:
        payloads.append((Path(json_path), results_json(result).encode("utf-8")))
    if html_path is not None:
        from semxhs.report.render import render_html

        payloads.append((Path(html_path), render_html(result).encode("utf-8")))
        payloads.extend(_plot_payloads(result.process, Path(html_path).parent, result.language, study=True))
    if docx_path is not None:
        from semxhs.report.docx import docx_bytes

        payloads.append((Path(docx_path), docx_bytes(result)))
    return payloads


def process_payloads(result: "ProcessResult", *, json_path: str | Path | None = None,
                     html_path: str | Path | None = None, title: str = "PROCESS",
                     language: str = "en") -> list[Payload]:
    """Render the requested outputs of a PROCESS analysis (the HTML report with its SVG plots)."""
    payloads: list[Payload] = []
    if json_path is not None:
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)
        payloads.append((Path(json_path), text.encode("utf-8")))
    if html_path is not None:
        from semxhs.report.render import render_process_html

        payloads.append((Path(html_path), render_process_html(result, title=title, language=language).encode("utf-8")))
        payloads.extend(_plot_payloads((result,), Path(html_path).parent, language, study=False))
    return payloads


def write_outputs(result: StudyResult, *, json_path: str | Path | None = None,
                  html_path: str | Path | None = None, docx_path: str | Path | None = None,
                  inputs: tuple[str | Path, ...] = ()) -> list[Path]:
    """Render every requested output, then write them all together; return the paths written.

    Raises
    ------
    InputFileError
        When an output path would overwrite one of the ``inputs``.
    OutputError
        When an output cannot be written (then none is).
    """
    with OutputStage(inputs) as stage:
        stage.expect(("--json", json_path), ("--html", html_path), ("--docx", docx_path))
        for path, data in study_payloads(result, json_path=json_path, html_path=html_path, docx_path=docx_path):
            stage.add(path, data)
        return stage.commit()


def write_process_outputs(result: "ProcessResult", *, json_path: str | Path | None = None,
                          html_path: str | Path | None = None, inputs: tuple[str | Path, ...] = (),
                          title: str = "PROCESS", language: str = "en") -> list[Path]:
    """Render and write the outputs of a PROCESS analysis (see :func:`write_outputs`)."""
    with OutputStage(inputs) as stage:
        stage.expect(("--json", json_path), ("--html", html_path))
        for path, data in process_payloads(result, json_path=json_path, html_path=html_path, title=title,
                                           language=language):
            stage.add(path, data)
        return stage.commit()


def _plot_payloads(analyses: "tuple[ProcessResult, ...]", folder: Path, language: str, *,
                   study: bool) -> list[Payload]:
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

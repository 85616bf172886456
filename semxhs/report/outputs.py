"""Write a run's outputs: everything is rendered in memory first, then handed to one
:class:`semxhs.atomic.OutputStage`, which writes all files to temporary names in their
folders and moves them into place together (all or none, never over an input)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from semxhs.atomic import OutputStage
from semxhs.study.results import StudyResult

if TYPE_CHECKING:
    from semxhs.process import ProcessResult


def results_json(result: StudyResult) -> str:
    """The results document as JSON text (UTF-8, Chinese kept readable)."""
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)


def study_payloads(result: StudyResult, *, json_path: str | Path | None = None,
                   html_path: str | Path | None = None, docx_path: str | Path | None = None,
                   tex_path: str | Path | None = None, md_path: str | Path | None = None) -> list[tuple[Path, bytes]]:
    """Render the requested outputs of a fit or a study, with the figures the reports cite beside them."""
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
    return list(dict(payloads).items())


def write_outputs(result: StudyResult, *, json_path: str | Path | None = None,
                  html_path: str | Path | None = None, docx_path: str | Path | None = None,
                  inputs: tuple[str | Path, ...] = (), tex_path: str | Path | None = None,
                  md_path: str | Path | None = None, stage: OutputStage | None = None) -> list[Path]:
    """Render every requested output, then write them all together; return the paths written.

    The LaTeX and Markdown reports get their figures written beside them (SVG; for LaTeX
    also the PNG it includes). ``stage`` (from a command that checked its outputs before
    computing) receives the files; by default a new stage protecting ``inputs``.

    Raises
    ------
    InputFileError
        When an output path would overwrite one of the ``inputs``.
    OutputError
        When an output cannot be written (then none is).
    """
    stage = _checked_stage(stage, inputs, json_path, html_path, docx_path, tex_path, md_path)
    return _write_all(stage, dict(study_payloads(result, json_path=json_path, html_path=html_path,
                                                 docx_path=docx_path, tex_path=tex_path, md_path=md_path)))


def write_process_outputs(result: ProcessResult, *, json_path: str | Path | None = None,
                          html_path: str | Path | None = None, inputs: tuple[str | Path, ...] = (),
                          title: str = "PROCESS", language: str = "en", docx_path: str | Path | None = None,
                          tex_path: str | Path | None = None, md_path: str | Path | None = None,
                          stage: OutputStage | None = None) -> list[Path]:
    """Render and write the outputs of a PROCESS analysis (see :func:`write_outputs`).

    The plots are named after the report (``report.html`` → ``report_interaction_plot.svg``,
    the first of HTML, Word, LaTeX, Markdown given), so two analyses written into one
    folder never overwrite each other's plots; they are written beside each report.
    """
    stage = _checked_stage(stage, inputs, json_path, html_path, docx_path, tex_path, md_path)
    payloads: dict[Path, bytes] = {}
    if json_path is not None:
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)
        payloads[Path(json_path)] = text.encode("utf-8")
    reports = [Path(p) for p in (html_path, docx_path, tex_path, md_path) if p is not None]
    if not reports:
        return _write_all(stage, payloads)
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
    return _write_all(stage, payloads)


def _checked_stage(stage: OutputStage | None, inputs: tuple[str | Path, ...],
                   *paths: str | Path | None) -> OutputStage:
    """The stage to write into, with the requested outputs checked (usable, not over an input)."""
    stage = stage if stage is not None else OutputStage(inputs)
    names = ("--json", "--html", "--docx", "--tex", "--md")
    stage.expect(*[(name, path) for name, path in zip(names, paths) if path is not None and not stage.expected(path)])
    return stage


def _write_all(stage: OutputStage, payloads: dict[Path, bytes]) -> list[Path]:
    """Stage every payload and write them all together (none if one cannot be written)."""
    with stage:
        for path, payload in payloads.items():
            stage.add(path, payload)
        return stage.commit()


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

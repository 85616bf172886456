"""Write a run's outputs: everything is rendered in memory first, then handed to one
:class:`semxhs.atomic.OutputStage`, which writes all files to temporary names in their
folders and moves them into place together (all or none, never over an input)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import TYPE_CHECKING

from semxhs.atomic import OutputStage
from semxhs.report.blocks import Context
from semxhs.study.results import StudyResult

if TYPE_CHECKING:
    from semxhs.process import ProcessResult


def results_json(result: StudyResult) -> str:
    """The results document as JSON text (UTF-8, Chinese kept readable)."""
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)


def study_payloads(result: StudyResult, *, json_path: str | Path | None = None,
                   html_path: str | Path | None = None, docx_path: str | Path | None = None,
                   tex_path: str | Path | None = None, md_path: str | Path | None = None) -> list[tuple[Path, bytes]]:
    """Render the requested outputs of a fit or a study, with the figures the reports cite beside them.

    The report's context is built once (every figure drawn once) and printed by each writer.
    Figures are named after the first report given (HTML, Word, LaTeX, Markdown):
    ``report.html`` → ``report_path_diagram.svg`` and ``.png`` (per group of a multi-group fit
    ``report_path_diagram_<group>.svg``; PROCESS analyses ``report_process<k>_conceptual.svg`` …),
    so two reports in one folder never overwrite each other's figures.
    """
    payloads: list[tuple[Path, bytes]] = []
    if json_path is not None:
        payloads.append((Path(json_path), results_json(result).encode("utf-8")))
    reports = [Path(p) for p in (html_path, docx_path, tex_path, md_path) if p is not None]
    if reports:
        from semxhs.report.context import build_context

        context = build_context(result, file_prefix=f"{reports[0].stem}_")
        payloads.extend(report_payloads(context, html_path=html_path, docx_path=docx_path, tex_path=tex_path,
                                        md_path=md_path))
    return list(dict(payloads).items())


def report_payloads(context: Context, *, html_path: str | Path | None = None, docx_path: str | Path | None = None,
                    tex_path: str | Path | None = None, md_path: str | Path | None = None) -> list[tuple[Path, bytes]]:
    """The reports of one context, and beside each the figures it names (SVG and PNG; file names deduplicated)."""
    out: dict[Path, bytes] = {}
    if html_path is not None:
        from semxhs.report.render import render_context

        out[Path(html_path)] = render_context(context).encode("utf-8")
    if docx_path is not None:
        import io

        from semxhs.report.docx import build_document

        buffer = io.BytesIO()
        build_document(context).save(buffer)
        out[Path(docx_path)] = buffer.getvalue()
    for path, data in text_report_payloads(context, tex_path, md_path):
        out.setdefault(path, data)
    for folder in dict.fromkeys(Path(p).parent for p in (html_path, docx_path) if p is not None):
        for name, data in saved_figures(context):
            out.setdefault(folder / name, data)
    return list(out.items())


def saved_figures(context: Context) -> list[tuple[str, bytes]]:
    """The figures a report names as saved beside it (those with a ``file``): the SVG, and the PNG next to it.

    Examples
    --------
    >>> ctx = {"sections": [{"figures": [{"id": "f", "file": "r_path_diagram.svg", "svg": "<svg/>", "png": "iVBORw=="},
    ...                                  {"id": "flow", "file": "", "svg": "<svg/>", "png": ""}]}]}
    >>> saved_figures(ctx)
    [('r_path_diagram.svg', b'<svg/>'), ('r_path_diagram.png', b'\\x89PNG')]
    """
    from semxhs.report.markdown import figure_name

    out: list[tuple[str, bytes]] = []
    for sec in context["sections"]:
        for fig in sec["figures"]:
            if not fig["file"]:
                continue
            if fig["svg"]:
                out.append((fig["file"], fig["svg"].encode("utf-8")))
            if fig["png"]:
                out.append((figure_name(fig, ".png"), base64.b64decode(fig["png"])))
    return out


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

    The figures are named after the report (``report.html`` → ``report_interaction_plot.svg``,
    ``report_process4_conceptual.svg``, ``report_process4_statistical.svg``, the first of HTML,
    Word, LaTeX, Markdown given), so two analyses written into one folder never overwrite
    each other's figures; they are written beside each report (SVG and PNG).
    """
    stage = _checked_stage(stage, inputs, json_path, html_path, docx_path, tex_path, md_path)
    payloads: dict[Path, bytes] = {}
    if json_path is not None:
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)
        payloads[Path(json_path)] = text.encode("utf-8")
    reports = [Path(p) for p in (html_path, docx_path, tex_path, md_path) if p is not None]
    if not reports:
        return _write_all(stage, payloads)
    from semxhs.report.process import build_process_context

    context = build_process_context(result, title=title, language=language, file_prefix=f"{reports[0].stem}_")
    for path, data in report_payloads(context, html_path=html_path, docx_path=docx_path, tex_path=tex_path,
                                      md_path=md_path):
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

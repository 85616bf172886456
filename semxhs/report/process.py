"""The PROCESS report: a :class:`~semxhs.process.results.ProcessResult` as APA tables, prose and figures.

Collect-then-render, like the study report: :func:`process_sections` turns one result
into :class:`~semxhs.report.blocks.Section` records of finished strings (numbers
formatted by :mod:`semxhs.report.format`, words from :mod:`semxhs.report.labels`);
:func:`build_process_context` wraps them into a full report context that
``report.html.j2`` and the Word writer print. The model section shows Hayes' conceptual
diagram and the equations section the statistical diagram (:mod:`semxhs.report.diagram`,
drawn by :mod:`semxhs.report.figures.process_diagram`). The plots are the SVG text of
:mod:`semxhs.report.figures.process_plots`, drawn with labels in the report's language; the HTML
renderer checks each before inlining it (:func:`semxhs.report.render.inline_svg`); each
figure also carries the same plot as a PNG (base64), which the Word writer embeds.

Section ids of the stand-alone report (``semxhs process --html``), in order:
``process-model``, ``process-equations``, ``process-interactions``,
``process-conditional`` (with the interaction plot), ``process-jn`` (with the
Johnson–Neyman plot), ``process-effects``, ``process-notes``. Sections without data
are left out. Inside a study report (:func:`process_study_sections`) the ids are
``process-<k>-model`` … for the k-th analysis (1-based), so several analyses never clash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from functools import partial
from typing import Any, NamedTuple

from semxhs import __version__
from semxhs.process.results import (
    ConditionalEffect,
    Equation,
    IndirectContrast,
    IndirectEffect,
    JohnsonNeyman,
    ProcessResult,
)
from semxhs.report import format as f
from semxhs.report.blocks import (
    Column,
    Context,
    Figure,
    Header,
    Labels,
    Row,
    Section,
    Table,
    collect_references,
    column,
    figure,
    number_captions,
    row,
    section,
    table,
)
from semxhs.report.diagram import process_diagram_figures
from semxhs.report.figures.process_plots import (
    cjk_font,
    has_wide_text,
    interaction_plot,
    interaction_plot_png,
    johnson_neyman_plot,
    johnson_neyman_plot_png,
    significant_intervals,
)
from semxhs.report.labels import HTML_LANG, PROCESS_REFERENCES, labels_for
from semxhs.report.messages import messages_in_words
from semxhs.report.names import name_map
from semxhs.study.results import StudyResult

__all__ = [
    "build_process_context",
    "process_figures",
    "process_plot_files",
    "process_sections",
    "process_study_sections",
]


# --------------------------------------------------------------------------- small helpers

_NO_NAMES: Mapping[str, str] = {}


def _term(term: str, t: Labels, names: Mapping[str, str] = _NO_NAMES) -> str:
    """``"PI:CE"`` → ``"PI × CE"`` (named constructs by their names); the intercept in words."""
    if term == "Intercept":
        return t["term_constant"]
    return " × ".join(names.get(v, v) for v in term.split(":"))


def _terms(terms: str, t: Labels) -> str:
    """Several product terms tested together (``"X:W + X:Z"`` → ``"X × W + X × Z"``)."""
    return " + ".join(_term(x.strip(), t) for x in terms.split("+"))


def _path(path: str, names: Mapping[str, str] = _NO_NAMES) -> str:
    """``"PI -> TR -> PU"`` → ``"PI → TR → PU"`` (named constructs by their names)."""
    return " → ".join(names.get(p.strip(), p.strip()) for p in path.split("->"))


def _level(result: ProcessResult) -> str:
    return f"{round(result.options.conf * 100, 1):g}"


def _moderators(rows: Iterable[object]) -> list[str]:
    """Moderator names of a table, in order of first appearance."""
    names: dict[str, None] = {}
    for r in rows:
        for name, _ in getattr(r, "moderator_values", ()):
            names.setdefault(name, None)
    return list(names)


def _mod_cells(r: object, names: Sequence[str]) -> list[str]:
    values = dict(getattr(r, "moderator_values", ()))
    return [f.fmt_num(values[n], 3) if n in values else f.DASH for n in names]


def _excludes_zero(lower: float, upper: float) -> bool | None:
    if f.is_missing(lower) or f.is_missing(upper):
        return None
    return lower > 0 or upper < 0


def _ci_cols(result: ProcessResult, t: Labels) -> Column:
    return column(t["col_ci"].format(level=_level(result)))


def _boot_note(result: ProcessResult, t: Labels) -> str:
    b = result.bootstrap
    if b.draws <= 0:
        return t["note_no_boot"]
    return t["note_boot"].format(level=_level(result), draws=f.fmt_int(b.draws),
                                 seed=b.seed if b.seed is not None else f.DASH, failed=f.fmt_int(b.failed))


def _se_words(result: ProcessResult, t: Labels) -> str:
    hc = result.options.hc
    return t["se_ols"] if hc is None else t["se_hc"].format(hc=hc)


# --------------------------------------------------------------------------- model and options

def _probe_text(result: ProcessResult, t: Labels) -> str:
    probe = result.options.probe
    if probe == "percentiles":
        return t["probe_percentiles"]
    if probe == "moments":
        return t["probe_moments"]
    if isinstance(probe, str):
        return probe
    return "; ".join(f"{name}: {', '.join(f'{v:g}' for v in values)}" for name, values in probe)


def _center_text(result: ProcessResult, t: Labels) -> str:
    o = result.options
    if o.center == "none" or not o.centered:
        return t["center_none"]
    names = t["list_sep"].join(o.centered)
    return (t["center_interaction"] if o.center == "interaction" else t["center_all"]).format(names=names)


def _model_section(result: ProcessResult, t: Labels, sid: str, prefix: str,
                   figures: Sequence[Figure] = (), names: Mapping[str, str] | None = None) -> Section:
    v, o, b = result.variables, result.options, result.bootstrap
    sep = t["list_sep"]
    named = names or {}

    def nm(code: str) -> str:
        return named.get(code, code)

    dropped = f.fmt_int(result.n_dropped)
    details = [f"{name}: {f.fmt_int(k)}" for name, k in result.dropped if k]
    if details:
        dropped += f" ({sep.join(details)})"
    boot = (t["boot_none"] if b.draws <= 0 else
            t["boot_summary"].format(draws=f.fmt_int(b.draws), seed=b.seed if b.seed is not None else f.DASH))
    rows: list[Row] = [
        row([t["proc_model"], str(result.model)]),
        row([t["proc_x"], nm(v.x)], starts_group=True),
        row([t["proc_m"], sep.join(nm(m) for m in v.m) or f.DASH]),
        row([t["proc_w"], nm(v.w) if v.w else f.DASH]),
        row([t["proc_z"], nm(v.z) if v.z else f.DASH]),
        row([t["proc_y"], nm(v.y)]),
        row([t["proc_cov"], sep.join(v.cov) or f.DASH]),
        row([t["n_obs"], f.fmt_int(result.n)], starts_group=True),
        row([t["n_dropped"], dropped]),
        row([t["proc_se"], _se_words(result, t)], starts_group=True),
        row([t["proc_center"], _center_text(result, t)]),
        row([t["proc_probe"], _probe_text(result, t)]),
        row([t["proc_conf"], f"{_level(result)}%"]),
        row([t["proc_boot"], boot]),
        row([t["proc_failed"], f.fmt_int(b.failed) if b.draws > 0 else f.DASH]),
    ]
    tab = table(f"table-{sid}", t["tbl_process_model"], [column(t["col_setting"], "left"), column(t["col_value"], "left")],
                rows, [t["note_process_model"]])
    refs = [PROCESS_REFERENCES["hayes2022"]]
    if o.hc is not None:
        refs.append(PROCESS_REFERENCES["hayes_cai2007"])
    lead = t["process_lead"].format(model=result.model, n=f.fmt_int(result.n))
    return section(sid, prefix + t["sec_process_model"], [tab], paragraphs=[lead], references=refs,
                   figures=figures)


# --------------------------------------------------------------------------- equations

def _coefficient_table(eq: Equation, result: ProcessResult, t: Labels, table_id: str, title: str,
                       names: Mapping[str, str] = _NO_NAMES) -> Table:
    rows = [row([_term(c.term, t, names), f.fmt_num(c.est, 3), f.fmt_num(c.se, 3), f.fmt_num(c.t, 2), f.fmt_p(c.pvalue),
                 f.fmt_ci(c.ci_lower, c.ci_upper, 3)]) for c in eq.coefficients]
    columns = [column(t["col_term"], "left"), column(t["col_b_lower"], italic=True), column(t["col_se"], italic=True),
               column(t["col_t"], italic=True), column(t["col_p"], italic=True), _ci_cols(result, t)]
    summary = t["eq_summary"].format(r2=f.fmt_bounded(eq.r2, 3), test=f.fmt_f_test(eq.f, eq.df1, eq.df2, eq.pvalue),
                                     mse=f.fmt_num(eq.mse, 3))
    notes = [summary, t["note_coefficients"].format(level=_level(result), se=_se_words(result, t))]
    return table(table_id, title, columns, rows, notes)


def _equations_section(result: ProcessResult, t: Labels, sid: str, prefix: str,
                       figures: Sequence[Figure] = (), names: Mapping[str, str] = _NO_NAMES) -> Section:
    equations = list(result.equations)
    summary_rows = [row([names.get(e.outcome, e.outcome), f.fmt_bounded(e.r2, 3), f.fmt_num(e.f, 2), f.fmt_int(e.df1), f.fmt_int(e.df2),
                         f.fmt_p(e.pvalue), f.fmt_num(e.mse, 3)]) for e in equations]
    if result.total_equation is not None:
        e = result.total_equation
        summary_rows.append(row([t["total_model_label"].format(y=names.get(e.outcome, e.outcome)), f.fmt_bounded(e.r2, 3), f.fmt_num(e.f, 2),
                                 f.fmt_int(e.df1), f.fmt_int(e.df2), f.fmt_p(e.pvalue), f.fmt_num(e.mse, 3)]))
    columns = [column(t["col_outcome"], "left"), column(t["col_r2"], italic=True), column(t["col_f"], italic=True),
               column(t["col_df1"], italic=True), column(t["col_df2"], italic=True), column(t["col_p"], italic=True),
               column(t["col_mse"])]
    tables = [table(f"table-{sid}-summary", t["tbl_model_summary"], columns, summary_rows,
                    [t["note_model_summary"].format(se=_se_words(result, t))])]
    for k, e in enumerate(equations, start=1):
        tables.append(_coefficient_table(e, result, t, f"table-{sid}-{k}",
                                         t["tbl_coefficients"].format(y=names.get(e.outcome, e.outcome)), names))
    if result.total_equation is not None:
        e = result.total_equation
        tables.append(_coefficient_table(e, result, t, f"table-{sid}-total",
                                         t["tbl_total_coefficients"].format(y=names.get(e.outcome, e.outcome)),
                                         names))
    paragraphs = [t["eq_line"].format(y=e.outcome, r2=f.fmt_bounded(e.r2, 3),
                                      test=f.fmt_f_test(e.f, e.df1, e.df2, e.pvalue)) for e in equations]
    return section(sid, prefix + t["sec_process_equations"], tables, paragraphs=paragraphs, figures=figures)


def _interactions_section(result: ProcessResult, t: Labels, sid: str, prefix: str) -> Section | None:
    tests = list(result.interaction_tests)
    if not tests:
        return None
    rows = [row([r.equation, _terms(r.term, t), f.fmt_bounded(r.r2_change, 3),
                 f.fmt_num(r.f, 2), f.fmt_int(r.df1), f.fmt_int(r.df2), f.fmt_p(r.pvalue)]) for r in tests]
    columns = [column(t["col_outcome"], "left"), column(t["col_term"], "left"), column(t["col_r2_change"], italic=True),
               column(t["col_f"], italic=True), column(t["col_df1"], italic=True), column(t["col_df2"], italic=True),
               column(t["col_p"], italic=True)]
    paragraphs = [t["interaction_line"].format(
        y=r.equation, term=_terms(r.term, t),
        r2=f.fmt_bounded(r.r2_change, 3), test=f.fmt_f_test(r.f, r.df1, r.df2, r.pvalue)) for r in tests]
    tab = table(f"table-{sid}", t["tbl_interactions"], columns, rows, [t["note_interactions"]])
    return section(sid, prefix + t["sec_process_interactions"], [tab], paragraphs=paragraphs)


def _effect_rows(effects: Sequence[ConditionalEffect], names: Sequence[str], t: Labels,
                 labels: Mapping[str, str] = _NO_NAMES) -> list[Row]:
    out: list[Row] = []
    previous = None
    for r in effects:
        key = (r.equation, r.focal)
        first = key != previous
        out.append(row([labels.get(r.equation, r.equation) if first else "", _term(r.focal, t, labels) if first else "",
                        *_mod_cells(r, names),
                        f.fmt_num(r.effect, 3),
                        f.fmt_num(r.se, 3), f.fmt_num(r.t, 2), f.fmt_p(r.pvalue), f.fmt_ci(r.ci_lower, r.ci_upper, 3)],
                       starts_group=first))
        previous = key
    return out


def _effect_columns(result: ProcessResult, t: Labels, names: Sequence[str]) -> list[Column]:
    return [column(t["col_outcome"], "left"), column(t["col_focal"], "left"), *[column(n) for n in names],
            column(t["col_effect_value"]), column(t["col_se"], italic=True), column(t["col_t"], italic=True),
            column(t["col_p"], italic=True), _ci_cols(result, t)]


# --------------------------------------------------------------------------- figures

class _FigureSpec(NamedTuple):
    """One plot of a PROCESS report, drawable as SVG (HTML, saved file) and as PNG (Word)."""

    kind: str
    name: str
    title: str
    svg: Callable[[], str]
    png: Callable[[], bytes]
    texts: tuple[str, ...]  # the words drawn in it (to tell whether the PNG needs a CJK font)


def _figure_specs(result: ProcessResult, t: Labels, file_prefix: str) -> list[_FigureSpec]:
    out: list[_FigureSpec] = []
    pairs = list(dict.fromkeys((r.equation, r.focal) for r in result.conditional_effects if ":" not in r.focal))
    for k, (eq, focal) in enumerate(pairs, start=1):
        y_label = t["plot_predicted"].format(y=eq)
        kwargs: dict[str, Any] = {"equation": eq, "focal": focal, "x_label": focal, "y_label": y_label}
        moderators = [name for r in result.conditional_effects if r.equation == eq and r.focal == focal
                      for name, _ in r.moderator_values]
        name = f"{file_prefix}interaction_plot{'' if k == 1 else f'_{k}'}.svg"
        out.append(_FigureSpec("interaction", name, t["fig_interaction"].format(x=focal, y=eq),
                               partial(interaction_plot, result, **kwargs),
                               partial(interaction_plot_png, result, **kwargs),
                               (focal, y_label, *moderators)))
    for k, jn in enumerate(result.johnson_neyman, start=1):
        effect_label = t["plot_conditional_effect"].format(x=_term(jn.focal, t), y=jn.equation)
        name = f"{file_prefix}johnson_neyman{'' if k == 1 else f'_{k}'}.svg"
        out.append(_FigureSpec("jn", name, t["fig_jn"].format(x=_term(jn.focal, t), y=jn.equation, w=jn.moderator),
                               partial(johnson_neyman_plot, result, k - 1, moderator_label=jn.moderator,
                                       effect_label=effect_label),
                               partial(johnson_neyman_plot_png, result, k - 1, moderator_label=jn.moderator,
                                       effect_label=effect_label),
                               (jn.moderator, effect_label)))
    return out


def process_figures(result: ProcessResult, t: Labels, *, file_prefix: str = "") -> list[tuple[str, str, str, str]]:
    """The plots of ``result`` with labels in the report's language: ``(kind, file name, title, svg)``.

    ``kind`` is ``"interaction"`` or ``"jn"``. One interaction plot per moderated
    (outcome, focal predictor) pair, one Johnson–Neyman plot per entry of
    ``result.johnson_neyman``. File names: ``interaction_plot.svg``,
    ``johnson_neyman.svg``, then ``_2``, ``_3`` … for further plots of a kind.
    """
    return [(spec.kind, spec.name, spec.title, spec.svg()) for spec in _figure_specs(result, t, file_prefix)]


def process_plot_files(result: ProcessResult, *, language: str) -> dict[str, str]:
    """The report's plots as ``{file name: SVG text}``, for saving beside the HTML report.

    The same figures (and labels) the report shows inline: ``interaction_plot.svg``
    when a path is moderated, ``johnson_neyman.svg`` when the Johnson–Neyman technique
    was applied (``_2``, ``_3`` … for further ones).

    Examples
    --------
    >>> import pandas as pd
    >>> from semxhs.process import run_process
    >>> from pathlib import Path; import semxhs
    >>> FIX = Path(semxhs.__file__).resolve().parents[1] / "tests" / "fixtures"
    >>> d = pd.read_csv(FIX / "process/process_model1/data.csv")
    >>> files = process_plot_files(run_process(d, 1, x="PI", y="VC", w="CE", boot=0), language="zh")
    >>> sorted(files), "PI 对 VC 的条件效应" in files["johnson_neyman.svg"]
    (['interaction_plot.svg', 'johnson_neyman.svg'], True)
    """
    return {name: svg for _, name, _, svg in process_figures(result, labels_for(language))}


# --------------------------------------------------------------------------- probing and J-N

def _conditional_section(result: ProcessResult, t: Labels, sid: str, prefix: str,
                         figures: Sequence[Figure], labels: Mapping[str, str] = _NO_NAMES) -> Section | None:
    effects = list(result.conditional_effects)
    if not effects:
        return None
    names = _moderators(effects)
    tab = table(f"table-{sid}", t["tbl_conditional"], _effect_columns(result, t, names),
                _effect_rows(effects, names, t, labels),
                [t["note_conditional"].format(probe=_probe_text(result, t), level=_level(result),
                                              se=_se_words(result, t))])
    return section(sid, prefix + t["sec_process_conditional"], [tab], figures=figures)


def _jn_sentence(jn: JohnsonNeyman, result: ProcessResult, t: Labels) -> str:
    focal = _term(jn.focal, t)
    regions = significant_intervals(jn)
    sep = t["list_sep"]
    points = sep.join(f.fmt_num(p, 3) for p in jn.points)
    observed = f.fmt_ci(jn.lower, jn.upper, 3)
    if not regions:
        where = t["jn_nowhere"]
    elif len(regions) == 1 and regions[0][0] <= jn.lower and regions[0][1] >= jn.upper:
        where = t["jn_everywhere"]
    else:
        where = t["jn_regions"].format(w=jn.moderator,
                                       regions=sep.join(f.fmt_ci(a, b, 3) for a, b in regions))
    points_text = (t["jn_points"].format(w=jn.moderator, points=points) if jn.points
                   else t["jn_no_points"].format(w=jn.moderator))
    return t["jn_line"].format(x=focal, y=jn.equation, w=jn.moderator, level=_level(result), observed=observed,
                               where=where, points=points_text)


def _jn_section(result: ProcessResult, t: Labels, sid: str, prefix: str,
                figures: Sequence[Figure]) -> Section | None:
    if not result.johnson_neyman:
        return None
    tables: list[Table] = []
    for k, jn in enumerate(result.johnson_neyman, start=1):
        rows: list[Row] = []
        for r in jn.table:
            w = dict(r.moderator_values).get(jn.moderator)
            is_point = w is not None and any(abs(w - p) <= 1e-9 * max(1.0, abs(p)) for p in jn.points)
            w_text = f.fmt_num(w, 3) + (t["jn_point_suffix"] if is_point else "")
            rows.append(row([w_text, f.fmt_num(r.effect, 3), f.fmt_num(r.se, 3), f.fmt_num(r.t, 2), f.fmt_p(r.pvalue),
                             f.fmt_ci(r.ci_lower, r.ci_upper, 3)], starts_group=False))
        if not rows:
            continue
        columns = [column(jn.moderator), column(t["col_effect_value"]), column(t["col_se"], italic=True),
                   column(t["col_t"], italic=True), column(t["col_p"], italic=True), _ci_cols(result, t)]
        tables.append(table(f"table-{sid}-{k}", t["tbl_jn"].format(x=_term(jn.focal, t), y=jn.equation, w=jn.moderator),
                            columns, rows, [t["note_jn"].format(level=_level(result))]))
    paragraphs = [_jn_sentence(jn, result, t) for jn in result.johnson_neyman]
    return section(sid, prefix + t["sec_process_jn"], tables, paragraphs=paragraphs, figures=figures,
                   references=[PROCESS_REFERENCES["johnson1936"]])


# --------------------------------------------------------------------------- direct and indirect effects

def _indirect_table(rows_in: Sequence[IndirectEffect], result: ProcessResult, t: Labels, table_id: str,
                    title: str, note: str, labels: Mapping[str, str] = _NO_NAMES) -> Table:
    names = _moderators(rows_in)
    rows = []
    previous = None
    for r in rows_in:
        rows.append(row([_path(r.path, labels), *_mod_cells(r, names), f.fmt_num(r.effect, 3), f.fmt_num(r.boot_se, 3),
                         f.fmt_ci(r.ci_lower, r.ci_upper, 3)], starts_group=r.path != previous))
        previous = r.path
    columns = [column(t["col_indirect_path"], "left"), *[column(n) for n in names], column(t["col_effect_value"]),
               column(t["col_boot_se"], italic=True), column(t["col_boot_ci"].format(level=_level(result)))]
    return table(table_id, title, columns, rows, [note, _boot_note(result, t)])


def _contrast_table(rows_in: Sequence[IndirectContrast], result: ProcessResult, t: Labels, table_id: str,
                    labels: Mapping[str, str] = _NO_NAMES) -> Table:
    names = _moderators(rows_in)
    rows = [row([f"({_path(r.path1, labels)}) − ({_path(r.path2, labels)})", *_mod_cells(r, names), f.fmt_num(r.effect, 3),
                 f.fmt_num(r.boot_se, 3), f.fmt_ci(r.ci_lower, r.ci_upper, 3)]) for r in rows_in]
    columns = [column(t["col_contrast"], "left"), *[column(n) for n in names], column(t["col_effect_value"]),
               column(t["col_boot_se"], italic=True), column(t["col_boot_ci"].format(level=_level(result)))]
    return table(table_id, t["tbl_contrasts"], columns, rows, [t["note_contrasts"], _boot_note(result, t)])


def _effects_section(result: ProcessResult, t: Labels, sid: str, prefix: str,
                     labels: Mapping[str, str] = _NO_NAMES) -> Section | None:
    tables: list[Table] = []
    paragraphs: list[str] = []
    refs: list[str] = []
    for kind, rows_in, title in (("direct", list(result.direct_effects), t["tbl_direct"]),
                                 ("total", list(result.total_effects), t["tbl_total"])):
        if rows_in:
            names = _moderators(rows_in)
            tables.append(table(f"table-{sid}-{kind}", title, _effect_columns(result, t, names),
                                _effect_rows(rows_in, names, t, labels),
                                [t["note_direct_total"].format(level=_level(result), se=_se_words(result, t))]))
    if len(result.indirect):
        tables.append(_indirect_table(list(result.indirect), result, t, f"table-{sid}-indirect", t["tbl_indirect"],
                                      t["note_indirect"], labels))
    if len(result.indirect_standardized):
        tables.append(_indirect_table(list(result.indirect_standardized), result, t, f"table-{sid}-indirect-std",
                                      t["tbl_indirect_std"], t["note_indirect_std"], labels))
    if len(result.indirect_contrasts):
        tables.append(_contrast_table(list(result.indirect_contrasts), result, t, f"table-{sid}-contrasts", labels))
    index_rows = list(result.index_of_moderated_mediation)
    if index_rows:
        rows = [row([labels.get(r.moderator, r.moderator), _path(r.path, labels), f.fmt_num(r.index, 3), f.fmt_num(r.boot_se, 3),
                     f.fmt_ci(r.ci_lower, r.ci_upper, 3)]) for r in index_rows]
        columns = [column(t["col_moderator"], "left"), column(t["col_indirect_path"], "left"),
                   column(t["col_mm_index"]), column(t["col_boot_se"], italic=True),
                   column(t["col_boot_ci"].format(level=_level(result)))]
        tables.append(table(f"table-{sid}-index", t["tbl_index"], columns, rows,
                            [t["note_index"], _boot_note(result, t)]))
        for r in index_rows:
            verdict = _excludes_zero(r.ci_lower, r.ci_upper)
            words = (t["index_moderated"] if verdict else t["index_not_moderated"] if verdict is not None
                     else t["index_no_ci"]).format(w=r.moderator)
            paragraphs.append(t["index_line"].format(path=_path(r.path), w=r.moderator, index=f.fmt_num(r.index, 3),
                                                     level=_level(result), ci=f.fmt_ci(r.ci_lower, r.ci_upper, 3),
                                                     verdict=words))
        refs.append(PROCESS_REFERENCES["hayes2015"])
    if not tables:
        return None
    return section(sid, prefix + t["sec_process_effects"], tables, paragraphs=paragraphs, references=refs)


def _notes_section(result: ProcessResult, t: Labels, sid: str, prefix: str) -> Section | None:
    if not result.notes:
        return None
    return section(sid, prefix + t["sec_process_notes"], [],
                   bullets=messages_in_words(list(result.notes), result.note_codes, t))


# --------------------------------------------------------------------------- entry points

def process_sections(result: ProcessResult, t: Labels, *, id_prefix: str = "process", title_prefix: str = "",
                     file_prefix: str = "", diagram_prefix: str | None = None,
                     names: Mapping[str, str] | None = None) -> list[Section]:
    """The sections of one PROCESS analysis, ids ``<id_prefix>-model`` … ``<id_prefix>-notes``.

    Parameters
    ----------
    result : ProcessResult
    t : mapping
        The wording (:func:`~semxhs.report.labels.labels_for`).
    id_prefix : str
        Start of every section, table and figure id (``"process-2"`` for a second analysis).
    title_prefix : str
        Put before every section title (which analysis, inside a study report).
    file_prefix : str
        Put before the plots' file names.
    diagram_prefix : str, optional
        Put before ``conceptual.svg`` and ``statistical.svg``, the diagrams' file names
        (default ``<file_prefix>process<model>_``).
    names : mapping, optional
        ``{code: label}`` of named constructs (:func:`semxhs.report.names.name_map`) for the roles,
        the equations, the coefficients' terms and the effects' paths (moderator columns keep codes).

    Examples
    --------
    >>> import pandas as pd
    >>> from semxhs.process import run_process
    >>> from pathlib import Path; import semxhs
    >>> FIX = Path(semxhs.__file__).resolve().parents[1] / "tests" / "fixtures"
    >>> d = pd.read_csv(FIX / "process/process_model1/data.csv")
    >>> r = run_process(d, 1, x="PI", y="VC", w="CE", boot=0)
    >>> [s["id"] for s in process_sections(r, labels_for("en"))]
    ['process-model', 'process-equations', 'process-interactions', 'process-conditional', 'process-jn']
    """
    figures: dict[str, list[Figure]] = {"interaction": [], "jn": []}
    for k, spec in enumerate(_figure_specs(result, t, file_prefix), start=1):
        note = t["note_fig_interaction"] if spec.kind == "interaction" else t["note_fig_jn"]
        # Word shows the PNG; without a CJK font its Chinese text is drawn as boxes, so say so
        font_note = t["note_png_no_cjk"] if has_wide_text(*spec.texts) and cjk_font() is None else ""
        figures[spec.kind].append(figure(f"figure-{id_prefix}-{k}", spec.title, spec.svg(), spec.name,
                                         [note.format(level=_level(result), probe=_probe_text(result, t)),
                                          t["figure_file_note"].format(file=spec.name), font_note],
                                         png=spec.png()))
    v = result.variables
    wide = has_wide_text(v.x, v.y, *v.m, *(n for n in (v.w, v.z) if n), *v.cov)
    conceptual, statistical = process_diagram_figures(
        result, t, figure_prefix=f"figure-{id_prefix}",
        file_prefix=diagram_prefix if diagram_prefix is not None else f"{file_prefix}process{result.model}_",
        font_note=t["note_png_no_cjk"] if wide and cjk_font() is None else "")
    named = names or _NO_NAMES  # constructs by their instrument names in every table (codes otherwise)
    built = [
        _model_section(result, t, f"{id_prefix}-model", title_prefix, [conceptual], names),
        _equations_section(result, t, f"{id_prefix}-equations", title_prefix, [statistical], named),
        _interactions_section(result, t, f"{id_prefix}-interactions", title_prefix),
        _conditional_section(result, t, f"{id_prefix}-conditional", title_prefix, figures["interaction"], named),
        _jn_section(result, t, f"{id_prefix}-jn", title_prefix, figures["jn"]),
        _effects_section(result, t, f"{id_prefix}-effects", title_prefix, named),
        _notes_section(result, t, f"{id_prefix}-notes", title_prefix),
    ]
    return [s for s in built if s is not None]


def process_study_sections(result: StudyResult, t: Labels) -> list[Section] | None:
    """Section builder of the study report: every PROCESS analysis the study carries.

    Reads ``getattr(result, "process", ())`` (a tuple of
    :class:`~semxhs.process.results.ProcessResult`); ``None`` when there is none. The
    k-th analysis gets ids ``process-<k>-model`` … and titles starting
    "PROCESS model 7 (analysis k)"; its plots are named ``process<k>_interaction_plot.svg`` …, its
    diagrams ``process<k>_conceptual.svg`` and ``process<k>_statistical.svg``.
    """
    analyses: Sequence[ProcessResult] = tuple(getattr(result, "process", ()) or ())
    if not analyses:
        return None
    out: list[Section] = []
    for k, pr in enumerate(analyses, start=1):
        prefix = t["process_title_prefix"].format(model=pr.model, k=k)
        out.extend(process_sections(pr, t, id_prefix=f"process-{k}", title_prefix=prefix,
                                    file_prefix=f"process{k}_", diagram_prefix=f"process{k}_",
                                    names=name_map(result, t)))
    return out


def _process_header(result: ProcessResult, t: Labels, title: str, day: date) -> Header:
    v = result.variables
    roles = " → ".join([v.x, *v.m, v.y])
    return {"title": title, "subtitle": t["process_report_kind"],
            "rows": [{"label": t["proc_model"], "value": str(result.model)},
                     {"label": t["proc_roles"], "value": roles + (f" ({t['proc_w']}: {v.w})" if v.w else "")},
                     {"label": t["n_obs"], "value": f.fmt_int(result.n)},
                     {"label": t["n_dropped"], "value": f.fmt_int(result.n_dropped)},
                     {"label": t["version"], "value": __version__},
                     {"label": t["date"], "value": f.fmt_date(day)}],
            "notes": []}


def build_process_context(result: ProcessResult, *, title: str, language: str,
                          today: date | None = None, file_prefix: str = "") -> Context:
    """The report context of one PROCESS analysis (same shape as a study's, printed by the same templates).

    Parameters
    ----------
    result : ProcessResult
    title : str
        The report's title.
    language : {"en", "zh"}
    today : datetime.date, optional
        The report date (default: today).
    file_prefix : str
        Put before the plots' file names (``"report_"`` gives ``report_interaction_plot.svg``).

    Raises
    ------
    StudyError
        For a language other than ``"en"`` or ``"zh"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from datetime import date
    >>> from semxhs.process import run_process
    >>> from pathlib import Path; import semxhs
    >>> FIX = Path(semxhs.__file__).resolve().parents[1] / "tests" / "fixtures"
    >>> d = pd.read_csv(FIX / "process/process_model1/data.csv")
    >>> ctx = build_process_context(run_process(d, 1, x="PI", y="VC", w="CE", boot=0), title="调节",
    ...                             language="zh", today=date(2024, 5, 1))
    >>> [fig["caption"] for s in ctx["sections"] for fig in s["figures"]]
    ['图 1', '图 2', '图 3', '图 4']
    """
    t = labels_for(language)
    sections = process_sections(result, t, file_prefix=file_prefix)
    number_captions(sections, t)
    day = today or date.today()
    return {
        "language": language,
        "html_lang": HTML_LANG[language],
        "t": dict(t),
        "header": _process_header(result, t, title, day),
        "sections": sections,
        "references": collect_references((), sections),
        "footer": t["generated_by"].format(version=__version__, date=f.fmt_date(day)),
    }

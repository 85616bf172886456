"""Turn a :class:`~semxhs.study.results.StudyResult` into the report's context: rows of finished strings.

This is the "collect" half of collect-then-render (pandas' ``Styler._translate``):
everything a report shows is decided here, once, and both the HTML template
(:mod:`semxhs.report.render`) and the Word writer (:mod:`semxhs.report.docx`) only
print it. Numbers are formatted by :mod:`semxhs.report.format`, words come from
:mod:`semxhs.report.labels`; no statistic is computed here beyond picking rows out of
the parameter table.

The context is a plain ``dict`` (a :class:`Context` ``TypedDict``)::

    {"language", "html_lang", "t" (the wording), "header", "sections", "references", "footer"}

Each section is a :class:`Section` with an ``id`` (the HTML anchor), a ``title``, the
``template`` (partial) that prints it, paragraphs, and tables (:class:`Table`: caption
number, title, columns, rows of strings, notes). A section whose data is absent is not
in the list, so it is not rendered.

Adding a section (measurement quality, bootstrap indirect effects, PROCESS moderation)
means writing one function ``(result, t) -> Section | None`` that reads its data with
``getattr(result, "measurement", None)`` and returns ``None`` when it is missing, adding
it to :data:`SECTION_BUILDERS`, and, only if the generic table layout does not fit,
a partial template ``templates/section_<id>.html.j2``. A builder may also return a list
of sections (one PROCESS analysis gives several). Tables and figures are numbered after
all sections are collected, so numbers never skip.

Section ids, in order: ``warnings``, then the data-intake sections of
:mod:`semxhs.report.intake` (``data``: data source and rows at each step, whenever
``result.provenance`` is present; ``screening``: participant flow table and diagram,
screening rules and thresholds; ``missing-data``: missing values per item and overall,
Little's MCAR test; ``normality``: univariate and Mardia's tests, the recommended
estimator and whether the study follows it; the last three only with ``result.intake``),
``fit``, ``measurement``, then the measurement-quality
sections of :mod:`semxhs.report.measurement` (``reliability``, ``discriminant``, ``items``,
``cmb``, extended by :mod:`semxhs.report.common_method`), ``descriptives`` (:mod:`semxhs.report.descriptives`), ``structural``, ``defined``, ``r2``,
``effect-sizes``, ``hypotheses``, ``covariances``,
``intercepts``, ``modindices`` (``effect-sizes`` and ``modindices`` from :mod:`semxhs.report.fit_extras`,
when computed), and for the k-th PROCESS analysis of the study ``process-<k>-model`` …
``process-<k>-notes`` (:mod:`semxhs.report.process`), ``power`` (the sample-size justification,
:mod:`semxhs.report.power`, with ``power:`` in the study). The shapes (``Section``, ``Table``,
``Figure`` …) live in :mod:`semxhs.report.blocks` and are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import date

from semxhs.report import format as f
from semxhs.report.blocks import (
    Column,
    Context,
    Figure,
    Header,
    HeaderRow,
    Labels,
    Row,
    Section,
    Table,
    collect_references,
    column,
    number_captions,
    prefix_figure_files,
    row,
    section,
    table,
)
from semxhs.report.bootstrap import bootstrap_section
from semxhs.report.common_method import common_method_section
from semxhs.report.descriptives import descriptives_section
from semxhs.report.diagram import diagram_section
from semxhs.report.fit_extras import (
    amos_note,
    amos_references,
    amos_rows,
    effect_size_section,
    modindices_section,
)
from semxhs.report.intake import INTAKE_BUILDERS
from semxhs.report.invariance import invariance_study_section
from semxhs.report.labels import (
    HTML_LANG,
    REFERENCES,
    describe_estimator,
    describe_missing,
    labels_for,
)
from semxhs.report.measurement import MEASUREMENT_BUILDERS
from semxhs.report.messages import messages_in_words
from semxhs.report.multigroup import grouped_estimates_section, is_grouped
from semxhs.report.names import name_map
from semxhs.report.power_sections import power_study_section
from semxhs.report.process import process_study_sections
from semxhs.report.profile import instrument_appendix_section, profile_section
from semxhs.report.replication import about_section, replication_section, reproducibility_section
from semxhs.sem.results import Parameter, SemResult
from semxhs.study.results import HypothesisResult, StudyResult

__all__ = [
    "Column",
    "Context",
    "Figure",
    "Header",
    "Row",
    "Section",
    "SECTION_BUILDERS",
    "Table",
    "build_context",
    "ci_level",
    "fit_section",
    "warnings_section",
]

SectionBuilder = Callable[[StudyResult, Labels], "Section | Sequence[Section] | None"]
"""A section builder returns one section, several (one per PROCESS analysis), or ``None``."""

_col = column
_table = table
_section = section
_row = row


# --------------------------------------------------------------------------- helpers

def ci_level(sem: SemResult) -> float:
    """The confidence level of the parameter intervals, read back from the intervals themselves.

    ``SemResult`` does not store the level it was fitted with; the Wald interval
    ``est ± z·SE`` gives it back as ``level = erf(z / √2)``. Falls back to .95 when no
    free parameter has a standard error.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=100); y = 0.5 * x + rng.normal(size=100)
    >>> round(ci_level(fit("y ~ x", pd.DataFrame({"x": x, "y": y}), level=0.90)), 3)
    0.9
    """
    for p in sem.parameters:
        if p.free and p.se and not f.is_missing(p.se) and p.se > 0 and not f.is_missing(p.ci_upper):
            z = (p.ci_upper - p.est) / p.se
            if z > 0:
                return math.erf(z / math.sqrt(2.0))
    return 0.95


def _level_text(sem: SemResult) -> str:
    """``95`` or ``99.5``: the level as a percentage, for column headers."""
    return f"{round(ci_level(sem) * 100, 1):g}"


def _endogenous(sem: SemResult) -> set[str]:
    """Variables with a residual: indicators of a factor and outcomes of a regression."""
    out: set[str] = set()
    for p in sem.parameters:
        if p.op == "=~":
            out.add(p.rhs)
        elif p.op == "~":
            out.add(p.lhs)
    return out


def _estimate(p: Parameter, t: Labels, digits: int = 3) -> str:
    """The unstandardized estimate; a fixed one says so (``"1.000 (fixed)"``)."""
    text = f.fmt_num(p.est, digits)
    return text if p.free else text + t["fixed_suffix"]


def _inference(p: Parameter) -> list[str]:
    """SE, z, p for a free parameter; em dashes for a fixed one (it has no sampling variance)."""
    if not p.free:
        return [f.DASH, f.DASH, f.DASH]
    return [f.fmt_num(p.se, 3), f.fmt_num(p.z, 2), f.fmt_p(p.pvalue)]


def _ci(p: Parameter) -> str:
    return f.fmt_ci(p.ci_lower, p.ci_upper, 3) if p.free else f.DASH


def _path(outcome: str, predictor: str, label: str = "") -> str:
    text = f"{outcome} ← {predictor}"
    return f"{text} ({label})" if label else text


def _alpha_text(alphas: Iterable[float]) -> str:
    values = sorted({a for a in alphas if not f.is_missing(a)})
    if not values:
        return f.DASH
    return ", ".join(f.fmt_bounded(a, 2 if f.as_printed(a, 2) == a else 3) for a in values)


# --------------------------------------------------------------------------- sections

def warnings_section(result: StudyResult, t: Labels) -> Section:
    """Estimation status, always present; an alert when the fit failed, is improper or warned.

    Non-convergence and improper solutions are stated in words before the engine's own
    messages, so a reader who skips to the tables still passes this block first. The
    engine's messages are worded from their codes (``SemResult.warning_codes``,
    :mod:`semxhs.report.messages`); one without a code is shown as its English text.
    """
    sem = result.sem
    items: list[str] = []
    if not sem.converged:
        items.append(t["warn_not_converged"].format(iterations=sem.iterations))
    if sem.improper:
        items.append(t["warn_improper"])
    section = _section("warnings", t["sec_warnings"], [], template="section_warnings.html.j2")
    if items or sem.warnings:
        section["alert"] = True
        section["heading"] = t["warn_heading"]
        section["paragraphs"] = items
        if sem.warnings:
            section["paragraphs"].append(t["warn_engine_intro"])
        section["bullets"] = messages_in_words([str(w) for w in sem.warnings], sem.warning_codes, t)
    else:
        section["paragraphs"] = [t["status_ok"].format(iterations=sem.iterations)]
    return section


def _judge(value: float | None, digits: int, *, good: float, acceptable: float | None,
           higher_is_better: bool, t: Labels) -> str:
    """Evaluate a fit index against its cut-offs, on the value as printed."""
    if f.is_missing(value):
        return f.DASH
    v = f.as_printed(float(value), digits)  # type: ignore[arg-type]

    def ok(cut: float) -> bool:
        return v >= cut if higher_is_better else v <= cut

    if acceptable is None:
        return t["eval_met"] if ok(good) else t["eval_not_met"]
    if ok(good):
        return t["eval_good"]
    return t["eval_acceptable"] if ok(acceptable) else t["eval_not_met"]


def fit_section(result: StudyResult, t: Labels) -> Section:
    """Global fit indices beside their cut-offs (Hu & Bentler, 1999; Browne & Cudeck, 1993).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> from semxhs.study.results import StudyResult
    >>> from semxhs.report.labels import labels_for
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=(300, 1)) + rng.normal(size=(300, 4))
    >>> sem = fit("f =~ a + b + c + d", pd.DataFrame(x, columns=list("abcd")))
    >>> study = StudyResult("Demo", "en", sem, (), "d.csv", "m.lav", "0" * 64, "0.1.0")
    >>> rows = fit_section(study, labels_for("en"))["tables"][0]["rows"]
    >>> [r["cells"][0] for r in rows][:4]
    ['χ²(df)', 'p (χ² test)', 'χ²/df', 'CFI']
    """
    fm = result.sem.fit
    dash = f.DASH
    rmsea_value = f.fmt_bounded(fm.rmsea, 3)
    rmsea_ci = f.fmt_ci(fm.rmsea_ci_lower, fm.rmsea_ci_upper, 3, bounded=True)
    if rmsea_ci != dash:
        rmsea_value = f"{rmsea_value} {rmsea_ci}"
    chisq_df = (fm.chisq / fm.df) if (fm.df and not f.is_missing(fm.chisq)) else None
    chisq_text = f.fmt_num(fm.chisq, 2)
    if chisq_text != dash:
        chisq_text = f"{chisq_text} ({f.fmt_int(fm.df)})"
    rows = [
        _row([t["fit_chisq"], chisq_text, dash, dash]),
        _row([t["fit_chisq_p"], f.fmt_p(fm.pvalue), dash, dash]),
        _row([t["fit_chisq_df"], f.fmt_ratio(fm.chisq, fm.df, 2), t["cut_chisq_df"],
              _judge(chisq_df, 2, good=3.0, acceptable=None, higher_is_better=False, t=t)]),
        _row([t["fit_cfi"], f.fmt_bounded(fm.cfi, 3), t["cut_incremental"],
              _judge(fm.cfi, 3, good=0.95, acceptable=0.90, higher_is_better=True, t=t)]),
        _row([t["fit_tli"], f.fmt_bounded(fm.tli, 3), t["cut_incremental"],
              _judge(fm.tli, 3, good=0.95, acceptable=0.90, higher_is_better=True, t=t)]),
        _row([t["fit_rmsea"], rmsea_value, t["cut_rmsea"],
              _judge(fm.rmsea, 3, good=0.06, acceptable=0.08, higher_is_better=False, t=t)]),
        _row([t["fit_srmr"], f.fmt_bounded(fm.srmr, 3), t["cut_srmr"],
              _judge(fm.srmr, 3, good=0.08, acceptable=None, higher_is_better=False, t=t)]),
        _row([t["fit_aic"], f.fmt_num(fm.aic, 2), t["cut_information"], dash]),
        _row([t["fit_bic"], f.fmt_num(fm.bic, 2), t["cut_information"], dash]),
    ]
    notes = [t["note_fit"]]
    robust = _robust_rows(fm, t)
    if robust:
        rows.extend(robust)
        notes.append(t["note_fit_robust"])
    amos = amos_rows(fm, t)
    if amos:
        rows.extend(amos)
        notes.append(amos_note(t))
    columns = [_col(t["col_index"], "left"), _col(t["col_value"]), _col(t["col_cutoff"], "left"),
               _col(t["col_evaluation"], "left")]
    table = _table("table-fit", t["tbl_fit"], columns, rows, notes)
    summary = f.fmt_chisq(fm.chisq, fm.df, fm.pvalue)
    summary += f", CFI = {f.fmt_bounded(fm.cfi)}, TLI = {f.fmt_bounded(fm.tli)}, RMSEA = {rmsea_value}, " \
               f"SRMR = {f.fmt_bounded(fm.srmr)}"
    return _section("fit", t["sec_fit"], [table], paragraphs=[summary],
                    references=amos_references() if amos else ())


def _robust_rows(fm: object, t: Labels) -> list[Row]:
    """Rows of the scaled test (MLR) and the robust indices (MLR, FIML), when the fit has them."""
    rows: list[Row] = []
    dash = f.DASH
    scaled = getattr(fm, "chisq_scaled", None)
    if scaled is not None:
        text = f"{f.fmt_num(scaled, 2)} ({f.fmt_int(getattr(fm, 'df_scaled', None))})"
        first = _row([t["fit_chisq_scaled"], text, dash, dash])
        first["starts_group"] = True
        rows.append(first)
        rows.append(_row([t["fit_chisq_scaled_p"], f.fmt_p(getattr(fm, "pvalue_scaled", None)), dash, dash]))
        rows.append(_row([t["fit_scaling_factor"], f.fmt_num(getattr(fm, "chisq_scaling_factor", None), 3),
                          dash, dash]))
    for key, label, good, acceptable, higher in (("cfi_robust", t["fit_cfi_robust"], 0.95, 0.90, True),
                                                 ("tli_robust", t["fit_tli_robust"], 0.95, 0.90, True),
                                                 ("rmsea_robust", t["fit_rmsea_robust"], 0.06, 0.08, False)):
        value = getattr(fm, key, None)
        if value is None:
            continue
        cut = t["cut_incremental"] if higher else t["cut_rmsea"]
        row_ = _row([label, f.fmt_bounded(value, 3), cut,
                     _judge(value, 3, good=good, acceptable=acceptable, higher_is_better=higher, t=t)])
        if not rows:
            row_["starts_group"] = True
        rows.append(row_)
    return rows


def measurement_section(result: StudyResult, t: Labels) -> Section | None:
    """Factor loadings (``=~``): factor, item, B, SE, β, p; markers shown as fixed."""
    if is_grouped(result.sem):  # one column block per group (semxhs.report.multigroup)
        return grouped_estimates_section(result, t, "=~")
    loadings = [p for p in result.sem.parameters if p.op == "=~"]
    if not loadings:
        return None
    names = name_map(result, t)
    rows: list[Row] = []
    previous = None
    for p in loadings:
        first = p.lhs != previous
        previous = p.lhs
        se, _z, pv = _inference(p)
        rows.append(_row([names.get(p.lhs, p.lhs) if first else "", p.rhs, _estimate(p, t), se, f.fmt_bounded(p.std_all, 3), pv],
                         starts_group=first))
    columns = [_col(t["col_factor"], "left"), _col(t["col_item"], "left"), _col(t["col_loading_b"]),
               _col(t["col_se"], italic=True), _col(t["col_loading_std"]), _col(t["col_p"], italic=True)]
    table = _table("table-measurement", t["tbl_measurement"], columns, rows, [t["note_measurement"]])
    return _section("measurement", t["sec_measurement"], [table])


def structural_section(result: StudyResult, t: Labels) -> Section | None:
    """Regression paths (``~``): outcome ← predictor, B, SE, z, p, β, CI."""
    if is_grouped(result.sem):  # one column block per group, with the Wald test of equal paths
        return grouped_estimates_section(result, t, "~")
    paths = [p for p in result.sem.parameters if p.op == "~"]
    if not paths:
        return None
    level = _level_text(result.sem)
    names = name_map(result, t)
    rows: list[Row] = []
    previous = None
    for p in paths:
        rows.append(_row([_path(names.get(p.lhs, p.lhs), names.get(p.rhs, p.rhs), p.label), _estimate(p, t), *_inference(p),
                          f.fmt_bounded(p.std_all, 3), _ci(p)], starts_group=p.lhs != previous))
        previous = p.lhs
    columns = [_col(t["col_path"], "left"), _col(t["col_b"], italic=True), _col(t["col_se"], italic=True),
               _col(t["col_z"], italic=True), _col(t["col_p"], italic=True), _col(t["col_beta"]),
               _col(t["col_ci"].format(level=level))]
    table = _table("table-structural", t["tbl_structural"], columns, rows,
                   [t["note_structural"].format(level=level)])
    return _section("structural", t["sec_structural"], [table])


def defined_section(result: StudyResult, t: Labels) -> Section | None:
    """Defined parameters (``:=``): name, definition, estimate, SE, z, p, CI, standardized."""
    defined = [p for p in result.sem.parameters if p.op == ":="]
    if not defined:
        return None
    level = _level_text(result.sem)
    rows = [_row([p.lhs, p.rhs, f.fmt_num(p.est, 3), *_inference(p), _ci(p), f.fmt_bounded(p.std_all, 3)])
            for p in defined]
    columns = [_col(t["col_effect"], "left"), _col(t["col_definition"], "left"), _col(t["col_estimate"]),
               _col(t["col_se"], italic=True), _col(t["col_z"], italic=True), _col(t["col_p"], italic=True),
               _col(t["col_ci"].format(level=level)), _col(t["col_std"])]
    table = _table("table-defined", t["tbl_defined"], columns, rows, [t["note_defined"].format(level=level)])
    return _section("defined", t["sec_defined"], [table])


def r2_section(result: StudyResult, t: Labels) -> Section | None:
    """R² of every endogenous variable: latent outcomes first, then indicators."""
    r2 = result.sem.r2
    if not r2:
        return None
    latent = set(result.sem.latent)
    ordered = [v for v in r2 if v in latent] + [v for v in r2 if v not in latent]
    names = name_map(result, t)
    rows = [_row([names.get(v, v), t["type_latent"] if v in latent else t["type_observed"], f.fmt_bounded(r2[v], 3)],
                 starts_group=(i == 0 or (v in latent) != (ordered[i - 1] in latent)))
            for i, v in enumerate(ordered)]
    columns = [_col(t["col_variable"], "left"), _col(t["col_type"], "left"), _col(t["col_r2"], italic=True)]
    table = _table("table-r2", t["tbl_r2"], columns, rows, [t["note_r2"]])
    return _section("r2", t["sec_r2"], [table])


def _hypothesis_path(path: str, names: dict[str, str] | None = None) -> str:
    """``"TR ~ PI"`` → ``"TR ← PI"`` (as in the structural table, constructs named); a defined effect's name is kept."""
    names = names or {}
    if "~" in path and "=~" not in path and "~~" not in path:
        outcome, _, predictors = path.partition("~")
        outcome, predictors = outcome.strip(), predictors.strip()
        return _path(names.get(outcome, outcome), names.get(predictors, predictors))
    return path.strip()


def _expected(sign: str, t: Labels) -> str:
    sign = sign.strip()
    if sign == "+":
        return "+"
    if sign == "-":
        return "\u2212"
    return t["no_direction"]


def hypotheses_section(result: StudyResult, t: Labels) -> Section | None:
    """One row per hypothesis: id, statement, path, expected sign, B, β, p, CI and the verdict in words.

    A hypothesis decided by its bootstrap interval (``test == "bootstrap"``) shows that
    interval, marked with a dagger, and the note says so.
    """
    hyps: Sequence[HypothesisResult] = result.hypotheses
    if not hyps:
        return None
    boot_ids = [h.id for h in hyps if getattr(h, "test", "z") == "bootstrap"]
    names = dict(name_map(result, t))
    rows = [_row([h.id, h.text, _hypothesis_path(h.path, names), _expected(h.expected_sign, t), f.fmt_num(h.est, 3),
                  f.fmt_bounded(h.std_all, 3), f.fmt_p(h.pvalue),
                  f.fmt_ci(h.ci_lower, h.ci_upper, 3) + ("\u2020" if h.id in boot_ids else ""),
                  t["supported"] if h.supported else t["not_supported"]]) for h in hyps]
    level = _level_text(result.sem)
    columns = [_col(t["col_hypothesis"], "left"), _col(t["col_statement"], "left"), _col(t["col_path_short"], "left"),
               _col(t["col_expected"], "center"), _col(t["col_b"], italic=True), _col(t["col_beta"]),
               _col(t["col_p"], italic=True), _col(t["col_hyp_ci"].format(level=level)), _col(t["col_result"], "left")]
    notes = [t["note_hypotheses"].format(alpha=_alpha_text(h.alpha for h in hyps))]
    if boot_ids:
        notes.append("\u2020 " + t["note_hypotheses_boot"].format(ids=", ".join(boot_ids)))
    table = _table("table-hypotheses", t["tbl_hypotheses"], columns, rows, notes)
    return _section("hypotheses", t["sec_hypotheses"], [table])


def covariances_section(result: StudyResult, t: Labels) -> Section | None:
    """Covariances (residual ones marked) and variances (residual ones marked)."""
    sem = result.sem
    endo = _endogenous(sem)
    level = _level_text(sem)
    covs = [p for p in sem.parameters if p.op == "~~" and p.lhs != p.rhs]
    variances = [p for p in sem.parameters if p.op == "~~" and p.lhs == p.rhs]
    names = name_map(result, t)
    tables: list[Table] = []
    if covs:
        rows = [_row([f"{names.get(p.lhs, p.lhs)} ↔ {names.get(p.rhs, p.rhs)}",
                      t["type_residual_covariance"] if {p.lhs, p.rhs} <= endo else t["type_covariance"],
                      _estimate(p, t), *_inference(p), f.fmt_bounded(p.std_all, 3), _ci(p)]) for p in covs]
        columns = [_col(t["col_variables"], "left"), _col(t["col_type"], "left"), _col(t["col_estimate"]),
                   _col(t["col_se"], italic=True), _col(t["col_z"], italic=True), _col(t["col_p"], italic=True),
                   _col(t["col_r"], italic=True), _col(t["col_ci"].format(level=level))]
        tables.append(_table("table-covariances", t["tbl_covariances"], columns, rows,
                             [t["note_covariances"].format(level=level)]))
    if variances:
        rows = [_row([names.get(p.lhs, p.lhs), t["type_residual_variance"] if p.lhs in endo else t["type_variance"],
                      _estimate(p, t), *_inference(p), f.fmt_bounded(p.std_all, 3), _ci(p)]) for p in variances]
        columns = [_col(t["col_variable"], "left"), _col(t["col_type"], "left"), _col(t["col_estimate"]),
                   _col(t["col_se"], italic=True), _col(t["col_z"], italic=True), _col(t["col_p"], italic=True),
                   _col(t["col_std"]), _col(t["col_ci"].format(level=level))]
        tables.append(_table("table-variances", t["tbl_variances"], columns, rows, [t["note_variances"]]))
    if not tables:
        return None
    return _section("covariances", t["sec_covariances"], tables)


def intercepts_section(result: StudyResult, t: Labels) -> Section | None:
    """Intercepts (``~1``) when the model has a mean structure."""
    sem = result.sem
    rows_p = [p for p in sem.parameters if p.op == "~1"]
    if not rows_p:
        return None
    endo = _endogenous(sem)
    level = _level_text(sem)
    names = name_map(result, t)
    rows = [_row([names.get(p.lhs, p.lhs), t["type_intercept"] if p.lhs in endo else t["type_mean"], _estimate(p, t),
                  *_inference(p), f.fmt_num(p.std_all, 3), _ci(p)]) for p in rows_p]
    columns = [_col(t["col_variable"], "left"), _col(t["col_type"], "left"), _col(t["col_estimate"]),
               _col(t["col_se"], italic=True), _col(t["col_z"], italic=True), _col(t["col_p"], italic=True),
               _col(t["col_std"]), _col(t["col_ci"].format(level=level))]
    table = _table("table-intercepts", t["tbl_intercepts"], columns, rows,
                   [t["note_intercepts"].format(level=level)])
    return _section("intercepts", t["sec_intercepts"], [table])


SECTION_BUILDERS: tuple[SectionBuilder, ...] = (
    warnings_section,
    about_section,
    *INTAKE_BUILDERS,
    profile_section,
    fit_section,
    measurement_section,
    *MEASUREMENT_BUILDERS,
    common_method_section,
    descriptives_section,
    structural_section,
    diagram_section,
    defined_section,
    bootstrap_section,
    r2_section,
    effect_size_section,
    hypotheses_section,
    replication_section,
    covariances_section,
    intercepts_section,
    modindices_section,
    invariance_study_section,
    process_study_sections,
    power_study_section,
    reproducibility_section,
    instrument_appendix_section,
)
"""The report's sections in order; each returns ``None`` when its data is absent."""


# --------------------------------------------------------------------------- entry point

def _header(result: StudyResult, t: Labels, today: date) -> Header:
    sem = result.sem
    lang = result.language
    rows: list[HeaderRow] = [
        {"label": t["n_obs"], "value": f.fmt_int(sem.n_obs)},
        {"label": t["n_dropped"], "value": f.fmt_int(sem.n_dropped)},
        {"label": t["estimator"], "value": describe_estimator(sem.estimator, lang)},
        {"label": t["missing"], "value": describe_missing(sem.missing, lang)},
        {"label": t["data_file"], "value": result.data_file or f.DASH},
        {"label": t["data_sha256"], "value": f.short_hash(result.data_sha256)},
        {"label": t["model_file"], "value": result.model_file or f.DASH},
        {"label": t["version"], "value": result.version or f.DASH},
        {"label": t["date"], "value": f.fmt_date(today)},
    ]
    notes = messages_in_words(list(result.notes), result.note_codes, t)
    return {"title": result.title, "subtitle": t["report_kind"], "rows": rows, "notes": notes}


def build_context(result: StudyResult, *, today: date | None = None,
                  builders: Sequence[SectionBuilder] = SECTION_BUILDERS, file_prefix: str = "") -> Context:
    """Collect everything a report of ``result`` shows, as finished strings.

    Parameters
    ----------
    result : StudyResult
        The study's results (full precision; nothing is rounded before this point).
    today : datetime.date, optional
        The report date (default: today); pass one for reproducible output.
    builders : sequence of callables
        Section builders, in report order (default :data:`SECTION_BUILDERS`).
    file_prefix : str
        Put before the file names of the figures saved beside the report (``"report_"`` gives
        ``report_path_diagram.svg``), in the figures and in the notes naming them.

    Returns
    -------
    Context
        A plain dict of strings and lists, the same for HTML and Word.

    Raises
    ------
    StudyError
        When ``result.language`` is not ``"en"`` or ``"zh"``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from datetime import date
    >>> from semxhs.sem.model import fit
    >>> from semxhs.study.results import StudyResult
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=200); y = 0.5 * x + rng.normal(size=200)
    >>> sem = fit("y ~ b*x", pd.DataFrame({"x": x, "y": y}))
    >>> ctx = build_context(StudyResult("Demo", "zh", sem, (), "d.csv", "m.lav", "ab" * 32, "0.1.0"),
    ...                     today=date(2024, 5, 1))
    >>> [s["id"] for s in ctx["sections"]]
    ['warnings', 'fit', 'structural', 'path-diagram', 'r2', 'covariances']
    >>> ctx["sections"][2]["tables"][0]["caption"]
    '表 2'
    """
    t = labels_for(result.language)
    sections: list[Section] = []
    for build in builders:
        built = build(result, t)
        if built is None:
            continue
        if isinstance(built, dict):
            sections.append(built)
        else:
            sections.extend(built)
    number_captions(sections, t)
    prefix_figure_files(sections, file_prefix, t)
    day = today or date.today()
    return {
        "language": result.language,
        "html_lang": HTML_LANG[result.language],
        "t": dict(t),
        "header": _header(result, t, day),
        "sections": sections,
        "references": collect_references(REFERENCES, sections),
        "footer": t["generated_by"].format(version=result.version or f.DASH, date=f.fmt_date(day)),
    }


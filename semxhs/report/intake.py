"""Data-intake sections of the study report: where the data came from, who was screened out, what is missing, normality.

Reads :attr:`StudyResult.provenance <semxhs.study.results.StudyResult.provenance>` (a
:class:`~semxhs.survey.provenance.DataProvenance`), :attr:`~semxhs.study.results.StudyResult.intake`
(a :class:`~semxhs.survey.screening.ScreeningRun`: screening, missingness, Little's test,
normality) and :attr:`~semxhs.study.results.StudyResult.derived_files`, and turns them into
the "Method: participants and data screening" part of a thesis, with every number
formatted by :mod:`semxhs.report.format` and every word from :mod:`semxhs.report.labels`.
Nothing is re-computed; which respondents were excluded and which estimator the data
suggest were decided by :mod:`semxhs.survey.screening` and :mod:`semxhs.survey.normality`.

Section ids (HTML anchors), in report order:

``data``
    The data source (file, SHA-256 short, format, encoding, platform, instrument, column
    mapping) and the rows left after each step (read → valid → screened → complete
    cases), with the derived files written beside the report. Shown whenever
    ``provenance`` is present; without an instrument (``intake`` is ``None``) it is the
    only intake section.
``screening``
    The CONSORT-style participant flow (received → excluded by each rule, with its
    criterion → retained) as a table and as a flow diagram, and the rules with their
    thresholds and sources.
``missing-data``
    Missing values per item and overall, Little's MCAR test (χ², df, p) and how the
    model handled missing data.
``normality``
    Univariate skewness and kurtosis per item, Mardia's tests, the recommended estimator
    in words and whether the study's estimator (``result.sem.estimator``) follows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

from semxhs.report import format as f
from semxhs.report.blocks import (
    Figure,
    Labels,
    Row,
    Section,
    Table,
    column,
    figure,
    row,
    section,
    table,
)
from semxhs.report.figures.flowchart import flow_diagram_png, flow_diagram_svg
from semxhs.report.labels import INTAKE_REFERENCES, describe_estimator, describe_missing
from semxhs.report.messages import (
    code_of,
    message_words,
    messages_in_words,
    pair_messages,
)
from semxhs.study.results import StudyResult
from semxhs.survey.normality import KURTOSIS_LIMIT, SKEW_LIMIT, NormalityResult
from semxhs.survey.provenance import DataProvenance
from semxhs.survey.screening import RULE_ORDER, ScreeningResult, ScreeningRun

__all__ = [
    "INTAKE_BUILDERS",
    "data_section",
    "missing_data_section",
    "normality_section",
    "screening_section",
]

_RULE_SOURCES = {"attention": "meade2012", "speed": "curran2016", "longstring": "curran2016", "irv": "dunn2018",
                 "mahalanobis": "tabachnick2019"}
_CITATIONS = {"meade2012": "Meade & Craig, 2012", "curran2016": "Curran, 2016", "dunn2018": "Dunn et al., 2018",
              "tabachnick2019": "Tabachnick & Fidell, 2019"}


# --------------------------------------------------------------------------- helpers

def _provenance(result: StudyResult) -> DataProvenance | None:
    return getattr(result, "provenance", None)


def _intake(result: StudyResult) -> ScreeningRun | None:
    return getattr(result, "intake", None)


def _name(path: str | None) -> str:
    """The file's name without its folders (a thesis shows ``responses.xlsx``, not a home folder)."""
    return PurePath(path).name if path else f.DASH


def _format_name(code: str, t: Labels) -> str:
    return {"csv": t["format_csv"], "excel": t["format_excel"], "spss": t["format_spss"],
            "stata": t["format_stata"]}.get(code, code)


def _platform_name(code: str, t: Labels) -> str:
    return {"wenjuanxing": t["platform_wenjuanxing"], "tencent": t["platform_tencent"],
            "credamo": t["platform_credamo"], "generic": t["platform_generic"]}.get(code, code)


def _answer_name(code: str, t: Labels) -> str:
    return {"text": t["answer_text"], "codes": t["answer_codes"], "mixed": t["answer_mixed"]}.get(code, code)


def _how_name(code: str, t: Labels) -> str:
    return {"wording": t["how_wording"], "number": t["how_number"], "id": t["how_id"],
            "rename": t["how_rename"]}.get(code, code)


def _rule_name(rule: str, t: Labels) -> str:
    return {"attention": t["rule_attention"], "speed": t["rule_speed"], "longstring": t["rule_longstring"],
            "irv": t["rule_irv"], "mahalanobis": t["rule_mahalanobis"]}.get(rule, rule)


def _role_name(file_name: str, t: Labels) -> str:
    """What a derived file holds, from the suffix :func:`semxhs.survey.screening.screening_paths` gives it."""
    for suffix, role in ((".cleaned.csv", t["role_cleaned"]), (".exclusions.csv", t["role_exclusions"]),
                         (".flow.csv", t["role_flow"])):
        if file_name.endswith(suffix):
            return role
    return t["role_other"]


def _listwise(missing: str) -> bool:
    return missing.lower() == "listwise"


def _n_items(run: ScreeningRun) -> int:
    return len(run.missing.items)


def _run_notes(run: ScreeningRun, t: Labels) -> list[str]:
    """The notes of the intake run (tests that could not run) in the report's words."""
    return messages_in_words(list(run.notes), run.note_codes, t)


# --------------------------------------------------------------------------- data source and rows

def _source_table(result: StudyResult, prov: DataProvenance, t: Labels) -> Table:
    rows: list[Row] = [
        row([t["src_file"], _name(prov.file)]),
        row([t["src_sha"], f.short_hash(prov.sha256)]),
        row([t["src_size"], t["src_size_value"].format(size=f.fmt_int(prov.size_bytes))]),
        row([t["src_format"], _format_name(prov.format, t)]),
    ]
    if prov.encoding:
        rows.append(row([t["src_encoding"], t["src_encoding_detected"].format(encoding=prov.encoding)
                         if prov.encoding_detected else prov.encoding]))
    if prov.platform:
        rows.append(row([t["src_platform"], _platform_name(prov.platform, t)]))
    if prov.answer_format:
        rows.append(row([t["src_answer_format"], _answer_name(prov.answer_format, t)]))
    if prov.instrument:
        rows.append(row([t["src_instrument"], t["src_instrument_value"].format(
            file=_name(prov.instrument), sha=f.short_hash(prov.instrument_sha256))]))
    run = _intake(result)
    if run is not None:
        survey = run.survey
        kinds: dict[str, int] = {}
        for h in survey.headers:
            kinds[h.how] = kinds.get(h.how, 0) + 1
        matched = {k: n for k, n in kinds.items() if k not in ("meta", "unknown")}
        how = t["list_sep"].join(t["how_part"].format(n=f.fmt_int(n), how=_how_name(k, t))
                                 for k, n in matched.items())
        rows.append(row([t["src_headers"], t["src_headers_value"].format(
            matched=f.fmt_int(sum(matched.values())), how=how, unmatched=f.fmt_int(kinds.get("unknown", 0)))]))
        if survey.id_column:
            rows.append(row([t["src_id_column"], survey.id_column]))
        if survey.duration_column:
            rows.append(row([t["src_duration_column"], survey.duration_column]))
        if survey.skipped:
            rows.append(row([t["src_skipped"], t["list_sep"].join(
                t["skipped_item"].format(item=k, n=f.fmt_int(n)) for k, n in survey.skipped.items())]))
    return table("table-data-source", t["tbl_data_source"], [column(t["col_property"], "left"),
                                                             column(t["col_value"], "left")],
                 rows, [t["note_data_source"]])


def _step_label(step: str, result: StudyResult, t: Labels) -> str:
    if step == "complete_cases":
        return t["step_complete_cases"] if _listwise(result.sem.missing) else t["step_fiml"]
    return {"read": t["step_read"], "valid": t["step_valid"], "screened": t["step_screened"]}.get(step, step)


def _step_note(step: str, removed: int, raw: str, result: StudyResult, t: Labels) -> str:
    """The note of a step in the report's words; a step of the caller's own keeps its note."""
    if step == "valid":
        return t["step_note_invalid"].format(n=f.fmt_int(removed)) if removed else ""
    if step == "screened":
        return t["step_note_screened"].format(n=f.fmt_int(removed))
    if step == "complete_cases":
        return t["step_note_listwise"].format(n=f.fmt_int(removed)) if removed and _listwise(result.sem.missing) else ""
    return raw


def _rows_table(result: StudyResult, prov: DataProvenance, t: Labels) -> Table:
    rows: list[Row] = []
    previous: int | None = None
    for r in prov.rows:
        removed = 0 if previous is None else previous - r.n
        change = f.DASH if previous is None else f.fmt_int(-removed) if removed else "0"
        rows.append(row([_step_label(r.step, result, t), f.fmt_int(r.n), change,
                         _step_note(r.step, removed, r.note, result, t)]))
        previous = r.n
    columns = [column(t["col_step"], "left"), column(t["col_n"], italic=True), column(t["col_change"]),
               column(t["col_note"], "left")]
    return table("table-data-rows", t["tbl_rows"], columns, rows, [t["note_rows"]])


def _derived_text(files: Sequence[str], t: Labels) -> str:
    if not files:
        return ""
    parts = []
    for path in files:
        name = _name(path)
        parts.append(t["derived_file"].format(file=name, role=_role_name(name, t)))
    return t["derived_files"].format(files=t["list_sep"].join(parts))


def data_section(result: StudyResult, t: Labels) -> Section | None:
    """The data source and the rows left after each step (section id ``data``).

    Present whenever the study has a provenance record; the only intake section when the
    study has no instrument (no screening, missing-data or normality records).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> from semxhs.survey.provenance import DataProvenance
    >>> from semxhs.study.results import StudyResult
    >>> from semxhs.report.labels import labels_for
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=50); y = 0.5 * x + rng.normal(size=50)
    >>> prov = DataProvenance("/data/r.csv", "ab" * 32, 2048, "csv", "gb18030", True)
    >>> prov = prov.with_rows("read", 52).with_rows("complete_cases", 50)
    >>> study = StudyResult("Demo", "en", fit("y ~ x", pd.DataFrame({"x": x, "y": y})), (), "r.csv", "m.lav",
    ...                     "ab" * 32, "0.1.0", provenance=prov)
    >>> s = data_section(study, labels_for("en"))
    >>> [r["cells"] for r in s["tables"][1]["rows"]]
    [['Rows read from the file', '52', '—', ''], ['Complete cases analysed', '50', '-2', '2 dropped listwise (missing answers)']]
    >>> s["paragraphs"]
    ['Of the 52 rows read from r.csv, 50 were analysed.']
    """
    prov = _provenance(result)
    if prov is None:
        return None
    paragraphs = []
    if prov.rows:
        paragraphs.append(t["data_lead"].format(read=f.fmt_int(prov.rows[0].n), file=_name(prov.file),
                                                n=f.fmt_int(result.sem.n_obs)))
    derived = _derived_text(result.derived_files, t)
    if derived:
        paragraphs.append(derived)
    tables = [_source_table(result, prov, t)]
    if prov.rows:
        tables.append(_rows_table(result, prov, t))
    return section("data", t["sec_data"], tables, paragraphs=paragraphs)


# --------------------------------------------------------------------------- screening and flow

def _criterion(rule: str, scr: ScreeningResult, n_items: int, t: Labels) -> str:
    """The rule's criterion as applied (thresholds in seconds, D² critical value), or as configured."""
    rules, th = scr.rules, scr.thresholds
    if rule == "attention":
        if rules.attention_max_failed == 0:
            return t["crit_attention_any"]
        return t["crit_attention"].format(max=f.fmt_int(rules.attention_max_failed))
    if rule == "speed":
        cut, median = th.get("speed_min_seconds"), th.get("speed_median_seconds")
        if rules.speed_min_seconds is not None:
            return t["crit_speed_fixed"].format(cut=f.fmt_num(rules.speed_min_seconds, 1))
        if f.is_missing(cut) or f.is_missing(median):
            return t["crit_speed_config"].format(fraction=f.fmt_num(rules.speed_fraction, 2))
        return t["crit_speed"].format(cut=f.fmt_num(cut, 1), fraction=f.fmt_num(rules.speed_fraction, 2),
                                      median=f.fmt_num(median, 1))
    if rule == "longstring":
        need = rules.longstring_min if rules.longstring_min is not None else n_items
        if need == n_items:
            return t["crit_longstring_all"].format(n=f.fmt_int(need))
        return t["crit_longstring"].format(n=f.fmt_int(need))
    if rule == "irv":
        return t["crit_irv"].format(max=f.fmt_num(rules.irv_max, 2))
    if rule == "mahalanobis":
        crit = th.get("mahalanobis_d2_critical")
        if f.is_missing(crit):
            return t["crit_mahalanobis_config"].format(p=f.fmt_alpha(rules.mahalanobis_p))
        return t["crit_mahalanobis"].format(crit=f.fmt_num(crit, 2), df=f.fmt_int(n_items),
                                            p=f.fmt_alpha(rules.mahalanobis_p))
    return next((s.criterion for s in scr.flow if s.rule == rule), f.DASH)


def _capital(text: str) -> str:
    """First letter up (a rule name at the start of a cell); Chinese is unchanged."""
    return text[:1].upper() + text[1:]


def _flow_table(scr: ScreeningResult, n_items: int, t: Labels) -> Table:
    rows: list[Row] = []
    for step in scr.flow:
        if step.stage == "received":
            rows.append(row([t["stage_received"], "", f.DASH, f.fmt_int(step.remaining)]))
        elif step.stage == "analysed":
            rows.append(row([t["stage_analysed"], "", f.DASH, f.fmt_int(step.remaining)], starts_group=True))
        else:
            rows.append(row([t["stage_excluded"].format(rule=_rule_name(step.rule, t)),
                             _criterion(step.rule, scr, n_items, t), f.fmt_int(step.excluded),
                             f.fmt_int(step.remaining)], starts_group=len(rows) == 1))
    notes = [t["note_flow"]]
    flagged: dict[str, list[str]] = {}
    for e in scr.log:
        flagged.setdefault(e.respondent, []).append(_rule_name(e.rule, t))
    multi = [t["multi_item"].format(id=who, rules=t["list_sep"].join(rules))
             for who, rules in flagged.items() if len(rules) > 1]
    if multi:
        notes.append(t["note_multi"].format(list=t["pair_sep"].join(multi)))
    columns = [column(t["col_stage"], "left"), column(t["col_criterion"], "left"), column(t["col_excluded"]),
               column(t["col_remaining"])]
    return table("table-flow", t["tbl_flow"], columns, rows, notes)


def _rules_table(scr: ScreeningResult, n_items: int, t: Labels) -> Table:
    enabled = set(scr.rules.enabled())
    rows = [row([_capital(_rule_name(rule, t)), t["yes"] if rule in enabled else t["no"],
                 _criterion(rule, scr, n_items, t), _CITATIONS[_RULE_SOURCES[rule]]]) for rule in RULE_ORDER]
    columns = [column(t["col_rule"], "left"), column(t["col_applied"], "left"), column(t["col_threshold"], "left"),
               column(t["col_source"], "left")]
    words = messages_in_words(list(scr.notes), scr.note_codes, t)
    notes = [t["note_rules_not_applied"].format(notes=t["pair_sep"].join(words))] if words else []
    return table("table-screening-rules", t["tbl_screening_rules"], columns, rows, notes)


def _flow_figure(result: StudyResult, scr: ScreeningResult, t: Labels) -> Figure:
    """The flow diagram: received → retained (→ complete cases, when the model dropped cases listwise)."""
    excluded = [s for s in scr.flow if s.stage not in ("received", "analysed")]
    total = sum(s.excluded for s in excluded)
    main = [t["box_stage"].format(stage=t["stage_received"], n=f.fmt_int(scr.n_received)),
            t["box_stage"].format(stage=t["stage_analysed"], n=f.fmt_int(scr.n_analysed))]
    side = ["\n".join([t["box_excluded"].format(n=f.fmt_int(total)),
                       *["  " + t["box_excluded_item"].format(rule=_capital(_rule_name(s.rule, t)),
                                                               n=f.fmt_int(s.excluded)) for s in excluded]])]
    dropped = scr.n_analysed - result.sem.n_obs
    if dropped > 0 and _listwise(result.sem.missing):
        main.append(t["box_stage"].format(stage=t["box_complete"], n=f.fmt_int(result.sem.n_obs)))
        side.append(t["box_listwise"].format(n=f.fmt_int(dropped)))
    return figure("figure-flow", t["fig_flow"], flow_diagram_svg(main, side), "", [t["note_fig_flow"]],
                  png=flow_diagram_png(main, side))


def screening_section(result: StudyResult, t: Labels) -> Section | None:
    """The participant flow (table and diagram) and the screening rules (section id ``screening``).

    Counts are those of :attr:`ScreeningResult.flow <semxhs.survey.screening.ScreeningResult.flow>`
    (each respondent once, under the first rule that flags them); criteria are written
    from the rules and the thresholds as applied.
    """
    run = _intake(result)
    if run is None:
        return None
    scr = run.screening
    n_items = _n_items(run)
    excluded = [s for s in scr.flow if s.stage not in ("received", "analysed") and s.excluded]
    total = scr.n_received - scr.n_analysed
    if total:
        parts = t["pair_sep"].join(t["flow_part"].format(rule=_rule_name(s.rule, t), n=f.fmt_int(s.excluded))
                                   for s in excluded)
        lead = t["flow_lead"].format(received=f.fmt_int(scr.n_received), excluded=f.fmt_int(total), parts=parts,
                                     analysed=f.fmt_int(scr.n_analysed))
    else:
        lead = t["flow_none"].format(received=f.fmt_int(scr.n_received))
    refs = sorted({INTAKE_REFERENCES[_RULE_SOURCES[r]] for r in RULE_ORDER})
    return section("screening", t["sec_screening"], [_flow_table(scr, n_items, t), _rules_table(scr, n_items, t)],
                   paragraphs=[lead], figures=[_flow_figure(result, scr, t)], references=refs)


# --------------------------------------------------------------------------- missing data

def _mcar_test(run: ScreeningRun) -> str:
    m = run.mcar
    return f.DASH if m is None else f.fmt_chisq(m.chisq, m.df, m.pvalue)


def _mcar_sentence(run: ScreeningRun, t: Labels) -> str:
    m = run.mcar
    if m is None:
        return t["mcar_not_run"]
    if m.df == 0 or f.is_missing(m.pvalue):
        return t["mcar_df0"]
    # Little's test is read at the conventional .05, as semxhs.survey.normality reads it for the recommendation
    verdict = t["mcar_ok"] if f.as_printed(m.pvalue, 3) >= 0.05 else t["mcar_not"]
    return t["mcar_line"].format(test=_mcar_test(run), verdict=verdict)


def _handling_sentence(result: StudyResult, t: Labels) -> str:
    method = result.sem.missing.lower()
    if method == "listwise":
        return t["miss_handling_listwise"].format(n=f.fmt_int(result.sem.n_dropped))
    if method in ("fiml", "ml"):
        return t["miss_handling_fiml"]
    return t["miss_handling_other"].format(method=describe_missing(result.sem.missing, result.language))


def missing_data_section(result: StudyResult, t: Labels) -> Section | None:
    """Missing values per item and overall, Little's MCAR test, and the handling (section id ``missing-data``)."""
    run = _intake(result)
    if run is None:
        return None
    m = run.missing
    cells = m.n_rows * len(m.items)
    paragraphs = []
    if m.n_missing_cells:
        paragraphs.append(t["miss_lead"].format(
            cells=f.fmt_int(cells), n=f.fmt_int(m.n_rows), missing=f.fmt_int(m.n_missing_cells),
            pct=f.fmt_percent(m.pct_missing_cells / 100.0), complete=f.fmt_int(m.n_complete_rows),
            pct_complete=f.fmt_percent(m.pct_complete_rows / 100.0)))
        paragraphs.append(_mcar_sentence(run, t))
    else:
        paragraphs.append(t["miss_none"].format(cells=f.fmt_int(cells), n=f.fmt_int(m.n_rows)))
    paragraphs.append(_handling_sentence(result, t))
    rows = [row([item, f.fmt_int(m.n_rows - k), f.fmt_int(k), f.fmt_percent(k / m.n_rows if m.n_rows else None)])
            for item, k in zip(m.items, m.n_missing)]
    rows.append(row([t["row_all_items"], f.fmt_int(cells - m.n_missing_cells), f.fmt_int(m.n_missing_cells),
                     f.fmt_percent(m.pct_missing_cells / 100.0)], starts_group=True))
    notes = [t["note_missing"].format(n=f.fmt_int(m.n_rows), k=f.fmt_int(len(m.items)),
                                      patterns=f.fmt_int(len(m.patterns)))]
    refs = []
    if run.mcar is not None:
        notes.append(t["note_mcar"].format(test=_mcar_test(run)))
        refs.append(INTAKE_REFERENCES["little1988"])
    columns = [column(t["col_item"], "left"), column(t["col_answered"]), column(t["col_missing_n"]),
               column(t["col_missing_pct"])]
    bullets = _run_notes(run, t) if (m.n_missing_cells and run.mcar is None) else []
    return section("missing-data", t["sec_missing"],
                   [table("table-missing", t["tbl_missing"], columns, rows, notes)],
                   paragraphs=paragraphs, bullets=bullets, references=refs)


# --------------------------------------------------------------------------- normality

def _mardia_skew(norm: NormalityResult) -> str:
    m = norm.mardia
    return f"b1p = {f.fmt_num(m.b1p, 2)}, {f.fmt_chisq(m.skew, m.df_skew, m.p_skew)}"


def _mardia_kurt(norm: NormalityResult) -> str:
    m = norm.mardia
    return f"b2p = {f.fmt_num(m.b2p, 2)}, z = {f.fmt_num(m.kurtosis, 2)}, {f.fmt_p(m.p_kurtosis, with_symbol=True)}"


def _inline(name: str) -> str:
    """A method's name inside an English sentence: ``"Listwise deletion"`` → ``"listwise deletion"``.

    Acronyms (``"ML"``) and Chinese are left as they are.

    Examples
    --------
    >>> _inline("Maximum likelihood (ML)"), _inline("MLR"), _inline("列删除（listwise）")
    ('maximum likelihood (ML)', 'MLR', '列删除（listwise）')
    """
    if len(name) > 1 and name[0].isupper() and not name[1].isupper():
        return name[0].lower() + name[1:]
    return name


def _follow(result: StudyResult, norm: NormalityResult, t: Labels) -> list[str]:
    """Whether the estimator and missing-data method used are the recommended ones, in words."""
    rec = norm.recommendation
    lang = result.language

    def est(code: str) -> str:
        return _inline(describe_estimator(code, lang))

    def miss(code: str) -> str:
        return _inline(describe_missing(code, lang))

    used, wanted = result.sem.estimator.upper(), rec.estimator.upper()
    out = [t["follow_yes"].format(used=est(used)) if used == wanted else
           t["follow_no"].format(used=est(used), recommended=est(wanted), code=rec.estimator)]
    used_m = "fiml" if result.sem.missing.lower() in ("fiml", "ml") else result.sem.missing.lower()
    wanted_m = rec.missing.lower()
    if used_m == wanted_m:
        out.append(t["follow_missing_yes"].format(used=miss(used_m)))
    else:
        out.append(t["follow_missing_no"].format(used=miss(used_m), recommended=miss(wanted_m), code=rec.missing))
    return out


def _univariate_table(norm: NormalityResult, t: Labels) -> Table:
    rows = [row([u.item, f.fmt_int(u.n), f.fmt_num(u.mean, 2), f.fmt_num(u.sd, 2), f.fmt_num(u.skew, 2),
                 f.fmt_num(u.z_skew, 2), f.fmt_num(u.kurtosis, 2), f.fmt_num(u.z_kurtosis, 2)])
            for u in norm.univariate]
    columns = [column(t["col_item"], "left"), column(t["col_n"], italic=True), column(t["col_mean"], italic=True),
               column(t["col_sd"], italic=True), column(t["col_skew"]), column(t["col_z"], italic=True),
               column(t["col_kurtosis"]), column(t["col_z"], italic=True)]
    note = t["note_univariate"].format(skew=f.fmt_num(SKEW_LIMIT, 0), kurt=f.fmt_num(KURTOSIS_LIMIT, 0))
    return table("table-univariate", t["tbl_univariate"], columns, rows, [note])


def _mardia_table(norm: NormalityResult, t: Labels) -> Table:
    m = norm.mardia
    rows = [
        row([t["test_skew"], f"b1p = {f.fmt_num(m.b1p, 2)}", f"χ² = {f.fmt_num(m.skew, 2)}", f.fmt_int(m.df_skew),
             f.fmt_p(m.p_skew)]),
        row([t["test_skew_small"], f.DASH, f"χ² = {f.fmt_num(m.small_skew, 2)}", f.fmt_int(m.df_skew),
             f.fmt_p(m.p_small)]),
        row([t["test_kurtosis"], f"b2p = {f.fmt_num(m.b2p, 2)}", f"z = {f.fmt_num(m.kurtosis, 2)}", f.DASH,
             f.fmt_p(m.p_kurtosis)]),
    ]
    columns = [column(t["col_test"], "left"), column(t["col_coefficient"]), column(t["col_statistic"]),
               column(t["col_df"], italic=True), column(t["col_p"], italic=True)]
    note = t["note_mardia"].format(n=f.fmt_int(m.n), expected=f.fmt_int(m.p * (m.p + 2)), p=f.fmt_int(m.p))
    return table("table-mardia", t["tbl_mardia"], columns, rows, [note])


def normality_section(result: StudyResult, t: Labels) -> Section | None:
    """Univariate and Mardia's tests, the recommended estimator in words and whether the study follows it.

    Section id ``normality``. The recommendation is :mod:`semxhs.survey.normality`'s; its reasons
    are worded from their codes (``reason_codes``, :mod:`semxhs.report.messages`), a reason
    without one is shown as its English text. The estimator used is ``result.sem.estimator``
    and the missing-data method ``result.sem.missing``.
    """
    run = _intake(result)
    if run is None:
        return None
    norm = run.normality
    if norm is None:
        return section("normality", t["sec_normality"], [], paragraphs=[t["norm_not_run"]],
                       bullets=_run_notes(run, t))
    m = norm.mardia
    rec = norm.recommendation
    lang = result.language
    paragraphs = [
        t["mardia_line"].format(skew=_mardia_skew(norm), kurt=_mardia_kurt(norm), n=f.fmt_int(m.n), p=f.fmt_int(m.p)),
        t["rec_line"].format(estimator=describe_estimator(rec.estimator, lang),
                             missing=describe_missing(rec.missing, lang)),
        *_follow(result, norm, t),
    ]
    reasons = pair_messages(list(rec.reasons), rec.reason_codes)
    bullets = [message_words(r, t) for r in reasons]
    refs = [INTAKE_REFERENCES["mardia1970"], INTAKE_REFERENCES["curran1996"]]
    if any(code_of(r) == "coarse_scale" for r in reasons):
        refs.append(INTAKE_REFERENCES["rhemtulla2012"])
    return section("normality", t["sec_normality"], [_univariate_table(norm, t), _mardia_table(norm, t)],
                   paragraphs=paragraphs, bullets=bullets, references=refs)


INTAKE_BUILDERS = (data_section, screening_section, missing_data_section, normality_section)
"""The data-intake sections in report order; each returns ``None`` when its data is absent."""

"""Measurement-quality sections of the study report: reliability, discriminant validity, items, CMB.

Reads :attr:`StudyResult.measurement <semxhs.study.results.StudyResult.measurement>` (a
:class:`~semxhs.measurement.results.MeasurementResult`; the sections are left out when
it is ``None``) and turns it into the tables every thesis prints, with every cut-off
beside its value and its source, and the shortfalls said in words. Which construct,
item or pair falls short is never re-judged here: the findings of
:func:`semxhs.measurement.findings.findings` (stored in the result) decide it, so the
marks in the tables and the sentences under them always agree. The cut-offs printed are
those the result was judged against (``MeasurementResult.thresholds``), and the alpha
interval's level is the one it was computed at (``MeasurementResult.level``).

Section ids (HTML anchors), in report order:

``reliability``
    Reliability and convergent validity: construct, item, standardized loading, alpha
    (with its CI), CR, omega, AVE; one row per item, construct-level values on the
    construct's first row; a cut-off row; the constructs and items that fall short.
``discriminant``
    Fornell–Larcker (√AVE on the diagonal, latent correlations below it) and the HTMT
    matrix (HTMT and its bootstrap CI below the diagonal, HTMT2 above); the pairs that
    fail or are questionable, in words.
``items``
    Item statistics (M, SD, skewness, kurtosis, corrected item–total r, alpha if item
    deleted, MSA) and sampling adequacy (KMO, Bartlett's test).
``cmb``
    Common-method bias: Harman's single-factor share and the one-factor CFA comparison,
    as an APA paragraph and a table.

Marks in cells: ``‡`` below the conventional minimum (a finding of severity
``"fail"``), ``†`` below the stricter or recommended level (``"warn"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from semxhs.measurement.results import Finding, MeasurementResult
from semxhs.measurement.thresholds import THRESHOLDS, Threshold
from semxhs.report import format as f
from semxhs.report.blocks import (
    Labels,
    Row,
    Section,
    Table,
    column,
    row,
    section,
    table,
)
from semxhs.report.labels import MEASUREMENT_REFERENCES, language_of
from semxhs.report.messages import code_of, finding_words, message_words, pair_messages
from semxhs.report.names import name_map
from semxhs.study.results import StudyResult

__all__ = [
    "FAIL_MARK",
    "MEASUREMENT_BUILDERS",
    "WARN_MARK",
    "cmb_section",
    "discriminant_section",
    "items_section",
    "reliability_section",
]

FAIL_MARK = "\u2021"  # ‡ below the conventional minimum
WARN_MARK = "\u2020"  # † below the recommended level

RELIABILITY_CODES = ("alpha", "cr", "ave", "loading_min", "loading_ideal")
DISCRIMINANT_CODES = ("htmt_liberal", "htmt_strict", "htmt_ci_upper", "fornell_larcker")
FACTORABILITY_CODES = ("kmo", "kmo_item", "bartlett")
CMB_CODES = ("harman", "one_factor_cfa")


# --------------------------------------------------------------------------- helpers

def _measurement(result: StudyResult) -> MeasurementResult | None:
    return getattr(result, "measurement", None)


def _words(finding: Finding, t: Labels) -> str:
    """The finding in the report's language (:func:`semxhs.report.messages.finding_words`)."""
    return finding_words(finding, t)


def _sentence_sep(t: Labels) -> str:
    """What goes between two sentences: a space in English, nothing after a Chinese full stop."""
    return "" if language_of(t) == "zh" else " "


def _join(names: Iterable[str], t: Labels) -> str:
    return t["list_sep"].join(names)


def _pair(a: str, b: str, t: Labels) -> str:
    return t["pair_words"].format(a=a, b=b)


def _cut(th: Threshold, *, percent: bool = False) -> str:
    """``≥ .70`` for a threshold (``< 50%`` for a share; ``< .05`` for a p value)."""
    return f.fmt_cutoff(th.requirement, th.value, 0 if percent else 2, percent=percent)


def _cut_source(th: Threshold, t: Labels, *, percent: bool = False) -> str:
    """``≥ .70 (Nunnally (1978))``: a cut-off and where it comes from."""
    return t["cut_with_source"].format(cut=_cut(th, percent=percent), source=f.fmt_citation(th.source))


def _mark(findings: Sequence[Finding], codes: Iterable[str], subject: tuple[str, ...]) -> str:
    """``‡`` when a "fail" finding of ``codes`` is about ``subject``, ``†`` for a "warn" one, else ``""``."""
    wanted = set(codes)
    hits = [x for x in findings if x.code in wanted and tuple(x.subject) == subject]
    if any(x.severity == "fail" for x in hits):
        return FAIL_MARK
    return WARN_MARK if hits else ""


def _pair_mark(findings: Sequence[Finding], codes: Iterable[str], a: str, b: str) -> str:
    """:func:`_mark` for a pair given in either order."""
    return _mark(findings, codes, (a, b)) or _mark(findings, codes, (b, a))


def _marks_note(t: Labels) -> str:
    return t["note_marks"].format(fail=FAIL_MARK, warn=WARN_MARK)


def _item_label(item: str, result: StudyResult, t: Labels) -> str:
    """The item's name, with ``(R)`` when it was reverse-keyed before the analysis."""
    return item + t["reversed_suffix"] if item in result.reversed_items else item


def _reversed_note(result: StudyResult, t: Labels) -> str:
    """Which items were re-keyed, and how; empty when none were."""
    if not result.reversed_items:
        return ""
    items = _join(result.reversed_items, t)
    if result.scale is None:
        return t["note_reversed"].format(items=items)
    low, high = result.scale
    return t["note_reversed_scale"].format(items=items, low=f"{low:g}", high=f"{high:g}")


def _alpha_level(m: MeasurementResult) -> str:
    """The CI level of alpha (and HTMT) as a percentage, as the result recorded it."""
    return f"{round(m.level * 100, 1):g}"


def _thresholds(m: MeasurementResult) -> dict[str, Threshold]:
    """The cut-offs the findings were judged against (the conventional ones where the result has none)."""
    return {**THRESHOLDS, **m.thresholds}


#: Notes about discriminant validity, printed under the HTMT table when there is one.
HTMT_NOTE_CODES = ("negative_within", "negative_between", "htmt_boot_failed")


def _note_groups(m: MeasurementResult, t: Labels) -> tuple[list[str], list[str]]:
    """The result's notes in words: (under the reliability table, under the HTMT table).

    Notes about item correlations and the HTMT bootstrap go under the HTMT table when the
    discriminant section is shown (two or more constructs); every other note, and every
    note when there is no HTMT table, goes under the reliability table, so none is lost.
    """
    has_htmt = len(m.reliability) >= 2
    reliability: list[str] = []
    htmt: list[str] = []
    for note in pair_messages(list(m.notes), m.note_codes):
        (htmt if has_htmt and code_of(note) in HTMT_NOTE_CODES else reliability).append(message_words(note, t))
    return reliability, htmt


def _select(m: MeasurementResult, codes: Iterable[str]) -> list[Finding]:
    wanted = set(codes)
    return [x for x in m.findings if x.code in wanted]


# --------------------------------------------------------------------------- reliability

def _reliability_table(result: StudyResult, m: MeasurementResult, t: Labels) -> Table:
    level = _alpha_level(m)
    findings = list(m.findings)
    has_omega = any(not f.is_missing(r.omega) for r in m.reliability)
    names = name_map(result, t)
    rows: list[Row] = []
    for rel in m.reliability:
        items = [i for i in m.items if i.factor == rel.factor]
        construct_cells = [
            f.fmt_bounded(rel.alpha, 3) + _mark(findings, ("alpha",), (rel.factor,)),
            f.fmt_ci(rel.alpha_ci_lower, rel.alpha_ci_upper, 3, bounded=True),
            f.fmt_bounded(rel.cr, 3) + _mark(findings, ("cr",), (rel.factor,)),
            *([f.fmt_bounded(rel.omega, 3)] if has_omega else []),
            f.fmt_bounded(rel.ave, 3) + _mark(findings, ("ave",), (rel.factor,)),
        ]
        blank = [""] * len(construct_cells)
        if not items:  # no item rows (should not happen): the construct still gets its line
            rows.append(row([names.get(rel.factor, rel.factor), f.DASH, f.DASH, *construct_cells],
                            starts_group=True))
            continue
        for k, item in enumerate(items):
            loading = f.fmt_bounded(item.loading_std, 3) + _mark(
                findings, ("loading_min", "loading_ideal"), (item.factor, item.item))
            rows.append(row([names.get(rel.factor, rel.factor) if k == 0 else "", _item_label(item.item, result, t),
                             loading,
                             *(construct_cells if k == 0 else blank)], starts_group=k == 0))
    th = _thresholds(m)
    loading_cut = t["cut_two_levels"].format(minimum=_cut(th["loading_min"]), ideal=_cut(th["loading_ideal"]))
    rows.append(row([t["row_cutoff"], "", loading_cut, _cut(th["alpha"]), "", _cut(th["cr"]),
                     *([""] if has_omega else []), _cut(th["ave"])], starts_group=True))
    columns = [column(t["col_construct"], "left"), column(t["col_item"], "left"), column(t["col_loading_std"]),
               column(t["col_alpha"], italic=True), column(t["col_ci"].format(level=level)),
               column(t["col_cr"]), *([column(t["col_omega"], italic=True)] if has_omega else []),
               column(t["col_ave"])]
    sources = t["note_reliability_cutoffs"].format(
        loading_min=_cut_source(th["loading_min"], t), loading_ideal=_cut_source(th["loading_ideal"], t),
        alpha=_cut_source(th["alpha"], t), cr=_cut_source(th["cr"], t), ave=_cut_source(th["ave"], t))
    sep = _sentence_sep(t)
    notes = [t["note_reliability"].format(level=level) + (sep + t["note_omega"] if has_omega else ""),
             sources + sep + _marks_note(t), _reversed_note(result, t)]
    notes += _note_groups(m, t)[0]
    return table("table-reliability", t["tbl_reliability"], columns, rows, notes)


def reliability_section(result: StudyResult, t: Labels) -> Section | None:
    """Reliability and convergent validity, one row per item (section id ``reliability``).

    Examples
    --------
    >>> from semxhs.study.pipeline import AnalysisOptions, fit_files
    >>> from semxhs.report.labels import labels_for
    >>> from pathlib import Path; import semxhs
    >>> FIX = Path(semxhs.__file__).resolve().parents[1] / "tests" / "fixtures"
    >>> r = fit_files(FIX / "shared/hs1939_cfa/model.lav", FIX / "shared/hs1939_cfa/data.csv",
    ...               AnalysisOptions(htmt_draws=0))
    >>> s = reliability_section(r, labels_for("en"))
    >>> s["tables"][0]["rows"][0]["cells"]
    ['visual', 'x1', '.772', '.626‡', '[.547, .694]', '.626‡', '.625', '.371‡']
    >>> s["paragraphs"][0]
    'Constructs that fall short of a reliability or convergent-validity cut-off: visual, speed.'
    """
    m = _measurement(result)
    if m is None or not m.reliability:
        return None
    found = _select(m, RELIABILITY_CODES)
    constructs = list(dict.fromkeys(x.subject[0] for x in found if x.code in ("alpha", "cr", "ave")))
    items = list(dict.fromkeys(x.subject[-1] for x in found if x.code in ("loading_min", "loading_ideal")))
    paragraphs = []
    if constructs:
        paragraphs.append(t["rel_short"].format(constructs=_join(constructs, t)))
    if items:
        paragraphs.append(t["rel_items_short"].format(items=_join(items, t)))
    if not found:
        paragraphs.append(t["rel_all_met"])
    return section("reliability", t["sec_reliability"], [_reliability_table(result, m, t)],
                   paragraphs=paragraphs, bullets=[_words(x, t) for x in found],
                   references=MEASUREMENT_REFERENCES["reliability"])


# --------------------------------------------------------------------------- discriminant validity

def _fornell_larcker_table(m: MeasurementResult, t: Labels, labels: dict[str, str] | None = None) -> Table:
    """Rows name the constructs (``labels``); the columns keep the codes, to match them."""
    fl = m.fornell_larcker
    names = [str(c) for c in fl.columns]
    findings = list(m.findings)
    rows: list[Row] = []
    for i, a in enumerate(names):
        cells = [(labels or {}).get(a, a)]
        for j, b in enumerate(names):
            if j < i:
                cells.append(f.fmt_bounded(float(fl.loc[a, b]), 3) + _pair_mark(findings, ("fornell_larcker",), a, b))
            elif j == i:
                cells.append(f.fmt_bounded(float(fl.loc[a, a]), 3))
            else:
                cells.append("")
        rows.append(row(cells))
    columns = [column(t["col_construct"], "left"), *[column(n) for n in names]]
    return table("table-fornell-larcker", t["tbl_fornell_larcker"], columns, rows,
                 [t["note_fornell_larcker"].format(mark=FAIL_MARK)])


def _htmt_table(m: MeasurementResult, t: Labels, labels: dict[str, str] | None = None) -> Table:
    """Rows name the constructs (``labels``); the columns keep the codes, to match them."""
    htmt, htmt2 = m.htmt, m.htmt2
    names = [str(c) for c in htmt.columns]
    findings = list(m.findings)
    ci = {} if m.htmt_ci is None else {(i.lhs, i.rhs): i for i in m.htmt_ci.intervals}
    rows: list[Row] = []
    for i, a in enumerate(names):
        cells = [(labels or {}).get(a, a)]
        for j, b in enumerate(names):
            if j < i:
                text = f.fmt_bounded(float(htmt.loc[a, b]), 3)
                text += _pair_mark(findings, ("htmt_liberal", "htmt_strict", "htmt_ci_upper"), a, b)
                iv = ci.get((a, b)) or ci.get((b, a))
                if iv is not None:
                    text += " " + f.fmt_ci(iv.ci_lower, iv.ci_upper, 3, bounded=True)
                cells.append(text)
            elif j == i:
                cells.append(f.DASH)
            else:
                cells.append(f.fmt_bounded(float(htmt2.loc[a, b]), 3) if a in htmt2.index and b in htmt2.columns
                             else f.DASH)
        rows.append(row(cells))
    th = _thresholds(m)
    notes = []
    if m.htmt_ci is not None:
        boot = m.htmt_ci
        notes.append(t["note_htmt_ci"].format(level=f"{round(boot.level * 100, 1):g}", draws=f.fmt_int(boot.draws),
                                              seed=boot.seed if boot.seed is not None else f.DASH,
                                              failed=f.fmt_int(len(boot.failed))))
    else:
        notes.append(t["note_htmt_no_ci"])
    notes.append(t["note_htmt_cutoffs"].format(
        strict=_cut_source(th["htmt_strict"], t), liberal=_cut_source(th["htmt_liberal"], t),
        ci_upper=_cut_source(th["htmt_ci_upper"], t), fail=FAIL_MARK, warn=WARN_MARK))
    notes += _note_groups(m, t)[1]
    columns = [column(t["col_construct"], "left"), *[column(n) for n in names]]
    return table("table-htmt", t["tbl_htmt"], columns, rows, notes)


def discriminant_section(result: StudyResult, t: Labels) -> Section | None:
    """Fornell–Larcker and HTMT, and the pairs failing discriminant validity in words (id ``discriminant``).

    A pair "fails" on a finding of severity ``"fail"`` (HTMT above .90, or a latent
    correlation not below √AVE); it is "questionable" on a ``"warn"`` one (HTMT above
    .85, or the upper bootstrap limit not below .90). Pairs without a finding are not
    named.

    Examples
    --------
    >>> from semxhs.study.pipeline import AnalysisOptions, fit_files
    >>> from semxhs.report.labels import labels_for
    >>> from pathlib import Path; import semxhs
    >>> FIX = Path(semxhs.__file__).resolve().parents[1] / "tests" / "fixtures"
    >>> r = fit_files(FIX / "shared/hs1939_cfa/model.lav", FIX / "shared/hs1939_cfa/data.csv",
    ...               AnalysisOptions(htmt_draws=0))
    >>> discriminant_section(r, labels_for("zh"))["paragraphs"]
    ['所有构念对均满足 HTMT < .85 与 Fornell–Larcker 标准。']
    """
    m = _measurement(result)
    if m is None or len(m.reliability) < 2:
        return None
    found = _select(m, DISCRIMINANT_CODES)
    failing = list(dict.fromkeys(tuple(x.subject) for x in found if x.severity == "fail"))
    doubtful = list(dict.fromkeys(tuple(x.subject) for x in found
                                  if x.severity != "fail" and tuple(x.subject) not in failing))
    paragraphs = []
    if failing:
        paragraphs.append(t["disc_fail"].format(pairs=t["pair_sep"].join(_pair(a, b, t) for a, b in failing)))
    if doubtful:
        paragraphs.append(t["disc_warn"].format(pairs=t["pair_sep"].join(_pair(a, b, t) for a, b in doubtful)))
    if not found:
        paragraphs.append(t["disc_all_met"])
    return section("discriminant", t["sec_discriminant"], [_fornell_larcker_table(m, t, dict(name_map(result, t))),
                                                           _htmt_table(m, t, dict(name_map(result, t)))],
                   paragraphs=paragraphs, bullets=[_words(x, t) for x in found],
                   references=MEASUREMENT_REFERENCES["discriminant"])


# --------------------------------------------------------------------------- items and factorability

def _verdict(found: Sequence[Finding], code: str, value: float | None, t: Labels) -> str:
    if f.is_missing(value):
        return f.DASH
    return t["eval_not_met"] if any(x.code == code for x in found) else t["eval_met"]


def items_section(result: StudyResult, t: Labels) -> Section | None:
    """Item statistics and sampling adequacy (KMO, Bartlett) (section id ``items``).

    Examples
    --------
    >>> from semxhs.study.pipeline import AnalysisOptions, fit_files
    >>> from semxhs.report.labels import labels_for
    >>> from pathlib import Path; import semxhs
    >>> FIX = Path(semxhs.__file__).resolve().parents[1] / "tests" / "fixtures"
    >>> r = fit_files(FIX / "shared/hs1939_cfa/model.lav", FIX / "shared/hs1939_cfa/data.csv",
    ...               AnalysisOptions(htmt_draws=0))
    >>> s = items_section(r, labels_for("en"))
    >>> s["tables"][0]["rows"][0]["cells"]
    ['visual', 'x1', '4.94', '1.17', '-0.26', '0.36', '.449', '.507', '.805']
    >>> s["paragraphs"][0]
    'KMO = .752, Bartlett’s test of sphericity χ²(36) = 904.10, p < .001.'
    """
    m = _measurement(result)
    if m is None or not m.items:
        return None
    found = _select(m, FACTORABILITY_CODES)
    names = name_map(result, t)
    rows: list[Row] = []
    previous = None
    for item in m.items:
        first = item.factor != previous
        previous = item.factor
        msa = m.kmo.items.get(item.item)
        rows.append(row([names.get(item.factor, item.factor) if first else "", _item_label(item.item, result, t),
                         f.fmt_num(item.mean, 2), f.fmt_num(item.sd, 2), f.fmt_num(item.skew, 2),
                         f.fmt_num(item.kurtosis, 2), f.fmt_bounded(item.item_total_r, 3),
                         f.fmt_bounded(item.alpha_if_deleted, 3),
                         f.fmt_bounded(msa, 3) + (_mark(found, ("kmo_item",), (item.item,)) if msa is not None else "")],
                        starts_group=first))
    columns = [column(t["col_construct"], "left"), column(t["col_item"], "left"), column(t["col_mean"], italic=True),
               column(t["col_sd"], italic=True), column(t["col_skew"]), column(t["col_kurtosis"]),
               column(t["col_item_total"]), column(t["col_alpha_deleted"]), column(t["col_msa"])]
    th = _thresholds(m)
    item_notes = [t["note_items"].format(msa=_cut_source(th["kmo_item"], t), warn=WARN_MARK),
                  _reversed_note(result, t)]
    item_table = table("table-items", t["tbl_items"], columns, rows, item_notes)

    b = m.bartlett
    adequacy_rows = [
        row([t["chk_kmo"], f.fmt_bounded(m.kmo.overall, 3), _cut(th["kmo"]), th["kmo"].source,
             _verdict(found, "kmo", m.kmo.overall, t)]),
        row([t["chk_bartlett"], f.fmt_chisq(b.chisq, b.df, b.pvalue), t["cut_p"].format(cut=_cut(th["bartlett"])),
             th["bartlett"].source,
             _verdict(found, "bartlett", b.pvalue, t)]),
    ]
    adequacy_columns = [column(t["col_check"], "left"), column(t["col_value"]), column(t["col_cutoff"], "left"),
                        column(t["col_source"], "left"), column(t["col_evaluation"], "left")]
    adequacy = table("table-adequacy", t["tbl_adequacy"], adequacy_columns, adequacy_rows,
                     [t["note_adequacy"].format(n=f.fmt_int(b.n))])
    summary = t["adequacy_summary"].format(kmo=f.fmt_bounded(m.kmo.overall, 3),
                                           bartlett=f.fmt_chisq(b.chisq, b.df, b.pvalue))
    return section("items", t["sec_items"], [item_table, adequacy], paragraphs=[summary],
                   bullets=[_words(x, t) for x in found], references=MEASUREMENT_REFERENCES["items"])


# --------------------------------------------------------------------------- common-method bias

def cmb_section(result: StudyResult, t: Labels) -> Section | None:
    """Common-method bias in APA prose and a table: Harman's share, the one-factor CFA (id ``cmb``).

    Examples
    --------
    >>> from semxhs.study.pipeline import AnalysisOptions, fit_files
    >>> from semxhs.report.labels import labels_for
    >>> from pathlib import Path; import semxhs
    >>> FIX = Path(semxhs.__file__).resolve().parents[1] / "tests" / "fixtures"
    >>> r = fit_files(FIX / "shared/hs1939_cfa/model.lav", FIX / "shared/hs1939_cfa/data.csv",
    ...               AnalysisOptions(htmt_draws=0))
    >>> cmb_section(r, labels_for("en"))["paragraphs"][1]
    'A one-factor CFA, χ²(27) = 312.26, fitted significantly worse than the measurement model, Δχ²(3) = 226.96, p < .001.'
    """
    m = _measurement(result)
    if m is None:
        return None
    found = _select(m, CMB_CODES)
    th = _thresholds(m)
    h = m.harman
    harman_short = any(x.code == "harman" for x in found)
    paragraphs = [t["cmb_harman"].format(
        share=f.fmt_percent(h.first_factor_share), n=f.fmt_int(h.n_items),
        relation=t["cmb_not_below"] if harman_short else t["cmb_below"],
        cut=f.fmt_percent(th["harman"].value, 0), source=f.fmt_citation(th["harman"].source))]
    c = m.one_factor_cfa
    rows = [row([t["chk_harman"], f.fmt_percent(h.first_factor_share), _cut(th["harman"], percent=True),
                 th["harman"].source, _verdict(found, "harman", h.first_factor_share, t)])]
    if c is not None:
        test = f.fmt_chisq_diff(c.delta_chisq, c.delta_df, c.pvalue)
        worse = not any(x.code == "one_factor_cfa" for x in found)
        paragraphs.append((t["cmb_cfa_worse"] if worse else t["cmb_cfa_not_worse"]).format(
            model=f.fmt_chisq(c.chisq, c.df, None), test=test))
        rows.append(row([t["chk_one_factor"], test, t["cut_p"].format(cut=_cut(th["one_factor_cfa"])),
                         th["one_factor_cfa"].source, _verdict(found, "one_factor_cfa", c.pvalue, t)]))
    else:
        paragraphs.append(t["cmb_cfa_missing"])
    paragraphs.append(t["cmb_caveat"])
    columns = [column(t["col_check"], "left"), column(t["col_value"]), column(t["col_cutoff"], "left"),
               column(t["col_source"], "left"), column(t["col_evaluation"], "left")]
    tab = table("table-cmb", t["tbl_cmb"], columns, rows, [t["note_cmb"]])
    return section("cmb", t["sec_cmb"], [tab], paragraphs=paragraphs, bullets=[_words(x, t) for x in found],
                   references=MEASUREMENT_REFERENCES["cmb"])


MEASUREMENT_BUILDERS = (reliability_section, discriminant_section, items_section)
"""The measurement-quality sections in report order (each ``None`` without a measurement result); the
common-method section (id ``cmb``) follows them: :func:`semxhs.report.common_method.common_method_section`
extends :func:`cmb_section` with the ULMC, marker and full-collinearity tests."""

"""The common-method-bias section of the study report (id ``cmb``): Harman, one-factor CFA, ULMC, marker, VIF.

Starts from the Harman/one-factor-CFA section of :mod:`semxhs.report.measurement` and adds,
when :attr:`MeasurementResult.common_method` holds them, one paragraph per further test
saying what it shows, and its table: the unmeasured latent method construct (both
models' fit and the Δs, the method factor's share of item variance, every standardized
structural estimate with and without it; a method model that did not converge, is not
identified or improper is said to be so, with the estimator's warnings), the marker
variable (r_M, every construct correlation before and after the adjustment) and Kock's
full-collinearity VIFs. No test alone yields a "no common-method bias" verdict: the
section reports what each shows. Formats only; every number comes from the result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from semxhs.measurement.results import (
    CommonMethodResult,
    FullCollinearityResult,
    MarkerResult,
    ModelFit,
    UlmcResult,
)
from semxhs.report import format as f
from semxhs.report.blocks import Labels, Row, Section, Table, column, row, table
from semxhs.report.labels import CMB_REFERENCES, language_of
from semxhs.report.measurement import cmb_section
from semxhs.report.messages import message_words
from semxhs.report.names import name_map
from semxhs.study.results import StudyResult

__all__ = ["common_method_section", "common_method_summary"]

FLAG = "\u2020"  # † a model whose estimates are not to be trusted


def _signed(x: float, digits: int = 3) -> str:
    if f.is_missing(x):
        return f.DASH
    text = f.fmt_bounded(x, digits)
    return text if text.startswith("-") or set(text) <= set("0.") else "+" + text


def _path(lhs: str, op: str, rhs: str, names: Mapping[str, str]) -> str:
    lhs, rhs = names.get(lhs, lhs), names.get(rhs, rhs)
    if op == "~":
        return f"{lhs} ← {rhs}"
    if op == "~~":
        return f"{lhs} ↔ {rhs}"
    return lhs


def _status(m: ModelFit, t: Labels) -> str:
    words = "; ".join(message_words(w, t).rstrip(".。") for w in m.warning_codes)
    if not m.converged:
        return t["cmb_ulmc_not_converged"].format(warnings=words or f.DASH)
    if m.improper or m.warning_codes:
        return t["cmb_ulmc_improper"].format(warnings=words or f.DASH)
    return ""


def _fit_cells(m: ModelFit) -> list[str]:
    return [f.fmt_num(m.chisq, 2), f.fmt_int(m.df), f.fmt_bounded(m.cfi), f.fmt_bounded(m.tli),
            f.fmt_bounded(m.rmsea), f.fmt_bounded(m.srmr)]


def _ulmc_parts(u: UlmcResult, t: Labels, names: Mapping[str, str]) -> tuple[list[str], list[Table], list[Row]]:
    d = u.difference
    test = f.fmt_chisq_diff(d.delta_chisq, d.delta_df, d.pvalue) if d is not None else f.DASH
    largest = u.largest_change
    paragraphs = [t["cmb_ulmc"].format(
        n_items=f.fmt_int(len(u.method_loadings)),
        loadings=t["cmb_ulmc_free"] if u.loadings == "free" else t["cmb_ulmc_equal"],
        base=f.fmt_chisq(u.baseline.chisq, u.baseline.df, None), method=f.fmt_chisq(u.method.chisq, u.method.df, None),
        test=test, dcfi=_signed(u.delta_cfi), dtli=_signed(u.delta_tli), drmsea=_signed(u.delta_rmsea),
        dsrmr=_signed(u.delta_srmr), share=f.fmt_percent(u.method_variance_share))]
    if largest is not None:
        paragraphs.append(t["cmb_ulmc_change"].format(
            path=_path(largest.lhs, largest.op, largest.rhs, names), before=f.fmt_bounded(largest.std_all_without),
            after=f.fmt_bounded(largest.std_all_with), delta=_signed(largest.delta_std_all)))
    status = _status(u.method, t)
    if status:
        paragraphs.append(status)
    paragraphs.append(t["cmb_ulmc_shows"])

    flag = "" if u.method.trustworthy else FLAG
    fit_rows = [row([t["cmb_model_without"], *_fit_cells(u.baseline)]),
                row([t["cmb_model_with"] + flag, *_fit_cells(u.method)]),
                row([t["cmb_model_delta"], f.fmt_num(d.delta_chisq, 2) if d is not None else f.DASH,
                     f.fmt_int(d.delta_df) if d is not None else f.DASH, _signed(u.delta_cfi),
                     _signed(u.delta_tli), _signed(u.delta_rmsea), _signed(u.delta_srmr)], starts_group=True)]
    fit_columns = [column(t["col_model"], "left"), column("χ²", italic=True), column("df", italic=True),
                   column("CFI"), column("TLI"), column("RMSEA"), column("SRMR")]
    fit_notes = [t["note_cmb_ulmc"].format(test=test, share=f.fmt_percent(u.method_variance_share),
                                           n=f.fmt_int(u.n)),
                 t["note_cmb_flag"].format(flag=FLAG) if flag else ""]
    tables = [table("table-cmb-ulmc", t["tbl_cmb_ulmc"], fit_columns, fit_rows, fit_notes)]
    if u.changes:
        change_rows = [row([_path(c.lhs, c.op, c.rhs, names), f.fmt_bounded(c.std_all_without), f.fmt_bounded(c.std_all_with),
                            _signed(c.delta_std_all)]) for c in u.changes]
        change_columns = [column(t["col_path"], "left"), column(t["col_beta_without"]), column(t["col_beta_with"]),
                          column("Δβ")]
        tables.append(table("table-cmb-ulmc-changes", t["tbl_cmb_ulmc_changes"], change_columns, change_rows,
                            [t["note_cmb_ulmc_changes"], t["note_cmb_flag"].format(flag=FLAG) if flag else ""]))
    check_rows = [row([t["chk_ulmc"] + flag, test, f.DASH, "Podsakoff et al. (2003)", f.DASH]),
                  row([t["chk_ulmc_share"] + flag, f.fmt_percent(u.method_variance_share), f.DASH,
                       "Podsakoff et al. (2003)", f.DASH])]
    return paragraphs, tables, check_rows


def _marker_parts(mk: MarkerResult, t: Labels, labels: Mapping[str, str]) -> tuple[list[str], list[Table], list[Row]]:
    names = ", ".join(mk.marker)
    rs = [v for v in mk.marker_correlations.values() if math.isfinite(v)]
    rule = t["cmb_marker_smallest"] if mk.rule == "smallest" else t["cmb_marker_second"]
    significant = [p for p in mk.pairs if p.pvalue < mk.alpha]
    if not math.isfinite(mk.r_m):
        paragraphs = [t["cmb_marker_none"].format(marker=names, rule=rule)]
    else:
        lost = mk.lost
        outcome = (t["cmb_marker_lost"].format(k=len(lost), m=len(significant),
                                               pairs=", ".join(f"{p.lhs} ↔ {p.rhs}" for p in lost))
                   if lost else t["cmb_marker_kept"].format(m=len(significant)))
        paragraphs = [t["cmb_marker"].format(marker=names, low=f.fmt_bounded(min(rs)) if rs else f.DASH,
                                             high=f.fmt_bounded(max(rs)) if rs else f.DASH,
                                             r_m=f.fmt_bounded(mk.r_m), rule=rule, outcome=outcome)]
    paragraphs.append(t["cmb_marker_shows"])
    rows = [row([f"{labels.get(p.lhs, p.lhs)} ↔ {labels.get(p.rhs, p.rhs)}", f.fmt_bounded(p.r), f.fmt_p(p.pvalue), f.fmt_bounded(p.r_adj),
                 f.fmt_num(p.t_adj, 2), f.fmt_p(p.pvalue_adj), t["yes"] if p.lost(mk.alpha) else t["no"]])
            for p in mk.pairs]
    columns = [column(t["col_pair"], "left"), column("r", italic=True), column("p", italic=True),
               column("r_A", italic=True), column("t", italic=True), column("p", italic=True),
               column(t["col_marker_lost"], "left")]
    note = t["note_cmb_marker"].format(marker=names, r_m=f.fmt_bounded(mk.r_m), rule=rule, n=f.fmt_int(mk.n),
                                       df=f.fmt_int(mk.n - 3), alpha=f.fmt_alpha(mk.alpha))
    tab = table("table-cmb-marker", t["tbl_cmb_marker"], columns, rows, [note])
    value = (t["cmb_marker_cell"].format(k=len(mk.lost), m=len(significant)) if math.isfinite(mk.r_m) else f.DASH)
    check = row([t["chk_marker"], value, t["cmb_marker_cut"], "Lindell & Whitney (2001)",
                 f.DASH if not math.isfinite(mk.r_m) else (t["eval_not_met"] if mk.lost else t["eval_met"])])
    return paragraphs, [tab], [check]


def _vif_parts(fc: FullCollinearityResult, t: Labels, names: Mapping[str, str]) -> tuple[list[str], list[Table], list[Row]]:
    vifs = [r.vif for r in fc.rows]
    above = fc.above
    outcome = (t["cmb_vif_above"].format(names=", ".join(r.construct for r in above)) if above
               else t["cmb_vif_none_above"])
    paragraphs = [t["cmb_vif"].format(low=f.fmt_num(min(vifs), 2), high=f.fmt_num(max(vifs), 2),
                                      cut=f.fmt_num(fc.cutoff, 1), outcome=outcome)]
    rows = [row([names.get(r.construct, r.construct), f.fmt_bounded(r.r2), f.fmt_num(r.vif, 2) + ("‡" if r.vif > fc.cutoff else "")])
            for r in fc.rows]
    columns = [column(t["col_construct"], "left"), column("R²", italic=True), column("VIF")]
    tab = table("table-cmb-vif", t["tbl_cmb_vif"], columns, rows,
                [t["note_cmb_vif"].format(n=f.fmt_int(fc.n), cut=f.fmt_num(fc.cutoff, 1))])
    check = row([t["chk_vif"], f.fmt_num(max(vifs), 2), f"≤ {f.fmt_num(fc.cutoff, 1)}", "Kock (2015)",
                 t["eval_not_met"] if above else t["eval_met"]])
    return paragraphs, [tab], [check]


def _not_run(cm: CommonMethodResult, t: Labels) -> list[str]:
    out = []
    for note in cm.note_codes:
        if note.code == "ulmc_not_run":
            reason = note.params.get("reason")
            out.append(t["cmb_ulmc_off"] if reason == "switched_off"
                       else t["cmb_ulmc_error"].format(error=note.params.get("error", note.text)))
        elif note.code == "full_collinearity_not_run":
            out.append(t["cmb_vif_error"].format(error=note.params.get("error", note.text)))
    return out


def common_method_section(result: StudyResult, t: Labels) -> Section | None:
    """Common-method bias: Harman, one-factor CFA, and (when computed) ULMC, marker variable, full-collinearity VIF.

    Examples
    --------
    >>> from semxhs.study.pipeline import AnalysisOptions, fit_files
    >>> from semxhs.report.labels import labels_for
    >>> r = fit_files("tests/fixtures/shared/hs1939_cfa/model.lav", "tests/fixtures/shared/hs1939_cfa/data.csv",
    ...               AnalysisOptions(htmt_draws=0, ulmc_loadings="equal"))
    >>> s = common_method_section(r, labels_for("en"))
    >>> [tab["id"] for tab in s["tables"]]
    ['table-cmb', 'table-cmb-ulmc', 'table-cmb-ulmc-changes', 'table-cmb-vif']
    >>> s["tables"][1]["rows"][2]["cells"]
    ['Difference (with − without)', '30.41', '1', '+.033', '+.048', '-.024', '-.002']
    """
    base = cmb_section(result, t)
    m = getattr(result, "measurement", None)
    cm: CommonMethodResult | None = None if m is None else getattr(m, "common_method", None)
    if base is None or cm is None:
        return base
    names = name_map(result, t)  # constructs by their instrument names
    paragraphs = [p for p in base["paragraphs"] if p != t["cmb_caveat"]]
    paragraphs.append(t["cmb_caveat_more"])
    tables = list(base["tables"])
    check_rows = list(tables[0]["rows"])
    extra: list[Table] = []
    parts = []
    paragraphs.extend(_not_run(cm, t))
    if cm.ulmc is not None:
        parts.append(_ulmc_parts(cm.ulmc, t, names))
    if cm.marker is not None:
        parts.append(_marker_parts(cm.marker, t, names))
    else:
        paragraphs.append(t["cmb_marker_absent"])
    if cm.full_collinearity is not None:
        parts.append(_vif_parts(cm.full_collinearity, t, names))
    for paras, tabs, rows in parts:
        paragraphs.extend(paras)
        extra.extend(tabs)
        check_rows.extend(rows)
    tables[0] = table(tables[0]["id"], tables[0]["title"], tables[0]["columns"], check_rows,
                      [*tables[0]["notes"], t["note_cmb_more"]])
    references = list(dict.fromkeys([*base["references"], *CMB_REFERENCES[language_of(t)]]))
    return {**base, "title": t["sec_cmb"], "paragraphs": paragraphs, "tables": [*tables, *extra],
            "references": references}


def common_method_summary(result: StudyResult, t: Labels) -> str | None:
    """One terminal line: Harman's share, the ULMC's Δχ² and ΔCFI, the marker's lost correlations, the largest VIF.

    Examples
    --------
    >>> from semxhs.study.pipeline import AnalysisOptions, fit_files
    >>> from semxhs.report.labels import labels_for
    >>> r = fit_files("tests/fixtures/shared/hs1939_cfa/model.lav", "tests/fixtures/shared/hs1939_cfa/data.csv",
    ...               AnalysisOptions(htmt_draws=0, ulmc_loadings="equal"))
    >>> common_method_summary(r, labels_for("en"))
    'Common-method bias: Harman 35.7%; ULMC† Δχ²(1) = 30.41, p < .001, ΔCFI = +.033, method variance 32.3%; max VIF 1.16 (≤ 3.3)'
    """
    m = getattr(result, "measurement", None)
    cm: CommonMethodResult | None = None if m is None else getattr(m, "common_method", None)
    if cm is None:
        return None
    parts = [f"Harman {f.fmt_percent(cm.harman.first_factor_share)}"]
    u = cm.ulmc
    if u is not None:
        d = u.difference
        test = f.fmt_chisq_diff(d.delta_chisq, d.delta_df, d.pvalue) if d is not None else f.DASH
        flag = "" if u.method.trustworthy else FLAG
        parts.append(f"ULMC{flag} {test}, ΔCFI = {_signed(u.delta_cfi)}, "
                     f"{t['cmb_method_variance']} {f.fmt_percent(u.method_variance_share)}")
    if cm.marker is not None and math.isfinite(cm.marker.r_m):
        parts.append(f"{t['cmb_marker_short']} r_M = {f.fmt_bounded(cm.marker.r_m)}, "
                     + t["cmb_marker_cell"].format(k=len(cm.marker.lost),
                                                   m=sum(p.pvalue < cm.marker.alpha for p in cm.marker.pairs)))
    fc = cm.full_collinearity
    if fc is not None and fc.rows:
        parts.append(f"max VIF {f.fmt_num(max(r.vif for r in fc.rows), 2)} (≤ {f.fmt_num(fc.cutoff, 1)})")
    zh = language_of(t) == "zh"
    return t["sec_cmb"] + ("：" if zh else ": ") + ("；" if zh else "; ").join(parts)

"""Report sections of the model library: the study's background, replication, reproducibility.

* ``about``: the study's ``description`` and the study it cites (``citation``);
* ``replication``: each hypothesis, the finding of the cited study, the result here
  (B, β, interval, p) and whether they agree (:mod:`semxhs.study.replicate`);
* ``reproducibility``: a fit from summary statistics (what the input was and what it rules
  out) and the independent re-estimation by semopy (:mod:`semxhs.study.crosscheck`).

Each builder returns ``None`` when its data are absent.
"""

from __future__ import annotations

from semxhs.report import format as f
from semxhs.report.blocks import Labels, Section, column, row, section, table
from semxhs.study.results import StudyResult


def _summary_sentences(result: StudyResult, t: Labels) -> list[str]:
    summary = getattr(result, "summary", None)
    if summary is None:
        return []
    kind = t["repro_kind_cor_sd"] if summary.kind == "cor_sd" else t["repro_kind_cov"]
    return [t["repro_summary"].format(kind=kind, n=f.fmt_int(summary.nobs),
                                      means=t["repro_with_means"] if summary.mean is not None else ""),
            t["repro_rules_out"]]


def about_section(result: StudyResult, t: Labels) -> Section | None:
    """The study's description and citation, and (first thing a reader sees) a fit from summary statistics."""
    description = getattr(result, "description", "")
    citation = getattr(result, "citation", "")
    paragraphs = [p for p in (description, t["about_citation"].format(citation=citation) if citation else "") if p]
    paragraphs += _summary_sentences(result, t)
    if not paragraphs:
        return None
    return section("about", t["sec_about"], [], paragraphs=paragraphs)


def _result_text(h: object, t: Labels) -> str:
    est = getattr(h, "est")
    std = getattr(h, "std_all")
    parts = [f"B = {f.fmt_num(est, 3)}"]
    if std is not None and std == std:
        parts.append(f"β = {f.fmt_bounded(std, 3)}")
    ci = f.fmt_ci(getattr(h, "ci_lower"), getattr(h, "ci_upper"), 3)
    parts.append(ci + (t["replication_boot_mark"] if getattr(h, "test", "z") == "bootstrap" else ""))
    p = getattr(h, "pvalue")
    if p is not None:
        parts.append(f"p {f.fmt_p(p)}" if f.fmt_p(p).startswith(("<", ">")) else f"p = {f.fmt_p(p)}")
    return ", ".join(parts)


def replication_section(result: StudyResult, t: Labels) -> Section | None:
    """Hypothesis, finding in the cited study, result here, agrees: when any hypothesis has a finding."""
    hyps = [h for h in result.hypotheses if getattr(h, "finding", "")]
    if not hyps:
        return None
    from semxhs.study.replicate import agrees

    rows = [row([h.id, h.finding, _result_text(h, t), t["agrees_yes"] if agrees(h) else t["agrees_no"]])
            for h in hyps]
    columns = [column(t["col_hypothesis"], "left"), column(t["col_finding"], "left"),
               column(t["col_result_here"], "left"), column(t["col_agrees"], "center")]
    alpha = f.fmt_alpha(hyps[0].alpha)
    n_agree = sum(agrees(h) for h in hyps)
    notes = [t["note_replication"].format(alpha=alpha),
             t["replication_summary"].format(agree=n_agree, total=len(hyps))]
    return section("replication", t["sec_replication"],
                   [table("table-replication", t["tbl_replication"], columns, rows, notes)])


def _skip_reasons(t: Labels) -> dict[str, str]:
    """Why the cross-check skipped parameters, by reason code of :mod:`semxhs.study.crosscheck`."""
    return {"defined": t["cc_defined"], "intercept": t["cc_intercept"], "constraint": t["cc_constraint"],
            "groups": t["cc_groups"], "fiml": t["cc_fiml"], "fixed_misread": t["cc_fixed_misread"],
            "not_estimated": t["cc_not_estimated"], "failed": t["cc_failed"]}


def reproducibility_section(result: StudyResult, t: Labels) -> Section | None:
    """How the model was fitted when not from raw rows, and the semopy cross-check."""
    summary = getattr(result, "summary", None)
    check = getattr(result, "crosscheck", None)
    if summary is None and check is None:
        return None
    bullets: list[str] = _summary_sentences(result, t)
    if check is not None:
        if check.parameters_compared:
            bullets.append(t["repro_crosscheck"].format(
                engine=check.engine, version=check.version, n=check.parameters_compared,
                diff=f.fmt_sig(check.max_abs_diff, 2), param=check.largest,
                verdict=(t["repro_cc_agrees"] if check.agrees else t["repro_cc_differs"]).format(
                    tol=f.fmt_sig(check.tolerance, 1))))
        else:
            bullets.append(t["repro_crosscheck_none"].format(engine=check.engine, version=check.version))
        for skipped in check.skipped:
            reason = _skip_reasons(t).get(skipped.reason, skipped.reason)
            if skipped.reason == "failed":
                reason = reason.format(detail=skipped.detail)
            bullets.append(t["repro_cc_skipped"].format(params=", ".join(skipped.parameters[:12])
                                                        + (" …" if len(skipped.parameters) > 12 else ""),
                                                        reason=reason))
    return section("reproducibility", t["sec_reproducibility"], [], bullets=bullets)

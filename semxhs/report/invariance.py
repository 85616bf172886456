"""The measurement-invariance report: the ladder with its decisions, the score tests, the partial
search and the latent means, worded as a results section (en/zh).

Collect first, render second: :func:`invariance_sections` turns an
:class:`~semxhs.sem.invariance.InvarianceResult` into sections of the shape of
:mod:`semxhs.report.blocks` (printed by the same templates and Word writer); it serves the
``semxhs invariance`` report (:func:`build_invariance_context`) and the study report
(``invariance:`` in a study). Section id: ``invariance``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from semxhs import __version__
from semxhs.report import format as f
from semxhs.report.blocks import (
    Context,
    Header,
    Labels,
    Row,
    Section,
    collect_references,
    column,
    number_captions,
    row,
    section,
    table,
)
from semxhs.report.labels import HTML_LANG, labels_for
from semxhs.report.names import name_map
from semxhs.sem.invariance import LEVELS, InvarianceResult
from semxhs.study.results import StudyResult

__all__ = [
    "INVARIANCE_REFERENCES",
    "build_invariance_context",
    "invariance_labels",
    "invariance_sections",
    "invariance_study_section",
]

CHEN = ("Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement invariance. Structural "
        "Equation Modeling, 14(3), 464–504. https://doi.org/10.1080/10705510701301834")
CHEUNG = ("Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing measurement "
          "invariance. Structural Equation Modeling, 9(2), 233–255. https://doi.org/10.1207/S15328007SEM0902_5")
VANDENBERG = ("Vandenberg, R. J., & Lance, C. E. (2000). A review and synthesis of the measurement invariance "
              "literature. Organizational Research Methods, 3(1), 4–70. https://doi.org/10.1177/109442810031002")
BYRNE = ("Byrne, B. M., Shavelson, R. J., & Muthén, B. (1989). Testing for the equivalence of factor covariance and "
         "mean structures: The issue of partial measurement invariance. Psychological Bulletin, 105(3), 456–466. "
         "https://doi.org/10.1037/0033-2909.105.3.456")
ROSSEEL = ("Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of Statistical "
           "Software, 48(2), 1–36. https://doi.org/10.18637/jss.v048.i02")
INVARIANCE_REFERENCES = (CHEN, CHEUNG, VANDENBERG, BYRNE, ROSSEEL)

def invariance_labels(language: str) -> dict[str, str]:
    """The report's wording of ``language`` (the invariance keys included).

    Examples
    --------
    >>> invariance_labels("zh")["lvl_scalar"], invariance_labels("en")["inv_holds"]
    ('强等值', 'Supported')
    """
    return dict(labels_for(language))  # the invariance wording lives in semxhs.report.labels


def _p_phrase(p: float | None) -> str:
    text = f.fmt_p(p)
    return text if text[:1] in "<>" or text == f.DASH else f"= {text}"


def _rule(res: InvarianceResult, t: Mapping[str, str], alpha: float = 0.05) -> str:
    rules = {"chen2007": t["inv_rule_chen2007"], "cheung2002": t["inv_rule_cheung2002"], "lrt": t["inv_rule_lrt"]}
    return rules[res.criteria].format(alpha=f.fmt_alpha(alpha))


def _deltas(row: Mapping[str, Any]) -> dict[str, str]:
    return {"diff": f.fmt_chisq_diff(row["chisq_diff"], row["df_diff"], row["pvalue"]),
            "dcfi": f.fmt_num(row["delta_cfi"], 3), "drmsea": f.fmt_num(row["delta_rmsea"], 3),
            "dsrmr": f.fmt_num(row["delta_srmr"], 3)}


def _ladder_row(name: str, row_: Mapping[str, Any], decision: str, starts: bool = False) -> Row:
    return row([name, f.fmt_num(row_["chisq"], 2), f.fmt_int(row_["df"]), f.fmt_bounded(row_["cfi"], 3),
                f.fmt_bounded(row_["rmsea"], 3), f.fmt_bounded(row_["srmr"], 3), f.fmt_num(row_["chisq_diff"], 2),
                f.fmt_int(row_["df_diff"]), f.fmt_p(row_["pvalue"]), f.fmt_num(row_["delta_cfi"], 3),
                f.fmt_num(row_["delta_rmsea"], 3), f.fmt_num(row_["delta_srmr"], 3), decision], starts_group=starts)


def invariance_sections(res: InvarianceResult, t: Mapping[str, str],
                        names: Mapping[str, str] | None = None) -> list[Section]:
    """The invariance section: methods and results sentences, the ladder table (with the partial steps),
    the scalar model's score tests and the latent mean differences.

    Examples
    --------
    >>> import pandas as pd
    >>> from semxhs.sem.invariance import invariance
    >>> folder = "tests/fixtures/next/mg_partial_search/"
    >>> res = invariance(open(folder + "model.lav").read(), pd.read_csv(folder + "data.csv"), "country")
    >>> sec = invariance_sections(res, invariance_labels("en"))[0]
    >>> [tb["id"] for tb in sec["tables"]]
    ['table-invariance-ladder', 'table-invariance-scores', 'table-invariance-latent-means']
    >>> [r["cells"][-1] for r in sec["tables"][0]["rows"]][:3]
    ['—', 'Supported', 'Not supported']
    """
    t = dict(t)
    level_name = {"configural": t["lvl_configural"], "metric": t["lvl_metric"], "scalar": t["lvl_scalar"],
                  "strict": t["lvl_strict"]}
    fits = {lvl: res.models[lvl].to_dict()["fit"] for lvl in LEVELS}
    n_group = res.models["configural"].extra.get("n_obs_group", {})
    groups = ", ".join(f"{g} (n = {f.fmt_int(n_group.get(g))})" for g in res.group_labels)
    paragraphs = [t["inv_methods"].format(group=res.group, groups=groups, estimator=res.estimator,
                                          rule=_rule(res, t))]
    conf = fits["configural"]
    sentences = [t["inv_configural"].format(chisq=f.fmt_chisq(conf["chisq"], conf["df"], conf["pvalue"]),
                                            cfi=f.fmt_bounded(conf["cfi"], 3), rmsea=f.fmt_bounded(conf["rmsea"], 3),
                                            srmr=f.fmt_bounded(conf["srmr"], 3))]
    decision = {d["model"]: d["holds"] for d in res.decisions}
    failed = False
    for row_ in res.comparisons[1:]:
        template = t["inv_level_holds"] if decision[row_["model"]] else t["inv_level_fails"]
        if failed and decision[row_["model"]]:
            template = t["inv_level_moot"]
        failed = failed or not decision[row_["model"]]
        name = level_name[row_["model"]]
        sentences.append(template.format(Level=name[:1].upper() + name[1:], **_deltas(row_)))
    sentences.append(t["inv_highest"].format(level=level_name[res.highest_level].lower()))
    paragraphs.append(" ".join(sentences))
    rows = [_ladder_row(level_name[r["model"]], r,
                        f.DASH if r["vs"] is None else (t["inv_holds"] if decision[r["model"]] else t["inv_fails"]))
            for r in res.comparisons]
    partial = res.partial
    if partial is not None:
        lvl = level_name[partial["level"]].lower()
        part = [t["inv_partial_lead"].format(level=lvl, limit=f.fmt_int(partial["limit"]))]
        for i, step in enumerate(partial["steps"]):
            holds = step["decision"]["holds"]
            part.append(t["inv_partial_step"].format(
                step=step["step"], parameter=step["freed"], x2=f.fmt_num(step["X2"], 2),
                dcfi=f.fmt_num(step["comparison"]["delta_cfi"], 3), vs=level_name[partial["vs"]].lower(),
                verdict=t["inv_verdict_holds"] if holds else t["inv_verdict_fails"]))
            rows.append(_ladder_row(t["lvl_partial"].format(level=lvl, step=step["step"], parameter=step["freed"]),
                                    step["comparison"], t["inv_holds"] if holds else t["inv_fails"], starts=i == 0))
        if partial["holds"]:
            part.append(t["inv_partial_holds"].format(level=lvl, params=", ".join(partial["group_partial"])))
        else:
            part.append(t["inv_partial_fails"].format(level=lvl, limit=f.fmt_int(partial["limit"])))
        paragraphs.append(" ".join(part))
    columns = [column(t["col_model"], "left"), column("χ²", italic=True), column("df", italic=True),
               column("CFI"), column("RMSEA"), column("SRMR"), column("Δχ²", italic=True),
               column("Δdf", italic=True), column("p", italic=True), column("ΔCFI"), column("ΔRMSEA"),
               column("ΔSRMR"), column(t["col_decision"], "left")]
    tables = [table("table-invariance-ladder", t["tbl_inv_ladder"], columns, rows,
                    [t["note_inv_ladder"].format(rule=_rule(res, t))])]
    if res.score_tests is not None:
        st = res.score_tests
        srows = [row([r["lhs_parameter"], f"{r.get('lhs_group_label')} / {r.get('rhs_group_label')}",
                      f.fmt_num(r["X2"], 2), f.fmt_p(r["pvalue"])])
                 for r in sorted(st["univariate"], key=lambda r: -(r["X2"] or 0.0))]
        tables.append(table("table-invariance-scores", t["tbl_inv_scores"],
                            [column(t["col_parameter"], "left"), column(t["col_groups"], "left"),
                             column("χ²", italic=True), column("p", italic=True)], srows,
                            [t["note_inv_scores"].format(df=f.fmt_int(st["total"]["df"]),
                                                         x2=f.fmt_num(st["total"]["X2"], 2),
                                                         p=_p_phrase(st["total"]["pvalue"]))]))
    if res.latent_means:
        ref = res.group_labels[0]
        lrows = [row([(names or {}).get(m["lhs"], m["lhs"]), str(m["group_label"]), f.fmt_num(m["est"], 3), f.fmt_num(m["se"], 3),
                      f.fmt_num(m["z"], 2), f.fmt_p(m["pvalue"]), f.fmt_ci(m["ci_lower"], m["ci_upper"], 3),
                      f.fmt_num(m["std_all"], 2)]) for m in res.latent_means]
        tables.append(table("table-invariance-latent-means", t["tbl_inv_latent"],
                            [column(t["col_factor"], "left"), column(t["col_group"], "left"), column("M", italic=True),
                             column("SE", italic=True), column("z", italic=True), column("p", italic=True),
                             column("95% CI"), column("d", italic=True)], lrows,
                            [t["note_inv_latent"].format(ref=ref)]))
        items = t["inv_sep"].join(t["inv_latent_item"].format(factor=m["lhs"], group=m["group_label"],
                                                      est=f.fmt_num(m["est"], 2), se=f.fmt_num(m["se"], 2),
                                                      p=_p_phrase(m["pvalue"]), d=f.fmt_num(m["std_all"], 2))
                          for m in res.latent_means)
        paragraphs.append(t["inv_latent"].format(model=(t["inv_model_partial_scalar"] if res.latent_means_model == "partial_scalar"
                                                        else t["inv_model_scalar"]), ref=ref,
                                                 items=items))
    refs = [CHEN if res.criteria == "chen2007" else CHEUNG if res.criteria == "cheung2002" else VANDENBERG,
            VANDENBERG] + ([BYRNE, ROSSEEL] if partial is not None else [])
    return [section("invariance", t["sec_invariance"], tables, paragraphs=paragraphs,
                    references=list(dict.fromkeys(refs)))]


def invariance_study_section(result: StudyResult, t: Mapping[str, str]) -> list[Section] | None:
    """The invariance section of a study report (``invariance:`` in the study); ``None`` without one."""
    if result.invariance is None:
        return None
    return invariance_sections(result.invariance, t, name_map(result, t))


def _header(res: InvarianceResult, t: Mapping[str, str], title: str, day: date) -> Header:
    return {"title": title, "subtitle": t["inv_report_kind"],
            "rows": [{"label": t["col_groups"], "value": f"{res.group}: " + ", ".join(res.group_labels)},
                     {"label": t["version"], "value": __version__},
                     {"label": t["date"], "value": f.fmt_date(day)}],
            "notes": []}


def build_invariance_context(res: InvarianceResult, *, title: str, language: str,
                             today: date | None = None) -> Context:
    """The report context of ``semxhs invariance`` (same shape as a study's)."""
    t: Labels = invariance_labels(language)
    sections = invariance_sections(res, t)
    number_captions(sections, t)
    day = today or date.today()
    return {"language": language, "html_lang": HTML_LANG[language], "t": dict(t),
            "header": _header(res, t, title, day), "sections": sections,
            "references": collect_references((), sections),
            "footer": t["generated_by"].format(version=__version__, date=f.fmt_date(day))}

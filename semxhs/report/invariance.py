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
from semxhs.sem.invariance import LEVELS, InvarianceResult
from semxhs.study.results import StudyResult

__all__ = [
    "INVARIANCE_LABELS",
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

INVARIANCE_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "inv_report_kind": "Measurement invariance",
        "sec_invariance": "Measurement invariance across groups",
        "inv_methods": ("Measurement invariance across {group} ({groups}) was tested with a sequence of increasingly "
                        "constrained multi-group confirmatory factor models estimated by {estimator} "
                        "(Vandenberg & Lance, 2000): configural (same pattern of loadings), metric (equal loadings), "
                        "scalar (equal loadings and intercepts) and strict (equal loadings, intercepts and residual "
                        "variances). Each model was compared with the one below it by the χ² difference test and by "
                        "the changes in CFI, RMSEA and SRMR; {rule}"),
        "inv_rule_chen2007": ("a level was retained when ΔCFI ≥ −.010 and ΔRMSEA ≤ .015, with ΔSRMR ≤ .030 for "
                              "loadings and ≤ .010 for intercepts and residuals (Chen, 2007)."),
        "inv_rule_cheung2002": "a level was retained when ΔCFI ≥ −.010 (Cheung & Rensvold, 2002).",
        "inv_rule_lrt": "a level was retained when the χ² difference test was not significant (α = {alpha}).",
        "inv_configural": "The configural model fitted the data with {chisq}, CFI = {cfi}, RMSEA = {rmsea}, SRMR = {srmr}.",
        "inv_level_holds": ("{Level} invariance was supported ({diff}, ΔCFI = {dcfi}, ΔRMSEA = {drmsea}, "
                            "ΔSRMR = {dsrmr})."),
        "inv_level_fails": ("{Level} invariance was not supported ({diff}, ΔCFI = {dcfi}, ΔRMSEA = {drmsea}, "
                            "ΔSRMR = {dsrmr})."),
        "inv_level_moot": ("{Level} invariance met the criteria against the model below it ({diff}, ΔCFI = {dcfi}, "
                           "ΔRMSEA = {drmsea}, ΔSRMR = {dsrmr}), but it presupposes the levels below, which were "
                           "not all supported."),
        "inv_sep": "; ",
        "inv_highest": "The highest level of full invariance supported is {level}.",
        "inv_partial_lead": ("Partial {level} invariance was searched for (Byrne et al., 1989): the equality constraint "
                             "with the largest univariate score test (lavTestScore; Rosseel, 2012) was released and "
                             "the model refitted, one constraint at a time, up to {limit} steps."),
        "inv_partial_step": "Step {step}: freeing {parameter} (score χ²(1) = {x2}) gave ΔCFI = {dcfi} against the {vs} model, {verdict}.",
        "inv_partial_holds": "Partial {level} invariance was supported with {params} free across groups.",
        "inv_partial_fails": ("Partial {level} invariance was not reached within {limit} steps; comparisons that rely "
                              "on {level} invariance should be read with caution."),
        "inv_verdict_holds": "meeting the criteria",
        "inv_verdict_fails": "not yet meeting the criteria",
        "inv_latent": ("Under {model} invariance the latent means of group 1 ({ref}) were fixed at 0; in the other "
                       "groups they are differences from it: {items}."),
        "inv_latent_item": "{factor} in {group}: {est} (SE = {se}, p {p}, d = {d})",
        "inv_model_scalar": "scalar",
        "inv_model_partial_scalar": "partial scalar",
        "tbl_inv_ladder": "Fit and Comparison of the Invariance Models",
        "tbl_inv_scores": "Univariate Score Tests of the Scalar Model's Equality Constraints",
        "tbl_inv_latent": "Latent Mean Differences",
        "col_model": "Model",
        "col_decision": "Decision",
        "col_parameter": "Parameter",
        "col_groups": "Groups",
        "col_factor": "Factor",
        "col_group": "Group",
        "inv_holds": "Supported",
        "inv_fails": "Not supported",
        "lvl_configural": "Configural",
        "lvl_metric": "Metric",
        "lvl_scalar": "Scalar",
        "lvl_strict": "Strict",
        "lvl_partial": "Partial {level}, step {step} (+ {parameter} free)",
        "note_inv_ladder": ("Δ = this model minus the model it is compared with (the level below; partial "
                            "models against the level below the one searched). Decisions: {rule}"),
        "note_inv_scores": ("Score tests (Lagrange multiplier, expected information) of each equality "
                            "constraint of the scalar model, df = 1; total: χ²({df}) = {x2}, p {p}. Largest first."),
        "note_inv_latent": ("Group 1 ({ref}) is the reference (latent means fixed at 0). d = the difference "
                            "divided by the group's latent standard deviation."),
    },
    "zh": {
        "inv_report_kind": "测量不变性",
        "sec_invariance": "跨组测量不变性",
        "inv_methods": ("采用逐步加限定的多组验证性因子分析检验测量模型在{group}（{groups}）之间的不变性，估计方法为 {estimator}"
                        "（Vandenberg & Lance, 2000）：形态等值（因子结构相同）、弱等值（因子载荷相等）、强等值（载荷与截距相等）"
                        "和严格等值（载荷、截距与残差方差相等）。每一模型与其下一级模型比较 χ² 差异检验及 CFI、RMSEA、SRMR 的变化；{rule}"),
        "inv_rule_chen2007": ("当 ΔCFI ≥ −.010 且 ΔRMSEA ≤ .015，并且载荷的 ΔSRMR ≤ .030、截距与残差的 ΔSRMR ≤ .010 时，"
                              "认为该等值水平成立（Chen, 2007）。"),
        "inv_rule_cheung2002": "当 ΔCFI ≥ −.010 时认为该等值水平成立（Cheung & Rensvold, 2002）。",
        "inv_rule_lrt": "当 χ² 差异检验不显著（α = {alpha}）时认为该等值水平成立。",
        "inv_configural": "形态等值模型的拟合为 {chisq}，CFI = {cfi}，RMSEA = {rmsea}，SRMR = {srmr}。",
        "inv_level_holds": "{Level}成立（{diff}，ΔCFI = {dcfi}，ΔRMSEA = {drmsea}，ΔSRMR = {dsrmr}）。",
        "inv_level_fails": "{Level}不成立（{diff}，ΔCFI = {dcfi}，ΔRMSEA = {drmsea}，ΔSRMR = {dsrmr}）。",
        "inv_level_moot": ("{Level}相对于其下一级模型符合标准（{diff}，ΔCFI = {dcfi}，ΔRMSEA = {drmsea}，ΔSRMR = {dsrmr}），"
                           "但其前提（更低一级的等值）并未全部成立。"),
        "inv_sep": "；",
        "inv_highest": "完全等值所能达到的最高水平为{level}。",
        "inv_partial_lead": ("进而检验部分{level}（Byrne et al., 1989）：每次释放单变量得分检验（lavTestScore；Rosseel, 2012）"
                             "χ² 最大的一个等值约束并重新估计模型，最多 {limit} 步。"),
        "inv_partial_step": "第 {step} 步：释放 {parameter}（得分检验 χ²(1) = {x2}）后，相对于{vs}模型 ΔCFI = {dcfi}，{verdict}。",
        "inv_partial_holds": "在 {params} 跨组自由估计的条件下，部分{level}成立。",
        "inv_partial_fails": "在 {limit} 步之内未达到部分{level}；依赖{level}的比较须谨慎解读。",
        "inv_verdict_holds": "符合标准",
        "inv_verdict_fails": "仍未符合标准",
        "inv_latent": "在{model}条件下，第 1 组（{ref}）的潜均值固定为 0，其他组的潜均值为与之的差异：{items}。",
        "inv_latent_item": "{group}的{factor}为 {est}（SE = {se}，p {p}，d = {d}）",
        "inv_model_scalar": "强等值",
        "inv_model_partial_scalar": "部分强等值",
        "tbl_inv_ladder": "测量不变性各模型的拟合与比较",
        "tbl_inv_scores": "强等值模型各等值约束的单变量得分检验",
        "tbl_inv_latent": "潜均值差异",
        "col_model": "模型",
        "col_decision": "判定",
        "col_parameter": "参数",
        "col_groups": "组别",
        "col_factor": "因子",
        "col_group": "组别",
        "inv_holds": "成立",
        "inv_fails": "不成立",
        "lvl_configural": "形态等值",
        "lvl_metric": "弱等值",
        "lvl_scalar": "强等值",
        "lvl_strict": "严格等值",
        "lvl_partial": "部分{level}，第 {step} 步（释放 {parameter}）",
        "note_inv_ladder": "Δ = 本模型减去其比较模型（下一级；部分等值模型与所检验水平的下一级比较）。判定标准：{rule}",
        "note_inv_scores": "强等值模型各等值约束的得分检验（拉格朗日乘数，期望信息矩阵），df = 1；总体检验 χ²({df}) = {x2}，p {p}。按 χ² 由大到小排列。",
        "note_inv_latent": "第 1 组（{ref}）为参照组（潜均值固定为 0）。d = 差异除以该组潜变量标准差。",
    },
}


def invariance_labels(language: str) -> dict[str, str]:
    """The report's general wording with the invariance wording of ``language`` added.

    Examples
    --------
    >>> invariance_labels("zh")["lvl_scalar"], invariance_labels("en")["inv_holds"]
    ('强等值', 'Supported')
    """
    return {**labels_for(language), **INVARIANCE_LABELS["zh" if language == "zh" else "en"]}


def _p_phrase(p: float | None) -> str:
    text = f.fmt_p(p)
    return text if text[:1] in "<>" or text == f.DASH else f"= {text}"


def _rule(res: InvarianceResult, t: Mapping[str, str], alpha: float = 0.05) -> str:
    return t[f"inv_rule_{res.criteria}"].format(alpha=f.fmt_alpha(alpha))


def _deltas(row: Mapping[str, Any]) -> dict[str, str]:
    return {"diff": f.fmt_chisq_diff(row["chisq_diff"], row["df_diff"], row["pvalue"]),
            "dcfi": f.fmt_num(row["delta_cfi"], 3), "drmsea": f.fmt_num(row["delta_rmsea"], 3),
            "dsrmr": f.fmt_num(row["delta_srmr"], 3)}


def _ladder_row(name: str, row_: Mapping[str, Any], decision: str, starts: bool = False) -> Row:
    return row([name, f.fmt_num(row_["chisq"], 2), f.fmt_int(row_["df"]), f.fmt_bounded(row_["cfi"], 3),
                f.fmt_bounded(row_["rmsea"], 3), f.fmt_bounded(row_["srmr"], 3), f.fmt_num(row_["chisq_diff"], 2),
                f.fmt_int(row_["df_diff"]), f.fmt_p(row_["pvalue"]), f.fmt_num(row_["delta_cfi"], 3),
                f.fmt_num(row_["delta_rmsea"], 3), f.fmt_num(row_["delta_srmr"], 3), decision], starts_group=starts)


def invariance_sections(res: InvarianceResult, t: Mapping[str, str]) -> list[Section]:
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
    level_name = {lvl: t[f"lvl_{lvl}"] for lvl in LEVELS}
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
        key = "inv_level_holds" if decision[row_["model"]] else "inv_level_fails"
        if failed and decision[row_["model"]]:
            key = "inv_level_moot"
        failed = failed or not decision[row_["model"]]
        name = level_name[row_["model"]]
        sentences.append(t[key].format(Level=name[:1].upper() + name[1:], **_deltas(row_)))
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
        lrows = [row([m["lhs"], str(m["group_label"]), f.fmt_num(m["est"], 3), f.fmt_num(m["se"], 3),
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
        paragraphs.append(t["inv_latent"].format(model=t[f"inv_model_{res.latent_means_model}"], ref=ref,
                                                 items=items))
    refs = [CHEN if res.criteria == "chen2007" else CHEUNG if res.criteria == "cheung2002" else VANDENBERG,
            VANDENBERG] + ([BYRNE, ROSSEEL] if partial is not None else [])
    return [section("invariance", t["sec_invariance"], tables, paragraphs=paragraphs,
                    references=list(dict.fromkeys(refs)))]


def invariance_study_section(result: StudyResult, t: Mapping[str, str]) -> list[Section] | None:
    """The invariance section of a study report (``invariance:`` in the study); ``None`` without one."""
    if result.invariance is None:
        return None
    lang = "zh" if result.language == "zh" else "en"
    return invariance_sections(result.invariance, {**t, **INVARIANCE_LABELS[lang]})


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

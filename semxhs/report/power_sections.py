"""The sections of a power analysis: design, power per effect and N, the smallest N reaching .80, RMSEA power,
the power curve; and the study report's "Sample size justification" built from them.

Kept apart from :mod:`semxhs.report.power` (the report of ``semxhs power``, which renders) so the
study report's context can use them without importing the renderer.
"""

from __future__ import annotations

from semxhs.power.results import PowerResult, PowerRow
from semxhs.report import format as f
from semxhs.report.blocks import Labels, Row, Section, column, figure, row, section, table
from semxhs.report.figures.power_plot import power_curve_png, power_curve_svg
from semxhs.study.config import normalize_path
from semxhs.study.results import StudyResult

__all__ = ["POWER_REFERENCES", "effect_name", "min_n_sentences", "power_sections", "power_study_section"]

MACCALLUM = ("MacCallum, R. C., Browne, M. W., & Sugawara, H. M. (1996). Power analysis and determination of sample "
             "size for covariance structure modeling. Psychological Methods, 1(2), 130–149. "
             "https://doi.org/10.1037/1082-989X.1.2.130")
MUTHEN = ("Muthén, L. K., & Muthén, B. O. (2002). How to use a Monte Carlo study to decide on sample size and "
          "determine power. Structural Equation Modeling, 9(4), 599–620. https://doi.org/10.1207/S15328007SEM0904_8")
VALE = ("Vale, C. D., & Maurelli, V. A. (1983). Simulating multivariate nonnormal distributions. Psychometrika, "
        "48(4), 465–471. https://doi.org/10.1007/BF02293687")
HOENIG = ("Hoenig, J. M., & Heisey, D. M. (2001). The abuse of power: The pervasive fallacy of power calculations "
          "for data analysis. The American Statistician, 55(1), 19–24. https://doi.org/10.1198/000313001300339897")
POWER_REFERENCES = (MACCALLUM, MUTHEN, VALE, HOENIG)


def effect_name(r: PowerRow) -> str:
    """An effect as the report names it: a ``:=`` label, or ``outcome ← predictor``."""
    return r.label if r.op == ":=" else f"{r.lhs} ← {r.rhs}"


def min_n_sentences(result: PowerResult, t: Labels) -> list[str]:
    """Per effect, in the design's order: the smallest N reaching .80, or that none does."""
    min_n = result.min_n()
    shown = {r.key: effect_name(r) for r in result.rows}
    return [t["power_min_n"].format(effect=shown[k], n=f.fmt_int(n)) if n is not None
            else t["power_not_reached"].format(effect=shown[k], n=f.fmt_int(max(result.ns)))
            for k, n in min_n.items()]


def power_sections(result: PowerResult, t: Labels, population: str | None = None) -> list[Section]:
    """The sections of the power report (also used as the study report's sample-size justification).

    ``population`` replaces the population model's text in the design table (a study whose
    population is its own estimates says so instead of listing every value).
    """
    keys = list(dict.fromkeys(effect_name(r) for r in result.rows))
    ci_word = {"wald": t["power_ci_wald"], "montecarlo": t["power_ci_montecarlo"],
               "percentile": t["power_ci_percentile"], "bc": t["power_ci_bc"]}[result.ci]
    lead = t["power_lead"].format(reps=f.fmt_int(result.reps), ns=", ".join(f.fmt_int(n) for n in result.ns),
                                  alpha=f.fmt_alpha(result.alpha), ci=ci_word, seed=result.seed)
    sentences = [lead, *min_n_sentences(result, t)]
    design_rows = [
        row([t["power_population"], population or result.population.strip().replace("\n", "; ")]),
        row([t["power_analysis"], result.analysis.strip().replace("\n", "; ")]),
        row([t["power_missing"], f.fmt_percent(result.missing)]),
        row([t["power_nonnormal"], t["power_normal"] if not (result.skew or result.kurtosis)
             else t["power_skew_kurt"].format(skew=f.fmt_num(result.skew), kurtosis=f.fmt_num(result.kurtosis))]),
    ]
    design = table("table-power-design", t["tbl_power_design"], [column(t["col_setting"], "left"),
                                                                 column(t["col_value"], "left")], design_rows, [])
    rows: list[Row] = []
    previous = None
    for r in result.rows:
        rows.append(row([effect_name(r), f.fmt_int(r.n), f.fmt_num(r.true, 3), f.fmt_bounded(r.power, 3),
                         f.fmt_num(r.bias, 3), f.fmt_bounded(r.coverage, 3), f.fmt_percent(r.converged)],
                        starts_group=effect_name(r) != previous))
        previous = effect_name(r)
    rows.sort(key=lambda x: keys.index(x["cells"][0]))
    power_table = table(
        "table-power", t["tbl_power"],
        [column(t["col_effect"], "left"), column("N", italic=True), column(t["col_true"]), column(t["col_power"]),
         column(t["col_bias"]), column(t["col_coverage"]), column(t["col_converged"])],
        rows, [t["note_power"].format(alpha=f.fmt_alpha(result.alpha), ci=ci_word)])
    rmsea_rows = [row([f.fmt_int(r.n), f.fmt_int(r.df), f.fmt_bounded(r.close_fit, 3), f.fmt_bounded(r.not_close_fit, 3)])
                  for r in result.rmsea]
    rmsea_table = table("table-power-rmsea", t["tbl_power_rmsea"],
                        [column("N", italic=True), column("df", italic=True), column(t["col_close_fit"]),
                         column(t["col_not_close_fit"])], rmsea_rows, [t["note_power_rmsea"]])
    curves = [(k, [r.power for r in result.rows if effect_name(r) == k]) for k in keys]  # figure text is drawn as written
    svg = power_curve_svg(result.ns, curves, x_label=t["power_axis_n"], y_label=t["col_power"])
    png = power_curve_png(result.ns, curves, x_label=t["power_axis_n"], y_label=t["col_power"])
    fig = figure("figure-power-curve", t["fig_power_curve"], svg, "power_curve.svg", [t["note_fig_power_curve"]],
                 png=png)
    refs = [MUTHEN, MACCALLUM] + ([VALE] if result.skew or result.kurtosis else [])
    return [section("power", t["sec_power"], [design, power_table, rmsea_table], paragraphs=sentences,
                    figures=[fig], references=refs)]


def _hypothesis_keys(result: StudyResult) -> list[tuple[str, str]]:
    """(hypothesis id, effect key of the power rows) of every hypothesis whose effect was simulated."""
    out = []
    for h in result.hypotheses:
        lhs, op, rhs = normalize_path(h.path)
        out.append((h.id, lhs if op == ":=" else f"{lhs} {op} {rhs}"))
    return out


def power_study_section(result: StudyResult, t: Labels) -> list[Section] | None:
    """The study report's "Sample size justification" (``power:`` in the study); ``None`` without one.

    The power report's section, opened by where the population came from and the study's N,
    with the power of each hypothesised effect (every effect, without hypotheses) at the
    study's N and the smallest simulated N reaching .80.
    """
    power = result.power
    if power is None:
        return None
    n = int(result.sem.n_obs)
    estimates = result.power_population == "estimates"
    sections = power_sections(power, t, population=t["power_population_estimates"] if estimates else None)
    sec = sections[0]
    rows_at_n = {r.key: r for r in power.rows if r.n == n}
    min_n = power.min_n()
    shown = {r.key: effect_name(r) for r in power.rows}
    wanted = [(hid, key) for hid, key in _hypothesis_keys(result) if key in rows_at_n]
    if not wanted:
        wanted = [("", key) for key in shown if key in rows_at_n]
    rows: list[Row] = []
    for hid, key in wanted:
        reached = min_n.get(key)
        rows.append(row([hid or f.DASH, shown[key], f.fmt_bounded(rows_at_n[key].power, 3),
                         f.fmt_int(reached) if reached is not None else t["power_beyond"].format(n=f.fmt_int(max(power.ns)))]))
    study_table = table(
        "table-power-study", t["tbl_power_study"],
        [column(t["col_hypothesis"], "left"), column(t["col_effect"], "left"),
         column(t["col_power_at_n"].format(n=f.fmt_int(n))), column(t["col_min_n_80"])],
        rows, [t["note_power_study"].format(reps=f.fmt_int(power.reps), ns=", ".join(f.fmt_int(v) for v in power.ns))])
    at_n = t["power_at_study_n"].format(n=f.fmt_int(n), effects=t["power_effect_sep"].join(
        t["power_effect_value"].format(effect=shown[key], power=f.fmt_bounded(rows_at_n[key].power, 3))
        for _, key in wanted))
    source = (t["power_source_estimates"] if estimates
              else t["power_source_file"].format(file=result.power_population))
    sec["paragraphs"] = [sec["paragraphs"][0], source, t["power_study_n"].format(n=f.fmt_int(n)), at_n,
                         *sec["paragraphs"][1:]]
    sec["tables"] = [study_table, *sec["tables"]]
    if estimates:
        sec["references"] = [*sec["references"], HOENIG]
    return sections

"""The power report: design, power per effect and N, the smallest N reaching .80, RMSEA power, the power curve.

Collect first, render second: :func:`build_power_context` turns a
:class:`~semxhs.power.results.PowerResult` into the same context shape as the study
report (:mod:`semxhs.report.blocks`), printed by the same templates and Word writer.
"""

from __future__ import annotations

from datetime import date

from semxhs import __version__
from semxhs.power.results import PowerResult, PowerRow
from semxhs.report import format as f
from semxhs.report.blocks import (
    Context,
    Header,
    Labels,
    Row,
    Section,
    collect_references,
    column,
    figure,
    number_captions,
    row,
    section,
    table,
)
from semxhs.report.figures.power_plot import power_curve_png, power_curve_svg
from semxhs.report.labels import HTML_LANG, labels_for

__all__ = ["POWER_REFERENCES", "build_power_context", "power_sections", "print_power_summary", "render_power_html"]

MACCALLUM = ("MacCallum, R. C., Browne, M. W., & Sugawara, H. M. (1996). Power analysis and determination of sample "
             "size for covariance structure modeling. Psychological Methods, 1(2), 130–149. "
             "https://doi.org/10.1037/1082-989X.1.2.130")
MUTHEN = ("Muthén, L. K., & Muthén, B. O. (2002). How to use a Monte Carlo study to decide on sample size and "
          "determine power. Structural Equation Modeling, 9(4), 599–620. https://doi.org/10.1207/S15328007SEM0904_8")
VALE = ("Vale, C. D., & Maurelli, V. A. (1983). Simulating multivariate nonnormal distributions. Psychometrika, "
        "48(4), 465–471. https://doi.org/10.1007/BF02293687")
POWER_REFERENCES = (MACCALLUM, MUTHEN, VALE)


def _key(r: PowerRow) -> str:
    """An effect as the report names it: a ``:=`` label, or ``outcome ← predictor``."""
    return r.label if r.op == ":=" else f"{r.lhs} ← {r.rhs}"


def _min_n_sentences(result: PowerResult, t: Labels) -> list[str]:
    """Per effect, in the design's order: the smallest N reaching .80, or that none does."""
    min_n = result.min_n()
    shown = {r.key: _key(r) for r in result.rows}
    return [t["power_min_n"].format(effect=shown[k], n=f.fmt_int(n)) if n is not None
            else t["power_not_reached"].format(effect=shown[k], n=f.fmt_int(max(result.ns)))
            for k, n in min_n.items()]


def power_sections(result: PowerResult, t: Labels) -> list[Section]:
    """The sections of the power report (also used as the study report's sample-size justification)."""
    keys = list(dict.fromkeys(_key(r) for r in result.rows))
    ci_word = {"wald": t["power_ci_wald"], "montecarlo": t["power_ci_montecarlo"],
               "percentile": t["power_ci_percentile"], "bc": t["power_ci_bc"]}[result.ci]
    lead = t["power_lead"].format(reps=f.fmt_int(result.reps), ns=", ".join(f.fmt_int(n) for n in result.ns),
                                  alpha=f.fmt_alpha(result.alpha), ci=ci_word, seed=result.seed)
    sentences = [lead, *_min_n_sentences(result, t)]
    design_rows = [
        row([t["power_population"], result.population.strip().replace("\n", "; ")]),
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
        rows.append(row([_key(r), f.fmt_int(r.n), f.fmt_num(r.true, 3), f.fmt_bounded(r.power, 3),
                         f.fmt_num(r.bias, 3), f.fmt_bounded(r.coverage, 3), f.fmt_percent(r.converged)],
                        starts_group=_key(r) != previous))
        previous = _key(r)
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
    curves = [(k, [r.power for r in result.rows if _key(r) == k]) for k in keys]  # figure text is drawn as written
    svg = power_curve_svg(result.ns, curves, x_label=t["power_axis_n"], y_label=t["col_power"])
    png = power_curve_png(result.ns, curves, x_label=t["power_axis_n"], y_label=t["col_power"])
    fig = figure("figure-power-curve", t["fig_power_curve"], svg, "power_curve.svg", [t["note_fig_power_curve"]],
                 png=png)
    refs = [MUTHEN, MACCALLUM] + ([VALE] if result.skew or result.kurtosis else [])
    return [section("power", t["sec_power"], [design, power_table, rmsea_table], paragraphs=sentences,
                    figures=[fig], references=refs)]


def _header(result: PowerResult, t: Labels, title: str, day: date) -> Header:
    return {"title": title, "subtitle": t["power_report_kind"],
            "rows": [{"label": t["power_reps"], "value": f.fmt_int(result.reps)},
                     {"label": t["power_seed"], "value": str(result.seed)},
                     {"label": t["version"], "value": __version__},
                     {"label": t["date"], "value": f.fmt_date(day)}],
            "notes": []}


def build_power_context(result: PowerResult, *, title: str, language: str, today: date | None = None) -> Context:
    """The report context of a power study (same shape as a study's).

    Examples
    --------
    >>> from semxhs.power.design import PowerDesign
    >>> from semxhs.power.engine import run_power
    >>> res = run_power(PowerDesign("y ~ 0.4*x", "y ~ x", ns=(40, 80), reps=5, seed=1))
    >>> ctx = build_power_context(res, title="Power", language="zh", today=date(2024, 5, 1))
    >>> [s["id"] for s in ctx["sections"]], ctx["sections"][0]["figures"][0]["caption"]
    (['power'], '图 1')
    """
    t = labels_for(language)
    sections = power_sections(result, t)
    number_captions(sections, t)
    day = today or date.today()
    return {
        "language": language,
        "html_lang": HTML_LANG[language],
        "t": dict(t),
        "header": _header(result, t, title, day),
        "sections": sections,
        "references": collect_references((), sections),
        "footer": t["generated_by"].format(version=__version__, date=f.fmt_date(day)),
    }


def render_power_html(result: PowerResult, *, title: str, language: str, today: date | None = None) -> str:
    """The power report as one self-contained HTML document."""
    from semxhs.report.render import render_context

    return render_context(build_power_context(result, title=title, language=language, today=today))


def print_power_summary(result: PowerResult, language: str = "en") -> None:
    """The power table on the terminal (stdout), worded in ``language``."""
    from rich.console import Console
    from rich.table import Table as RichTable

    t = labels_for(language)
    out = RichTable(title=t["tbl_power"])
    for name in (t["col_effect"], "N", t["col_true"], t["col_power"], t["col_bias"], t["col_coverage"],
                 t["col_converged"]):
        out.add_column(name, justify="left" if name == t["col_effect"] else "right")
    for r in sorted(result.rows, key=lambda r: (_key(r), r.n)):
        out.add_row(_key(r), f.fmt_int(r.n), f.fmt_num(r.true, 3), f.fmt_bounded(r.power, 3), f.fmt_num(r.bias, 3),
                    f.fmt_bounded(r.coverage, 3), f.fmt_percent(r.converged))
    console = Console()
    console.print(out)
    for sentence in _min_n_sentences(result, t):
        console.print(sentence)

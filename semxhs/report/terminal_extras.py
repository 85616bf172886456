"""Terminal tables of the fit extras: ``semxhs compare`` and ``semxhs fit --modindices/--effect-sizes``.

The report (HTML/Word) holds the full tables with notes and cut-offs; the terminal shows the numbers.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from semxhs.report import format as f
from semxhs.sem.compare import ModelComparison
from semxhs.sem.results import SemResult


def _num(value: float | None, digits: int = 3) -> str:
    return f.fmt_num(value, digits)


def print_comparison(comparison: ModelComparison, console: Console | None = None) -> None:
    """Print the comparison table: each model against the less restricted one before it."""
    console = console or Console(highlight=False, soft_wrap=True, width=160)
    test = ("Satorra-Bentler (2001) scaled chi-square difference" if comparison.method != "standard"
            else "chi-square difference (likelihood-ratio) test")
    console.print(f"[bold]Model comparison[/bold]: N = {comparison.n_obs}, estimator {comparison.estimator}, {test}")
    table = Table(show_edge=False, box=None, pad_edge=False)
    for col in ("model", "df", "chisq", "AIC", "BIC", "CFI", "RMSEA", "d_chisq", "d_df", "p", "d_CFI"):
        table.add_column(col, justify="left" if col == "model" else "right", no_wrap=True)
    for r in comparison.rows:
        table.add_row(r.model, f.fmt_int(r.df), _num(r.chisq), _num(r.aic, 1), _num(r.bic, 1), _num(r.cfi),
                      _num(r.rmsea), _num(r.chisq_diff), f.fmt_int(r.df_diff), f.fmt_p(r.pvalue), _num(r.delta_cfi))
    console.print(table)


_EXTRAS_WORDS: dict[str, dict[str, str]] = {
    "en": {"mi_head": "[bold]modification indices[/bold] (largest {shown} of {total}; free a parameter only if "
                      "theory supports it, one at a time)",
           "score_head": "[bold]score tests of the equality constraints[/bold]: total",
           "f2_head": "[bold]effect sizes[/bold] (Cohen's f2 by refitting without each path; VIF)",
           "parameter": "parameter", "path": "path", "not_converged": " (refit not converged)"},
    "zh": {"mi_head": "[bold]修正指数[/bold]（{total} 个中最大的 {shown} 个；仅在理论支持时逐一释放参数）",
           "score_head": "[bold]等值约束的计分检验[/bold]：总体",
           "f2_head": "[bold]效应量[/bold]（逐条删除路径后重新拟合所得 Cohen's f2；VIF）",
           "parameter": "参数", "path": "路径", "not_converged": "（重新拟合未收敛）"},
}


def print_fit_extras(sem: SemResult, console: Console | None = None, shown: int = 10, language: str = "en") -> None:
    """Print the largest modification indices, the score tests and the effect sizes, when computed,
    with the headings in ``language`` (``"en"`` or ``"zh"``; lavaan's column names stay as they are)."""
    console = console or Console(highlight=False, soft_wrap=True, width=160)
    w = _EXTRAS_WORDS.get(language, _EXTRAS_WORDS["en"])
    f_ = sem.fit
    if f_.gfi is not None:
        console.print(f"GFI = {f.fmt_bounded(f_.gfi)}, AGFI = {f.fmt_bounded(f_.agfi)}, "
                      f"NFI = {f.fmt_bounded(f_.nfi)}, IFI = {f.fmt_bounded(f_.ifi)}, RMR = {f.fmt_num(f_.rmr, 3)}, "
                      f"Hoelter CN(.05) = {f.fmt_num(f_.cn_05, 0)}, ECVI = {f.fmt_num(f_.ecvi, 3)}")
    if sem.modindices is not None:
        console.print(w["mi_head"].format(shown=min(shown, len(sem.modindices)), total=len(sem.modindices)))
        table = Table(show_edge=False, box=None, pad_edge=False)
        for col in (w["parameter"], "mi", "epc", "sepc_all"):
            table.add_column(col, justify="left" if col == w["parameter"] else "right", no_wrap=True)
        for m in sem.modindices[:shown]:
            table.add_row(f"{m.lhs} {m.op} {m.rhs}", _num(m.mi, 2), _num(m.epc), _num(m.sepc_all))
        console.print(table)
    if sem.score_tests is not None:
        st = sem.score_tests
        console.print(f"{w['score_head']} chisq({st.df}) = "
                      f"{_num(st.X2, 2)}, {f.fmt_p(st.pvalue, with_symbol=True)}")
        for s in st.univariate:
            console.print(f"  {s.lhs} == {s.rhs} ({s.lhs_parameter} = {s.rhs_parameter}): chisq(1) = "
                          f"{_num(s.X2, 2)}, {f.fmt_p(s.pvalue, with_symbol=True)}")
    if sem.effect_sizes is not None:
        console.print(w["f2_head"])
        table = Table(show_edge=False, box=None, pad_edge=False)
        for col in (w["path"], "r2_full", "r2_without", "f2", "vif"):
            table.add_column(col, justify="left" if col == w["path"] else "right", no_wrap=True)
        for e in sem.effect_sizes:
            mark = "" if e.converged else w["not_converged"]
            table.add_row(f"{e.outcome} ~ {e.predictor}", f.fmt_bounded(e.r2_full), f.fmt_bounded(e.r2_without),
                          _num(e.f2) + mark, _num(e.vif, 2))
        console.print(table)

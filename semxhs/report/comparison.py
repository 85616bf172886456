"""The terminal table of ``semxhs compare`` (nested-model comparison)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from semxhs.report import format as f
from semxhs.sem.compare import ModelComparison


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

"""A short plain-text summary of a run for the terminal (the report holds the full tables)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from semxhs.results import StudyResult


def _num(value: float | None, digits: int = 3) -> str:
    if value is None or value != value:
        return "—"
    return f"{value:.{digits}f}"


def _p(value: float | None) -> str:
    if value is None or value != value:
        return "—"
    return "<.001" if value < 0.001 else f"{value:.3f}"


def print_summary(result: StudyResult, console: Console | None = None) -> None:
    """Print fit, structural paths, defined effects, hypotheses and any warnings."""
    console = console or Console(highlight=False, soft_wrap=True)
    sem = result.sem
    f = sem.fit
    console.print(f"[bold]{result.title}[/bold]")
    console.print(f"N = {sem.n_obs} ({sem.n_dropped} incomplete rows dropped), estimator {sem.estimator}, "
                  f"{'converged' if sem.converged else 'NOT CONVERGED'} in {sem.iterations} iterations")
    console.print(f"chisq({f.df}) = {f.chisq:.3f}, p = {_p(f.pvalue)}; CFI = {f.cfi:.3f}, TLI = {f.tli:.3f}, "
                  f"RMSEA = {f.rmsea:.3f} [{f.rmsea_ci_lower:.3f}, {f.rmsea_ci_upper:.3f}], SRMR = {f.srmr:.3f}")
    table = Table(show_edge=False, box=None, pad_edge=False)
    for col in ("path", "est", "se", "z", "p", "std_all"):
        table.add_column(col, justify="left" if col == "path" else "right")
    for p in sem.parameters:
        if p.op in ("~", ":="):
            path = f"{p.lhs} ~ {p.rhs}" if p.op == "~" else f"{p.lhs} := {p.rhs}"
            table.add_row(path, _num(p.est), _num(p.se), _num(p.z, 2), _p(p.pvalue), _num(p.std_all))
    if table.row_count:
        console.print(table)
    for h in result.hypotheses:
        verdict = "supported" if h.supported else "not supported"
        console.print(f"{h.id} {h.path}: beta = {_num(h.std_all)}, p = {_p(h.pvalue)} -> {verdict}")
    for w in sem.warnings:
        console.print(f"[bold red]warning:[/bold red] {w}")

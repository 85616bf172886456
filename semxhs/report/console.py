"""A short plain-text summary of a run for the terminal (the report holds the full tables)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from semxhs.study.results import StudyResult

if TYPE_CHECKING:
    from semxhs.study.replicate import StudyReplication
    from semxhs.process import ProcessResult


def _num(value: float | None, digits: int = 3) -> str:
    if value is None or value != value:
        return "—"
    return f"{value:.{digits}f}"


def _pcell(value: float | None) -> str:
    """A p-value for a table cell: ``0.032`` or ``<.001``."""
    if value is None or value != value:
        return "—"
    return "<.001" if value < 0.001 else f"{value:.3f}"


def _p(value: float | None) -> str:
    """``p = 0.032`` or ``p < .001``."""
    if value is None or value != value:
        return "p = —"
    return "p < .001" if value < 0.001 else f"p = {value:.3f}"


def print_summary(result: StudyResult, console: Console | None = None) -> None:
    """Print fit, structural paths, defined effects, hypotheses and any warnings."""
    console = console or Console(highlight=False, soft_wrap=True)
    sem = result.sem
    f = sem.fit
    console.print(f"[bold]{result.title}[/bold]")
    rows = ("fitted from summary statistics" if getattr(result, "summary", None) is not None
            else f"{sem.n_dropped} incomplete rows dropped")
    console.print(f"N = {sem.n_obs} ({rows}), estimator {sem.estimator}, "
                  f"{'converged' if sem.converged else 'NOT CONVERGED'} in {sem.iterations} iterations")
    console.print(f"chisq({f.df}) = {f.chisq:.3f}, {_p(f.pvalue)}; CFI = {f.cfi:.3f}, TLI = {f.tli:.3f}, "
                  f"RMSEA = {f.rmsea:.3f} [{f.rmsea_ci_lower:.3f}, {f.rmsea_ci_upper:.3f}], SRMR = {f.srmr:.3f}")
    table = Table(show_edge=False, box=None, pad_edge=False)
    for col in ("path", "est", "se", "z", "p", "std_all"):
        table.add_column(col, justify="left" if col == "path" else "right")
    for p in sem.parameters:
        if p.op in ("~", ":="):
            path = f"{p.lhs} ~ {p.rhs}" if p.op == "~" else f"{p.lhs} := {p.rhs}"
            table.add_row(path, _num(p.est), _num(p.se), _num(p.z, 2), _pcell(p.pvalue), _num(p.std_all))
    if table.row_count:
        console.print(table)
    for h in result.hypotheses:
        verdict = "supported" if h.supported else "not supported"
        console.print(f"{h.id} {h.path}: beta = {_num(h.std_all)}, {_p(h.pvalue)} -> {verdict}")
    for w in sem.warnings:
        console.print(f"[bold red]warning:[/bold red] {w}")
    check = getattr(result, "crosscheck", None)
    if check is not None:
        diff = "nothing compared" if check.max_abs_diff is None else (
            f"{check.parameters_compared} estimates compared, max |diff| = {check.max_abs_diff:.2g}")
        skipped = "; ".join(f"skipped {len(s.parameters)} ({s.reason})" for s in check.skipped)
        console.print(f"cross-check {check.engine} {check.version}: {diff}" + (f"; {skipped}" if skipped else ""))


def print_process_summary(result: "ProcessResult", console: Console | None = None) -> None:
    """Print the equations' key numbers, conditional and indirect effects of a PROCESS run."""
    console = console or Console(highlight=False, soft_wrap=True)
    console.print(f"[bold]PROCESS model {result.model}[/bold]: N = {result.n} ({result.n_dropped} rows dropped)")
    for eq in result.equations:
        console.print(f"[bold]{eq.outcome}[/bold]: R2 = {_num(eq.r2)}, F({eq.df1}, {eq.df2}) = {_num(eq.f, 2)}, {_p(eq.pvalue)}")
        table = Table(show_edge=False, box=None, pad_edge=False)
        for col in ("term", "est", "se", "t", "p", "ci"):
            table.add_column(col, justify="left" if col == "term" else "right")
        for c in eq.coefficients:
            table.add_row(c.term, _num(c.est), _num(c.se), _num(c.t, 2), _pcell(c.pvalue),
                          f"[{_num(c.ci_lower)}, {_num(c.ci_upper)}]")
        console.print(table)
    frames = [("conditional effects", "conditional_effects"), ("indirect effects", "indirect"),
              ("index of moderated mediation", "index_of_moderated_mediation")]
    for title, name in frames:
        frame = result.to_frame(name)
        if len(frame):
            console.print(f"[bold]{title}[/bold]")
            console.print(frame.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    for note in result.notes:
        console.print(f"note: {note}")


def print_replication(table: "StudyReplication", language: str = "en", console: Console | None = None) -> None:
    """Print one study's replication table: hypothesis, cited finding, result here, agrees."""
    from semxhs.report import format as fmt
    from semxhs.report.labels import labels_for

    t = labels_for(language)
    console = console or Console(highlight=False, soft_wrap=True)
    console.print(f"[bold]{table.id}[/bold]" + (f": {table.citation}" if table.citation else ""))
    grid = Table(show_edge=False, box=None, pad_edge=False)
    for col in (t["col_hypothesis"], t["col_finding"], t["col_result_here"], t["col_agrees"]):
        grid.add_column(col, overflow="fold")
    for h in table.hypotheses:
        beta = "" if h.std_all is None else f"β = {fmt.fmt_bounded(h.std_all, 3)}, "
        p = "" if h.pvalue is None else f", p {fmt.fmt_p(h.pvalue)}" if fmt.fmt_p(h.pvalue)[0] in "<>" else \
            f", p = {fmt.fmt_p(h.pvalue)}"
        result = f"{beta}B = {fmt.fmt_num(h.est, 3)} {fmt.fmt_ci(h.ci_lower, h.ci_upper, 3)}{p}"
        verdict = t["agrees_yes"] if h.agrees else f"[bold red]{t['agrees_no']}[/bold red]"
        grid.add_row(h.id, h.finding, result, verdict)
    console.print(grid)

"""A short plain-text summary of a run for the terminal (the report holds the full tables).

Numbers are rounded here for people (the results keep full precision); notes and warnings
are worded from their message codes (:mod:`semxhs.report.messages`) in the run's language.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from semxhs.messages import Message
from semxhs.report.labels import labels_for
from semxhs.report.messages import message_words, messages_in_words
from semxhs.study.results import StudyResult

if TYPE_CHECKING:
    from semxhs.process import ProcessResult
    from semxhs.study.replicate import StudyReplication
    from semxhs.survey.screening import ScreeningRun
    from semxhs.survey.validate import ScaleCheck


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


def sign_warnings(result: StudyResult) -> tuple[Message, ...]:
    """Warnings a student must see on the terminal: negative standardized loadings, negative alpha.

    Both usually mean a reverse-worded item that was not re-keyed, and the fit can look
    fine all the same. Codes ``negative_loading`` (``factor``, ``item``, ``std_all``) and
    ``negative_alpha`` (``factor``, ``alpha``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=300)
    >>> d = pd.DataFrame({f"x{i}": f + rng.normal(scale=0.6, size=300) for i in (1, 2, 3)})
    >>> d["x3"] = -d["x3"]
    >>> study = StudyResult("t", "en", fit("F =~ x1 + x2 + x3", d), (), "d.csv", "m.lav", "", "0")
    >>> [(m.code, m.params["item"]) for m in sign_warnings(study)]
    [('negative_loading', 'x3')]
    """
    out: list[Message] = []
    for p in result.sem.parameters:
        if p.op == "=~" and p.std_all is not None and math.isfinite(p.std_all) and p.std_all < 0:
            out.append(Message("negative_loading", {"factor": p.lhs, "item": p.rhs, "std_all": p.std_all},
                               f"{p.lhs} / {p.rhs}: negative standardized loading ({p.std_all:.2f})"))
    if result.measurement is not None:
        for r in result.measurement.reliability:
            if math.isfinite(r.alpha) and r.alpha < 0:
                out.append(Message("negative_alpha", {"factor": r.factor, "alpha": r.alpha},
                                   f"{r.factor}: Cronbach's alpha is negative ({r.alpha:.2f})"))
    return tuple(out)


def scale_check_message(check: "ScaleCheck | None") -> Message | None:
    """The cells declared missing codes set missing, as a ``missing_codes_set`` message (``None`` if none)."""
    if check is None or not check.n_set_missing:
        return None
    codes = [str(int(c)) if float(c).is_integer() else f"{c:g}" for c in check.declared]
    text = f"{check.n_set_missing} answers coded as missing ({', '.join(codes)}) were set missing"
    return Message("missing_codes_set", {"n": check.n_set_missing, "codes": codes,
                                         "counts": {k: dict(v) for k, v in check.counts.items()}}, text)


def print_scale_check(check: "ScaleCheck | None", console: Console | None = None, language: str = "en") -> None:
    """Print how many answers the declared missing codes set missing, per column (nothing if none)."""
    message = scale_check_message(check)
    if message is not None:
        console = console or Console(highlight=False, soft_wrap=True)
        console.print(f"note: {escape(message_words(message, labels_for(language)))}")


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
    t = labels_for(result.language)
    for w in sem.warnings:
        console.print(f"[bold red]warning:[/bold red] {escape(w)}")
    for m in sign_warnings(result):
        console.print(f"[bold red]warning:[/bold red] {escape(message_words(m, t))}")
    for note in messages_in_words(list(result.notes), result.note_codes, t):
        console.print(f"note: {escape(note)}")
    print_scale_check(result.scale_check, console, result.language)
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


def _people(value: object, digits: int = 1) -> str:
    """A number of a screening table for people: whole numbers as such, others to ``digits`` decimals."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else f"{value:.{digits}f}"
    return str(value)


def print_screening(run: "ScreeningRun", console: Console | None = None, language: str = "en") -> None:
    """Print the participant flow, the screening notes and the estimator recommendation of ``semxhs screen``."""
    console = console or Console(highlight=False, soft_wrap=True)
    t = labels_for(language)
    table = Table(show_edge=False, box=None, pad_edge=False)
    for col in ("stage", "criterion", "excluded", "remaining"):
        table.add_column(col, justify="left" if col in ("stage", "criterion") else "right")
    for step in run.screening.flow:
        table.add_row(escape(step.stage), escape(step.criterion), _people(step.excluded), _people(step.remaining))
    console.print(table)
    notes = messages_in_words(list(run.screening.notes), run.screening.note_codes, t)
    notes += messages_in_words(list(run.notes), run.note_codes, t)
    for note in notes:
        console.print(f"note: {escape(note)}")
    print_scale_check(run.scale_check, console, language)
    if run.normality is not None:
        rec = run.normality.recommendation
        for reason in messages_in_words(list(rec.reasons), rec.reason_codes, t):
            console.print(f"normality: {escape(reason)}")


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

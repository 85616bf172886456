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
from semxhs.report.common_method import common_method_summary
from semxhs.report.format import fmt_p
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
    """A p-value for a table cell (:func:`semxhs.report.format.fmt_p`)."""
    return fmt_p(value)


def _p(value: float | None) -> str:
    """``p = .032`` or ``p < .001`` (:func:`semxhs.report.format.fmt_p`)."""
    return fmt_p(value, with_symbol=True)


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


def scale_check_message(check: ScaleCheck | None) -> Message | None:
    """The cells declared missing codes set missing, as a ``missing_codes_set`` message (``None`` if none)."""
    if check is None or not check.n_set_missing:
        return None
    codes = [str(int(c)) if float(c).is_integer() else f"{c:g}" for c in check.declared]
    text = f"{check.n_set_missing} answers coded as missing ({', '.join(codes)}) were set missing"
    return Message("missing_codes_set", {"n": check.n_set_missing, "codes": codes,
                                         "counts": {k: dict(v) for k, v in check.counts.items()}}, text)


def print_scale_check(check: ScaleCheck | None, console: Console | None = None, language: str = "en") -> None:
    """Print how many answers the declared missing codes set missing, per column (nothing if none)."""
    message = scale_check_message(check)
    if message is not None:
        console = console or Console(highlight=False, soft_wrap=True)
        console.print(f"note: {escape(message_words(message, labels_for(language)))}")


_WORDS: dict[str, dict[str, str]] = {
    "en": {"summary_stats": "fitted from summary statistics", "dropped": "{n} incomplete rows dropped",
           "estimator": "estimator {est}", "converged": "converged in {n} iterations",
           "not_converged": "NOT CONVERGED in {n} iterations", "supported": "supported",
           "not_supported": "not supported", "warning": "warning", "path": "path", "term": "term",
           "boot_head": "bootstrap: {ok} of {draws} draws, {ci} {level}% intervals",
           "defined": "defined parameters", "effects": "effects", "effect": "effect",
           "conditional effects": "conditional effects", "indirect effects": "indirect effects",
           "index of moderated mediation": "index of moderated mediation", "note": "note",
           "rows_dropped": "rows dropped"},
    "zh": {"summary_stats": "由汇总统计量拟合", "dropped": "删除 {n} 个不完整样本",
           "estimator": "估计方法 {est}", "converged": "迭代 {n} 次后收敛",
           "not_converged": "迭代 {n} 次后仍未收敛", "supported": "支持", "not_supported": "不支持",
           "warning": "警告", "path": "路径", "term": "项",
           "boot_head": "Bootstrap：{draws} 次抽样中成功 {ok} 次，{ci} {level}% 置信区间",
           "defined": "定义参数", "effects": "效应", "effect": "效应",
           "conditional effects": "条件效应", "indirect effects": "间接效应",
           "index of moderated mediation": "有调节的中介指数", "note": "注", "rows_dropped": "行被删除"},
}


def _words(language: str) -> dict[str, str]:
    return _WORDS.get(language, _WORDS["en"])


def _interval(lo: float | None, hi: float | None) -> str:
    return f"[{_num(lo)}, {_num(hi)}]"


def _effect_label(effect: object, language: str) -> str:
    """An effect's row label in ``language``: a specific path as ``X → M → Y``, the others by kind
    (``Total indirect: X → Y``), as the report names them."""
    from semxhs.report.labels import LABELS

    t = LABELS.get(language, LABELS["en"])
    kind, path = effect.kind, effect.path  # type: ignore[attr-defined]
    source, target = effect.source, effect.target  # type: ignore[attr-defined]
    if kind in ("total indirect", "direct", "total"):
        return t["effect_" + kind.replace(" ", "_")].format(source=source, target=target)
    return str(path).replace("->", "→")


def print_bootstrap(boot: object, language: str = "en", console: Console | None = None) -> None:
    """Print the bootstrap intervals of the defined parameters and of every effect.

    Examples
    --------
    >>> from semxhs.study.pipeline import AnalysisOptions, fit_files
    >>> from semxhs.study.config import BootstrapSpec
    >>> r = fit_files("tests/fixtures/shared/mediation_observed/model.lav",
    ...               "tests/fixtures/shared/mediation_observed/data.csv",
    ...               AnalysisOptions(measurement=False, bootstrap=BootstrapSpec(draws=50)))
    >>> print_bootstrap(r.bootstrap)  # doctest: +ELLIPSIS
    bootstrap: 50 of 50 draws, percentile 95% intervals
    ...
    """
    console = console or Console(highlight=False, soft_wrap=True)
    w = _words(language)
    level = f"{100 * boot.level:g}"  # type: ignore[attr-defined]
    console.print(w["boot_head"].format(ok=boot.successful, draws=boot.draws,  # type: ignore[attr-defined]
                                        ci=boot.ci, level=level))  # type: ignore[attr-defined]
    ci_head = f"{level}% CI"
    if boot.defined:  # type: ignore[attr-defined]
        table = Table(show_edge=False, box=None, pad_edge=False, title=w["defined"], title_justify="left")
        for col in (w["path"], "est", "std", "boot_se", ci_head):
            table.add_column(col, justify="left" if col == w["path"] else "right")
        for d in boot.defined:  # type: ignore[attr-defined]
            table.add_row(d.label, _num(d.est), _num(d.std_est), _num(d.boot_se), _interval(d.ci_lower, d.ci_upper))
        console.print(table)
    if boot.indirect:  # type: ignore[attr-defined]
        table = Table(show_edge=False, box=None, pad_edge=False, title=w["effects"], title_justify="left")
        for col in (w["effect"], "est", "std", "boot_se", ci_head):
            table.add_column(col, justify="left" if col == w["effect"] else "right")
        for e in boot.indirect:  # type: ignore[attr-defined]
            table.add_row(_effect_label(e, language), _num(e.est), _num(e.std_est), _num(e.boot_se),
                          _interval(e.ci_lower, e.ci_upper))
        console.print(table)


def print_summary(result: StudyResult, console: Console | None = None) -> None:
    """Print fit, structural paths, defined effects, hypotheses, bootstrap intervals and any warnings,
    in the study's language."""
    console = console or Console(highlight=False, soft_wrap=True)
    w = _words(result.language)
    sem = result.sem
    f = sem.fit
    console.print(f"[bold]{result.title}[/bold]")
    rows = (w["summary_stats"] if getattr(result, "summary", None) is not None
            else w["dropped"].format(n=sem.n_dropped))
    conv = (w["converged"] if sem.converged else w["not_converged"]).format(n=sem.iterations)
    console.print(f"N = {sem.n_obs} ({rows}), {w['estimator'].format(est=sem.estimator)}, {conv}")
    console.print(f"chisq({f.df}) = {f.chisq:.3f}, {_p(f.pvalue)}; CFI = {f.cfi:.3f}, TLI = {f.tli:.3f}, "
                  f"RMSEA = {f.rmsea:.3f} [{f.rmsea_ci_lower:.3f}, {f.rmsea_ci_upper:.3f}], SRMR = {f.srmr:.3f}")
    table = Table(show_edge=False, box=None, pad_edge=False)
    for col in (w["path"], "est", "se", "z", "p", "std_all"):
        table.add_column(col, justify="left" if col == w["path"] else "right")
    grouped = bool(sem.extra.get("group_labels"))
    for p in sem.parameters:
        if p.op in ("~", ":="):
            path = f"{p.lhs} ~ {p.rhs}" if p.op == "~" else f"{p.lhs} := {p.rhs}"
            if grouped and p.op == "~":  # multi-group: name the group
                path += escape(f" [{p.group_label}]")
            table.add_row(path, _num(p.est), _num(p.se), _num(p.z, 2), _pcell(p.pvalue), _num(p.std_all))
    if table.row_count:
        console.print(table)
    for eq in sem.extra.get("path_equality", []) if grouped else []:
        console.print(f"{eq['lhs']} ~ {eq['rhs']} equal across groups: Wald chisq({eq['df']}) = {_num(eq['X2'])}, "
                      f"{_p(eq['pvalue'])}")
    for h in result.hypotheses:
        verdict = w["supported"] if h.supported else w["not_supported"]
        console.print(f"{h.id} {h.path}: beta = {_num(h.std_all)}, {_p(h.pvalue)} -> {verdict}")
    boot = getattr(result, "bootstrap", None)
    if boot is not None:
        print_bootstrap(boot, result.language, console)
    cmb_line = common_method_summary(result, labels_for(result.language))
    if cmb_line:
        console.print(escape(cmb_line))
    for warning in sem.warnings:
        console.print(f"[bold red]{w['warning']}:[/bold red] {warning}")
    t = labels_for(result.language)
    for sign in sign_warnings(result):
        console.print(f"[bold red]{w['warning']}:[/bold red] {escape(message_words(sign, t))}")
    for note in messages_in_words(list(result.notes), result.note_codes, t):
        console.print(f"{w['note']}: {escape(note)}")
    print_scale_check(result.scale_check, console, result.language)
    check = getattr(result, "crosscheck", None)
    if check is not None:
        diff = "nothing compared" if check.max_abs_diff is None else (
            f"{check.parameters_compared} estimates compared, max |diff| = {check.max_abs_diff:.2g}")
        skipped = "; ".join(f"skipped {len(s.parameters)} ({s.reason})" for s in check.skipped)
        console.print(f"cross-check {check.engine} {check.version}: {diff}" + (f"; {skipped}" if skipped else ""))


def print_process_summary(result: ProcessResult, console: Console | None = None, language: str = "en") -> None:
    """Print the equations' key numbers, conditional and indirect effects of a PROCESS run, as aligned tables.

    Examples
    --------
    >>> import pandas as pd
    >>> from semxhs.process import run_process
    >>> d = pd.read_csv("tests/fixtures/process/process_model1/data.csv")
    >>> print_process_summary(run_process(d, 1, x="PI", y="VC", w="CE", boot=0))  # doctest: +ELLIPSIS
    PROCESS model 1: N = ...
    """
    console = console or Console(highlight=False, soft_wrap=True)
    w = _words(language)
    console.print(f"[bold]PROCESS model {result.model}[/bold]: N = {result.n} "
                  f"({result.n_dropped} {w['rows_dropped']})")
    for eq in result.equations:
        console.print(f"[bold]{eq.outcome}[/bold]: R2 = {_num(eq.r2)}, F({eq.df1}, {eq.df2}) = {_num(eq.f, 2)}, {_p(eq.pvalue)}")
        table = Table(show_edge=False, box=None, pad_edge=False)
        for col in (w["term"], "est", "se", "t", "p", "ci"):
            table.add_column(col, justify="left" if col == w["term"] else "right")
        for c in eq.coefficients:
            table.add_row(c.term, _num(c.est), _num(c.se), _num(c.t, 2), _pcell(c.pvalue),
                          f"[{_num(c.ci_lower)}, {_num(c.ci_upper)}]")
        console.print(table)
    frames = ("conditional effects", "conditional_effects"), ("indirect effects", "indirect"), \
        ("index of moderated mediation", "index_of_moderated_mediation")
    for title, name in frames:
        frame = result.to_frame(name)
        if len(frame):
            console.print(f"[bold]{w[title]}[/bold]")
            console.print(_frame_table(frame))
    for note in result.notes:
        console.print(f"{w['note']}: {note}")


_P_COLUMNS = {"p", "pvalue", "p_value"}


def _frame_table(frame: object) -> Table:
    """A tidy result frame as an aligned table: numbers to three decimals (t, z, F to two), p as ``<.001``."""
    import numbers

    table = Table(show_edge=False, box=None, pad_edge=False)
    columns = list(frame.columns)  # type: ignore[attr-defined]
    numeric = {c: all(isinstance(v, numbers.Number) and not isinstance(v, bool) or v is None
                      for v in frame[c]) for c in columns}  # type: ignore[index]
    for c in columns:
        table.add_column(str(c), justify="right" if numeric[c] else "left")
    for rec in frame.itertuples(index=False):  # type: ignore[attr-defined]
        cells = []
        for c, v in zip(columns, rec):
            if not numeric[c]:
                cells.append(str(v))
            elif c in _P_COLUMNS:
                cells.append(_pcell(v))
            elif isinstance(v, numbers.Integral):
                cells.append(str(v))
            else:
                cells.append(_num(v, 2 if c in ("t", "z", "f", "F") else 3))
        table.add_row(*cells)
    return table


def _people(value: object, digits: int = 1) -> str:
    """A number of a screening table for people: whole numbers as such, others to ``digits`` decimals."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else f"{value:.{digits}f}"
    return str(value)


def print_screening(run: ScreeningRun, console: Console | None = None, language: str = "en") -> None:
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


def print_replication(table: StudyReplication, language: str = "en", console: Console | None = None) -> None:
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

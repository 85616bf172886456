"""The power report: design, power per effect and N, the smallest N reaching .80, RMSEA power, the power curve.

Collect first, render second: :func:`build_power_context` turns a
:class:`~semxhs.power.results.PowerResult` into the same context shape as the study
report (:mod:`semxhs.report.blocks`), printed by the same templates and Word writer; the
sections themselves are built by :mod:`semxhs.report.power_sections`.
"""

from __future__ import annotations

from datetime import date

from semxhs import __version__
from semxhs.power.results import PowerResult
from semxhs.report import format as f
from semxhs.report.blocks import Context, Header, Labels, collect_references, number_captions
from semxhs.report.labels import HTML_LANG, labels_for
from semxhs.report.power_sections import POWER_REFERENCES, effect_name, min_n_sentences, power_sections

__all__ = ["POWER_REFERENCES", "build_power_context", "power_sections", "print_power_summary", "render_power_html"]


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
    for r in sorted(result.rows, key=lambda r: (effect_name(r), r.n)):
        out.add_row(effect_name(r), f.fmt_int(r.n), f.fmt_num(r.true, 3), f.fmt_bounded(r.power, 3), f.fmt_num(r.bias, 3),
                    f.fmt_bounded(r.coverage, 3), f.fmt_percent(r.converged))
    console = Console()
    console.print(out)
    for sentence in min_n_sentences(result, t):
        console.print(sentence)

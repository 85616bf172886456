"""The bootstrap section of the study report: indirect effects with their intervals.

One table of every direct, specific indirect, total indirect and total effect of the
structural model (B, β, boot SE, CI, whether the CI excludes zero), one of the defined
(``:=``) effects, the Monte Carlo and Sobel lines when requested, and the sentence a
methods paragraph needs: interval type, draws, seed and failed resamples. Section id:
``bootstrap``.
"""

from __future__ import annotations

from collections.abc import Mapping

from semxhs.report import format as f
from semxhs.report.blocks import Labels, Row, Section, column, row, section, table
from semxhs.report.labels import PREACHER_HAYES, SELIG_PREACHER
from semxhs.report.names import name_map
from semxhs.resample.engine import RULE_IMPROPER
from semxhs.study.results import StudyResult

__all__ = ["bootstrap_section"]


def _level(level: float) -> str:
    return f"{level * 100:g}"


def _excludes_zero(lower: float | None, upper: float | None, t: Labels) -> str:
    if lower is None or upper is None or lower != lower or upper != upper:
        return f.DASH
    return t["yes"] if (lower > 0 or upper < 0) else t["no"]


def _effect_name(path: str, source: str, target: str, t: Labels, names: Mapping[str, str] | None = None) -> str:
    """The effect's row label; variables the instrument names are shown as ``name (code)``."""
    named = names or {}
    source, target = named.get(source, source), named.get(target, target)
    if path == "total indirect":
        return t["effect_total_indirect"].format(source=source, target=target)
    if path == "direct":
        return t["effect_direct"].format(source=source, target=target)
    if path == "total":
        return t["effect_total"].format(source=source, target=target)
    return " → ".join(named.get(v.strip(), v.strip()) for v in path.split("->"))


def bootstrap_section(result: StudyResult, t: Labels) -> Section | None:
    """Section builder: ``None`` when the study ran no bootstrap.

    Examples
    --------
    >>> from semxhs.study.pipeline import AnalysisOptions, analyse
    >>> from semxhs.report.labels import labels_for
    >>> from semxhs.study.config import BootstrapSpec
    >>> import pandas as pd
    >>> from pathlib import Path; import semxhs
    >>> FIX = Path(semxhs.__file__).resolve().parents[1] / "tests" / "fixtures"
    >>> d = pd.read_csv(FIX / "shared/mediation_observed/data.csv")
    >>> r = analyse(open(FIX / "shared/mediation_observed/model.lav").read(), d,
    ...             AnalysisOptions(bootstrap=BootstrapSpec(draws=500), seed=3), title="t",
    ...             language="en", data_file=FIX / "shared/mediation_observed/data.csv", model_file="m")
    >>> s = bootstrap_section(r, labels_for("en"))
    >>> s["id"], [tab["id"] for tab in s["tables"]]
    ('bootstrap', ['table-indirect', 'table-boot-defined'])
    """
    boot = getattr(result, "bootstrap", None)
    if boot is None:
        return None
    level = _level(getattr(boot, "level", 0.95))
    ci_words = t["ci_bc"] if boot.ci == "bc" else t["ci_percentile"]
    rule = t["boot_rule_improper"] if boot.failed_rule == RULE_IMPROPER.text else t["boot_rule_nonconverged"]
    paragraphs = [t["boot_sentence"].format(draws=f.fmt_int(boot.draws), n=f.fmt_int(result.sem.n_obs),
                                            seed=boot.seed if boot.seed is not None else f.DASH, level=level,
                                            ci=ci_words, failed=f.fmt_int(boot.failed), rule=rule)]
    improper = boot.improper if boot.failed_rule != RULE_IMPROPER.text else 0
    if improper:
        paragraphs.append(t["boot_improper_count"].format(n=f.fmt_int(improper)))
    tables = []
    ci_col = column(t["col_boot_ci"].format(level=level))  # "Boot 95% CI", as in the PROCESS tables
    if boot.indirect:
        rows: list[Row] = []
        previous = None
        names = name_map(result, t)
        for e in boot.indirect:
            pair = (e.source, e.target)
            rows.append(row([_effect_name(e.path, e.source, e.target, t, names), f.fmt_num(e.est, 3),
                             f.fmt_bounded(e.std_est, 3), f.fmt_num(e.boot_se, 3),
                             f.fmt_ci(e.ci_lower, e.ci_upper, 3), _excludes_zero(e.ci_lower, e.ci_upper, t)],
                            starts_group=previous is not None and pair != previous))
            previous = pair
        columns = [column(t["col_effect_path"], "left"), column(t["col_b"], italic=True), column(t["col_beta"]),
                   column(t["col_boot_se"]), ci_col, column(t["col_significant"], "center")]
        tables.append(table("table-indirect", t["tbl_sem_indirect"], columns, rows, [t["note_sem_indirect"]]))
    if boot.defined:
        rows = [row([d.label, f.fmt_num(d.est, 3), f.fmt_num(d.boot_se, 3), f.fmt_ci(d.ci_lower, d.ci_upper, 3),
                     _excludes_zero(d.ci_lower, d.ci_upper, t)]) for d in boot.defined]
        columns = [column(t["col_effect"], "left"), column(t["col_estimate"]), column(t["col_boot_se"]), ci_col,
                   column(t["col_significant"], "center")]
        tables.append(table("table-boot-defined", t["tbl_boot_defined"], columns, rows, [t["note_boot_defined"]]))
    extra: list[Row] = []
    references = [PREACHER_HAYES]
    for lines, method in ((getattr(boot, "monte_carlo", ()), "monte_carlo"), (getattr(boot, "sobel", ()), "sobel")):
        for r in lines or ():
            label = (t["method_monte_carlo"].format(draws=f.fmt_int(boot.monte_carlo_draws))
                     if method == "monte_carlo" else t["method_sobel"])
            extra.append(row([r.name, label, f.fmt_num(r.est, 3), f.fmt_num(r.se, 3),
                              f.fmt_ci(r.ci_lower, r.ci_upper, 3), f.fmt_p(r.pvalue) if r.pvalue is not None else f.DASH]))
        if lines and method == "monte_carlo":
            references.append(SELIG_PREACHER)
    if extra:
        columns = [column(t["col_effect"], "left"), column(t["col_method"], "left"), column(t["col_estimate"]),
                   column(t["col_se"], italic=True), column(t["col_ci"].format(level=level)),
                   column(t["col_p"], italic=True)]
        tables.append(table("table-boot-extra", t["tbl_boot_extra"], columns, extra, [t["note_boot_extra"]]))
    return section("bootstrap", t["sec_bootstrap"], tables, paragraphs=paragraphs, references=references)

"""Report pieces of the fit extras: the AMOS-style rows of the fit table, the effect-size table
(Cohen's f², VIF) and the modification indices (ten largest, with a caution) with the score tests.

Collect only: finished strings from :mod:`semxhs.report.format`, words from
:mod:`semxhs.report.labels`, cut-offs and their sources from :mod:`semxhs.report.thresholds`.
Section ids: ``effect-sizes``, ``modindices``.
"""

from __future__ import annotations

from semxhs.report import format as f
from semxhs.report.blocks import Labels, Row, Section, column, row, section, table
from semxhs.report.names import name_map
from semxhs.report.thresholds import (
    AMOS_CUTOFFS,
    F2_SOURCES,
    MI_CRITICAL,
    MI_SOURCES,
    SOURCES,
    VIF_CUTOFFS,
    Cutoff,
    f2_magnitude,
)
from semxhs.sem.results import FitMeasures
from semxhs.study.results import StudyResult

__all__ = ["amos_note", "amos_references", "amos_rows", "effect_size_section", "modindices_section"]

MI_SHOWN = 10
"""How many modification indices the report shows (the largest)."""


def _judge(value: float | None, digits: int, cut: Cutoff, t: Labels) -> str:
    """Evaluate a value against a cut-off, on the value as printed; a dash without a cut-off."""
    if f.is_missing(value) or cut.good is None:
        return f.DASH
    v = f.as_printed(float(value), digits)  # type: ignore[arg-type]

    def ok(level: float) -> bool:
        return v >= level if cut.higher_is_better else v < level

    if cut.acceptable is None:
        return t["eval_met"] if ok(cut.good) else t["eval_not_met"]
    if ok(cut.good):
        return t["eval_good"]
    return t["eval_acceptable"] if ok(cut.acceptable) else t["eval_not_met"]


def _cut_text(cut: Cutoff, t: Labels, *, bounded: bool = True, digits: int = 2) -> str:
    fmt = f.fmt_bounded if bounded else f.fmt_num
    if cut.good is None:
        return f.DASH
    if cut.acceptable is not None and cut.higher_is_better:
        return t["cut_two_levels_higher"].format(good=fmt(cut.good, digits), acceptable=fmt(cut.acceptable, digits))
    template = t["cut_at_least"] if cut.higher_is_better else t["cut_below"]
    return template.format(value=fmt(cut.good, digits))


def amos_rows(fm: FitMeasures, t: Labels) -> list[Row]:
    """Rows of the AMOS-style set for the fit table (none when the fit has no such measures).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> from semxhs.report.labels import labels_for
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=(300, 1)) + rng.normal(size=(300, 4))
    >>> rows = amos_rows(fit("f =~ a + b + c + d", pd.DataFrame(x, columns=list("abcd"))).fit, labels_for("en"))
    >>> [r["cells"][0] for r in rows][:3], rows[0]["cells"][2]
    (['GFI', 'AGFI', 'PGFI'], '≥ .90')
    """
    if fm.gfi is None:
        return []
    bounded = [("gfi", t["fit_gfi"]), ("agfi", t["fit_agfi"]), ("pgfi", t["fit_pgfi"]), ("nfi", t["fit_nfi"]),
               ("rfi", t["fit_rfi"]), ("ifi", t["fit_ifi"]), ("pnfi", t["fit_pnfi"])]
    rows: list[Row] = []
    for key, label in bounded:
        value = getattr(fm, key)
        cut = AMOS_CUTOFFS[key]
        rows.append(row([label, f.fmt_bounded(value, 3), _cut_text(cut, t), _judge(value, 3, cut, t)]))
    rows.append(row([t["fit_rmr"], f.fmt_num(fm.rmr, 3), t["cut_rmr"], f.DASH]))
    for key, label in (("cn_05", t["fit_cn_05"]), ("cn_01", t["fit_cn_01"])):
        value = getattr(fm, key)
        cut = AMOS_CUTOFFS[key]
        rows.append(row([label, f.fmt_num(value, 0), _cut_text(cut, t, bounded=False, digits=0),
                         _judge(value, 0, cut, t)]))
    rows.append(row([t["fit_ecvi"], f.fmt_num(fm.ecvi, 3), t["cut_ecvi"], f.DASH]))
    rows[0]["starts_group"] = True
    return rows


def amos_note(t: Labels) -> str:
    """The note under the fit table that defines the AMOS-style rows and cites their cut-offs."""
    cite = {k: f.fmt_citation(c.citation) for k, c in AMOS_CUTOFFS.items()}
    return t["note_fit_amos"].format(chisq_df=cite["chisq_df_ratio"], gfi=cite["gfi"], nfi=cite["nfi"],
                                     ifi=cite["ifi"], pgfi=cite["pgfi"], cn=cite["cn_05"], ecvi=cite["ecvi"])


def amos_references() -> list[str]:
    """The works the AMOS-style cut-offs cite."""
    keys: dict[str, None] = {}
    for cut in AMOS_CUTOFFS.values():
        keys.update(dict.fromkeys(cut.sources))
    return [SOURCES[k] for k in keys]


def _path(outcome: str, predictor: str) -> str:
    return f"{outcome} ← {predictor}"


def effect_size_section(result: StudyResult, t: Labels) -> Section | None:
    """Cohen's f² (refit without each path) and VIF of every structural path; ``None`` unless computed.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> from semxhs.sem.extras import with_extras
    >>> from semxhs.study.results import StudyResult
    >>> from semxhs.report.labels import labels_for
    >>> rng = np.random.default_rng(2)
    >>> x = rng.normal(size=(400, 2)); y = 0.5 * x[:, 0] + 0.1 * x[:, 1] + rng.normal(size=400)
    >>> sem = with_extras(fit("y ~ x1 + x2", pd.DataFrame({"y": y, "x1": x[:, 0], "x2": x[:, 1]})),
    ...                   effect_sizes=True)
    >>> study = StudyResult("Demo", "en", sem, (), "d.csv", "m.lav", "0" * 64, "0.1.0")
    >>> [r["cells"][4] for r in effect_size_section(study, labels_for("en"))["tables"][0]["rows"]]
    ['Medium', 'Negligible']
    """
    effects = result.sem.effect_sizes
    if not effects:
        return None
    magnitude = {"large": t["f2_large"], "medium": t["f2_medium"], "small": t["f2_small"],
                 "negligible": t["f2_negligible"]}
    names = name_map(result, t)
    rows: list[Row] = []
    any_failed = False
    for i, e in enumerate(effects):
        f2_text = f.fmt_num(e.f2, 3)
        mag = f.DASH if f.is_missing(e.f2) else magnitude[f2_magnitude(f.as_printed(e.f2, 3))]
        if not e.converged:
            f2_text += t["refit_not_converged_mark"]
            any_failed = True
        rows.append(row([_path(names.get(e.outcome, e.outcome), names.get(e.predictor, e.predictor)),
                         f.fmt_bounded(e.r2_full, 3), f.fmt_bounded(e.r2_without, 3),
                         f2_text, mag, f.fmt_num(e.vif, 2), _judge(e.vif, 2, VIF_CUTOFFS, t)],
                        starts_group=(i == 0 or e.outcome != effects[i - 1].outcome)))
    columns = [column(t["col_path"], "left"), column(t["col_r2_full"]), column(t["col_r2_without"]),
               column(t["col_f2"], italic=True), column(t["col_magnitude"], "left"), column(t["col_vif"]),
               column(t["col_collinearity"], "left")]
    vif_good = f.fmt_cutoff("<", VIF_CUTOFFS.good or 3.3, 1, bounded=False)
    vif_ok = f.fmt_cutoff("<", VIF_CUTOFFS.acceptable or 5.0, 0, bounded=False)
    notes = [t["note_effect_sizes"].format(f2_source=f.fmt_citation("Cohen (1988)"), vif_good=vif_good,
                                           vif_ok=vif_ok, vif_source=f.fmt_citation(VIF_CUTOFFS.citation))]
    if any_failed:
        notes.append(t["note_refit_not_converged"])
    tbl = table("table-effect-sizes", t["tbl_effect_sizes"], columns, rows, notes)
    refs = [SOURCES[k] for k in (*F2_SOURCES, *VIF_CUTOFFS.sources)]
    return section("effect-sizes", t["sec_effect_sizes"], [tbl], paragraphs=[t["para_effect_sizes"]],
                   references=refs)


def modindices_section(result: StudyResult, t: Labels) -> Section | None:
    """The ten largest modification indices with a caution, and the score tests of equality constraints.

    ``None`` unless modification indices were computed.
    """
    sem = result.sem
    if sem.modindices is None:
        return None
    tables = []
    if sem.modindices:
        rows = [row([f"{m.lhs} {m.op} {m.rhs}" + (f" ({m.group_label})" if m.group else ""), f.fmt_num(m.mi, 2), f.fmt_num(m.epc, 3), f.fmt_num(m.sepc_all, 3)])
                for m in sem.modindices[:MI_SHOWN]]
        columns = [column(t["col_parameter"], "left"), column(t["col_mi"]), column(t["col_epc"]),
                   column(t["col_sepc"])]
        note = t["note_modindices"].format(critical=f.fmt_num(MI_CRITICAL, 2), n_total=f.fmt_int(len(sem.modindices)))
        tables.append(table("table-modindices", t["tbl_modindices"], columns, rows, [note]))
    st = sem.score_tests
    if st is not None:
        rows = [row([t["score_total"], f.DASH, f.fmt_num(st.X2, 2), f.fmt_int(st.df), f.fmt_p(st.pvalue)])]
        for i, s in enumerate(st.univariate):
            rows.append(row([f"{s.lhs} == {s.rhs}", (f"{s.lhs_parameter} ({s.lhs_group_label}) = {s.rhs_parameter} ({s.rhs_group_label})" if s.lhs_group
                             else f"{s.lhs_parameter} = {s.rhs_parameter}"), f.fmt_num(s.X2, 2),
                             f.fmt_int(s.df), f.fmt_p(s.pvalue)], starts_group=(i == 0)))
        columns = [column(t["col_constraint"], "left"), column(t["col_parameters"], "left"),
                   column(t["col_chi2"]), column(t["col_df"]), column(t["col_p"], italic=True)]
        tables.append(table("table-score-tests", t["tbl_score_tests"], columns, rows, [t["note_score_tests"]]))
    sources = "; ".join(f.fmt_citation(c) for c in ("Sörbom (1989)", "MacCallum et al. (1992)"))
    return section("modindices", t["sec_modindices"], tables,
                   paragraphs=[t["para_modindices_caution"].format(sources=sources)],
                   references=[SOURCES[k] for k in MI_SOURCES])

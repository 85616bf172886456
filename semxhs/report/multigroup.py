"""Multi-group estimates side by side: one column block per group (B, SE, p, β) for the loadings and the
structural paths, and the Wald test that each free path is equal across groups (lavaan's
``lavTestWald``, from ``SemResult.extra["path_equality"]``).

Collect only (finished strings from :mod:`semxhs.report.format`); used by the study report's
measurement and structural sections when the fit has groups. Section ids: ``measurement``,
``structural`` (as in single-group reports).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from semxhs.report import format as f
from semxhs.report.blocks import Row, Section, column, row, section, table
from semxhs.report.names import name_map
from semxhs.sem.results import Parameter, SemResult
from semxhs.study.results import StudyResult

__all__ = ["grouped_estimates_section", "is_grouped"]

def is_grouped(sem: SemResult) -> bool:
    """Whether the fit has groups."""
    return bool(sem.extra.get("group_labels"))


def _cells(p: Parameter | None, t: Mapping[str, str]) -> list[str]:
    if p is None:
        return [f.DASH] * 4
    if not p.free:
        return [f.fmt_num(p.est, 3) + t["mg_fixed"], f.DASH, f.DASH, f.fmt_bounded(p.std_all, 3)]
    return [f.fmt_num(p.est, 3), f.fmt_num(p.se, 3), f.fmt_p(p.pvalue), f.fmt_bounded(p.std_all, 3)]


def grouped_estimates_section(result: StudyResult, t: Mapping[str, str], op: str) -> Section | None:
    """Loadings (``op = "=~"``) or paths (``"~"``) with one column block per group; ``None`` without rows.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> from semxhs.report.labels import labels_for
    >>> rng = np.random.default_rng(1); g = np.repeat(["a", "b"], 100); x = rng.normal(size=200)
    >>> y = np.where(g == "a", 0.5, 0.0) * x + rng.normal(size=200)
    >>> sem = fit("y ~ x", pd.DataFrame({"g": g, "x": x, "y": y}), group="g")
    >>> study = StudyResult("Demo", "en", sem, (), "d.csv", "m.lav", "0" * 64, "0.1.0")
    >>> sec = grouped_estimates_section(study, labels_for("en"), "~")
    >>> [c["label"] for c in sec["tables"][0]["columns"]][:3], len(sec["tables"][0]["rows"])
    (['Path (outcome ← predictor)', 'B (a)', 'SE (a)'], 1)
    """
    sem = result.sem
    labels: list[str] = list(sem.extra.get("group_labels", []))
    rows_by_key: dict[tuple[str, str], dict[int, Parameter]] = {}
    for p in sem.parameters:
        if p.op == op and p.group:
            rows_by_key.setdefault((p.lhs, p.rhs), {})[p.group] = p
    if not rows_by_key:
        return None
    wald: dict[tuple[str, str], Mapping[str, Any]] = {}
    lrt: dict[tuple[str, str], Mapping[str, Any]] = {}
    if op == "~":
        wald = {(w["lhs"], w["rhs"]): w for w in sem.extra.get("path_equality", [])}
        lrt = {(w["lhs"], w["rhs"]): w for w in sem.extra.get("path_equality_lrt", [])}
    rows: list[Row] = []
    previous = None
    names = name_map(result, t)
    for (lhs, rhs), per_group in rows_by_key.items():
        name = (f"{names.get(lhs, lhs)} ← {names.get(rhs, rhs)}" if op == "~"
                else f"{names.get(lhs, lhs)} =~ {rhs}")
        cells = [name]
        for g in range(1, len(labels) + 1):
            cells += _cells(per_group.get(g), t)
        if op == "~":
            w = wald.get((lhs, rhs))
            cells.append(f.DASH if w is None else f"{f.fmt_num(w['X2'], 2)} ({f.fmt_int(w['df'])}), "
                                                  f"p {_p_phrase(w['pvalue'])}")
            if lrt:
                r = lrt.get((lhs, rhs))
                cells.append(f.DASH if r is None else f"{f.fmt_num(r['chisq_diff'], 2)} ({f.fmt_int(r['df_diff'])}), "
                                                      f"p {_p_phrase(r['pvalue'])}")
        rows.append(row(cells, starts_group=lhs != previous))
        previous = lhs
    first_label = t["col_path"] if op == "~" else t["col_factor"]
    columns = [column(first_label, "left")]
    for label in labels:
        columns += [column(t["mg_group_col"].format(col=t["col_b"], group=label)),
                    column(t["mg_group_col"].format(col=t["col_se"], group=label)),
                    column(t["mg_group_col"].format(col=t["col_p"], group=label)),
                    column(t["mg_group_col"].format(col=t["col_beta"], group=label))]
    if op == "~":
        columns.append(column(t["mg_wald"]))
        if lrt:
            columns.append(column(t["mg_lrt"]))
    note = t["note_mg"].format(wald=t["note_mg_wald"] if op == "~" else "")
    if op == "~":
        tbl = table("table-structural", t["tbl_structural"], columns, rows, [note])
        return section("structural", t["sec_structural"], [tbl])
    tbl = table("table-measurement", t["tbl_measurement"], columns, rows, [note])
    return section("measurement", t["sec_measurement"], [tbl])


def _p_phrase(p: float | None) -> str:
    text = f.fmt_p(p)
    return text if text[:1] in "<>" or text == f.DASH else f"= {text}"

"""The descriptive statistics and correlations table of the constructs (section id ``descriptives``).

Mean and SD of each construct score (the mean of its items), Pearson correlations of the
scores below the diagonal with significance stars, √AVE (from the measurement model's
Fornell–Larcker table) on the diagonal: the table every marketing paper prints before
its measurement model. Reads :attr:`MeasurementResult.constructs`; formats only.
"""

from __future__ import annotations

from semxhs.report import format as f
from semxhs.report.blocks import Labels, Row, Section, column, row, section, table
from semxhs.report.diagram import stars
from semxhs.report.names import name_map
from semxhs.study.results import StudyResult

__all__ = ["descriptives_section"]


def descriptives_section(result: StudyResult, t: Labels) -> Section | None:
    """Construct means, SDs, correlations and √AVE, or ``None`` without construct scores.

    Examples
    --------
    >>> from semxhs.study.pipeline import AnalysisOptions, fit_files
    >>> from semxhs.report.labels import labels_for
    >>> r = fit_files("tests/fixtures/shared/hs1939_cfa/model.lav", "tests/fixtures/shared/hs1939_cfa/data.csv",
    ...               AnalysisOptions(htmt_draws=0))
    >>> tab = descriptives_section(r, labels_for("en"))["tables"][0]
    >>> [c["label"] for c in tab["columns"]]
    ['Construct', 'M', 'SD', '1', '2', '3']
    >>> tab["rows"][0]["cells"][:2], tab["rows"][0]["cells"][3] == tab["rows"][0]["cells"][3].strip()
    (['1. visual', '4.425'], True)
    """
    m = getattr(result, "measurement", None)
    d = None if m is None else getattr(m, "constructs", None)
    if m is None or d is None or len(d) == 0:
        return None
    names = [str(n) for n in d.index]
    fl = m.fornell_larcker
    labels = name_map(result, t)
    rows: list[Row] = []
    for i, a in enumerate(names):
        cells = [f"{i + 1}. {labels.get(a, a)}", f.fmt_num(float(d.loc[a, "mean"]), 3), f.fmt_num(float(d.loc[a, "sd"]), 3)]
        for j, b in enumerate(names):
            if j < i:
                cells.append(f.fmt_bounded(float(d.loc[a, f"r_{b}"]), 3) + stars(float(d.loc[a, f"p_{b}"])))
            elif j == i:
                ave_root = fl.loc[a, a] if a in fl.index and a in fl.columns else float("nan")
                cells.append(f.fmt_bounded(float(ave_root), 3))
            else:
                cells.append("")
        rows.append(row(cells))
    columns = [column(t["col_construct"], "left"), column(t["col_mean"], italic=True),
               column(t["col_sd"], italic=True), *[column(str(k)) for k in range(1, len(names) + 1)]]
    n = int(d["n"].iloc[0])
    tab = table("table-descriptives", t["tbl_descriptives"], columns, rows, [t["note_descriptives"].format(n=n)])
    return section("descriptives", t["sec_descriptives"], [tab])

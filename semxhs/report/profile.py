"""The sample profile table and the instrument appendix (section ids ``sample-profile``, ``instrument``).

The sample profile is the three-line table every thesis prints first (样本人口统计特征):
each demographic of the instrument, each level's frequency and percentage of the
analysed sample, "no answer" as its own row, a numeric question's mean, SD and range.
The appendix lists the questionnaire: every construct (its name in the report's
language, the source scale and its citation) and every item (id, question number,
wording in the report's language, reverse-keyed items marked). Both read
:class:`~semxhs.study.results.StudyResult` and only format.
"""

from __future__ import annotations

from semxhs.report import format as f
from semxhs.report.blocks import Labels, Row, Section, Table, column, row, section, table
from semxhs.report.labels import language_of
from semxhs.report.names import name_map
from semxhs.study.results import StudyResult

__all__ = ["instrument_appendix_section", "profile_section"]


def _pct(percent: float) -> str:
    """A percentage (0-100) with one decimal, without the sign (the column says %)."""
    return f.fmt_num(percent, 1)


def profile_section(result: StudyResult, t: Labels) -> Section | None:
    """The sample profile (frequencies and percentages of the analysed sample), or ``None`` without one.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> from semxhs.survey.instrument import Demographic
    >>> from semxhs.survey.profile import sample_profile
    >>> from semxhs.report.labels import labels_for
    >>> g = Demographic("gender", "性别", "Gender", levels=((1, "男", "Male"), (2, "女", "Female")))
    >>> p = sample_profile(pd.DataFrame({"gender": [1, 2, 2, None]}), [g])
    >>> s = profile_section(SimpleNamespace(sample_profile=p), labels_for("zh"))
    >>> [r["cells"] for r in s["tables"][0]["rows"]]
    [['性别', '男', '1', '25.0'], ['', '女', '2', '50.0'], ['', '未作答', '1', '25.0']]
    """
    profile = getattr(result, "sample_profile", None)
    if profile is None or not (profile.demographics or profile.absent):
        return None
    lang = language_of(t)
    if not profile.demographics:  # none of the declared demographics is in the data: say so
        return section("sample-profile", t["sec_sample_profile"], [],
                       paragraphs=[t["profile_absent"].format(names=t["list_sep"].join(profile.absent))])
    rows: list[Row] = []
    notes: list[str] = []
    summaries = {s.variable: s for s in profile.numeric}
    for d in profile.demographics:
        name = d.name(lang)
        own = [r for r in profile.rows if r.variable == d.id]
        summary = summaries.get(d.id)
        cells: list[list[str]] = []
        if summary is not None:
            text = t["profile_numeric"].format(mean=f.fmt_num(summary.mean, 2), sd=f.fmt_num(summary.sd, 2),
                                               min=f"{summary.min:g}" if summary.n else f.DASH,
                                               max=f"{summary.max:g}" if summary.n else f.DASH)
            if not d.bins:  # no intervals: the summary is the row
                cells.append([text, f.fmt_int(summary.n), _pct(100.0 * summary.n / profile.n if profile.n else 0.0)])
            else:
                notes.append(t["profile_numeric_note"].format(name=name, summary=text))
        for r in own:
            label = t["profile_missing"] if r.kind == "missing" else r.label(lang)
            cells.append([label, f.fmt_int(r.n), _pct(r.percent)])
        for k, c in enumerate(cells):
            rows.append(row([name if k == 0 else "", *c], starts_group=k == 0))
    basis = t["profile_basis_fiml"] if profile.basis == "fiml" else t["profile_basis_listwise"]
    if profile.screened:
        basis = t["profile_after_screening"] + basis
    if profile.absent:
        notes.append(t["profile_absent"].format(names=t["list_sep"].join(profile.absent)))
    columns = [column(t["col_profile_variable"], "left"), column(t["col_profile_level"], "left"),
               column(t["col_profile_n"], italic=True), column(t["col_profile_percent"])]
    intro = t["profile_sentence"].format(n=f.fmt_int(profile.n), basis=basis)
    tab = table("table-sample-profile", t["tbl_sample_profile"], columns, rows,
                [t["note_sample_profile"].format(n=f.fmt_int(profile.n), basis=basis), *notes])
    return section("sample-profile", t["sec_sample_profile"], [tab], paragraphs=[intro])


def instrument_appendix_section(result: StudyResult, t: Labels) -> Section | None:
    """The questionnaire as an appendix: constructs with their sources, items with their wording.

    ``None`` when the run had no instrument.
    """
    inst = getattr(result, "instrument", None)
    if inst is None:
        return None
    zh = language_of(t) == "zh"
    names = name_map(result, t)
    source_rows: list[Row] = []
    references: list[str] = []
    for c in inst.constructs:
        source_rows.append(row([names.get(c.id, c.id), c.scale or f.DASH, c.citation or f.DASH]))
        if c.citation:
            references.append(c.citation)
    item_rows: list[Row] = []
    reversed_any = False
    for c in inst.constructs:
        items = [i for i in inst.items if i.construct == c.id]
        for k, item in enumerate(items):
            wording = (item.text_zh or item.text_en) if zh else (item.text_en or item.text_zh)
            label = item.id
            if item.reverse:
                label += t["reversed_suffix"]
                reversed_any = True
            item_rows.append(row([names.get(c.id, c.id) if k == 0 else "", label, item.number or f.DASH,
                                  wording or f.DASH], starts_group=k == 0))
    tables: list[Table] = [
        table("table-instrument-sources", t["tbl_instrument_sources"],
              [column(t["col_construct"], "left"), column(t["col_source_scale"], "left"),
               column(t["col_citation"], "left")], source_rows, []),
        table("table-instrument-items", t["tbl_instrument_items"],
              [column(t["col_construct"], "left"), column(t["col_item"], "left"),
               column(t["col_question_number"], "left"), column(t["col_wording"], "left")],
              item_rows, [t["note_instrument_items"]] + ([t["note_instrument_reverse"]] if reversed_any else [])),
    ]
    scale = inst.scale
    anchors = [f"{code} = {(zh_ or en) if zh else (en or zh_)}" for code, (zh_, en) in sorted(scale.labels.items())
               if zh_ or en]
    scale_text = t["instrument_scale"].format(points=scale.points, min=scale.min, max=scale.max,
                                              anchors=t["list_sep"].join(anchors) if anchors else f.DASH)
    return section("instrument", t["sec_instrument"], tables, paragraphs=[scale_text], references=references)

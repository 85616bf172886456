"""The Word report: the same sections and tables as the HTML one, as APA three-line tables.

Reads only the context of :func:`~semxhs.report.context.build_context` (no number is
formatted or computed here). Word needs three things set in the document XML that
python-docx has no switch for, and this module sets them:

* **Three-line tables**: table borders top and bottom only (``w:tblBorders``), and a
  rule under the header row (``w:tcBorders`` on each header cell); the header row
  repeats on every page (``w:tblHeader``) and rows never split (``w:cantSplit``).
* **Chinese fonts**: Word picks the font of CJK characters from ``w:rFonts/@w:eastAsia``
  and ignores ``w:ascii``; without it Chinese falls back to whatever the theme says.
  Body text uses 宋体 (SimSun), headings 黑体 (SimHei), Latin text Times New Roman.
* **Language**: ``w:lang/@w:eastAsia="zh-CN"`` so Word proofs Chinese as Chinese.
"""

from __future__ import annotations

import base64
import io
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.image.image import Image
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Emu, Length, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from semxhs.atomic import atomic_write_bytes
from semxhs.report.context import Context, Figure, Section, Table, build_context
from semxhs.report.table_layout import nonbreaking, table_layout
from semxhs.study.results import StudyResult

if TYPE_CHECKING:
    from semxhs.process.results import ProcessResult

__all__ = ["LATIN_FONT", "CJK_BODY_FONT", "CJK_HEADING_FONT", "build_document", "docx_bytes", "process_docx_bytes",
           "write_docx"]

LATIN_FONT = "Times New Roman"
CJK_BODY_FONT = "宋体"  # SimSun; Word maps the Chinese and the English name to the same font
CJK_HEADING_FONT = "黑体"  # SimHei
ALERT_RED = RGBColor(0xB0, 0x00, 0x20)
RULE_THICK = 12  # eighths of a point: 1.5 pt top and bottom rules
RULE_THIN = 6  # 0.75 pt rule under the header
FIGURE_MAX_WIDTH = Cm(15.0)  # within the 16 cm text block

_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _set_fonts(rpr_owner: object, latin: str, cjk: str) -> None:
    """Set Latin and East Asian fonts on a style or a run, removing theme fonts that override them."""
    rpr = rpr_owner.get_or_add_rPr()  # type: ignore[attr-defined]
    rfonts = rpr.get_or_add_rFonts()
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), cjk)


def _style_fonts(style: BaseStyle, latin: str, cjk: str, size: float | None = None, *,
                 bold: bool | None = None, lang_zh: bool = False) -> None:
    _set_fonts(style.element, latin, cjk)
    font = style.font  # type: ignore[attr-defined]
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    font.color.rgb = RGBColor(0, 0, 0)
    if lang_zh:
        rpr = style.element.get_or_add_rPr()
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")


def _setup_styles(doc: Document, language: str) -> None:
    zh = language == "zh"
    styles = doc.styles
    _style_fonts(styles["Normal"], LATIN_FONT, CJK_BODY_FONT, 10.5 if zh else 12, lang_zh=zh)
    _style_fonts(styles["Title"], LATIN_FONT, CJK_HEADING_FONT, 16, bold=True)
    _style_fonts(styles["Heading 1"], LATIN_FONT, CJK_HEADING_FONT, 14, bold=True)
    _style_fonts(styles["Heading 2"], LATIN_FONT, CJK_HEADING_FONT, 12, bold=True)
    _style_fonts(styles["List Bullet"], LATIN_FONT, CJK_BODY_FONT)
    # The default template's Title has a coloured bottom border; APA titles have none.
    ppr = styles["Title"].element.pPr
    if ppr is not None:
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)


def _run(paragraph: Paragraph, text: str, *, bold: bool = False, italic: bool = False,
         size: float | None = None, color: RGBColor | None = None, cjk: str = CJK_BODY_FONT) -> None:
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    if size is not None:
        run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color
    _set_fonts(run._r, LATIN_FONT, cjk)


def _tight(paragraph: Paragraph, *, keep_with_next: bool = False) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    if keep_with_next:
        fmt.keep_with_next = True


def _border(tag: str, val: str, size: int = 0) -> BaseOxmlElement:
    el = OxmlElement(tag)
    el.set(qn("w:val"), val)
    if val != "nil":
        el.set(qn("w:sz"), str(size))
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
    return el


def _three_line_borders(table: DocxTable) -> None:
    """Top and bottom rules on the table, nothing else (the header rule is on the header cells)."""
    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblBorders")):
        tbl_pr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if edge in ("top", "bottom"):
            borders.append(_border(f"w:{edge}", "single", RULE_THICK))
        else:
            borders.append(_border(f"w:{edge}", "nil"))
    # CT_TblPr is a sequence: tblBorders goes before shd, tblLayout, tblCellMar, tblLook.
    successor = next((child for child in tbl_pr if child.tag in
                      {qn("w:shd"), qn("w:tblLayout"), qn("w:tblCellMar"), qn("w:tblLook"),
                       qn("w:tblCaption"), qn("w:tblDescription")}), None)
    if successor is None:
        tbl_pr.append(borders)
    else:
        successor.addprevious(borders)


def _header_rule(table: DocxTable) -> None:
    row = table.rows[0]
    for cell in row.cells:
        tc_pr = cell._tc.get_or_add_tcPr()
        tc_borders = OxmlElement("w:tcBorders")
        tc_borders.append(_border("w:bottom", "single", RULE_THIN))
        # CT_TcPr: tcBorders follows tcW/gridSpan/vMerge and precedes shd/vAlign etc.
        successor = next((child for child in tc_pr if child.tag in
                          {qn("w:shd"), qn("w:noWrap"), qn("w:tcMar"), qn("w:textDirection"),
                           qn("w:tcFitText"), qn("w:vAlign"), qn("w:hideMark")}), None)
        if successor is None:
            tc_pr.append(tc_borders)
        else:
            successor.addprevious(tc_borders)
        if tc_pr.find(qn("w:vAlign")) is None:  # APA: headers sit on the rule under them
            v_align = OxmlElement("w:vAlign")
            v_align.set(qn("w:val"), "bottom")
            hide_mark = tc_pr.find(qn("w:hideMark"))
            if hide_mark is None:
                tc_pr.append(v_align)
            else:
                hide_mark.addprevious(v_align)


def _set_widths(out: DocxTable, widths: list[int]) -> None:
    """Write the widths into the grid and every cell, fix the layout, so Word and LibreOffice agree."""
    for grid_col, width in zip(out._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        grid_col.set(qn("w:w"), str(width))
    for row in out.rows:
        for cell, width in zip(row.cells, widths):
            tc_w = cell._tc.get_or_add_tcPr().get_or_add_tcW()
            tc_w.set(qn("w:type"), "dxa")
            tc_w.set(qn("w:w"), str(width))
    tbl_pr = out._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(sum(widths)))
    out.autofit = False  # w:tblLayout fixed: the widths above, not the viewer's guess


def _orient(doc: Document, landscape: bool) -> None:
    """Start a new section on a new page, landscape or portrait A4."""
    sec = doc.add_section(WD_SECTION.NEW_PAGE)
    sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long, short = Cm(29.7), Cm(21.0)
    sec.page_width, sec.page_height = (long, short) if landscape else (short, long)


def _row_flags(table: DocxTable) -> None:
    for i, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if i == 0:
            header = OxmlElement("w:tblHeader")
            tr_pr.append(header)


_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "num": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER}


def _add_table(doc: Document, table: Table, language: str, note_lead: str) -> DocxTable:
    zh = language == "zh"
    cell_size, landscape, widths = table_layout(table)
    if landscape:
        _orient(doc, True)
    # Caption: APA puts the number in bold and the title in italics on the next line;
    # Chinese theses centre one bold line, "表 1 标题".
    _caption(doc, table["caption"], table["title"], language)

    columns = table["columns"]
    out = doc.add_table(rows=1 + len(table["rows"]), cols=len(columns))
    out.alignment = WD_TABLE_ALIGNMENT.CENTER if zh else WD_TABLE_ALIGNMENT.LEFT
    out.autofit = True
    n_rows = len(out.rows)
    for j, col in enumerate(columns):
        para = out.rows[0].cells[j].paragraphs[0]
        para.alignment = _ALIGN[col["align"]]
        _run(para, nonbreaking(col["label"], "left"), italic=col["italic"], size=cell_size)
        _tight(para, keep_with_next=True)
    for i, row in enumerate(table["rows"], start=1):
        for j, text in enumerate(row["cells"]):
            para = out.rows[i].cells[j].paragraphs[0]
            para.alignment = _ALIGN[columns[j]["align"]]
            _run(para, nonbreaking(text, columns[j]["align"]), size=cell_size)
            # keep_with_next on every row but the last keeps a short table on one page
            _tight(para, keep_with_next=table["keep_together"] and i < n_rows - 1)
            if row["starts_group"] and i > 1:
                para.paragraph_format.space_before = Pt(4)
    _set_widths(out, widths)
    _three_line_borders(out)
    _header_rule(out)
    _row_flags(out)

    for k, note in enumerate(table["notes"]):
        para = doc.add_paragraph()
        if k == 0:
            _run(para, note_lead, italic=not zh, size=9.5)
            _run(para, "" if zh else " ", size=9.5)
        _run(para, note, size=9.5)
        _tight(para)
        para.paragraph_format.space_before = Pt(3)
    spacer = doc.add_paragraph()
    _tight(spacer)
    if landscape:
        _orient(doc, False)
    return out


def _caption(doc: Document, caption: str, title: str, language: str) -> None:
    """APA: the number in bold, the title in italics on the next line; Chinese: one centred bold line."""
    if language == "zh":
        cap = doc.add_paragraph()
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(cap, f"{caption}  {title}", bold=True, cjk=CJK_HEADING_FONT)
        _tight(cap, keep_with_next=True)
        cap.paragraph_format.space_before = Pt(12)
        cap.paragraph_format.space_after = Pt(3)
        return
    num = doc.add_paragraph()
    _run(num, caption, bold=True)
    _tight(num, keep_with_next=True)
    num.paragraph_format.space_before = Pt(12)
    head = doc.add_paragraph()
    _run(head, title, italic=True)
    _tight(head, keep_with_next=True)
    head.paragraph_format.space_after = Pt(3)


def _add_figure(doc: Document, fig: Figure, context: Context) -> None:
    """A figure's caption, the figure as an inline PNG picture, and its notes.

    python-docx cannot embed SVG, so the context carries each figure also as a PNG
    (base64); a figure without one gets a placeholder naming its SVG file instead
    (Word 2016 and later insert SVG directly).
    """
    language = context["language"]
    t = context["t"]
    zh = language == "zh"
    _caption(doc, fig["caption"], fig["title"], language)
    box = doc.add_paragraph()
    box.alignment = WD_ALIGN_PARAGRAPH.CENTER
    png = base64.b64decode(fig["png"]) if fig["png"] else b""
    if png:
        width = min(_png_width(png), FIGURE_MAX_WIDTH)
        box.add_run().add_picture(io.BytesIO(png), width=width)
        _tight(box, keep_with_next=bool(fig["notes"]))
        box.paragraph_format.space_before = Pt(6)
        box.paragraph_format.space_after = Pt(3)
    else:
        text = t["figure_placeholder"].format(file=fig["file"]) if fig["file"] else t["figure_placeholder_nofile"]
        _run(box, text, italic=not zh, color=RGBColor(0x55, 0x55, 0x55))
        _tight(box, keep_with_next=bool(fig["notes"]))
        box.paragraph_format.space_before = Pt(18)
        box.paragraph_format.space_after = Pt(18)
    for k, note in enumerate(fig["notes"]):
        para = doc.add_paragraph()
        if k == 0:
            _run(para, t["note_lead"], italic=not zh, size=9.5)
            _run(para, "" if zh else " ", size=9.5)
        _run(para, note, size=9.5)
        _tight(para)
    _tight(doc.add_paragraph())


def _png_width(png: bytes) -> Length:
    """The printed width of a PNG at the resolution it declares (pHYs), 96 dpi when it declares none."""
    image = Image.from_blob(png)
    dpi = image.horz_dpi or 96
    return Emu(int(image.px_width * 914400 / dpi))


def _add_section(doc: Document, section: Section, context: Context) -> None:
    heading = doc.add_heading(level=1)
    _run(heading, section["title"], bold=True, cjk=CJK_HEADING_FONT)
    color = ALERT_RED if section["alert"] else None
    if section["heading"]:
        para = doc.add_paragraph()
        _run(para, section["heading"], bold=True, color=color, size=13)
    for text in section["paragraphs"]:
        para = doc.add_paragraph()
        _run(para, text, bold=section["alert"], color=color)
    for item in section["bullets"]:
        para = doc.add_paragraph(style="List Bullet")
        _run(para, item, color=color)
    for table in section["tables"]:
        _add_table(doc, table, context["language"], context["t"]["note_lead"])
    for fig in section["figures"]:
        _add_figure(doc, fig, context)


def build_document(context: Context) -> Document:
    """A python-docx ``Document`` of a report context (title, header, sections, references).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> from semxhs.study.results import StudyResult
    >>> from semxhs.report.context import build_context
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=200); y = 0.5 * x + rng.normal(size=200)
    >>> study = StudyResult("示例", "zh", fit("y ~ x", pd.DataFrame({"x": x, "y": y})), (),
    ...                     "d.csv", "m.lav", "ab" * 32, "0.1.0")
    >>> doc = build_document(build_context(study))
    >>> doc.tables[0].rows[0].cells[0].text
    '指标'
    """
    doc = new_document()
    language = context["language"]
    _setup_styles(doc, language)
    header = context["header"]
    doc.core_properties.title = header["title"]
    doc.core_properties.language = context["html_lang"]

    title = doc.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, header["title"], bold=True, cjk=CJK_HEADING_FONT)
    subtitle = doc.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(subtitle, header["subtitle"])
    sep = "：" if language == "zh" else ": "
    for row in header["rows"]:
        para = doc.add_paragraph()
        _tight(para)
        _run(para, row["label"] + sep, bold=True)
        _run(para, row["value"])
    if header["notes"]:
        heading = doc.add_heading(level=2)
        _run(heading, context["t"]["study_notes"], bold=True, cjk=CJK_HEADING_FONT)
        for note in header["notes"]:
            _run(doc.add_paragraph(), note)

    for section in context["sections"]:
        _add_section(doc, section, context)

    heading = doc.add_heading(level=1)
    _run(heading, context["t"]["references"], bold=True, cjk=CJK_HEADING_FONT)
    for ref in context["references"]:
        para = doc.add_paragraph()
        para.paragraph_format.left_indent = Cm(1.27)
        para.paragraph_format.first_line_indent = Cm(-1.27)
        _run(para, ref)
    para = doc.add_paragraph()
    _run(para, context["footer"], size=9, color=RGBColor(0x55, 0x55, 0x55))
    return doc


def docx_bytes(result: StudyResult, *, today: date | None = None) -> bytes:
    """The Word report of ``result`` as the bytes of a ``.docx`` file (for callers that write it themselves).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> from semxhs.study.results import StudyResult
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=200); y = 0.5 * x + rng.normal(size=200)
    >>> study = StudyResult("Demo", "en", fit("y ~ x", pd.DataFrame({"x": x, "y": y})), (),
    ...                     "d.csv", "m.lav", "ab" * 32, "0.1.0")
    >>> docx_bytes(study)[:2]  # a .docx is a zip archive
    b'PK'
    """
    buffer = io.BytesIO()
    build_document(build_context(result, today=today)).save(buffer)
    return buffer.getvalue()


def write_docx(result: StudyResult, path: str | os.PathLike[str], *, today: date | None = None) -> Path:
    """Write the Word report of ``result`` to ``path`` atomically.

    Parameters
    ----------
    result : StudyResult
        The study's results; ``result.language`` picks English or Chinese.
    path : str or os.PathLike
        The ``.docx`` file to write; missing parent folders are created.
    today : datetime.date, optional
        The date printed in the report (default: today).

    Returns
    -------
    pathlib.Path
        The path written.
    """
    return atomic_write_bytes(path, docx_bytes(result, today=today))


def process_docx_bytes(result: ProcessResult, *, title: str, language: str, today: date | None = None,
                       file_prefix: str = "") -> bytes:
    """The Word report of one PROCESS analysis as ``.docx`` bytes (the same context as the HTML one).

    Figures are embedded as PNG pictures (the SVG files of
    :func:`semxhs.report.process.process_plot_files` are saved beside the report by the caller).

    Examples
    --------
    >>> import pandas as pd
    >>> from semxhs.process import run_process
    >>> from pathlib import Path; import semxhs
    >>> FIX = Path(semxhs.__file__).resolve().parents[1] / "tests" / "fixtures"
    >>> d = pd.read_csv(FIX / "process/process_model1/data.csv")
    >>> process_docx_bytes(run_process(d, 1, x="PI", y="VC", w="CE", boot=0), title="调节", language="zh")[:2]
    b'PK'
    """
    from semxhs.report.process import build_process_context

    buffer = io.BytesIO()
    context = build_process_context(result, title=title, language=language, today=today, file_prefix=file_prefix)
    build_document(context).save(buffer)
    return buffer.getvalue()

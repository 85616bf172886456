"""The LaTeX report: the same sections, tables, notes and figures as the HTML and Word reports.

Reads only the context of :func:`~semxhs.report.context.build_context`. Tables are
booktabs three-line tables in ``longtable`` (they break across pages, the header
repeats); figures include the PNG written beside the report (the SVG is beside it too,
see :func:`semxhs.report.markdown.figure_files`). English compiles with ``pdflatex`` or
``xelatex``; Chinese needs ``xelatex`` (the preamble loads ``xeCJK``).

Every string is escaped by :func:`latex_escape`: LaTeX's special characters become
commands, and the Greek letters and symbols the report uses (χ², β, ≤, ←, √…) become
math, so the text needs no font that has them.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from semxhs.report.blocks import Column, Context, Figure, Table
from semxhs.report.markdown import figure_name
from semxhs.report.table_layout import table_layout
from semxhs.study.results import StudyResult

if TYPE_CHECKING:
    from semxhs.process.results import ProcessResult

__all__ = ["latex_escape", "process_latex", "render_latex", "render_latex_context"]

_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
    "\u00a0": "~", "\u2011": "-", "\u2009": r"\,",
}
_MATH = {
    "χ": r"\chi", "β": r"\beta", "α": r"\alpha", "ω": r"\omega", "λ": r"\lambda", "γ": r"\gamma",
    "ρ": r"\rho", "σ": r"\sigma", "μ": r"\mu", "Δ": r"\Delta", "Σ": r"\Sigma", "η": r"\eta", "φ": r"\phi",
    "ε": r"\varepsilon", "ψ": r"\psi", "θ": r"\theta", "τ": r"\tau", "δ": r"\delta", "ξ": r"\xi", "ζ": r"\zeta",
    "²": r"^{2}", "³": r"^{3}", "≤": r"\leq", "≥": r"\geq", "≠": r"\neq", "±": r"\pm", "×": r"\times",
    "←": r"\leftarrow", "→": r"\rightarrow", "↔": r"\leftrightarrow", "⇒": r"\Rightarrow", "√": r"\surd",
    "−": "-", "·": r"\cdot", "≈": r"\approx", "∞": r"\infty", "∼": r"\sim",
}


def latex_escape(text: str) -> str:
    """``text`` safe in LaTeX: specials as commands, Greek and math symbols in math mode.

    Examples
    --------
    >>> print(latex_escape("χ²/df ≤ 3 & 50% of $_#{x}~^"))
    $\\chi^{2}$/df $\\leq$ 3 \\& 50\\% of \\$\\_\\#\\{x\\}\\textasciitilde{}\\textasciicircum{}
    >>> print(latex_escape("β = −.12, p < .001"))
    $\\beta$ = $-$.12, p \\textless{} .001
    """
    out: list[str] = []
    math: list[str] = []
    for ch in text:
        if ch in _MATH:
            math.append(_MATH[ch])
            continue
        if math:
            out.append("$" + "".join(math) + "$")
            math = []
        out.append(_SPECIAL.get(ch, ch))
    if math:
        out.append("$" + "".join(math) + "$")
    return "".join(out)


def _preamble(zh: bool, title: str) -> list[str]:
    lines = [
        r"\documentclass[11pt,a4paper]{article}",
        r"\usepackage{iftex}",
        r"\ifPDFTeX",
        r"  \usepackage[utf8]{inputenc}",
        r"  \usepackage[T1]{fontenc}",
        r"  \usepackage{textcomp}",
        r"\else",
        r"  \usepackage{fontspec}",
        r"\fi",
    ]
    if zh:
        lines += [
            r"\usepackage{xeCJK}",
            r"\IfFontExistsTF{Noto Serif CJK SC}{\setCJKmainfont{Noto Serif CJK SC}}{%",
            r"  \IfFontExistsTF{SimSun}{\setCJKmainfont{SimSun}}{\setCJKmainfont{FandolSong-Regular.otf}}}",
        ]
    lines += [
        r"\usepackage[margin=2.5cm]{geometry}",
        r"\usepackage{booktabs}",
        r"\usepackage{longtable}",
        r"\usepackage{array}",
        r"\usepackage{graphicx}",
        r"\usepackage{pdflscape}",
        r"\setlength{\parindent}{0pt}",
        r"\setlength{\parskip}{0.5\baselineskip}",
        rf"\title{{{latex_escape(title)}}}",
        r"\date{}",
        r"\begin{document}",
    ]
    return lines


def _colspec(table: Table) -> str:
    specs = []
    for j, col in enumerate(table["columns"]):
        longest = max([len(r["cells"][j]) for r in table["rows"]] or [0])
        if col["align"] == "left" and longest > 40:
            specs.append(r">{\raggedright\arraybackslash}p{0.3\linewidth}")
        else:
            specs.append({"left": "l", "num": "r", "center": "c"}[col["align"]])
    return "@{}" + "".join(specs) + "@{}"


def _head_cell(col: Column) -> str:
    text = latex_escape(col["label"])
    return rf"\textit{{{text}}}" if col["italic"] else text


def _table(table: Table, note_lead: str, zh: bool) -> list[str]:
    n = len(table["columns"])
    layout = table_layout(table)
    size = _size_command(layout.size)
    caption = latex_escape(table["caption"])
    title = latex_escape(table["title"])
    if zh:
        head = [rf"\multicolumn{{{n}}}{{c}}{{\textbf{{{caption}\quad {title}}}}}\\[3pt]"]
    else:
        head = [rf"\multicolumn{{{n}}}{{@{{}}l}}{{\textbf{{{caption}}}}}\\",
                rf"\multicolumn{{{n}}}{{@{{}}l}}{{\textit{{{title}}}}}\\[3pt]"]
    header = " & ".join(_head_cell(c) for c in table["columns"]) + r" \\"
    lines = ["{" + size, r"\setlength{\LTpre}{6pt}\setlength{\LTpost}{0pt}",
             rf"\begin{{longtable}}{{{_colspec(table)}}}", *head, r"\toprule", header, r"\midrule", r"\endfirsthead",
             r"\toprule", header, r"\midrule", r"\endhead", r"\bottomrule", r"\endlastfoot"]
    for k, row in enumerate(table["rows"]):
        if row["starts_group"] and k > 0:
            lines.append(r"\addlinespace")
        lines.append(" & ".join(latex_escape(c) for c in row["cells"]) + r" \\")
    lines += [r"\end{longtable}", "}"]
    for k, note in enumerate(table["notes"]):
        lead = (latex_escape(note_lead) if zh else rf"\textit{{{latex_escape(note_lead)}}} ") if k == 0 else ""
        lines.append(rf"{{\footnotesize {lead}{latex_escape(note)}\par}}")
    lines.append("")
    if layout.landscape:
        lines = [r"\begin{landscape}", *lines, r"\end{landscape}", ""]
    return lines


def _size_command(points: float) -> str:
    r"""The LaTeX size command (11 pt document) nearest below a cell size in points.

    The same measure sets the Word report's cell size; a table that needs a landscape page
    there gets ``pdflscape``'s landscape environment here.

    Examples
    --------
    >>> _size_command(10.0), _size_command(9.0), _size_command(7.5)
    ('\\small', '\\footnotesize', '\\scriptsize')
    """
    if points >= 10.0:
        return r"\small"
    if points >= 9.0:
        return r"\footnotesize"
    return r"\scriptsize"


def _figure(fig: Figure, note_lead: str, zh: bool) -> list[str]:
    caption = latex_escape(fig["caption"])
    title = latex_escape(fig["title"])
    lines = [r"\begin{figure}[htbp]", r"\centering"]
    lines.append(rf"\textbf{{{caption}}}\quad {title}\par\medskip" if zh else
                 rf"{{\raggedright\textbf{{{caption}}}\par\textit{{{title}}}\par}}\medskip")
    if fig["png"]:
        lines.append(rf"\includegraphics[width=\linewidth,height=0.7\textheight,keepaspectratio]"
                     rf"{{{figure_name(fig, '.png')}}}")
    elif fig["svg"]:
        lines.append(rf"\fbox{{\texttt{{{latex_escape(figure_name(fig))}}}}}")
    for k, note in enumerate(fig["notes"]):
        lead = (latex_escape(note_lead) if zh else rf"\textit{{{latex_escape(note_lead)}}} ") if k == 0 else ""
        lines.append(rf"{{\raggedright\footnotesize {lead}{latex_escape(note)}\par}}")
    lines += [r"\end{figure}", ""]
    return lines


def render_latex_context(context: Context) -> str:
    """The LaTeX source of a report context (a complete document).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from datetime import date
    >>> from semxhs.sem.model import fit
    >>> from semxhs.report.context import build_context
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=200); y = 0.5 * x + rng.normal(size=200)
    >>> study = StudyResult("R&D 50%", "en", fit("y ~ x", pd.DataFrame({"x": x, "y": y})), (),
    ...                     "d.csv", "m.lav", "ab" * 32, "0.1.0")
    >>> tex = render_latex_context(build_context(study, today=date(2024, 5, 1)))
    >>> r"\\title{R\\&D 50\\%}" in tex, r"\\toprule" in tex, tex.rstrip().endswith(r"\\end{document}")
    (True, True, True)
    """
    zh = context["language"] == "zh"
    t = context["t"]
    header = context["header"]
    lines = _preamble(zh, header["title"])
    lines += [r"\maketitle", r"\begin{center}" + latex_escape(header["subtitle"]) + r"\end{center}", ""]
    sep = "：" if zh else ": "
    for hrow in header["rows"]:
        lines.append(rf"\textbf{{{latex_escape(hrow['label'])}}}{sep}{latex_escape(hrow['value'])}\\")
    lines.append("")
    if header["notes"]:
        lines.append(rf"\subsection*{{{latex_escape(t['study_notes'])}}}")
        lines += [latex_escape(n) + "\n" for n in header["notes"]]
    for sec in context["sections"]:
        lines.append(rf"\section*{{{latex_escape(sec['title'])}}}")
        if sec["heading"]:
            lines.append(rf"\textbf{{{latex_escape(sec['heading'])}}}" + "\n")
        lines += [latex_escape(p) + "\n" for p in sec["paragraphs"]]
        if sec["bullets"]:
            lines += [r"\begin{itemize}", *(rf"\item {latex_escape(b)}" for b in sec["bullets"]), r"\end{itemize}"]
        for table in sec["tables"]:
            lines += _table(table, t["note_lead"], zh)
        for fig in sec["figures"]:
            lines += _figure(fig, t["note_lead"], zh)
    lines.append(rf"\section*{{{latex_escape(t['references'])}}}")
    for ref in context["references"]:
        lines.append(rf"{{\hangindent=1.27cm\hangafter=1 {latex_escape(ref)}\par}}")
    lines += ["", rf"{{\footnotesize {latex_escape(context['footer'])}\par}}", r"\end{document}", ""]
    return "\n".join(lines)


def render_latex(result: StudyResult, *, today: date | None = None) -> str:
    """The LaTeX report of a study (see :func:`render_latex_context`)."""
    from semxhs.report.context import build_context

    return render_latex_context(build_context(result, today=today))


def process_latex(result: ProcessResult, *, title: str, language: str, today: date | None = None) -> str:
    """The LaTeX report of one PROCESS analysis (the same context as its HTML report)."""
    from semxhs.report.process import build_process_context

    return render_latex_context(build_process_context(result, title=title, language=language, today=today))

"""The path diagram section: which variables, paths and numbers the diagram shows, as finished strings.

:func:`diagram_spec` reads a :class:`~semxhs.sem.results.SemResult` and decides every word
and number (standardized estimates with significance stars, R² of each endogenous
variable, loadings); :mod:`semxhs.report.figures.path_diagram` only places and draws them.
Structural variables are the factors and the observed variables that take part in a
regression (``~``); factors without any regression (a CFA) are drawn with their
correlations.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from semxhs.process.models import get_model
from semxhs.process.results import Equation, ProcessResult
from semxhs.report import format as f
from semxhs.report.blocks import Figure, Labels, Section, figure, section
from semxhs.report.figures.path_diagram import (
    DiagramNode,
    DiagramPath,
    DiagramSpec,
    Indicator,
    path_diagram_png,
    path_diagram_svg,
)
from semxhs.report.figures.process_diagram import (
    ConceptualSpec,
    Moderation,
    ProcessArrow,
    ProcessNode,
    StatisticalSpec,
    conceptual_png,
    conceptual_svg,
    statistical_png,
    statistical_svg,
)
from semxhs.sem.results import SemResult
from semxhs.study.results import StudyResult

__all__ = ["DIAGRAM_FILE", "coefficient_symbols", "conceptual_spec", "diagram_figure", "diagram_section",
           "diagram_spec", "group_file_names", "process_diagram_figures", "stars", "statistical_spec"]

DIAGRAM_FILE = "path_diagram"
"""Stem of the standalone files written beside the report (``path_diagram.svg`` / ``.png``)."""

MAX_INDICATORS = 60
"""Beyond this many indicators the diagram leaves them out (they would crowd the page)."""


def stars(p: float | None) -> str:
    """Significance stars: * p < .05, ** p < .01, *** p < .001 (nothing for p ≥ .05 or no p).

    Examples
    --------
    >>> [stars(p) for p in (0.0004, 0.004, 0.04, 0.4, None)]
    ['***', '**', '*', '', '']
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def _std_label(std: float | None, p: float | None, free: bool) -> str:
    text = f.fmt_bounded(std, 2) if std is not None else "—"
    return text + (stars(p) if free else "")


def diagram_spec(sem: SemResult, t: Labels, names: Mapping[str, str] | None = None, *,
                 indicators: bool = True, alpha: float = 0.05, group: int | None = None) -> DiagramSpec | None:
    """The diagram of ``sem``: structural variables, paths, R², loadings; ``None`` when there is nothing to draw.

    Parameters
    ----------
    sem : SemResult
        The fitted model.
    t : mapping
        The report's wording (:func:`semxhs.report.labels.labels_for`).
    names : mapping, optional
        Display names of variables (construct names from the instrument); ids otherwise.
    indicators : bool
        Draw each factor's indicators with their standardized loadings.
    alpha : float
        Paths with p ≥ ``alpha`` are drawn dashed.
    group : int, optional
        In a multi-group fit, the group (1-based, lavaan's order) whose estimates, standardized
        within the group, and R² are drawn; the first group when not given.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> from semxhs.report.labels import labels_for
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=300); m = 0.5 * x + rng.normal(size=300); y = 0.4 * m + rng.normal(size=300)
    >>> res = fit("m ~ x\\ny ~ m + x", pd.DataFrame({"x": x, "m": m, "y": y}))
    >>> spec = diagram_spec(res, labels_for("en"))
    >>> [(p.source, p.target, p.label, p.significant) for p in spec.paths]
    [('x', 'm', '.51***', True), ('m', 'y', '.45***', True), ('x', 'y', '-.02', False)]
    >>> [n.note for n in spec.nodes]
    ['', 'R² = .26', 'R² = .19']
    """
    names = names or {}
    latent = list(sem.latent)
    labels: list[str] = list(sem.extra.get("group_labels") or [])
    r2_all: Mapping[str, object] = sem.r2
    if labels:
        g = group or 1
        parameters = [p for p in sem.parameters if p.group == g]
        r2_group: object = sem.r2.get(labels[g - 1], {})
        r2_all = r2_group if isinstance(r2_group, Mapping) else {}
    else:
        parameters = list(sem.parameters)
    # regressions, and loadings of factors on factors (a higher-order factor's paths)
    regressions = [p for p in parameters if p.op == "~" or (p.op == "=~" and p.rhs in sem.latent)]
    structural: list[str] = []
    for p in regressions:
        for v in ((p.lhs, p.rhs) if p.op == "=~" else (p.rhs, p.lhs)):
            if v not in structural:
                structural.append(v)
    for v in latent:  # factors outside every regression (a CFA) are drawn too
        if v not in structural:
            structural.append(v)
    if not structural:
        return None
    loadings: dict[str, list[Indicator]] = {}
    n_ind = sum(1 for p in parameters if p.op == "=~" and p.rhs not in sem.latent)
    if indicators and n_ind <= MAX_INDICATORS:
        for p in parameters:
            if p.op == "=~" and p.rhs not in sem.latent:
                loadings.setdefault(p.lhs, []).append(Indicator(names.get(p.rhs, p.rhs),
                                                                _std_label(p.std_all, p.pvalue, p.free)))
    nodes = []
    for v in structural:
        r2 = r2_all.get(v)
        note = (t["diagram_r2"].format(r2=f.fmt_bounded(r2, 2)) if isinstance(r2, float) and not math.isnan(r2)
                else "")
        nodes.append(DiagramNode(v, names.get(v, v), v in sem.latent, note=note,
                                 indicators=tuple(loadings.get(v, ()))))
    paths = tuple(
        DiagramPath(*((p.lhs, p.rhs) if p.op == "=~" else (p.rhs, p.lhs)), _std_label(p.std_all, p.pvalue, p.free),
                    significant=(not p.free) or (p.pvalue is not None and p.pvalue < alpha))
        for p in regressions
    )
    # correlations among exogenous structural variables (a CFA's factors, a model's predictors)
    endogenous = {p.target for p in paths}
    exogenous = [v for v in structural if v not in endogenous]
    covs = tuple(
        DiagramPath(p.lhs, p.rhs, _std_label(p.std_all, p.pvalue, p.free),
                    significant=(not p.free) or (p.pvalue is not None and p.pvalue < alpha))
        for p in parameters
        if p.op == "~~" and p.lhs != p.rhs and p.lhs in exogenous and p.rhs in exogenous
    )
    return DiagramSpec(nodes=tuple(nodes), paths=paths, covariances=covs)


def diagram_figure(sem: SemResult, t: Labels, names: Mapping[str, str] | None = None, *,
                   alpha: float = 0.05, file: str = DIAGRAM_FILE + ".svg", group: int | None = None,
                   figure_id: str = "figure-path-diagram") -> Figure | None:
    """The path diagram as a report figure (SVG for HTML, PNG for Word), or ``None``.

    The notes name the file the figure is saved under (``file``); with ``group``, the
    title and a note name the group and its size.
    """
    spec = diagram_spec(sem, t, names, alpha=alpha, group=group)
    if spec is None:
        return None
    notes = []
    title = t["fig_path_diagram"]
    if group is not None:
        label = str(sem.extra["group_labels"][group - 1])
        n_obs = sem.extra.get("n_obs_group", {}).get(label)
        title = t["fig_path_diagram_group"].format(group=label)
        notes.append(t["note_fig_path_diagram_group"].format(group=label, n=f.fmt_int(n_obs)))
    notes.append(t["note_fig_path_diagram"].format(alpha=f.fmt_alpha(alpha)))
    if file:
        notes.append(t["figure_file_note"].format(file=file))
    return figure(figure_id, title, path_diagram_svg(spec), file, notes,
                  png=path_diagram_png(spec), css="path-diagram")


def group_file_names(labels: list[str]) -> list[str]:
    """A file-name part for each group label: letters, digits (any script), ``-`` and ``_`` kept, the rest ``_``.

    Empty results become ``group<k>``; labels that come out alike get ``_<k>`` (k = the group's
    1-based number), so every group has its own file.

    Examples
    --------
    >>> group_file_names(["Female", "male/other", "../x", "", "高 年级", "male:other"])
    ['Female', 'male_other', 'x', 'group4', '高_年级', 'male_other_6']
    """
    out: list[str] = []
    for k, label in enumerate(labels, start=1):
        name = re.sub(r"[^\w\-]+", "_", str(label)).strip("_.-")[:60] or f"group{k}"
        if name.casefold() in {o.casefold() for o in out}:
            name = f"{name}_{k}"
        out.append(name)
    return out


def diagram_section(result: StudyResult, t: Labels) -> Section | None:
    """The path diagram of the study's model, with its results; one diagram per group of a multi-group fit.

    Files: ``path_diagram.svg``, per group ``path_diagram_<group>.svg`` (see :func:`group_file_names`).
    """
    alpha = result.hypotheses[0].alpha if result.hypotheses else 0.05
    labels: list[str] = [str(x) for x in result.sem.extra.get("group_labels") or []]
    if not labels:
        fig = diagram_figure(result.sem, t, alpha=alpha)
        figures = [fig] if fig is not None else []
    else:
        figures = []
        for g, safe in enumerate(group_file_names(labels), start=1):
            fig = diagram_figure(result.sem, t, alpha=alpha, group=g, file=f"{DIAGRAM_FILE}_{safe}.svg",
                                 figure_id=f"figure-path-diagram-{g}")
            if fig is not None:
                figures.append(fig)
    if not figures:
        return None
    return section("path-diagram", t["sec_path_diagram"], [], figures=figures)


# --------------------------------------------------------------------------- PROCESS diagrams

def _term_text(term: str) -> str:
    return " × ".join(term.split(":"))


def _sub(symbol: str, number: int | str, index: int, k: int) -> str:
    """``a`` + coefficient number + mediator index (when there are several mediators)."""
    tail = f"{number}" + ("" if k <= 1 else f"{index}" if k < 10 else f",{index}")
    return symbol + tail


def coefficient_symbols(result: ProcessResult) -> dict[tuple[str, str], str]:
    """Hayes' symbol of every coefficient, by ``(outcome, term)``: a, b, c′, d, f, g.

    Mediator equations: ``a`` (``a1, a2, a3`` for X, W, X × W when the first stage is
    moderated; a mediator index follows when there are several mediators: ``a12``), serial
    paths ``d21`` (M1 → M2); outcome equation: ``c′`` for X (``c′1, c′2, c′3`` for X, W, X × W
    when the direct path is moderated), ``b`` for the mediators (``b1i``, ``b2`` for W, ``b3i``
    for Mi × W when the second stage is moderated); models without mediators number every
    term ``b1, b2, …`` (Hayes, 2022, Appendix A). Covariates: ``f`` in the mediators'
    equations, ``g`` in the outcome's.

    Examples
    --------
    >>> import pandas as pd
    >>> from pathlib import Path; import semxhs
    >>> from semxhs.process import run_process
    >>> FIX = Path(semxhs.__file__).resolve().parents[1] / "tests" / "fixtures"
    >>> d = pd.read_csv(FIX / "process/process_model1/data.csv")
    >>> r = run_process(d, 1, x="PI", y="VC", w="CE", boot=0)
    >>> coefficient_symbols(r)
    {('VC', 'PI'): 'b1', ('VC', 'CE'): 'b2', ('VC', 'PI:CE'): 'b3'}
    """
    v = result.variables
    spec = get_model(result.model)
    k = len(v.m)
    out: dict[tuple[str, str], str] = {}
    for eq in result.equations:
        terms = [c.term for c in eq.coefficients if c.term != "Intercept"]
        main = [t for t in terms if t not in v.cov]
        covs = [t for t in terms if t in v.cov]
        if eq.outcome != v.y:
            i = v.m.index(eq.outcome) + 1
            if "a" in spec.w_paths or "a" in spec.z_paths:
                for n, term in enumerate(main, start=1):
                    out[(eq.outcome, term)] = _sub("a", n, i, k)
            else:
                for term in main:
                    if term == v.x:
                        out[(eq.outcome, term)] = "a" + ("" if k <= 1 else str(i))
                    else:
                        out[(eq.outcome, term)] = f"d{i}{v.m.index(term) + 1}"
            for n, term in enumerate(covs, start=1):
                out[(eq.outcome, term)] = _sub("f", n, i, k)
            continue
        if k == 0:
            for n, term in enumerate(main, start=1):
                out[(eq.outcome, term)] = f"b{n}"
        else:
            c_moderators = [name for role, name in (("w", v.w), ("z", v.z))
                            if name is not None and "c" in (spec.w_paths if role == "w" else spec.z_paths)]
            c_family = [t for t in main if v.x in t.split(":")]
            c_family[1:1] = [t for t in main if t in c_moderators]
            if len(c_family) == 1:
                out[(eq.outcome, c_family[0])] = "c′"
            else:
                for n, term in enumerate(c_family, start=1):
                    out[(eq.outcome, term)] = f"c′{n}"
            b_moderated = "b" in spec.w_paths or "b" in spec.z_paths
            rest = [t for t in main if t not in c_family]
            for term in rest:
                parts = term.split(":")
                if parts[0] in v.m:
                    i = v.m.index(parts[0]) + 1
                    if not b_moderated:
                        out[(eq.outcome, term)] = "b" + ("" if k <= 1 else str(i))
                    else:
                        number = (1 if len(parts) == 1 else 2 if c_moderators else 3)
                        out[(eq.outcome, term)] = _sub("b", number, i, k)
                else:  # a moderator of the second stage only
                    out[(eq.outcome, term)] = "b2"
        for n, term in enumerate(covs, start=1):
            out[(eq.outcome, term)] = f"g{n}"
    return out


def conceptual_spec(result: ProcessResult) -> ConceptualSpec:
    """The conceptual diagram of a PROCESS model: X, mediators, Y, and each moderator pointing at its paths.

    One causal path per X → Mi, Mi → Y (parallel) or every Mi → Mj, i < j (serial), and
    X → Y; one moderation arrow per moderated path (a = X → Mi, b = Mi → Y, c = X → Y);
    a three-way model's Z points at W's arrow. Covariates are not drawn (Hayes, 2022).
    """
    v = result.variables
    spec = get_model(result.model)
    x, y = ProcessNode(v.x, v.x, "x"), ProcessNode(v.y, v.y, "y")
    mediators = tuple(ProcessNode(m, m, "m") for m in v.m)
    paths: list[tuple[str, str]] = []
    for i, m in enumerate(v.m):
        paths.append((v.x, m))
        if spec.mediation == "serial":
            paths.extend((m, later) for later in v.m[i + 1:])
    paths.extend((m, v.y) for m in v.m)
    paths.append((v.x, v.y))
    moderators: list[ProcessNode] = []
    moderations: list[Moderation] = []
    for role, name, kinds in (("w", v.w, spec.w_paths), ("z", v.z, spec.z_paths)):
        if name is None:
            continue
        moderators.append(ProcessNode(name, name, role))
        if role == "z" and spec.three_way and v.w is not None:
            moderations.append(Moderation(name, v.x, v.y, of_moderator=v.w))
            continue
        for kind in ("a", "b", "c"):
            if kind not in kinds:
                continue
            targets = ([(v.x, m) for m in v.m] if kind == "a" else [(m, v.y) for m in v.m] if kind == "b"
                       else [(v.x, v.y)])
            moderations.extend(Moderation(name, s, e) for s, e in targets)
    return ConceptualSpec(x, y, mediators, spec.mediation == "serial", tuple(moderators), tuple(paths),
                          tuple(moderations))


def _coefficient_label(symbol: str, est: float, p: float) -> str:
    return f"{symbol} = {f.fmt_num(est, 3)}{stars(p)}"


def statistical_spec(result: ProcessResult, alpha: float | None = None) -> StatisticalSpec:
    """The statistical diagram: every regressor of every equation, one labelled arrow per coefficient.

    Left column: X, the moderators and products of X's equations and the covariates; middle:
    the mediators (top) and the regressors only the outcome's equation has (Mi × W, a
    moderator of the second stage); right: Y. Labels: ``symbol = B`` with stars
    (:func:`coefficient_symbols`); dashed when p ≥ ``alpha`` (default 1 − the confidence level).
    """
    v = result.variables
    alpha = 1 - result.options.conf if alpha is None else alpha
    symbols = coefficient_symbols(result)
    in_mediator_eqs = {c.term for e in result.equations if e.outcome != v.y for c in e.coefficients}
    spec = get_model(result.model)
    # a moderator of the direct path sits with X's regressors, as Hayes draws model 5
    in_mediator_eqs |= {name for name, paths in ((v.w, spec.w_paths), (v.z, spec.z_paths))
                        if name is not None and "c" in paths}
    first: dict[str, ProcessNode] = {}
    second: dict[str, ProcessNode] = {}
    covariates: dict[str, ProcessNode] = {}
    arrows: list[ProcessArrow] = []
    for eq in result.equations:
        for c in eq.coefficients:
            if c.term == "Intercept":
                continue
            term = c.term
            parts = term.split(":")
            if term in v.cov:
                covariates.setdefault(term, ProcessNode(term, term, "cov"))
            elif term in v.m:
                pass
            elif v.x in parts or not v.m or term in in_mediator_eqs:
                role = "x" if term == v.x else "product" if len(parts) > 1 else ("w" if term == v.w else "z")
                first.setdefault(term, ProcessNode(term, _term_text(term), role))
            else:
                role = "product" if len(parts) > 1 else ("w" if term == v.w else "z")
                second.setdefault(term, ProcessNode(term, _term_text(term), role))
            arrows.append(ProcessArrow(term, eq.outcome, _coefficient_label(symbols[(eq.outcome, term)], c.est,
                                                                            c.pvalue),
                                       significant=c.pvalue is not None and c.pvalue < alpha))
    mediators = tuple(ProcessNode(m, m, "m") for m in v.m)
    return StatisticalSpec((*first.values(), *covariates.values()), mediators, tuple(second.values()),
                           ProcessNode(v.y, v.y, "y"), tuple(arrows))


def statistical_arrow_count(equations: tuple[Equation, ...]) -> int:
    """Arrows a statistical diagram must have: one per coefficient other than the intercept."""
    return sum(1 for e in equations for c in e.coefficients if c.term != "Intercept")


def _roles_text(result: ProcessResult, t: Labels) -> str:
    v = result.variables
    parts = [f"X = {v.x}"]
    parts += [f"M{'' if len(v.m) == 1 else i} = {m}" for i, m in enumerate(v.m, start=1)]
    parts += [f"{r} = {n}" for r, n in (("W", v.w), ("Z", v.z)) if n is not None]
    parts.append(f"Y = {v.y}")
    return "; ".join(parts)


def process_diagram_figures(result: ProcessResult, t: Labels, *, figure_prefix: str, file_prefix: str,
                            font_note: str = "") -> tuple[Figure, Figure]:
    """The conceptual and the statistical diagram of one PROCESS analysis as report figures.

    Files: ``<file_prefix>conceptual.svg`` and ``<file_prefix>statistical.svg`` (named in the notes).
    """
    alpha = 1 - result.options.conf
    roles = _roles_text(result, t)
    cov = (t["diagram_covariates_not_drawn"].format(names=t["list_sep"].join(result.variables.cov))
           if result.variables.cov else "")
    cspec, sspec = conceptual_spec(result), statistical_spec(result, alpha)
    c_file, s_file = f"{file_prefix}conceptual.svg", f"{file_prefix}statistical.svg"
    conceptual = figure(f"{figure_prefix}-conceptual", t["fig_process_conceptual"].format(model=result.model),
                        conceptual_svg(cspec), c_file,
                        [t["note_fig_process_conceptual"].format(roles=roles, covariates=cov),
                         t["figure_file_note"].format(file=c_file), font_note],
                        png=conceptual_png(cspec), css="process-diagram")
    statistical = figure(f"{figure_prefix}-statistical", t["fig_process_statistical"].format(model=result.model),
                         statistical_svg(sspec), s_file,
                         [t["note_fig_process_statistical"].format(roles=roles, alpha=f.fmt_alpha(alpha)),
                          t["figure_file_note"].format(file=s_file), font_note],
                         png=statistical_png(sspec), css="process-diagram")
    return conceptual, statistical

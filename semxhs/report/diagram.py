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
from collections.abc import Mapping

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
from semxhs.report.names import short_name_map
from semxhs.sem.results import SemResult
from semxhs.study.results import StudyResult

__all__ = ["DIAGRAM_FILE", "diagram_figure", "diagram_section", "diagram_spec", "stars"]

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
                 indicators: bool = True, alpha: float = 0.05) -> DiagramSpec | None:
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
    # regressions, and loadings of factors on factors (a higher-order factor's paths)
    regressions = [p for p in sem.parameters if p.op == "~" or (p.op == "=~" and p.rhs in sem.latent)]
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
    n_ind = sum(1 for p in sem.parameters if p.op == "=~" and p.rhs not in sem.latent)
    if indicators and n_ind <= MAX_INDICATORS:
        for p in sem.parameters:
            if p.op == "=~" and p.rhs not in sem.latent:
                loadings.setdefault(p.lhs, []).append(Indicator(names.get(p.rhs, p.rhs),
                                                                _std_label(p.std_all, p.pvalue, p.free)))
    nodes = []
    for v in structural:
        r2 = sem.r2.get(v)
        note = t["diagram_r2"].format(r2=f.fmt_bounded(r2, 2)) if r2 is not None and not math.isnan(r2) else ""
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
        for p in sem.parameters
        if p.op == "~~" and p.lhs != p.rhs and p.lhs in exogenous and p.rhs in exogenous
    )
    return DiagramSpec(nodes=tuple(nodes), paths=paths, covariances=covs)


def diagram_figure(sem: SemResult, t: Labels, names: Mapping[str, str] | None = None, *,
                   alpha: float = 0.05, file: str = DIAGRAM_FILE + ".svg") -> Figure | None:
    """The path diagram as a report figure (SVG for HTML, PNG for Word), or ``None``."""
    spec = diagram_spec(sem, t, names, alpha=alpha)
    if spec is None:
        return None
    note = t["note_fig_path_diagram"].format(alpha=f.fmt_alpha(alpha))
    return figure("figure-path-diagram", t["fig_path_diagram"], path_diagram_svg(spec), file, [note],
                  png=path_diagram_png(spec), css="path-diagram")


def diagram_section(result: StudyResult, t: Labels) -> Section | None:
    """The path diagram of the study's model, with its results."""
    alpha = result.hypotheses[0].alpha if result.hypotheses else 0.05
    fig = diagram_figure(result.sem, t, short_name_map(result, t), alpha=alpha)
    if fig is None:
        return None
    return section("path-diagram", t["sec_path_diagram"], [], figures=[fig])

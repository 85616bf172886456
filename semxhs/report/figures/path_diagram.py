"""The path diagram of a fitted model, drawn from finished strings.

The context builder (:mod:`semxhs.report.diagram`) decides every word and number; this
module only places and draws them, as AMOS and SmartPLS users expect: latent variables
as ellipses, observed variables as rectangles, structural paths as arrows labelled with
their standardized estimates (non-significant paths dashed), R² above each endogenous
construct, and optionally each factor's indicators with their loadings (a column of
rectangles beside the factor: left of the first layer, right of the others).
The layout is :func:`semxhs.report.figures.layout.layered_layout` (left to right, no
system Graphviz); the drawing is matplotlib's, rendered through
:func:`~semxhs.report.figures.process_plots.render_svg` (text kept as text) and
:func:`~semxhs.report.figures.process_plots.render_png` (for Word).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import Ellipse, FancyArrowPatch, Rectangle
from matplotlib.path import Path as MplPath

from semxhs.report.figures.layout import Box, Layout, layered_layout
from semxhs.report.figures.process_plots import PNG_DPI, render_png, render_svg

__all__ = ["DiagramNode", "DiagramPath", "DiagramSpec", "Indicator", "diagram_boxes", "path_diagram_png",
           "path_diagram_svg"]

_FONT = 9.0  # points
_SMALL = 7.5
_PT = 1 / 72  # inch per point
_PAD_X, _PAD_Y = 0.16, 0.12  # inches of padding inside a box
_ELLIPSE_STRETCH = 1.35  # an ellipse's axes over the text box's
_IND_GAP = 0.08  # between two indicator boxes
_IND_ARROW = 0.55  # room for a loading's arrow and label between a factor and its indicators
_MARGIN = 0.3


@dataclass(frozen=True)
class Indicator:
    """An indicator of a factor: its name and the loading's label (``".78***"``)."""

    name: str
    label: str


@dataclass(frozen=True)
class DiagramNode:
    """A variable of the structural model: id, the text shown, latent or not, and an R² note."""

    id: str
    text: str
    latent: bool
    note: str = ""  # e.g. "R² = .45", printed above the node
    indicators: tuple[Indicator, ...] = ()


@dataclass(frozen=True)
class DiagramPath:
    """A directed path ``source → target`` with its label; ``significant=False`` draws it dashed."""

    source: str
    target: str
    label: str
    significant: bool = True


@dataclass(frozen=True)
class DiagramSpec:
    """Everything a path diagram shows, as finished strings."""

    nodes: tuple[DiagramNode, ...]
    paths: tuple[DiagramPath, ...]
    covariances: tuple[DiagramPath, ...] = field(default=())  # two-headed, among exogenous variables


def _text_width(text: str, size: float) -> float:
    """Approximate width in inches: CJK glyphs one em, Latin about 0.58 em."""
    lines = text.split("\n") or [""]
    ems = max(sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.58 for c in line) for line in lines)
    return ems * size * _PT


def _text_height(text: str, size: float) -> float:
    return (text.count("\n") + 1) * size * _PT * 1.25


def _node_size(node: DiagramNode) -> tuple[float, float]:
    w = _text_width(node.text, _FONT) + 2 * _PAD_X
    h = _text_height(node.text, _FONT) + 2 * _PAD_Y
    if node.latent:
        w, h = w * _ELLIPSE_STRETCH, h * _ELLIPSE_STRETCH
    return w, h


def _indicator_size(ind: Indicator) -> tuple[float, float]:
    return _text_width(ind.name, _SMALL) + 2 * 0.08, _text_height(ind.name, _SMALL) + 2 * 0.05


def _note_height(node: DiagramNode) -> float:
    return _text_height(node.note, _SMALL) + 0.04 if node.note else 0.0


@dataclass(frozen=True)
class _Placed:
    layout: Layout
    shapes: dict[str, Box]  # node id -> its ellipse/rectangle; "node::item" -> indicator box
    notes: dict[str, Box]
    side: dict[str, str]  # where a node's indicators are: "left", "right" or "below"


def _place(spec: DiagramSpec, with_indicators: bool) -> _Placed:
    nodes = [n.id for n in spec.nodes]
    by_id = {n.id: n for n in spec.nodes}
    block: dict[str, tuple[float, float]] = {}
    sources_all = {p.source for p in spec.paths}
    firsts_guess = sources_all - {p.target for p in spec.paths}  # the layout puts these in layer 0
    for node in spec.nodes:
        w, h = _node_size(node)
        h += 2 * _note_height(node)  # note above; the same room below keeps the node centred
        if with_indicators and node.indicators:
            sizes = [_indicator_size(i) for i in node.indicators]
            if node.id in sources_all and node.id not in firsts_guess:
                row_w = sum(s[0] for s in sizes) + _IND_GAP * (len(sizes) - 1)
                w, h = max(w, row_w), h + _IND_ARROW + max(s[1] for s in sizes)
            else:
                col_w = max(s[0] for s in sizes)
                col_h = sum(s[1] for s in sizes) + _IND_GAP * (len(sizes) - 1)
                w, h = w + _IND_ARROW + col_w, max(h, col_h)
        block[node.id] = (w, h)
    edges = [(p.source, p.target) for p in spec.paths]
    layout = layered_layout(nodes, block, edges, layer_gap=1.1, node_gap=0.3)
    first = {n for n, k in layout.layers.items() if k == 0}
    sources = {p.source for p in spec.paths}
    shapes: dict[str, Box] = {}
    notes: dict[str, Box] = {}
    side: dict[str, str] = {}
    for node_id in nodes:
        node, b = by_id[node_id], layout.boxes[node_id]
        w, h = _node_size(node)
        # indicators face away from the structural paths: left of exogenous factors, right of
        # final outcomes, below a mediator (whose paths leave on the right)
        if node_id in first and len(first) < len(nodes):
            side[node_id] = "left"
        elif node_id in sources:
            side[node_id] = "below"
        else:
            side[node_id] = "right"
        cx_node, cy_node = b.x, b.y
        if with_indicators and node.indicators:
            sizes = [_indicator_size(i) for i in node.indicators]
            if side[node_id] == "below":
                row_w = sum(s[0] for s in sizes) + _IND_GAP * (len(sizes) - 1)
                row_h = max(s[1] for s in sizes)
                cy_node = b.top - _note_height(node) - h / 2
                x = b.x - row_w / 2
                y_row = b.bottom + row_h / 2
                for ind, (iw, ih) in zip(node.indicators, sizes):
                    shapes[f"{node_id}::{ind.name}"] = Box(x + iw / 2, y_row, iw, ih)
                    x += iw + _IND_GAP
            else:
                col_w = max(s[0] for s in sizes)
                col_h = sum(s[1] for s in sizes) + _IND_GAP * (len(sizes) - 1)
                if side[node_id] == "left":
                    cx_col, cx_node = b.left + col_w / 2, b.right - w / 2
                else:
                    cx_col, cx_node = b.right - col_w / 2, b.left + w / 2
                y = b.y + col_h / 2
                for ind, (iw, ih) in zip(node.indicators, sizes):
                    shapes[f"{node_id}::{ind.name}"] = Box(cx_col, y - ih / 2, iw, ih)
                    y -= ih + _IND_GAP
        shapes[node_id] = Box(cx_node, cy_node, w, h)
        if node.note:
            nh = _note_height(node)
            nw = _text_width(node.note, _SMALL)
            notes[node_id] = Box(cx_node, cy_node + h / 2 + nh / 2, nw, nh)
    return _Placed(layout, shapes, notes, side)


def diagram_boxes(spec: DiagramSpec, with_indicators: bool = True) -> dict[str, Box]:
    """Every drawn box (nodes, indicators, R² notes as ``"id::note"``), for checking overlaps.

    Examples
    --------
    >>> from semxhs.report.figures.layout import overlapping_boxes
    >>> spec = DiagramSpec(
    ...     nodes=(DiagramNode("X", "Interactivity", True, indicators=(Indicator("x1", ".8"), Indicator("x2", ".7"))),
    ...            DiagramNode("Y", "Trust", True, note="R² = .25")),
    ...     paths=(DiagramPath("X", "Y", ".50***"),))
    >>> boxes = diagram_boxes(spec)
    >>> sorted(boxes)
    ['X', 'X::x1', 'X::x2', 'Y', 'Y::note']
    >>> overlapping_boxes(boxes)
    []
    """
    placed = _place(spec, with_indicators)
    out = dict(placed.shapes)
    out.update({f"{k}::note": v for k, v in placed.notes.items()})
    return out


def _anchor(box: Box, latent: bool, toward: tuple[float, float]) -> tuple[float, float]:
    """The point where the line from the box centre toward ``toward`` leaves the box (or ellipse)."""
    dx, dy = toward[0] - box.x, toward[1] - box.y
    if dx == 0 and dy == 0:
        return box.x, box.y
    a, b = box.width / 2, box.height / 2
    if latent:
        t = 1.0 / ((dx / a) ** 2 + (dy / b) ** 2) ** 0.5
    else:
        t = min(a / abs(dx) if dx else float("inf"), b / abs(dy) if dy else float("inf"))
    return box.x + t * dx, box.y + t * dy


def _drawer(spec: DiagramSpec, with_indicators: bool) -> Callable[[], Figure]:
    placed = _place(spec, with_indicators)
    by_id = {n.id: n for n in spec.nodes}
    all_boxes = list(placed.shapes.values()) + list(placed.notes.values())
    all_boxes += [Box(x, y, 0.0, 0.0) for bends in placed.layout.bends.values() for x, y in bends]
    x0 = min(b.left for b in all_boxes) - _MARGIN
    x1 = max(b.right for b in all_boxes) + _MARGIN
    y0 = min(b.bottom for b in all_boxes) - _MARGIN
    y1 = max(b.top for b in all_boxes) + _MARGIN

    def draw() -> Figure:
        fig = Figure(figsize=(x1 - x0, y1 - y0))
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_axis_off()
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal")
        style: dict[str, Any] = {"arrowstyle": "-|>", "mutation_scale": 9, "color": "black", "linewidth": 0.9}
        for node in spec.nodes:
            box = placed.shapes[node.id]
            if node.latent:
                ax.add_patch(Ellipse((box.x, box.y), box.width, box.height, facecolor="white",
                                     edgecolor="black", linewidth=1.0, zorder=2))
            else:
                ax.add_patch(Rectangle((box.left, box.bottom), box.width, box.height, facecolor="white",
                                       edgecolor="black", linewidth=1.0, zorder=2))
            ax.text(box.x, box.y, node.text, ha="center", va="center", fontsize=_FONT, zorder=3,
                    multialignment="center")
            if node.note:
                nb = placed.notes[node.id]
                ax.text(nb.x, nb.y, node.note, ha="center", va="center", fontsize=_SMALL, zorder=3)
            if with_indicators:
                for k, ind in enumerate(node.indicators):
                    ib = placed.shapes[f"{node.id}::{ind.name}"]
                    ax.add_patch(Rectangle((ib.left, ib.bottom), ib.width, ib.height, facecolor="white",
                                           edgecolor="black", linewidth=0.8, zorder=2))
                    ax.text(ib.x, ib.y, ind.name, ha="center", va="center", fontsize=_SMALL, zorder=3)
                    start = _anchor(box, node.latent, (ib.x, ib.y))
                    where = placed.side[node.id]
                    end = ((ib.right, ib.y) if where == "left" else (ib.left, ib.y) if where == "right"
                           else (ib.x, ib.top))
                    ax.add_patch(FancyArrowPatch(start, end, shrinkA=0, shrinkB=0, zorder=1,
                                                 **{**style, "linewidth": 0.7}))
                    # beside the factor the arrows fan out sideways and their labels have room at one
                    # height; below it they converge, so neighbouring labels sit at two heights
                    frac = 0.55 if where in ("left", "right") else (0.40 if k % 2 == 0 else 0.72)
                    mx, my = start[0] + frac * (end[0] - start[0]), start[1] + frac * (end[1] - start[1])
                    ax.text(mx, my, ind.label, ha="center", va="center", fontsize=_SMALL - 1, zorder=4,
                            bbox={"boxstyle": "square,pad=0.05", "facecolor": "white", "edgecolor": "none"})
        for path in spec.paths:
            src, dst = placed.shapes[path.source], placed.shapes[path.target]
            bends = list(placed.layout.bends.get((path.source, path.target), ()))
            first_toward = bends[0] if bends else (dst.x, dst.y)
            last_from = bends[-1] if bends else (src.x, src.y)
            start = _anchor(src, by_id[path.source].latent, first_toward)
            end = _anchor(dst, by_id[path.target].latent, last_from)
            points = [start, *bends, end]
            line: dict[str, Any] = {"linestyle": (0, (4, 3)) if not path.significant else "solid"}
            if len(points) == 2:
                arrow = FancyArrowPatch(start, end, shrinkA=0, shrinkB=2, zorder=1, **style, **line)
            else:
                codes = [MplPath.MOVETO] + [MplPath.LINETO] * (len(points) - 1)
                arrow = FancyArrowPatch(path=MplPath(points, codes), shrinkA=0, shrinkB=2, zorder=1,
                                        **style, **line)
            ax.add_patch(arrow)
            # the label sits on the middle segment, where it crosses the gap between layers
            k = (len(points) - 1) // 2
            (ax_, ay_), (bx_, by_) = points[k], points[k + 1]
            ax.text((ax_ + bx_) / 2, (ay_ + by_) / 2, path.label, ha="center", va="center", fontsize=_SMALL,
                    zorder=4, bbox={"boxstyle": "square,pad=0.08", "facecolor": "white", "edgecolor": "none"})
        for cov in spec.covariances:
            a, b = placed.shapes[cov.source], placed.shapes[cov.target]
            pa = (a.left, a.y)
            pb = (b.left, b.y)
            rad = 0.4 if pa[1] > pb[1] else -0.4
            ax.add_patch(FancyArrowPatch(pa, pb, connectionstyle=f"arc3,rad={rad}", arrowstyle="<|-|>",
                                         mutation_scale=8, color="black", linewidth=0.7, zorder=1,
                                         linestyle="solid" if cov.significant else (0, (4, 3))))
            mx = min(pa[0], pb[0]) - abs(pa[1] - pb[1]) * 0.2
            ax.text(mx, (pa[1] + pb[1]) / 2, cov.label, ha="right", va="center", fontsize=_SMALL - 0.5, zorder=4)
        for artist in [*ax.patches, *ax.texts]:
            artist.set_clip_on(False)  # the limits hold everything; no clip paths in the SVG
        return fig

    return draw


def _check(spec: DiagramSpec) -> None:
    ids = {n.id for n in spec.nodes}
    dangling = [f"{p.source} -> {p.target}" for p in (*spec.paths, *spec.covariances)
                if p.source not in ids or p.target not in ids]
    if dangling:
        raise ValueError(f"path diagram: paths between unknown variables: {', '.join(dangling)}")


def path_diagram_svg(spec: DiagramSpec, with_indicators: bool = True) -> str:
    """The path diagram as SVG text (text kept as text, so Chinese stays searchable).

    Examples
    --------
    >>> spec = DiagramSpec(nodes=(DiagramNode("X", "X", False), DiagramNode("Y", "Y", False, note="R² = .25")),
    ...                    paths=(DiagramPath("X", "Y", ".50***"),))
    >>> svg = path_diagram_svg(spec)
    >>> svg.lstrip().startswith("<?xml") and ".50***" in svg
    True
    """
    _check(spec)
    return render_svg(_drawer(spec, with_indicators))


def path_diagram_png(spec: DiagramSpec, with_indicators: bool = True, dpi: int = PNG_DPI) -> bytes:
    """The path diagram as PNG bytes (for Word)."""
    _check(spec)
    return render_png(_drawer(spec, with_indicators), dpi=dpi)


"""PROCESS diagrams as Hayes draws them: the conceptual and the statistical diagram, from finished strings.

Hayes (2022, Appendix A) shows every PROCESS model twice:

- the **conceptual diagram**: X on the left, Y on the right, the mediators between them
  (parallel mediators stacked above the X → Y line, serial ones in a row), and each
  moderator as a box whose arrow points at the *path* it moderates (a three-way model's
  second moderator points at the first moderator's arrow);
- the **statistical diagram**: every regressor of every equation (X, the mediators, the
  moderators, the products such as X × W and M × W, the covariates) as a box with one
  arrow per OLS coefficient into the outcome of its equation, labelled with the
  coefficient's symbol and value (``a1 = 0.452***``); non-significant arrows dashed.

The context builder (:mod:`semxhs.report.diagram`) decides every word and number; this
module only places and draws them. The layouts are fixed templates in plain Python:
columns for the statistical diagram (X's block of regressors, then the mediators with
the products of the second stage, then Y), rows for the conceptual one. Labels are put
along their arrow where they overlap no box and no other label
(:func:`statistical_boxes` returns everything placed, for the tests). Drawn with
matplotlib and rendered by :func:`~semxhs.report.figures.process_plots.render_svg`
(text kept as text) and :func:`~semxhs.report.figures.process_plots.render_png`.

References
----------
Hayes, A. F. (2022). *Introduction to mediation, moderation, and conditional process
analysis* (3rd ed.). Guilford Press.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle

from semxhs.report.figures.layout import Box
from semxhs.report.figures.path_diagram import DiagramPath, _text_height, _text_width
from semxhs.report.figures.process_plots import PNG_DPI, render_png, render_svg

__all__ = ["ConceptualSpec", "Moderation", "ProcessArrow", "ProcessNode", "StatisticalSpec", "conceptual_arrows",
           "conceptual_boxes", "conceptual_segments", "statistical_segments",
           "conceptual_png", "conceptual_svg", "segment_hits_box", "statistical_boxes", "statistical_png",
           "statistical_svg"]

_FONT = 9.0
_SMALL = 7.0
_PAD_X, _PAD_Y = 0.14, 0.1
_MARGIN = 0.25
_DASH = (0, (4, 3))


@dataclass(frozen=True)
class ProcessNode:
    """A box: id (a variable or a product ``"X:W"``), the text shown, and its role.

    Roles: ``"x"``, ``"m"``, ``"w"``, ``"z"``, ``"y"``, ``"product"``, ``"cov"``.
    """

    id: str
    text: str
    role: str


@dataclass(frozen=True)
class Moderation:
    """A moderator's arrow pointing at the path ``source → target`` (conceptual diagram).

    ``of_moderator`` names another moderator instead when this one moderates that
    moderator's effect (the three-way model: Z points at W's arrow).
    """

    moderator: str
    source: str
    target: str
    of_moderator: str = ""


@dataclass(frozen=True)
class ConceptualSpec:
    """Everything a conceptual diagram shows: X, Y, mediators in order, moderators, paths, moderation arrows."""

    x: ProcessNode
    y: ProcessNode
    mediators: tuple[ProcessNode, ...]
    serial: bool
    moderators: tuple[ProcessNode, ...]
    paths: tuple[tuple[str, str], ...]
    moderations: tuple[Moderation, ...]


ProcessArrow = DiagramPath
"""One regression coefficient: ``source → target`` with its label; ``significant=False`` is dashed
(the path diagram's :class:`~semxhs.report.figures.path_diagram.DiagramPath`)."""


@dataclass(frozen=True)
class StatisticalSpec:
    """Everything a statistical diagram shows.

    ``first`` are the regressors drawn in the left column (X, the moderators and products
    of the first stage, covariates last), ``mediators`` the mediators' column (top), ``second``
    the regressors of Y only drawn under the mediators (M × W, a moderator of the second stage),
    ``y`` the outcome; one arrow per coefficient.
    """

    first: tuple[ProcessNode, ...]
    mediators: tuple[ProcessNode, ...]
    second: tuple[ProcessNode, ...]
    y: ProcessNode
    arrows: tuple[ProcessArrow, ...]


def _size(node: ProcessNode) -> tuple[float, float]:
    return (_text_width(node.text, _FONT) + 2 * _PAD_X, _text_height(node.text, _FONT) + 2 * _PAD_Y)


def _edge_point(box: Box, toward: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the box centre toward ``toward`` leaves the rectangle."""
    dx, dy = toward[0] - box.x, toward[1] - box.y
    if dx == 0 and dy == 0:
        return box.x, box.y
    t = min(box.width / 2 / abs(dx) if dx else float("inf"), box.height / 2 / abs(dy) if dy else float("inf"))
    return box.x + t * dx, box.y + t * dy


def segment_hits_box(a: tuple[float, float], b: tuple[float, float], box: Box, shrink: float = 0.02) -> bool:
    """Whether the segment ``a``–``b`` passes through the inside of ``box`` (shrunk by ``shrink`` on every side).

    Liang–Barsky clipping of the segment against the rectangle.

    Examples
    --------
    >>> segment_hits_box((0, 0), (4, 0), Box(2, 0, 1, 1)), segment_hits_box((0, 2), (4, 2), Box(2, 0, 1, 1))
    (True, False)
    """
    x0, x1 = box.left + shrink, box.right - shrink
    y0, y1 = box.bottom + shrink, box.top - shrink
    if x0 >= x1 or y0 >= y1:
        return False
    dx, dy = b[0] - a[0], b[1] - a[1]
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, a[0] - x0), (dx, x1 - a[0]), (-dy, a[1] - y0), (dy, y1 - a[1])):
        if p == 0:
            if q < 0:
                return False
        else:
            r = q / p
            if p < 0:
                lo = max(lo, r)
            else:
                hi = min(hi, r)
            if lo > hi:
                return False
    return True


def _overlaps(p: Box, q: Box, gap: float = 0.0) -> bool:
    return (p.left < q.right + gap and q.left < p.right + gap and p.bottom < q.top + gap and q.bottom < p.top + gap)


# --------------------------------------------------------------------------- conceptual diagram

@dataclass(frozen=True)
class _Conceptual:
    boxes: dict[str, Box]
    paths: list[tuple[str, str, tuple[float, float], tuple[float, float], float]]  # src, dst, start, end, arc
    moderations: list[tuple[str, tuple[float, float], tuple[float, float]]]  # moderator, start, end


def _conceptual_place(spec: ConceptualSpec) -> _Conceptual:
    sizes = {n.id: _size(n) for n in (spec.x, spec.y, *spec.mediators, *spec.moderators)}
    k = len(spec.mediators)
    widest_m = max((sizes[m.id][0] for m in spec.mediators), default=0.0)
    if not spec.serial:  # stacked mediators share one width, so no arrow cuts a wider one
        sizes.update({m.id: (widest_m, sizes[m.id][1]) for m in spec.mediators})
    serial_gap = 0.7
    row = sum(sizes[m.id][0] for m in spec.mediators) + serial_gap * max(k - 1, 0)
    span = max(3.2, 2.2 + widest_m) if not spec.serial else max(3.2, 1.6 * (k + 1), row + 1.8)
    boxes: dict[str, Box] = {}
    xw, xh = sizes[spec.x.id]
    yw, yh = sizes[spec.y.id]
    boxes[spec.x.id] = Box(0.0, 0.0, xw, xh)
    boxes[spec.y.id] = Box(xw / 2 + span + yw / 2, 0.0, yw, yh)
    left, right = boxes[spec.x.id].right, boxes[spec.y.id].left
    mid = (left + right) / 2
    top = 0.0
    if spec.serial:
        # in a row, left to right, spaced by their widths; from three on, raised in an arch so that the
        # arrows from X and into Y pass under the mediators between
        x = mid - row / 2
        for i, m in enumerate(spec.mediators):
            w, h = sizes[m.id]
            lift = 0.7 * math.sin(math.pi * (i + 1) / (k + 1)) if k >= 3 else 0.0
            boxes[m.id] = Box(x + w / 2, 1.3 + lift, w, h)
            top = max(top, boxes[m.id].top)
            x += w + serial_gap
    else:
        y = 1.3
        for m in reversed(spec.mediators):  # M1 on top, as Hayes numbers them
            w, h = sizes[m.id]
            boxes[m.id] = Box(mid, y, w, h)
            top = y + h / 2
            y += h + 0.35
    med_ids = {m.id for m in spec.mediators}

    def ends(src: str, dst: str) -> tuple[tuple[float, float], tuple[float, float]]:
        """Stacked (parallel) mediators are entered on their left side and left on their right side,
        so no arrow cuts a mediator above or below its own; other arrows join the box centres."""
        a, b = boxes[src], boxes[dst]
        if not spec.serial and dst in med_ids:
            return _edge_point(a, (b.left, b.y)), (b.left, b.y)
        if not spec.serial and src in med_ids:
            return (a.right, a.y), _edge_point(b, (a.right, a.y))
        return _edge_point(a, (b.x, b.y)), _edge_point(b, (a.x, a.y))

    def midpoint(src: str, dst: str) -> tuple[float, float]:
        s, e = ends(src, dst)
        return (s[0] + e[0]) / 2, (s[1] + e[1]) / 2

    # where each moderator goes: above the X -> Y line without mediators (the second one below),
    # otherwise above X (first stage only), above Y (second stage only), or below the X -> Y line
    # (when it moderates the direct path or both stages)
    targets: dict[str, list[tuple[str, str]]] = {}
    for mod in spec.moderations:
        if not mod.of_moderator:
            targets.setdefault(mod.moderator, []).append((mod.source, mod.target))
    below_used = False
    for i, node in enumerate(spec.moderators):
        w, h = sizes[node.id]
        moderated = targets.get(node.id, [])
        kinds = {("c" if (s, t) == (spec.x.id, spec.y.id) else "a" if s == spec.x.id else "b") for s, t in moderated}
        if not moderated:  # a three-way model's Z: up and to the right of W's arrow
            anchor = boxes[spec.moderators[0].id]
            boxes[node.id] = Box(anchor.x + anchor.width / 2 + 0.9 + w / 2, anchor.y, w, h)
        elif not med_ids:
            y = (1.2 if i == 0 else -1.2)
            boxes[node.id] = Box(mid, y, w, h)
        elif "c" in kinds or len(kinds) > 1 or below_used:
            boxes[node.id] = Box(mid, -1.2, w, h)
            below_used = True
        elif kinds == {"a"}:
            boxes[node.id] = Box(boxes[spec.x.id].x, top + 0.1, w, h)
        else:  # the second stage only
            boxes[node.id] = Box(boxes[spec.y.id].x, top + 0.1, w, h)
    paths = []
    for src, dst in spec.paths:
        a, b = boxes[src], boxes[dst]
        arc = 0.0
        if spec.serial and src in med_ids and dst in med_ids:
            gap = abs([m.id for m in spec.mediators].index(dst) - [m.id for m in spec.mediators].index(src))
            arc = -0.35 if gap > 1 else 0.0  # skipping a mediator: bend over the one between
        if arc:
            start, end = (a.x, a.top), (b.x, b.top)
        else:
            start, end = ends(src, dst)
        paths.append((src, dst, start, end, arc))
    mods = []
    arrow_ends: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {}
    for mod in spec.moderations:
        if mod.of_moderator:
            continue
        point = midpoint(mod.source, mod.target)
        start = _edge_point(boxes[mod.moderator], point)
        mods.append((mod.moderator, start, point))
        arrow_ends.setdefault(mod.moderator, (start, point))
    for mod in spec.moderations:
        if mod.of_moderator:
            s, e = arrow_ends[mod.of_moderator]
            point = ((s[0] + e[0]) / 2, (s[1] + e[1]) / 2)
            mods.append((mod.moderator, _edge_point(boxes[mod.moderator], point), point))
    return _Conceptual(boxes, paths, mods)


def conceptual_boxes(spec: ConceptualSpec) -> dict[str, Box]:
    """Every box of the conceptual diagram by node id, for checking overlaps.

    Examples
    --------
    >>> from semxhs.report.figures.layout import overlapping_boxes
    >>> n = lambda i, r: ProcessNode(i, i, r)
    >>> spec = ConceptualSpec(n("X", "x"), n("Y", "y"), (n("M", "m"),), False, (n("W", "w"),),
    ...                       (("X", "M"), ("M", "Y"), ("X", "Y")), (Moderation("W", "X", "M"),))
    >>> sorted(conceptual_boxes(spec)), overlapping_boxes(conceptual_boxes(spec))
    (['M', 'W', 'X', 'Y'], [])
    """
    return dict(_conceptual_place(spec).boxes)


def conceptual_arrows(spec: ConceptualSpec) -> int:
    """How many arrows the conceptual diagram draws: one per causal path and per moderation."""
    placed = _conceptual_place(spec)
    return len(placed.paths) + len(placed.moderations)


def conceptual_segments(spec: ConceptualSpec) -> list[tuple[str, str, tuple[float, float], tuple[float, float]]]:
    """The straight arrows as ``(source, target, start, end)``; a moderator's arrow has target ``""``.

    Bent arrows (a serial path skipping a mediator) are left out. For crossing checks.
    """
    placed = _conceptual_place(spec)
    out = [(src, dst, s, e) for src, dst, s, e, arc in placed.paths if not arc]
    out += [(mod, "", s, e) for mod, s, e in placed.moderations]
    return out


def _bounds(boxes: Sequence[Box], points: Sequence[tuple[float, float]] = ()) -> tuple[float, float, float, float]:
    xs = [b.left for b in boxes] + [b.right for b in boxes] + [p[0] for p in points]
    ys = [b.bottom for b in boxes] + [b.top for b in boxes] + [p[1] for p in points]
    return min(xs) - _MARGIN, max(xs) + _MARGIN, min(ys) - _MARGIN, max(ys) + _MARGIN


def _canvas(bounds: tuple[float, float, float, float]) -> tuple[Figure, Any]:
    x0, x1, y0, y1 = bounds
    fig = Figure(figsize=(x1 - x0, y1 - y0))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_axis_off()
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    return fig, ax


def _draw_box(ax: Any, box: Box, text: str) -> None:
    ax.add_patch(Rectangle((box.left, box.bottom), box.width, box.height, facecolor="white", edgecolor="black",
                           linewidth=1.0, zorder=2))
    ax.text(box.x, box.y, text, ha="center", va="center", fontsize=_FONT, zorder=3, multialignment="center")


_ARROW: dict[str, Any] = {"arrowstyle": "-|>", "mutation_scale": 9, "color": "black", "linewidth": 0.9}


def _conceptual_drawer(spec: ConceptualSpec) -> Callable[[], Figure]:
    placed = _conceptual_place(spec)
    nodes = {n.id: n for n in (spec.x, spec.y, *spec.mediators, *spec.moderators)}
    arc_tops = [((s[0] + e[0]) / 2, s[1] + abs(arc) * abs(e[0] - s[0]) / 2 + 0.1)
                for _, _, s, e, arc in placed.paths if arc]

    def draw() -> Figure:
        fig, ax = _canvas(_bounds(list(placed.boxes.values()), arc_tops))
        for node_id, box in placed.boxes.items():
            _draw_box(ax, box, nodes[node_id].text)
        for _, _, start, end, arc in placed.paths:
            ax.add_patch(FancyArrowPatch(start, end, shrinkA=0, shrinkB=1, zorder=1,
                                         connectionstyle=f"arc3,rad={arc}", **_ARROW))
        for _, start, end in placed.moderations:
            ax.add_patch(FancyArrowPatch(start, end, shrinkA=0, shrinkB=0, zorder=1, **_ARROW))
        for artist in [*ax.patches, *ax.texts]:
            artist.set_clip_on(False)
        return fig

    return draw


def conceptual_svg(spec: ConceptualSpec) -> str:
    """The conceptual diagram as SVG text (text kept as text)."""
    return render_svg(_conceptual_drawer(spec))


def conceptual_png(spec: ConceptualSpec, dpi: int = PNG_DPI) -> bytes:
    """The conceptual diagram as PNG bytes (for Word)."""
    return render_png(_conceptual_drawer(spec), dpi=dpi)


# --------------------------------------------------------------------------- statistical diagram

_COL_GAP = 2.7  # free space between columns (room for the labels)
_FRACTIONS = sorted((k / 40 for k in range(4, 37)), key=lambda t: (abs(t - 0.5), t))  # label positions tried
_ROW_GAP = 0.28


@dataclass(frozen=True)
class _Statistical:
    boxes: dict[str, Box]
    arrows: list[tuple[ProcessArrow, tuple[float, float], tuple[float, float], float]]  # arrow, start, end, arc
    labels: dict[int, Box]  # arrow index -> label box


def _stack(nodes: Sequence[ProcessNode], x: float, top: float, sizes: dict[str, tuple[float, float]],
           boxes: dict[str, Box]) -> float:
    """Stack ``nodes`` downwards from ``top`` centred on ``x``; return the bottom."""
    y = top
    for n in nodes:
        w, h = sizes[n.id]
        boxes[n.id] = Box(x, y - h / 2, w, h)
        y -= h + _ROW_GAP
    return y + _ROW_GAP


def _statistical_place(spec: StatisticalSpec) -> _Statistical:
    nodes = (*spec.first, *spec.mediators, *spec.second, spec.y)
    sizes = {n.id: _size(n) for n in nodes}
    boxes: dict[str, Box] = {}
    # every box of a column as wide as the column's widest (as Hayes draws them): an arrow into or out
    # of one box then never cuts through a wider neighbour
    w0 = max(sizes[n.id][0] for n in spec.first)
    sizes.update({n.id: (w0, sizes[n.id][1]) for n in spec.first})
    if spec.mediators or spec.second:
        w_mid = max(sizes[n.id][0] for n in (*spec.mediators, *spec.second))
        sizes.update({n.id: (w_mid, sizes[n.id][1]) for n in (*spec.mediators, *spec.second)})
    first_height = sum(sizes[n.id][1] for n in spec.first) + _ROW_GAP * (len(spec.first) - 1)
    x0 = 0.0
    _stack(spec.first, x0, first_height / 2, sizes, boxes)
    y_centre = 0.0
    middle = [*spec.mediators, *spec.second]
    if middle:
        w1 = max(sizes[n.id][0] for n in middle)
        x1 = x0 + w0 / 2 + _COL_GAP + w1 / 2
        # the arrows from the left column to Y cross the middle column between these heights:
        # mediators go above that corridor, the second stage's regressors below it
        corridor = first_height / 4 + 0.45
        med_height = sum(sizes[n.id][1] for n in spec.mediators) + _ROW_GAP * max(len(spec.mediators) - 1, 0)
        _stack(spec.mediators, x1, corridor + med_height + 0.2, sizes, boxes)
        _stack(spec.second, x1, -corridor - 0.2, sizes, boxes)
        x_y = x1 + w1 / 2 + _COL_GAP + sizes[spec.y.id][0] / 2
    else:
        x_y = x0 + w0 / 2 + _COL_GAP + sizes[spec.y.id][0] / 2
    boxes[spec.y.id] = Box(x_y, y_centre, *sizes[spec.y.id])
    order = {m.id: i for i, m in enumerate(spec.mediators)}
    column = {n.id: k for k, group in enumerate((spec.first, (*spec.mediators, *spec.second), (spec.y,)))
              for n in group}
    arrows = []
    for a in spec.arrows:
        s, t = boxes[a.source], boxes[a.target]
        arc = 0.0
        if a.source in order and a.target in order:  # serial mediators stacked: M1 -> M2 straight down,
            arc = 0.0 if abs(order[a.target] - order[a.source]) == 1 else 0.5  # skipping one bends around it
        if arc:
            start, end = (s.right, s.y), (t.right, t.y)
        elif column[a.source] < column[a.target]:
            # out of the right side, into the left side: the arrow stays between the columns it joins
            start, end = (s.right, s.y), (t.left, t.y)
        else:
            start, end = _edge_point(s, (t.x, t.y)), _edge_point(t, (s.x, s.y))
        arrows.append((a, start, end, arc))
    # labels: along the arrow, where they overlap no box and no label already placed
    labels: dict[int, Box] = {}
    taken = list(boxes.values())
    for i, (a, start, end, arc) in enumerate(arrows):
        w, h = _text_width(a.label, _SMALL) + 0.06, _text_height(a.label, _SMALL)
        chosen = None
        for frac in _FRACTIONS:
            if arc:
                cx = max(start[0], end[0]) + arc * abs(end[1] - start[1]) / 2 + w / 2 + 0.02
                cy = start[1] + frac * (end[1] - start[1])
            else:
                cx, cy = start[0] + frac * (end[0] - start[0]), start[1] + frac * (end[1] - start[1])
            cand = Box(cx, cy, w, h)
            if not any(_overlaps(cand, b, 0.01) for b in taken):
                chosen = cand
                break
        if chosen is None:  # crowded: the middle of the arrow
            chosen = Box(start[0] + 0.5 * (end[0] - start[0]), start[1] + 0.5 * (end[1] - start[1]), w, h)
        labels[i] = chosen
        taken.append(chosen)
    return _Statistical(boxes, arrows, labels)


def statistical_boxes(spec: StatisticalSpec) -> dict[str, Box]:
    """Every box of the statistical diagram: nodes by id, arrow labels as ``"label::<k>"``.

    Examples
    --------
    >>> from semxhs.report.figures.layout import overlapping_boxes
    >>> n = lambda i, r: ProcessNode(i, i, r)
    >>> spec = StatisticalSpec((n("X", "x"), n("W", "w"), n("X × W", "product")), (), (), n("Y", "y"),
    ...                        (ProcessArrow("X", "Y", "b1 = 0.5***"), ProcessArrow("W", "Y", "b2 = 0.1"),
    ...                         ProcessArrow("X × W", "Y", "b3 = 0.2*", True)))
    >>> boxes = statistical_boxes(spec)
    >>> sorted(boxes), overlapping_boxes(boxes)
    (['W', 'X', 'X × W', 'Y', 'label::0', 'label::1', 'label::2'], [])
    """
    placed = _statistical_place(spec)
    out = dict(placed.boxes)
    out.update({f"label::{i}": b for i, b in placed.labels.items()})
    return out


def statistical_segments(spec: StatisticalSpec) -> list[tuple[str, str, tuple[float, float], tuple[float, float]]]:
    """The straight arrows as ``(source, target, start, end)`` (bent ones left out), for crossing checks."""
    return [(a.source, a.target, s, e) for a, s, e, arc in _statistical_place(spec).arrows if not arc]


def _statistical_drawer(spec: StatisticalSpec) -> Callable[[], Figure]:
    placed = _statistical_place(spec)
    nodes = {n.id: n for n in (*spec.first, *spec.mediators, *spec.second, spec.y)}
    bulges = [(max(s[0], e[0]) + arc * abs(e[1] - s[1]) / 2 + 0.1, (s[1] + e[1]) / 2)
              for _, s, e, arc in placed.arrows if arc]

    def draw() -> Figure:
        fig, ax = _canvas(_bounds([*placed.boxes.values(), *placed.labels.values()], bulges))
        for node_id, box in placed.boxes.items():
            _draw_box(ax, box, nodes[node_id].text)
        for i, (a, start, end, arc) in enumerate(placed.arrows):
            line: dict[str, Any] = {"linestyle": "solid" if a.significant else _DASH}
            ax.add_patch(FancyArrowPatch(start, end, shrinkA=0, shrinkB=1, zorder=1,
                                         connectionstyle=f"arc3,rad={arc}", **_ARROW, **line))
            lb = placed.labels[i]
            ax.text(lb.x, lb.y, a.label, ha="center", va="center", fontsize=_SMALL, zorder=4,
                    bbox={"boxstyle": "square,pad=0.06", "facecolor": "white", "edgecolor": "none"})
        for artist in [*ax.patches, *ax.texts]:
            artist.set_clip_on(False)
        return fig

    return draw


def _check(spec: StatisticalSpec) -> None:
    ids = {n.id for n in (*spec.first, *spec.mediators, *spec.second, spec.y)}
    dangling = [f"{a.source} -> {a.target}" for a in spec.arrows if a.source not in ids or a.target not in ids]
    if dangling:
        raise ValueError(f"statistical diagram: arrows between unknown boxes: {', '.join(dangling)}")


def statistical_svg(spec: StatisticalSpec) -> str:
    """The statistical diagram as SVG text (text kept as text).

    Examples
    --------
    >>> n = lambda i, r: ProcessNode(i, i, r)
    >>> spec = StatisticalSpec((n("X", "x"),), (), (), n("Y", "y"), (ProcessArrow("X", "Y", "b1 = 0.500***"),))
    >>> svg = statistical_svg(spec)
    >>> svg.lstrip().startswith("<?xml") and "b1 = 0.500***" in svg
    True
    """
    _check(spec)
    return render_svg(_statistical_drawer(spec))


def statistical_png(spec: StatisticalSpec, dpi: int = PNG_DPI) -> bytes:
    """The statistical diagram as PNG bytes (for Word)."""
    _check(spec)
    return render_png(_statistical_drawer(spec), dpi=dpi)

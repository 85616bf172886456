"""A layered (Sugiyama-style) left-to-right layout for path diagrams, in plain Python.

No system Graphviz is needed: the layout is computed here, in four classic steps
(Sugiyama, Tagawa & Toda, 1981; Gansner et al., 1993):

1. break cycles (edges that close a cycle in depth-first order are reversed for layering),
2. assign layers by longest path from the sources, so every path points to the right,
3. insert dummy points on edges that span several layers (they reserve room, so a long
   edge never runs through a box), and order each layer by repeated barycenter sweeps to
   reduce crossings,
4. place the layers left to right (spaced by their widest box) and stack each layer's
   boxes top to bottom (spaced by their heights), centred on one axis.

Everything is in abstract units (inches when the caller measures boxes in inches). The
result is data: box centres and the dummy points of long edges. :func:`overlapping_boxes`
checks the outcome and the tests run it on every reference model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Box", "Layout", "layered_layout", "overlapping_boxes"]


@dataclass(frozen=True)
class Box:
    """A placed box: centre ``(x, y)`` and size (``y`` grows upwards)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width / 2

    @property
    def bottom(self) -> float:
        return self.y - self.height / 2

    @property
    def top(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class Layout:
    """Placed boxes by node id, each node's layer, and the bend points of every edge.

    ``bends[(source, target)]`` holds the dummy points an edge spanning several layers
    passes through (empty for an edge between neighbouring layers).
    """

    boxes: Mapping[str, Box]
    layers: Mapping[str, int]
    bends: Mapping[tuple[str, str], tuple[tuple[float, float], ...]]

    @property
    def width(self) -> float:
        return max(b.right for b in self.boxes.values()) - min(b.left for b in self.boxes.values())

    @property
    def height(self) -> float:
        return max(b.top for b in self.boxes.values()) - min(b.bottom for b in self.boxes.values())


def _acyclic_edges(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The edges with those that close a cycle (in depth-first order) reversed."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        if a != b:
            succ[a].append(b)
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()

    def visit(v: str) -> None:
        state[v] = 1
        for w in succ[v]:
            if state.get(w) == 1:
                back.add((v, w))
            elif w not in state:
                visit(w)
        state[v] = 2

    for n in nodes:
        if n not in state:
            visit(n)
    return [(b, a) if (a, b) in back else (a, b) for a, b in edges if a != b]


def _layers(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layering of a DAG: sources in layer 0, every edge points to a later layer."""
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        preds[b].append(a)
    layer: dict[str, int] = {}

    def depth(v: str) -> int:
        if v not in layer:
            layer[v] = 0  # guards against cycles (the edges given are acyclic)
            layer[v] = max((depth(p) + 1 for p in preds[v]), default=0)
        return layer[v]

    for n in nodes:
        depth(n)
    return layer


def layered_layout(nodes: Sequence[str], sizes: Mapping[str, tuple[float, float]],
                   edges: Sequence[tuple[str, str]], *, layer_gap: float = 1.0, node_gap: float = 0.35,
                   dummy_size: tuple[float, float] = (0.1, 0.3), sweeps: int = 8) -> Layout:
    """Place ``nodes`` (boxes of ``sizes[node] = (width, height)``) left to right along ``edges``.

    Parameters
    ----------
    nodes : sequence of str
        Node ids, in the order that breaks ties (the model's order).
    sizes : mapping
        Width and height of each node's box.
    edges : sequence of (str, str)
        Directed edges (source, target); they point to the right in the result.
    layer_gap, node_gap : float
        Free space between neighbouring layers, and between neighbouring boxes of a layer.
    dummy_size : (float, float)
        Room kept for a long edge where it crosses a layer.
    sweeps : int
        Barycenter sweeps (down and up) to reduce crossings.

    Returns
    -------
    Layout

    Examples
    --------
    >>> lay = layered_layout(["X", "M", "Y"], {"X": (1, .5), "M": (1, .5), "Y": (1, .5)},
    ...                      [("X", "M"), ("M", "Y"), ("X", "Y")])
    >>> [lay.layers[n] for n in "XMY"]
    [0, 1, 2]
    >>> lay.boxes["X"].x < lay.boxes["M"].x < lay.boxes["Y"].x
    True
    >>> len(lay.bends[("X", "Y")])  # the long edge bends once, around M
    1
    >>> overlapping_boxes(lay.boxes)
    []
    """
    nodes = list(dict.fromkeys(nodes))
    known = set(nodes)
    unknown = [e for e in edges if e[0] not in known or e[1] not in known]
    if unknown:
        raise ValueError(f"edges between unknown nodes: {unknown}")
    dag = _acyclic_edges(nodes, edges)
    layer = _layers(nodes, dag)
    n_layers = max(layer.values(), default=0) + 1

    # split long edges into unit steps through dummy nodes
    chains: dict[tuple[str, str], list[str]] = {}
    order_nodes = list(nodes)
    unit_edges: list[tuple[str, str]] = []
    kind_size = dict(sizes)
    for (a, b), original in zip(dag, [e for e in edges if e[0] != e[1]]):
        chain = [a]
        for k in range(layer[a] + 1, layer[b]):
            dummy = f"\x00{a}\x00{b}\x00{k}"
            layer[dummy] = k
            kind_size[dummy] = dummy_size
            order_nodes.append(dummy)
            chain.append(dummy)
        chain.append(b)
        unit_edges.extend(zip(chain[:-1], chain[1:]))
        chains[original] = chain if original == (a, b) else chain[::-1]

    ranks: list[list[str]] = [[] for _ in range(n_layers)]
    for n in order_nodes:
        ranks[layer[n]].append(n)
    preds: dict[str, list[str]] = {n: [] for n in order_nodes}
    succs: dict[str, list[str]] = {n: [] for n in order_nodes}
    for a, b in unit_edges:
        succs[a].append(b)
        preds[b].append(a)

    def reorder(rank: list[str], neighbours: Mapping[str, list[str]], position: Mapping[str, int]) -> list[str]:
        def key(item: tuple[int, str]) -> tuple[float, int]:
            i, v = item
            adj = [position[u] for u in neighbours[v]]
            return (sum(adj) / len(adj) if adj else float(i), i)

        return [v for _, v in sorted(enumerate(rank), key=key)]

    for sweep in range(sweeps):
        position = {v: i for r in ranks for i, v in enumerate(r)}
        if sweep % 2 == 0:
            for k in range(1, n_layers):
                ranks[k] = reorder(ranks[k], preds, position)
                position.update({v: i for i, v in enumerate(ranks[k])})
        else:
            for k in range(n_layers - 2, -1, -1):
                ranks[k] = reorder(ranks[k], succs, position)
                position.update({v: i for i, v in enumerate(ranks[k])})

    widths = [max(kind_size[v][0] for v in r) if r else 0.0 for r in ranks]
    boxes: dict[str, Box] = {}
    x = 0.0
    for k, rank in enumerate(ranks):
        x_centre = x + widths[k] / 2
        total = sum(kind_size[v][1] for v in rank) + node_gap * (len(rank) - 1)
        y = total / 2
        for v in rank:
            w, h = kind_size[v]
            boxes[v] = Box(x_centre, y - h / 2, w, h)
            y -= h + node_gap
        x += widths[k] + layer_gap
    bends = {edge: tuple((boxes[d].x, boxes[d].y) for d in chain[1:-1]) for edge, chain in chains.items()}
    real = {n: boxes[n] for n in nodes}
    return Layout(boxes=real, layers={n: layer[n] for n in nodes}, bends=bends)


def overlapping_boxes(boxes: Mapping[str, Box], tolerance: float = 1e-9) -> list[tuple[str, str]]:
    """Pairs of boxes that overlap (touching edges do not count).

    Examples
    --------
    >>> overlapping_boxes({"a": Box(0, 0, 1, 1), "b": Box(0.5, 0.5, 1, 1), "c": Box(3, 0, 1, 1)})
    [('a', 'b')]
    """
    names = list(boxes)
    out = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            p, q = boxes[a], boxes[b]
            if (p.left < q.right - tolerance and q.left < p.right - tolerance
                    and p.bottom < q.top - tolerance and q.bottom < p.top - tolerance):
                out.append((a, b))
    return out

"""Direct, indirect and total effects of a structural model (pure functions of its regressions).

The structural part of a model is its ``~`` regressions among observed and latent
variables (loadings are not structural). With ``B`` the matrix of those regressions
(``B[y, x]`` = effect of ``x`` on ``y``), a *specific indirect effect* is the product of the
coefficients along one path ``X -> M1 -> ... -> Y`` with at least one mediator; the *total
effects* are ``(I - B)^-1 - I`` (Bollen, 1987; Fox, 1980), the *total indirect* effect is
total minus direct. This is what AMOS and Mplus ``MODEL INDIRECT`` report. Standardized
effects (lavaan's ``std.all`` scaling) are ``effect * sd(X) / sd(Y)`` with model-implied
standard deviations. Every function works on a stack of matrices (one per bootstrap draw).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from semxhs.sem.ram import RamStructure  # noqa: F401  (used in doctests)
from semxhs.sem.partable import ParTable, build_partable  # noqa: F401

SPECIFIC, TOTAL_INDIRECT, DIRECT, TOTAL = "specific", "total indirect", "direct", "total"


@dataclass(frozen=True)
class EffectSpec:
    """One effect of ``source`` on ``target``.

    ``kind`` is ``"specific"`` (``nodes`` is the whole path), ``"total indirect"``,
    ``"direct"`` or ``"total"`` (``nodes`` is ``(source, target)``).
    """

    source: str
    target: str
    kind: str
    nodes: tuple[str, ...]

    @property
    def path(self) -> str:
        """``"X -> M -> Y"`` for a specific path, else the kind."""
        return " -> ".join(self.nodes) if self.kind == SPECIFIC else self.kind


@dataclass(frozen=True)
class EffectPlan:
    """Which effects to compute and where their pieces sit in the RAM matrix ``A``.

    Attributes
    ----------
    names : tuple of str
        All variables of the model, indexed as the rows/columns of ``A``.
    structural : tuple of int
        Indices (into ``names``) of the variables in the structural part.
    mask : numpy.ndarray
        ``(k, k)`` bool: ``mask[y, x]`` when ``y ~ x`` is a regression (structural indices).
    effects : tuple of EffectSpec
    recursive : bool
        False when the regressions form a cycle; specific paths are then not enumerated.
    """

    names: tuple[str, ...]
    structural: tuple[int, ...]
    mask: np.ndarray = field(repr=False)
    effects: tuple[EffectSpec, ...]
    recursive: bool


def structural_part(partable: ParTable) -> tuple[tuple[str, ...], np.ndarray]:
    """Variables of the structural part and the pattern of its regressions.

    Examples
    --------
    >>> names, mask = structural_part(build_partable("M ~ X\\nY ~ M + X"))
    >>> names, mask.astype(int).tolist()
    (('M', 'X', 'Y'), [[0, 1, 0], [0, 0, 0], [1, 1, 0]])
    """
    order = partable.observed + partable.latent
    used = {v for p in partable.params if p.op == "~" for v in (p.lhs, p.rhs)}
    names = tuple(v for v in order if v in used)
    pos = {v: i for i, v in enumerate(names)}
    mask = np.zeros((len(names), len(names)), dtype=bool)
    for p in partable.params:
        if p.op == "~" and not (p.free == 0 and p.value == 0.0):
            mask[pos[p.lhs], pos[p.rhs]] = True
    return names, mask


def is_acyclic(mask: np.ndarray) -> bool:
    """True when the regression pattern ``mask[y, x]`` has no cycle (a recursive model).

    Examples
    --------
    >>> is_acyclic(np.array([[0, 1], [0, 0]], bool)), is_acyclic(np.array([[0, 1], [1, 0]], bool))
    (True, False)
    """
    remaining = set(range(mask.shape[0]))
    while remaining:
        sources = [v for v in remaining if not any(mask[v, u] for u in remaining)]
        if not sources:
            return False
        remaining -= set(sources)
    return True


def _topological_order(mask: np.ndarray) -> list[int]:
    """Causes before effects; ties in index order (the pattern must be acyclic)."""
    remaining = list(range(mask.shape[0]))
    order: list[int] = []
    while remaining:
        ready = [v for v in remaining if not any(mask[v, u] for u in remaining)]
        order.extend(ready)
        remaining = [v for v in remaining if v not in ready]
    return order


def enumerate_paths(mask: np.ndarray, source: int, target: int) -> list[tuple[int, ...]]:
    """Every directed path from ``source`` to ``target`` with at least one mediator.

    ``mask[y, x]`` means ``x -> y``. Paths come shortest first, then in index order. The
    pattern must be acyclic.

    Examples
    --------
    >>> m = np.zeros((4, 4), bool); m[1, 0] = m[2, 0] = m[2, 1] = m[3, 1] = m[3, 2] = True
    >>> enumerate_paths(m, 0, 3)  # 0 -> 1 -> 3, 0 -> 2 -> 3, 0 -> 1 -> 2 -> 3
    [(0, 1, 3), (0, 2, 3), (0, 1, 2, 3)]
    """
    found: list[tuple[int, ...]] = []

    def walk(path: tuple[int, ...]) -> None:
        last = path[-1]
        for nxt in np.flatnonzero(mask[:, last]):
            nxt = int(nxt)
            if nxt == target:
                if len(path) >= 2:
                    found.append(path + (nxt,))
            elif nxt not in path:
                walk(path + (nxt,))

    walk((source,))
    return sorted(found, key=lambda p: (len(p), p))


def effect_plan(partable: ParTable) -> EffectPlan:
    """All effects worth reporting: every ``X -> Y`` pair joined by an indirect path.

    For each such pair: each specific indirect path, the total indirect effect, the direct
    effect (when ``Y ~ X`` is in the model) and the total effect.

    Examples
    --------
    >>> plan = effect_plan(build_partable("M1 ~ X\\nM2 ~ X + M1\\nY ~ M1 + M2 + X"))
    >>> [(e.source, e.target, e.path) for e in plan.effects][:4]  # doctest: +NORMALIZE_WHITESPACE
    [('X', 'M2', 'X -> M1 -> M2'), ('X', 'M2', 'total indirect'), ('X', 'M2', 'direct'),
     ('X', 'M2', 'total')]
    >>> [e.path for e in plan.effects if (e.source, e.target) == ("X", "Y")]  # doctest: +NORMALIZE_WHITESPACE
    ['X -> M1 -> Y', 'X -> M2 -> Y', 'X -> M1 -> M2 -> Y', 'total indirect', 'direct', 'total']
    """
    all_names = partable.observed + partable.latent
    index = {v: i for i, v in enumerate(all_names)}
    names, mask = structural_part(partable)
    recursive = is_acyclic(mask)
    effects: list[EffectSpec] = []
    if recursive:
        order = _topological_order(mask)
        for s in order:
            for t in order:
                if s == t:
                    continue
                paths = enumerate_paths(mask, s, t)
                if not paths:
                    continue
                src, tgt = names[s], names[t]
                effects.extend(EffectSpec(src, tgt, SPECIFIC, tuple(names[i] for i in p)) for p in paths)
                effects.append(EffectSpec(src, tgt, TOTAL_INDIRECT, (src, tgt)))
                if mask[t, s]:
                    effects.append(EffectSpec(src, tgt, DIRECT, (src, tgt)))
                effects.append(EffectSpec(src, tgt, TOTAL, (src, tgt)))
    return EffectPlan(all_names, tuple(index[v] for v in names), mask, tuple(effects), recursive)


def effect_values(A: np.ndarray, plan: EffectPlan) -> np.ndarray:
    """Values of the planned effects from RAM matrices ``A`` of shape ``(..., m, m)``.

    Returns ``(..., len(plan.effects))``. ``A`` may be complex (complex-step derivatives).

    Examples
    --------
    >>> pt = build_partable("M ~ X\\nY ~ M + X")
    >>> plan = effect_plan(pt)
    >>> A = RamStructure(pt).matrices(np.array([0.5, 0.4, 0.2, 1.0, 1.0]))[0]
    >>> [e.path for e in plan.effects], effect_values(A, plan).round(3).tolist()
    (['X -> M -> Y', 'total indirect', 'direct', 'total'], [0.2, 0.2, 0.2, 0.4])
    """
    A = np.asarray(A)
    batch = A.shape[:-2]
    out = np.zeros(batch + (len(plan.effects),), dtype=A.dtype)
    if not plan.effects:
        return out
    s = np.asarray(plan.structural)
    pos = {plan.names[i]: k for k, i in enumerate(s)}
    Bs = A[..., s[:, None], s[None, :]] * plan.mask
    k = len(s)
    T = np.linalg.inv(np.eye(k) - Bs) - np.eye(k)
    for e_i, e in enumerate(plan.effects):
        src, tgt = pos[e.source], pos[e.target]
        if e.kind == SPECIFIC:
            value = np.ones(batch, dtype=A.dtype)
            for a, b in zip(e.nodes[:-1], e.nodes[1:]):
                value = value * Bs[..., pos[b], pos[a]]
        elif e.kind == TOTAL:
            value = T[..., tgt, src]
        elif e.kind == DIRECT:
            value = Bs[..., tgt, src]
        else:
            value = T[..., tgt, src] - Bs[..., tgt, src]
        out[..., e_i] = value
    return out


def standardized_effects(values: np.ndarray, variances: np.ndarray, plan: EffectPlan) -> np.ndarray:
    """Scale effects to ``std.all``: ``effect * sd(source) / sd(target)``.

    ``variances`` holds the model-implied variances of all variables, ``(..., m)``.

    Examples
    --------
    >>> pt = build_partable("M ~ X\\nY ~ M + X")
    >>> standardized_effects(np.array([0.2, 0.2, 0.2, 0.4]), np.array([1.0, 4.0, 1.0]), effect_plan(pt)).tolist()
    [0.4, 0.4, 0.4, 0.8]
    """
    index = {v: i for i, v in enumerate(plan.names)}
    src = np.array([index[e.source] for e in plan.effects], dtype=int)
    tgt = np.array([index[e.target] for e in plan.effects], dtype=int)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(np.asarray(variances, dtype=float))
        return values * sd[..., src] / sd[..., tgt]


"""Indirect effects of a structural model, with a fast bootstrap of the whole SEM.

Effects (pure functions of the regression matrix)
    The structural part of a model is its ``~`` regressions among observed and latent
    variables (loadings are not structural). With ``B`` the matrix of those regressions
    (``B[y, x]`` = effect of ``x`` on ``y``), a *specific indirect effect* is the product of
    the coefficients along one path ``X -> M1 -> ... -> Y`` with at least one mediator; the
    *total effects* are ``(I - B)^-1 - I`` (Bollen, 1987; Fox, 1980), the *total indirect*
    effect is total minus direct. This is what AMOS and Mplus ``MODEL INDIRECT`` report.
    Standardized effects (lavaan's ``std.all`` scaling) are ``effect * sd(X) / sd(Y)`` with
    model-implied standard deviations. Every function works on a stack of matrices (one
    per bootstrap draw) at once: :func:`effect_plan`, :func:`effect_values`,
    :func:`standardized_effects`.

Bootstrap (:func:`bootstrap_sem`)
    The resampling is :mod:`semxhs.bootstrap`'s; this module supplies the statistic: the
    model refitted on a block of resamples at once.

    - *Closed form.* When ML is equation-by-equation OLS (:func:`closed_form_reason` gives
      the exact condition: observed variables only, recursive, uncorrelated residuals
      except within blocks of outcomes with the same predictors, no equality constraints or
      fixed coefficients, saturated exogenous moments), every draw is solved by batched
      normal equations from the resample's moments.
    - *Otherwise*, batched Newton iterations (:class:`BatchedML`): all draws of a block are
      iterated together from the full-sample estimates with analytic derivatives (one
      Fisher-scoring step, then Newton with the exact Hessian where it is positive definite
      and scoring elsewhere; Fisher scoring only with a mean structure), step halving per
      draw. A draw that does not converge in ``max_iter`` steps, stalls, or stops at a
      saddle point (Hessian not positive definite) is refitted alone by
      :func:`semxhs.estimate.fit_ml`, from data-based start values and then from the
      full-sample estimates; if neither converges, the draw is ``NONCONVERGED``.

    In either case the exogenous (``fixed.x``) moments of a draw are the draw's sample
    moments, as in lavaan. A resample's moments are matrix products of its row counts.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from semxhs import bootstrap as bt
from semxhs.data import add_products, model_columns
from semxhs.errors import EstimationError, SpecError
from semxhs.estimate import Moments, fit_ml, unit_information
from semxhs.expression import Node, evaluate, substitute
from semxhs.ram import RamStructure
from semxhs.results import json_safe
from semxhs.spec import ParTable, build_partable
from semxhs.standardize import std_all

# ----------------------------------------------------------------------------------------
# effects: pure functions on the regression matrix
# ----------------------------------------------------------------------------------------
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


# ----------------------------------------------------------------------------------------
# resample moments
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BatchMoments:
    """Sample moments (divisor N) of a stack of resamples."""

    cov: np.ndarray  # (b, p, p)
    mean: np.ndarray  # (b, p)
    n: int


class ResampleMoments:
    """Moments of resamples from their row counts: ``mean = counts @ x / n`` and so on.

    The data are centered at the full-sample mean first, so the cross-products lose no
    precision; covariances do not depend on the centering and the mean is shifted back.
    """

    #: Above this many elements the per-row outer products are not stored (memory).
    MAX_OUTER = 20_000_000

    def __init__(self, values: np.ndarray) -> None:
        self.n, self.p = values.shape
        self.center = values.mean(axis=0)
        self.x = values - self.center
        self.xx = None
        if self.n * self.p * self.p <= self.MAX_OUTER:
            self.xx = (self.x[:, :, None] * self.x[:, None, :]).reshape(self.n, self.p * self.p)

    def __call__(self, indices: np.ndarray) -> BatchMoments:
        counts = bt.resample_counts(indices, self.n)
        m = counts @ self.x / self.n
        if self.xx is not None:
            second = (counts @ self.xx / self.n).reshape(-1, self.p, self.p)
        else:
            second = np.einsum("bn,ni,nj->bij", counts, self.x, self.x, optimize=True) / self.n
        cov = second - m[:, :, None] * m[:, None, :]
        cov = (cov + cov.transpose(0, 2, 1)) / 2
        return BatchMoments(cov=cov, mean=m + self.center, n=self.n)


# ----------------------------------------------------------------------------------------
# batched estimation
# ----------------------------------------------------------------------------------------
#: Iteration limit of each stage of a draw refitted alone (scoring, then BFGS with 20 times as many).
FALLBACK_ITERATIONS = 10


class BatchedML:
    """Maximum likelihood for a stack of samples at once (one model, many moment sets).

    Built once from a :class:`~semxhs.ram.RamStructure`; the exogenous (``fixed.x``)
    entries of ``S`` and ``alpha`` are filled per sample from that sample's moments.
    """

    def __init__(self, structure: RamStructure) -> None:
        self.structure = structure
        s = structure
        self.p, self.m, self.q = s.p, s.m, s.q
        self.meanstructure = s.meanstructure
        self.A0, self.S0, self.alpha0 = s.A0, s.S0, s.alpha0
        exo_s: list[tuple[int, int]] = []
        exo_m: list[int] = []
        for prm in s.partable.params:
            if prm.exo and prm.op == "~~":
                exo_s.append((s.index[prm.lhs], s.index[prm.rhs]))
            elif prm.exo and prm.op == "~1":
                exo_m.append(s.index[prm.lhs])
        self.exo_s_rows = np.array([i for i, _ in exo_s], dtype=int)
        self.exo_s_cols = np.array([j for _, j in exo_s], dtype=int)
        self.exo_m = np.array(exo_m, dtype=int)
        self.var_idx = s.s_idx[s.s_rows == s.s_cols]  # free variances
        pos_idx = np.concatenate([s.a_idx, s.s_idx, s.m_idx]).astype(int)
        #: (positions, q) 0/1 matrix: position r holds free parameter k
        self.to_free = np.zeros((pos_idx.size, self.q))
        self.to_free[np.arange(pos_idx.size), pos_idx] = 1.0
        # without equality constraints the positions are a permutation of the free parameters
        unique = pos_idx.size == self.q and np.array_equal(np.sort(pos_idx), np.arange(self.q))
        self._order = np.argsort(pos_idx) if unique else None

    # -- matrices ------------------------------------------------------------------------
    def matrices(self, theta: np.ndarray, mom: BatchMoments | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``A``, ``S`` and ``alpha`` for a stack of parameter vectors ``(b, q)``."""
        s = self.structure
        b = theta.shape[0]
        dtype = np.result_type(theta.dtype, float)
        A = np.broadcast_to(self.A0, (b, self.m, self.m)).astype(dtype)
        S = np.broadcast_to(self.S0, (b, self.m, self.m)).astype(dtype)
        alpha = np.broadcast_to(self.alpha0, (b, self.m)).astype(dtype)
        A[:, s.a_rows, s.a_cols] = theta[:, s.a_idx]
        S[:, s.s_rows, s.s_cols] = theta[:, s.s_idx]
        S[:, s.s_cols, s.s_rows] = theta[:, s.s_idx]
        alpha[:, s.m_rows] = theta[:, s.m_idx]
        if mom is not None and self.exo_s_rows.size:
            vals = mom.cov[:, self.exo_s_rows, self.exo_s_cols]
            S[:, self.exo_s_rows, self.exo_s_cols] = vals
            S[:, self.exo_s_cols, self.exo_s_rows] = vals
        if mom is not None and self.exo_m.size:
            alpha[:, self.exo_m] = mom.mean[:, self.exo_m]
        return A, S, alpha

    def implied(self, theta: np.ndarray, mom: BatchMoments | None = None) -> dict[str, np.ndarray]:
        """Implied moments of all variables for a stack of parameter vectors."""
        A, S, alpha = self.matrices(theta, mom)
        eye = np.eye(self.m)
        Bi = np.linalg.inv(eye - A)
        C = Bi @ S @ Bi.transpose(0, 2, 1)
        p = self.p
        mu = np.einsum("bij,bj->bi", Bi[:, :p, :], alpha)
        return {"A": A, "S": S, "alpha": alpha, "B": Bi, "C": C, "sigma": C[:, :p, :p], "mu": mu}

    def discrepancy(self, theta: np.ndarray, mom: BatchMoments, logdet_s: np.ndarray) -> np.ndarray:
        """F_ML per sample; ``inf`` where the implied covariance is not positive definite."""
        out = np.full(theta.shape[0], np.inf)
        with np.errstate(all="ignore"):
            try:
                sigma = self.implied(theta, mom)["sigma"]
            except np.linalg.LinAlgError:
                return out
            pd_ok = _cholesky_ok(sigma)
            if not pd_ok.any():
                return out
            sig = sigma[pd_ok]
            L = np.linalg.cholesky(sig)
            logdet = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
            inv = np.linalg.inv(sig)
            value = logdet + np.einsum("bij,bji->b", mom.cov[pd_ok], inv) - logdet_s[pd_ok] - self.p
            if self.meanstructure:
                mu = self.implied(theta[pd_ok], _take(mom, np.flatnonzero(pd_ok)))["mu"]
                d = mom.mean[pd_ok] - mu
                value = value + np.einsum("bi,bij,bj->b", d, inv, d)
        out[pd_ok] = np.where(np.isfinite(value), value, np.inf)
        return out

    def directions(self, imp: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The derivatives of Sigma as symmetrized outer products, and of mu.

        Every free position ``r`` (entries of ``A``, then ``S``, then ``alpha``; a label
        shared by several entries has several positions, :attr:`to_free` maps them to the
        free parameters) has ``dSigma_r = u_r v_r' + v_r u_r'`` (McArdle & McDonald, 1984):
        ``u = FB e_i``, ``v = FC e_j`` for ``A_ij``; ``u = FB e_k``, ``v = FB e_l`` for
        ``S_kl`` (``v`` halved when ``k = l``); zero for ``alpha``. Returns ``U, V`` of shape
        ``(b, p, r)`` and ``dmu (b, r, p)`` (``None`` without a mean structure).
        """
        s = self.structure
        p = self.p
        Bi, C = imp["B"], imp["C"]
        b = Bi.shape[0]
        FB = Bi[:, :p, :]
        FC = C[:, :p, :]
        U = np.concatenate([FB[:, :, s.a_rows], FB[:, :, s.s_rows], np.zeros((b, p, s.m_idx.size))], axis=2)
        half = np.where(s.s_rows == s.s_cols, 0.5, 1.0)
        V = np.concatenate([FC[:, :, s.a_cols], FB[:, :, s.s_cols] * half, np.zeros((b, p, s.m_idx.size))],
                           axis=2)
        d_mu = None
        if self.meanstructure:
            balpha = np.einsum("bij,bj->bi", Bi, imp["alpha"])
            d_mu = np.concatenate([
                (FB[:, :, s.a_rows] * balpha[:, None, s.a_cols]).transpose(0, 2, 1),
                np.zeros((b, s.s_idx.size, p)),
                FB[:, :, s.m_rows].transpose(0, 2, 1),
            ], axis=1)
        return U, V, d_mu

    def _hessian_structural(self, imp: dict[str, np.ndarray], W: np.ndarray) -> np.ndarray:
        """``tr(W d2Sigma/dtheta_a dtheta_b)`` per pair of positions, ``(b, r, r)``.

        With ``M = B'F'WFB`` and ``P = CF'WFB``: for ``a = A_ij``, ``b = A_kl``:
        ``2 B_li P_jk + 2 B_jk P_li + 2 C_jl M_ki``; for ``a = A_ij``, ``b = S_kl``:
        ``2 (B_jk M_li + B_jl M_ki)`` (halved when ``k = l``); zero for two ``S`` entries.
        """
        s = self.structure
        p = self.p
        Bi, C = imp["B"], imp["C"]
        FB = Bi[:, :p, :]
        M = FB.transpose(0, 2, 1) @ W @ FB
        P = C[:, :p, :].transpose(0, 2, 1) @ W @ FB
        b, na, ns = Bi.shape[0], s.a_idx.size, s.s_idx.size
        H = np.zeros((b, self.n_pos, self.n_pos))
        if na:
            i, j = s.a_rows[:, None], s.a_cols[:, None]
            k, l = s.a_rows[None, :], s.a_cols[None, :]
            H[:, :na, :na] = 2.0 * (Bi[:, l, i] * P[:, j, k] + Bi[:, j, k] * P[:, l, i] + C[:, j, l] * M[:, k, i])
            if ns:
                k, l = s.s_rows[None, :], s.s_cols[None, :]
                half = np.where(s.s_rows == s.s_cols, 0.5, 1.0)[None, None, :]
                cross = 2.0 * half * (Bi[:, j, k] * M[:, l, i] + Bi[:, j, l] * M[:, k, i])
                H[:, :na, na:na + ns] = cross
                H[:, na:na + ns, :na] = cross.transpose(0, 2, 1)
        return H

    @property
    def n_pos(self) -> int:
        s = self.structure
        return s.a_idx.size + s.s_idx.size + s.m_idx.size

    def gradient_information(self, theta: np.ndarray, mom: BatchMoments, newton: bool = False
                             ) -> tuple[np.ndarray, np.ndarray]:
        """Gradient of F_ML and its curvature (see :meth:`derivatives`)."""
        grad, fisher, hess = self.derivatives(theta, mom, newton)
        return grad, (hess if hess is not None else fisher)

    def derivatives(self, theta: np.ndarray, mom: BatchMoments, newton: bool = False
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Gradient of F_ML ``(b, q)`` and its curvature ``(b, q, q)``.

        ``dF/dtheta_k = tr(W dSigma_k) - 2 (ybar - mu)' Sigma^-1 dmu_k`` with
        ``W = Sigma^-1 (Sigma - S - d d') Sigma^-1``. The curvature is twice the unit
        expected information, ``tr(Sigma^-1 dSigma_k Sigma^-1 dSigma_l) + 2 dmu_k' Sigma^-1
        dmu_l`` (Fisher scoring), and with ``newton=True`` (no mean structure) also the
        exact Hessian ``tr(W d2Sigma_kl) - tr(Sigma^-1 dSigma_k Sigma^-1 dSigma_l)
        + 2 tr(Sigma^-1 dSigma_k Sigma^-1 S Sigma^-1 dSigma_l)`` (else ``None``).
        Returns ``grad (b, q)``, ``fisher (b, q, q)``, ``hessian (b, q, q)`` or ``None``.
        """
        imp = self.implied(theta, mom)
        sigma = imp["sigma"]
        inv = np.linalg.inv(sigma)
        resid = sigma - mom.cov
        d = None
        if self.meanstructure:
            d = mom.mean - imp["mu"]
            resid = resid - d[:, :, None] * d[:, None, :]
        W = inv @ resid @ inv
        U, V, d_mu = self.directions(imp)
        grad = 2.0 * ((W @ U) * V).sum(axis=1)  # tr(W (u v' + v u')) = 2 u'Wv
        # with Sigma^-1 = L L', a = L'u, c = L'v: <L'dS_k L, L'dS_l L> = 2[(a_k.a_l)(c_k.c_l) + (a_k.c_l)(c_k.a_l)]
        Lt = np.linalg.cholesky(inv).transpose(0, 2, 1)
        a = Lt @ U
        c = Lt @ V
        at = np.ascontiguousarray(a.transpose(0, 2, 1))  # batched matmul is far faster on contiguous data
        ct = np.ascontiguousarray(c.transpose(0, 2, 1))
        aa, cc, ac = at @ a, ct @ c, at @ c
        fisher = 2.0 * (aa * cc + ac * ac.transpose(0, 2, 1))
        hess = None
        if newton and not self.meanstructure:
            # tr(G_l R G_k) with G = L' dSigma L and R = L' S L, expanded in a and c
            R = Lt @ mom.cov @ Lt.transpose(0, 2, 1)
            Ra, Rc = R @ a, R @ c
            aRa, cRc, aRc = at @ Ra, ct @ Rc, at @ Rc
            t2 = aRc.transpose(0, 2, 1) * ac + cRc * aa + aRa * cc + aRc * ac.transpose(0, 2, 1)
            hess = self._to_free_matrix(self._hessian_structural(imp, W) - fisher + 2.0 * t2)
        if d_mu is not None and d is not None:
            fisher = fisher + 2.0 * (d_mu @ inv @ d_mu.transpose(0, 2, 1))
            g_mu = -2.0 * np.einsum("bij,bj->bi", inv, d)
            grad = grad + np.einsum("bkp,bp->bk", d_mu, g_mu)
        if self._order is not None:
            return grad[:, self._order], self._to_free_matrix(fisher), hess
        return grad @ self.to_free, self._to_free_matrix(fisher), hess

    def _to_free_matrix(self, X: np.ndarray) -> np.ndarray:
        """Map a ``(b, r, r)`` matrix over positions to ``(b, q, q)`` over free parameters."""
        if self._order is not None:
            return X[:, self._order][:, :, self._order]
        T = self.to_free
        return T.T @ X @ T

    # -- fitting -------------------------------------------------------------------------
    def fit(self, mom: BatchMoments, start: np.ndarray, *, gtol: float = 1e-9, max_iter: int = 60
            ) -> tuple[np.ndarray, np.ndarray]:
        """Fit every sample of ``mom``; returns ``theta (b, q)`` and status codes ``(b,)``.

        One Fisher-scoring step from ``start`` (the full-sample estimates), then Newton steps
        with the exact Hessian (scoring steps where the Newton step does not point downhill),
        all with step halving; a draw not converged after ``max_iter`` steps (or whose scoring stalls) is refitted alone by
        :func:`semxhs.estimate.fit_ml`. Converged means ``max |dF/dtheta| < gtol``.
        """
        b = mom.cov.shape[0]
        theta = np.tile(np.asarray(start, dtype=float), (b, 1))
        status = np.full(b, bt.NONCONVERGED, dtype=int)
        sign, logdet_s = np.linalg.slogdet(mom.cov)
        singular = (sign <= 0) | ~np.isfinite(logdet_s)
        status[singular] = bt.ERROR
        f = np.full(b, np.inf)
        good = np.flatnonzero(~singular)
        if good.size:
            f[good] = self.discrepancy(theta[good], _take(mom, good), logdet_s[good])
        fallback: list[int] = [int(i) for i in good[~np.isfinite(f[good])]]
        active = good[np.isfinite(f[good])]
        for iteration in range(max_iter):
            if active.size == 0:
                break
            sub = _take(mom, active)
            try:
                # one scoring step first (robust far from the optimum), Newton after it
                grad, fisher, hess = self.derivatives(theta[active], sub, newton=iteration > 0)
            except np.linalg.LinAlgError:
                grad, fisher = self._per_draw_gradient_information(theta[active], sub)
                hess = None
            gmax = np.max(np.abs(grad), axis=1)
            done = gmax < gtol
            status[active[done]] = bt.OK
            broken = ~np.isfinite(gmax)
            fallback.extend(int(i) for i in active[broken])
            keep = ~done & ~broken
            active, grad, fisher, sub = active[keep], grad[keep], fisher[keep], _take(sub, np.flatnonzero(keep))
            hess = hess[keep] if hess is not None else None
            if active.size == 0:
                break
            step = _newton_steps(grad, hess, fisher)
            t = np.ones(active.size)
            cand = theta[active] - step
            f_new = self.discrepancy(cand, sub, logdet_s[active])
            f_old = f[active]
            ok = np.isfinite(f_new) & (f_new <= f_old + 1e-12 * np.maximum(1.0, np.abs(f_old)))
            for _half in range(40):
                if ok.all():
                    break
                redo = np.flatnonzero(~ok)
                t[redo] *= 0.5
                cand[redo] = theta[active[redo]] - t[redo, None] * step[redo]
                f_new[redo] = self.discrepancy(cand[redo], _take(sub, redo), logdet_s[active[redo]])
                ok[redo] = np.isfinite(f_new[redo]) & (
                    f_new[redo] <= f_old[redo] + 1e-12 * np.maximum(1.0, np.abs(f_old[redo])))
            stalled = ~ok | ((np.abs(f_old - f_new) < 1e-15) & (t < 1e-6))
            moved = np.flatnonzero(ok)
            theta[active[moved]] = cand[moved]
            f[active[moved]] = f_new[moved]
            fallback.extend(int(i) for i in active[stalled])
            active = active[~stalled]
        fallback.extend(int(i) for i in active)
        fallback.extend(self._saddles(theta, status, mom))
        for i in sorted(set(fallback)):
            theta[i], status[i] = self._fit_one(mom, i, start, gtol)
        self._flag_improper(theta, status, mom)
        return theta, status

    def _saddles(self, theta: np.ndarray, status: np.ndarray, mom: BatchMoments) -> list[int]:
        """Converged draws whose Hessian is not positive definite: stationary, but no minimum."""
        ok = np.flatnonzero(status == bt.OK)
        if ok.size == 0 or self.meanstructure:
            return []
        try:
            _, _, hess = self.derivatives(theta[ok], _take(mom, ok), newton=True)
        except np.linalg.LinAlgError:
            return []
        bad = ok[~_positive_definite((hess + hess.transpose(0, 2, 1)) / 2)]
        status[bad] = bt.NONCONVERGED
        return [int(i) for i in bad]

    def _per_draw_gradient_information(self, theta: np.ndarray, mom: BatchMoments
                                       ) -> tuple[np.ndarray, np.ndarray]:
        grad = np.full(theta.shape, np.nan)
        info = np.full((theta.shape[0], self.q, self.q), np.nan)
        for i in range(theta.shape[0]):
            try:
                g, inf = self.gradient_information(theta[i:i + 1], _take(mom, np.array([i])))
                grad[i], info[i] = g[0], inf[0]
            except np.linalg.LinAlgError:
                pass
        return grad, info

    def _fit_one(self, mom: BatchMoments, i: int, start: np.ndarray, gtol: float) -> tuple[np.ndarray, int]:
        """Refit one draw alone by :func:`~semxhs.estimate.fit_ml` (scoring, then BFGS).

        First from data-based start values (they follow a loading whose sign flipped in the
        resample, which the full-sample estimates cannot), then from ``start``; a limited
        number of iterations each. ``NONCONVERGED`` when neither converges.
        """
        cov, mean = mom.cov[i], mom.mean[i]
        sign, logdet = np.linalg.slogdet(cov)
        if sign <= 0:
            return np.full(self.q, np.nan), bt.ERROR
        theta = np.full(self.q, np.nan)
        for first in (None, start):
            try:
                structure = RamStructure(self.structure.partable, cov, mean)
                est = fit_ml(structure, Moments(cov=cov, mean=mean, n=mom.n, logdet=float(logdet)),
                             start=first, gtol=gtol, max_iter=FALLBACK_ITERATIONS)
            except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                continue
            theta = est.theta
            if est.converged and not self._saddles(theta[None, :], np.array([bt.OK]), _take(mom, np.array([i]))):
                return theta, bt.OK
        return theta, bt.NONCONVERGED

    def _flag_improper(self, theta: np.ndarray, status: np.ndarray, mom: BatchMoments) -> None:
        """OK draws with a negative free variance or a non-PD latent covariance -> IMPROPER."""
        ok = np.flatnonzero(status == bt.OK)
        if ok.size == 0:
            return
        bad = np.zeros(ok.size, dtype=bool)
        if self.var_idx.size:
            bad |= (theta[np.ix_(ok, self.var_idx)] < 0).any(axis=1)
        if self.m > self.p:
            imp = self.implied(theta[ok], _take(mom, ok))
            lat = imp["C"][:, self.p:, self.p:]
            bad |= np.linalg.eigvalsh(lat)[:, 0] <= 0
        status[ok[bad]] = bt.IMPROPER


def _cholesky_ok(sigma: np.ndarray) -> np.ndarray:
    """Which matrices of a stack are numerically positive definite (Cholesky succeeds)."""
    finite = np.isfinite(sigma).all(axis=(1, 2))
    try:
        if finite.all():
            np.linalg.cholesky(sigma)
            return finite
    except np.linalg.LinAlgError:
        pass
    out = np.zeros(sigma.shape[0], dtype=bool)
    idx = np.flatnonzero(finite)
    if idx.size:
        idx = idx[np.linalg.eigvalsh(sigma[idx])[:, 0] > 0]
    try:
        np.linalg.cholesky(sigma[idx])
        out[idx] = True
    except np.linalg.LinAlgError:
        for i in idx:
            try:
                np.linalg.cholesky(sigma[i])
                out[i] = True
            except np.linalg.LinAlgError:
                pass
    return out


def _newton_steps(grad: np.ndarray, hess: np.ndarray | None, fisher: np.ndarray) -> np.ndarray:
    """Newton steps where the Hessian is positive definite, Fisher-scoring steps elsewhere.

    Pure Newton is drawn to saddle points too; with a positive-definite metric every step
    points downhill, and step halving does the rest.
    """
    if hess is None:
        return _solve_steps(fisher, grad)
    hess = (hess + hess.transpose(0, 2, 1)) / 2
    pd = _positive_definite(hess)
    metric = np.where(pd[:, None, None], hess, fisher)
    return _solve_steps(metric, grad)


def _positive_definite(H: np.ndarray) -> np.ndarray:
    """Which symmetric matrices of a stack are positive definite (one batched test)."""
    finite = np.isfinite(H).all(axis=(1, 2))
    if finite.all():
        try:
            np.linalg.cholesky(H)
            return finite
        except np.linalg.LinAlgError:
            pass
    out = np.zeros(H.shape[0], dtype=bool)
    idx = np.flatnonzero(finite)
    if idx.size:
        w = np.linalg.eigvalsh(H[idx])
        out[idx] = w[:, 0] > 1e-12 * np.maximum(1.0, np.abs(w[:, -1]))
    return out


def _take(mom: BatchMoments, idx: np.ndarray) -> BatchMoments:
    return BatchMoments(cov=mom.cov[idx], mean=mom.mean[idx], n=mom.n)


def _solve_steps(H: np.ndarray, g: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(H, g[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        out = np.full_like(g, np.nan)
        for i in range(g.shape[0]):
            try:
                out[i] = np.linalg.lstsq(H[i], g[i], rcond=None)[0]
            except (np.linalg.LinAlgError, ValueError):
                pass
        return out


# ----------------------------------------------------------------------------------------
# closed form: ML = equation-by-equation OLS
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OlsBlock:
    """Outcomes sharing one set of predictors (their residuals may covary freely)."""

    outcomes: tuple[int, ...]  # observed indices
    predictors: tuple[int, ...]


def closed_form_reason(partable: ParTable) -> str | None:
    """Why ML is *not* equation-by-equation OLS for this model (``None`` when it is).

    ML estimates equal OLS (residual variances with divisor N) exactly when the model's
    likelihood factors into independent regressions (e.g. Bollen, 1989, ch. 4):

    1. no latent variables;
    2. no equality constraints (every free parameter occurs once) and no fixed regression
       coefficient, residual variance, covariance or intercept;
    3. the regressions are recursive (no cycle);
    4. every outcome (left of ``~``) has a free residual variance; a residual covariance
       joins only outcomes with identical predictor sets, and outcomes joined by residual
       covariances form complete blocks (every pair covaries);
    5. no covariance between an outcome and a variable that is not an outcome;
    6. the exogenous variables' moments are saturated: every variance, covariance (and
       mean, with a mean structure) among them is free or taken from the sample (fixed.x).

    Examples
    --------
    >>> closed_form_reason(build_partable("M ~ X\\nY ~ M + X")) is None
    True
    >>> closed_form_reason(build_partable("M ~ a*X\\nY ~ a*M"))
    'equality constraints (a label shared by several parameters)'
    """
    if partable.latent:
        return "latent variables"
    counts: dict[int, int] = {}
    for p in partable.params:
        if p.free:
            counts[p.free] = counts.get(p.free, 0) + 1
    if any(c > 1 for c in counts.values()):
        return "equality constraints (a label shared by several parameters)"
    fixed = [f"{p.lhs} {p.op} {p.rhs}".strip() for p in partable.params if p.free == 0 and not p.exo]
    if fixed:
        return f"fixed parameters ({', '.join(fixed[:3])})"
    names, mask = structural_part(partable)
    if not is_acyclic(mask):
        return "the regressions are not recursive"
    outcomes = {p.lhs for p in partable.params if p.op == "~"}
    predictors = {y: frozenset(p.rhs for p in partable.params if p.op == "~" and p.lhs == y) for y in outcomes}
    has = {(p.lhs, p.rhs) for p in partable.params if p.op == "~~"}
    for y in outcomes:
        if (y, y) not in has:
            return f"no residual variance for '{y}'"
    linked: dict[str, set[str]] = {y: {y} for y in outcomes}
    for a, b in has:
        if a == b:
            continue
        if (a in outcomes) != (b in outcomes):
            return f"a covariance between the outcome and the predictor in '{a} ~~ {b}'"
        if a in outcomes:
            if predictors[a] != predictors[b]:
                return f"a residual covariance '{a} ~~ {b}' between outcomes with different predictors"
            group = linked[a] | linked[b]
            for v in group:
                linked[v] = group
    for group in {frozenset(g) for g in linked.values()}:
        members = sorted(group)
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if (a, b) not in has and (b, a) not in has:
                    return f"residual covariances among {', '.join(members)} do not form a complete block"
    exo = [v for v in partable.observed if v not in outcomes]
    for i, a in enumerate(exo):
        for b in exo[i:]:
            if (a, b) not in has and (b, a) not in has:
                return f"the exogenous moments are not saturated ('{a} ~~ {b}' is fixed at 0)"
    if partable.meanstructure:
        means = {p.lhs for p in partable.params if p.op == "~1"}
        missing = [v for v in partable.observed if v not in means]
        if missing:
            return f"intercepts fixed at 0 ({', '.join(missing)})"
    return None


class ClosedFormML:
    """ML for models where it equals OLS (see :func:`closed_form_reason`), many samples at once."""

    def __init__(self, structure: RamStructure) -> None:
        reason = closed_form_reason(structure.partable)
        if reason is not None:
            raise SpecError(f"the closed-form estimator does not apply to this model: {reason}")
        self.structure = structure
        self.batched = BatchedML(structure)
        pt = structure.partable
        idx = structure.index
        outcomes = [v for v in pt.observed if any(p.op == "~" and p.lhs == v for p in pt.params)]
        groups: dict[tuple[int, ...], list[int]] = {}
        for y in outcomes:
            preds = tuple(sorted(idx[p.rhs] for p in pt.params if p.op == "~" and p.lhs == y))
            groups.setdefault(preds, []).append(idx[y])
        self.blocks = tuple(OlsBlock(tuple(ys), preds) for preds, ys in groups.items())

    def fit(self, mom: BatchMoments) -> tuple[np.ndarray, np.ndarray]:
        """``theta (b, q)`` and status codes; a draw with a singular predictor block is an ERROR."""
        s = self.structure
        b, m = mom.cov.shape[0], s.m
        A = np.zeros((b, m, m))
        S = mom.cov.copy()  # exogenous (co)variances: the sample moments
        alpha = mom.mean.copy()
        status = np.full(b, bt.OK, dtype=int)
        for blk in self.blocks:
            x, y = np.array(blk.predictors), np.array(blk.outcomes)
            Sxx = mom.cov[:, x[:, None], x[None, :]]
            Sxy = mom.cov[:, x[:, None], y[None, :]]
            Syy = mom.cov[:, y[:, None], y[None, :]]
            # a resample whose predictors are collinear fails (numpy raises for the whole stack)
            bad = np.linalg.eigvalsh(Sxx)[:, 0] <= 1e-12 * np.maximum(1.0, np.trace(Sxx, axis1=1, axis2=2))
            Sxx = Sxx.copy()
            Sxx[bad] = np.eye(len(x))
            coef = np.linalg.solve(Sxx, Sxy)  # (b, kx, ky)
            status[bad] = bt.ERROR
            A[:, y[:, None], x[None, :]] = coef.transpose(0, 2, 1)
            resid = Syy - Sxy.transpose(0, 2, 1) @ coef
            S[:, y[:, None], y[None, :]] = resid
            alpha[:, y] = mom.mean[:, y] - np.einsum("bkj,bk->bj", coef, mom.mean[:, x])
        theta = np.empty((b, s.q))
        theta[:, s.a_idx] = A[:, s.a_rows, s.a_cols]
        theta[:, s.s_idx] = S[:, s.s_rows, s.s_cols]
        theta[:, s.m_idx] = alpha[:, s.m_rows]
        theta[status != bt.OK] = np.nan
        return theta, status


# ----------------------------------------------------------------------------------------
# the SEM bootstrap
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BootParameter:
    """Bootstrap standard error of one free parameter (lavaan divides by the number of draws)."""

    lhs: str
    op: str
    rhs: str
    label: str
    est: float
    boot_se: float
    ci_lower: float
    ci_upper: float


@dataclass(frozen=True)
class BootDefined:
    """A ``:=`` defined parameter with its bootstrap SE and interval."""

    label: str
    est: float
    std_est: float
    boot_se: float
    ci_lower: float
    ci_upper: float


@dataclass(frozen=True)
class BootIndirect:
    """One effect of ``source`` on ``target`` (see :class:`EffectSpec`) with its interval."""

    source: str
    target: str
    kind: str
    path: str
    est: float
    std_est: float
    boot_se: float
    ci_lower: float
    ci_upper: float


@dataclass(frozen=True)
class IntervalLine:
    """A Monte Carlo or first-order delta (Sobel) line for a defined parameter or effect.

    ``name`` is the label of a defined parameter or ``"X -> M -> Y"`` / ``"X => Y: total"``
    for an effect; ``se`` is the Monte Carlo SD or the delta-method SE.
    """

    name: str
    est: float
    se: float
    ci_lower: float
    ci_upper: float
    z: float | None = None
    pvalue: float | None = None


EFFECT_COLUMNS = ("section", "label", "from", "to", "path", "est", "std_est", "boot_se", "ci_lower", "ci_upper")


@dataclass(frozen=True)
class BootstrapResult:
    """A bootstrap of an SEM: SEs of free parameters, intervals of defined parameters and effects.

    ``failed`` draws (by ``failed_rule``) are excluded from every SE and interval, which
    therefore rest on ``draws - failed`` replicates; ``failed_draws`` are their 0-based
    indices and ``improper`` counts draws with an improper solution (kept or failed, as
    the rule says). ``replicates`` is the ``(draws, k)`` matrix (NaN rows for failed draws)
    with columns named in ``columns``.
    """

    draws: int
    seed: int | None
    ci: str
    level: float
    method: str
    failed: int
    failed_rule: str
    failed_draws: tuple[int, ...]
    improper: int
    seconds: float
    n_jobs: int
    parameters: tuple[BootParameter, ...]
    defined: tuple[BootDefined, ...]
    indirect: tuple[BootIndirect, ...]
    monte_carlo: tuple[IntervalLine, ...] = ()
    monte_carlo_draws: int = 0
    sobel: tuple[IntervalLine, ...] = ()
    notes: tuple[str, ...] = ()
    columns: tuple[str, ...] = field(default=(), repr=False)
    replicates: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def successful(self) -> int:
        """Number of draws the SEs and intervals rest on."""
        return self.draws - self.failed

    def to_frame(self) -> pd.DataFrame:
        """Defined parameters and effects, one row each, columns :data:`EFFECT_COLUMNS`."""
        rows = [{"section": "defined", "label": d.label, "from": "", "to": "", "path": "", "est": d.est,
                 "std_est": d.std_est, "boot_se": d.boot_se, "ci_lower": d.ci_lower, "ci_upper": d.ci_upper}
                for d in self.defined]
        rows += [{"section": "indirect", "label": "", "from": e.source, "to": e.target, "path": e.path,
                  "est": e.est, "std_est": e.std_est, "boot_se": e.boot_se, "ci_lower": e.ci_lower,
                  "ci_upper": e.ci_upper} for e in self.indirect]
        return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))

    def parameters_frame(self) -> pd.DataFrame:
        """Free parameters with bootstrap SEs and intervals."""
        cols = ("lhs", "op", "rhs", "label", "est", "boot_se", "ci_lower", "ci_upper")
        return pd.DataFrame([{c: getattr(p, c) for c in cols} for p in self.parameters], columns=list(cols))

    def to_dict(self) -> dict[str, Any]:
        """The ``"bootstrap"`` block of the JSON results (NaN as None)."""
        out: dict[str, Any] = {
            "draws": self.draws,
            "seed": self.seed,
            "ci": self.ci,
            "failed": self.failed,
            "failed_rule": self.failed_rule,
            "seconds": self.seconds,
            "parameters": [{"lhs": p.lhs, "op": p.op, "rhs": p.rhs, "boot_se": p.boot_se} for p in self.parameters],
            "defined": [{"label": d.label, "est": d.est, "boot_se": d.boot_se, "ci_lower": d.ci_lower,
                         "ci_upper": d.ci_upper} for d in self.defined],
            "indirect": [{"from": e.source, "to": e.target, "path": e.path, "est": e.est, "std_est": e.std_est,
                          "boot_se": e.boot_se, "ci_lower": e.ci_lower, "ci_upper": e.ci_upper}
                         for e in self.indirect],
        }
        if self.monte_carlo:
            out["monte_carlo"] = {"draws": self.monte_carlo_draws,
                                  "rows": [_line_dict(r) for r in self.monte_carlo]}
        if self.sobel:
            out["sobel"] = {"note": "legacy first-order delta (Sobel) test; assumes a normal sampling distribution",
                            "rows": [_line_dict(r) for r in self.sobel]}
        return json_safe(out)


def _line_dict(r: IntervalLine) -> dict[str, Any]:
    out = {"name": r.name, "est": r.est, "se": r.se, "ci_lower": r.ci_lower, "ci_upper": r.ci_upper}
    if r.z is not None:
        out["z"] = r.z
        out["pvalue"] = r.pvalue
    return out


@dataclass(frozen=True)
class _Model:
    """Everything fixed about the model and the full-sample fit that the draws need."""

    partable: ParTable
    structure: RamStructure
    values: np.ndarray
    moments: Moments
    theta: np.ndarray
    plan: EffectPlan
    defined_names: tuple[str, ...]
    defined_trees: tuple[Node, ...]
    label_free: dict[str, int]
    label_fixed: dict[str, float]


def _prepare(model: str | ParTable, data: pd.DataFrame, std_lv: bool) -> _Model:
    partable = model if isinstance(model, ParTable) else build_partable(model, std_lv=std_lv)
    frame = add_products(data, partable.products) if partable.products else data
    md = model_columns(frame, partable.observed, "listwise")
    moments = Moments.from_data(md.values)
    if not np.isfinite(moments.logdet):
        raise EstimationError("the sample covariance matrix of the model variables is singular "
                              "(a variable is a linear combination of others)")
    structure = RamStructure(partable, moments.cov, moments.mean)
    est = fit_ml(structure, moments)
    if not est.converged:
        raise EstimationError(f"the model did not converge on the full sample ({est.message}); "
                              "the bootstrap starts from the full-sample estimates and was not run")
    trees: dict[str, Node] = {}
    for d in partable.defined:
        trees[d.name] = substitute(d.tree, trees)
    label_free = {p.label: p.free - 1 for p in partable.params if p.label and p.free}
    label_fixed = {p.label: float(p.value or 0.0) for p in partable.params if p.label and not p.free}
    return _Model(partable, structure, md.values, moments, est.theta, effect_plan(partable),
                  tuple(trees), tuple(trees.values()), label_free, label_fixed)


def _vcov(m: _Model) -> np.ndarray:
    """Sampling covariance of the free parameters, ``(n I)^-1`` (expected information)."""
    info = unit_information(m.structure, m.structure.implied(m.theta))
    eig = np.linalg.eigvalsh((info + info.T) / 2)
    if eig.min() <= 1e-10 * max(1.0, eig.max()):
        raise EstimationError("the information matrix is singular (the model may not be identified): "
                              "no Monte Carlo or delta-method intervals")
    return np.linalg.inv(m.moments.n * info)


def _std_defined(m: _Model) -> np.ndarray:
    """Defined parameters computed from standardized (``std.all``) parameters, as lavaan."""
    imp = m.structure.implied(m.theta)
    idx = m.structure.index
    env: dict[str, Any] = {}
    for p in m.partable.params:
        if not p.label or p.label in env:
            continue
        if p.op == "=~":
            i, j, value = idx[p.rhs], idx[p.lhs], imp.A[idx[p.rhs], idx[p.lhs]]
        elif p.op == "~":
            i, j, value = idx[p.lhs], idx[p.rhs], imp.A[idx[p.lhs], idx[p.rhs]]
        elif p.op == "~~":
            i, j, value = idx[p.lhs], idx[p.rhs], imp.S[idx[p.lhs], idx[p.rhs]]
        else:
            i = j = idx[p.lhs]
            value = imp.alpha[i]
        env[p.label] = std_all(p.op, i, j, float(value), imp.C, imp.S)
    out = np.full(len(m.defined_trees), np.nan)
    for k, tree in enumerate(m.defined_trees):
        with np.errstate(all="ignore"):
            out[k] = float(evaluate(tree, env))
    return out


def _defined_values(model: _Model, theta: np.ndarray) -> np.ndarray:
    """Defined parameters for a stack of parameter vectors ``(b, q)`` -> ``(b, n_defined)``."""
    b = theta.shape[0]
    out = np.zeros((b, len(model.defined_trees)), dtype=theta.dtype)
    if not model.defined_trees:
        return out
    env: dict[str, Any] = {k: theta[:, i] for k, i in model.label_free.items()}
    env.update(model.label_fixed)
    for j, tree in enumerate(model.defined_trees):
        with np.errstate(all="ignore"):
            out[:, j] = evaluate(tree, env)
    return out


class _SemStatistic:
    """The bootstrap statistic: refit a block of resamples and derive everything from them."""

    def __init__(self, model: _Model, gtol: float, max_iter: int) -> None:
        self.model = model
        self.moments = ResampleMoments(model.values)
        self.batched = BatchedML(model.structure)
        reason = closed_form_reason(model.partable)
        self.closed = ClosedFormML(model.structure) if reason is None else None
        self.reason = reason
        self.gtol, self.max_iter = gtol, max_iter

    @property
    def method(self) -> str:
        if self.closed is not None:
            return "closed form (ML = equation-by-equation OLS)"
        return f"batched Newton/Fisher scoring from the full-sample estimates (no closed form: {self.reason})"

    def __call__(self, indices: np.ndarray) -> bt.BlockResult:
        mom = self.moments(indices)
        if self.closed is not None:
            theta, status = self.closed.fit(mom)
        else:
            theta, status = self.batched.fit(mom, self.model.theta, gtol=self.gtol, max_iter=self.max_iter)
        usable = np.isfinite(theta).all(axis=1)
        safe = np.where(usable[:, None], theta, self.model.theta)
        with np.errstate(all="ignore"):
            imp = self.batched.implied(safe, mom)
            effects = effect_values(imp["A"], self.model.plan)
            var = np.diagonal(imp["C"], axis1=1, axis2=2)
            std = standardized_effects(effects, var, self.model.plan)
        defined = _defined_values(self.model, safe)
        values = np.concatenate([theta, defined, effects, std], axis=1)
        values[~usable] = np.nan
        status = np.where(~usable & (status == bt.OK), bt.ERROR, status)
        return bt.BlockResult(values, status)


def _free_rows(partable: ParTable) -> list[tuple[int, Any]]:
    seen: set[int] = set()
    rows = []
    for p in partable.params:
        if p.free and p.free not in seen:
            seen.add(p.free)
            rows.append((p.free - 1, p))
    return rows


def _effect_name(e: EffectSpec) -> str:
    return e.path if e.kind == SPECIFIC else f"{e.source} => {e.target}: {e.kind}"


def bootstrap_sem(model: str | ParTable, data: pd.DataFrame, *, draws: int = 5000,
                  seed: int | np.random.Generator | None = None, ci: str = "percentile", level: float = 0.95,
                  failed_rule: str = "nonconverged", progress: bt.ProgressCallback | None = None,
                  n_jobs: int = 1, monte_carlo: int = 0, sobel: bool = False, std_lv: bool = False,
                  gtol: float = 1e-9, max_iter: int = 60, indices: np.ndarray | None = None) -> BootstrapResult:
    """Nonparametric bootstrap of an SEM fitted by ML, as lavaan's ``se = "bootstrap"``.

    Rows (complete cases of the model's variables) are resampled with replacement; each
    resample is refitted (closed form or batched Fisher scoring, see the module notes),
    and the free parameters, the ``:=`` defined parameters and every indirect, direct and
    total effect (:func:`effect_plan`) are recorded per draw.

    Parameters
    ----------
    model : str or ParTable
        lavaan model syntax (or a parameter table).
    data : pandas.DataFrame
        The data; rows incomplete on the model's variables are dropped first (listwise).
    draws : int
        Number of bootstrap draws.
    seed : int, Generator or None
        Seeds the one generator that draws all indices (``numpy.random.default_rng``). With
        ``None`` a fresh seed is drawn from the operating system and recorded in the result.
    ci : {"percentile", "bc"}
        Interval type: percentile (lavaan's ``"perc"``) or bias-corrected (lavaan's
        ``"bca.simple"``); ``"perc"`` and ``"bca.simple"`` are accepted too.
    level : float
        Confidence level.
    failed_rule : {"nonconverged", "improper"}
        Which draws fail (:data:`semxhs.bootstrap.RULES`); failed draws are counted,
        kept as NaN rows and left out of every SE and interval.
    progress : callable, optional
        ``progress(done, total)`` after every block of draws.
    n_jobs : int
        Worker processes; the result is identical for every value.
    monte_carlo : int
        If positive, also give Monte Carlo intervals (Selig & Preacher, 2008) from this many
        parameter draws from ``N(theta_hat, V_hat)``.
    sobel : bool
        Also give first-order delta (Sobel) lines, a legacy test.
    std_lv : bool
        lavaan's ``std.lv``.
    gtol, max_iter : float, int
        Convergence criterion (largest absolute gradient element of F_ML) and iteration
        limit of the batched scoring.
    indices : numpy.ndarray, optional
        ``(draws, n)`` 0-based row indices of given resamples (of the complete rows), used
        instead of drawing them from ``seed`` (to replay resamples made elsewhere);
        ``draws`` is then the number of rows.

    Returns
    -------
    BootstrapResult

    Raises
    ------
    ModelSyntaxError, SpecError, DataError, EstimationError

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=300); m = 0.5 * x + rng.normal(size=300); y = 0.4 * m + rng.normal(size=300)
    >>> res = bootstrap_sem("m ~ a*x\\ny ~ b*m + x\\nab := a*b", pd.DataFrame({"x": x, "m": m, "y": y}),
    ...                     draws=1000, seed=1)
    >>> res.failed, res.method
    (0, 'closed form (ML = equation-by-equation OLS)')
    >>> d = res.defined[0]
    >>> d.label, d.ci_lower < d.est < d.ci_upper, d.ci_lower > 0
    ('ab', True, True)
    >>> [e.path for e in res.indirect]
    ['x -> m -> y', 'total indirect', 'direct', 'total']
    """
    t_start = time.perf_counter()
    ci = bt.ci_type(ci)
    rule = bt.failure_rule(failed_rule)
    if isinstance(seed, bool) or not (seed is None or isinstance(seed, (int, np.integer, np.random.Generator))):
        raise SpecError(f"seed must be an integer, a numpy Generator or None, got {seed!r}")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 2**63)
    recorded_seed = None if isinstance(seed, np.random.Generator) else int(seed)
    if n_jobs < 1:
        raise SpecError(f"n_jobs must be at least 1, got {n_jobs}")
    m = _prepare(model, data, std_lv)
    stat = _SemStatistic(m, gtol, max_iter)
    if indices is None:
        indices = bt.resample_indices(m.moments.n, int(draws), seed)
    else:
        indices = np.asarray(indices)
        n = m.moments.n
        if indices.ndim != 2 or indices.shape[1] != n or not np.issubdtype(indices.dtype, np.integer) \
                or indices.min() < 0 or indices.max() >= n:
            raise SpecError(f"indices must be a (draws, {n}) array of integer row numbers 0..{n - 1}, "
                            f"got shape {indices.shape} and dtype {indices.dtype}")
        draws = indices.shape[0]
        recorded_seed = None
    reps = bt.run_replicates(stat, indices, rule=rule, n_jobs=n_jobs, progress=progress)

    q, nd, ne = m.structure.q, len(m.defined_names), len(m.plan.effects)
    vals = reps.values
    parameters = []
    for k, p in _free_rows(m.partable):
        col = vals[:, k]
        lo, hi = bt.interval(col, float(m.theta[k]), ci, level)
        parameters.append(BootParameter(p.lhs, p.op, p.rhs, p.label, float(m.theta[k]),
                                        bt.boot_se(col, ddof=0), lo, hi))

    full_defined = _defined_values(m, m.theta[None, :])[0]
    std_defined = _std_defined(m)
    defined = []
    for j, name in enumerate(m.defined_names):
        col = vals[:, q + j]
        lo, hi = bt.interval(col, float(full_defined[j]), ci, level)
        defined.append(BootDefined(name, float(full_defined[j]), float(std_defined[j]),
                                   bt.boot_se(col, ddof=1), lo, hi))

    imp = m.structure.implied(m.theta)
    full_effects = effect_values(imp.A, m.plan)
    full_std = standardized_effects(full_effects, np.diag(imp.C), m.plan)
    indirect = []
    for j, e in enumerate(m.plan.effects):
        col = vals[:, q + nd + j]
        lo, hi = bt.interval(col, float(full_effects[j]), ci, level)
        indirect.append(BootIndirect(e.source, e.target, e.kind, e.path, float(full_effects[j]),
                                     float(full_std[j]), bt.boot_se(col, ddof=1), lo, hi))

    notes = [f"method: {stat.method}"]
    if not m.plan.recursive:
        notes.append("the regressions form a cycle (a nonrecursive model): indirect effects are not enumerated")
    if reps.n_failed:
        notes.append(f"{reps.n_failed} of {draws} draws failed and were left out ({rule.text})")
    mc_lines: tuple[IntervalLine, ...] = ()
    if monte_carlo:
        mc_lines = _monte_carlo_lines(m, int(monte_carlo), seed, level)
    sobel_lines = _sobel_lines(m, level) if sobel else ()
    columns = tuple(f"{p.lhs}{p.op}{p.rhs}" for _, p in _free_rows(m.partable)) + m.defined_names + tuple(
        _effect_name(e) for e in m.plan.effects) + tuple(f"std: {_effect_name(e)}" for e in m.plan.effects)
    return BootstrapResult(
        draws=int(draws), seed=recorded_seed, ci=ci, level=float(level), method=stat.method,
        failed=reps.n_failed, failed_rule=rule.text, failed_draws=reps.failed_draws, improper=reps.n_improper,
        seconds=time.perf_counter() - t_start, n_jobs=int(n_jobs), parameters=tuple(parameters),
        defined=tuple(defined), indirect=tuple(indirect), monte_carlo=mc_lines,
        monte_carlo_draws=int(monte_carlo) if monte_carlo else 0, sobel=sobel_lines, notes=tuple(notes),
        columns=columns, replicates=vals,
    )


def _derived(m: _Model, theta: np.ndarray) -> np.ndarray:
    """Defined parameters and unstandardized effects for parameter vectors ``(b, q)``."""
    batched = BatchedML(m.structure)
    A = batched.matrices(theta)[0]
    with np.errstate(all="ignore"):
        return np.concatenate([_defined_values(m, theta), effect_values(A, m.plan)], axis=1)


def _line_names(m: _Model) -> list[str]:
    return list(m.defined_names) + [_effect_name(e) for e in m.plan.effects]


def _monte_carlo_lines(m: _Model, draws: int, seed: int | np.random.Generator, level: float
                       ) -> tuple[IntervalLine, ...]:
    sample = bt.monte_carlo_sample(m.theta, _vcov(m), draws, seed)
    values = _derived(m, sample)
    point = _derived(m, m.theta[None, :])[0]
    out = []
    for j, name in enumerate(_line_names(m)):
        lo, hi = bt.percentile_interval(values[:, j], level)
        out.append(IntervalLine(name, float(point[j]), bt.boot_se(values[:, j], ddof=1), lo, hi))
    return tuple(out)


def _sobel_lines(m: _Model, level: float) -> tuple[IntervalLine, ...]:
    """First-order delta SEs; the gradient by complex step (exact to rounding; Squire & Trapp, 1998)."""
    q = m.structure.q
    h = 1e-20
    probe = np.tile(m.theta.astype(complex), (q, 1)) + 1j * h * np.eye(q)
    jac = (_derived(m, probe).imag / h).T  # (n_lines, q)
    point = _derived(m, m.theta[None, :])[0]
    var = np.einsum("iq,qr,ir->i", jac, _vcov(m), jac)
    out = []
    for j, name in enumerate(_line_names(m)):
        se = math.sqrt(var[j]) if var[j] >= 0 else float("nan")
        z, p, lo, hi = bt.delta_interval(float(point[j]), se, level)
        out.append(IntervalLine(name, float(point[j]), se, lo, hi, z, p))
    return tuple(out)


@dataclass(frozen=True)
class MonteCarloResult:
    """Monte Carlo intervals (Selig & Preacher, 2008) of defined parameters and effects."""

    draws: int
    seed: int | None
    level: float
    rows: tuple[IntervalLine, ...]

    def to_frame(self) -> pd.DataFrame:
        cols = ("name", "est", "se", "ci_lower", "ci_upper")
        return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in self.rows], columns=list(cols))

    def to_dict(self) -> dict[str, Any]:
        return json_safe({"draws": self.draws, "seed": self.seed, "level": self.level,
                          "rows": [_line_dict(r) for r in self.rows]})


def monte_carlo_sem(model: str | ParTable, data: pd.DataFrame, *, draws: int = 20000,
                    seed: int | np.random.Generator | None = None, level: float = 0.95,
                    std_lv: bool = False) -> MonteCarloResult:
    """Monte Carlo intervals of every defined parameter and effect: a fast alternative to the bootstrap.

    The free parameters are drawn from ``N(theta_hat, V_hat)`` (``V_hat`` from the expected
    information) and each defined parameter and effect is evaluated per draw; the interval
    is the draws' percentile interval (Selig & Preacher, 2008; MacKinnon et al., 2004).

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=300); m = 0.5 * x + rng.normal(size=300); y = 0.4 * m + rng.normal(size=300)
    >>> mc = monte_carlo_sem("m ~ a*x\\ny ~ b*m + x\\nab := a*b", pd.DataFrame({"x": x, "m": m, "y": y}), seed=1)
    >>> r = mc.rows[0]
    >>> r.name, r.ci_lower < r.est < r.ci_upper
    ('ab', True)
    """
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 2**63)
    m = _prepare(model, data, std_lv)
    rows = _monte_carlo_lines(m, int(draws), seed, level)
    return MonteCarloResult(int(draws), None if isinstance(seed, np.random.Generator) else int(seed),
                            float(level), rows)


__all__: Sequence[str] = (
    "BatchedML", "BootDefined", "BootIndirect", "BootParameter", "BootstrapResult", "ClosedFormML",
    "EffectPlan", "EffectSpec", "IntervalLine", "MonteCarloResult", "bootstrap_sem", "closed_form_reason",
    "effect_plan", "effect_values", "enumerate_paths", "monte_carlo_sem", "standardized_effects",
    "structural_part",
)

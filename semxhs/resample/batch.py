"""Fitting many resamples at once: the statistic of the SEM bootstrap.

- *Closed form.* When ML is equation-by-equation OLS (:func:`closed_form_reason` gives the
  exact condition: observed variables only, recursive, uncorrelated residuals except within
  blocks of outcomes with the same predictors, no equality constraints or fixed
  coefficients, saturated exogenous moments), every draw is solved by batched normal
  equations from the resample's moments (:class:`ClosedFormML`).
- *Otherwise*, batched Newton iterations (:class:`BatchedML`): all draws of a block are
  iterated together from the full-sample estimates with analytic derivatives (one
  Fisher-scoring step, then Newton with the exact Hessian where it is positive definite
  and scoring elsewhere; Fisher scoring only with a mean structure), step halving per
  draw. A draw that does not converge in ``max_iter`` steps, stalls, or stops at a saddle
  point is refitted alone by :func:`semxhs.sem.estimate.fit_ml`, from data-based start values
  and then from the full-sample estimates; if neither converges, it is ``NONCONVERGED``.

In either case the exogenous (``fixed.x``) moments of a draw are the draw's sample moments,
as in lavaan. A resample's moments are matrix products of its row counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from semxhs.errors import SpecError
from semxhs.resample import engine as bt
from semxhs.resample.effects import is_acyclic, structural_part
from semxhs.sem.derivatives import CompactLayout, ml_derivatives
from semxhs.sem.estimate import Moments, fit_ml
from semxhs.sem.partable import ParTable, build_partable  # noqa: F401  (build_partable in doctests)
from semxhs.sem.ram import RamStructure


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

    #: Above this many elements (8 MB) the per-row outer products are not stored (memory):
    #: the cross-products are then taken draw by draw.
    MAX_OUTER = 1_000_000

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
            second = np.empty((counts.shape[0], self.p, self.p))
            xt = np.ascontiguousarray(self.x.T)
            for i in range(counts.shape[0]):
                second[i] = (xt * counts[i]) @ self.x
            second /= self.n
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

    Built once from a :class:`~semxhs.sem.ram.RamStructure`; the exogenous (``fixed.x``)
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
        self._layout = CompactLayout(structure)
        pattern = self.A0 != 0
        pattern[s.a_rows, s.a_cols] = True
        self._degree = _nilpotent_degree(pattern)

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
        if self._degree is None:
            Bi = np.linalg.inv(eye - A)
        else:  # A^degree = 0 (recursive paths): (I - A)^-1 = I + A + ... + A^(degree - 1)
            Bi = np.broadcast_to(eye, A.shape) + A if self._degree > 1 else np.broadcast_to(eye, A.shape).copy()
            for _ in range(self._degree - 2):
                Bi = eye + A @ Bi
        C = Bi @ S @ Bi.transpose(0, 2, 1)
        p = self.p
        mu = np.einsum("bij,bj->bi", Bi[:, :p, :], alpha)
        return {"A": A, "S": S, "alpha": alpha, "B": Bi, "C": C, "sigma": C[:, :p, :p], "mu": mu}

    def discrepancy(self, theta: np.ndarray, mom: BatchMoments, logdet_s: np.ndarray) -> np.ndarray:
        """F_ML per sample; ``inf`` where the implied covariance is not positive definite."""
        out = np.full(theta.shape[0], np.inf)
        with np.errstate(all="ignore"):
            try:
                imp = self.implied(theta, mom)
            except np.linalg.LinAlgError:
                return out
            sigma = imp["sigma"]
            try:  # all positive definite: the usual case, one factorization
                L = np.linalg.cholesky(sigma)
                pd_ok = np.isfinite(L).all(axis=(1, 2))
            except np.linalg.LinAlgError:
                pd_ok = _cholesky_ok(sigma)
                L = None
            if not pd_ok.any():
                return out
            sig = sigma[pd_ok]
            if L is None or not pd_ok.all():
                L = np.linalg.cholesky(sig)
            logdet = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
            inv = np.linalg.inv(sig)
            value = logdet + np.einsum("bij,bji->b", mom.cov[pd_ok], inv) - logdet_s[pd_ok] - self.p
            if self.meanstructure:
                d = mom.mean[pd_ok] - imp["mu"][pd_ok]
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
            k, l = s.a_rows[None, :], s.a_cols[None, :]  # noqa: E741  (i, j, k, l as in the formula)
            H[:, :na, :na] = 2.0 * (Bi[:, l, i] * P[:, j, k] + Bi[:, j, k] * P[:, l, i] + C[:, j, l] * M[:, k, i])
            if ns:
                k, l = s.s_rows[None, :], s.s_cols[None, :]  # noqa: E741
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

        Computed by :func:`semxhs.sem.derivatives.ml_derivatives` from a few small products
        per draw (no direction arrays, no products over ``p`` per pair of parameters).
        """
        imp = self.implied(theta, mom)
        inv = np.linalg.inv(imp["sigma"])
        return ml_derivatives(self.structure, self._layout, imp["B"], imp["C"], imp["alpha"], inv, mom.cov,
                              mom.mean, imp["mu"], newton)

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
        :func:`semxhs.sem.estimate.fit_ml`. Converged means ``max |dF/dtheta| < gtol``.
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
        tested = np.zeros(b, dtype=bool)  # converged draws whose Hessian was tested at their optimum
        for iteration in range(max_iter):
            if active.size == 0:
                break
            sub = _take(mom, active)
            # one scoring step first (robust far from the optimum), Newton after it
            grad, step, pd, known = self._gradient_steps(theta[active], sub, iteration > 0, gtol)
            gmax = np.max(np.abs(grad), axis=1)
            done = gmax < gtol
            status[active[done]] = bt.OK
            tested[active[done & known]] = True
            saddle = done & known & ~pd  # stationary, but no minimum
            status[active[saddle]] = bt.NONCONVERGED
            fallback.extend(int(i) for i in active[saddle])
            broken = ~np.isfinite(gmax)
            fallback.extend(int(i) for i in active[broken])
            keep = ~done & ~broken
            active, step, sub = active[keep], step[keep], _take(sub, np.flatnonzero(keep))
            if active.size == 0:
                break
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
        fallback.extend(self._saddles(theta, status, mom, skip=tested))
        for i in sorted(set(fallback)):
            theta[i], status[i] = self._fit_one(mom, i, start, gtol)
        self._flag_improper(theta, status, mom)
        return theta, status

    def _saddles(self, theta: np.ndarray, status: np.ndarray, mom: BatchMoments,
                 skip: np.ndarray | None = None) -> list[int]:
        """Converged draws whose Hessian is not positive definite: stationary, but no minimum.

        ``skip`` marks draws already tested at their optimum (during :meth:`fit`).
        """
        ok = status == bt.OK
        if skip is not None:
            ok &= ~skip
        ok = np.flatnonzero(ok)
        if ok.size == 0 or self.meanstructure:
            return []
        _, _, pd, known = self._gradient_steps(theta[ok], _take(mom, ok), True, np.inf)
        bad = ok[known & ~pd]
        status[bad] = bt.NONCONVERGED
        return [int(i) for i in bad]

    #: Bytes of one ``(draws, q, q)`` array of a chunk: :meth:`fit` takes the derivatives and
    #: steps of this many draws at a time, so they stay in cache and peak memory does not
    #: grow with the number of draws (or the block size) times ``q^2``.
    CHUNK_BYTES = 1 << 19

    @property
    def chunk(self) -> int:
        """Draws whose derivatives are taken together (:attr:`CHUNK_BYTES`; at least 4)."""
        r = max(self._layout.r, self.q)
        return max(4, self.CHUNK_BYTES // (8 * r * r))

    def _gradient_steps(self, theta: np.ndarray, mom: BatchMoments, newton: bool, gtol: float
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Gradient and step of every draw, :attr:`chunk` draws at a time.

        The step is the Newton step where the exact Hessian (``newton=True``) is positive
        definite and the Fisher-scoring step elsewhere (:func:`_newton_steps`); zero for draws
        whose largest gradient element is below ``gtol`` or not finite. Also returns whether
        each draw's Hessian is positive definite (``pd``) and whether that was tested
        (``known``: not without ``newton``, with a mean structure, or where the batched
        derivatives failed and the draws were taken one by one).
        """
        b, q = theta.shape
        grad = np.empty((b, q))
        step = np.zeros((b, q))
        pd = np.zeros(b, dtype=bool)
        known = np.zeros(b, dtype=bool)
        size = self.chunk
        for lo in range(0, b, size):
            part = slice(lo, min(b, lo + size))
            sub = _take(mom, np.arange(part.start, part.stop))
            try:
                g, fisher, hess = self.derivatives(theta[part], sub, newton)
            except np.linalg.LinAlgError:
                g, fisher = self._per_draw_gradient_information(theta[part], sub)
                hess = None
            grad[part] = g
            gmax = np.max(np.abs(g), axis=1)
            move = np.isfinite(gmax) & (gmax >= gtol)
            metric = fisher
            if hess is not None:  # exactly symmetric (see derivatives)
                pos = _positive_definite(hess)
                pd[part], known[part] = pos, True
                metric = hess
                metric[~pos] = fisher[~pos]
            if move.any():
                step[part][move] = _solve_steps(metric[move], g[move])
        return grad, step, pd, known

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
        """Refit one draw alone by :func:`~semxhs.sem.estimate.fit_ml` (scoring, then BFGS).

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


def _nilpotent_degree(pattern: np.ndarray) -> int | None:
    """Smallest ``k`` with ``A^k = 0`` for every ``A`` with this nonzero pattern; ``None`` with a cycle.

    Examples
    --------
    >>> _nilpotent_degree(np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], dtype=bool))
    3
    >>> _nilpotent_degree(np.array([[0, 1], [1, 0]], dtype=bool)) is None
    True
    """
    m = pattern.shape[0]
    step = pattern.astype(np.int64)
    power = np.eye(m, dtype=np.int64)
    for k in range(1, m + 2):
        power = ((power @ step) > 0).astype(np.int64)
        if not power.any():
            return k
    return None


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
    for block in {frozenset(g) for g in linked.values()}:
        members = sorted(block)
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



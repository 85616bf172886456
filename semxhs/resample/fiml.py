"""FIML for a stack of resamples at once: the statistic of the bootstrap with missing data.

lavaan's approach to ``missing = "ml", se = "bootstrap"``: the rows are resampled with
their missing values and each resample is fitted by FIML, starting from the full-sample
estimates. A resample of rows with missing values has the same missingness patterns as the
data (some possibly empty), so every draw of a block is iterated together, pattern by
pattern: per pattern, the draw's row count, mean and covariance are matrix products of its
row counts (:func:`semxhs.resample.engine.resample_counts`), and the FIML objective,
gradient and expected information (:mod:`semxhs.sem.fiml`) are batched over the draws.

The iterations are Newton steps with the exact Hessian where it is positive definite and
Fisher-scoring steps (expected information under missingness) elsewhere, with step
halving per draw; a draw not converged after ``max_iter`` steps is refitted alone by
:func:`semxhs.sem.fiml.fit_fiml` (scoring, Newton, then BFGS) from the full-sample
estimates, and is ``NONCONVERGED`` if that fails too. Draws with a negative variance or a
latent covariance matrix that is not positive definite are ``IMPROPER`` (counted, and
failed under the ``improper`` rule), as in the listwise bootstrap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from semxhs.resample import engine as bt
from semxhs.resample.batch import BatchedML, BatchMoments, _newton_steps, _take
from semxhs.sem.fiml import MissingData, Pattern, fit_fiml
from semxhs.sem.ram import RamStructure

#: Iteration limit of a draw refitted alone.
FALLBACK_ITERATIONS = 200


def data_rows(data: MissingData) -> np.ndarray:
    """The ``(n, p)`` rows of ``data`` (NaN where missing), in the order of ``Pattern.index``.

    Examples
    --------
    >>> y = np.array([[1.0, 2.0], [np.nan, 1.0], [3.0, 0.0]])
    >>> np.array_equal(data_rows(MissingData.from_array(y)), y, equal_nan=True)
    True
    """
    out = np.full((data.n, data.p), np.nan)
    for pat in data.patterns:
        out[np.ix_(pat.index, pat.observed)] = pat.rows
    return out


@dataclass(frozen=True)
class FimlBlock:
    """The moments of a block of resamples, pattern by pattern, padded to all ``p`` variables.

    ``weight (K, b)`` is pattern ``k``'s share of draw ``b``'s rows, ``mean (K, b, p)`` and
    ``cov (K, b, p, p)`` its mean and covariance (divisor ``n_k``), zero on the variables the
    pattern does not observe; ``exo`` fills the ``fixed.x`` entries.
    """

    weight: np.ndarray
    mean: np.ndarray
    cov: np.ndarray
    exo: BatchMoments


class BatchedFIML:
    """FIML for many resamples of one data set at once (see the module notes).

    Every pattern's ``Sigma_oo`` is padded to ``p x p`` with the identity on the variables it
    does not observe, so all patterns of all draws are factored in one stack; the padded
    inverse masked to the observed block is ``Sigma_oo^-1`` in place.
    """

    def __init__(self, structure: RamStructure, data: MissingData) -> None:
        self.structure = structure
        self.data = data
        self.ml = BatchedML(structure)
        self.n, self.p, self.q = data.n, data.p, structure.q
        self.rows = data_rows(data)
        self._patterns: tuple[Pattern, ...] = data.patterns
        p = self.p
        self.observed = np.zeros((len(data.patterns), p), dtype=bool)
        for k, pat in enumerate(data.patterns):
            self.observed[k, pat.observed] = True
        self.mask = self.observed[:, :, None] & self.observed[:, None, :]  # (K, p, p)
        self.fill = np.where(self.mask, 0.0, np.eye(p))  # identity on the unobserved block
        # per pattern: rows centred at the pattern mean (precision) and their outer products
        self._centered = [pat.rows - pat.mean for pat in data.patterns]
        self._outer = [np.einsum("ni,nj->nij", x, x).reshape(x.shape[0], -1) for x in self._centered]
        filled = np.where(np.isnan(self.rows), 0.0, self.rows)
        self._filled_center = filled.mean(axis=0)
        self._filled = filled - self._filled_center

    @property
    def block_size(self) -> int:
        """Draws per block so that a padded ``(K, b, p, p)`` stack stays near 4 million numbers."""
        per_draw = len(self._patterns) * self.p * self.p
        return int(max(10, min(bt.BLOCK_SIZE, 4_000_000 // max(per_draw, 1))))

    # -- moments of a block ------------------------------------------------------------------
    def moments(self, indices: np.ndarray) -> FimlBlock:
        """Per-pattern moments of each resample in a ``(b, n)`` block of row indices."""
        counts = bt.resample_counts(indices, self.n)
        b, p, K = counts.shape[0], self.p, len(self._patterns)
        weight = np.zeros((K, b))
        mean = np.zeros((K, b, p))
        cov = np.zeros((K, b, p, p))
        for k, (pat, x, xx) in enumerate(zip(self._patterns, self._centered, self._outer)):
            o = pat.observed
            c = counts[:, pat.index]
            nk = c.sum(axis=1)
            safe = np.maximum(nk, 1.0)
            m = c @ x / safe[:, None]
            po = o.size
            second = (c @ xx).reshape(b, po, po) / safe[:, None, None]
            ck = second - m[:, :, None] * m[:, None, :]
            weight[k] = nk / self.n
            mean[k][:, o] = m + pat.mean
            cov[k][:, o[:, None], o[None, :]] = (ck + ck.transpose(0, 2, 1)) / 2
        # fixed.x covariates are complete, so their moments are the filled rows' moments
        fm = counts @ self._filled / self.n
        if self.ml.exo_s_rows.size:
            second = np.einsum("bn,ni,nj->bij", counts, self._filled, self._filled, optimize=True) / self.n
        else:
            second = np.zeros((b, p, p))
        exo = BatchMoments(cov=second - fm[:, :, None] * fm[:, None, :], mean=fm + self._filled_center, n=self.n)
        return FimlBlock(weight, mean, cov, exo)

    # -- objective and derivatives -----------------------------------------------------------
    def _padded(self, sigma: np.ndarray) -> np.ndarray:
        """Every pattern's ``Sigma_oo`` padded with the identity, ``(K * b, p, p)``."""
        K, b, p = self.mask.shape[0], sigma.shape[0], self.p
        return np.where(self.mask[:, None], sigma[None], self.fill[:, None]).reshape(K * b, p, p)

    def _factors(self, sigma: np.ndarray, weight: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Masked inverses ``(K, b, p, p)``, log-determinants ``(K, b)`` and which draws are usable ``(b,)``.

        A draw is unusable when a pattern it contains has a ``Sigma_oo`` that is not
        positive definite.
        """
        K, b, p = self.mask.shape[0], sigma.shape[0], self.p
        flat = self._padded(sigma)
        good = np.isfinite(flat).all(axis=(1, 2))
        chol = np.broadcast_to(np.eye(p), flat.shape).copy()
        try:
            chol[good] = np.linalg.cholesky(flat[good])
        except np.linalg.LinAlgError:
            good &= np.linalg.eigvalsh(np.where(good[:, None, None], flat, np.eye(p)))[:, 0] > 0
            chol[good] = np.linalg.cholesky(flat[good])
        inv = np.linalg.inv(np.where(good[:, None, None], flat, np.eye(p))).reshape(K, b, p, p) * self.mask[:, None]
        logdet = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1).reshape(K, b)
        usable = (good.reshape(K, b) | (weight <= 0)).all(axis=0)
        return inv, logdet, usable

    def objective(self, theta: np.ndarray, block: FimlBlock) -> np.ndarray:
        """``F = -2 logl / N`` per draw, without the constant; ``inf`` where a block is not PD."""
        with np.errstate(all="ignore"):
            try:
                imp = self.ml.implied(theta, block.exo)
            except np.linalg.LinAlgError:
                return np.full(theta.shape[0], np.inf)
            inv, logdet, usable = self._factors(imp["sigma"], block.weight)
            d = (block.mean - imp["mu"][None]) * self.observed[:, None, :]
            quad = np.einsum("kbij,kbji->kb", inv, block.cov) + np.einsum("kbi,kbij,kbj->kb", d, inv, d)
            out = (block.weight * np.where(block.weight > 0, logdet + quad, 0.0)).sum(axis=0)
        return np.where(usable & np.isfinite(out), out, np.inf)

    def derivatives(self, theta: np.ndarray, block: FimlBlock, newton: bool = False
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Gradient of ``F`` ``(b, q)``, twice the expected information and (``newton``) the Hessian.

        ``tr(V_k dSigma_a V_k dSigma_b)`` summed over patterns with weights is
        ``vec(dSigma_a)' [sum_k w_k V_k (x) V_k] vec(dSigma_b)``: one batched product per
        draw. The Hessian (:func:`semxhs.sem.fiml.parameter_information` with
        ``observed=True``, doubled, plus ``tr(W d2Sigma)``) leaves out the second
        derivatives of the implied means, zero unless latent means or intercepts are free
        together with paths into them; it is a Newton metric only, never a reported number.
        """
        ml = self.ml
        imp = ml.implied(theta, block.exo)
        K, b, p = self.mask.shape[0], theta.shape[0], self.p
        # the draws here passed the objective's positive-definiteness check at this theta
        inv = np.linalg.inv(self._padded(imp["sigma"])).reshape(K, b, p, p) * self.mask[:, None]
        w = block.weight[:, :, None, None]
        d = (block.mean - imp["mu"][None]) * self.observed[:, None, :]
        T = block.cov + d[..., :, None] * d[..., None, :]
        wv = w * inv
        VTV = inv @ T @ inv
        W = (wv - w * VTV).sum(axis=0)
        vd = (inv @ d[..., None])[..., 0]  # (K, b, p)
        g_mu = (-2.0 * block.weight[:, :, None] * vd).sum(axis=0)
        U, V, d_mu = ml.directions(imp)
        r = U.shape[2]
        grad = 2.0 * ((W @ U) * V).sum(axis=1)

        def kron_sum(left: np.ndarray, right: np.ndarray) -> np.ndarray:
            # sum_k left_k[i,l] right_k[j,m] as (b, (i,l), (j,m)) by one matmul over k, then ((i,j), (l,m))
            lk = left.reshape(K, b, p * p).transpose(1, 2, 0)
            rk = right.reshape(K, b, p * p).transpose(1, 0, 2)
            return (lk @ rk).reshape(b, p, p, p, p).transpose(0, 1, 3, 2, 4).reshape(b, p * p, p * p)

        D = U[:, :, None, :] * V[:, None, :, :]
        D = (D + D.transpose(0, 2, 1, 3)).reshape(b, p * p, r)
        Dt = np.ascontiguousarray(D.transpose(0, 2, 1))
        fisher = Dt @ (kron_sum(wv, inv) @ D)
        hess = None
        if newton:
            h = Dt @ (kron_sum(wv, VTV) @ D)
            hess = (h + h.transpose(0, 2, 1)) - fisher + ml._hessian_structural(imp, W)
        if d_mu is not None:
            vw = wv.sum(axis=0)
            fisher = fisher + 2.0 * (d_mu @ vw @ d_mu.transpose(0, 2, 1))
            grad = grad + np.einsum("bkp,bp->bk", d_mu, g_mu)
            if hess is not None:
                # 2 dmu_a' V dSigma_b V d per pattern: V (u (v'e) + v (u'e)) with e = V d
                wvd = block.weight[:, :, None] * vd
                ue = (wvd.transpose(1, 0, 2) @ U).transpose(1, 0, 2)  # (K, b, r)
                ve = (wvd.transpose(1, 0, 2) @ V).transpose(1, 0, 2)
                X = (inv @ (U[None] * ve[:, :, None, :] + V[None] * ue[:, :, None, :])).sum(axis=0)  # (b, p, r)
                cross = 2.0 * (d_mu @ X)
                hess = hess + 2.0 * (d_mu @ vw @ d_mu.transpose(0, 2, 1)) + cross + cross.transpose(0, 2, 1)
        if ml._order is not None:
            out_grad = grad[:, ml._order]
        else:
            out_grad = grad @ ml.to_free
        return out_grad, ml._to_free_matrix(fisher), (None if hess is None else ml._to_free_matrix(hess))

    # -- fitting -------------------------------------------------------------------------
    def fit(self, indices: np.ndarray, start: np.ndarray, *, gtol: float = 1e-9, max_iter: int = 300
            ) -> tuple[np.ndarray, np.ndarray, FimlBlock]:
        """FIML estimates ``(b, q)`` and status codes ``(b,)`` of a block of resamples."""
        block = self.moments(indices)
        b = indices.shape[0]
        theta = np.tile(np.asarray(start, dtype=float), (b, 1))
        status = np.full(b, bt.NONCONVERGED)
        f = self.objective(theta, block)
        active = np.flatnonzero(np.isfinite(f))
        fallback = [int(i) for i in np.flatnonzero(~np.isfinite(f))]
        for _ in range(max_iter):
            if active.size == 0:
                break
            sub = _take_block(block, active)
            try:
                grad, fisher, hess = self.derivatives(theta[active], sub, newton=True)
            except np.linalg.LinAlgError:
                fallback.extend(int(i) for i in active)
                active = active[:0]
                break
            done = np.abs(grad).max(axis=1) < gtol
            status[active[done]] = bt.OK
            keep = ~done
            active, grad, fisher = active[keep], grad[keep], fisher[keep]
            hess = hess[keep] if hess is not None else None
            if active.size == 0:
                break
            sub = _take_block(block, active)
            step = _newton_steps(grad, hess, fisher)
            t = np.ones(active.size)
            f_old = f[active]
            cand = theta[active] - step
            f_new = self.objective(cand, sub)
            ok = f_new <= f_old + 1e-12 * np.maximum(1.0, np.abs(f_old))
            for _half in range(30):
                if ok.all():
                    break
                redo = np.flatnonzero(~ok)
                t[redo] *= 0.5
                cand[redo] = theta[active[redo]] - t[redo, None] * step[redo]
                f_new[redo] = self.objective(cand[redo], _take_block(sub, redo))
                ok[redo] = f_new[redo] <= f_old[redo] + 1e-12 * np.maximum(1.0, np.abs(f_old[redo]))
            moved = np.flatnonzero(ok)
            theta[active[moved]] = cand[moved]
            f[active[moved]] = f_new[moved]
            fallback.extend(int(i) for i in active[~ok])
            active = active[ok]
        fallback.extend(int(i) for i in active)
        self.last_fallback = len(set(fallback))
        for i in sorted(set(fallback)):
            theta[i], status[i] = self._fit_one(indices[i], start, gtol)
        self.ml._flag_improper(theta, status, block.exo)
        return theta, status, block

    def _fit_one(self, index: np.ndarray, start: np.ndarray, gtol: float) -> tuple[np.ndarray, int]:
        """One draw refitted alone by :func:`~semxhs.sem.fiml.fit_fiml` from the full-sample estimates."""
        data = MissingData.from_array(self.rows[index])
        structure = self.structure
        if self.ml.exo_s_rows.size or self.ml.exo_m.size:
            exo = np.array([v in structure.partable.exogenous_observed for v in structure.partable.observed])
            vals = data_rows(data)
            cov, mean = np.zeros((self.p, self.p)), np.zeros(self.p)
            xs = vals[:, exo]
            cov[np.ix_(exo, exo)] = np.cov(xs, rowvar=False, bias=True).reshape(exo.sum(), exo.sum())
            mean[exo] = xs.mean(axis=0)
            structure = RamStructure(structure.partable, cov, mean)
        try:
            est = fit_fiml(structure, data, start, gtol=gtol, max_iter=FALLBACK_ITERATIONS)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError, ArithmeticError):
            return np.full(self.q, np.nan), bt.ERROR
        except Exception:  # EstimationError for a start that is not positive definite
            return np.full(self.q, np.nan), bt.ERROR
        return est.theta, (bt.OK if est.converged else bt.NONCONVERGED)


def _take_block(block: FimlBlock, idx: np.ndarray) -> FimlBlock:
    return FimlBlock(block.weight[:, idx], block.mean[:, idx], block.cov[:, idx], _take(block.exo, idx))

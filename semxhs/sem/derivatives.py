"""First and second derivatives of F_ML for a stack of samples, from a few small products.

In the RAM parameterization (McArdle & McDonald, 1984) a free position ``r`` (an entry of
``A``, ``S`` or ``alpha``) has ``dSigma_r = u_r v_r' + v_r u_r'`` and ``dmu_r = s_r w_r``:
``u = FB e_i``, ``v = FC e_j`` for ``A_ij``; ``u = FB e_k``, ``v = FB e_l`` for ``S_kl``
(``v`` halved when ``k = l``); ``w = FB e_i`` with ``s = (B alpha)_j`` for ``A_ij`` and
``w = FB e_i``, ``s = 1`` for ``alpha_i``. These vectors are columns of ``[FB, FC, FB / 2, 0]``,
and a model has far fewer distinct columns (``nc``, about twice the number of variables)
than free positions (``r``). With ``X`` those columns,

    Z = X' Sigma^-1 X,    Y = X' Sigma^-1 S Sigma^-1 X,    g = X' Sigma^-1 (ybar - mu)

(``nc x nc`` per sample) every quantity the estimators need is a gather:

- gradient ``dF/dtheta_r = 2 (Z - Y - g g')[u_r, v_r] - 2 s_r g[w_r]``;
- expected information (times 2) ``tr(Sigma^-1 dSigma_k Sigma^-1 dSigma_l) + 2 dmu_k' Sigma^-1 dmu_l
  = 2 (Z_uu Z_vv + Z_uv Z_vu)[k, l] + 2 s_k s_l Z[w_k, w_l]`` with ``Z_uv[k, l] = Z[u_k, v_l]``;
- the Hessian without a mean structure, ``tr(W d2Sigma_kl) - tr(Sigma^-1 dSigma_k Sigma^-1
  dSigma_l) + 2 tr(Sigma^-1 dSigma_k Sigma^-1 S Sigma^-1 dSigma_l)``, whose last two terms are
  ``4 (Z_uu E_vv + Z_vv E_uu + Z_uv E_vu + Z_vu E_uv)`` with ``E = Y - Z / 2``.

No ``(q, p, p)`` array of derivative matrices and no product over ``p`` per pair of
parameters is formed; every matrix returned is exactly symmetric by construction. Used by
the single fit (:func:`semxhs.sem.estimate.unit_information`, the exact Hessian of
:func:`semxhs.sem.estimate.fit_ml`) and by the batched bootstrap
(:class:`semxhs.resample.batch.BatchedML`).
"""

from __future__ import annotations

import weakref

import numpy as np

from semxhs.sem.ram import RamStructure

_LAYOUTS: weakref.WeakKeyDictionary[RamStructure, CompactLayout] = weakref.WeakKeyDictionary()


def layout_of(structure: RamStructure) -> CompactLayout:
    """The :class:`CompactLayout` of a structure, built once per structure."""
    lay = _LAYOUTS.get(structure)
    if lay is None:
        lay = _LAYOUTS[structure] = CompactLayout(structure)
    return lay


class CompactLayout:
    """Which columns of ``[FB, FC, FB / 2, 0]`` each free position's directions are.

    Positions are kept in *working order*: the free parameters' order when each free
    parameter has exactly one position (no equality constraints, one group), otherwise
    the positions' own order (``A`` entries, then ``S``, then ``alpha``), mapped to the free
    parameters by :meth:`to_free`.

    Examples
    --------
    >>> from semxhs.sem.partable import build_partable
    >>> lay = CompactLayout(RamStructure(build_partable("f =~ x1 + x2 + x3")))
    >>> lay.r, lay.ordered, lay.cols.size
    (6, True, 9)
    """

    def __init__(self, s: RamStructure) -> None:
        m = s.m
        na, ns, nm = s.a_idx.size, s.s_idx.size, s.m_idx.size
        pos_idx = np.concatenate([s.a_idx, s.s_idx, s.m_idx]).astype(int)
        self.q = s.q
        #: the positions are a permutation of the free parameters
        self.ordered = bool(pos_idx.size == s.q and np.array_equal(np.sort(pos_idx), np.arange(s.q)))
        work = np.argsort(pos_idx) if self.ordered else np.arange(pos_idx.size)
        self.work = work
        #: (positions, q) 0/1 matrix in working order: position r holds free parameter k
        self.T = np.zeros((pos_idx.size, s.q))
        self.T[np.arange(pos_idx.size), pos_idx[work]] = 1.0
        zero = 3 * m  # a column of zeros
        diag = s.s_rows == s.s_cols
        u = np.concatenate([s.a_rows, s.s_rows, np.full(nm, zero)]).astype(int)
        v = np.concatenate([m + s.a_cols, np.where(diag, 2 * m + s.s_cols, s.s_cols), np.full(nm, zero)]).astype(int)
        w = np.concatenate([s.a_rows, np.full(ns, zero), s.m_rows]).astype(int)
        u, v, w = u[work], v[work], w[work]
        cols = np.unique(np.concatenate([u, v, w] if s.meanstructure else [u, v]))
        self.r = int(work.size)
        self.cols = cols
        self._fb = cols[cols < m]
        self._fc = cols[(cols >= m) & (cols < 2 * m)] - m
        self._half = cols[(cols >= 2 * m) & (cols < 3 * m)] - 2 * m
        self._zero = bool((cols == zero).any())
        nc = int(cols.size)
        iu, iv = np.searchsorted(cols, u), np.searchsorted(cols, v)

        def flat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            return (x[:, None] * nc + y[None, :]).ravel()

        self.uv_diag = iu * nc + iv
        self.uu, self.vv, self.uv, self.vu = flat(iu, iu), flat(iv, iv), flat(iu, iv), flat(iv, iu)
        self.mu: np.ndarray | None = None
        self.mumu: np.ndarray | None = None
        if s.meanstructure:
            self.mu = np.searchsorted(cols, w)
            self.mumu = flat(self.mu, self.mu)
        self.wa = np.flatnonzero(work < na)  # working positions of A entries ...
        self.a_sel = work[self.wa]  # ... and which A entries they are
        self.ws = np.flatnonzero((work >= na) & (work < na + ns))
        self.s_sel = work[self.ws] - na
        self.wm = np.flatnonzero(work >= na + ns)
        self.mu_a_cols = s.a_cols[self.a_sel]

    def columns(self, B: np.ndarray, C: np.ndarray, p: int) -> np.ndarray:
        """The used columns of ``[FB, FC, FB / 2, 0]``, ``(b, p, nc)``."""
        FB = B[:, :p, :]
        parts = [FB[:, :, self._fb], C[:, :p, self._fc], 0.5 * FB[:, :, self._half]]
        if self._zero:
            parts.append(np.zeros((B.shape[0], p, 1)))
        return np.concatenate(parts, axis=2)

    def to_free(self, grad: np.ndarray, fisher: np.ndarray, hess: np.ndarray | None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Working order -> free parameters (sums over the positions of a shared label)."""
        if self.ordered:
            return grad, fisher, hess
        T = self.T
        return grad @ T, T.T @ fisher @ T, (None if hess is None else symmetric(T.T @ hess @ T))


def symmetric(X: np.ndarray) -> np.ndarray:
    """``(X + X') / 2`` of a stack of square matrices: exactly symmetric."""
    return (X + X.transpose(0, 2, 1)) * 0.5


def ml_derivatives(s: RamStructure, lay: CompactLayout, B: np.ndarray, C: np.ndarray, alpha: np.ndarray,
                   inv: np.ndarray, cov: np.ndarray, mean: np.ndarray | None, mu: np.ndarray | None,
                   newton: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Gradient of F_ML, twice the unit expected information and (``newton``) the Hessian.

    For a stack of ``b`` samples: ``B = (I - A)^-1`` and the implied ``C`` ``(b, m, m)``,
    ``alpha (b, m)``, ``inv = Sigma^-1 (b, p, p)``, the sample ``cov (b, p, p)`` and, with a
    mean structure, ``mean`` and the implied ``mu`` ``(b, p)``. Returns ``grad (b, q)``,
    ``fisher (b, q, q)`` and ``hess (b, q, q)`` (``None`` unless ``newton`` and no mean
    structure), over the free parameters (see the module notes for the formulas).
    """
    p, r = s.p, lay.r
    b = B.shape[0]
    X = lay.columns(B, C, p)  # (b, p, nc)
    nc = X.shape[2]
    SiX = inv @ X
    SiXt = np.ascontiguousarray(SiX.transpose(0, 2, 1))  # batched matmul is far faster on contiguous data
    Z = symmetric(np.ascontiguousarray(X.transpose(0, 2, 1)) @ SiX)
    Y = symmetric(SiXt @ (cov @ SiX))
    G = Z - Y
    g = None
    if s.meanstructure and mean is not None and mu is not None:
        g = (SiXt @ (mean - mu)[:, :, None])[:, :, 0]  # (b, nc)
        G -= g[:, :, None] * g[:, None, :]
    # gather indices are in range by construction: mode="clip" skips numpy's checked copy
    grad = 2.0 * np.take(G.reshape(b, nc * nc), lay.uv_diag, axis=1, mode="clip")
    Zf = Z.reshape(b, nc * nc)
    t1 = np.take(Zf, lay.uu, axis=1, mode="clip")
    t2 = np.take(Zf, lay.vv, axis=1, mode="clip")
    fisher = t1 * t2
    hess = None
    Ef = None
    t3 = None
    if newton and g is None:
        Ef = (Y - 0.5 * Z).reshape(b, nc * nc)
        t3 = np.take(Ef, lay.vv, axis=1, mode="clip")
        hess = t1 * t3
        np.take(Ef, lay.uu, axis=1, out=t3, mode="clip")
        t3 *= t2
        hess += t3
    np.take(Zf, lay.uv, axis=1, out=t1, mode="clip")
    np.take(Zf, lay.vu, axis=1, out=t2, mode="clip")
    if hess is not None and Ef is not None and t3 is not None:
        np.take(Ef, lay.vu, axis=1, out=t3, mode="clip")
        t3 *= t1
    t1 *= t2
    fisher += t1
    fisher *= 2.0
    if hess is not None and Ef is not None and t3 is not None:
        np.take(Ef, lay.uv, axis=1, out=t1, mode="clip")
        t1 *= t2
        t3 += t1  # the two cross terms first: their sum is symmetric
        hess += t3
        hess *= 2.0
    fisher3 = fisher.reshape(b, r, r)
    if g is not None and lay.mu is not None and lay.mumu is not None:
        scale = np.zeros((b, r))
        if lay.wa.size:
            balpha = np.einsum("bij,bj->bi", B, alpha)
            scale[:, lay.wa] = balpha[:, lay.mu_a_cols]
        scale[:, lay.wm] = 1.0
        grad -= 2.0 * scale * g[:, lay.mu]
        mumu = np.take(Zf, lay.mumu, axis=1, mode="clip").reshape(b, r, r)
        fisher3 += 2.0 * (scale[:, :, None] * scale[:, None, :]) * mumu
    hess3 = None
    if hess is not None:
        hess3 = hess.reshape(b, r, r)
        sigma = C[:, :p, :p]
        W = inv @ (sigma - cov) @ inv
        _add_structural(s, lay, hess3, B, C, W)
    return lay.to_free(grad, fisher3, hess3)


def _add_structural(s: RamStructure, lay: CompactLayout, H: np.ndarray, Bi: np.ndarray, C: np.ndarray,
                    W: np.ndarray) -> None:
    """Add ``tr(W d2Sigma/dtheta_k dtheta_l)`` to ``H`` (working order).

    With ``M = B'F'WFB`` and ``P = CF'WFB``: for ``k = A_ij``, ``l = A_kl``:
    ``2 B_li P_jk + 2 B_jk P_li + 2 C_jl M_ki``; for ``k = A_ij``, ``l = S_kl``:
    ``2 (B_jk M_li + B_jl M_ki)`` (halved when ``k = l``); zero for two ``S`` entries.
    """
    p = s.p
    a = lay.a_sel
    if not a.size:
        return
    C = symmetric(C)
    FB = Bi[:, :p, :]
    FBt = np.ascontiguousarray(FB.transpose(0, 2, 1))
    M = symmetric(FBt @ W @ FB)
    P = np.ascontiguousarray(C[:, :p, :].transpose(0, 2, 1)) @ W @ FB
    i, j = s.a_rows[a][:, None], s.a_cols[a][:, None]
    k, l = s.a_rows[a][None, :], s.a_cols[a][None, :]  # noqa: E741  (i, j, k, l as in the formula)
    block = Bi[:, l, i] * P[:, j, k]
    block += Bi[:, j, k] * P[:, l, i]
    block += C[:, j, l] * M[:, k, i]
    block *= 2.0
    H[:, lay.wa[:, None], lay.wa[None, :]] += block
    sl = lay.s_sel
    if sl.size:
        k, l = s.s_rows[sl][None, :], s.s_cols[sl][None, :]  # noqa: E741
        half = np.where(s.s_rows[sl] == s.s_cols[sl], 1.0, 2.0)[None, None, :]
        cross = half * (Bi[:, j, k] * M[:, l, i] + Bi[:, j, l] * M[:, k, i])
        H[:, lay.wa[:, None], lay.ws[None, :]] += cross
        H[:, lay.ws[:, None], lay.wa[None, :]] += cross.transpose(0, 2, 1)

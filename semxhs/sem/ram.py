"""The model structure: a parameter table laid out as RAM matrices, built once.

Every variable ``v`` (observed first, then latent) obeys ``v = A v + alpha + e`` with
``Cov(e) = S`` (McArdle & McDonald, 1984). With ``B = (I - A)^-1`` and the filter ``F``
that picks the observed variables, the model-implied moments are

    Sigma = F B S B' F'        mu = F B alpha

A :class:`RamStructure` holds where every free parameter sits in ``A``, ``S`` and
``alpha``, the fixed values, and the exact first derivatives of ``Sigma`` and ``mu``
with respect to the free parameters (used by the gradient and the information
matrix). It knows nothing about data files or reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from semxhs.errors import SpecError, name_list
from semxhs.sem.partable import ParTable


@dataclass(frozen=True)
class Implied:
    """Model-implied moments and the pieces the derivatives need."""

    sigma: np.ndarray  # (p, p)
    mu: np.ndarray  # (p,)
    B: np.ndarray  # (m, m) = (I - A)^-1
    C: np.ndarray  # (m, m) implied covariance of all variables
    A: np.ndarray
    S: np.ndarray
    alpha: np.ndarray


class RamStructure:
    """Positions of free and fixed parameters in the RAM matrices of one model.

    Parameters
    ----------
    partable : ParTable
        The parameter table (see :func:`semxhs.sem.partable.build_partable`).
    exo_cov : numpy.ndarray, optional
        Sample covariances (divisor N) of the observed variables, used for the
        ``exo`` rows (fixed.x); indexed like ``partable.observed``.
    exo_mean : numpy.ndarray, optional
        Sample means, for the ``exo`` intercept rows.
    q : int, optional
        Number of free parameters of the whole model, when ``partable`` holds one group's
        rows of a multi-group model (:meth:`ParTable.group_table`).
    """

    def __init__(self, partable: ParTable, exo_cov: np.ndarray | None = None,
                 exo_mean: np.ndarray | None = None, q: int | None = None) -> None:
        self.partable = partable
        self.names: tuple[str, ...] = partable.observed + partable.latent
        self.p = len(partable.observed)
        self.m = len(self.names)
        self.q = partable.n_free if q is None else q  # a group's table: q of the whole model
        self.meanstructure = partable.meanstructure
        index = {name: i for i, name in enumerate(self.names)}
        self.index = index
        m = self.m
        self.A0 = np.zeros((m, m))
        self.S0 = np.zeros((m, m))
        self.alpha0 = np.zeros(m)
        a_pos: list[tuple[int, int, int]] = []
        s_pos: list[tuple[int, int, int]] = []
        m_pos: list[tuple[int, int]] = []
        for p in partable.params:
            k = p.free - 1
            if p.op == "=~":
                i, j = index[p.rhs], index[p.lhs]
                target = "A"
            elif p.op == "~":
                i, j = index[p.lhs], index[p.rhs]
                target = "A"
            elif p.op == "~~":
                i, j = index[p.lhs], index[p.rhs]
                target = "S"
            elif p.op == "~1":
                i, j = index[p.lhs], 0
                target = "alpha"
            else:  # pragma: no cover - the parser allows no other operator here
                continue
            if p.exo:
                if target == "S":
                    value = 0.0 if exo_cov is None else float(exo_cov[i, j])
                    self.S0[i, j] = self.S0[j, i] = value
                elif target == "alpha":
                    self.alpha0[i] = 0.0 if exo_mean is None else float(exo_mean[i])
                continue
            if p.free == 0:
                value = float(p.value or 0.0)
                if target == "A":
                    self.A0[i, j] = value
                elif target == "S":
                    self.S0[i, j] = self.S0[j, i] = value
                else:
                    self.alpha0[i] = value
                continue
            if target == "A":
                a_pos.append((i, j, k))
            elif target == "S":
                s_pos.append((min(i, j), max(i, j), k))
            else:
                m_pos.append((i, k))
        self.a_rows = np.array([r for r, _, _ in a_pos], dtype=int)
        self.a_cols = np.array([c for _, c, _ in a_pos], dtype=int)
        self.a_idx = np.array([k for _, _, k in a_pos], dtype=int)
        self.s_rows = np.array([r for r, _, _ in s_pos], dtype=int)
        self.s_cols = np.array([c for _, c, _ in s_pos], dtype=int)
        self.s_idx = np.array([k for _, _, k in s_pos], dtype=int)
        self.m_rows = np.array([r for r, _ in m_pos], dtype=int)
        self.m_idx = np.array([k for _, k in m_pos], dtype=int)
        self._eye = np.eye(m)

    def check_solvable(self) -> None:
        """Refuse regressions whose ``I - A`` is singular whatever values the free parameters take.

        ``y ~ 1*y``, or a cycle ``m ~ 1*y; y ~ 1*m`` whose fixed coefficients multiply to 1,
        leave the model-implied moments undefined; the test fills the free coefficients
        with generic values (a fixed seed) and asks whether ``I - A`` is still singular.

        Raises
        ------
        SpecError
            Naming the variables on the offending loops.

        Examples
        --------
        >>> from semxhs.sem.partable import build_partable
        >>> RamStructure(build_partable("m ~ x + 1*y\\ny ~ 1*m")).check_solvable()
        Traceback (most recent call last):
        ...
        semxhs.errors.SpecError: the regressions cannot be solved for any parameter values: ...'m', 'y'...
        """
        if self.m == 0:
            return
        linked = self.A0 != 0
        linked[self.a_rows, self.a_cols] = True
        if _acyclic(linked):  # recursive paths: I - A is unit triangular up to order, never singular
            return
        A = self.A0.copy()
        rng = np.random.default_rng(20240601)
        A[self.a_rows, self.a_cols] = rng.uniform(0.1, 0.4, self.a_rows.size) * rng.choice([-1.0, 1.0],
                                                                                         self.a_rows.size)
        if np.linalg.cond(self._eye - A) < 1e12:
            return
        linked = (self.A0 != 0).astype(int)
        linked[self.a_rows, self.a_cols] = 1
        reach = linked.copy()
        for _ in range(self.m):
            reach = ((reach + reach @ linked) > 0).astype(int)
        on_loop = [self.names[i] for i in range(self.m) if reach[i, i]]
        raise SpecError(
            "the regressions cannot be solved for any parameter values: I - B is singular (a variable regressed "
            "on itself with a fixed coefficient of 1, or a loop of regressions whose fixed coefficients multiply "
            f"to 1) among {name_list(on_loop)}")

    # -- matrices ---------------------------------------------------------------------
    def matrices(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fill ``A``, ``S`` and ``alpha`` with the free parameters ``theta``."""
        A = self.A0.copy()
        S = self.S0.copy()
        alpha = self.alpha0.copy()
        A[self.a_rows, self.a_cols] = theta[self.a_idx]
        S[self.s_rows, self.s_cols] = theta[self.s_idx]
        S[self.s_cols, self.s_rows] = theta[self.s_idx]
        alpha[self.m_rows] = theta[self.m_idx]
        return A, S, alpha

    def implied(self, theta: np.ndarray) -> Implied:
        """Model-implied covariance matrix and means at ``theta``."""
        A, S, alpha = self.matrices(theta)
        B = np.linalg.solve(self._eye - A, self._eye)
        C = B @ S @ B.T
        p = self.p
        return Implied(sigma=C[:p, :p], mu=(B @ alpha)[:p], B=B, C=C, A=A, S=S, alpha=alpha)

    # -- derivatives ------------------------------------------------------------------
    def gradient_from_weights(self, imp: Implied, W: np.ndarray, g_mu: np.ndarray | None) -> np.ndarray:
        """Chain rule: given dF/dSigma = W (symmetric, p x p) and dF/dmu = g_mu, return dF/dtheta."""
        p, m = self.p, self.m
        Wf = np.zeros((m, m))
        Wf[:p, :p] = W
        BtW = imp.B.T @ Wf
        GA = 2.0 * BtW @ imp.C
        GS = 2.0 * BtW @ imp.B
        GS[np.diag_indices(m)] *= 0.5
        grad = np.zeros(self.q)
        np.add.at(grad, self.s_idx, GS[self.s_rows, self.s_cols])
        if g_mu is not None and self.meanstructure:
            gf = np.zeros(m)
            gf[:p] = g_mu
            Btg = imp.B.T @ gf
            GA = GA + np.outer(Btg, imp.B @ imp.alpha)
            np.add.at(grad, self.m_idx, Btg[self.m_rows])
        np.add.at(grad, self.a_idx, GA[self.a_rows, self.a_cols])
        return grad

    def jacobian(self, imp: Implied) -> tuple[np.ndarray, np.ndarray]:
        """Derivatives of Sigma (q, p, p) and mu (q, p) with respect to the free parameters."""
        p = self.p
        FB = imp.B[:p, :]
        FC = imp.C[:p, :]
        d_sigma = np.zeros((self.q, p, p))
        d_mu = np.zeros((self.q, p))
        if self.a_idx.size:
            u = FB[:, self.a_rows].T  # (na, p)
            w = FC[:, self.a_cols].T
            outer = u[:, :, None] * w[:, None, :]
            np.add.at(d_sigma, self.a_idx, outer + outer.transpose(0, 2, 1))
            if self.meanstructure:
                balpha = imp.B @ imp.alpha
                np.add.at(d_mu, self.a_idx, u * balpha[self.a_cols][:, None])
        if self.s_idx.size:
            u = FB[:, self.s_rows].T
            v = FB[:, self.s_cols].T
            outer = u[:, :, None] * v[:, None, :]
            sym = outer + outer.transpose(0, 2, 1)
            diag = self.s_rows == self.s_cols
            sym[diag] *= 0.5
            np.add.at(d_sigma, self.s_idx, sym)
        if self.m_idx.size:
            np.add.at(d_mu, self.m_idx, FB[:, self.m_rows].T)
        return d_sigma, d_mu

    def theta_from_matrices(self, A: np.ndarray, S: np.ndarray, alpha: np.ndarray) -> np.ndarray:
        """Read the free parameters back out of filled matrices (inverse of :meth:`matrices`)."""
        theta = np.zeros(self.q)
        theta[self.a_idx] = A[self.a_rows, self.a_cols]
        theta[self.s_idx] = S[self.s_rows, self.s_cols]
        theta[self.m_idx] = alpha[self.m_rows]
        return theta


def _acyclic(linked: np.ndarray) -> bool:
    """Whether the directed graph ``linked[i, j]`` (an arrow ``j -> i``) has no cycle (Kahn, 1962).

    Examples
    --------
    >>> _acyclic(np.array([[False, False], [True, False]])), _acyclic(np.array([[False, True], [True, False]]))
    (True, False)
    """
    left = np.ones(linked.shape[0], dtype=bool)
    while left.any():
        sources = left & ~(linked[:, left].any(axis=1))  # no arrow in from a variable still left
        if not sources.any():
            return False
        left &= ~sources
    return True

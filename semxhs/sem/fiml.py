"""Full-information maximum likelihood (FIML) for data with missing values.

lavaan's ``missing = "ml"``: every row contributes the normal log-likelihood of the
variables it has observed (Arbuckle, 1996; Enders, 2010, ch. 4). Rows are grouped by
their *pattern* of observed variables; within a pattern with observed set ``o``,
``n_k`` rows, pattern means ``ybar_k`` and covariances ``S_k`` (divisor ``n_k``),

    logl_k = -n_k/2 [p_k log(2 pi) + log|Sigma_oo| + tr(Sigma_oo^-1 T_k)],
    T_k = S_k + (ybar_k - mu_o)(ybar_k - mu_o)'

so the work per evaluation grows with the number of patterns, not of rows.

The module holds

* pure functions of plain arrays: the log-likelihood and its derivatives with respect to
  ``Sigma`` and ``mu``, casewise scores and the observed information of the saturated
  ("h1") model in ``(mu, vech Sigma)`` coordinates, the EM estimate of the saturated
  moments and the FIML independence model;
* the model-level pieces :func:`fit_fiml` (estimation), :func:`observed_information`
  (the Hessian lavaan inverts for standard errors with ``missing = "ml"``) and
  :func:`delta` (the Jacobian of the implied moments).

Which information lavaan 0.6-14 uses: with ``missing = "ml"`` its option defaults become
``information = "observed"``, ``observed.information = "hessian"``,
``h1.information = "structured"`` (``lavInspect(fit, "options")``), i.e. standard errors
come from the inverse of the Hessian of the FIML log-likelihood at the estimates (lavaan
differentiates its analytic gradient numerically; :func:`observed_information` is analytic
up to the moments' own second derivatives). The standard errors of the reference cases
agree with lavaan's to 1e-5 relative.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from semxhs.errors import DataError, EstimationError, SpecError
from semxhs.sem import fitmeasures as fm
from semxhs.sem.estimate import Estimate, Moments, start_values
from semxhs.sem.partable import ParTable
from semxhs.sem.ram import Implied, RamStructure
from semxhs.sem.results import FitMeasures

LOG_2PI = math.log(2.0 * math.pi)


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Pattern:
    """The rows that share one pattern of observed variables."""

    observed: np.ndarray  # (p_k,) column indices observed in this pattern
    rows: np.ndarray  # (n_k, p_k) the observed values
    index: np.ndarray  # (n_k,) positions of these rows in the (non-empty) data
    mean: np.ndarray  # (p_k,) pattern means
    cov: np.ndarray  # (p_k, p_k) pattern covariances, divisor n_k

    @property
    def n(self) -> int:
        return int(self.rows.shape[0])


@dataclass(frozen=True)
class MissingData:
    """Rows of the model variables grouped by missingness pattern.

    ``n`` counts the rows used; ``n_empty`` the rows dropped because every model variable
    was missing in them (lavaan drops them too, with a warning).
    """

    patterns: tuple[Pattern, ...]
    n: int
    p: int
    n_empty: int

    @classmethod
    def from_array(cls, values: np.ndarray) -> MissingData:
        """Group the rows of an ``(n, p)`` array with NaN for missing values.

        Examples
        --------
        >>> import numpy as np
        >>> y = np.array([[1.0, 2.0], [np.nan, 1.0], [3.0, 0.0], [np.nan, np.nan]])
        >>> md = MissingData.from_array(y)
        >>> md.n, md.n_empty, len(md.patterns)
        (3, 1, 2)
        >>> [pat.observed.tolist() for pat in md.patterns]
        [[0, 1], [1]]
        """
        values = np.asarray(values, dtype=float)
        observed = ~np.isnan(values)
        keep = observed.any(axis=1)
        values, observed = values[keep], observed[keep]
        n, p = values.shape
        keys, inverse = np.unique(observed, axis=0, return_inverse=True)
        inverse = np.asarray(inverse).reshape(-1)
        order = sorted(range(len(keys)), key=lambda k: (-int(keys[k].sum()), keys[k].tolist()[::-1]))
        patterns = []
        for k in order:
            idx = np.flatnonzero(inverse == k)
            obs = np.flatnonzero(keys[k])
            rows = values[np.ix_(idx, obs)]
            mean = rows.mean(axis=0)
            centered = rows - mean
            patterns.append(Pattern(obs, rows, idx, mean, centered.T @ centered / len(idx)))
        return cls(tuple(patterns), int(n), int(p), int((~keep).sum()))

    @property
    def complete(self) -> bool:
        """True when no value is missing."""
        return len(self.patterns) == 1 and self.patterns[0].observed.size == self.p

    def coverage(self) -> np.ndarray:
        """Number of rows observed on each variable."""
        count = np.zeros(self.p, dtype=int)
        for pat in self.patterns:
            count[pat.observed] += pat.n
        return count


def _pattern_inverse(pat: Pattern, sigma: np.ndarray) -> tuple[np.ndarray, float]:
    """``Sigma_oo^-1`` and ``log|Sigma_oo|``; raises LinAlgError when not positive definite."""
    sub = sigma[np.ix_(pat.observed, pat.observed)]
    chol = np.linalg.cholesky(sub)
    inv_chol = np.linalg.solve(chol, np.eye(len(pat.observed)))
    return inv_chol.T @ inv_chol, 2.0 * float(np.log(np.diag(chol)).sum())


# --------------------------------------------------------------------------- likelihood
def loglik(data: MissingData, sigma: np.ndarray, mu: np.ndarray) -> float:
    """FIML log-likelihood of all rows at ``(Sigma, mu)``; ``-inf`` where a block is not PD.

    Examples
    --------
    >>> import numpy as np
    >>> md = MissingData.from_array(np.array([[0.0], [2.0]]))
    >>> round(loglik(md, np.eye(1), np.ones(1)), 6)  # two N(1, 1) densities at distance 1
    -2.837877
    """
    total = 0.0
    for pat in data.patterns:
        try:
            inv, logdet = _pattern_inverse(pat, sigma)
        except np.linalg.LinAlgError:
            return float("-inf")
        d = pat.mean - mu[pat.observed]
        quad = float(np.sum(inv * pat.cov)) + float(d @ inv @ d)
        total += -0.5 * pat.n * (pat.observed.size * LOG_2PI + logdet + quad)
    return total


def objective_derivatives(data: MissingData, sigma: np.ndarray,
                          mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Derivatives of ``F = -2 logl / N`` with respect to ``Sigma`` (as a plain matrix) and ``mu``.

    ``dF/dSigma = sum_k n_k/N [Sigma_oo^-1 - Sigma_oo^-1 T_k Sigma_oo^-1]`` (zero outside
    each pattern's block) and ``dF/dmu = sum_k n_k/N (-2 Sigma_oo^-1 (ybar_k - mu_o))``,
    the inputs :meth:`semxhs.sem.ram.RamStructure.gradient_from_weights` expects.
    """
    p = data.p
    W = np.zeros((p, p))
    g_mu = np.zeros(p)
    for pat in data.patterns:
        inv, _ = _pattern_inverse(pat, sigma)
        o = pat.observed
        d = pat.mean - mu[o]
        T = pat.cov + np.outer(d, d)
        w = pat.n / data.n
        W[np.ix_(o, o)] += w * (inv - inv @ T @ inv)
        g_mu[o] += w * (-2.0 * inv @ d)
    return W, g_mu


def parameter_information(data: MissingData, sigma: np.ndarray, mu: np.ndarray, d_sigma: np.ndarray,
                          d_mu: np.ndarray | None, observed: bool = True) -> np.ndarray:
    """``Delta' W Delta``: the h1 information per row carried to parameters, ``q x q``.

    ``d_sigma`` (q, p, p) and ``d_mu`` (q, p) are the derivatives of ``Sigma`` and ``mu``
    with respect to the parameters. Per pattern, with ``A_i = dSigma_oo,i``, ``m_i = dmu_o,i``,
    ``V = Sigma_oo^-1``, ``d = ybar_k - mu_o`` and ``M = V T_k V``:

    * expected (``observed=False``): ``1/2 tr(A_i V A_j V) + m_i' V m_j``;
    * observed: ``tr(A_i V A_j M) - 1/2 tr(A_i V A_j V) + m_i' V m_j
      + m_i' V A_j V d + m_j' V A_i V d``,

    the second derivatives of ``-logl / N`` through the moments (Savalei, 2010). For a
    model that is not linear in its parameters the observed Hessian adds a term in the
    second derivatives of the moments (:func:`observed_information`). Written as matrix
    products per pattern so that BLAS does the work.
    """
    q = d_sigma.shape[0]
    info = np.zeros((q, q))
    for pat in data.patterns:
        inv, _ = _pattern_inverse(pat, sigma)
        o = pat.observed
        w = pat.n / data.n
        po = o.size
        A = d_sigma[:, o[:, None], o[None, :]]
        # A_i symmetric: V A_i = (A_i V)', so one matrix product per factor serves both sides
        AV3 = (A.reshape(q * po, po) @ inv).reshape(q, po, po)
        AV = AV3.reshape(q, -1)
        VA = AV3.transpose(0, 2, 1).reshape(q, -1)
        if observed:
            d = pat.mean - mu[o]
            M = inv @ (pat.cov + np.outer(d, d)) @ inv
            MA = (A.reshape(q * po, po) @ M).reshape(q, po, po).transpose(0, 2, 1).reshape(q, -1)
            block = AV @ MA.T - 0.5 * (AV @ VA.T)
            block = (block + block.T) / 2.0
        else:
            block = 0.5 * (AV @ VA.T)
        if d_mu is not None:
            m = d_mu[:, o]
            block = block + m @ inv @ m.T
            if observed:
                cross = (m @ inv) @ (A @ (inv @ d)).T  # m_i' V A_j V d
                block = block + cross + cross.T
        info += w * block
    return info


def expected_information(data: MissingData, sigma: np.ndarray, d_sigma: np.ndarray,
                         d_mu: np.ndarray | None) -> np.ndarray:
    """Expected information per row under missingness (Fisher scoring), ``q x q``.

    ``I = sum_k n_k/N [1/2 tr(V dSigma_oo,a V dSigma_oo,b) + dmu_o,a' V dmu_o,b]``,
    ``V = Sigma_oo^-1`` (see :func:`parameter_information`).
    """
    return parameter_information(data, sigma, np.zeros(data.p), d_sigma, d_mu, observed=False)


# --------------------------------------------------------------------------- h1 coordinates
def vech_indices(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each element of ``vech`` (lower triangle, column by column, as lavaan).

    Examples
    --------
    >>> r, c = vech_indices(3)
    >>> list(zip(r.tolist(), c.tolist()))
    [(0, 0), (1, 0), (2, 0), (1, 1), (2, 1), (2, 2)]
    """
    rows = [i for j in range(p) for i in range(j, p)]
    cols = [j for j in range(p) for i in range(j, p)]
    return np.array(rows, dtype=int), np.array(cols, dtype=int)


def _pair_trace(X: np.ndarray, Y: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``tr(E_ab X E_cd Y)`` for all vech pairs, with ``E_ab`` the symmetric unit matrix.

    ``E_ab = e_a e_b' + e_b e_a'`` (``e_a e_a'`` on the diagonal), so a derivative with
    respect to a covariance counts both of its cells.
    """
    a, b = rows[:, None], cols[:, None]
    c, d = rows[None, :], cols[None, :]
    value = X[b, c] * Y[d, a] + X[b, d] * Y[c, a] + X[a, c] * Y[d, b] + X[a, d] * Y[c, b]
    scale = np.where(rows == cols, 0.5, 1.0)
    return value * scale[:, None] * scale[None, :]


def h1_observed_information(data: MissingData, sigma: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Observed information per row of the saturated model, ``-(1/N) d2 logl / d(mu, vech Sigma)^2``.

    Analytic second derivatives of each pattern's log-likelihood (Savalei, 2010), with
    ``V = Sigma_oo^-1``, ``d = ybar_k - mu_o``, ``M = V T_k V``:
    ``-d2/dmu2 = V``, ``-d2/dmu dsigma_cd = V E_cd V d`` and
    ``-d2/dsigma_ab dsigma_cd = 1/2 tr(E_ab [V E_cd M + M E_cd V - V E_cd V])``.
    With complete data at the sample moments it is the familiar expected information
    ``diag(Sigma^-1, 1/2 D'(Sigma^-1 x Sigma^-1) D)``.

    Examples
    --------
    >>> import numpy as np
    >>> md = MissingData.from_array(np.array([[0.0], [2.0]]))
    >>> h1_observed_information(md, np.eye(1), np.ones(1)).round(6).tolist()  # 1/var, 1/(2 var^2)
    [[1.0, 0.0], [0.0, 0.5]]
    """
    p = data.p
    rows, cols = vech_indices(p)
    ps = rows.size
    info = np.zeros((p + ps, p + ps))
    # sum_k w_k V_k (x) M_k and V_k (x) V_k as 4-way arrays; the vech pairs are read off once
    q_vm = np.zeros((p, p, p, p))
    q_vv = np.zeros((p, p, p, p))
    for pat in data.patterns:
        inv, _ = _pattern_inverse(pat, sigma)
        o = pat.observed
        d = pat.mean - mu[o]
        T = pat.cov + np.outer(d, d)
        V = np.zeros((p, p))
        V[np.ix_(o, o)] = inv
        M = np.zeros((p, p))
        M[np.ix_(o, o)] = inv @ T @ inv
        vd = np.zeros(p)
        vd[o] = inv @ d
        w = pat.n / data.n
        # V E_ab V d for each vech pair (a, b): V[:, a] vd[b] + V[:, b] vd[a] (once on the diagonal)
        ms = V[:, rows] * vd[cols] + V[:, cols] * vd[rows]
        ms[:, rows == cols] *= 0.5
        info[:p, :p] += w * V
        info[:p, p:] += w * ms
        q_vm += w * np.multiply.outer(V, M)
        q_vv += w * np.multiply.outer(V, V)
    info[p:, :p] = info[:p, p:].T
    t_vm = _pair_trace_sum(q_vm, rows, cols)
    info[p:, p:] = 0.5 * (t_vm + t_vm.T - _pair_trace_sum(q_vv, rows, cols))
    return info


def _pair_trace_sum(Q: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``sum_k tr(E_ab X_k E_cd Y_k)`` for all vech pairs from ``Q = sum_k X_k (outer) Y_k``."""
    a, b = rows[:, None], cols[:, None]
    c, d = rows[None, :], cols[None, :]
    value = Q[b, c, d, a] + Q[b, d, c, a] + Q[a, c, d, b] + Q[a, d, c, b]
    scale = np.where(rows == cols, 0.5, 1.0)
    return value * scale[:, None] * scale[None, :]


def casewise_scores(data: MissingData, sigma: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Derivatives of each row's log-likelihood with respect to ``(mu, vech Sigma)``, ``N x (p + p*)``.

    For a row with observed part ``y_o``, ``r = y_o - mu_o``, ``V = Sigma_oo^-1``: the mean
    part is ``V r`` and the covariance part ``G = 1/2 (V r r' V - V)``, taken once on the
    diagonal and twice off it (``dl/dsigma_ab = G_ab + G_ba``). Rows are in data order.
    """
    p = data.p
    rows_v, cols_v = vech_indices(p)
    out = np.zeros((data.n, p + rows_v.size))
    double = np.where(rows_v == cols_v, 1.0, 2.0)
    for pat in data.patterns:
        inv, _ = _pattern_inverse(pat, sigma)
        o = pat.observed
        vr = (pat.rows - mu[o]) @ inv  # (n_k, p_k): V r for each row (V symmetric)
        full_vr = np.zeros((pat.n, p))
        full_vr[:, o] = vr
        V = np.zeros((p, p))
        V[np.ix_(o, o)] = inv
        G = 0.5 * (full_vr[:, rows_v] * full_vr[:, cols_v] - V[rows_v, cols_v])
        out[pat.index, :p] = full_vr
        out[pat.index, p:] = G * double
    return out


def first_order_information(data: MissingData, sigma: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """First-order (outer product of scores) information per row, ``(p + p*)`` square."""
    scores = casewise_scores(data, sigma, mu)
    return scores.T @ scores / data.n


def complete_h1_information(sigma: np.ndarray) -> np.ndarray:
    """Information per row of the saturated model for complete normal data at ``Sigma``.

    ``diag(Sigma^-1, 1/2 D'(Sigma^-1 x Sigma^-1) D)`` in ``(mu, vech Sigma)`` coordinates.

    Examples
    --------
    >>> import numpy as np
    >>> complete_h1_information(np.array([[2.0]])).tolist()
    [[0.5, 0.0], [0.0, 0.125]]
    """
    p = sigma.shape[0]
    rows, cols = vech_indices(p)
    inv = np.linalg.inv(sigma)
    out = np.zeros((p + rows.size, p + rows.size))
    out[:p, :p] = inv
    out[p:, p:] = 0.5 * _pair_trace(inv, inv, rows, cols)
    return out


def moment_selection(p: int, exo: np.ndarray | None, meanstructure: bool = True) -> np.ndarray:
    """Which ``(mu, vech Sigma)`` coordinates are modelled: all but the fixed.x block.

    Moments among fixed.x covariates are not estimated (lavaan zeroes their rows and
    columns in the h1 information matrices and skips them when inverting).
    """
    rows, cols = vech_indices(p)
    x = np.zeros(p, dtype=bool) if exo is None else np.asarray(exo, dtype=bool)
    keep_mu = ~x if meanstructure else np.zeros(p, dtype=bool)
    keep_s = ~(x[rows] & x[cols])
    return np.concatenate([keep_mu, keep_s])


# --------------------------------------------------------------------------- saturated and baseline models
@dataclass(frozen=True)
class EMEstimates:
    """Maximum-likelihood mean vector and covariance matrix (divisor n) of incomplete data."""

    mean: np.ndarray
    cov: np.ndarray
    iterations: int
    converged: bool


def em_mvn(values: np.ndarray | MissingData, *, tol: float = 1e-12, max_iter: int = 10_000,
           relative: bool = True) -> EMEstimates:
    """EM estimates of the multivariate-normal mean and covariance with missing values (the one EM).

    EM (Dempster, Laird & Rubin, 1977; Little & Rubin, 2002, sec. 11.2) from the
    available-case means and a diagonal covariance of available-case variances (divisor
    n), until the largest change in any mean or covariance element is below ``tol`` (times
    ``1 + |element|`` when ``relative``). Used by Little's MCAR test
    (:mod:`semxhs.survey.missingness`) and, polished by Newton steps, for the saturated
    model of FIML (:func:`em_moments`). Rows missing every variable must be removed first.

    Examples
    --------
    >>> x = np.array([[1., 2.], [2., np.nan], [3., 5.], [4., 4.], [np.nan, 3.]])
    >>> est = em_mvn(x)
    >>> est.converged, np.round(est.mean, 6)
    (True, array([2.423175, 3.423175]))
    """
    if isinstance(values, MissingData):
        data = values
    else:
        x = np.asarray(values, dtype=float)
        if (~np.isfinite(x).any(axis=1)).any():
            raise DataError("em_mvn: remove rows with every variable missing first")
        data = MissingData.from_array(x)
    p, n = data.p, data.n
    mu = np.zeros(p)
    var = np.zeros(p)
    count = data.coverage()
    for pat in data.patterns:
        mu[pat.observed] += pat.rows.sum(axis=0)
    mu /= count
    for pat in data.patterns:
        var[pat.observed] += ((pat.rows - mu[pat.observed]) ** 2).sum(axis=0)
    var /= count
    sigma = np.diag(var)
    iterations = 0
    converged = False
    for iterations in range(1, max_iter + 1):  # noqa: B007  (the count is reported)
        t1 = np.zeros(p)
        t2 = np.zeros((p, p))
        for pat in data.patterns:
            o = pat.observed
            m = np.setdiff1d(np.arange(p), o)
            filled = np.empty((pat.n, p))
            filled[:, o] = pat.rows
            extra = np.zeros((p, p))
            if m.size:
                beta = np.linalg.solve(sigma[np.ix_(o, o)], sigma[np.ix_(o, m)])  # (p_o, p_m)
                filled[:, m] = mu[m] + (pat.rows - mu[o]) @ beta
                extra[np.ix_(m, m)] = pat.n * (sigma[np.ix_(m, m)] - sigma[np.ix_(m, o)] @ beta)
            t1 += filled.sum(axis=0)
            t2 += filled.T @ filled + extra
        new_mu = t1 / n
        new_sigma = t2 / n - np.outer(new_mu, new_mu)
        if relative:
            change = max(np.max(np.abs(new_mu - mu) / (1 + np.abs(mu))),
                         np.max(np.abs(new_sigma - sigma) / (1 + np.abs(sigma))))
        else:
            change = max(np.max(np.abs(new_mu - mu)), np.max(np.abs(new_sigma - sigma)))
        mu, sigma = new_mu, new_sigma
        if change < tol:
            converged = True
            break
    return EMEstimates(mean=mu, cov=sigma, iterations=iterations, converged=converged)


def em_moments(data: MissingData, tol: float = 1e-8, max_iter: int = 5000) -> tuple[np.ndarray, np.ndarray, int]:
    """ML estimates of the means and covariances with missing data: EM, then Newton polish.

    EM (:func:`em_mvn`) runs until no moment changes by more than ``tol``; Newton steps on
    the analytic h1 Hessian then take the gradient to rounding level, so the saturated
    log-likelihood (and the chi-square) does not depend on where EM stopped.

    Returns
    -------
    mu, sigma, iterations

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 3.5], [4.0, 5.0], [np.nan, 1.0]])
    >>> mu, sigma, _ = em_moments(MissingData.from_array(y))
    >>> mu.round(4).tolist()  # lavaan: sem("a ~~ b", d, missing = "ml") gives 2.039, 2.865
    [2.0392, 2.8654]
    """
    p, n = data.p, data.n
    if data.complete:
        pat = data.patterns[0]
        return pat.mean.copy(), pat.cov.copy(), 0
    em = em_mvn(data, tol=tol, max_iter=max_iter, relative=False)
    mu, sigma, iterations = em.mean, em.cov, em.iterations
    rows, cols = vech_indices(p)
    for _ in range(5):
        scores = casewise_scores(data, sigma, mu)
        grad = scores.sum(axis=0) / n
        if np.max(np.abs(grad)) < 1e-10:
            break
        step = np.linalg.solve(h1_observed_information(data, sigma, mu), grad)
        cand_mu = mu + step[:p]
        cand = sigma.copy()
        cand[rows, cols] += step[p:]
        cand[cols, rows] = cand[rows, cols]
        if not loglik(data, cand, cand_mu) >= loglik(data, sigma, mu) - 1e-9:
            break
        mu, sigma = cand_mu, cand
    return mu, sigma, iterations


def independence_moments(data: MissingData, exo: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """FIML estimates of lavaan's independence (baseline) model with free means and variances.

    The likelihood of uncorrelated variables factors into one term per variable, so the
    estimates are each variable's available-case mean and variance (divisor: the number
    of rows observing it). Covariances among fixed.x covariates keep their sample values.

    Examples
    --------
    >>> import numpy as np
    >>> mu, s = independence_moments(MissingData.from_array(np.array([[1.0, np.nan], [3.0, 2.0], [2.0, 4.0]])))
    >>> mu.tolist(), np.diag(s).tolist()
    ([2.0, 3.0], [0.6666666666666666, 1.0])
    """
    p = data.p
    count = data.coverage()
    mu = np.zeros(p)
    for pat in data.patterns:
        mu[pat.observed] += pat.rows.sum(axis=0)
    mu /= count
    var = np.zeros(p)
    for pat in data.patterns:
        var[pat.observed] += ((pat.rows - mu[pat.observed]) ** 2).sum(axis=0)
    sigma = np.diag(var / count)
    x = np.zeros(p, dtype=bool) if exo is None else np.asarray(exo, dtype=bool)
    if x.any():
        xcov, _ = complete_columns_moments(data, x)
        sigma[np.ix_(x, x)] = xcov
    return mu, sigma


def complete_columns_moments(data: MissingData, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Covariances (divisor N) and means of columns observed in every row (fixed.x covariates)."""
    cols = np.flatnonzero(columns)
    values = np.empty((data.n, cols.size))
    for pat in data.patterns:
        pos = np.searchsorted(pat.observed, cols)
        if np.any(pos >= pat.observed.size) or np.any(pat.observed[np.minimum(pos, pat.observed.size - 1)] != cols):
            raise DataError("a fixed.x covariate has missing values; drop those rows first")
        values[pat.index] = pat.rows[:, pos]
    mean = values.mean(axis=0)
    centered = values - mean
    return centered.T @ centered / data.n, mean


# --------------------------------------------------------------------------- the structured model
def model_moments(structure: RamStructure, imp: Implied, mu_fixed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Implied ``(Sigma, mu)``; ``mu_fixed`` (the sample means) when the model has no mean structure."""
    if structure.meanstructure or mu_fixed is None:
        return imp.sigma, imp.mu
    return imp.sigma, mu_fixed


def objective(structure: RamStructure, data: MissingData, theta: np.ndarray,
              mu_fixed: np.ndarray | None = None) -> float:
    """``F(theta) = -2 logl / N`` (``inf`` where the implied covariance is not positive definite)."""
    try:
        imp = structure.implied(theta)
    except np.linalg.LinAlgError:
        return float("inf")
    value = loglik(data, *model_moments(structure, imp, mu_fixed))
    return -2.0 * value / data.n if np.isfinite(value) else float("inf")


def gradient(structure: RamStructure, data: MissingData, theta: np.ndarray,
             mu_fixed: np.ndarray | None = None) -> np.ndarray:
    """Analytic gradient of ``F = -2 logl / N`` with respect to the free parameters."""
    imp = structure.implied(theta)
    sigma, mu = model_moments(structure, imp, mu_fixed)
    W, g_mu = objective_derivatives(data, sigma, mu)
    return structure.gradient_from_weights(imp, W, g_mu if structure.meanstructure else None)


def numeric_jacobian(func: Callable[[np.ndarray], np.ndarray], theta: np.ndarray) -> np.ndarray:
    """Jacobian of a vector function by the four-point central difference, symmetrized.

    lavaan's ``observed.information = "hessian"`` differentiates its analytic gradient
    the same way (``lav_model_hessian``, step ``h = 1e-6`` per coordinate in
    Richardson form); the error is of order ``h^4`` times the fifth derivative.

    Examples
    --------
    >>> import numpy as np
    >>> numeric_jacobian(lambda t: np.array([2 * t[0] * t[1], t[0] ** 2]), np.array([1.0, 3.0])).round(6).tolist()
    [[6.0, 2.0], [2.0, 0.0]]
    """
    q = theta.size
    out = np.zeros((q, q))
    for k in range(q):
        h = 1e-4 * max(1.0, abs(theta[k]))
        e = np.zeros(q)
        e[k] = h
        out[:, k] = (func(theta - 2 * e) - 8 * func(theta - e) + 8 * func(theta + e) - func(theta + 2 * e)) / (12 * h)
    return (out + out.T) / 2.0


def observed_information(structure: RamStructure, data: MissingData, theta: np.ndarray,
                         mu_fixed: np.ndarray | None = None) -> np.ndarray:
    """Observed information per row, ``-(1/N) d2 logl / dtheta2`` (lavaan's ``"hessian"``).

    The Hessian is ``Delta' W_obs Delta`` (:func:`parameter_information`, analytic) plus
    ``sum_j g_j d2 m_j / dtheta2`` with ``g`` the gradient with respect to the moments
    ``m = (mu, Sigma)``; the second part needs no pass over the data and is differentiated
    numerically (:func:`numeric_jacobian` of the chain-rule gradient with ``g`` held fixed).
    lavaan differentiates its whole analytic gradient numerically; the two agree to
    differentiation error.

    With complete data and no mean structure (``mu_fixed`` = sample means) this is the
    Hessian of lavaan's ML objective ``F_ML / 2``, which MLR uses as the bread.
    """
    imp = structure.implied(theta)
    sigma, mu = model_moments(structure, imp, mu_fixed)
    d_sigma, d_mu = structure.jacobian(imp)
    first = parameter_information(data, sigma, mu, d_sigma, d_mu if structure.meanstructure else None)
    # the moments' own curvature: d/dtheta of Delta(theta)' g with the moment gradient g fixed
    W, g_mu = objective_derivatives(data, sigma, mu)
    g = g_mu if structure.meanstructure else None
    second = 0.5 * numeric_jacobian(lambda t: structure.gradient_from_weights(structure.implied(t), W, g), theta)
    info = first + second
    return (info + info.T) / 2.0


def delta(structure: RamStructure, imp: Implied, meanstructure: bool | None = None) -> np.ndarray:
    """Jacobian of ``(mu, vech Sigma)`` with respect to the free parameters, ``(p + p*) x q``.

    Without a mean structure the mean rows are zero.
    """
    d_sigma, d_mu = structure.jacobian(imp)
    rows, cols = vech_indices(structure.p)
    ms = structure.meanstructure if meanstructure is None else meanstructure
    top = d_mu.T if ms else np.zeros((structure.p, structure.q))
    return np.vstack([top, d_sigma[:, rows, cols].T])


def fit_fiml(structure: RamStructure, data: MissingData, start: np.ndarray,
             gtol: float = 1e-9, max_iter: int = 500) -> Estimate:
    """Minimize ``F = -2 logl / N`` by Fisher scoring, then Newton, with step halving; BFGS if they stall.

    The first three steps use the expected information under missingness
    (:func:`expected_information`); later steps the observed Hessian when it is positive
    definite (scoring alone converges only linearly with missing data);
    convergence needs the largest gradient element below ``gtol``. ``Estimate.fmin`` is
    ``F`` at the optimum (not a chi-square: that is ``2 (logl_h1 - logl)``).
    """
    theta = np.array(start, dtype=float)
    f = objective(structure, data, theta)
    if not np.isfinite(f):
        raise EstimationError("the starting values give an implied covariance matrix that is not positive definite")
    if structure.q == 0:
        return Estimate(theta, f, 0, True, 0.0, "no free parameters")
    iterations = 0
    grad = np.full(structure.q, np.inf)
    for iterations in range(1, max_iter + 1):
        try:
            imp = structure.implied(theta)
            W, g_mu = objective_derivatives(data, imp.sigma, imp.mu)
            g = g_mu if structure.meanstructure else None
            grad = structure.gradient_from_weights(imp, W, g)
            if np.max(np.abs(grad)) < gtol:
                break
            d_sigma, d_mu = structure.jacobian(imp)
            dm = d_mu if structure.meanstructure else None
            info = None
            if iterations > 3:
                # Newton: the observed Hessian converges quadratically where it is positive definite
                hess = parameter_information(data, imp.sigma, imp.mu, d_sigma, dm) + 0.5 * numeric_jacobian(
                    lambda t: structure.gradient_from_weights(structure.implied(t), W, g), theta)  # noqa: B023 (called here)
                try:
                    np.linalg.cholesky(hess)
                    info = hess
                except np.linalg.LinAlgError:
                    info = None
            if info is None:
                info = expected_information(data, imp.sigma, d_sigma, dm)
        except np.linalg.LinAlgError:
            break
        try:
            step = np.linalg.solve(2.0 * info, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(2.0 * info, grad, rcond=None)[0]
        t = 1.0
        for _ in range(40):
            candidate = theta - t * step
            f_new = objective(structure, data, candidate)
            if np.isfinite(f_new) and f_new <= f + 1e-12 * max(1.0, abs(f)):
                break
            t *= 0.5
        else:
            break
        theta, f = candidate, f_new
    max_grad = float(np.max(np.abs(grad)))
    if max_grad < gtol:
        return Estimate(theta, f, iterations, True, max_grad, "converged (scoring/Newton)")
    from scipy import optimize  # only when Fisher scoring and Newton stall; MLR's information needs none

    res = optimize.minimize(lambda t: objective(structure, data, t), theta,
                            jac=lambda t: _safe_gradient(structure, data, t), method="BFGS",
                            options={"gtol": gtol, "maxiter": 20 * max_iter})
    theta, f = res.x, float(res.fun)
    iterations += int(res.nit)
    max_grad = float(np.max(np.abs(_safe_gradient(structure, data, theta))))
    converged = max_grad < max(gtol, 1e-6)
    msg = "converged (quasi-Newton)" if converged else (
        f"largest gradient {max_grad:.2g} after {iterations} iterations")
    return Estimate(theta, f, iterations, converged, max_grad, msg)


def _safe_gradient(structure: RamStructure, data: MissingData, theta: np.ndarray) -> np.ndarray:
    try:
        return gradient(structure, data, theta)
    except np.linalg.LinAlgError:
        return np.zeros_like(theta)


# --------------------------------------------------------------------------- one FIML fit
@dataclass(frozen=True)
class FimlFit:
    """Everything a FIML fit produced that standard errors and fit measures need.

    ``moments`` holds the EM (h1) moments with ``n`` rows, for starting values and the
    standardized solution; ``information`` is the observed information per row.
    """

    structure: RamStructure
    data: MissingData
    estimate: Estimate
    moments: Moments
    h1_mu: np.ndarray
    h1_sigma: np.ndarray
    h1_logl: float
    logl: float
    null_mu: np.ndarray
    null_sigma: np.ndarray
    null_logl: float
    exo: np.ndarray
    chisq: float
    df: int
    chisq_null: float
    df_null: int
    information: np.ndarray
    n_missing_x: int


def fit_fiml_model(partable: ParTable, values: np.ndarray) -> FimlFit:
    """Fit a model with a mean structure to rows with missing values (lavaan's ``missing = "ml"``).

    Rows missing every model variable are dropped (``data.n_empty``), and so are rows
    missing a fixed.x covariate (``n_missing_x``), as lavaan does with ``fixed.x = TRUE``.
    The chi-square is ``2 (logl_h1 - logl)`` with the EM saturated model; the baseline
    model has free means and variances (covariances among fixed.x covariates fixed).

    Raises
    ------
    SpecError
        When the parameter table has no mean structure.
    DataError, EstimationError
    """
    if not partable.meanstructure:
        raise SpecError("missing='fiml' needs a mean structure: build the parameter table with meanstructure=True")
    values = np.asarray(values, dtype=float)
    exo = np.array([v in partable.exogenous_observed for v in partable.observed], dtype=bool)
    n_missing_x = 0
    if exo.any():
        has_x = ~np.isnan(values[:, exo]).any(axis=1)
        has_any = ~np.isnan(values).all(axis=1)
        n_missing_x = int((~has_x & has_any).sum())
        values = values[has_x | ~has_any]
    data = MissingData.from_array(values)
    p = data.p
    if data.n <= p:
        raise DataError(f"only {data.n} usable rows for {p} model variables: too few to estimate the model")
    h1_mu, h1_sigma, _ = em_moments(data)
    if exo.any():
        # fixed.x covariates are complete: their moments are the sample moments
        xcov, xmean = complete_columns_moments(data, exo)
        h1_sigma[np.ix_(exo, exo)] = xcov
        h1_mu[exo] = xmean
    sign, logdet = np.linalg.slogdet(h1_sigma)
    if sign <= 0:
        raise EstimationError("the EM estimate of the covariance matrix of the model variables is singular "
                              "(a variable is a linear combination of others)")
    moments = Moments(cov=h1_sigma, mean=h1_mu, n=data.n, logdet=float(logdet))
    structure = RamStructure(partable, h1_sigma, h1_mu)
    est = fit_fiml(structure, data, start_values(structure, moments))
    imp = structure.implied(est.theta)
    logl = loglik(data, imp.sigma, imp.mu)
    h1_logl = loglik(data, h1_sigma, h1_mu)
    null_mu, null_sigma = independence_moments(data, exo)
    null_logl = loglik(data, null_sigma, null_mu)
    px, py = int(exo.sum()), int((~exo).sum())
    n_moments = p * (p + 1) // 2 + p - (px * (px + 1) // 2 + px)
    df = n_moments - structure.q
    df_null = n_moments - 2 * py
    try:
        information = observed_information(structure, data, est.theta)
    except np.linalg.LinAlgError:
        information = np.full((structure.q, structure.q), np.nan)
    return FimlFit(
        structure=structure, data=data, estimate=est, moments=moments, h1_mu=h1_mu, h1_sigma=h1_sigma,
        h1_logl=h1_logl, logl=logl, null_mu=null_mu, null_sigma=null_sigma, null_logl=null_logl, exo=exo,
        chisq=max(2.0 * (h1_logl - logl), 0.0), df=df, chisq_null=2.0 * (h1_logl - null_logl), df_null=df_null,
        information=information, n_missing_x=n_missing_x,
    )


def fiml_fit_measures(ff: FimlFit) -> FitMeasures:
    """Fit measures of a FIML fit with lavaan's definitions for ``missing = "ml"``.

    SRMR compares the implied moments with the EM (h1) moments (means included); the
    log-likelihoods are the FIML ones. With fixed.x covariates lavaan reports the joint
    log-likelihood minus the covariates' own (saturated) part, as with complete data.
    """
    n, npar = ff.data.n, ff.structure.q
    imp = ff.structure.implied(ff.estimate.theta)
    logl, logl_h1 = ff.logl, ff.h1_logl
    if ff.exo.any():
        sxx = ff.h1_sigma[np.ix_(ff.exo, ff.exo)]
        logl_x = fm.normal_loglik(n, sxx, sxx)
        logl -= logl_x
        logl_h1 -= logl_x
    lo, hi = fm.rmsea_ci(ff.chisq, ff.df, n)
    return FitMeasures(
        chisq=ff.chisq,
        df=ff.df,
        pvalue=fm.chisq_pvalue(ff.chisq, ff.df),
        cfi=fm.cfi(ff.chisq, ff.df, ff.chisq_null, ff.df_null),
        tli=fm.tli(ff.chisq, ff.df, ff.chisq_null, ff.df_null),
        rmsea=fm.rmsea(ff.chisq, ff.df, n),
        rmsea_ci_lower=lo,
        rmsea_ci_upper=hi,
        srmr=fm.srmr(ff.h1_sigma, imp.sigma, ff.h1_mu, imp.mu),
        aic=fm.aic(logl, npar),
        bic=fm.bic(logl, npar, n),
        logl=logl,
        npar=npar,
        baseline_chisq=ff.chisq_null,
        baseline_df=ff.df_null,
        unrestricted_logl=logl_h1,
    )

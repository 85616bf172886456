"""Maximum-likelihood estimation of a RAM-structured model from sample moments.

The ML discrepancy (Jöreskog, 1967; lavaan's ``fmin`` is half of it)

    F_ML = log|Sigma| + tr(S Sigma^-1) - log|S| - p + (ybar - mu)' Sigma^-1 (ybar - mu)

is minimized by Fisher scoring with step halving, which converges quadratically near
the optimum; a quasi-Newton run (BFGS with the analytic gradient) takes over if
scoring stalls. Convergence is declared only when the largest absolute gradient element
is below ``gtol``, so estimates agree with lavaan's to far better than 1e-4.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from semxhs.sem.derivatives import layout_of, ml_derivatives
from semxhs.sem.ram import Implied, RamStructure
from semxhs.sem.threads import one_blas_thread


@dataclass(frozen=True)
class Moments:
    """Sample moments with the ML divisor N."""

    cov: np.ndarray
    mean: np.ndarray
    n: int
    logdet: float

    @classmethod
    def from_data(cls, data: np.ndarray) -> Moments:
        """Moments of an (n, p) array of complete rows.

        Examples
        --------
        >>> import numpy as np
        >>> m = Moments.from_data(np.array([[1.0, 2.0], [3.0, 2.5], [2.0, 4.0]]))
        >>> m.n, m.mean.tolist()
        (3, [2.0, 2.8333333333333335])
        """
        n = data.shape[0]
        mean = data.mean(axis=0)
        centered = data - mean
        cov = centered.T @ centered / n
        sign, logdet = np.linalg.slogdet(cov)
        return cls(cov=cov, mean=mean, n=n, logdet=float(logdet) if sign > 0 else float("nan"))


@dataclass(frozen=True)
class Estimate:
    """Result of one ML optimisation."""

    theta: np.ndarray
    fmin: float  # F_ML at the optimum (chi-square = n * fmin)
    iterations: int
    converged: bool
    max_gradient: float
    message: str


def discrepancy(structure: RamStructure, theta: np.ndarray, moments: Moments) -> float:
    """F_ML at ``theta``; ``inf`` where the implied covariance is not positive definite."""
    try:
        imp = structure.implied(theta)
        chol = np.linalg.cholesky(imp.sigma)
        inv = np.linalg.inv(imp.sigma)
    except np.linalg.LinAlgError:
        return float("inf")
    logdet = 2.0 * np.log(np.diag(chol)).sum()
    value = logdet + np.trace(moments.cov @ inv) - moments.logdet - structure.p
    if structure.meanstructure:
        d = moments.mean - imp.mu
        value += d @ inv @ d
    if value < -1e-8 * max(1.0, abs(float(moments.logdet))):
        # F_ML >= 0 whenever S is positive definite: a negative value is rounding in a nearly
        # singular Sigma (an optimizer drifting along a direction the data do not identify),
        # and such a point must not look better than a proper one
        return float("inf")
    return float(value)


def gradient(structure: RamStructure, theta: np.ndarray, moments: Moments,
             imp: Implied | None = None, inv: np.ndarray | None = None) -> np.ndarray:
    """Analytic gradient of F_ML with respect to the free parameters.

    ``dF/dSigma = Sigma^-1 (Sigma - S - d d') Sigma^-1`` and ``dF/dmu = -2 Sigma^-1 d`` with
    ``d = ybar - mu``, carried to the parameters by :meth:`RamStructure.gradient_from_weights`.
    """
    imp = structure.implied(theta) if imp is None else imp
    inv = np.linalg.inv(imp.sigma) if inv is None else inv
    d = moments.mean - imp.mu
    resid = imp.sigma - moments.cov
    if structure.meanstructure:
        resid = resid - np.outer(d, d)
    W = inv @ resid @ inv
    g_mu = -2.0 * inv @ d if structure.meanstructure else None
    return structure.gradient_from_weights(imp, W, g_mu)


def _gradient_and_information(structure: RamStructure, theta: np.ndarray,
                              moments: Moments) -> tuple[np.ndarray, np.ndarray, Implied]:
    imp = structure.implied(theta)
    inv = np.linalg.inv(imp.sigma)
    grad = gradient(structure, theta, moments, imp, inv)
    info = unit_information(structure, imp, inv)
    return grad, info, imp


def unit_information(structure: RamStructure, imp: Implied, inv: np.ndarray | None = None) -> np.ndarray:
    """Expected information of one observation (normal theory), ``q x q``.

    ``I_kl = 1/2 tr(Sigma^-1 dSigma_k Sigma^-1 dSigma_l) + dmu_k' Sigma^-1 dmu_l``
    """
    with one_blas_thread():
        return _unit_information(structure, imp, inv)


def _unit_information(structure: RamStructure, imp: Implied, inv: np.ndarray | None) -> np.ndarray:
    if inv is None:
        inv = np.linalg.inv(imp.sigma)
    # gathered from X' Sigma^-1 X over the few distinct direction columns X (see
    # semxhs.sem.derivatives): no (q, p, p) array of dSigma_k, no product over p^2 per pair
    _, fisher, _ = ml_derivatives(structure, layout_of(structure), imp.B[None], imp.C[None], imp.alpha[None],
                                  inv[None], imp.sigma[None], imp.mu[None], imp.mu[None])
    return 0.5 * fisher[0]


def exact_hessian(structure: RamStructure, theta: np.ndarray, moments: Moments) -> np.ndarray | None:
    """Analytic Hessian of F_ML without a mean structure (:mod:`semxhs.sem.derivatives`).

    ``None`` unless it is positive definite and well conditioned (smallest eigenvalue above
    1e-10 of the largest), or with a mean structure.
    """
    if structure.meanstructure:
        return None
    imp = structure.implied(theta)
    try:
        inv = np.linalg.inv(imp.sigma)
        _, _, hess = ml_derivatives(structure, layout_of(structure), imp.B[None], imp.C[None], imp.alpha[None],
                                    inv[None], moments.cov[None], None, None, newton=True)
        if hess is None or not np.all(np.isfinite(hess)):
            return None
        eig = np.linalg.eigvalsh(hess[0])
    except np.linalg.LinAlgError:
        return None
    # positive definite and not nearly singular: along a direction the data do not identify F is
    # flat, and a Newton step there would be huge while the line search accepts it (F unchanged)
    if eig[0] <= 1e-10 * max(eig[-1], 1e-300):
        return None
    return hess[0]


def start_values(structure: RamStructure, moments: Moments) -> np.ndarray:
    """Starting values in the spirit of lavaan's ``start = "simple"``, a little closer.

    Residual variances of observed variables start at half their sample variance,
    factor variances at half the marker's variance, free loadings at the marker-based
    ratio cov(x, marker) / var(factor), regressions and covariances at zero, intercepts
    at the sample means.
    """
    pt = structure.partable
    idx = structure.index
    var = np.diag(moments.cov)
    A, S, alpha = structure.matrices(np.zeros(structure.q))
    marker: dict[str, str] = {}
    for p in pt.params:
        if p.op == "=~" and p.free == 0 and p.value not in (None, 0.0) and p.lhs not in marker:
            marker[p.lhs] = p.rhs
    theta = np.zeros(structure.q)
    seen: set[int] = set()
    for p in pt.params:
        k = p.free - 1
        if p.free == 0 or k in seen:
            continue
        seen.add(k)
        if p.start is not None:
            theta[k] = p.start
            continue
        if p.op == "~~" and p.lhs in pt.covariates and p.rhs in pt.covariates:
            theta[k] = moments.cov[idx[p.lhs], idx[p.rhs]]  # fixed.x = FALSE: start at the sample value
        elif p.op == "~~" and p.lhs == p.rhs:
            if p.lhs in pt.observed:
                theta[k] = 0.5 * var[idx[p.lhs]]
            else:
                mk = marker.get(p.lhs)
                theta[k] = 0.5 * var[idx[mk]] if mk in pt.observed else 0.05
                if not any(q.op == "~" and q.lhs == p.lhs for q in pt.params) and mk in pt.observed:
                    theta[k] = 0.5 * var[idx[mk]]
                elif mk in pt.observed:
                    theta[k] = 0.25 * var[idx[mk]]
        elif p.op == "=~":
            mk = marker.get(p.lhs)
            if mk in pt.observed and p.rhs in pt.observed:
                c = moments.cov[idx[p.rhs], idx[mk]]
                psi = 0.5 * var[idx[mk]]
                theta[k] = c / psi if psi > 0 else 1.0
                if not np.isfinite(theta[k]) or abs(theta[k]) < 1e-3:
                    theta[k] = 1.0
            elif mk is None and p.rhs in pt.observed:
                theta[k] = np.sqrt(0.5 * var[idx[p.rhs]])  # std.lv: factor variance 1
            else:
                theta[k] = 1.0
        elif p.op == "~1":
            theta[k] = moments.mean[idx[p.lhs]] if p.lhs in pt.observed else 0.0
    return theta


def numerical_hessian(structure: RamStructure, theta: np.ndarray, moments: Moments,
                      h: float = 1e-6) -> np.ndarray | None:
    """Hessian of F_ML by central differences of the analytic gradient; None unless positive definite."""
    return _difference_hessian(lambda t: gradient(structure, t, moments), theta, h)


def _difference_hessian(grad: Callable[[np.ndarray], np.ndarray], theta: np.ndarray,
                        h: float = 1e-6) -> np.ndarray | None:
    q = theta.size
    hess = np.empty((q, q))
    try:
        for k in range(q):
            step = np.zeros(q)
            step[k] = h * max(1.0, abs(theta[k]))
            g_plus = grad(theta + step)
            g_minus = grad(theta - step)
            hess[:, k] = (g_plus - g_minus) / (2.0 * step[k])
    except np.linalg.LinAlgError:
        return None
    hess = 0.5 * (hess + hess.T)
    try:
        np.linalg.cholesky(hess)
    except np.linalg.LinAlgError:
        return None
    return hess


@dataclass(frozen=True)
class Objective:
    """What the optimizer needs of a discrepancy function: its value, gradient and expected information."""

    q: int
    value: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray]
    grad_info: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
    #: the exact Hessian where it is positive definite (else None); differences of the gradient without it
    hessian: Callable[[np.ndarray], np.ndarray | None] | None = None


def single_group_objective(structure: RamStructure, moments: Moments) -> Objective:
    """F_ML of one group (one sample)."""
    def _gi(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g, info, _ = _gradient_and_information(structure, t, moments)
        return g, info

    hessian = None if structure.meanstructure else (lambda t: exact_hessian(structure, t, moments))
    return Objective(structure.q, lambda t: discrepancy(structure, t, moments),
                     lambda t: gradient(structure, t, moments), _gi, hessian)


def group_weights(moments: list[Moments]) -> np.ndarray:
    """``N_g / N`` of each group (lavaan weighs the groups' discrepancies by them)."""
    n = np.array([m.n for m in moments], dtype=float)
    return n / n.sum()


def multigroup_objective(structures: list[RamStructure], moments: list[Moments]) -> Objective:
    """``F = sum_g (N_g / N) F_ML,g`` over groups sharing one vector of free parameters (lavaan's).

    The gradient and the expected information are the same weighted sums, so equality
    constraints made by shared labels need nothing more.
    """
    w = group_weights(moments)
    q = structures[0].q

    def _value(t: np.ndarray) -> float:
        return float(sum(wg * discrepancy(sg, t, mg) for wg, sg, mg in zip(w, structures, moments)))

    def _grad(t: np.ndarray) -> np.ndarray:
        out = np.zeros(q)
        for wg, sg, mg in zip(w, structures, moments):
            out += wg * gradient(sg, t, mg)
        return out

    def _gi(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g_out, i_out = np.zeros(q), np.zeros((q, q))
        for wg, sg, mg in zip(w, structures, moments):
            g, info, _ = _gradient_and_information(sg, t, mg)
            g_out += wg * g
            i_out += wg * info
        return g_out, i_out

    return Objective(q, _value, _grad, _gi)


def multigroup_start(structures: list[RamStructure], moments: list[Moments]) -> np.ndarray:
    """Start values of each free parameter from the first group that has it (:func:`start_values`)."""
    theta = np.zeros(structures[0].q)
    done: set[int] = set()
    for sg, mg in zip(structures, moments):
        t = start_values(sg, mg)
        for p in sg.partable.params:
            k = p.free - 1
            if p.free and k not in done:
                theta[k] = t[k]
                done.add(k)
    return theta


def fit_ml_groups(structures: list[RamStructure], moments: list[Moments], start: np.ndarray | None = None,
                  gtol: float = 1e-9, max_iter: int = 500) -> Estimate:
    """Minimize the multi-group ML discrepancy (:func:`multigroup_objective`) as :func:`fit_ml` does.

    ``Estimate.fmin`` is the weighted discrepancy, so ``chisq = N * fmin = sum_g N_g F_g``.
    """
    theta = multigroup_start(structures, moments) if start is None else np.array(start, dtype=float)
    with one_blas_thread():  # small matrices (semxhs.sem.threads)
        return minimize(multigroup_objective(structures, moments), theta,
                        lambda: multigroup_start(structures, moments), gtol=gtol, max_iter=max_iter)


def fit_ml(structure: RamStructure, moments: Moments, start: np.ndarray | None = None,
           gtol: float = 1e-9, max_iter: int = 500) -> Estimate:
    """Minimize F_ML by Fisher scoring (with step halving), falling back to BFGS.

    Parameters
    ----------
    structure : RamStructure
    moments : Moments
        Sample moments (divisor N).
    start : numpy.ndarray, optional
        Starting values; default :func:`start_values`.
    gtol : float
        Convergence: largest absolute gradient element of F_ML.
    max_iter : int
        Iteration limit for each stage.

    Returns
    -------
    Estimate
    """
    theta = start_values(structure, moments) if start is None else np.array(start, dtype=float)
    with one_blas_thread():  # small matrices (semxhs.sem.threads)
        return minimize(single_group_objective(structure, moments), theta,
                        lambda: start_values(structure, moments), gtol=gtol, max_iter=max_iter)


def minimize(obj: Objective, theta: np.ndarray, safe_start: Callable[[], np.ndarray], *, gtol: float = 1e-9,
             max_iter: int = 500) -> Estimate:
    """Fisher scoring with step halving (Newton steps near the optimum), then BFGS if scoring stalls."""
    if obj.q == 0:
        f = obj.value(theta)
        return Estimate(theta, f, 0, np.isfinite(f), 0.0, "no free parameters")
    f = obj.value(theta)
    if not np.isfinite(f):
        # move to a safe start: diagonal implied covariance
        theta = safe_start()
        f = obj.value(theta)
    iterations = 0
    grad = np.full(obj.q, np.inf)
    stalled = False
    for iterations in range(1, max_iter + 1):  # noqa: B007  (the count is reported)
        try:
            grad, info = obj.grad_info(theta)
        except np.linalg.LinAlgError:
            stalled = True
            break
        if np.max(np.abs(grad)) < gtol:
            break
        hessian = 2.0 * info
        if np.max(np.abs(grad)) < 1e-3:
            # near the optimum of a misfitting model scoring converges only linearly; Newton
            # steps with the exact Hessian (differences of the analytic gradient) converge fast
            exact = obj.hessian(theta) if obj.hessian is not None else _difference_hessian(obj.grad, theta)
            if exact is not None:
                hessian = exact
        try:
            step = np.linalg.solve(hessian, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hessian, grad, rcond=None)[0]
        t = 1.0
        for _ in range(40):
            candidate = theta - t * step
            f_new = obj.value(candidate)
            if np.isfinite(f_new) and f_new <= f + 1e-12 * max(1.0, abs(f)):
                break
            t *= 0.5
        else:
            stalled = True
            break
        theta, f_old, f = candidate, f, f_new
        if abs(f_old - f) < 1e-15 and t < 1e-6:
            stalled = True
            break
    max_grad = float(np.max(np.abs(grad)))
    if max_grad < gtol:
        return Estimate(theta, f, iterations, True, max_grad, "converged (Fisher scoring)")

    # quasi-Newton fallback, then scoring polish from wherever it ends
    from scipy import optimize  # imported here: most fits never need it

    def fun(t: np.ndarray) -> float:
        return obj.value(t)

    def jac(t: np.ndarray) -> np.ndarray:
        try:
            return obj.grad(t)
        except np.linalg.LinAlgError:
            return np.zeros_like(t)

    res = optimize.minimize(fun, theta, jac=jac, method="BFGS",
                            options={"gtol": gtol, "maxiter": 20 * max_iter})
    theta = res.x
    f = float(res.fun)
    iterations += int(res.nit)
    for _ in range(50):
        try:
            grad, info = obj.grad_info(theta)
            if np.max(np.abs(grad)) < gtol:
                break
            candidate = theta - np.linalg.solve(2.0 * info, grad)
        except np.linalg.LinAlgError:
            break
        f_new = obj.value(candidate)
        if not (np.isfinite(f_new) and f_new <= f + 1e-12 * max(1.0, abs(f))):
            break
        theta, f = candidate, f_new
        iterations += 1
    try:
        grad, _ = obj.grad_info(theta)
        max_grad = float(np.max(np.abs(grad)))
    except np.linalg.LinAlgError:
        max_grad = float("inf")
    converged = max_grad < max(gtol, 1e-6)
    msg = "converged (quasi-Newton)" if converged else (
        f"largest gradient {max_grad:.2g} after {iterations} iterations"
        + (" (scoring stalled)" if stalled else "")
    )
    return Estimate(theta, f, iterations, converged, max_grad, msg)

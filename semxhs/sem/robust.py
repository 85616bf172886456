"""Robust ML (lavaan's ``estimator = "MLR"``) and the robust fit indices lavaan reports.

What lavaan 0.6-14 does (``lavInspect(fit, "options")`` and the sources named below):

* **Standard errors** (``se = "robust.huber.white"``): the sandwich
  ``V = A^-1 B A^-1 / N`` (Huber, 1967; White, 1982). The bread ``A`` is the *observed*
  information (``information = "observed"``, ``observed.information = "hessian"``: the
  Hessian of the log-likelihood per row, with or without missing data); the meat ``B`` is
  the first-order information ``Delta' J Delta`` with ``J`` the outer product of the
  casewise scores at the model-implied moments (``information.meat = "first.order"``,
  ``h1.information.meat = "structured"``).
* **Test** (``test = "yuan.bentler.mplus"``, ``lav_test_yuan_bentler_mplus_trace``): the
  scaling factor ``c = [tr(A1^-1 B1) - tr(A^-1 B)] / df`` where ``A1`` and ``B1`` are the
  observed and first-order information of the saturated model at the sample (or EM)
  moments (``h1.information = "unstructured"``); ``chisq_scaled = chisq / c``. The baseline
  model gets its own factor the same way.
* **Robust CFI/TLI/RMSEA** (Brosseau-Liard, Savalei & Li, 2012; Brosseau-Liard & Savalei,
  2014; ``lav_fit_cfi``, ``lav_fit_rmsea``): the unscaled chi-squares corrected with the
  scaling factors, ``RMSEA = sqrt(max(chisq/(N df) - c/N, 0))`` and
  ``CFI = 1 - max(chisq - c df, 0) / max(chisq - c df, chisq0 - c0 df0, 0)``.
* **With missing data** (``missing = "ml"``) lavaan computes the robust CFI/TLI/RMSEA from
  the FIML-corrected statistic of Zhang & Savalei (2023) (``lav_fit_fiml_corrected``):
  the model is evaluated, at its FIML estimates, against the EM moments as if they were
  complete-data moments, and the scaling uses the observed h1 information with missing
  (``Wm``) and complete (``Wc``) data; version "V6" for ``estimator = "ML"`` and "V3" for
  MLR. lavaan reports these robust indices even for plain ML with ``missing = "ml"``.

Pure functions of matrices come first; :func:`mlr_complete`, :func:`mlr_fiml` and
:func:`fiml_standard` pull the matrices from a fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from semxhs.sem import fiml
from semxhs.sem import fitmeasures as fm
from semxhs.sem.estimate import Estimate, Moments
from semxhs.sem.fiml import FimlFit, MissingData
from semxhs.sem.inference import covariance_from_information
from semxhs.sem.ram import RamStructure


# --------------------------------------------------------------------------- pure formulas
def sandwich(bread_inv: np.ndarray, meat: np.ndarray, n: int) -> np.ndarray:
    """Huber-White covariance of the estimates, ``A^-1 B A^-1 / N`` (per-row ``A``, ``B``).

    Examples
    --------
    >>> import numpy as np
    >>> sandwich(np.array([[0.5]]), np.array([[4.0]]), 100).tolist()
    [[0.01]]
    """
    return bread_inv @ meat @ bread_inv / n


def yuan_bentler_mplus_traces(A1: np.ndarray, B1: np.ndarray, E_inv: np.ndarray,
                              B0: np.ndarray) -> tuple[float, float]:
    """``tr(A1^-1 B1)`` (saturated model) and ``tr(E^-1 B0)`` (the model), as lavaan's Mplus variant.

    The scaling factor is their difference over the degrees of freedom
    (:func:`scaling_factor`); under normality both traces equal the parameter counts.

    Examples
    --------
    >>> import numpy as np
    >>> yuan_bentler_mplus_traces(np.eye(3), 2 * np.eye(3), np.eye(1), np.eye(1))
    (6.0, 1.0)
    """
    t1 = float(np.trace(np.linalg.solve(A1, B1)))
    t0 = float(np.sum(B0 * E_inv.T))
    return t1, t0


def scaling_factor(trace_h1: float, trace_h0: float, df: int) -> float:
    """``c = (trace_h1 - trace_h0) / df``; NaN when df <= 0 or the difference is negative."""
    if df <= 0:
        return float("nan")
    c = (trace_h1 - trace_h0) / df
    return c if c >= 0 else float("nan")


def fiml_corrected_trace(Wm: np.ndarray, Wc: np.ndarray, D: np.ndarray,
                         Jm: np.ndarray | None = None) -> float:
    """Trace ``k`` of the FIML-corrected statistic (Zhang & Savalei; lavaan's ``lav_fit_fiml_corrected``).

    ``U = Wm - Wm D (D' Wm D)^-1 D' Wm``; version V6 (``Jm`` None) is
    ``tr(Wc Wm^-1 U Wm^-1)``, version V3 is ``tr(U Wm^-1 Wc Wm^-1 U Gamma)`` with
    ``Gamma = Wm^-1 Jm Wm^-1``. ``c_hat = k / df``.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.eye(3); D = np.array([[1.0], [0.0], [0.0]])
    >>> fiml_corrected_trace(W, W, D)  # complete, normal data: k = df = 2
    2.0
    """
    Wmi = np.linalg.inv(Wm)
    E = D.T @ Wm @ D
    U = Wm - Wm @ D @ np.linalg.solve(E, D.T @ Wm)
    if Jm is None:
        return float(np.trace(Wc @ Wmi @ U @ Wmi))
    gamma = Wmi @ Jm @ Wmi
    return float(np.trace(U @ Wmi @ Wc @ Wmi @ U @ gamma))


def _use_correction(df: int, c: float, c_null: float) -> bool:
    # lavaan's lav_fit_cfi/lav_fit_tli fall back to the uncorrected formula when a factor is 1
    return df > 0 and c != 1.0 and c_null != 1.0


def cfi_robust(chisq: float, df: int, chisq_null: float, df_null: int, c: float, c_null: float) -> float:
    """Robust CFI (Brosseau-Liard & Savalei, 2014), ``lav_fit_cfi`` with ``c.hat``.

    Examples
    --------
    >>> round(cfi_robust(85.3055, 24, 918.8516, 36, 0.979042, 1.044053), 4)
    0.9299
    """
    if any(isinstance(v, float) and math.isnan(v) for v in (chisq, chisq_null, c, c_null)):
        return float("nan")
    if not _use_correction(df, c, c_null):
        c = c_null = 1.0
    t1 = max(chisq - c * df, 0.0)
    t2 = max(chisq - c * df, chisq_null - c_null * df_null, 0.0)
    if math.isclose(t1, 0.0, abs_tol=1.5e-8) and math.isclose(t2, 0.0, abs_tol=1.5e-8):
        return 1.0
    return float(1.0 - t1 / t2)


def tli_robust(chisq: float, df: int, chisq_null: float, df_null: int, c: float, c_null: float) -> float:
    """Robust TLI, ``lav_fit_tli`` with ``c.hat``: ``1 - (chisq - c df) df0 / ((chisq0 - c0 df0) df)``.

    Examples
    --------
    >>> round(tli_robust(85.3055, 24, 918.8516, 36, 0.979042, 1.044053), 4)
    0.8948
    """
    if any(isinstance(v, float) and math.isnan(v) for v in (chisq, chisq_null, c, c_null)):
        return float("nan")
    if not _use_correction(df, c, c_null):
        c = c_null = 1.0
    t1 = (chisq - c * df) * df_null
    t2 = (chisq_null - c_null * df_null) * df
    if df > 0 and abs(t2) > 0:
        return float(1.0 - t1 / t2)
    return 1.0


def rmsea_robust(chisq: float, df: int, n: int, c: float) -> float:
    """Robust RMSEA (Brosseau-Liard, Savalei & Li, 2012): ``sqrt(max(chisq/(N df) - c/N, 0))``.

    Examples
    --------
    >>> round(rmsea_robust(85.3055217699727, 24, 301, 0.979042258766103), 6)
    0.092499
    """
    if df <= 0:
        return 0.0
    if math.isnan(c):
        return float("nan")
    return math.sqrt(max(chisq / (n * df) - c / n, 0.0))


def scaled_fit_keys(chisq: float, df: int, c: float, chisq_null: float, df_null: int,
                    c_null: float, n: int) -> dict[str, float | int | None]:
    """lavaan's ``*.scaled`` measures from the unscaled chi-squares and the two scaling factors.

    ``rmsea.scaled`` is lavaan 0.6-14's ``sqrt(max(chisq/(N c df) - 1/N, 0))``.
    """
    scaled = chisq / c
    scaled_null = chisq_null / c_null
    return {
        "chisq_scaled": scaled,
        "df_scaled": df,
        "pvalue_scaled": fm.chisq_pvalue(scaled, df),
        "chisq_scaling_factor": c,
        "baseline_chisq_scaled": scaled_null,
        "baseline_chisq_scaling_factor": c_null,
        "cfi_scaled": fm.cfi(scaled, df, scaled_null, df_null),
        "tli_scaled": fm.tli(scaled, df, scaled_null, df_null),
        "rmsea_scaled": fm.rmsea(scaled, df, n),
    }


def robust_fit_keys(chisq: float, df: int, c: float, chisq_null: float, df_null: int,
                    c_null: float, n: int) -> dict[str, float]:
    """``cfi_robust``, ``tli_robust`` and ``rmsea_robust`` from (possibly corrected) chi-squares."""
    return {
        "cfi_robust": cfi_robust(chisq, df, chisq_null, df_null, c, c_null),
        "tli_robust": tli_robust(chisq, df, chisq_null, df_null, c, c_null),
        "rmsea_robust": rmsea_robust(chisq, df, n, c),
    }


# --------------------------------------------------------------------------- wrappers
@dataclass(frozen=True)
class RobustResult:
    """Covariance of the estimates and the extra fit keys of one estimator/missing combination."""

    vcov: np.ndarray
    identified: bool
    fit_keys: dict[str, float | int | None] = field(default_factory=dict)


def _independence_delta(p: int, exo: np.ndarray, meanstructure: bool) -> np.ndarray:
    """Jacobian of ``(mu, vech Sigma)`` for the independence model: free means and variances."""
    rows, cols = fiml.vech_indices(p)
    y = np.flatnonzero(~exo)
    D = np.zeros((p + rows.size, (2 if meanstructure else 1) * y.size))
    k = 0
    if meanstructure:
        for i in y:
            D[i, k] = 1.0
            k += 1
    for i in y:
        D[p + int(np.flatnonzero((rows == i) & (cols == i))[0]), k] = 1.0
        k += 1
    return D


def _independence_information(data: MissingData, sigma: np.ndarray, mu: np.ndarray, D_null: np.ndarray,
                              sel: np.ndarray) -> np.ndarray:
    """Observed information of the independence model: ``D' W_obs D`` (it is linear in its parameters)."""
    p = data.p
    full = np.zeros((sel.size, D_null.shape[1]))
    full[sel] = D_null
    rows, cols = fiml.vech_indices(p)
    d_mu = full[:p].T
    d_sigma = np.zeros((D_null.shape[1], p, p))
    d_sigma[:, rows, cols] = full[p:].T
    d_sigma[:, cols, rows] = full[p:].T
    return fiml.parameter_information(data, sigma, mu, d_sigma, d_mu)


def _bread_inverse(info: np.ndarray) -> tuple[np.ndarray, bool]:
    inv, ok = covariance_from_information(info, 1)
    return inv, ok


def _yb_factors(data: MissingData, sel: np.ndarray, A1: np.ndarray, h1_sigma: np.ndarray, h1_mu: np.ndarray,
                E_inv: np.ndarray, D: np.ndarray, sigma: np.ndarray, mu: np.ndarray,
                null_sigma: np.ndarray, null_mu: np.ndarray, D_null: np.ndarray,
                df: int, df_null: int) -> tuple[float, float, np.ndarray]:
    """Yuan-Bentler-Mplus factors of the model and of the baseline, and the meat ``B0``.

    ``A1`` is the observed h1 information at the saturated estimates (selected coordinates).
    """
    B1 = fiml.first_order_information(data, h1_sigma, h1_mu)[np.ix_(sel, sel)]
    J = fiml.first_order_information(data, sigma, mu)[np.ix_(sel, sel)]
    B0 = D.T @ J @ D
    t1, t0 = yuan_bentler_mplus_traces(A1, B1, E_inv, B0)
    c = scaling_factor(t1, t0, df)
    # the independence model is linear in its parameters: its Hessian is exactly D' H_h1 D
    E_null = _independence_information(data, null_sigma, null_mu, D_null, sel)
    J_null = fiml.first_order_information(data, null_sigma, null_mu)[np.ix_(sel, sel)]
    _, t0_null = yuan_bentler_mplus_traces(A1, B1, np.linalg.inv(E_null), D_null.T @ J_null @ D_null)
    return c, scaling_factor(t1, t0_null, df_null), B0


def mlr_complete(structure: RamStructure, moments: Moments, est: Estimate, values: np.ndarray,
                 exo: np.ndarray, chisq: float, df: int, chisq_null: float, df_null: int) -> RobustResult:
    """lavaan's MLR with complete data: sandwich SEs, Yuan-Bentler-Mplus test, robust indices."""
    data = MissingData.from_array(values)
    p, n = structure.p, moments.n
    ms = structure.meanstructure
    imp = structure.implied(est.theta)
    mu_model = imp.mu if ms else moments.mean
    sel = fiml.moment_selection(p, exo, ms)
    A0 = fiml.observed_information(structure, data, est.theta, mu_fixed=moments.mean)
    E_inv, ok = _bread_inverse(A0)
    D = fiml.delta(structure, imp)[sel]
    null_sigma = np.diag(np.diag(moments.cov))
    null_sigma[np.ix_(exo, exo)] = moments.cov[np.ix_(exo, exo)]
    D_null = _independence_delta(p, exo, ms)[sel]
    # complete data at the saturated estimates: observed = expected h1 information
    A1 = fiml.complete_h1_information(moments.cov)[np.ix_(sel, sel)]
    c, c_null, B0 = _yb_factors(data, sel, A1, moments.cov, moments.mean, E_inv, D, imp.sigma, mu_model,
                                null_sigma, moments.mean, D_null, df, df_null)
    vcov = sandwich(E_inv, B0, n) if ok else E_inv
    keys = scaled_fit_keys(chisq, df, c, chisq_null, df_null, c_null, n)
    keys.update(robust_fit_keys(chisq, df, c, chisq_null, df_null, c_null, n))
    return RobustResult(vcov, ok, keys)


def fiml_corrected(ff: FimlFit, version: str, Wm: np.ndarray | None = None) -> dict[str, float]:
    """Robust CFI/TLI/RMSEA under missing data from the FIML-corrected statistic (V3 or V6).

    ``Wm``: the observed h1 information at the EM moments (selected coordinates), if at hand.
    """
    data, n, p = ff.data, ff.data.n, ff.structure.p
    imp = ff.structure.implied(ff.estimate.theta)
    sel = fiml.moment_selection(p, ff.exo, True)
    if Wm is None:
        Wm = fiml.h1_observed_information(data, ff.h1_sigma, ff.h1_mu)[np.ix_(sel, sel)]
    Wc = fiml.complete_h1_information(ff.h1_sigma)[np.ix_(sel, sel)]
    Jm = fiml.first_order_information(data, ff.h1_sigma, ff.h1_mu)[np.ix_(sel, sel)] if version == "V3" else None
    D = fiml.delta(ff.structure, imp)[sel]
    D_null = _independence_delta(p, ff.exo, True)[sel]
    # the model and the baseline at their FIML estimates, against the EM moments as complete data
    chisq3 = _complete_chisq(n, ff.h1_sigma, ff.h1_mu, imp.sigma, imp.mu)
    chisq3_null = _complete_chisq(n, ff.h1_sigma, ff.h1_mu, ff.null_sigma, ff.null_mu)
    c3 = fiml_corrected_trace(Wm, Wc, D, Jm) / ff.df if ff.df > 0 else float("nan")
    c3_null = fiml_corrected_trace(Wm, Wc, D_null, Jm) / ff.df_null
    return robust_fit_keys(chisq3, ff.df, c3, chisq3_null, ff.df_null, c3_null, n)


def _complete_chisq(n: int, s: np.ndarray, m: np.ndarray, sigma: np.ndarray, mu: np.ndarray) -> float:
    return 2.0 * (fm.normal_loglik(n, s, s) - fm.normal_loglik(n, s, sigma, m, mu))


def fiml_standard(ff: FimlFit) -> RobustResult:
    """lavaan's ``missing = "ml"`` with ML: inverse observed information, robust indices (V6)."""
    vcov, ok = covariance_from_information(ff.information, ff.data.n)
    return RobustResult(vcov, ok, fiml_corrected(ff, "V6"))


def mlr_fiml(ff: FimlFit) -> RobustResult:
    """lavaan's ``missing = "ml", estimator = "MLR"``: sandwich SEs, Yuan-Bentler-Mplus test,
    scaled indices, and robust indices from the FIML-corrected statistic (V3)."""
    data, n, p = ff.data, ff.data.n, ff.structure.p
    imp = ff.structure.implied(ff.estimate.theta)
    sel = fiml.moment_selection(p, ff.exo, True)
    E_inv, ok = _bread_inverse(ff.information)
    D = fiml.delta(ff.structure, imp)[sel]
    D_null = _independence_delta(p, ff.exo, True)[sel]
    Wm = fiml.h1_observed_information(data, ff.h1_sigma, ff.h1_mu)[np.ix_(sel, sel)]
    c, c_null, B0 = _yb_factors(data, sel, Wm, ff.h1_sigma, ff.h1_mu, E_inv, D, imp.sigma, imp.mu,
                                ff.null_sigma, ff.null_mu, D_null, ff.df, ff.df_null)
    vcov = sandwich(E_inv, B0, n) if ok else E_inv
    keys: dict[str, float | int | None] = dict(
        scaled_fit_keys(ff.chisq, ff.df, c, ff.chisq_null, ff.df_null, c_null, n))
    keys.update(fiml_corrected(ff, "V3", Wm))
    return RobustResult(vcov, ok, keys)



def mlr_groups(structures: list[RamStructure], moments: list[Moments], est: Estimate, values: list[np.ndarray],
               exo: np.ndarray, chisq: float, df: int, chisq_null: float, df_null: int) -> RobustResult:
    """lavaan's MLR with complete data in several groups.

    The bread and the meat are the groups' per-row informations weighted by ``N_g / N``
    (``A = sum_g w_g A_g``, ``B = sum_g w_g Delta_g' J_g Delta_g``), ``V = A^-1 B A^-1 / N``; the
    Yuan-Bentler-Mplus factor is ``c = [sum_g tr(A1_g^-1 B1_g) - tr(A^-1 B)] / df`` (each group's
    saturated model on its own); the baseline's factor sums the groups' independence-model traces.
    RMSEA-type measures carry lavaan's ``sqrt(G)``.
    """
    n = sum(m.n for m in moments)
    w = [m.n / n for m in moments]
    p = structures[0].p
    q = structures[0].q
    sel = fiml.moment_selection(p, exo, True)
    A0 = np.zeros((q, q))
    B0 = np.zeros((q, q))
    t1 = t0_null = 0.0
    for wg, s, m, v in zip(w, structures, moments, values):
        data = MissingData.from_array(v)
        imp = s.implied(est.theta)
        A0 += wg * fiml.observed_information(s, data, est.theta, mu_fixed=m.mean)
        D = fiml.delta(s, imp)[sel]
        J = fiml.first_order_information(data, imp.sigma, imp.mu)[np.ix_(sel, sel)]
        B0 += wg * (D.T @ J @ D)
        A1 = fiml.complete_h1_information(m.cov)[np.ix_(sel, sel)]
        B1 = fiml.first_order_information(data, m.cov, m.mean)[np.ix_(sel, sel)]
        t1 += float(np.trace(np.linalg.solve(A1, B1)))
        null_sigma = np.diag(np.diag(m.cov))
        null_sigma[np.ix_(exo, exo)] = m.cov[np.ix_(exo, exo)]
        D_null = _independence_delta(p, exo, True)[sel]
        E_null = _independence_information(data, null_sigma, m.mean, D_null, sel)
        J_null = fiml.first_order_information(data, null_sigma, m.mean)[np.ix_(sel, sel)]
        t0_null += float(np.sum((D_null.T @ J_null @ D_null) * np.linalg.inv(E_null).T))
    E_inv, ok = _bread_inverse(A0)
    t0 = float(np.sum(B0 * E_inv.T))
    c = scaling_factor(t1, t0, df)
    c_null = scaling_factor(t1, t0_null, df_null)
    vcov = sandwich(E_inv, B0, n) if ok else E_inv
    root_g = math.sqrt(len(moments))
    keys = scaled_fit_keys(chisq, df, c, chisq_null, df_null, c_null, n)
    keys.update(robust_fit_keys(chisq, df, c, chisq_null, df_null, c_null, n))
    for key in ("rmsea_scaled", "rmsea_robust"):
        value = keys[key]
        keys[key] = value * root_g if value is not None else None
    return RobustResult(vcov, ok, keys)


def mlr_fiml_groups(structures: list[RamStructure], datas: list[MissingData], h1: list[Moments],
                    nulls: list[tuple[np.ndarray, np.ndarray]], est: Estimate, chisq: float, df: int,
                    chisq_null: float, df_null: int, exo: np.ndarray | None = None) -> RobustResult:
    """lavaan's MLR with ``missing = "ml"`` in several groups (``exo``: the fixed.x covariates).

    As :func:`mlr_groups`, with each group's observed information under missingness as the
    bread, the casewise first-order information as the meat, and each group's observed h1
    information at its EM moments in the Yuan-Bentler-Mplus trace. The robust CFI/TLI/RMSEA
    use the FIML-corrected statistic (V3) with the groups' matrices stacked block-diagonally,
    each weighted by ``N_g / N``.
    """
    n = sum(d.n for d in datas)
    w = [d.n / n for d in datas]
    p, q = structures[0].p, structures[0].q
    exo = np.zeros(p, dtype=bool) if exo is None else exo
    sel = fiml.moment_selection(p, exo, True)
    A0 = np.zeros((q, q))
    B0 = np.zeros((q, q))
    t1 = t0_null = 0.0
    Wm_blocks, Wc_blocks, Jm_blocks, D_rows, D_null_rows = [], [], [], [], []
    chisq3 = chisq3_null = 0.0
    for wg, s, d, m, (null_mu, null_sigma) in zip(w, structures, datas, h1, nulls):
        imp = s.implied(est.theta)
        A0 += wg * fiml.observed_information(s, d, est.theta)
        D = fiml.delta(s, imp)[sel]
        J = fiml.first_order_information(d, imp.sigma, imp.mu)[np.ix_(sel, sel)]
        B0 += wg * (D.T @ J @ D)
        Wm = fiml.h1_observed_information(d, m.cov, m.mean)[np.ix_(sel, sel)]
        B1 = fiml.first_order_information(d, m.cov, m.mean)[np.ix_(sel, sel)]
        t1 += float(np.trace(np.linalg.solve(Wm, B1)))
        D_null = _independence_delta(p, exo, True)[sel]
        E_null = _independence_information(d, null_sigma, null_mu, D_null, sel)
        J_null = fiml.first_order_information(d, null_sigma, null_mu)[np.ix_(sel, sel)]
        t0_null += float(np.sum((D_null.T @ J_null @ D_null) * np.linalg.inv(E_null).T))
        Wm_blocks.append(wg * Wm)
        Wc_blocks.append(wg * fiml.complete_h1_information(m.cov)[np.ix_(sel, sel)])
        Jm_blocks.append(wg * B1)
        D_rows.append(D)
        D_null_rows.append(D_null)
        chisq3 += _complete_chisq(d.n, m.cov, m.mean, imp.sigma, imp.mu)
        chisq3_null += _complete_chisq(d.n, m.cov, m.mean, null_sigma, null_mu)
    E_inv, ok = _bread_inverse(A0)
    t0 = float(np.sum(B0 * E_inv.T))
    c = scaling_factor(t1, t0, df)
    c_null = scaling_factor(t1, t0_null, df_null)
    vcov = sandwich(E_inv, B0, n) if ok else E_inv
    root_g = math.sqrt(len(datas))
    keys: dict[str, float | int | None] = dict(scaled_fit_keys(chisq, df, c, chisq_null, df_null, c_null, n))
    keys["rmsea_scaled"] = float(keys["rmsea_scaled"]) * root_g  # type: ignore[arg-type]
    from scipy.linalg import block_diag

    Wm_all, Wc_all, Jm_all = block_diag(*Wm_blocks), block_diag(*Wc_blocks), block_diag(*Jm_blocks)
    D_all = np.vstack(D_rows)
    D_null_all = block_diag(*D_null_rows)
    c3 = fiml_corrected_trace(Wm_all, Wc_all, D_all, Jm_all) / df if df > 0 else float("nan")
    c3_null = fiml_corrected_trace(Wm_all, Wc_all, D_null_all, Jm_all) / df_null
    rob = robust_fit_keys(chisq3, df, c3, chisq3_null, df_null, c3_null, n)
    rob["rmsea_robust"] = rob["rmsea_robust"] * root_g
    keys.update(rob)
    return RobustResult(vcov, ok, keys)


def fiml_corrected_groups(structures: list[RamStructure], datas: list[MissingData], h1: list[Moments],
                          nulls: list[tuple[np.ndarray, np.ndarray]], theta: np.ndarray, df: int,
                          df_null: int, exo: np.ndarray | None = None) -> dict[str, float]:
    """Robust CFI/TLI/RMSEA of a multi-group FIML fit with ML (version V6 of :func:`fiml_corrected`).

    The groups' information matrices are stacked block-diagonally, each weighted by ``N_g / N``;
    RMSEA carries lavaan's ``sqrt(G)``.
    """
    from scipy.linalg import block_diag

    n = sum(d.n for d in datas)
    p = structures[0].p
    exo = np.zeros(p, dtype=bool) if exo is None else exo
    sel = fiml.moment_selection(p, exo, True)
    Wm_b, Wc_b, D_rows, Dn_rows = [], [], [], []
    chisq3 = chisq3_null = 0.0
    for s, d, m, (null_mu, null_sigma) in zip(structures, datas, h1, nulls):
        wg = d.n / n
        imp = s.implied(theta)
        Wm_b.append(wg * fiml.h1_observed_information(d, m.cov, m.mean)[np.ix_(sel, sel)])
        Wc_b.append(wg * fiml.complete_h1_information(m.cov)[np.ix_(sel, sel)])
        D_rows.append(fiml.delta(s, imp)[sel])
        Dn_rows.append(_independence_delta(p, exo, True)[sel])
        chisq3 += _complete_chisq(d.n, m.cov, m.mean, imp.sigma, imp.mu)
        chisq3_null += _complete_chisq(d.n, m.cov, m.mean, null_sigma, null_mu)
    Wm, Wc = block_diag(*Wm_b), block_diag(*Wc_b)
    c3 = fiml_corrected_trace(Wm, Wc, np.vstack(D_rows)) / df if df > 0 else float("nan")
    c3_null = fiml_corrected_trace(Wm, Wc, block_diag(*Dn_rows)) / df_null
    keys = robust_fit_keys(chisq3, df, c3, chisq3_null, df_null, c3_null, n)
    keys["rmsea_robust"] = keys["rmsea_robust"] * math.sqrt(len(datas))
    return keys

"""Structural effect sizes (Cohen's f²) and collinearity (VIF) of the regressions of a fitted model.

- **Cohen's f²** of predictor ``x`` in the equation of ``y`` (Cohen, 1988, p. 410):
  ``f² = (R²_full - R²_without) / (1 - R²_full)``, where ``R²_without`` is ``y``'s R² in the
  model *refitted* with the path ``y ~ x`` fixed to 0 and everything else re-estimated
  (the way it is done with lavaan: the same model with ``0*x``, ``:=`` lines dropped). Because
  the measurement part is re-estimated too, f² can be negative; it is reported as it is, never
  clipped. R² values with ``|R²| < 1e-12`` are 0 (a sole predictor removed leaves rounding noise).
  R² = ``1 - psi_yy / Var(y)`` from the model-implied covariance (lavaan's ``rsquare``).
- **VIF** of predictor ``j`` among the predictors ``P`` of one equation:
  ``VIF_j = 1 / (1 - R²_j) = Sigma_jj (Sigma_P^-1)_jj`` with ``Sigma_P`` the model-implied
  covariance matrix of the predictors (latent or observed); a sole predictor has VIF 1.

Cohen's benchmarks for f² (.02 small, .15 medium, .35 large) and the VIF cut-offs (3.3, 5) are
the report's business (:mod:`semxhs.report.thresholds`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from semxhs.errors import SpecError
from semxhs.sem.estimate import Moments, fit_ml
from semxhs.sem.partable import ParTable
from semxhs.sem.ram import RamStructure
from semxhs.sem.results import FitState, SemResult

EFFECT_COLUMNS = ("outcome", "predictor", "r2_full", "r2_without", "f2", "vif", "converged")
_ZERO = 1e-12


def cohen_f2(r2_full: float, r2_without: float) -> float:
    """Cohen's f² of one predictor: ``(R²_full - R²_without) / (1 - R²_full)``.

    Examples
    --------
    >>> round(cohen_f2(0.960995241503256, 0.963575699646184), 6)
    -0.066158
    >>> cohen_f2(0.5, 0.5)
    0.0
    """
    return float((r2_full - r2_without) / (1.0 - r2_full))


def vif(cov: np.ndarray) -> np.ndarray:
    """Variance inflation factors of variables with covariance matrix ``cov``: ``diag(cov) * diag(cov^-1)``.

    Examples
    --------
    >>> import numpy as np
    >>> vif(np.array([[1.0, 0.5], [0.5, 1.0]])).round(4).tolist()
    [1.3333, 1.3333]
    >>> vif(np.array([[2.0]])).tolist()
    [1.0]
    """
    cov = np.atleast_2d(np.asarray(cov, dtype=float))
    if cov.shape[0] == 1:  # a sole predictor: VIF 1 by definition (no other predictor to regress it on)
        return np.ones(1)
    return np.diag(cov) * np.diag(np.linalg.inv(cov))


def r_square_of(C: np.ndarray, S: np.ndarray, i: int) -> float:
    """R² of variable ``i``: ``1 - S_ii / C_ii``, 0 when ``|R²| < 1e-12``.

    Examples
    --------
    >>> import numpy as np
    >>> r_square_of(np.diag([2.0, 1.0]), np.diag([1.5, 1.0]), 0)
    0.25
    """
    value = float(1.0 - S[i, i] / C[i, i]) if C[i, i] > 0 else float("nan")
    return 0.0 if abs(value) < _ZERO else value


def without_path(pt: ParTable, row: int) -> ParTable:
    """The parameter table with row ``row`` fixed to 0, free indices renumbered, ``:=`` dropped."""
    target = pt.params[row]
    shared = target.free and sum(1 for p in pt.params if p.free == target.free) > 1
    params = []
    for i, p in enumerate(pt.params):
        if i == row:
            params.append(replace(p, free=0, value=0.0, label="", start=None))
            continue
        if p.free and not shared and p.free > target.free:
            p = replace(p, free=p.free - 1)
        params.append(p)
    return replace(pt, params=tuple(params), defined=())


def _refit_r2(state: FitState, pt0: ParTable, start: np.ndarray, outcome: str, fiml: bool) -> tuple[float, bool]:
    if fiml:
        if state.data is None:
            raise SpecError("this FIML result does not keep its data rows, which the refits need")
        from semxhs.sem.fiml import fit_fiml_model  # only FIML fits need it

        ff = fit_fiml_model(pt0, state.data)
        structure, theta, converged = ff.structure, ff.estimate.theta, ff.estimate.converged
    else:
        _, logdet = np.linalg.slogdet(state.sample_cov)
        moments = Moments(cov=state.sample_cov, mean=state.sample_mean, n=state.n, logdet=float(logdet))
        structure = RamStructure(pt0, state.sample_cov, state.sample_mean)
        est = fit_ml(structure, moments, start=start)
        if not est.converged:
            est = fit_ml(structure, moments)
        theta, converged = est.theta, est.converged
    imp = structure.implied(theta)
    return r_square_of(imp.C, imp.S, structure.index[outcome]), bool(converged)


def effect_sizes(res: SemResult) -> pd.DataFrame:
    """Cohen's f² (by refitting) and VIF of every free regression path of a fitted model.

    One refit per free ``~`` row (a model with k paths costs k more fits).

    Returns
    -------
    pandas.DataFrame
        Columns ``outcome, predictor, r2_full, r2_without, f2, vif, converged`` (``converged``:
        whether the refit converged), one row per path in the model's order.

    Raises
    ------
    SpecError
        When the result does not keep its fitted moments.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> rng = np.random.default_rng(2)
    >>> x = rng.normal(size=(400, 2)); y = 0.5 * x[:, 0] + 0.3 * x[:, 1] + rng.normal(size=400)
    >>> es = effect_sizes(fit("y ~ x1 + x2", pd.DataFrame({"y": y, "x1": x[:, 0], "x2": x[:, 1]})))
    >>> list(es["predictor"]), bool((es["f2"] > 0).all()), es["vif"].round(2).tolist()
    (['x1', 'x2'], True, [1.0, 1.0])
    """
    if res.state is None:
        raise SpecError("this result does not keep the fitted moments (fit it with semxhs.sem.model.fit)")
    state = res.state
    pt = state.partable
    structure = RamStructure(pt, state.sample_cov, state.sample_mean)
    imp = structure.implied(state.theta)
    index = structure.index
    predictors: dict[str, list[str]] = {}
    for p in pt.params:
        if p.op == "~":
            predictors.setdefault(p.lhs, []).append(p.rhs)
    vifs: dict[tuple[str, str], float] = {}
    for y, xs in predictors.items():
        pos = [index[x] for x in xs]
        values = vif(imp.C[np.ix_(pos, pos)])
        for x, v in zip(xs, values):
            vifs[(y, x)] = float(v)
    rows = []
    for i, p in enumerate(pt.params):
        if p.op != "~" or not p.free:
            continue
        pt0 = without_path(pt, i)
        start = np.delete(state.theta, p.free - 1) if pt0.n_free < pt.n_free else state.theta.copy()
        r2_full = r_square_of(imp.C, imp.S, index[p.lhs])
        r2_without, converged = _refit_r2(state, pt0, start, p.lhs, res.missing == "fiml")
        rows.append({"outcome": p.lhs, "predictor": p.rhs, "r2_full": r2_full, "r2_without": r2_without,
                     "f2": cohen_f2(r2_full, r2_without), "vif": vifs[(p.lhs, p.rhs)], "converged": converged})
    return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))

"""Ordinary least squares for one PROCESS equation: statsmodels for the fit, pure formulas beside it.

The pure functions take arrays (:func:`hc_covariance`, :func:`wald_f`, :func:`r2_change_f`,
:func:`collinear_columns`); :func:`fit_equation` drives ``statsmodels.OLS`` on a design
whose columns carry statsmodels' formula names (``Intercept``, ``X``, ``X:W``) and adds
HC4, which statsmodels does not have.

References
----------
Hayes, A. F., & Cai, L. (2007). Using heteroskedasticity-consistent standard error
estimators in OLS regression: An introduction and software implementation. *Behavior
Research Methods, 39*, 709-722.

Cribari-Neto, F. (2004). Asymptotic inference under heteroskedasticity of unknown form.
*Computational Statistics & Data Analysis, 45*, 215-233.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from semxhs.errors import DataError, SpecError, name_list


def hc_covariance(X: np.ndarray, resid: np.ndarray, kind: int) -> np.ndarray:
    """Heteroscedasticity-consistent covariance of OLS coefficients, HC0 to HC4.

    ``(X'X)^-1 X' diag(omega) X (X'X)^-1`` with, for leverage ``h_i`` and residual ``e_i``:
    HC0 ``e_i^2``; HC1 ``e_i^2 n/(n-k)``; HC2 ``e_i^2/(1-h_i)``; HC3 ``e_i^2/(1-h_i)^2``;
    HC4 ``e_i^2/(1-h_i)^d_i`` with ``d_i = min(4, n h_i / k)`` (Cribari-Neto, 2004), as in
    PROCESS (Hayes & Cai, 2007).

    Parameters
    ----------
    X : ndarray, shape (n, k)
        Design matrix, intercept included.
    resid : ndarray, shape (n,)
        OLS residuals.
    kind : int
        0, 1, 2, 3 or 4.

    Returns
    -------
    ndarray, shape (k, k)

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    >>> e = np.array([0.1, -0.2, 0.2, -0.1])
    >>> np.round(hc_covariance(X, e, 0), 4)
    array([[ 0.0121, -0.0039],
           [-0.0039,  0.0026]])
    """
    if kind not in (0, 1, 2, 3, 4):
        raise SpecError(f"hc: must be one of 0, 1, 2, 3, 4 or None, received {kind!r}")
    n, k = X.shape
    bread = np.linalg.inv(X.T @ X)
    h = np.einsum("ij,jk,ik->i", X, bread, X)
    e2 = resid**2
    if kind == 0:
        omega = e2
    elif kind == 1:
        omega = e2 * n / (n - k)
    elif kind == 2:
        omega = e2 / (1.0 - h)
    elif kind == 3:
        omega = e2 / (1.0 - h) ** 2
    else:
        delta = np.minimum(4.0, n * h / k)
        omega = e2 / (1.0 - h) ** delta
    meat = (X * omega[:, None]).T @ X
    return bread @ meat @ bread


def wald_f(beta: np.ndarray, cov: np.ndarray, index: Sequence[int]) -> float:
    """Wald F that the coefficients at ``index`` are all zero: ``b' V^-1 b / q``.

    With an HC covariance this is the robust test PROCESS prints when ``hc`` is set.

    Examples
    --------
    >>> float(wald_f(np.array([1.0, 2.0]), np.diag([0.25, 1.0]), [1]))
    4.0
    """
    idx = list(index)
    b = beta[idx]
    v = cov[np.ix_(idx, idx)]
    return float(b @ np.linalg.solve(v, b) / len(idx))


def r2_change_f(r2_full: float, r2_reduced: float, q: int, df_resid: int) -> float:
    """F for the R-squared change when ``q`` terms are added: ``(dR2/q) / ((1-R2)/df)``.

    Examples
    --------
    >>> r2_change_f(0.5, 0.4, 1, 100)
    20.0
    """
    return ((r2_full - r2_reduced) / q) / ((1.0 - r2_full) / df_resid)


def collinear_columns(X: np.ndarray, names: Sequence[str], tol: float = 1e-10) -> list[str]:
    """Columns of ``X`` that are linear combinations of the columns before them.

    Columns are scaled to unit length first, so the tolerance does not depend on units.

    Examples
    --------
    >>> X = np.column_stack([np.ones(5), np.arange(5.0), 2 * np.arange(5.0) + 1])
    >>> collinear_columns(X, ["Intercept", "a", "b"])
    ['b']
    """
    norms = np.linalg.norm(X, axis=0)
    Xs = X / np.where(norms > 0, norms, 1.0)
    out = []
    kept: list[int] = []
    for j in range(X.shape[1]):
        if norms[j] == 0:
            out.append(names[j])
            continue
        trial = kept + [j]
        s = np.linalg.svd(Xs[:, trial], compute_uv=False)
        if s[-1] / s[0] < np.sqrt(tol):
            out.append(names[j])
        else:
            kept.append(j)
    return out


@dataclass(frozen=True)
class OlsFit:
    """Numbers from one OLS fit, at full precision (an internal record of the engine)."""

    outcome: str
    names: tuple[str, ...]
    params: np.ndarray
    cov: np.ndarray
    df_resid: int
    n: int
    r2: float
    f: float
    df1: int
    df2: int
    f_pvalue: float
    mse: float
    hc: int | None
    conf: float

    def table(self) -> list[dict[str, float | str]]:
        """Coefficient rows: term, est, se, t, pvalue, ci_lower, ci_upper."""
        se = np.sqrt(np.diag(self.cov))
        t = self.params / se
        p = 2.0 * stats.t.sf(np.abs(t), self.df_resid)
        crit = stats.t.ppf(0.5 + self.conf / 2.0, self.df_resid)
        return [
            {"term": name, "est": float(b), "se": float(s), "t": float(tt), "pvalue": float(pp),
             "ci_lower": float(b - crit * s), "ci_upper": float(b + crit * s)}
            for name, b, s, tt, pp in zip(self.names, self.params, se, t, p)
        ]


def fit_equation(design: pd.DataFrame, y: pd.Series, hc: int | None = None,
                 conf: float = 0.95) -> OlsFit:
    """Fit one equation with ``statsmodels.OLS``; HC0-HC3 from statsmodels, HC4 from :func:`hc_covariance`.

    Parameters
    ----------
    design : DataFrame
        Columns named as statsmodels formulas name terms, ``"Intercept"`` first.
    y : Series
        The outcome; its name is the equation's name.
    hc : int, optional
        0-4 for a heteroscedasticity-consistent covariance, None for the OLS one.
    conf : float
        Confidence level of the coefficient intervals.

    Raises
    ------
    DataError
        If a column is a linear combination of the others (perfect collinearity).

    Examples
    --------
    >>> d = pd.DataFrame({"Intercept": 1.0, "x": [0.0, 1.0, 2.0, 3.0, 4.0]})
    >>> fit = fit_equation(d, pd.Series([1.0, 3.1, 4.9, 7.2, 8.8], name="y"))
    >>> round(float(fit.params[1]), 4), fit.df_resid
    (1.97, 3)
    """
    names = tuple(str(c) for c in design.columns)
    X = design.to_numpy(dtype=float)
    if X.shape[0] <= X.shape[1]:
        raise DataError(f"equation for '{y.name}': {X.shape[0]} rows for {X.shape[1]} coefficients; "
                        "it needs more rows than coefficients")
    bad = collinear_columns(X, names)
    if bad:
        raise DataError(f"equation for '{y.name}': perfect collinearity, {name_list(bad)} "
                        f"is a linear combination of the other predictors")
    # statsmodels' OLS class alone: ``statsmodels.api`` would also load its graphics, time
    # series, distributions and datasets (about 40% of the import), none of which is used here.
    from statsmodels.regression.linear_model import OLS

    model = OLS(y.to_numpy(dtype=float), design)
    if hc is None:
        res = model.fit()
        cov = np.asarray(res.cov_params())
    elif hc in (0, 1, 2, 3):
        res = model.fit(cov_type=f"HC{hc}", use_t=True)
        cov = np.asarray(res.cov_params())
    elif hc == 4:
        res = model.fit()
        cov = hc_covariance(X, np.asarray(res.resid), 4)
    else:
        raise SpecError(f"hc: must be one of 0, 1, 2, 3, 4 or None, received {hc!r}")
    params = np.asarray(res.params, dtype=float)
    n = X.shape[0]
    df_resid = int(round(res.df_resid))
    slopes = list(range(1, len(names)))
    if hc is None:
        f = float(res.fvalue) if slopes else float("nan")
    else:
        f = wald_f(params, cov, slopes) if slopes else float("nan")
    df1 = len(slopes)
    f_p = float(stats.f.sf(f, df1, df_resid)) if slopes else float("nan")
    return OlsFit(outcome=str(y.name), names=names, params=params, cov=cov, df_resid=df_resid, n=n,
                  r2=float(res.rsquared), f=f, df1=df1, df2=df_resid, f_pvalue=f_p,
                  mse=float(res.mse_resid), hc=hc, conf=conf)


def r2_of(design: np.ndarray, y: np.ndarray) -> float:
    """R-squared of an OLS fit with an intercept column in ``design``.

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    >>> r2_of(X, np.array([0.0, 1.0, 2.0, 3.0]))
    1.0
    """
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ beta
    tss = float(((y - y.mean()) ** 2).sum())
    return 1.0 - float(resid @ resid) / tss

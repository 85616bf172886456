"""Modification indices and score tests of equality constraints, as lavaan's ``modindices()`` and
``lavTestScore()`` (lavaan 0.6-14, expected information).

Both are Lagrange-multiplier (score) tests at the estimates of the fitted model, computed in an
*extended* parameter space:

- **Modification indices** (Sörbom, 1989). Every parameter lavaan's ``lav_partable_full``
  lists and the model leaves out or fixes (cross-loadings, covariances among indicators'
  residuals and among latent variables, regressions among the variables of the structural
  equations, intercepts) is freed at value 0 (or its fixed value). With ``g`` the gradient of
  the log-likelihood per observation and ``I`` the expected information per observation,
  partitioned into extra (``e``) and model (``m``) parameters,

      V_e = I_ee - I_em I_mm^-1 I_me        MI = N g_e^2 / V_e        EPC = g_e / V_e

  (one parameter at a time). MI is NA — and dropped, as ``na.remove = TRUE`` — where
  ``V_e < eps^(1/3)`` (freeing it would not be identified). ``sepc_lv``, ``sepc_all`` and
  ``sepc_nox`` standardize the EPC as lavaan's ``lav_standardize_lv/all/all_nox`` with
  ``cov.std = TRUE`` (covariances become correlations of the residuals).
- **Score tests of equality constraints** (``lavTestScore``): the model is written with one
  parameter per row, the equalities (``a == b`` lines and labels shared by several rows) as
  constraints ``R theta = 0``; the total test is ``N g' I^+ g`` with ``df`` = the number of
  constraints, the univariate test of constraint ``r`` releases it alone:
  ``N g' [Z_r^+]_11 g`` with ``Z_r = [[I, R_-r'], [R_-r, 0]]``.

Everything here works on one block (group) of a RAM-structured model:
:func:`block_score_information` returns the pieces one group contributes, so a multi-group
model can stack them (information weighted by ``n_g / N``). Complete data (ML, MLR) or FIML
(lavaan's ``missing = "ml"``: casewise gradient, expected information summed over the
missing-data patterns).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import special

from semxhs.errors import SpecError
from semxhs.sem.estimate import Moments, gradient
from semxhs.sem.partable import Param, ParTable
from semxhs.sem.ram import RamStructure
from semxhs.sem.results import FitState, ScoreTest, ScoreTests, SemResult
from semxhs.sem.syntax import parse_syntax

MI_COLUMNS = ("lhs", "op", "rhs", "mi", "epc", "sepc_lv", "sepc_all", "sepc_nox")
_V_SMALL = np.finfo(float).eps ** (1.0 / 3.0)  # lavaan: V.diag < .Machine$double.eps^(1/3) -> NA
_EPC_SMALL = math.sqrt(np.finfo(float).eps)


# --------------------------------------------------------------------------------------------
# pure formulas
# --------------------------------------------------------------------------------------------
def univariate_score(g: np.ndarray, info: np.ndarray, model_idx: np.ndarray, extra_idx: np.ndarray,
                     n: int) -> tuple[np.ndarray, np.ndarray]:
    """Modification index and expected parameter change of each extra parameter, one at a time.

    Parameters
    ----------
    g : numpy.ndarray
        Gradient of the log-likelihood per observation with respect to all parameters.
    info : numpy.ndarray
        Expected information per observation of all parameters.
    model_idx, extra_idx : numpy.ndarray of int
        Positions of the model's free parameters and of the extra ones.
    n : int
        Number of observations.

    Returns
    -------
    mi, epc : numpy.ndarray
        One value per extra parameter; NaN where ``V_e < eps^(1/3)``.

    Examples
    --------
    >>> import numpy as np
    >>> info = np.array([[2.0, 0.5], [0.5, 1.0]])
    >>> mi, epc = univariate_score(np.array([0.0, 0.1]), info, np.array([0]), np.array([1]), 100)
    >>> round(float(mi[0]), 6), round(float(epc[0]), 6)
    (1.142857, 0.114286)
    """
    i_ee = info[np.ix_(extra_idx, extra_idx)]
    i_em = info[np.ix_(extra_idx, model_idx)]
    if model_idx.size:
        i_mm_inv = np.linalg.inv(info[np.ix_(model_idx, model_idx)])
        v = np.diag(i_ee) - np.sum((i_em @ i_mm_inv) * i_em, axis=1)
    else:
        v = np.diag(i_ee).copy()
    v = np.where(v < _V_SMALL, np.nan, v)
    ge = g[extra_idx]
    with np.errstate(invalid="ignore", divide="ignore"):
        mi = n * ge * ge / v
        epc = ge / v
    return mi, epc


def constrained_score_statistic(g: np.ndarray, info: np.ndarray, constraints: np.ndarray, n: int) -> float:
    """``N g' [Z^+]_11 g`` with ``Z = [[I, R'], [R, 0]]`` (lavaan's ``lavTestScore`` kernel).

    With no constraint rows this is ``N g' I^+ g``. Pseudo-inverses use MASS::ginv's tolerance
    (sqrt(eps) relative to the largest singular value).

    Examples
    --------
    >>> import numpy as np
    >>> round(constrained_score_statistic(np.array([0.1, -0.1]), np.eye(2), np.zeros((0, 2)), 50), 6)
    1.0
    """
    q = info.shape[0]
    k = constraints.shape[0]
    if k:
        z = np.block([[info, constraints.T], [constraints, np.zeros((k, k))]])
    else:
        z = info
    # a non-singular Z (the usual case): one linear solve, equal to the pseudo-inverse's answer;
    # otherwise (or when the solve is not accurate) the pseudo-inverse
    rhs = np.concatenate([g, np.zeros(k)])
    try:
        x = np.linalg.solve(z, rhs)
        scale = max(1.0, float(np.linalg.norm(rhs)))
        if np.all(np.isfinite(x)) and float(np.linalg.norm(z @ x - rhs)) <= 1e-10 * scale \
                and float(np.linalg.norm(x)) < 1e8 * scale:
            return float(n * g @ x[:q])
    except np.linalg.LinAlgError:
        pass
    z_plus = np.linalg.pinv(z, rcond=math.sqrt(np.finfo(float).eps))
    return float(n * g @ z_plus[:q, :q] @ g)


def chisq_upper(x2: float, df: int) -> float:
    """Upper-tail χ² probability.

    Examples
    --------
    >>> round(chisq_upper(3.841458820694124, 1), 6)
    0.05
    """
    return float(special.chdtrc(df, x2)) if df > 0 and math.isfinite(x2) else float("nan")


# --------------------------------------------------------------------------------------------
# the extended parameter space of one block
# --------------------------------------------------------------------------------------------
def _indicators(pt: ParTable) -> list[str]:
    return [p.rhs for p in pt.params if p.op == "=~" and p.rhs in pt.observed]


def candidate_rows(pt: ParTable) -> list[tuple[str, str, str]]:
    """Every row lavaan's ``lav_partable_full`` lists for one block (``strict.exo = FALSE``).

    Loadings of every indicator-or-outcome observed variable on every factor (not of variables in
    regression equations), variances and covariances of the indicators and of the fixed.x
    covariates, of the latent variables, regressions among all variables of the regression
    equations (no indicator on a factor), and intercepts with a mean structure.

    Examples
    --------
    >>> from semxhs.sem.partable import build_partable
    >>> rows = candidate_rows(build_partable("f =~ x1 + x2 + x3"))
    >>> len(rows), rows[:2]
    (10, [('f', '=~', 'x1'), ('f', '=~', 'x2')])
    """
    ov = list(pt.observed)
    ov_x = set(pt.exogenous_observed)
    ov_nox = [v for v in ov if v not in ov_x]
    ov_ind = set(_indicators(pt))
    lv = list(pt.latent)
    eqs: list[str] = []
    for side in ("lhs", "rhs"):
        for p in pt.params:
            if p.op == "~":
                name = getattr(p, side)
                if name not in eqs:
                    eqs.append(name)
    eqs_set = set(eqs)
    rows: list[tuple[str, str, str]] = []
    rows += [(f, "=~", v) for f in lv for v in ov_nox if v not in eqs_set]
    other = {v for v in ov if v not in ov_ind}
    for j, a in enumerate(ov_nox):
        for b in ov_nox[j:]:
            if a not in other and b not in other:
                rows.append((a, "~~", b))
    xs = [v for v in ov if v in ov_x]
    for j, a in enumerate(xs):
        for b in xs[j:]:
            rows.append((a, "~~", b))
    for j, a in enumerate(lv):
        for b in lv[j:]:
            rows.append((a, "~~", b))
    for y in eqs:
        for x in eqs:
            if y != x and not (y in ov_ind and x in lv):
                rows.append((y, "~", x))
    if pt.meanstructure:
        rows += [(v, "~1", "") for v in ov + lv]
    return rows


@dataclass(frozen=True)
class Extended:
    """A model's parameter table with every candidate parameter free (lavaan's ``lav_object_extended``).

    ``is_extra[k]`` is True for parameter ``k`` (0-based free index) when it is not free in the
    model; ``rows[k]`` is its (lhs, op, rhs); ``start[k]`` its value in the fitted model.
    """

    partable: ParTable
    rows: tuple[tuple[str, str, str], ...]
    is_extra: np.ndarray
    exo_row: np.ndarray
    fixed_value: np.ndarray


def extend(pt: ParTable) -> Extended:
    """Free every fixed row and add every candidate row the model lacks (see :func:`candidate_rows`):
    :func:`extend_groups` of a model with one group."""
    ext, where, is_extra, exo_row, fixed = extend_groups(pt)
    return Extended(partable=ext, rows=tuple(key for _, key in where), is_extra=is_extra, exo_row=exo_row,
                    fixed_value=fixed)


def expected_information(structure: RamStructure, theta: np.ndarray,
                         exogenous: np.ndarray | None = None) -> np.ndarray:
    """Expected information per observation, ``1/2 tr(W dS_k W dS_l) + dmu_k' W dmu_l`` (W = Sigma^-1).

    The moments among fixed.x covariates (``exogenous``) get weight 0, as in lavaan's
    ``lav_mvnorm_information_expected`` with ``x.idx``: it matters once their (co)variances or
    regressions on them are freed (modification indices).
    """
    imp = structure.implied(theta)
    inv = np.linalg.inv(imp.sigma)
    d_sigma, d_mu = structure.jacobian(imp)
    if exogenous is not None and np.any(exogenous):
        exo = np.asarray(exogenous, dtype=bool)
        d_sigma = d_sigma.copy()
        d_sigma[:, exo[:, None] & exo[None, :]] = 0.0
        d_mu = d_mu.copy()
        d_mu[:, exo] = 0.0
    q = structure.q
    w = inv @ d_sigma @ inv
    info = 0.5 * w.reshape(q, -1) @ d_sigma.reshape(q, -1).T
    if structure.meanstructure:
        info += d_mu @ inv @ d_mu.T
    return 0.5 * (info + info.T)


def block_score_information(structure: RamStructure, theta: np.ndarray, moments: Moments,
                            exo_names: tuple[str, ...] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Gradient of logl/N and expected information per observation of one block at ``theta``.

    ``g = -1/2 dF_ML/dtheta`` (``F_ML`` the discrepancy of :mod:`semxhs.sem.estimate`);
    ``exo_names`` are the fitted model's fixed.x covariates (see :func:`expected_information`).
    """
    pt = structure.partable
    exo = np.array([v in exo_names for v in pt.observed], dtype=bool)
    g = -0.5 * gradient(structure, theta, moments)
    return g, expected_information(structure, theta, exo)


def _state(res: SemResult) -> FitState:
    if res.state is None:
        raise SpecError("this result does not keep the fitted moments (fit it with semxhs.sem.model.fit)")
    if res.missing == "fiml" and res.state.data is None:
        raise SpecError("this FIML result does not keep its data rows, which its score tests need")
    return res.state


def _score_information(res: SemResult, structure: RamStructure, theta: np.ndarray,
                       moments: Moments) -> tuple[np.ndarray, np.ndarray, int]:
    """Gradient of logl/N, expected information per row and N: complete data or FIML (``missing = "ml"``).

    Under FIML the gradient is the casewise likelihood's and the expected information sums the
    missing-data patterns' (lavaan's ``lav_mvnorm_missing_information_expected``), both at the
    model-implied moments, as lavaan's ``modindices()`` does for ``missing = "ml"``.
    """
    pt = res.state.partable if res.state is not None else structure.partable
    exo_names = pt.exogenous_observed
    if res.missing != "fiml":
        g, info = block_score_information(structure, theta, moments, exo_names)
        return g, info, moments.n
    from semxhs.sem import fiml  # only FIML fits need it

    if res.state is None or res.state.data is None:
        raise SpecError("this FIML result does not keep its data rows, which its score tests need")
    values = np.asarray(res.state.data, dtype=float)
    exo = np.array([v in exo_names for v in pt.observed], dtype=bool)
    if exo.any():  # as fit_fiml_model: rows missing a fixed.x covariate are not used
        has_x = ~np.isnan(values[:, exo]).any(axis=1)
        values = values[has_x | np.isnan(values).all(axis=1)]
    data = fiml.MissingData.from_array(values)
    g = -0.5 * fiml.gradient(structure, data, theta)
    imp = structure.implied(theta)
    d_sigma, d_mu = structure.jacobian(imp)
    if exo.any():
        d_sigma = d_sigma.copy()
        d_sigma[:, exo[:, None] & exo[None, :]] = 0.0
        d_mu = d_mu.copy()
        d_mu[:, exo] = 0.0
    info = fiml.expected_information(data, imp.sigma, d_sigma, d_mu if structure.meanstructure else None)
    return g, 0.5 * (info + info.T), data.n


def _moments(state: FitState) -> Moments:
    sign, logdet = np.linalg.slogdet(state.sample_cov)
    return Moments(cov=state.sample_cov, mean=state.sample_mean, n=state.n,
                   logdet=float(logdet) if sign > 0 else float("nan"))


# --------------------------------------------------------------------------------------------
# modification indices
# --------------------------------------------------------------------------------------------
def modindices(res: SemResult, *, sort: bool = True, minimum_value: float = 0.0) -> pd.DataFrame:
    """Modification indices of a fitted single-group model, as ``lavaan::modindices(fit)``.

    lavaan's defaults: expected information, ``standardized = TRUE``, ``cov.std = TRUE``,
    ``free.remove = TRUE``, ``na.remove = TRUE``; ``sort = True`` is ``sort. = TRUE``.

    Returns
    -------
    pandas.DataFrame
        Columns ``lhs, op, rhs, mi, epc, sepc_lv, sepc_all, sepc_nox`` (NaN where lavaan gives NA).

    Raises
    ------
    SpecError
        For a result without fitted moments.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=500); e = rng.normal(size=(500, 6))
    >>> x = pd.DataFrame({f"x{i+1}": f + e[:, i] for i in range(6)})
    >>> x["x6"] += 0.8 * e[:, 4]
    >>> mi = modindices(fit("f =~ x1 + x2 + x3 + x4 + x5 + x6", x))
    >>> tuple(mi.iloc[0][["lhs", "op", "rhs"]])
    ('x5', '~~', 'x6')
    """
    if res.extra.get("group_labels"):  # multi-group: per-group rows with group columns
        return modindices_groups(res, sort=sort, minimum_value=minimum_value)
    state = _state(res)
    pt = state.partable
    moments = _moments(state)
    base = RamStructure(pt, state.sample_cov, state.sample_mean)
    ext = extend(pt)
    structure = RamStructure(ext.partable, state.sample_cov, state.sample_mean)
    theta = structure.theta_from_matrices(*base.matrices(state.theta))
    g, info, n = _score_information(res, structure, theta, moments)
    q = structure.q
    model_idx = np.flatnonzero(~ext.is_extra)
    extra_idx = np.flatnonzero(ext.is_extra)
    columns = list(MI_COLUMNS)
    if extra_idx.size == 0:
        return pd.DataFrame(columns=columns)
    mi, epc = univariate_score(g, info, model_idx, extra_idx, n)
    epc_all = np.full(q, np.nan)
    epc_all[extra_idx] = epc
    imp = base.implied(state.theta)
    sepc = _standardized_epc(ext, epc_all, theta, imp.C, base)
    out = []
    for pos, k in enumerate(extra_idx):
        lhs, op, rhs = ext.rows[k]
        out.append({"lhs": lhs, "op": op, "rhs": rhs, "mi": float(mi[pos]), "epc": float(epc[pos]),
                    "sepc_lv": sepc[0][k], "sepc_all": sepc[1][k], "sepc_nox": sepc[2][k]})
    table = pd.DataFrame(out, columns=columns)
    table = table[table["mi"].notna()]
    if sort:
        table = table.sort_values("mi", ascending=False, kind="stable")
    if minimum_value > 0:
        table = table[table["mi"] > minimum_value]
    return table.reset_index(drop=True)


def _standardized_epc(ext: Extended, epc: np.ndarray, theta: np.ndarray, C: np.ndarray,
                      base: RamStructure) -> tuple[list[float], list[float], list[float]]:
    """lavaan's sepc.lv / sepc.all / sepc.nox of every parameter (``cov.std = TRUE``)."""
    pt = base.partable
    idx = base.index
    lv = set(pt.latent)
    ov_x = set(pt.exogenous_observed)
    q = len(ext.rows)
    with np.errstate(invalid="ignore"):
        diag = np.diag(C)
        eta = {v: math.sqrt(diag[idx[v]]) if diag[idx[v]] >= 0 else math.nan for v in pt.latent}
        ov2 = {v: (diag[idx[v]] if abs(diag[idx[v]]) >= np.finfo(float).eps else math.nan) for v in pt.observed}
        ov = {v: math.sqrt(x) if x >= 0 else math.nan for v, x in ov2.items()}
    # EPC as lavaan standardizes it: variances of non-exo rows replaced by their estimates,
    # tiny variances NA
    value = epc.copy()
    for k, (lhs, op, rhs) in enumerate(ext.rows):
        if op == "~~" and lhs == rhs and not ext.exo_row[k]:
            value[k] = theta[k]
    small = np.array([op == "~~" and lhs == rhs and abs(value[k]) < _EPC_SMALL
                      for k, (lhs, op, rhs) in enumerate(ext.rows)], dtype=bool)
    value[small] = np.nan
    absval = np.abs(value)
    rv = {ext.rows[k][0]: math.sqrt(absval[k]) if math.isfinite(absval[k]) else math.nan
          for k in range(q) if ext.rows[k][1] == "~~" and ext.rows[k][0] == ext.rows[k][2]}
    sign = np.sign(epc)

    def lv_std(k: int) -> float:
        lhs, op, rhs = ext.rows[k]
        x = absval[k]
        if op == "=~":
            x = x * eta[lhs] if rhs not in lv else x * eta[lhs] / eta[rhs]
        elif op == "~":
            if lhs in lv:
                x /= eta[lhs]
            if rhs in lv:
                x *= eta[rhs]
        elif op == "~~" and lhs == rhs and lhs in lv:
            x /= eta[lhs] * eta[lhs]
        elif op == "~~" and lhs != rhs:
            if lhs in lv:
                x /= rv.get(lhs, math.nan)
            if rhs in lv:
                x /= rv.get(rhs, math.nan)
        elif op == "~1" and lhs in lv:
            x /= eta[lhs]
        return float(x)

    def all_std(k: int, x: float, nox: bool) -> float:
        lhs, op, rhs = ext.rows[k]
        skip = ov_x if nox else set()
        if op == "=~" and rhs not in lv:
            x /= ov[rhs]
        elif op == "~":
            if lhs in ov:
                x /= ov[lhs]
            if rhs in ov and rhs not in skip:
                x *= ov[rhs]
        elif op == "~~" and lhs == rhs and lhs not in lv and lhs not in skip:
            x /= ov2[lhs]
        elif op == "~~" and lhs != rhs:
            if lhs not in lv and lhs not in skip:
                x /= rv.get(lhs, math.nan)
            if rhs not in lv and rhs not in skip:
                x /= rv.get(rhs, math.nan)
        elif op == "~1" and lhs not in lv and lhs not in skip:
            x /= ov[lhs]
        return float(x)

    out_lv, out_all, out_nox = [], [], []
    for k in range(q):
        s = float(sign[k]) if math.isfinite(sign[k]) else math.nan
        x_lv = lv_std(k)
        values = (s * x_lv, s * all_std(k, x_lv, False), s * all_std(k, x_lv, True))
        if small[k]:
            values = (0.0, 0.0, 0.0)
        out_lv.append(values[0])
        out_all.append(values[1])
        out_nox.append(values[2])
    return out_lv, out_all, out_nox


# --------------------------------------------------------------------------------------------
# score tests of equality constraints
# --------------------------------------------------------------------------------------------
def _parameter_name(p: Param) -> str:
    return f"{p.lhs}{p.op}{p.rhs}" if p.op != "~1" else f"{p.lhs}~1"


def equality_constraints(pt: ParTable, model_text: str) -> list[tuple[str, str, int, int]]:
    """The equality constraints lavaan writes for a model, as ``(lhs, rhs, row_a, row_b)``.

    First the ``a == b`` lines (named by their labels), then one constraint per later row of a
    label shared by several rows (``.pA. == .pB.``, lavaan's parameter labels: row numbers).

    Examples
    --------
    >>> from semxhs.sem.partable import build_partable
    >>> text = "y ~ a*x1 + a*x2 + b*x3 + c*x4\\nb == c"
    >>> equality_constraints(build_partable(text), text)
    [('b', 'c', 2, 3), ('.p1.', '.p2.', 0, 1)]
    """
    params = pt.params
    first_row: dict[str, int] = {}
    for i, p in enumerate(params):
        if p.label and p.free and p.label not in first_row:
            first_row[p.label] = i
    out: list[tuple[str, str, int, int]] = []
    if model_text:
        _, _, equalities = parse_syntax(model_text)
        for a, b, _line in equalities:
            if a in first_row and b in first_row:
                out.append((a, b, first_row[a], first_row[b]))
    for label, i in first_row.items():
        for j, p in enumerate(params):
            if j > i and p.label == label and p.free:
                out.append((f".p{i + 1}.", f".p{j + 1}.", i, j))
    return out


def score_tests(res: SemResult, *, cumulative: bool = False) -> ScoreTests:
    """Score tests of the equality constraints of a fitted single-group model (``lavTestScore(fit)``).

    ``cumulative=True`` adds lavaan's cumulative tests (``lavTestScore(fit, cumulative = TRUE)``):
    constraints ordered by their univariate X2 (largest first), the k-th row releasing the first k
    together (df = k).

    Raises
    ------
    SpecError
        When the model has no equality constraint (lavaan: "no equality constraints found
        in model"), or a result without fitted moments.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> rng = np.random.default_rng(5)
    >>> x = rng.normal(size=(300, 2)); y = 0.5 * x[:, 0] + 0.1 * x[:, 1] + rng.normal(size=300)
    >>> res = fit("y ~ b*x1 + b*x2", pd.DataFrame({"y": y, "x1": x[:, 0], "x2": x[:, 1]}))
    >>> st = score_tests(res)
    >>> st.df, bool(st.pvalue < 0.01), [t.lhs for t in st.univariate]
    (1, True, ['.p1.'])
    """
    if res.extra.get("group_labels"):  # multi-group: constraints across groups
        return score_tests_groups(res, cumulative=cumulative)
    state = _state(res)
    pt = state.partable
    constraints = equality_constraints(pt, res.model)
    if not constraints:
        raise SpecError("the model has no equality constraints (a == b, or a label shared by several "
                        "parameters) to test")
    shared_rows = sum(1 for p in pt.params if p.free) - pt.n_free
    if len(constraints) != shared_rows:
        raise SpecError(f"the {shared_rows} equality constraints of the parameter table could not all be read "
                        "back from the model text (SemResult.model); fit the model from its text")
    # one free parameter per row; the constraints in that space
    rows_free: list[Param] = []
    position: dict[int, int] = {}
    k = 0
    for i, p in enumerate(pt.params):
        if p.free:
            k += 1
            rows_free.append(replace(p, free=k, label=""))
            position[i] = k - 1
        else:
            rows_free.append(p)
    upt = replace(pt, params=tuple(rows_free), defined=())
    moments = _moments(state)
    base = RamStructure(pt, state.sample_cov, state.sample_mean)
    structure = RamStructure(upt, state.sample_cov, state.sample_mean)
    theta = structure.theta_from_matrices(*base.matrices(state.theta))
    g, info, n = _score_information(res, structure, theta, moments)
    big_r = np.zeros((len(constraints), k))
    for r, (_, _, i, j) in enumerate(constraints):
        big_r[r, position[i]] = 1.0
        big_r[r, position[j]] = -1.0
    total = constrained_score_statistic(g, info, np.zeros((0, k)), n)
    rows = []
    for r, (lhs, rhs, i, j) in enumerate(constraints):
        keep = np.delete(big_r, r, axis=0)
        x2 = constrained_score_statistic(g, info, keep, n)
        rows.append(ScoreTest(lhs=lhs, op="==", rhs=rhs, X2=x2, df=1, pvalue=chisq_upper(x2, 1),
                              lhs_parameter=_parameter_name(pt.params[i]),
                              rhs_parameter=_parameter_name(pt.params[j])))
    df = len(constraints)
    cumul: list[ScoreTest] = []
    if cumulative:
        order = sorted(range(len(rows)), key=lambda r: -rows[r].X2)
        for k in range(1, len(order) + 1):
            keep = np.delete(big_r, order[:k], axis=0)
            x2 = constrained_score_statistic(g, info, keep, n)
            cumul.append(replace(rows[order[k - 1]], X2=x2, df=k, pvalue=chisq_upper(x2, k)))
    return ScoreTests(X2=total, df=df, pvalue=chisq_upper(total, df), univariate=tuple(rows),
                      cumulative=tuple(cumul))


# --------------------------------------------------------------------------------------------
# multi-group models
# --------------------------------------------------------------------------------------------
# The pieces above summed over groups: with w_g = N_g / N the gradient of the log-likelihood per
# observation is g = sum_g w_g g_g and the expected information I = sum_g w_g I_g; the statistics
# use the total N. Score tests give every row of every group its own parameter; the constraints
# (group.equal's .pN. labels, c(a, a)*, a == b) are named .pN. == .pM. by the rows' numbers in
# lavaan's parameter table (group 1's rows first), with the parameter and the groups of each side.
# Modification indices free every candidate row of every group one at a time, the model's own
# equalities kept (lavaan inverts the model part of the information under its constraints, which
# is the constrained parametrization used here); EPCs are standardized within the group.
# Complete data (ML, MLR) only.


def is_multigroup(res: SemResult) -> bool:
    """Whether ``res`` is a multi-group fit."""
    return bool(res.extra.get("group_labels"))


def _group_state(res: SemResult) -> FitState:
    if res.missing == "fiml":
        raise SpecError("score tests and modification indices of multi-group models need complete data "
                        "(missing listwise); multi-group FIML is not available for them yet")
    if res.state is None or not res.state.groups:
        raise SpecError("this multi-group result does not keep its groups' moments (fit it with semxhs.sem.model.fit)")
    return res.state


def _group_moments(cov: np.ndarray, mean: np.ndarray, n: int) -> Moments:
    sign, logdet = np.linalg.slogdet(cov)
    return Moments(cov=cov, mean=mean, n=n, logdet=float(logdet) if sign > 0 else float("nan"))


def stacked_score_information(pt: ParTable, theta: np.ndarray, state: FitState,
                              q: int) -> tuple[np.ndarray, np.ndarray, int]:
    """``g = sum_g w_g g_g``, ``I = sum_g w_g I_g`` and ``N`` of a multi-group table with ``q`` free indices."""
    n_total = sum(n for _, _, n in state.groups)
    g_sum = np.zeros(q)
    i_sum = np.zeros((q, q))
    for k, (cov, mean, n) in enumerate(state.groups):
        structure = RamStructure(pt.group_table(k + 1), cov, mean, q=q)
        g, info = block_score_information(structure, theta, _group_moments(cov, mean, n), pt.exogenous_observed)
        g_sum += (n / n_total) * g
        i_sum += (n / n_total) * info
    return g_sum, 0.5 * (i_sum + i_sum.T), n_total


def score_tests_groups(res: SemResult, *, cumulative: bool = False) -> ScoreTests:
    """lavaan's ``lavTestScore(fit)`` for a multi-group fit (see the module docstring).

    Raises
    ------
    SpecError
        With no equality constraint, under FIML, or for a result without its groups' moments.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> rng = np.random.default_rng(2)
    >>> x = rng.normal(size=400); g = np.repeat(["a", "b"], 200)
    >>> y = np.where(g == "a", 0.2, 0.8) * x + rng.normal(size=400)
    >>> res = fit("y ~ c(b, b)*x", pd.DataFrame({"y": y, "x": x, "g": g}), group="g")
    >>> st = score_tests_groups(res)
    >>> st.univariate[0].lhs, st.univariate[0].rhs_group, bool(st.pvalue < 0.01)
    ('.p1.', 2, True)
    """
    state = _group_state(res)
    pt = state.partable
    labels = pt.group_labels
    constraints = equality_constraints(pt, res.model)
    if not constraints:
        raise SpecError("the model has no equality constraints (group_equal, a == b, or a label shared by "
                        "several parameters) to test")
    shared_rows = sum(1 for p in pt.params if p.free) - pt.n_free
    if len(constraints) < shared_rows:
        raise SpecError(f"the {shared_rows} equality constraints of the parameter table could not all be read "
                        "back from the model text (SemResult.model); fit the model from its text")
    rows_free: list[Param] = []
    position: dict[int, int] = {}
    k = 0
    theta_u: list[float] = []
    for i, p in enumerate(pt.params):
        if p.free:
            k += 1
            rows_free.append(replace(p, free=k, label=""))
            position[i] = k - 1
            theta_u.append(float(state.theta[p.free - 1]))
        else:
            rows_free.append(p)
    upt = replace(pt, params=tuple(rows_free), defined=())
    g, info, n = stacked_score_information(upt, np.array(theta_u), state, k)
    big_r = np.zeros((len(constraints), k))
    for r, (_, _, i, j) in enumerate(constraints):
        big_r[r, position[i]] = 1.0
        big_r[r, position[j]] = -1.0
    total = constrained_score_statistic(g, info, np.zeros((0, k)), n)
    out = []
    for r, (lhs, rhs, i, j) in enumerate(constraints):
        x2 = constrained_score_statistic(g, info, np.delete(big_r, r, axis=0), n)
        pa, pb = pt.params[i], pt.params[j]
        out.append(ScoreTest(lhs=lhs, op="==", rhs=rhs, X2=x2, df=1, pvalue=chisq_upper(x2, 1),
                             lhs_parameter=_parameter_name(pa), rhs_parameter=_parameter_name(pb),
                             lhs_group=pa.group, rhs_group=pb.group,
                             lhs_group_label=labels[pa.group - 1], rhs_group_label=labels[pb.group - 1]))
    df = len(constraints)
    cumul: list[ScoreTest] = []
    if cumulative:
        order = sorted(range(len(out)), key=lambda r: -out[r].X2)
        for m in range(1, len(order) + 1):
            x2 = constrained_score_statistic(g, info, np.delete(big_r, order[:m], axis=0), n)
            cumul.append(replace(out[order[m - 1]], X2=x2, df=m, pvalue=chisq_upper(x2, m)))
    return ScoreTests(X2=total, df=df, pvalue=chisq_upper(total, df), univariate=tuple(out),
                      cumulative=tuple(cumul))


def extend_groups(pt: ParTable) -> tuple[ParTable, list[tuple[int, tuple[str, str, str]]], np.ndarray, np.ndarray,
                                         np.ndarray]:
    """Free every fixed row and add every candidate row of every group (lavaan's extended model).

    Returns the extended table, ``(group, row)`` of each free index, ``is_extra``, ``exo_row`` and
    the value of each extra parameter in the fitted model (its fixed value, or 0).
    """
    q = pt.n_free
    params: list[Param] = []
    where: dict[int, tuple[int, tuple[str, str, str]]] = {}
    exo_row: dict[int, bool] = {}
    fixed: dict[int, float] = {}
    k = q
    for grp in range(1, pt.n_groups + 1):
        block = pt.group_table(grp)
        seen: set[tuple[str, str, str]] = set()
        for p in block.params:
            key = (p.lhs, p.op, p.rhs)
            seen.add(key)
            if p.op == "~~":
                seen.add((p.rhs, p.op, p.lhs))
            if p.free:
                params.append(p)
                where.setdefault(p.free - 1, (grp, key))
                continue
            k += 1
            params.append(replace(p, free=k, value=None, exo=False, label=""))
            where[k - 1] = (grp, key)
            exo_row[k - 1] = p.exo
            fixed[k - 1] = float(p.value or 0.0)
        for key in candidate_rows(block):
            if key in seen:
                continue
            seen.add(key)
            if key[1] == "~~":
                seen.add((key[2], key[1], key[0]))
            k += 1
            params.append(Param(key[0], key[1], key[2], False, k, None, group=grp))
            where[k - 1] = (grp, key)
    ext = replace(pt, params=tuple(params), defined=())
    return (ext, [where[i] for i in range(k)], np.arange(k) >= q,
            np.array([exo_row.get(i, False) for i in range(k)], dtype=bool),
            np.array([fixed.get(i, 0.0) for i in range(k)]))


def modindices_groups(res: SemResult, *, sort: bool = True, minimum_value: float = 0.0) -> pd.DataFrame:
    """lavaan's ``modindices(fit)`` of a multi-group fit: columns ``lhs, op, rhs, group, group_label`` + MI set.

    Raises
    ------
    SpecError
        Under FIML, or for a result without its groups' moments.
    """
    state = _group_state(res)
    pt = state.partable
    labels = pt.group_labels
    ext, where, is_extra, exo_row, fixed = extend_groups(pt)
    big_q = len(where)
    theta = np.concatenate([state.theta, fixed[pt.n_free:]])
    g, info, n = stacked_score_information(ext, theta, state, big_q)
    model_idx = np.flatnonzero(~is_extra)
    extra_idx = np.flatnonzero(is_extra)
    columns = ["lhs", "op", "rhs", "group", "group_label"] + list(MI_COLUMNS[3:])
    if extra_idx.size == 0:
        return pd.DataFrame(columns=columns)
    mi, epc = univariate_score(g, info, model_idx, extra_idx, n)
    epc_all = np.full(big_q, np.nan)
    epc_all[extra_idx] = epc
    sepc_by_group = {}
    for grp in range(1, pt.n_groups + 1):
        cov, mean, _ = state.groups[grp - 1]
        base = RamStructure(pt.group_table(grp), cov, mean, q=pt.n_free)
        # this group's view: its rows at their free indices, other groups' rows blank
        rows = tuple(key if gg == grp else ("", "", "") for gg, key in where)
        for p in pt.group_table(grp).params:  # shared parameters: this group's row
            if p.free:
                rows = rows[:p.free - 1] + ((p.lhs, p.op, p.rhs),) + rows[p.free:]
        view = Extended(partable=ext, rows=rows, is_extra=is_extra, exo_row=exo_row, fixed_value=fixed)
        sepc_by_group[grp] = _standardized_epc(view, epc_all, theta, base.implied(state.theta).C, base)
    out = []
    for pos, k in enumerate(extra_idx):
        grp, (lhs, op, rhs) = where[k]
        sepc = sepc_by_group[grp]
        out.append({"lhs": lhs, "op": op, "rhs": rhs, "group": grp, "group_label": labels[grp - 1],
                    "mi": float(mi[pos]), "epc": float(epc[pos]), "sepc_lv": sepc[0][k], "sepc_all": sepc[1][k],
                    "sepc_nox": sepc[2][k]})
    table = pd.DataFrame(out, columns=columns)
    table = table[table["mi"].notna()]
    if sort:
        table = table.sort_values("mi", ascending=False, kind="stable")
    if minimum_value > 0:
        table = table[table["mi"] > minimum_value]
    return table.reset_index(drop=True)

"""Multi-group models, as lavaan's ``sem(..., group = )``: data split, estimation, fit, results.

Conventions are lavaan 0.6's (``lav_data``, ``lav_model_objective``, ``lav_fit_measures``):

* groups are numbered in order of **first appearance** in the group column; rows whose group
  value is missing are dropped (with a warning);
* every multi-group model has a mean structure; the groups share one vector of free
  parameters, so shared labels (``c(a, a)*x``, a plain ``a*x``, ``group.equal``'s ``.pN.``)
  are equality constraints;
* the ML discrepancy is ``F = sum_g (N_g / N) F_g`` and ``chisq = N F = sum_g N_g F_g``
  (likelihood "normal": ``N_g``, not ``N_g - 1``), each group's term reported in ``chisq_group``;
* df = the groups' sample moments minus the free parameters; the baseline model is the
  independence model of every group; RMSEA = ``sqrt(max(chisq - df, 0) / (df N)) * sqrt(G)``;
  SRMR = ``sum_g N_g SRMR_g / N`` with the mean residuals; logl, AIC and BIC sum over groups.

:func:`fit_groups` is called by :func:`semxhs.sem.model.fit` when a group column is given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from semxhs.errors import DataError, EstimationError, SpecError, name_list
from semxhs.messages import Message, message_texts
from semxhs.sem import fitmeasures as fm
from semxhs.sem.defined import defined_parameters
from semxhs.sem.estimate import (
    Estimate,
    Moments,
    discrepancy,
    fit_ml_groups,
    group_weights,
    unit_information,
)
from semxhs.sem.inference import covariance_from_information, wald_test
from semxhs.sem.moments import model_columns
from semxhs.sem.parameters import parameter_rows
from semxhs.sem.partable import ParTable, build_partable
from semxhs.sem.ram import Implied, RamStructure
from semxhs.sem.results import FitMeasures, FitState, Parameter, SemResult
from semxhs.sem.standardize import r_square


@dataclass(frozen=True)
class GroupData:
    """The complete rows of each group, in lavaan's group order."""

    labels: tuple[str, ...]
    values: tuple[np.ndarray, ...]  # (n_g, p) each
    n_total: int  # rows of the data
    n_missing_group: int  # rows dropped because their group value is missing
    n_dropped: int  # all rows not used (missing group value or incomplete)


def group_order(column: pd.Series) -> tuple[str, ...]:
    """Group labels in order of first appearance (lavaan's order), missing values left out.

    Examples
    --------
    >>> import pandas as pd
    >>> group_order(pd.Series(["b", "a", None, "b", "c"]))
    ('b', 'a', 'c')
    """
    seen: list[str] = []
    for value in column.dropna():
        label = _label(value)
        if label not in seen:
            seen.append(label)
    return tuple(seen)


def _label(value: object) -> str:
    # 1.0 read from a numeric column is group "1", as lavaan prints it
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def checked_group_labels(frame: pd.DataFrame, group: str) -> tuple[str, ...]:
    """The groups of ``frame[group]`` in lavaan's order; the column must exist and hold two groups or more.

    Raises
    ------
    DataError
    """
    if group not in frame.columns:
        raise DataError(f"the group column '{group}' is not in the data")
    labels = group_order(frame[group])
    if len(labels) < 2:
        raise DataError(f"the group column '{group}' has {len(labels)} group"
                        f"{'' if len(labels) == 1 else 's'} ({name_list(labels)}): a multi-group model needs two or more")
    return labels


def split_groups(frame: pd.DataFrame, group: str, observed: tuple[str, ...], missing: str = "listwise") -> GroupData:
    """Check the group column and split the model's columns by group (listwise within groups).

    Raises
    ------
    DataError
        The group column is absent, has a single group, or a group has fewer complete rows
        than model variables.
    """
    labels = checked_group_labels(frame, group)
    if group in observed:
        raise SpecError(f"the group column '{group}' is also a variable of the model")
    column = frame[group]
    keep = column.notna().to_numpy()
    n_missing_group = int((~keep).sum())
    md = model_columns(frame.loc[keep], observed, "fiml")  # checks the columns; rows dropped below
    codes = np.array([_label(v) for v in column[keep]])
    values: list[np.ndarray] = []
    p = len(observed)
    for label in labels:
        rows = md.values[codes == label]
        if missing == "listwise":
            rows = rows[~np.isnan(rows).any(axis=1)]
        if (~np.isnan(rows).all(axis=1)).sum() <= p:
            raise DataError(f"group '{label}' of '{group}' has {rows.shape[0]} complete rows for {p} model variables: "
                            "too few to estimate the model in that group")
        values.append(rows)
    used = sum(v.shape[0] for v in values)
    return GroupData(labels, tuple(values), len(frame), n_missing_group, len(frame) - used)


def degrees_of_freedom_groups(partable: ParTable) -> int:
    """All groups' sample moments (fixed.x moments excluded) minus the free parameters."""
    p = len(partable.observed)
    px = len(partable.exogenous_observed)
    per_group = p * (p + 1) // 2 + p - (px * (px + 1) // 2 + px)
    return partable.n_groups * per_group - partable.n_free


def fit_groups(model: str | ParTable, data: pd.DataFrame, group: str, *, group_equal: tuple[str, ...] = (),
               group_partial: tuple[str, ...] = (), estimator: str = "ML", std_lv: bool = False,
               level: float = 0.95, fixed_x: bool = True, frame: pd.DataFrame | None = None,
               missing: str = "listwise", wald_tests: tuple[str, ...] = ()) -> SemResult:
    """Fit a multi-group model by ML (see the module docstring); ``frame`` = data with product columns."""
    frame = data if frame is None else frame
    if isinstance(model, ParTable):
        partable, model_text = model, ""
        labels = partable.group_labels
    else:
        labels = checked_group_labels(frame, group)
        partable = build_partable(model, std_lv=std_lv, fixed_x=fixed_x, group_labels=labels,
                                  group_equal=tuple(group_equal), group_partial=tuple(group_partial))
        model_text = model
    gd = split_groups(frame, group, partable.observed, missing)
    if gd.labels != partable.group_labels:
        raise DataError(f"the groups of '{group}' ({name_list(gd.labels)}) are not the model's "
                        f"({name_list(partable.group_labels)})")
    df = degrees_of_freedom_groups(partable)
    if df < 0:
        raise SpecError(f"the model is not identified: it has {partable.n_free} free parameters but the groups' data "
                        f"give only {partable.n_free + df} sample moments (df = {df})")
    if missing == "fiml":
        return fit_groups_fiml(partable, gd, group=group, model_text=model_text, level=level, notes=_notes(gd, group),
                               estimator=estimator, wald_tests=wald_tests)
    moments = [Moments.from_data(v) for v in gd.values]
    for label, m in zip(gd.labels, moments):
        if not np.isfinite(m.logdet):
            raise EstimationError(f"the sample covariance matrix of group '{label}' is singular "
                                  "(a variable is a linear combination of others in that group)")
    structures = [RamStructure(partable.group_table(g + 1), m.cov, m.mean, q=partable.n_free)
                  for g, m in enumerate(moments)]
    est = fit_ml_groups(structures, moments)
    notes = _notes(gd, group)
    if estimator == "MLR":
        from dataclasses import replace

        from semxhs.sem import robust

        imps = [s.implied(est.theta) for s in structures]
        fit = fit_measures_groups(partable, structures, moments, est, imps)
        exo = np.array([v in partable.exogenous_observed for v in partable.observed], dtype=bool)
        rob = robust.mlr_groups(structures, moments, est, list(gd.values), exo, fit.chisq, fit.df,
                                fit.baseline_chisq, fit.baseline_df)
        c = rob.fit_keys["chisq_scaling_factor"]
        scaled_group = {k: v / c for k, v in (fit.chisq_group or {}).items()}
        fit = replace(fit, chisq_group_scaled=scaled_group, **rob.fit_keys)
        res = collect_groups(partable, structures, moments, est, group=group, model_text=model_text,
                             n_dropped=gd.n_dropped, level=level, notes=tuple(notes), vcov=rob.vcov,
                             identified=rob.identified, fit=fit, estimator="MLR", wald_tests=wald_tests)
    else:
        res = collect_groups(partable, structures, moments, est, group=group, model_text=model_text,
                             n_dropped=gd.n_dropped, level=level, notes=tuple(notes), wald_tests=wald_tests)
    return _with_group_state(res, partable, moments, est.theta)


def _with_group_state(res: SemResult, partable: ParTable, moments: list[Moments], theta: np.ndarray) -> SemResult:
    """Keep each group's moments and the estimates (score tests and modification indices need them)."""
    from dataclasses import replace

    state = FitState(partable=partable, sample_cov=moments[0].cov, sample_mean=moments[0].mean,
                     n=sum(m.n for m in moments), theta=np.asarray(theta, dtype=float),
                     groups=tuple((m.cov, m.mean, m.n) for m in moments))
    return replace(res, state=state)


def _notes(gd: GroupData, group: str) -> tuple[Message, ...]:
    if not gd.n_missing_group:
        return ()
    return (Message("group_missing", {"n": gd.n_missing_group, "group": group},
                    f"{gd.n_missing_group} rows with a missing value of the group column '{group}' were dropped"),)


def collect_groups(partable: ParTable, structures: list[RamStructure], moments: list[Moments], est: Estimate, *,
                   group: str, model_text: str, n_dropped: int, level: float,
                   notes: tuple[Message, ...] = (), vcov: np.ndarray | None = None, identified: bool = True,
                   fit: FitMeasures | None = None, estimator: str = "ML", missing: str = "listwise",
                   wald_tests: tuple[str, ...] = ()) -> SemResult:
    """Standard errors, per-group parameter rows, fit measures and R-square of a multi-group fit."""
    labels = partable.group_labels
    n = sum(m.n for m in moments)
    imps = [s.implied(est.theta) for s in structures]
    warnings: list[Message] = list(notes)
    improper = False
    if not est.converged:
        warnings.append(Message(
            "not_converged",
            {"iterations": int(est.iterations), "max_gradient": float(est.max_gradient), "message": est.message},
            f"the optimizer did not converge: {est.message}; estimates are not trustworthy"))
    if vcov is None:
        w = group_weights(moments)
        try:
            info = sum(wg * unit_information(s, imp) for wg, s, imp in zip(w, structures, imps))
            vcov, identified = covariance_from_information(np.asarray(info), n)
        except np.linalg.LinAlgError:
            vcov, identified = np.full((partable.n_free,) * 2, np.nan), False
    if not identified:
        improper = True
        warnings.append(Message("singular_information", {},
                                "the information matrix is singular: the model may not be identified; "
                                "standard errors could not be computed"))
    se_free = np.sqrt(np.clip(np.diag(vcov), 0, None)) if partable.n_free else np.zeros(0)
    params: list[Parameter] = []
    label_values: dict[str, float] = {}
    label_std: dict[str, float] = {}
    for g, (s, imp) in enumerate(zip(structures, imps)):
        rows, values, stds = parameter_rows(s, imp, est.theta, se_free, level)
        params += [_in_group(r, g + 1, labels[g]) for r in rows]
        for k, v in values.items():
            label_values.setdefault(k, v)
            label_std.setdefault(k, stds[k])
    negative = [p for p in params if p.op == "~~" and p.lhs == p.rhs and p.free and p.est < 0]
    if negative:
        improper = True
        warnings.append(Message(
            "heywood", {"variances": [{"lhs": p.lhs, "rhs": p.rhs, "est": float(p.est), "group": p.group_label}
                                      for p in negative]},
            "improper solution (Heywood case): negative variance estimates: "
            + ", ".join(f"{p.lhs} ~~ {p.rhs} in group {p.group_label} ({p.est:.3g})" for p in negative)))
    label_index = {p.label: p.free - 1 for p in partable.params if p.label and p.free}
    defined_rows, defined_warnings = defined_parameters(partable.defined, label_values, label_std, label_index, vcov,
                                                        level=level, identified=identified, group=0)
    params += defined_rows
    warnings += defined_warnings
    if fit is None:
        fit = fit_measures_groups(partable, structures, moments, est, imps)
    r2 = {labels[g]: r_square(imp.C, imp.S, imp.A, s.names) for g, (s, imp) in enumerate(zip(structures, imps))}
    p = structures[0].p
    latent_cov = {labels[g]: {a: {b: float(imp.C[p + i, p + j]) for j, b in enumerate(partable.latent)}
                              for i, a in enumerate(partable.latent)} for g, imp in enumerate(imps)}
    extra: dict[str, object] = {"group": group, "group_labels": list(labels),
                                "n_obs_group": {lab: m.n for lab, m in zip(labels, moments)}, "latent_cov": latent_cov,
                                "path_equality": path_equality_tests(partable, vcov, est.theta)}
    if wald_tests:
        extra["wald_tests"] = [wald_test(c, label_values, label_index, vcov) for c in wald_tests]
    return SemResult(model=model_text, n_obs=n, n_dropped=n_dropped, estimator=estimator, missing=missing,
                     converged=est.converged, improper=improper, iterations=est.iterations,
                     warnings=message_texts(warnings), fit=fit, parameters=tuple(params), r2=r2,  # type: ignore[arg-type]
                     observed=partable.observed, latent=partable.latent, latent_cov={}, extra=extra,
                     warning_codes=tuple(warnings))


def path_equality_tests(partable: ParTable, vcov: np.ndarray, theta: np.ndarray) -> list[dict[str, object]]:
    """Wald test that each regression path is equal in all groups (``df = G - 1``), for every path
    that is free and not already equal across groups (lavaan's ``lavTestWald`` with
    ``b_g1 == b_g2 == ...``).
    """
    out: list[dict[str, object]] = []
    G = partable.n_groups
    for p in (r for r in partable.params if r.group == 1 and r.op == "~"):
        idx = [next((r.free for r in partable.params if r.group == g and (r.lhs, r.op, r.rhs) == (p.lhs, p.op, p.rhs)),
                    0) for g in range(1, G + 1)]
        if 0 in idx or len(set(idx)) < G:
            continue
        J = np.zeros((G - 1, theta.size))
        for k in range(1, G):
            J[k - 1, idx[0] - 1], J[k - 1, idx[k] - 1] = 1.0, -1.0
        g = J @ theta
        try:
            x2 = float(g @ np.linalg.solve(J @ vcov @ J.T, g))
        except np.linalg.LinAlgError:
            x2 = float("nan")
        out.append({"lhs": p.lhs, "op": p.op, "rhs": p.rhs, "X2": x2, "df": G - 1,
                    "pvalue": float(1.0 - _chi2_cdf(x2, G - 1)) if math.isfinite(x2) else None})
    return out


def _chi2_cdf(x: float, df: int) -> float:
    from scipy import special

    return float(special.chdtr(df, x))


def _in_group(p: Parameter, group: int, label: str) -> Parameter:
    from dataclasses import replace

    return replace(p, group=group, group_label=label)


def fit_measures_groups(partable: ParTable, structures: list[RamStructure], moments: list[Moments],
                        est: Estimate, imps: list[Implied]) -> FitMeasures:
    """lavaan's fit measures of a multi-group ML fit (see the module docstring)."""
    labels = partable.group_labels
    G = len(moments)
    n = sum(m.n for m in moments)
    exo = np.array([v in partable.exogenous_observed for v in partable.observed], dtype=bool)
    covariates = np.array([v in partable.covariates for v in partable.observed], dtype=bool)
    chisq_group = {lab: max(m.n * discrepancy(s, est.theta, m), 0.0)
                   for lab, s, m in zip(labels, structures, moments)}
    chisq = float(sum(chisq_group.values()))
    df = degrees_of_freedom_groups(partable)
    chisq_null = df_null = 0
    logl = logl_h1 = 0.0
    srmr_sum = 0.0
    for m, imp in zip(moments, imps):
        c0, d0 = fm.baseline_chisq(m.cov, m.n, covariates)
        chisq_null += c0  # type: ignore[assignment]
        df_null += d0
        lg = fm.normal_loglik(m.n, m.cov, imp.sigma, m.mean, imp.mu)
        lh = fm.normal_loglik(m.n, m.cov, m.cov)
        if exo.any():
            sxx = m.cov[np.ix_(exo, exo)]
            lx = fm.normal_loglik(m.n, sxx, sxx)
            lg -= lx
            lh -= lx
        logl += lg
        logl_h1 += lh
        srmr_sum += m.n * fm.srmr(m.cov, imp.sigma, m.mean, imp.mu)
    npar = partable.n_free
    lo, hi = fm.rmsea_ci(chisq, df, n)
    root_g = math.sqrt(G)
    return FitMeasures(
        chisq=chisq, df=df, pvalue=fm.chisq_pvalue(chisq, df),
        cfi=fm.cfi(chisq, df, float(chisq_null), df_null), tli=fm.tli(chisq, df, float(chisq_null), df_null),
        rmsea=fm.rmsea(chisq, df, n) * root_g, rmsea_ci_lower=lo * root_g, rmsea_ci_upper=hi * root_g,
        srmr=srmr_sum / n, aic=fm.aic(logl, npar), bic=fm.bic(logl, npar, n), logl=logl, npar=npar,
        baseline_chisq=float(chisq_null), baseline_df=df_null, unrestricted_logl=logl_h1,
        chisq_group=chisq_group,
    )


def fit_groups_fiml(partable: ParTable, gd: GroupData, *, group: str, model_text: str, level: float,
                    notes: tuple[Message, ...], estimator: str = "ML", wald_tests: tuple[str, ...] = ()) -> SemResult:
    """Multi-group FIML (lavaan's ``missing = "ml"`` with groups): each group's rows with their own patterns.

    The discrepancy is ``-2 sum_g logl_g / N``; the standard errors come from the observed
    information ``sum_g (N_g/N) I_g`` (as lavaan's ``missing = "ml"``); ``chisq_group`` is
    ``2 (logl_h1,g - logl_g)`` with each group's EM saturated model; the baseline is the
    independence model of every group.
    """
    from semxhs.sem import fiml
    from semxhs.sem.estimate import Objective, minimize, multigroup_start

    exo = np.array([v in partable.exogenous_observed for v in partable.observed], dtype=bool)
    datas: list[fiml.MissingData] = []
    n_missing_x = n_empty = 0
    for v in gd.values:
        empty = np.isnan(v).all(axis=1)
        n_empty += int(empty.sum())
        v = v[~empty]
        if exo.any():
            # fixed.x covariates must be complete (lavaan drops the rows that miss one)
            has_x = ~np.isnan(v[:, exo]).any(axis=1)
            n_missing_x += int((~has_x).sum())
            v = v[has_x]
        datas.append(fiml.MissingData.from_array(v))
    if n_missing_x:
        notes = notes + (Message("fiml_missing_x", {"n": n_missing_x, "covariates": list(partable.exogenous_observed)},
                                 f"{n_missing_x} rows with missing values on fixed.x covariates "
                                 f"({name_list(partable.exogenous_observed)}) were dropped"),)
    moments: list[Moments] = []
    for label, data in zip(gd.labels, datas):
        mu, sigma, _ = fiml.em_moments(data)
        if exo.any():
            xcov, xmean = fiml.complete_columns_moments(data, exo)
            sigma[np.ix_(exo, exo)] = xcov
            mu[exo] = xmean
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            raise EstimationError(f"the EM covariance matrix of group '{label}' is singular")
        moments.append(Moments(cov=sigma, mean=mu, n=data.n, logdet=float(logdet)))
    structures = [RamStructure(partable.group_table(g + 1), m.cov, m.mean, q=partable.n_free)
                  for g, m in enumerate(moments)]
    n = sum(d.n for d in datas)
    w = [d.n / n for d in datas]
    q = partable.n_free

    def _value(t: np.ndarray) -> float:
        return float(sum(wg * fiml.objective(s, d, t) for wg, s, d in zip(w, structures, datas)))

    def _grad(t: np.ndarray) -> np.ndarray:
        out = np.zeros(q)
        for wg, s, d in zip(w, structures, datas):
            out += wg * fiml.gradient(s, d, t)
        return out

    def _gi(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        info = np.zeros((q, q))
        for wg, s, d in zip(w, structures, datas):
            imp = s.implied(t)
            d_sigma, d_mu = s.jacobian(imp)
            info += wg * fiml.expected_information(d, imp.sigma, d_sigma, d_mu)
        return _grad(t), info

    start = multigroup_start(structures, moments)
    est = minimize(Objective(q, _value, _grad, _gi), start, lambda: start)
    try:
        info = sum(wg * fiml.observed_information(s, d, est.theta) for wg, s, d in zip(w, structures, datas))
        vcov, identified = covariance_from_information(np.asarray(info), n)
    except np.linalg.LinAlgError:
        vcov, identified = np.full((q, q), np.nan), False
    imps = [s.implied(est.theta) for s in structures]
    chisq_group: dict[str, float] = {}
    logl = logl_h1 = chisq_null = 0.0
    srmr_sum = 0.0
    nulls = []
    for label, d, m, imp in zip(gd.labels, datas, moments, imps):
        lg = fiml.loglik(d, imp.sigma, imp.mu)
        lh = fiml.loglik(d, m.cov, m.mean)
        null_mu, null_sigma = fiml.independence_moments(d, exo)
        nulls.append((null_mu, null_sigma))
        chisq_group[label] = max(2.0 * (lh - lg), 0.0)
        chisq_null += 2.0 * (lh - fiml.loglik(d, null_sigma, null_mu))
        if exo.any():  # the likelihood given the covariates, as with complete data
            sxx = m.cov[np.ix_(exo, exo)]
            lx = fm.normal_loglik(d.n, sxx, sxx)
            lg, lh = lg - lx, lh - lx
        logl += lg
        logl_h1 += lh
        srmr_sum += d.n * fm.srmr(m.cov, imp.sigma, m.mean, imp.mu)
    p = len(partable.observed)
    G = len(datas)
    df = degrees_of_freedom_groups(partable)
    px = int(exo.sum())
    df_null = G * (p * (p + 1) // 2 + p - (px * (px + 1) // 2 + px) - 2 * (p - px))
    chisq = float(sum(chisq_group.values()))
    lo, hi = fm.rmsea_ci(chisq, df, n)
    root_g = math.sqrt(G)
    fit = FitMeasures(
        chisq=chisq, df=df, pvalue=fm.chisq_pvalue(chisq, df),
        cfi=fm.cfi(chisq, df, chisq_null, df_null), tli=fm.tli(chisq, df, chisq_null, df_null),
        rmsea=fm.rmsea(chisq, df, n) * root_g, rmsea_ci_lower=lo * root_g, rmsea_ci_upper=hi * root_g,
        srmr=srmr_sum / n, aic=fm.aic(logl, q), bic=fm.bic(logl, q, n), logl=logl, npar=q,
        baseline_chisq=chisq_null, baseline_df=df_null, unrestricted_logl=logl_h1, chisq_group=chisq_group)
    if estimator == "MLR":
        from dataclasses import replace

        from semxhs.sem import robust

        rob = robust.mlr_fiml_groups(structures, datas, moments, nulls, est, chisq, df, chisq_null, df_null,
                                     exo)
        vcov, identified = rob.vcov, rob.identified
        c = float(rob.fit_keys["chisq_scaling_factor"])
        fit = replace(fit, chisq_group_scaled={k: v / c for k, v in chisq_group.items()},
                      **rob.fit_keys)
    else:
        from dataclasses import replace

        from semxhs.sem import robust

        try:
            fit = replace(fit, **robust.fiml_corrected_groups(  # type: ignore[arg-type]
                structures, datas, moments, nulls, est.theta, df, df_null, exo))
        except np.linalg.LinAlgError:
            pass  # the robust indices stay out; the standard ones are complete
    if n_empty:
        notes = notes + (Message("fiml_empty_rows", {"n": int(n_empty)},
                                 f"{n_empty} rows with all model variables missing were dropped"),)
    return collect_groups(partable, structures, moments, est, group=group, model_text=model_text,
                          n_dropped=gd.n_dropped + n_empty + n_missing_x, level=level, notes=notes, vcov=vcov,
                          identified=identified, fit=fit, missing="fiml", estimator=estimator, wald_tests=wald_tests)

"""Fit a model in lavaan syntax to a data frame: the one entry point of the SEM engine.

``fit`` parses the model (:mod:`semxhs.sem.partable`), extracts complete rows
(:mod:`semxhs.survey.files`), estimates by maximum likelihood (:mod:`semxhs.sem.estimate`), and
collects standard errors, fit measures, the standardized solution, R-square and defined
parameters into a :class:`semxhs.sem.results.SemResult`. It prints nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

import numpy as np
import pandas as pd

from semxhs.errors import EstimationError, SpecError, name_list
from semxhs.messages import Message, message_texts
from semxhs.sem import fit_amos
from semxhs.sem import fitmeasures as fm
from semxhs.sem.defined import defined_parameters
from semxhs.sem.estimate import Estimate, Moments, fit_ml, unit_information
from semxhs.sem.inference import covariance_from_information, wald_test
from semxhs.sem.moments import add_products, model_columns
from semxhs.sem.parameters import parameter_rows
from semxhs.sem.partable import ParTable, build_partable
from semxhs.sem.ram import Implied, RamStructure
from semxhs.sem.results import FitMeasures, FitState, SemResult
from semxhs.sem.standardize import r_square

ESTIMATORS = ("ML", "MLR")
MISSING = ("listwise", "fiml")


def fit(model: str | ParTable, data: pd.DataFrame | None = None, *, estimator: str = "ML",
        missing: str = "listwise", std_lv: bool = False, level: float = 0.95, fixed_x: bool = True,
        meanstructure: bool = False, group: str | None = None,
        group_equal: tuple[str, ...] | list[str] = (), group_partial: tuple[str, ...] | list[str] = (),
        wald_tests: tuple[str, ...] | list[str] = (), sample_cov: pd.DataFrame | None = None,
        sample_nobs: int | None = None, sample_mean: pd.Series | None = None) -> SemResult:
    """Fit a structural equation model by maximum likelihood, as ``lavaan::sem()`` does.

    ``estimator="MLR"`` is lavaan's ``estimator = "MLR"`` (robust sandwich standard errors,
    Yuan-Bentler-Mplus scaled chi-square, scaled and robust CFI/TLI/RMSEA; see
    :mod:`semxhs.sem.robust`); ``missing="fiml"`` is lavaan's ``missing = "ml"`` (full-information
    ML with a mean structure, observed-information standard errors; see :mod:`semxhs.sem.fiml`).
    The two combine as in lavaan.

    Parameters
    ----------
    model : str or ParTable
        Model text in lavaan syntax (or a parameter table already built).
    data : pandas.DataFrame
        One row per respondent; columns named as the model's observed variables.
    estimator : {"ML", "MLR"}
        Normal-theory maximum likelihood: expected information with listwise deletion,
        observed information with FIML (as lavaan); or MLR (robust, see above).
    missing : {"listwise", "fiml"}
        ``"listwise"``: rows with a missing value on any model variable are dropped
        (``n_dropped``). ``"fiml"``: every row is used with the variables it has; only rows
        missing all model variables (or a fixed.x covariate) are dropped.
    std_lv : bool
        Scale latent variables by fixing their variances to 1 (lavaan's ``std.lv``).
    level : float
        Confidence level of the Wald intervals.
    fixed_x : bool
        lavaan's ``fixed.x``: True (default) fixes the (co)variances and means of exogenous
        observed covariates at their sample values; False makes them free parameters with
        standard errors (the baseline model keeps their covariances, as lavaan's). ML only.
    meanstructure : bool
        Model the means (intercepts) even without ``~ 1`` lines (lavaan's ``meanstructure = TRUE``);
        always on with FIML and with groups.
    group : str, optional
        A column of ``data`` that splits it into groups: a multi-group model as lavaan's
        ``group =`` (see :mod:`semxhs.sem.multigroup`); parameter rows then carry ``group``
        (1-based, order of first appearance) and ``group_label``.
    group_equal : sequence of str
        lavaan's ``group.equal``: ``loadings``, ``intercepts``, ``means``, ``residuals``,
        ``residual.covariances``, ``regressions``, ``lv.variances``, ``lv.covariances``.
    group_partial : sequence of str
        lavaan's ``group.partial``: parameters left free across groups, ``"x3~1,visual=~x2"``.
    wald_tests : sequence of str
        Wald tests of constraints on labels, one test per string (``"a1 == a2; b1 == b2"``), as
        lavaan's ``lavTestWald``; rows ``{constraints, X2, df, pvalue}`` in ``extra["wald_tests"]``
        (JSON ``wald_tests``). Multi-group fits also carry ``path_equality``: each free regression
        path tested equal across groups.
    sample_cov, sample_nobs, sample_mean : optional
        Fit from summary statistics instead of ``data`` (lavaan's ``sample.cov``,
        ``sample.nobs``, ``sample.mean``): a labelled unbiased (N - 1) covariance matrix,
        rescaled by (N - 1)/N as lavaan does, N, and means by name (they switch on the mean
        structure). ML only, no missing-data handling (see :mod:`semxhs.sem.sumstats`).

    Returns
    -------
    SemResult

    Raises
    ------
    ModelSyntaxError, SpecError, DataError, EstimationError

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(7)
    >>> x = rng.normal(size=500); m = 0.5 * x + rng.normal(size=500)
    >>> y = 0.4 * m + 0.2 * x + rng.normal(size=500)
    >>> res = fit("m ~ a*x\\ny ~ b*m + c*x\\nind := a*b", pd.DataFrame({"x": x, "m": m, "y": y}))
    >>> res.converged, res.fit.df
    (True, 0)
    >>> round(res.parameter("ind", ":=").est, 2)
    0.18
    """
    estimator = estimator.upper()
    if estimator not in ESTIMATORS:
        raise SpecError(f"estimator '{estimator}' is not available: choose from {name_list(ESTIMATORS)}")
    missing = missing.lower()
    if missing in ("ml", "fiml"):  # lavaan's name and ours
        missing = "fiml"
    if missing not in MISSING:
        raise SpecError(f"missing='{missing}' is not available: choose from {name_list(MISSING)}")
    fiml = missing == "fiml"
    if sample_cov is not None or data is None:
        if group is not None:
            raise SpecError("a multi-group model needs the raw data with its group column, not a covariance matrix")
        return _fit_summary(model, sample_cov, sample_nobs, sample_mean, data=data, estimator=estimator,
                            fiml=fiml, std_lv=std_lv, level=level)
    if group is None and isinstance(model, ParTable) and model.group_labels:
        raise SpecError("the parameter table has groups: give the group column (group=...)")
    if group is None and (group_equal or group_partial):
        raise SpecError("group_equal and group_partial need a group column (group=..., --group)")
    if group is not None:
        from semxhs.sem.multigroup import fit_groups
        from semxhs.sem.partable import variable_roles
        from semxhs.sem.syntax import parse_syntax

        products = model.products if isinstance(model, ParTable) else variable_roles(parse_syntax(model)[0]).products
        frame = add_products(data, products) if products else data
        return fit_groups(model, data, group, group_equal=tuple(group_equal), group_partial=tuple(group_partial),
                          estimator=estimator, std_lv=std_lv, level=level, fixed_x=fixed_x, frame=frame,
                          missing=missing, wald_tests=tuple(wald_tests))
    if not fixed_x and (fiml or estimator != "ML"):
        raise SpecError("fixed_x=False (--no-fixed-x) is available with estimator ML and listwise deletion only")
    partable = model if isinstance(model, ParTable) else build_partable(
        model, std_lv=std_lv, meanstructure=fiml or meanstructure, fixed_x=fixed_x)
    model_text = model if isinstance(model, str) else ""
    frame = add_products(data, partable.products) if partable.products else data
    _check_products(partable, frame)
    RamStructure(partable).check_solvable()
    check_degrees_of_freedom(partable)
    try:
        result = _estimate(partable, frame, model_text=model_text, estimator=estimator, missing=missing,
                           level=level, wald_tests=tuple(wald_tests))
    except np.linalg.LinAlgError as exc:  # a singular matrix no check before estimation foresaw
        raise EstimationError(
            f"the model could not be estimated: a matrix became singular during estimation ({exc}); "
            "check for loops of regressions, variables that are linear combinations of others, "
            "or a model that is not identified") from None
    return replace(result, partable=partable, data=frame)


def _estimate(partable: ParTable, frame: pd.DataFrame, *, model_text: str, estimator: str, missing: str,
              level: float, wald_tests: tuple[str, ...] = ()) -> SemResult:
    """Estimate a checked parameter table on the data (the body of :func:`fit`)."""
    fiml = missing == "fiml"
    md = model_columns(frame, partable.observed, missing)
    if fiml:
        res = _fit_fiml(partable, md.values, model_text=model_text, n_total=md.n_total,
                        estimator=estimator, level=level, wald_tests=tuple(wald_tests))
        return _with_state(res, data=md.values)
    moments = Moments.from_data(md.values)
    if not np.isfinite(moments.logdet):
        raise EstimationError(
            "the sample covariance matrix of the model variables is singular "
            "(a variable is a linear combination of others)"
        )
    structure = RamStructure(partable, moments.cov, moments.mean)
    est = fit_ml(structure, moments)
    if estimator == "MLR":
        from semxhs.sem import robust  # imported here: plain ML never needs it

        fit_measures = _fit_measures(structure, moments, est, structure.implied(est.theta))
        exo = np.array([v in partable.exogenous_observed for v in partable.observed], dtype=bool)
        rob = robust.mlr_complete(structure, moments, est, md.values, exo, fit_measures.chisq, fit_measures.df,
                                  fit_measures.baseline_chisq, fit_measures.baseline_df)
        res = collect(structure, moments, est, model_text=model_text, n_dropped=md.n_dropped,
                      estimator=estimator, missing=missing, level=level, vcov=rob.vcov,
                      identified=rob.identified, fit_measures=replace(fit_measures, **rob.fit_keys),
                      wald_tests=tuple(wald_tests))
        return _with_state(res, data=md.values)
    res = collect(structure, moments, est, model_text=model_text, n_dropped=md.n_dropped,
                  estimator=estimator, missing=missing, level=level, wald_tests=tuple(wald_tests))
    return _with_state(res, data=md.values)


def _with_state(res: SemResult, *, data: np.ndarray) -> SemResult:
    """Keep the rows the model was fitted to (FIML refits and score tests need them)."""
    if res.state is None:
        return res
    return replace(res, state=replace(res.state, data=data))


def _fit_summary(model: str | ParTable, sample_cov: pd.DataFrame | None, sample_nobs: int | None,
                 sample_mean: pd.Series | None, *, data: pd.DataFrame | None, estimator: str, fiml: bool,
                 std_lv: bool, level: float) -> SemResult:
    """ML from a covariance matrix (lavaan ``sample.cov``); everything that needs rows is refused."""
    from semxhs.sem.sumstats import summary_moments

    if data is not None:
        raise SpecError("give either data or sample_cov, not both")
    if sample_cov is None:
        raise SpecError("fit needs data, or a covariance matrix (sample_cov) and its sample size (sample_nobs)")
    if sample_nobs is None:
        raise SpecError("sample_cov needs sample_nobs, the number of respondents behind the matrix")
    if estimator != "ML" or fiml:
        what = "MLR" if estimator != "ML" else "FIML"
        raise SpecError(f"{what} needs the raw data (one row per respondent); a covariance matrix supports ML only")
    partable = model if isinstance(model, ParTable) else build_partable(
        model, std_lv=std_lv, meanstructure=sample_mean is not None)
    if partable.meanstructure and sample_mean is None:
        raise SpecError("the model has intercepts (~ 1): give the sample means (sample_mean) with sample_cov")
    if partable.products:
        raise SpecError(f"product terms ({name_list(f'{a}:{b}' for a, b in partable.products)}) need the raw "
                        "data; a covariance matrix cannot form them")
    check_degrees_of_freedom(partable)
    moments = summary_moments(sample_cov, sample_nobs, partable.observed,
                              sample_mean if partable.meanstructure else None)
    structure = RamStructure(partable, moments.cov, moments.mean)
    est = fit_ml(structure, moments)
    return collect(structure, moments, est, model_text=model if isinstance(model, str) else "", n_dropped=0,
                   estimator="ML", missing="listwise", level=level)


def _fit_fiml(partable: ParTable, values: np.ndarray, *, model_text: str, n_total: int, estimator: str,
              level: float, wald_tests: tuple[str, ...] = ()) -> SemResult:
    """FIML (lavaan ``missing = "ml"``), with ML or MLR standard errors and robust indices."""
    from semxhs.sem import robust
    from semxhs.sem.fiml import fiml_fit_measures, fit_fiml_model

    ff = fit_fiml_model(partable, values)
    rob = robust.mlr_fiml(ff) if estimator == "MLR" else robust.fiml_standard(ff)
    notes: list[Message] = []
    if ff.data.n_empty:
        notes.append(Message("fiml_empty_rows", {"n": int(ff.data.n_empty)},
                             f"{ff.data.n_empty} rows with all model variables missing were dropped"))
    if ff.n_missing_x:
        notes.append(Message("fiml_missing_x", {"n": int(ff.n_missing_x),
                                                "covariates": list(partable.exogenous_observed)},
                             f"{ff.n_missing_x} rows with missing values on fixed.x covariates "
                             f"({name_list(partable.exogenous_observed)}) were dropped"))
    res = collect(ff.structure, ff.moments, ff.estimate, model_text=model_text, n_dropped=n_total - ff.data.n,
                  estimator=estimator, missing="fiml", level=level, vcov=rob.vcov, identified=rob.identified,
                  fit_measures=replace(fiml_fit_measures(ff), **rob.fit_keys), notes=tuple(notes),
                  wald_tests=wald_tests)
    # GFI under FIML weighs the residuals by the missing-data patterns, as lavaan
    patterns = [(pat.n / ff.data.n, pat.observed) for pat in ff.data.patterns]
    imp = ff.structure.implied(ff.estimate.theta)
    used = np.asarray(values, dtype=float)
    used = used[~np.isnan(used).all(axis=1)]
    exo = np.array([v in partable.exogenous_observed for v in partable.observed], dtype=bool)
    if exo.any():
        used = used[~np.isnan(used[:, exo]).any(axis=1)]
    available = fit_amos.available_case_moments(used)
    return replace(res, fit=with_amos(res.fit, ff.moments, imp, partable, patterns, available))


def degrees_of_freedom(partable: ParTable) -> int:
    """Sample moments minus free parameters (fixed.x moments count as neither), as lavaan counts.

    Examples
    --------
    >>> degrees_of_freedom(build_partable("f =~ x1 + x2 + x3 + x4"))
    2
    """
    p = len(partable.observed)
    px = len(partable.exogenous_observed)
    n_moments = p * (p + 1) // 2 + (p if partable.meanstructure else 0)
    n_exo = px * (px + 1) // 2 + (px if partable.meanstructure else 0)
    return n_moments - n_exo - partable.n_free


def check_degrees_of_freedom(partable: ParTable) -> None:
    """Refuse a model with more free parameters than sample moments (it cannot be identified)."""
    df = degrees_of_freedom(partable)
    if df < 0:
        raise SpecError(
            f"the model is not identified: it has {partable.n_free} free parameters but the data give only "
            f"{partable.n_free + df} sample moments (df = {df}); fix or constrain {-df} more parameter"
            f"{'s' if df < -1 else ''} or add indicators"
        )


def _check_products(partable: ParTable, frame: pd.DataFrame) -> None:
    latent_products = [f"{a}:{b}" for a, b in partable.products if a in partable.latent or b in partable.latent]
    if latent_products:
        raise SpecError(
            f"product terms of latent variables ({name_list(latent_products)}) need product indicators, "
            "which plain `fit` does not build"
        )


def collect(structure: RamStructure, moments: Moments, est: Estimate, *, model_text: str, n_dropped: int,
            estimator: str, missing: str, level: float, vcov: np.ndarray | None = None,
            identified: bool = True, fit_measures: FitMeasures | None = None,
            notes: tuple[Message, ...] = (), wald_tests: tuple[str, ...] = ()) -> SemResult:
    """Turn an ML estimate into a :class:`SemResult` (SEs, fit, standardized solution).

    ``vcov`` and ``fit_measures``, when given (FIML, MLR), replace the expected-information
    covariance and the complete-data fit measures; ``notes`` go first into the warnings.
    Each warning is also a :class:`~semxhs.messages.Message` in ``warning_codes``: codes
    ``fiml_empty_rows`` (n), ``fiml_missing_x`` (n, covariates), ``not_converged`` (iterations,
    max_gradient, message), ``singular_information``, ``heywood`` (variances: lhs, rhs, est),
    ``latent_cov_not_pd``; ``SemResult.warnings`` keeps their English text.
    """
    pt = structure.partable
    n = moments.n
    imp = structure.implied(est.theta)
    warnings: list[Message] = list(notes)
    improper = False
    if not est.converged:
        warnings.append(Message(
            "not_converged",
            {"iterations": int(est.iterations), "max_gradient": float(est.max_gradient), "message": est.message},
            f"the optimizer did not converge: {est.message}; estimates are not trustworthy"))
    if vcov is None:
        try:
            info = unit_information(structure, imp)
            vcov, identified = covariance_from_information(info, n)
        except np.linalg.LinAlgError:
            vcov, identified = np.full((structure.q, structure.q), np.nan), False
    if not identified:
        improper = True
        warnings.append(Message("singular_information", {},
                                "the information matrix is singular: the model may not be identified; "
                                "standard errors could not be computed"))
    se_free = np.sqrt(np.clip(np.diag(vcov), 0, None)) if structure.q else np.zeros(0)

    params, label_values, label_std = parameter_rows(structure, imp, est.theta, se_free, level)
    negative = [p for p in params if p.op == "~~" and p.lhs == p.rhs and p.free and p.est < 0]
    neg = [f"{p.lhs} ~~ {p.rhs} ({p.est:.3g})" for p in negative]
    if neg:
        improper = True
        warnings.append(Message(
            "heywood", {"variances": [{"lhs": p.lhs, "rhs": p.rhs, "est": float(p.est)} for p in negative]},
            "improper solution (Heywood case): negative variance estimates: " + ", ".join(neg)))
    nlat = len(pt.latent)
    if nlat:
        lat_cov = imp.C[structure.p:, structure.p:]
        if np.linalg.eigvalsh(lat_cov).min() <= 0 and not neg:
            improper = True
            warnings.append(Message("latent_cov_not_pd", {}, "improper solution: the covariance matrix of the "
                                    "latent variables is not positive definite"))

    label_index = {p.label: p.free - 1 for p in pt.params if p.label and p.free}
    defined_rows, defined_warnings = defined_parameters(pt.defined, label_values, label_std, label_index, vcov,
                                                        level=level, identified=identified)
    params += defined_rows
    warnings += defined_warnings

    if fit_measures is None:
        fit_measures = _fit_measures(structure, moments, est, imp)
    fit_measures = with_amos(fit_measures, moments, imp, pt)
    r2 = r_square(imp.C, imp.S, imp.A, structure.names)
    return SemResult(
        model=model_text,
        n_obs=n,
        n_dropped=n_dropped,
        estimator=estimator,
        missing=missing,
        converged=est.converged,
        improper=improper,
        iterations=est.iterations,
        warnings=message_texts(warnings),
        fit=fit_measures,
        parameters=tuple(params),
        r2=r2,
        observed=pt.observed,
        latent=pt.latent,
        latent_cov=_latent_cov(structure, imp),
        warning_codes=tuple(warnings),
        extra=({"wald_tests": [wald_test(c, label_values, label_index, vcov) for c in wald_tests]}
               if wald_tests else {}),
        state=FitState(partable=pt, sample_cov=moments.cov, sample_mean=moments.mean, n=n, theta=est.theta),
    )


def with_amos(fit_measures: FitMeasures, moments: Moments, imp: Implied, partable: ParTable,
              patterns: list[tuple[float, np.ndarray]] | None = None,
              available: tuple[np.ndarray, np.ndarray] | None = None) -> FitMeasures:
    """Add the AMOS-style set (:mod:`semxhs.sem.fit_amos`) of a single-group fit to its fit measures.

    FIML: ``patterns`` (share of rows, observed indices) and the ``available`` pairwise moments.
    """
    mean_args = (moments.mean, imp.mu) if partable.meanstructure else (None, None)
    exo = np.array([v in partable.exogenous_observed for v in partable.observed], dtype=bool)
    try:
        amos = fit_amos.amos_measures(
            chisq=fit_measures.chisq, df=fit_measures.df, n=moments.n, npar=fit_measures.npar,
            chisq_null=fit_measures.baseline_chisq, df_null=fit_measures.baseline_df,
            sample_cov=moments.cov, implied_cov=imp.sigma, sample_mean=mean_args[0], implied_mean=mean_args[1],
            exogenous=exo, patterns=patterns, available_moments=available)
    except np.linalg.LinAlgError:  # a singular implied covariance: leave the set out
        return fit_measures
    return replace(fit_measures, **cast(dict[str, Any], amos.as_dict()))


def _latent_cov(structure: RamStructure, imp: Implied) -> dict[str, dict[str, float]]:
    names = structure.partable.latent
    block = imp.C[structure.p:, structure.p:]
    return {a: {b: float(block[i, j]) for j, b in enumerate(names)} for i, a in enumerate(names)}


def _fit_measures(structure: RamStructure, moments: Moments, est: Estimate, imp: Implied) -> FitMeasures:
    pt = structure.partable
    n = moments.n
    exo = np.array([v in pt.exogenous_observed for v in pt.observed], dtype=bool)
    px = int(exo.sum())
    npar = structure.q
    df = degrees_of_freedom(pt)
    chisq = max(n * est.fmin, 0.0)  # F_ML >= 0; a negative value is rounding error
    # the baseline keeps the covariates' covariances whether they are fixed.x or free (lavaan)
    covariates = np.array([v in pt.covariates for v in pt.observed], dtype=bool)
    chisq_null, df_null = fm.baseline_chisq(moments.cov, n, covariates)
    mean_args = (moments.mean, imp.mu) if pt.meanstructure else (None, None)
    logl = fm.normal_loglik(n, moments.cov, imp.sigma, *mean_args)
    logl_h1 = fm.normal_loglik(n, moments.cov, moments.cov)
    if px:
        # fixed.x: lavaan's likelihood is that of the outcomes given the covariates, so the
        # (saturated) marginal likelihood of the covariates is taken out of both
        sxx = moments.cov[np.ix_(exo, exo)]
        logl_x = fm.normal_loglik(n, sxx, sxx)
        logl -= logl_x
        logl_h1 -= logl_x
    lo, hi = fm.rmsea_ci(chisq, df, n)
    return FitMeasures(
        chisq=chisq,
        df=df,
        pvalue=fm.chisq_pvalue(chisq, df),
        cfi=fm.cfi(chisq, df, chisq_null, df_null),
        tli=fm.tli(chisq, df, chisq_null, df_null),
        rmsea=fm.rmsea(chisq, df, n),
        rmsea_ci_lower=lo,
        rmsea_ci_upper=hi,
        srmr=fm.srmr(moments.cov, imp.sigma, *mean_args),
        aic=fm.aic(logl, npar),
        bic=fm.bic(logl, npar, n),
        logl=logl,
        npar=npar,
        baseline_chisq=chisq_null,
        baseline_df=df_null,
        unrestricted_logl=logl_h1,
    )


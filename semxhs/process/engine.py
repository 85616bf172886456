"""``run_process``: one general engine for the PROCESS models of :data:`~semxhs.process.models.MODEL_TABLE`.

The steps, each in its own module: the model table builds the equations
(:mod:`~semxhs.process.models`), the data are checked and prepared
(:mod:`~semxhs.process.data`), statsmodels fits each equation (:mod:`~semxhs.process.ols`),
interactions are probed (:mod:`~semxhs.process.probe`), indirect effects are products of
conditional paths (:mod:`~semxhs.process.effects`) with a vectorized percentile bootstrap
(:mod:`~semxhs.process.bootstrap`), and everything lands in a frozen
:class:`~semxhs.process.results.ProcessResult`.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from semxhs.errors import SpecError, name_list
from semxhs.messages import Message, message_texts
from semxhs.process import bootstrap as bs
from semxhs.process.data import design_frame, prepare_data
from semxhs.process.effects import (
    index_of_moderated_mediation,
    indirect_effect,
    link_moderators,
    moderator_degree,
)
from semxhs.process.models import (
    EquationSpec,
    ModelSpec,
    build_equations,
    check_roles,
    get_model,
    indirect_paths,
    path_name,
    term_name,
)
from semxhs.process.ols import OlsFit, fit_equation, r2_change_f, r2_of, wald_f
from semxhs.process.probe import (
    effect_gradient,
    is_dichotomous,
    jn_points,
    jn_roots,
    linear_effect,
    probe_values,
    range_grid,
)
from semxhs.process.results import (
    BootstrapInfo,
    Coefficient,
    ConditionalEffect,
    Equation,
    IndirectContrast,
    IndirectEffect,
    InteractionTest,
    JohnsonNeyman,
    ModeratedMediationIndex,
    Options,
    ProcessResult,
    Table,
    Variables,
)
from semxhs.resample import engine as resample
from semxhs.resample.engine import ProgressCallback

ProbeSpec = str | Sequence[float] | Mapping[str, Sequence[float]]

#: Points of the conditional-effect table across a moderator's range (as PROCESS).
JN_TABLE_POINTS = 21


def run_process(data: pd.DataFrame, model: int, x: str, y: str, m: Sequence[str] | str = (),
                w: str | None = None, z: str | None = None, cov: Sequence[str] | str = (),
                boot: int = 5000, seed: int | None = 1, hc: int | None = None, center: str = "none",
                probe: ProbeSpec = "percentiles", conf: float = 0.95,
                progress: ProgressCallback | None = None) -> ProcessResult:
    """Run a PROCESS model (Hayes, 2022) by OLS, with probing and a percentile bootstrap.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; the named columns must be numeric.
    model : int
        PROCESS model number: 1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 58 or 59.
    x, y : str
        Focal predictor and outcome.
    m : sequence of str
        Mediators: parallel (models 4, 5, 7, 8, 14, 15, 58, 59) or serial in the order
        given (model 6).
    w, z : str, optional
        Moderators (Z only in models 2 and 3).
    cov : sequence of str
        Covariates, entered into every equation.
    boot : int
        Bootstrap draws for indirect effects (0 = none).
    seed : int, optional
        Seed of ``numpy.random.default_rng``; ``None`` draws fresh entropy, which is
        recorded in the result so the run can be repeated.
    hc : int, optional
        0-4: heteroscedasticity-consistent standard errors HC0-HC4 as in PROCESS.
    center : {"none", "interaction", "all"}
        ``"interaction"`` mean-centers the variables forming products (PROCESS
        ``center=1``); ``"all"`` every predictor. Probe values and Johnson-Neyman
        points are then on the centered scale.
    probe : "percentiles", "moments", sequence of float or mapping
        Moderator values: 16th/50th/84th percentiles (R ``quantile(type=6)``), mean and
        +-1 SD, values for W, or ``{moderator: values}``. A dichotomous moderator is
        probed at its two values unless values are given.
    conf : float
        Confidence level of every interval.
    progress : callable, optional
        ``progress(done, total)`` after every block of bootstrap draws (it prints nothing
        itself; the command line passes a progress bar).

    Returns
    -------
    ProcessResult

    Raises
    ------
    SpecError
        Unsupported model, roles that do not fit the model, bad options.
    DataError
        Unknown or non-numeric columns, a moderator with one value, a constant
        variable, perfect collinearity, too few complete rows.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> d = pd.DataFrame({"X": rng.normal(size=300), "W": rng.normal(size=300)})
    >>> d["M"] = 0.5 * d.X + 0.3 * d.X * d.W + rng.normal(size=300)
    >>> d["Y"] = 0.4 * d.M + rng.normal(size=300)
    >>> res = run_process(d, 7, x="X", y="Y", m=["M"], w="W", boot=500, seed=1)
    >>> res.index_of_moderated_mediation.to_frame()[["moderator", "path"]]
      moderator         path
    0         W  X -> M -> Y
    """
    spec = get_model(model)
    m = (m,) if isinstance(m, str) else tuple(m)
    cov = (cov,) if isinstance(cov, str) else tuple(cov)
    _check_options(boot, seed, hc, conf)
    check_roles(spec, m, w, z)
    moderators = [v for v in (w, z) if v is not None]
    roles = ([("x", x)] + [("m", v) for v in m] + [(r, v) for r, v in (("w", w), ("z", z)) if v is not None]
             + [("cov", c) for c in cov] + [("y", y)])
    equations = build_equations(spec, x, y, m, w, z, cov)
    product_vars = sorted({v for e in equations for t in e.products for v in t})
    prepared = prepare_data(data, roles, moderators, product_vars, center)
    frame = prepared.frame
    probe_map, probe_option = _probe_map(frame, moderators, probe)

    designs = {e.outcome: design_frame(frame, e) for e in equations}
    fits = {e.outcome: fit_equation(designs[e.outcome], frame[e.outcome], hc, conf) for e in equations}
    eq_map = {e.outcome: e for e in equations}
    total_fit = None
    if m and not moderators:
        total_eq = EquationSpec(y, ((x,),) + tuple((c,) for c in cov))
        total_fit = fit_equation(design_frame(frame, total_eq), frame[y], hc, conf)

    notes: list[Message] = []
    tests = [t for e in equations for t in _interaction_tests(e, designs[e.outcome], frame[e.outcome], fits[e.outcome])]
    focals = _focals(spec, equations, x, m, w, z, moderators)
    conditional = []
    jn = []
    for eq, focal, mods in focals:
        fit = fits[eq.outcome]
        for values in _grid(probe_map, mods):
            conditional.append(_conditional(eq, fit, focal, values))
        if len(mods) == 1:
            if is_dichotomous(frame[mods[0]].to_numpy()):
                notes.append(Message(
                    "jn_dichotomous", {"focal": term_name(focal), "outcome": eq.outcome, "moderator": mods[0]},
                    f"Johnson-Neyman: not computed for '{term_name(focal)}' in '{eq.outcome}', "
                    f"moderator '{mods[0]}' is dichotomous"))
            else:
                jn.append(_johnson_neyman(eq, fit, focal, mods[0], frame[mods[0]].to_numpy()))
        else:
            notes.append(Message(
                "jn_two_moderators", {"focal": term_name(focal), "outcome": eq.outcome, "moderators": list(mods)},
                f"Johnson-Neyman: not computed for '{term_name(focal)}' in '{eq.outcome}', "
                f"its effect depends on two moderators ({name_list(mods)})"))

    direct, total = [], []
    if m:
        mods_c = sorted(link_moderators(eq_map[y], x, moderators), key=moderators.index)
        direct = [_conditional(eq_map[y], fits[y], (x,), v) for v in _grid(probe_map, mods_c)]
    if total_fit is not None:
        total_eq = EquationSpec(y, ((x,),) + tuple((c,) for c in cov))
        total = [_conditional(total_eq, total_fit, (x,), {})]
    elif m:
        notes.append(Message("total_effect_conditional", {"model": spec.number},
                             f"total effect: not reported for model {spec.number}; with a moderator it is conditional"))

    paths = indirect_paths(spec, x, y, m)
    draws_info = BootstrapInfo(0, None, 0.0, 0, ())
    boot_coefs: dict[str, np.ndarray] | None = None
    boot_sds = None
    if paths and boot > 0:
        if seed is None:
            seed = resample.fresh_seed()
        start = time.perf_counter()
        indices = resample.resample_indices(len(frame), boot, seed)
        systems = [(designs[e.outcome].to_numpy(dtype=float), frame[e.outcome].to_numpy(dtype=float))
                   for e in equations]
        out = bs.bootstrap_ols(systems, indices, frame[[x, y]].to_numpy(dtype=float), progress=progress)
        seconds = time.perf_counter() - start
        boot_coefs = {e.outcome: out.coefs[i] for i, e in enumerate(equations)}
        boot_sds = out.sds
        failed = tuple(int(i) for i in out.failed)
        draws_info = BootstrapInfo(boot, seed, seconds, len(failed), failed)
        if failed:
            notes.append(Message("bootstrap_failed", {"failed": len(failed), "draws": int(boot)},
                                 f"bootstrap: {len(failed)} of {boot} draws failed (singular design) and are "
                                 "left out of the intervals"))
    elif not paths:
        seed = None

    point = {o: f.params for o, f in fits.items()}
    indirect, standardized, contrasts, indices_mm = _mediation(
        spec, eq_map, paths, moderators, probe_map, point, boot_coefs, boot_sds, frame, x, y, conf, notes)

    options = Options(boot=boot, seed=seed, hc=hc, center=center, probe=probe_option, conf=conf,
                      centered=prepared.centered)
    return ProcessResult(
        model=spec.number, n=len(frame), n_dropped=prepared.n_dropped, dropped=prepared.dropped,
        variables=Variables(x, y, m, w, z, cov), options=options,
        equations=tuple(_equation(fits[e.outcome]) for e in equations),
        total_equation=_equation(total_fit) if total_fit is not None else None,
        interaction_tests=Table(tuple(tests)), conditional_effects=Table(tuple(conditional)),
        johnson_neyman=tuple(jn), direct_effects=Table(tuple(direct)), total_effects=Table(tuple(total)),
        indirect=Table(tuple(indirect)), indirect_standardized=Table(tuple(standardized)),
        indirect_contrasts=Table(tuple(contrasts)), index_of_moderated_mediation=Table(tuple(indices_mm)),
        bootstrap=draws_info, notes=message_texts(notes), note_codes=tuple(notes),
        means=tuple((str(c), float(frame[c].mean())) for c in frame.columns),
        ranges=tuple((str(c), float(frame[c].min()), float(frame[c].max())) for c in frame.columns))


def _check_options(boot: Any, seed: Any, hc: Any, conf: Any) -> None:
    if isinstance(boot, bool) or not isinstance(boot, (int, np.integer)) or boot < 0:
        raise SpecError(f"boot: must be a whole number >= 0, received {boot!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise SpecError(f"seed: must be None or a whole number >= 0, received {seed!r}")
    if hc is not None and (isinstance(hc, bool) or hc not in (0, 1, 2, 3, 4)):
        raise SpecError(f"hc: must be one of 0, 1, 2, 3, 4 or None, received {hc!r}")
    if isinstance(conf, bool) or not isinstance(conf, (int, float)) or not 0.0 < conf < 1.0:
        raise SpecError(f"conf: must be a number between 0 and 1, received {conf!r}")


def _probe_map(frame: pd.DataFrame, moderators: Sequence[str],
               probe: ProbeSpec) -> tuple[dict[str, np.ndarray], Any]:
    """Probe values per moderator, and the option as it is recorded."""
    if isinstance(probe, str):
        if probe not in ("percentiles", "moments"):
            raise SpecError(f"probe: must be 'percentiles', 'moments', values or {{moderator: values}}, "
                            f"received {probe!r}")
        return {v: probe_values(frame[v].to_numpy(), probe) for v in moderators}, probe
    if isinstance(probe, Mapping):
        unknown = [k for k in probe if k not in moderators]
        if unknown:
            raise SpecError(f"probe: values given for {name_list(unknown)}, which is not a moderator "
                            f"of this model (moderators: {name_list(moderators) or 'none'})")
        given = {str(k): _values(k, v) for k, v in probe.items()}
    else:
        if len(moderators) != 1:
            raise SpecError(f"probe: a plain list of values needs exactly one moderator, this model has "
                            f"{len(moderators)}; give {{moderator: values}}")
        given = {moderators[0]: _values(moderators[0], probe)}
    out = {v: given[v] if v in given else probe_values(frame[v].to_numpy(), "percentiles") for v in moderators}
    return out, tuple((k, tuple(float(t) for t in v)) for k, v in given.items())


def _values(name: object, values: Any) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise SpecError(f"probe: values for '{name}' must be numbers, received {values!r}") from None
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        raise SpecError(f"probe: values for '{name}' must be finite numbers, received {values!r}")
    return arr


def _grid(probe_map: Mapping[str, np.ndarray], mods: Sequence[str]) -> list[dict[str, float]]:
    """Every combination of the probe values of ``mods`` (first moderator varies slowest)."""
    return [dict(zip(mods, (float(v) for v in combo)))
            for combo in itertools.product(*(probe_map[v] for v in mods))]


def _equation(fit: OlsFit) -> Equation:
    return Equation(outcome=fit.outcome, r2=fit.r2, f=fit.f, df1=fit.df1, df2=fit.df2, pvalue=fit.f_pvalue,
                    mse=fit.mse,
                    coefficients=tuple(Coefficient(**row) for row in fit.table()))  # type: ignore[arg-type]


def _interaction_tests(eq: EquationSpec, design: pd.DataFrame, y: pd.Series, fit: OlsFit) -> list[InteractionTest]:
    """R-squared change of each highest-order product, and of all of them together if several."""
    top = [t for t in eq.products if not any(set(t) < set(u) for u in eq.products)]
    groups = [[t] for t in top] + ([top] if len(top) > 1 else [])
    X = design.to_numpy(dtype=float)
    yv = y.to_numpy(dtype=float)
    out = []
    for group in groups:
        names = [term_name(t) for t in group]
        idx = [design.columns.get_loc(n) for n in names]
        keep = [j for j in range(X.shape[1]) if j not in idx]
        r2_reduced = r2_of(X[:, keep], yv)
        q = len(idx)
        f = r2_change_f(fit.r2, r2_reduced, q, fit.df_resid) if fit.hc is None else wald_f(fit.params, fit.cov, idx)
        out.append(InteractionTest(eq.outcome, " + ".join(names), fit.r2 - r2_reduced, f, q, fit.df_resid,
                                   float(stats.f.sf(f, q, fit.df_resid))))
    return out


def _focals(spec: ModelSpec, equations: Sequence[EquationSpec], x: str, m: Sequence[str], w: str | None,
            z: str | None, moderators: Sequence[str]) -> list[tuple[EquationSpec, tuple[str, ...], list[str]]]:
    """Moderated effects to probe: (equation, focal term, its moderators)."""
    out: list[tuple[EquationSpec, tuple[str, ...], list[str]]] = []
    for eq in equations:
        for p in [x] + list(m):
            if (p,) not in eq.terms:
                continue
            mods = sorted(link_moderators(eq, p, moderators), key=list(moderators).index)
            if mods:
                out.append((eq, (p,), mods))
            if spec.three_way and w is not None and z is not None and (p, w, z) in eq.terms:
                out.append((eq, (p, w), [z]))
    return out


def _conditional(eq: EquationSpec, fit: OlsFit, focal: tuple[str, ...],
                 values: Mapping[str, float]) -> ConditionalEffect:
    g = effect_gradient([()] + list(eq.terms), focal, values)
    e = linear_effect(fit.params, fit.cov, g, fit.df_resid, fit.conf)
    return ConditionalEffect(eq.outcome, term_name(focal), tuple(values.items()), e.effect, e.se, e.t, e.pvalue,
                             e.ci_lower, e.ci_upper)


def _johnson_neyman(eq: EquationSpec, fit: OlsFit, focal: tuple[str, ...], moderator: str,
                    values: np.ndarray) -> JohnsonNeyman:
    """Johnson-Neyman roots of ``theta(w) = g0'b + w g1'b`` and the table across the observed range."""
    terms = [()] + list(eq.terms)
    g0 = effect_gradient(terms, focal, {moderator: 0.0})
    g1 = effect_gradient(terms, focal, {moderator: 1.0}) - g0
    V = fit.cov
    crit = float(stats.t.ppf(0.5 + fit.conf / 2.0, fit.df_resid))
    roots = jn_roots(float(g0 @ fit.params), float(g1 @ fit.params), float(g0 @ V @ g0), float(g0 @ V @ g1),
                     float(g1 @ V @ g1), crit)
    lower, upper = float(values.min()), float(values.max())
    points = jn_points(roots, lower, upper)
    grid = range_grid(lower, upper, JN_TABLE_POINTS, extra=points)
    table = Table(tuple(_conditional(eq, fit, focal, {moderator: float(v)}) for v in grid))
    return JohnsonNeyman(eq.outcome, term_name(focal), moderator, tuple(float(p) for p in points),
                         tuple(float(r) for r in roots), lower, upper, table)


def _summary(point: float, draws: np.ndarray | None, conf: float) -> tuple[float, float, float, float]:
    if draws is None:
        return point, float("nan"), float("nan"), float("nan")
    lo, hi = resample.quantile_interval(draws, conf)
    return point, resample.boot_se(draws), lo, hi


def _mediation(spec: ModelSpec, eq_map: Mapping[str, EquationSpec], paths: Sequence[tuple[str, ...]],
               moderators: Sequence[str], probe_map: Mapping[str, np.ndarray], point: Mapping[str, np.ndarray],
               boot_coefs: Mapping[str, np.ndarray] | None, boot_sds: np.ndarray | None, frame: pd.DataFrame,
               x: str, y: str, conf: float, notes: list[Message]
               ) -> tuple[list[IndirectEffect], list[IndirectEffect], list[IndirectContrast],
                          list[ModeratedMediationIndex]]:
    """Indirect effects, standardized ones, contrasts and indices of moderated mediation."""
    indirect: list[IndirectEffect] = []
    standardized: list[IndirectEffect] = []
    contrasts: list[IndirectContrast] = []
    indices: list[ModeratedMediationIndex] = []
    if not paths:
        return indirect, standardized, contrasts, indices
    path_mods = {p: [v for v in moderators if moderator_degree(eq_map, p, v) > 0] for p in paths}
    all_mods = [v for v in moderators if any(v in pm for pm in path_mods.values())]

    def both(path: Sequence[str], values: Mapping[str, float]) -> tuple[float, np.ndarray | None]:
        est = float(indirect_effect(point, eq_map, path, values))
        draws = None if boot_coefs is None else indirect_effect(boot_coefs, eq_map, path, values)
        return est, draws

    for path in paths:
        for values in _grid(probe_map, path_mods[path]):
            est, draws = both(path, values)
            indirect.append(IndirectEffect(path_name(path), tuple(values.items()), *_summary(est, draws, conf)))
    if not all_mods:
        effects = [both(p, {}) for p in paths]
        if len(paths) > 1:
            est = sum(e for e, _ in effects)
            draws = None if boot_coefs is None else np.sum([d for _, d in effects if d is not None], axis=0)
            indirect.append(IndirectEffect("total", (), *_summary(est, draws, conf)))
            effects.append((est, draws))
        sd = frame[[x, y]].std(ddof=1).to_numpy()
        ratio = boot_sds[:, 0] / boot_sds[:, 1] if boot_sds is not None and boot_coefs is not None else None
        names = [path_name(p) for p in paths] + (["total"] if len(paths) > 1 else [])
        for name, (est, draws) in zip(names, effects):
            sdraws = None if draws is None or ratio is None else draws * ratio
            standardized.append(IndirectEffect(name, (), *_summary(est * sd[0] / sd[1], sdraws, conf)))
        if is_dichotomous(frame[x].to_numpy()):
            notes.append(Message(
                "standardized_dichotomous_x", {"x": x},
                f"standardized indirect effects: X '{x}' is dichotomous; the completely standardized "
                "effect scales by its SD, a partially standardized one may read better"))
    for values in _grid(probe_map, all_mods):
        for p1, p2 in itertools.combinations(paths, 2):
            e1, d1 = both(p1, values)
            e2, d2 = both(p2, values)
            diff = None if d1 is None or d2 is None else d1 - d2
            contrasts.append(IndirectContrast(path_name(p1), path_name(p2), tuple(values.items()),
                                              *_summary(e1 - e2, diff, conf)))
    for v in moderators:
        degrees = {p: moderator_degree(eq_map, p, v) for p in paths}
        for path in paths:
            if degrees[path] == 1:
                est = float(index_of_moderated_mediation(point, eq_map, path, v))
                draws = None if boot_coefs is None else index_of_moderated_mediation(boot_coefs, eq_map, path, v)
                indices.append(ModeratedMediationIndex(v, path_name(path), *_summary(est, draws, conf)))
        if any(d >= 2 for d in degrees.values()):
            notes.append(Message(
                "index_quadratic", {"model": spec.number, "moderator": v},
                f"index of moderated mediation: not defined for model {spec.number}; the indirect effect "
                f"is quadratic in '{v}' (W moderates both stages), see the conditional indirect effects"))
        elif all(d == 0 for d in degrees.values()):
            notes.append(Message(
                "index_direct_only", {"model": spec.number, "moderator": v},
                f"index of moderated mediation: not applicable to model {spec.number}; '{v}' moderates "
                "the direct path only, so the indirect effects are not moderated"))
    return indirect, standardized, contrasts, indices

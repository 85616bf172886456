"""The SEM bootstrap: bootstrap SEs of every free parameter and intervals of every defined
parameter and indirect effect (:func:`bootstrap_sem`), and the Monte Carlo alternative
(:func:`monte_carlo_sem`).

The resampling is :mod:`semxhs.resample.engine`'s (all indices drawn up front, failed draws
counted by rule); the statistic, the model refitted on a block of resamples at once, is
:mod:`semxhs.resample.batch`'s; the effects are :mod:`semxhs.resample.effects`'.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from semxhs.errors import EstimationError, SpecError
from semxhs.messages import json_safe
from semxhs.resample import engine as bt
from semxhs.resample.batch import (
    BatchedML,
    ClosedFormML,
    ResampleMoments,
    closed_form_reason,
)
from semxhs.resample.effects import (
    SPECIFIC,
    EffectPlan,
    EffectSpec,
    effect_plan,
    effect_values,
    standardized_effects,
)
from semxhs.sem.estimate import Moments, fit_ml, unit_information
from semxhs.sem.expression import Node, evaluate, substitute
from semxhs.sem.moments import add_products, model_columns
from semxhs.sem.partable import ParTable, build_partable
from semxhs.sem.ram import RamStructure
from semxhs.sem.standardize import std_all
from semxhs.sem.threads import one_blas_thread


# ----------------------------------------------------------------------------------------
# the SEM bootstrap
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BootParameter:
    """Bootstrap standard error of one free parameter (lavaan divides by the number of draws)."""

    lhs: str
    op: str
    rhs: str
    label: str
    est: float
    boot_se: float
    ci_lower: float
    ci_upper: float


@dataclass(frozen=True)
class BootDefined:
    """A ``:=`` defined parameter with its bootstrap SE and interval."""

    label: str
    est: float
    std_est: float
    boot_se: float
    ci_lower: float
    ci_upper: float


@dataclass(frozen=True)
class BootIndirect:
    """One effect of ``source`` on ``target`` (see :class:`EffectSpec`) with its interval."""

    source: str
    target: str
    kind: str
    path: str
    est: float
    std_est: float
    boot_se: float
    ci_lower: float
    ci_upper: float


@dataclass(frozen=True)
class IntervalLine:
    """A Monte Carlo or first-order delta (Sobel) line for a defined parameter or effect.

    ``name`` is the label of a defined parameter or ``"X -> M -> Y"`` / ``"X => Y: total"``
    for an effect; ``se`` is the Monte Carlo SD or the delta-method SE.
    """

    name: str
    est: float
    se: float
    ci_lower: float
    ci_upper: float
    z: float | None = None
    pvalue: float | None = None


EFFECT_COLUMNS = ("section", "label", "from", "to", "path", "est", "std_est", "boot_se", "ci_lower", "ci_upper")


@dataclass(frozen=True, repr=False)
class BootstrapResult:
    """A bootstrap of an SEM: SEs of free parameters, intervals of defined parameters and effects.

    ``failed`` draws (by ``failed_rule``) are excluded from every SE and interval, which
    therefore rest on ``draws - failed`` replicates; ``failed_draws`` are their 0-based
    indices and ``improper`` counts draws with an improper solution (kept or failed, as
    the rule says). ``replicates`` is the ``(draws, k)`` matrix (NaN rows for failed draws)
    with columns named in ``columns``.
    """

    draws: int
    seed: int | None
    ci: str
    level: float
    method: str
    failed: int
    failed_rule: str
    failed_draws: tuple[int, ...]
    improper: int
    seconds: float
    n_jobs: int
    parameters: tuple[BootParameter, ...]
    defined: tuple[BootDefined, ...]
    indirect: tuple[BootIndirect, ...]
    monte_carlo: tuple[IntervalLine, ...] = ()
    monte_carlo_draws: int = 0
    sobel: tuple[IntervalLine, ...] = ()
    notes: tuple[str, ...] = ()
    columns: tuple[str, ...] = field(default=(), repr=False)
    replicates: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return (f"BootstrapResult(draws={self.draws}, seed={self.seed}, ci={self.ci!r}, level={self.level}, "
                f"method={self.method!r}, failed={self.failed}, failed_rule={self.failed_rule!r}, "
                f"improper={self.improper}, parameters={len(self.parameters)}, defined={len(self.defined)}, "
                f"indirect={len(self.indirect)}, monte_carlo={len(self.monte_carlo)}, sobel={len(self.sobel)})")

    @property
    def successful(self) -> int:
        """Number of draws the SEs and intervals rest on."""
        return self.draws - self.failed

    def to_frame(self) -> pd.DataFrame:
        """Defined parameters and effects, one row each, columns :data:`EFFECT_COLUMNS`."""
        rows = [{"section": "defined", "label": d.label, "from": "", "to": "", "path": "", "est": d.est,
                 "std_est": d.std_est, "boot_se": d.boot_se, "ci_lower": d.ci_lower, "ci_upper": d.ci_upper}
                for d in self.defined]
        rows += [{"section": "indirect", "label": "", "from": e.source, "to": e.target, "path": e.path,
                  "est": e.est, "std_est": e.std_est, "boot_se": e.boot_se, "ci_lower": e.ci_lower,
                  "ci_upper": e.ci_upper} for e in self.indirect]
        return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))

    def parameters_frame(self) -> pd.DataFrame:
        """Free parameters with bootstrap SEs and intervals."""
        cols = ("lhs", "op", "rhs", "label", "est", "boot_se", "ci_lower", "ci_upper")
        return pd.DataFrame([{c: getattr(p, c) for c in cols} for p in self.parameters], columns=list(cols))

    def to_dict(self) -> dict[str, Any]:
        """The ``"bootstrap"`` block of the JSON results (NaN as None)."""
        out: dict[str, Any] = {
            "draws": self.draws,
            "seed": self.seed,
            "ci": self.ci,
            "failed": self.failed,
            "failed_rule": self.failed_rule,
            "seconds": self.seconds,
            "parameters": [{"lhs": p.lhs, "op": p.op, "rhs": p.rhs, "boot_se": p.boot_se} for p in self.parameters],
            "defined": [{"label": d.label, "est": d.est, "boot_se": d.boot_se, "ci_lower": d.ci_lower,
                         "ci_upper": d.ci_upper} for d in self.defined],
            "indirect": [{"from": e.source, "to": e.target, "path": e.path, "est": e.est, "std_est": e.std_est,
                          "boot_se": e.boot_se, "ci_lower": e.ci_lower, "ci_upper": e.ci_upper}
                         for e in self.indirect],
        }
        if self.monte_carlo:
            out["monte_carlo"] = {"draws": self.monte_carlo_draws,
                                  "rows": [_line_dict(r) for r in self.monte_carlo]}
        if self.sobel:
            out["sobel"] = {"note": "legacy first-order delta (Sobel) test; assumes a normal sampling distribution",
                            "rows": [_line_dict(r) for r in self.sobel]}
        return json_safe(out)


def _line_dict(r: IntervalLine) -> dict[str, Any]:
    out = {"name": r.name, "est": r.est, "se": r.se, "ci_lower": r.ci_lower, "ci_upper": r.ci_upper}
    if r.z is not None:
        out["z"] = r.z
        out["pvalue"] = r.pvalue
    return out


@dataclass(frozen=True)
class _Model:
    """Everything fixed about the model and the full-sample fit that the draws need."""

    partable: ParTable
    structure: RamStructure
    values: np.ndarray
    moments: Moments
    theta: np.ndarray
    plan: EffectPlan
    defined_names: tuple[str, ...]
    defined_trees: tuple[Node, ...]
    label_free: dict[str, int]
    label_fixed: dict[str, float]
    fiml: Any = None  # the full-sample FimlFit with missing = "fiml"


def _prepare(model: str | ParTable, data: pd.DataFrame, std_lv: bool, fiml: bool = False) -> _Model:
    partable = model if isinstance(model, ParTable) else build_partable(model, std_lv=std_lv, meanstructure=fiml)
    frame = add_products(data, partable.products) if partable.products else data
    md = model_columns(frame, partable.observed, "fiml" if fiml else "listwise")
    ff = None
    if fiml:
        from semxhs.sem.fiml import fit_fiml_model

        ff = fit_fiml_model(partable, md.values)
        moments, structure, est = ff.moments, ff.structure, ff.estimate
    else:
        moments = Moments.from_data(md.values)
        if not np.isfinite(moments.logdet):
            raise EstimationError("the sample covariance matrix of the model variables is singular "
                                  "(a variable is a linear combination of others)")
        structure = RamStructure(partable, moments.cov, moments.mean)
        est = fit_ml(structure, moments)
    if not est.converged:
        raise EstimationError(f"the model did not converge on the full sample ({est.message}); "
                              "the bootstrap starts from the full-sample estimates and was not run")
    trees: dict[str, Node] = {}
    for d in partable.defined:
        trees[d.name] = substitute(d.tree, trees)
    label_free = {p.label: p.free - 1 for p in partable.params if p.label and p.free}
    label_fixed = {p.label: float(p.value or 0.0) for p in partable.params if p.label and not p.free}
    return _Model(partable, structure, md.values, moments, est.theta, effect_plan(partable),
                  tuple(trees), tuple(trees.values()), label_free, label_fixed, ff)


def _vcov(m: _Model) -> np.ndarray:
    """Sampling covariance of the free parameters, ``(n I)^-1`` (expected information; observed with FIML)."""
    if m.fiml is not None:
        info = m.fiml.information
    else:
        info = unit_information(m.structure, m.structure.implied(m.theta))
    eig = np.linalg.eigvalsh((info + info.T) / 2)
    if eig.min() <= 1e-10 * max(1.0, eig.max()):
        raise EstimationError("the information matrix is singular (the model may not be identified): "
                              "no Monte Carlo or delta-method intervals")
    return np.linalg.inv(m.moments.n * info)


def _std_defined(m: _Model) -> np.ndarray:
    """Defined parameters computed from standardized (``std.all``) parameters, as lavaan."""
    imp = m.structure.implied(m.theta)
    idx = m.structure.index
    env: dict[str, Any] = {}
    for p in m.partable.params:
        if not p.label or p.label in env:
            continue
        if p.op == "=~":
            i, j, value = idx[p.rhs], idx[p.lhs], imp.A[idx[p.rhs], idx[p.lhs]]
        elif p.op == "~":
            i, j, value = idx[p.lhs], idx[p.rhs], imp.A[idx[p.lhs], idx[p.rhs]]
        elif p.op == "~~":
            i, j, value = idx[p.lhs], idx[p.rhs], imp.S[idx[p.lhs], idx[p.rhs]]
        else:
            i = j = idx[p.lhs]
            value = imp.alpha[i]
        env[p.label] = std_all(p.op, i, j, float(value), imp.C, imp.S)
    out = np.full(len(m.defined_trees), np.nan)
    for k, tree in enumerate(m.defined_trees):
        with np.errstate(all="ignore"):
            out[k] = float(evaluate(tree, env))
    return out


def _defined_values(model: _Model, theta: np.ndarray) -> np.ndarray:
    """Defined parameters for a stack of parameter vectors ``(b, q)`` -> ``(b, n_defined)``."""
    b = theta.shape[0]
    out = np.zeros((b, len(model.defined_trees)), dtype=theta.dtype)
    if not model.defined_trees:
        return out
    env: dict[str, Any] = {k: theta[:, i] for k, i in model.label_free.items()}
    env.update(model.label_fixed)
    for j, tree in enumerate(model.defined_trees):
        with np.errstate(all="ignore"):
            out[:, j] = evaluate(tree, env)
    return out


class _SemStatistic:
    """The bootstrap statistic: refit a block of resamples and derive everything from them."""

    def __init__(self, model: _Model, gtol: float, max_iter: int) -> None:
        self.model = model
        self.batched = BatchedML(model.structure)
        self.fiml = None
        if model.fiml is not None:
            from semxhs.resample.fiml import BatchedFIML

            self.fiml = BatchedFIML(model.structure, model.fiml.data)
            self.closed, self.reason = None, "FIML"
        else:
            self.moments = ResampleMoments(model.values)
            reason = closed_form_reason(model.partable)
            self.closed = ClosedFormML(model.structure) if reason is None else None
            self.reason = reason  # type: ignore[assignment]  # None: closed form available
        self.gtol, self.max_iter = gtol, max_iter

    @property
    def n(self) -> int:
        """Rows resampled: complete cases, or with FIML every row with an observed model variable."""
        return self.fiml.n if self.fiml is not None else self.model.moments.n

    #: Bytes of one ``(draws, m, m)`` stack of a block (``m`` variables, observed and latent):
    #: a block holds a few dozen such stacks at once, so wide models get smaller blocks and
    #: peak memory stays flat (draws are fitted independently: the numbers do not change).
    BLOCK_BYTES = 1 << 20

    @property
    def block_size(self) -> int:
        if self.fiml is not None:
            return self.fiml.block_size
        m = self.model.structure.m
        return int(min(bt.BLOCK_SIZE, max(16, self.BLOCK_BYTES // (8 * m * m))))

    @property
    def method(self) -> str:
        if self.fiml is not None:
            return ("FIML per draw (rows resampled with their missing values): batched Newton/Fisher scoring "
                    "from the full-sample estimates")
        if self.closed is not None:
            return "closed form (ML = equation-by-equation OLS)"
        return f"batched Newton/Fisher scoring from the full-sample estimates (no closed form: {self.reason})"

    def __call__(self, indices: np.ndarray) -> bt.BlockResult:
        # Each draw's matrices are small: BLAS threads cost more in start-up and waiting than
        # they gain (ten times more on a loaded machine); --jobs is the way to use more cores.
        with one_blas_thread():
            return self._block(indices)

    def _block(self, indices: np.ndarray) -> bt.BlockResult:
        if self.fiml is not None:
            theta, status, block = self.fiml.fit(indices, self.model.theta, gtol=self.gtol,
                                                 max_iter=max(self.max_iter, 300))
            mom = block.exo
        elif self.closed is not None:
            mom = self.moments(indices)
            theta, status = self.closed.fit(mom)
        else:
            mom = self.moments(indices)
            theta, status = self.batched.fit(mom, self.model.theta, gtol=self.gtol, max_iter=self.max_iter)
        usable = np.isfinite(theta).all(axis=1)
        safe = np.where(usable[:, None], theta, self.model.theta)
        with np.errstate(all="ignore"):
            imp = self.batched.implied(safe, mom)
            effects = effect_values(imp["A"], self.model.plan)
            var = np.diagonal(imp["C"], axis1=1, axis2=2)
            std = standardized_effects(effects, var, self.model.plan)
        defined = _defined_values(self.model, safe)
        values = np.concatenate([theta, defined, effects, std], axis=1)
        values[~usable] = np.nan
        status = np.where(~usable & (status == bt.OK), bt.ERROR, status)
        # a := with no finite value in a draw (a/0) is not available there; the draw still counts
        required = np.ones(values.shape[1], dtype=bool)
        required[theta.shape[1]:theta.shape[1] + defined.shape[1]] = False
        return bt.BlockResult(values, status, required)


def _resample_indices(n: int, draws: int, seed: int | np.random.Generator) -> np.ndarray:
    """:func:`semxhs.resample.engine.resample_indices` (the same numbers), held as int32.

    Drawn a few rows at a time from the one generator (numpy draws bounded integers one
    after another, so the rows are those of the single call) into a 4-byte array: the
    index matrix of 2000 resamples of 2000 rows takes 16 MB instead of 32.
    """
    if draws < 1 or n < 2 or n >= 2**31:
        return bt.resample_indices(n, draws, seed)
    rng = np.random.default_rng(seed)
    out = np.empty((draws, n), dtype=np.int32)
    step = max(1, (1 << 20) // n)
    for start in range(0, draws, step):
        stop = min(draws, start + step)
        out[start:stop] = rng.integers(0, n, size=(stop - start, n))
    return out


def _free_rows(partable: ParTable) -> list[tuple[int, Any]]:
    seen: set[int] = set()
    rows = []
    for p in partable.params:
        if p.free and p.free not in seen:
            seen.add(p.free)
            rows.append((p.free - 1, p))
    return rows


def _effect_name(e: EffectSpec) -> str:
    return e.path if e.kind == SPECIFIC else f"{e.source} => {e.target}: {e.kind}"


def bootstrap_sem(model: str | ParTable, data: pd.DataFrame, *, draws: int = 5000,
                  seed: int | np.random.Generator | None = None, ci: str = "percentile", level: float = 0.95,
                  failed_rule: str = "nonconverged", progress: bt.ProgressCallback | None = None,
                  n_jobs: int = 1, monte_carlo: int = 0, sobel: bool = False, std_lv: bool = False,
                  gtol: float = 1e-9, max_iter: int = 60, indices: np.ndarray | None = None,
                  missing: str = "listwise") -> BootstrapResult:
    """Nonparametric bootstrap of an SEM fitted by ML, as lavaan's ``se = "bootstrap"``.

    Rows (complete cases of the model's variables) are resampled with replacement; each
    resample is refitted (closed form or batched Fisher scoring, see the module notes),
    and the free parameters, the ``:=`` defined parameters and every indirect, direct and
    total effect (:func:`effect_plan`) are recorded per draw.

    Parameters
    ----------
    model : str or ParTable
        lavaan model syntax (or a parameter table).
    data : pandas.DataFrame
        The data; rows incomplete on the model's variables are dropped first (listwise),
        unless ``missing="fiml"``.
    draws : int
        Number of bootstrap draws.
    seed : int, Generator or None
        Seeds the one generator that draws all indices (``numpy.random.default_rng``). With
        ``None`` a fresh seed is drawn from the operating system and recorded in the result.
    ci : {"percentile", "bc"}
        Interval type: percentile (lavaan's ``"perc"``) or bias-corrected (lavaan's
        ``"bca.simple"``); ``"perc"`` and ``"bca.simple"`` are accepted too.
    level : float
        Confidence level.
    failed_rule : {"nonconverged", "improper"}
        Which draws fail (:data:`semxhs.resample.engine.RULES`); failed draws are counted,
        kept as NaN rows and left out of every SE and interval.
    progress : callable, optional
        ``progress(done, total)`` after every block of draws.
    n_jobs : int
        Worker processes; the result is identical for every value.
    monte_carlo : int
        If positive, also give Monte Carlo intervals (Selig & Preacher, 2008) from this many
        parameter draws from ``N(theta_hat, V_hat)``.
    sobel : bool
        Also give first-order delta (Sobel) lines, a legacy test.
    std_lv : bool
        lavaan's ``std.lv``.
    gtol, max_iter : float, int
        Convergence criterion (largest absolute gradient element of F_ML) and iteration
        limit of the batched scoring.
    indices : numpy.ndarray, optional
        ``(draws, n)`` 0-based row indices of given resamples (of the complete rows), used
        instead of drawing them from ``seed`` (to replay resamples made elsewhere);
        ``draws`` is then the number of rows.
    missing : {"listwise", "fiml"}
        With ``"fiml"`` (or ``"ml"``, lavaan's ``missing = "ml"``) the rows are resampled
        with their missing values and every draw is fitted by FIML
        (:mod:`semxhs.resample.fiml`), as lavaan's ``se = "bootstrap"`` does; rows missing
        every model variable (or a fixed.x covariate) are left out first, as in the fit.
        A parameter table must then have a mean structure.

    Returns
    -------
    BootstrapResult

    Raises
    ------
    ModelSyntaxError, SpecError, DataError, EstimationError

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=300); m = 0.5 * x + rng.normal(size=300); y = 0.4 * m + rng.normal(size=300)
    >>> res = bootstrap_sem("m ~ a*x\\ny ~ b*m + x\\nab := a*b", pd.DataFrame({"x": x, "m": m, "y": y}),
    ...                     draws=1000, seed=1)
    >>> res.failed, res.method
    (0, 'closed form (ML = equation-by-equation OLS)')
    >>> d = res.defined[0]
    >>> d.label, d.ci_lower < d.est < d.ci_upper, d.ci_lower > 0
    ('ab', True, True)
    >>> [e.path for e in res.indirect]
    ['x -> m -> y', 'total indirect', 'direct', 'total']
    """
    t_start = time.perf_counter()
    ci = bt.ci_type(ci)
    rule = bt.failure_rule(failed_rule)
    if isinstance(seed, bool) or not (seed is None or isinstance(seed, (int, np.integer, np.random.Generator))):
        raise SpecError(f"seed must be an integer, a numpy Generator or None, got {seed!r}")
    if seed is None:
        seed = bt.fresh_seed()
    recorded_seed = None if isinstance(seed, np.random.Generator) else int(seed)
    if n_jobs < 1:
        raise SpecError(f"n_jobs must be at least 1, got {n_jobs}")
    fiml = str(missing).lower() in ("fiml", "ml")
    if not fiml and str(missing).lower() != "listwise":
        raise SpecError(f"missing must be 'listwise' or 'fiml', got {missing!r}")
    m = _prepare(model, data, std_lv, fiml)
    stat = _SemStatistic(m, gtol, max_iter)
    if indices is None:
        indices = _resample_indices(stat.n, int(draws), seed)
    else:
        indices = np.asarray(indices)
        n = stat.n
        if indices.ndim != 2 or indices.shape[1] != n or not np.issubdtype(indices.dtype, np.integer) \
                or indices.min() < 0 or indices.max() >= n:
            raise SpecError(f"indices must be a (draws, {n}) array of integer row numbers 0..{n - 1}, "
                            f"got shape {indices.shape} and dtype {indices.dtype}")
        draws = indices.shape[0]
        recorded_seed = None
    reps = bt.run_replicates(stat, indices, rule=rule, n_jobs=n_jobs, progress=progress,
                             block_size=stat.block_size)

    q, nd = m.structure.q, len(m.defined_names)
    vals = reps.values
    parameters = []
    for k, p in _free_rows(m.partable):
        col = vals[:, k]
        lo, hi = bt.interval(col, float(m.theta[k]), ci, level)
        parameters.append(BootParameter(p.lhs, p.op, p.rhs, p.label, float(m.theta[k]),
                                        bt.boot_se(col, ddof=0), lo, hi))

    full_defined = _defined_values(m, m.theta[None, :])[0]
    std_defined = _std_defined(m)
    defined = []
    counted = ~np.isin(reps.status, list(reps.rule.fails))
    not_finite: list[str] = []
    for j, name in enumerate(m.defined_names):
        col = vals[:, q + j]
        est = float(full_defined[j])
        if not math.isfinite(est):  # not available in the sample: not in the draws either
            defined.append(BootDefined(name, math.nan, math.nan, math.nan, math.nan, math.nan))
            continue
        lost = int(np.count_nonzero(counted & ~np.isfinite(col)))
        if lost:
            not_finite.append(f"'{name}' in {lost}")
        lo, hi = bt.interval(col, est, ci, level)
        std_value = float(std_defined[j]) if math.isfinite(std_defined[j]) else math.nan
        defined.append(BootDefined(name, est, std_value, bt.boot_se(col, ddof=1), lo, hi))

    imp = m.structure.implied(m.theta)
    full_effects = effect_values(imp.A, m.plan)
    full_std = standardized_effects(full_effects, np.diag(imp.C), m.plan)
    indirect = []
    for j, e in enumerate(m.plan.effects):
        col = vals[:, q + nd + j]
        lo, hi = bt.interval(col, float(full_effects[j]), ci, level)
        indirect.append(BootIndirect(e.source, e.target, e.kind, e.path, float(full_effects[j]),
                                     float(full_std[j]), bt.boot_se(col, ddof=1), lo, hi))

    notes = [f"method: {stat.method}"]
    if not m.plan.recursive:
        notes.append("the regressions form a cycle (a nonrecursive model): indirect effects are not enumerated")
    if reps.n_failed:
        notes.append(f"{reps.n_failed} of {draws} draws failed and were left out ({rule.text})")
    if not_finite:
        notes.append("defined parameters with no finite value in some draws (left out of their intervals): "
                     + ", ".join(not_finite) + f" of {draws} draws")
    mc_lines: tuple[IntervalLine, ...] = ()
    if monte_carlo:
        mc_lines = _monte_carlo_lines(m, int(monte_carlo), seed, level)
    sobel_lines = _sobel_lines(m, level) if sobel else ()
    columns = tuple(f"{p.lhs}{p.op}{p.rhs}" for _, p in _free_rows(m.partable)) + m.defined_names + tuple(
        _effect_name(e) for e in m.plan.effects) + tuple(f"std: {_effect_name(e)}" for e in m.plan.effects)
    return BootstrapResult(
        draws=int(draws), seed=recorded_seed, ci=ci, level=float(level), method=stat.method,
        failed=reps.n_failed, failed_rule=rule.text, failed_draws=reps.failed_draws, improper=reps.n_improper,
        seconds=time.perf_counter() - t_start, n_jobs=int(n_jobs), parameters=tuple(parameters),
        defined=tuple(defined), indirect=tuple(indirect), monte_carlo=mc_lines,
        monte_carlo_draws=int(monte_carlo) if monte_carlo else 0, sobel=sobel_lines, notes=tuple(notes),
        columns=columns, replicates=vals,
    )


def _derived(m: _Model, theta: np.ndarray) -> np.ndarray:
    """Defined parameters and unstandardized effects for parameter vectors ``(b, q)``."""
    batched = BatchedML(m.structure)
    A = batched.matrices(theta)[0]
    with np.errstate(all="ignore"):
        return np.concatenate([_defined_values(m, theta), effect_values(A, m.plan)], axis=1)


def _line_names(m: _Model) -> list[str]:
    return list(m.defined_names) + [_effect_name(e) for e in m.plan.effects]


def _monte_carlo_lines(m: _Model, draws: int, seed: int | np.random.Generator, level: float
                       ) -> tuple[IntervalLine, ...]:
    sample = bt.monte_carlo_sample(m.theta, _vcov(m), draws, seed)
    values = _derived(m, sample)
    point = _derived(m, m.theta[None, :])[0]
    out = []
    for j, name in enumerate(_line_names(m)):
        if not math.isfinite(point[j]):  # a := with no finite value: not available
            out.append(IntervalLine(name, math.nan, math.nan, math.nan, math.nan))
            continue
        lo, hi = bt.percentile_interval(values[:, j], level)
        out.append(IntervalLine(name, float(point[j]), bt.boot_se(values[:, j], ddof=1), lo, hi))
    return tuple(out)


def _sobel_lines(m: _Model, level: float) -> tuple[IntervalLine, ...]:
    """First-order delta SEs; the gradient by complex step (exact to rounding; Squire & Trapp, 1998)."""
    q = m.structure.q
    h = 1e-20
    probe = np.tile(m.theta.astype(complex), (q, 1)) + 1j * h * np.eye(q)
    with np.errstate(all="ignore"):
        jac = (_derived(m, probe).imag / h).T  # (n_lines, q)
        point = _derived(m, m.theta[None, :])[0]
        var = np.einsum("iq,qr,ir->i", jac, _vcov(m), jac)
    out = []
    for j, name in enumerate(_line_names(m)):
        if not (math.isfinite(point[j]) and math.isfinite(var[j])):  # a := with no finite value or derivative
            se = math.nan
        else:
            se = math.sqrt(var[j]) if var[j] >= 0 else math.nan
        z, p, lo, hi = bt.delta_interval(float(point[j]), se, level)
        out.append(IntervalLine(name, float(point[j]), se, lo, hi, z, p))
    return tuple(out)


@dataclass(frozen=True)
class MonteCarloResult:
    """Monte Carlo intervals (Selig & Preacher, 2008) of defined parameters and effects."""

    draws: int
    seed: int | None
    level: float
    rows: tuple[IntervalLine, ...]

    def to_frame(self) -> pd.DataFrame:
        cols = ("name", "est", "se", "ci_lower", "ci_upper")
        return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in self.rows], columns=list(cols))

    def to_dict(self) -> dict[str, Any]:
        return json_safe({"draws": self.draws, "seed": self.seed, "level": self.level,
                          "rows": [_line_dict(r) for r in self.rows]})


def monte_carlo_sem(model: str | ParTable, data: pd.DataFrame, *, draws: int = 20000,
                    seed: int | np.random.Generator | None = None, level: float = 0.95,
                    std_lv: bool = False) -> MonteCarloResult:
    """Monte Carlo intervals of every defined parameter and effect: a fast alternative to the bootstrap.

    The free parameters are drawn from ``N(theta_hat, V_hat)`` (``V_hat`` from the expected
    information) and each defined parameter and effect is evaluated per draw; the interval
    is the draws' percentile interval (Selig & Preacher, 2008; MacKinnon et al., 2004).

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=300); m = 0.5 * x + rng.normal(size=300); y = 0.4 * m + rng.normal(size=300)
    >>> mc = monte_carlo_sem("m ~ a*x\\ny ~ b*m + x\\nab := a*b", pd.DataFrame({"x": x, "m": m, "y": y}), seed=1)
    >>> r = mc.rows[0]
    >>> r.name, r.ci_lower < r.est < r.ci_upper
    ('ab', True)
    """
    if seed is None:
        seed = bt.fresh_seed()
    m = _prepare(model, data, std_lv)
    rows = _monte_carlo_lines(m, int(draws), seed, level)
    return MonteCarloResult(int(draws), None if isinstance(seed, np.random.Generator) else int(seed),
                            float(level), rows)


__all__: Sequence[str] = (
    "BootDefined", "BootIndirect", "BootParameter", "BootstrapResult", "IntervalLine", "MonteCarloResult",
    "bootstrap_sem", "monte_carlo_sem",
)

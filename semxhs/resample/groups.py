"""The bootstrap of a multi-group SEM: rows resampled within each group (stratified, as lavaan's
``se = "bootstrap"`` with ``group =``), every draw refitted, free parameters and ``:=`` defined
parameters (per-group indirect effects and their differences) recorded.

The draws use :mod:`semxhs.resample.engine` (indices drawn up front from one generator, failed
draws counted by rule, blocks run on one or several processes with identical results). The
index matrix addresses the groups' complete rows stacked in lavaan's group order: row ``i`` of
group ``g`` is ``offset_g + i``; each draw resamples ``n_g`` rows of group ``g`` from group ``g``
only, so every resample keeps the groups' sizes.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from semxhs.errors import SpecError
from semxhs.resample import engine as bt
from semxhs.resample.sem import BootDefined, BootParameter, BootstrapResult
from semxhs.sem.estimate import Moments, fit_ml_groups
from semxhs.sem.expression import Node, evaluate, substitute
from semxhs.sem.partable import ParTable
from semxhs.sem.ram import RamStructure

__all__ = ["bootstrap_groups", "stratified_indices"]


def stratified_indices(sizes: tuple[int, ...] | list[int], draws: int,
                       seed: int | np.random.Generator | None) -> np.ndarray:
    """Row indices of every resample, drawn within groups: shape ``(draws, sum(sizes))``.

    Group ``g``'s columns hold indices into its own rows (``offset_g .. offset_g + n_g - 1``);
    one generator draws the groups in order.

    Examples
    --------
    >>> idx = stratified_indices((3, 2), 4, seed=1)
    >>> idx.shape, bool((idx[:, :3] < 3).all() and (idx[:, 3:] >= 3).all())
    ((4, 5), True)
    >>> bool((idx == stratified_indices((3, 2), 4, seed=1)).all())
    True
    """
    if draws < 1:
        raise SpecError(f"draws must be a positive number of bootstrap draws, got {draws}")
    if min(sizes) < 2:
        raise SpecError(f"the bootstrap needs at least 2 rows in every group, got {list(sizes)}")
    rng = np.random.default_rng(seed)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return np.concatenate([rng.integers(0, n, size=(draws, n)) + o for n, o in zip(sizes, offsets)], axis=1)


def _defined_trees(partable: ParTable) -> list[tuple[str, Node]]:
    trees: dict[str, Node] = {}
    out = []
    for d in partable.defined:
        tree = substitute(d.tree, trees)  # type: ignore[arg-type]
        trees[d.name] = tree
        out.append((d.name, tree))
    return out


def _defined_values(partable: ParTable, trees: list[tuple[str, Node]], theta: np.ndarray) -> list[float]:
    values = {p.label: float(theta[p.free - 1]) for p in partable.params if p.label and p.free}
    return [float(evaluate(tree, values)) for _, tree in trees]  # type: ignore[arg-type]


class _GroupStatistic:
    """Refit the multi-group model on a block of stratified resamples (picklable for workers)."""

    def __init__(self, partable: ParTable, rows: np.ndarray, sizes: tuple[int, ...], theta: np.ndarray,
                 gtol: float, max_iter: int) -> None:
        self.partable, self.rows, self.sizes, self.theta = partable, rows, sizes, theta
        self.gtol, self.max_iter = gtol, max_iter
        self.trees = _defined_trees(partable)
        self.variances = [p.free - 1 for p in partable.params if p.free and p.op == "~~" and p.lhs == p.rhs]

    def __call__(self, block: np.ndarray) -> bt.BlockResult:
        k = self.theta.size + len(self.trees)
        values = np.full((block.shape[0], k), np.nan)
        status = np.zeros(block.shape[0], dtype=int)
        offsets = np.concatenate([[0], np.cumsum(self.sizes)])
        for b, idx in enumerate(block):
            try:
                moments = [Moments.from_data(self.rows[idx[offsets[g]:offsets[g + 1]]]) for g in range(len(self.sizes))]
                structures = [RamStructure(self.partable.group_table(g + 1), m.cov, m.mean, q=self.partable.n_free)
                              for g, m in enumerate(moments)]
                est = fit_ml_groups(structures, moments, start=self.theta, gtol=self.gtol, max_iter=self.max_iter)
            except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                status[b] = bt.ERROR
                continue
            values[b, :self.theta.size] = est.theta
            values[b, self.theta.size:] = _defined_values(self.partable, self.trees, est.theta)
            if not est.converged:
                status[b] = bt.NONCONVERGED
            elif any(est.theta[i] < 0 for i in self.variances):
                status[b] = bt.IMPROPER
        return bt.BlockResult(values=values, status=status)


def bootstrap_groups(model: str | ParTable, data: pd.DataFrame, group: str, *, draws: int = 1000,
                     seed: int | np.random.Generator | None = None, ci: str = "percentile", level: float = 0.95,
                     failed_rule: str = "nonconverged", progress: bt.ProgressCallback | None = None,
                     n_jobs: int = 1, group_equal: tuple[str, ...] = (), group_partial: tuple[str, ...] = (),
                     std_lv: bool = False, gtol: float = 1e-7, max_iter: int = 200) -> BootstrapResult:
    """Nonparametric bootstrap of a multi-group SEM by ML, resampling within groups (lavaan's).

    Returns a :class:`~semxhs.resample.sem.BootstrapResult` whose ``parameters`` carry each free
    parameter once (at its first row; ``label`` says the group when it is group-specific) and
    whose ``defined`` rows are the ``:=`` parameters (e.g. ``ind1 := a1*b1``, ``ind2 := a2*b2``,
    ``diff := ind1 - ind2``) with bootstrap SEs and intervals. Indirect effects are not
    enumerated per group (``indirect`` is empty): define them with ``:=``.

    Raises
    ------
    SpecError, DataError, EstimationError

    Examples
    --------
    >>> rng = np.random.default_rng(4)
    >>> g = np.repeat(["a", "b"], 150); x = rng.normal(size=300)
    >>> m = np.where(g == "a", 0.6, 0.0) * x + rng.normal(size=300); y = 0.5 * m + rng.normal(size=300)
    >>> res = bootstrap_groups("m ~ c(a1, a2)*x\\ny ~ c(b1, b2)*m\\nd := a1*b1 - a2*b2",
    ...                        pd.DataFrame({"g": g, "x": x, "m": m, "y": y}), "g", draws=200, seed=1)
    >>> d = res.defined[0]
    >>> d.label, bool(d.ci_lower > 0), res.failed
    ('d', True, 0)
    """
    from semxhs.sem.model import fit
    from semxhs.sem.multigroup import split_groups

    t_start = time.perf_counter()
    ci = bt.ci_type(ci)
    rule = bt.failure_rule(failed_rule)
    if isinstance(seed, bool) or not (seed is None or isinstance(seed, (int, np.integer, np.random.Generator))):
        raise SpecError(f"seed must be an integer, a numpy Generator or None, got {seed!r}")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 2**63)
    recorded_seed = None if isinstance(seed, np.random.Generator) else int(seed)
    if n_jobs < 1:
        raise SpecError(f"n_jobs must be at least 1, got {n_jobs}")
    res = fit(model, data, group=group, group_equal=group_equal, group_partial=group_partial, std_lv=std_lv)
    state = res.state
    if state is None or not state.groups:
        raise SpecError("the bootstrap of a multi-group model needs complete data (missing listwise)")
    partable = state.partable
    gd = split_groups(data, group, partable.observed)
    sizes = tuple(int(v.shape[0]) for v in gd.values)
    rows = np.vstack(gd.values)
    theta = np.asarray(state.theta, dtype=float)
    stat = _GroupStatistic(partable, rows, sizes, theta, gtol, max_iter)
    indices = stratified_indices(sizes, int(draws), seed)
    reps = bt.run_replicates(stat, indices, rule=rule, n_jobs=n_jobs, progress=progress)
    vals = reps.values
    labels = partable.group_labels
    parameters = []
    seen: set[int] = set()
    for p in partable.params:
        if not p.free or p.free in seen:
            continue
        seen.add(p.free)
        k = p.free - 1
        shared = sum(1 for r in partable.params if r.free == p.free) > 1
        lo, hi = bt.interval(vals[:, k], float(theta[k]), ci, level)
        parameters.append(BootParameter(p.lhs, p.op, p.rhs, p.label or ("" if shared else f"group {labels[p.group - 1]}"),
                                        float(theta[k]), bt.boot_se(vals[:, k], ddof=0), lo, hi))
    std_of = {p.lhs: p.std_all for p in res.parameters if p.op == ":="}
    defined = []
    full = _defined_values(partable, stat.trees, theta)
    for j, (name, _) in enumerate(stat.trees):
        col = vals[:, theta.size + j]
        lo, hi = bt.interval(col, full[j], ci, level)
        defined.append(BootDefined(name, full[j], float(std_of.get(name, float("nan"))), bt.boot_se(col, ddof=1),
                                   lo, hi))
    notes = [(f"method: multi-group ML refitted per draw, rows resampled within each group "
              f"({', '.join(f'{lab}: {n}' for lab, n in zip(labels, sizes))})")]
    if reps.n_failed:
        notes.append(f"{reps.n_failed} of {draws} draws failed and were left out ({rule.text})")
    columns = tuple(f"{p.lhs}{p.op}{p.rhs}" for p in parameters) + tuple(name for name, _ in stat.trees)
    return BootstrapResult(
        draws=int(draws), seed=recorded_seed, ci=ci, level=float(level), method="multi-group ML, stratified by group",
        failed=reps.n_failed, failed_rule=rule.text, failed_draws=reps.failed_draws, improper=reps.n_improper,
        seconds=time.perf_counter() - t_start, n_jobs=int(n_jobs), parameters=tuple(parameters),
        defined=tuple(defined), indirect=(), notes=tuple(notes), columns=columns, replicates=vals)

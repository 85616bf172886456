"""Many replications of one sample size fitted at once: the bootstrap's trick for power studies.

For complete-data ML (no missing cells, hence no FIML; Wald and delta-method tests) a
replication's fit depends on its data only through the sample moments. A block of
replications is therefore drawn (each from its own ``SeedSequence`` child, exactly as
:func:`~semxhs.power.replication.run_replication` draws it), reduced to moments, and fitted
together by :class:`~semxhs.resample.batch.BatchedML` from the analysis model's values at the
population moments. Standard errors are the expected-information ones of a single fit
(``(N·I)⁻¹``, the unit information being half the Fisher-scoring curvature the batched fit
computes), Wald tests and intervals come from :func:`~semxhs.sem.inference.wald` and
``:=`` effects from :func:`~semxhs.sem.defined.defined_parameters` (delta method), as in
:func:`semxhs.sem.model.fit`. A replication the batch does not bring to convergence (or whose
sample covariance is singular) is fitted alone by ``run_replication``: it counts exactly as in
the unbatched path.

A block's replications always share one sample size and are fixed by the design alone
(:data:`BLOCK`), never by the number of workers, so results do not depend on the scheduling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from semxhs.power.design import PowerDesign, Truth
from semxhs.power.replication import Outcome, draw_values, run_replication
from semxhs.resample import engine as bt
from semxhs.resample.batch import BatchedML, BatchMoments
from semxhs.sem.defined import defined_parameters
from semxhs.sem.inference import wald
from semxhs.sem.partable import ParTable, build_partable
from semxhs.sem.ram import RamStructure

__all__ = ["BLOCK", "batch_reason", "run_block"]

BLOCK = 50
"""Replications of one sample size fitted together (a fixed property of the design, not of the workers)."""

Job = tuple[int, int, np.random.SeedSequence]


def batch_reason(design: PowerDesign, truth: Truth) -> str | None:
    """Why the replications of ``design`` cannot be fitted in batches (``None`` when they can).

    Examples
    --------
    >>> from semxhs.power.design import design_truth
    >>> d = PowerDesign("y ~ 0.3*x", "y ~ x", (50,), 5, 1)
    >>> batch_reason(d, design_truth(d)) is None
    True
    >>> d = PowerDesign("y ~ 0.3*x", "y ~ x", (50,), 5, 1, missing=0.1)
    >>> batch_reason(d, design_truth(d))
    'missing values (FIML needs the rows of each replication)'
    """
    if design.missing > 0:
        return "missing values (FIML needs the rows of each replication)"
    if design.ci != "wald" and any(t.op == ":=" for t in truth.targets):
        return f"--ci {design.ci} (intervals resampled from the rows of each replication)"
    if not truth.theta:
        return "no start values at the population moments"
    if build_partable(design.analysis).products:
        return "product terms (formed from the rows of each replication)"
    return None


@dataclass(frozen=True)
class _Target:
    """Where a target's estimate lives: a free parameter (0-based) or a defined effect's label."""

    free: int  # -1 for a := effect
    label: str
    true: float


@dataclass(frozen=True)
class _Plan:
    partable: ParTable
    batched: BatchedML
    columns: np.ndarray  # the analysis model's observed variables among the population's
    start: np.ndarray
    targets: tuple[_Target, ...]
    labels: tuple[tuple[str, str, int, int], ...]  # (label, matrix, i, j): where each label's value is
    label_index: dict[str, int]


def _plan(design: PowerDesign, truth: Truth) -> _Plan:
    # the partable exactly as fit(design.analysis, frame) builds it for a complete-data replication
    pt = build_partable(design.analysis)
    index = {name: i for i, name in enumerate(truth.names)}
    columns = np.array([index[v] for v in pt.observed], dtype=int)
    cov = truth.cov[np.ix_(columns, columns)]
    structure = RamStructure(pt, cov, np.zeros(len(columns)))
    s_index = structure.index
    labels: list[tuple[str, str, int, int]] = []
    seen: set[str] = set()
    for p in pt.params:  # the first row with a label gives its value (as parameter_rows)
        if not p.label or p.label in seen:
            continue
        seen.add(p.label)
        if p.op == "=~":
            labels.append((p.label, "A", s_index[p.rhs], s_index[p.lhs]))
        elif p.op == "~":
            labels.append((p.label, "A", s_index[p.lhs], s_index[p.rhs]))
        elif p.op == "~~":
            labels.append((p.label, "S", s_index[p.lhs], s_index[p.rhs]))
        else:
            labels.append((p.label, "alpha", s_index[p.lhs], s_index[p.lhs]))
    targets = []
    for t in truth.targets:
        if t.op == ":=":
            targets.append(_Target(-1, t.label, t.true))
        else:
            free = next(p.free for p in pt.params if (p.lhs, p.op, p.rhs) == (t.lhs, t.op, t.rhs) and p.free)
            targets.append(_Target(free - 1, "", t.true))
    label_index = {p.label: p.free - 1 for p in pt.params if p.label and p.free}
    return _Plan(pt, BatchedML(structure), columns, np.asarray(truth.theta, dtype=float), tuple(targets),
                 tuple(labels), label_index)


def _moments(values: list[np.ndarray], n: int) -> BatchMoments:
    """Sample moments (divisor N) of each replication's rows, as :meth:`Moments.from_data`."""
    x = np.stack(values)  # (b, n, p)
    mean = x.mean(axis=1)
    centered = x - mean[:, None, :]
    cov = centered.transpose(0, 2, 1) @ centered / n
    return BatchMoments(cov=cov, mean=mean, n=n)


def _vcov(batched: BatchedML, theta: np.ndarray, mom: BatchMoments) -> tuple[np.ndarray, np.ndarray]:
    """``(N·I)⁻¹`` per replication (expected information, as a single fit) and whether ``I`` is invertible.

    The batched fit's Fisher-scoring curvature is twice the unit expected information.
    The identification rule is :func:`~semxhs.sem.inference.covariance_from_information`'s.
    """
    _, fisher, _ = batched.derivatives(theta, mom)
    info = fisher / 2.0
    info = (info + info.transpose(0, 2, 1)) / 2
    b, q = theta.shape
    vcov = np.full((b, q, q), np.nan)
    if q == 0:
        return np.zeros((b, 0, 0)), np.ones(b, dtype=bool)
    eig = np.linalg.eigvalsh(info)
    identified = eig[:, 0] > 1e-10 * np.maximum(1.0, eig[:, -1])
    if identified.any():
        vcov[identified] = np.linalg.inv(mom.n * info[identified])
    return vcov, identified


def run_block(design: PowerDesign, truth: Truth, jobs: Sequence[Job]) -> list[Outcome]:
    """Simulate and fit a block of replications (all of one sample size) together.

    Returns the same :class:`~semxhs.power.replication.Outcome` per replication as
    :func:`~semxhs.power.replication.run_replication` (within the optimizer's tolerance);
    call it only when :func:`batch_reason` is ``None``.
    """
    if not jobs:
        return []
    n = jobs[0][0]
    if any(job[0] != n for job in jobs):
        raise ValueError("a batch holds replications of one sample size")
    plan = _plan(design, truth)
    values = [draw_values(design, truth, n, np.random.default_rng(seed))[:, plan.columns] for _, _, seed in jobs]
    mom = _moments(values, n)
    theta, status = plan.batched.fit(mom, plan.start)
    done = np.flatnonzero(((status == bt.OK) | (status == bt.IMPROPER)) & np.isfinite(theta).all(axis=1))
    out: dict[int, Outcome] = {}
    if done.size:
        sub = BatchMoments(cov=mom.cov[done], mean=mom.mean[done], n=n)
        vcov, identified = _vcov(plan.batched, theta[done], sub)
        A, S, alpha = plan.batched.matrices(theta[done], sub)
        level = 1 - design.alpha
        for row, k in enumerate(done.tolist()):
            out[k] = _judge(design, plan, jobs[k], theta[k], vcov[row], bool(identified[row]),
                            bool(status[k] == bt.IMPROPER), {"A": A[row], "S": S[row], "alpha": alpha[row]}, level)
    for j, (n_j, r, seed) in enumerate(jobs):  # not converged in the batch: the single fit decides
        if j not in out:
            out[j] = run_replication(design, truth, n_j, r, seed)
    return [out[j] for j in range(len(jobs))]


def _judge(design: PowerDesign, plan: _Plan, job: Job, theta: np.ndarray, vcov: np.ndarray, identified: bool,
           improper: bool, mats: dict[str, np.ndarray], level: float) -> Outcome:
    """One converged replication's estimates, tests and intervals, as :func:`semxhs.sem.model.fit` gives them."""
    se_free = np.sqrt(np.clip(np.diag(vcov), 0, None))
    label_values = {}
    for label, matrix, i, j in plan.labels:
        m = mats[matrix]
        label_values[label] = float(m[i] if matrix == "alpha" else m[i, j])
    defined = {}
    if any(t.free < 0 for t in plan.targets):  # std values are not needed: the raw ones stand in
        rows, _ = defined_parameters(plan.partable.defined, label_values, label_values, plan.label_index, vcov,
                                     level=level, identified=identified)
        defined = {r.label: r for r in rows}
    est, significant, covered = [], [], []
    for t in plan.targets:
        if t.free >= 0:
            value = float(theta[t.free])
            _, pvalue, lo, hi = wald(value, float(se_free[t.free]), level)
        else:
            d = defined[t.label]
            value, pvalue, lo, hi = d.est, d.pvalue, d.ci_lower, d.ci_upper
        est.append(value)
        significant.append(bool(pvalue is not None and pvalue < design.alpha))
        covered.append(bool(lo <= t.true <= hi))
    n, r, _ = job
    return Outcome(n, r, True, bool(improper or not identified), tuple(est), tuple(significant), tuple(covered))

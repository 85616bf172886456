"""The nonparametric bootstrap engine and its intervals; it knows nothing about SEM.

Resampling
    All resample indices are drawn up front, as one ``(draws, n)`` integer array, from one
    ``numpy.random.default_rng(seed)`` (:func:`resample_indices`). NumPy's PCG64 stream is
    the same on every platform, and because the indices exist before any work starts, the
    numbers do not depend on how the draws are split into blocks or over processes.
    :func:`resample_index_blocks` yields the same rows a block at a time (for large n, where
    ``draws × n`` indices would not fit in memory), and :func:`resample_counts` turns index
    rows into per-row counts, the sufficient statistic of a resample's moments.

Evaluation
    :func:`run_replicates` hands fixed-size blocks of index rows to a *statistic*: a callable
    that takes a ``(b, n)`` index block and returns a :class:`BlockResult` (a ``(b, k)``
    array of values and a ``(b,)`` array of status codes). Blocks have the same size
    whatever ``n_jobs`` is, so a draw's numbers are bit-identical for ``n_jobs=1`` and
    ``n_jobs=2``. With ``n_jobs > 1`` the blocks run in forked worker processes.

Failed draws
    The statistic says, per draw, :data:`OK`, :data:`IMPROPER` (an admissible-solution check
    failed, e.g. a negative variance), :data:`NONCONVERGED` or :data:`ERROR` (a numerical
    failure such as a singular matrix). A :class:`FailureRule` decides which codes fail a
    draw. Failed draws stay in the replicate matrix as NaN rows at their draw index and
    are counted; intervals use the successful draws only, and say how many there were.
    This is what lavaan's ``lav_bootstrap_internal`` does (failed draws are NA rows with an
    ``error.idx`` attribute); its default rule is :data:`RULE_NONCONVERGED`.

Intervals (pure functions of the replicates)
    - :func:`percentile_interval`: lavaan's ``boot.ci.type = "perc"``. lavaan does *not*
      use R's ``quantile`` (type 7) here but ``norm.inter`` copied from the ``boot``
      package (Davison & Hinkley, 1997, eq. 5.8): order statistic ``(R + 1) alpha``,
      interpolated on the normal-quantile scale. :func:`norm_inter` reproduces it.
    - :func:`bias_corrected_interval`: lavaan's ``"bca.simple"`` (Efron, 1982), bias
      correction without acceleration: ``z0 = qnorm(mean(t* < t0))``, bounds at the
      ``pnorm(2 z0 + qnorm(alpha))`` points of the replicates, by :func:`norm_inter`.
    - :func:`monte_carlo_sample` + :func:`percentile_interval`: the Monte Carlo interval of
      Selig & Preacher (2008): parameters drawn from ``N(theta_hat, V_hat)``, the function
      of interest evaluated per draw.
    - :func:`quantile_interval`: the ``(1 - level)/2`` and ``(1 + level)/2`` quantiles of the
      replicates with numpy's default linear interpolation (R's ``quantile`` type 7), the
      percentile interval of the PROCESS bootstrap and of HTMT.
    - :func:`delta_interval`: a first-order delta (Sobel, 1982) interval, est +- z se; a
      legacy line only, since it assumes a normal sampling distribution of a product.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from statistics import NormalDist
from typing import Any, cast

import numpy as np

from semxhs.errors import SpecError

#: Status codes a statistic reports per draw.
OK = 0
IMPROPER = 1
NONCONVERGED = 2
ERROR = 3

STATUS_NAMES = {OK: "ok", IMPROPER: "improper", NONCONVERGED: "not converged", ERROR: "numerical error"}

#: Draws are evaluated in blocks of this many (fixed, so results never depend on n_jobs).
BLOCK_SIZE = 250

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class FailureRule:
    """Which per-draw status codes make a draw fail.

    Attributes
    ----------
    name : str
        Short name, as accepted by :func:`failure_rule`.
    fails : frozenset of int
        Status codes that fail a draw.
    text : str
        The rule in words, for reports.
    """

    name: str
    fails: frozenset[int]
    text: str


RULE_NONCONVERGED = FailureRule(
    "nonconverged",
    frozenset({NONCONVERGED, ERROR}),
    "a draw fails when its estimation did not converge or hit a numerical error (singular "
    "matrix, non-finite value); improper solutions (Heywood cases) are kept and counted, as in lavaan",
)
RULE_IMPROPER = FailureRule(
    "improper",
    frozenset({IMPROPER, NONCONVERGED, ERROR}),
    "a draw fails when its estimation did not converge, hit a numerical error, or gave an "
    "improper solution (a negative variance or a non-positive-definite latent covariance matrix)",
)
RULES = {r.name: r for r in (RULE_NONCONVERGED, RULE_IMPROPER)}


def failure_rule(name: str | FailureRule) -> FailureRule:
    """Look up a failure rule by name (``"nonconverged"`` or ``"improper"``).

    Examples
    --------
    >>> sorted(failure_rule("improper").fails)
    [1, 2, 3]
    """
    if isinstance(name, FailureRule):
        return name
    try:
        return RULES[name]
    except KeyError:
        raise SpecError(
            f"failed_rule must be one of {', '.join(repr(k) for k in RULES)}, got {name!r}"
        ) from None


@dataclass(frozen=True)
class BlockResult:
    """What a statistic returns for a block of ``b`` draws.

    A draw whose values are not all finite fails (:data:`ERROR`), except in the columns
    that ``finite_required`` (a ``(k,)`` bool mask) marks False: there a non-finite value
    is that statistic's own "not available" for the draw (a ``:=`` dividing by zero), and
    the other columns of the draw still count.
    """

    values: np.ndarray  # (b, k) float
    status: np.ndarray  # (b,) int
    finite_required: np.ndarray | None = None  # (k,) bool; None: every column


@dataclass(frozen=True)
class Replicates:
    """All draws of a bootstrap: values with NaN rows for failed draws, and their status.

    Attributes
    ----------
    values : numpy.ndarray
        ``(draws, k)``; a failed draw's row is all NaN, at its draw index.
    status : numpy.ndarray
        ``(draws,)`` status code per draw (:data:`OK`, :data:`IMPROPER`, ...).
    rule : FailureRule
        The rule that decided which draws failed.
    """

    values: np.ndarray = field(repr=False)
    status: np.ndarray = field(repr=False)
    rule: FailureRule

    @property
    def failed_mask(self) -> np.ndarray:
        """Boolean ``(draws,)``: which draws failed under :attr:`rule`."""
        return np.isin(self.status, list(self.rule.fails))

    @property
    def failed_draws(self) -> tuple[int, ...]:
        """0-based draw indices (rows of the index matrix) of the failed draws."""
        return tuple(int(i) for i in np.flatnonzero(self.failed_mask))

    @property
    def n_failed(self) -> int:
        return int(self.failed_mask.sum())

    @property
    def n_improper(self) -> int:
        """Draws whose solution was improper (failed or kept, depending on the rule)."""
        return int((self.status == IMPROPER).sum())

    @property
    def successful(self) -> np.ndarray:
        """The values of the successful draws only, ``(draws - failed, k)``."""
        return self.values[~self.failed_mask]


def fresh_seed() -> int:
    """A new seed from the operating system's entropy (0 <= seed < 2**63), to be recorded with the result.

    Examples
    --------
    >>> 0 <= fresh_seed() < 2**63
    True
    """
    entropy = np.random.SeedSequence().entropy
    return int(cast(int, entropy) % 2**63)


def resample_indices(n: int, draws: int, seed: int | np.random.Generator | None) -> np.ndarray:
    """Row indices of every bootstrap resample, drawn at once: shape ``(draws, n)``.

    Parameters
    ----------
    n : int
        Number of rows (respondents).
    draws : int
        Number of bootstrap draws.
    seed : int, Generator or None
        Passed to :func:`numpy.random.default_rng`; the same seed gives the same indices on
        every machine.

    Examples
    --------
    >>> idx = resample_indices(5, 3, seed=1)
    >>> idx.shape, bool((idx == resample_indices(5, 3, seed=1)).all())
    ((3, 5), True)
    """
    if draws < 1:
        raise SpecError(f"draws must be a positive number of bootstrap draws, got {draws}")
    if n < 2:
        raise SpecError(f"the bootstrap needs at least 2 rows of data, got {n}")
    rng = np.random.default_rng(seed)
    return rng.integers(0, n, size=(draws, n))


def resample_index_blocks(n: int, draws: int, seed: int | np.random.Generator | None,
                          block: int) -> Generator[np.ndarray, None, None]:
    """The rows of :func:`resample_indices`, drawn ``block`` rows at a time.

    NumPy's ``Generator.integers`` consumes its bit stream value by value, so drawing
    ``(b1, n)``, then ``(b2, n)``, ... from one generator gives exactly the rows of one
    ``(b1 + b2 + ..., n)`` draw: the same seed gives the same resamples as
    :func:`resample_indices`, while only ``block × n`` indices exist at a time.

    Examples
    --------
    >>> whole = resample_indices(7, 10, seed=4)
    >>> parts = np.concatenate(list(resample_index_blocks(7, 10, seed=4, block=3)))
    >>> bool((parts == whole).all()), [len(b) for b in resample_index_blocks(7, 10, 4, 3)]
    (True, [3, 3, 3, 1])
    """
    if draws < 1:
        raise SpecError(f"draws must be a positive number of bootstrap draws, got {draws}")
    if n < 2:
        raise SpecError(f"the bootstrap needs at least 2 rows of data, got {n}")
    if block < 1:
        raise SpecError(f"block must be a positive number of draws, got {block}")
    rng = np.random.default_rng(seed)
    for start in range(0, draws, block):
        yield rng.integers(0, n, size=(min(block, draws - start), n))


def resample_counts(indices: np.ndarray, n: int) -> np.ndarray:
    """How often each row occurs in each resample: ``(draws, n)`` float counts.

    A resample's moments only depend on these counts, so moments of many resamples are
    matrix products (``counts @ x``).

    Examples
    --------
    >>> resample_counts(np.array([[0, 0, 2], [1, 2, 2]]), 3).tolist()
    [[2.0, 0.0, 1.0], [0.0, 1.0, 2.0]]
    """
    draws = indices.shape[0]
    flat = (indices + n * np.arange(draws)[:, None]).ravel()
    return np.bincount(flat, minlength=draws * n).reshape(draws, n).astype(float)


# -- running the statistic over blocks of draws ---------------------------------------------
# Worker processes are driven over one private pipe each (no shared queue, no shared lock):
# the parent hands a worker the bounds of a block, the worker sends the block back, and the
# parent hands it the next. Nothing a worker holds can block the parent, so stopping them
# (normally, on an error, or on Ctrl-C) cannot deadlock, which multiprocessing.Pool's
# terminate() can when a worker dies holding the task queue's lock.

#: Seconds a worker gets to finish after it was told to stop, before it is terminated.
STOP_GRACE = 5.0


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when its parent dies (Linux); leave if it already has."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux: the broken pipe tells us
        pass
    if os.getppid() != parent:
        os._exit(0)


def _worker_main(conn: Connection, statistic: Callable[[np.ndarray], BlockResult],
                 indices: np.ndarray, parent: int) -> None:
    """Evaluate blocks the parent sends until it sends ``None``; never print a traceback.

    Ctrl-C reaches the whole process group; only the parent handles it (it stops us). A
    worker whose parent is gone (killed, or its pipe closed) leaves quietly.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handlers are not ours (fork copies them)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # the parent blocked it around fork
    _die_with_parent(parent)
    try:
        while True:
            bounds = conn.recv()
            if bounds is None:
                break
            start, stop = bounds
            try:
                reply: tuple[str, int, object] = ("ok", start, statistic(indices[start:stop]))
            except Exception as exc:  # the parent re-raises it
                reply = ("error", start, _portable_error(exc))
            conn.send(reply)
    except (EOFError, OSError):  # the parent is gone
        pass
    finally:
        try:
            conn.close()
        except OSError:  # pragma: no cover
            pass


def _portable_error(exc: Exception) -> Exception:
    """The exception itself when it survives pickling, else a RuntimeError with its text."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


class _SigintDeferred:
    """Block SIGINT (main thread, POSIX) so that forked workers start with it blocked."""

    def __enter__(self) -> None:
        self.active = hasattr(signal, "pthread_sigmask")
        if self.active:
            self.old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})

    def __exit__(self, *exc: object) -> None:
        if self.active:
            signal.pthread_sigmask(signal.SIG_SETMASK, self.old)  # a pending Ctrl-C is raised here


def _stop_workers(workers: list[tuple[BaseProcess, Connection]], graceful: bool) -> None:
    """Stop every worker and reap it: told to stop (``graceful``), then terminated, then killed."""
    for _, conn in workers:
        try:
            if graceful:
                conn.send(None)
        except (OSError, ValueError):
            pass
    for proc, conn in workers:
        proc.join(STOP_GRACE if graceful else 0)
        if proc.exitcode is None:
            proc.terminate()
            proc.join(STOP_GRACE)
        if proc.exitcode is None:  # pragma: no cover - SIGTERM ignored
            proc.kill()
            proc.join()
        conn.close()
        proc.close()


def _run_in_workers(statistic: Callable[[np.ndarray], BlockResult], indices: np.ndarray,
                    bounds: list[tuple[int, int]], jobs: int) -> Generator[tuple[int, BlockResult], None, None]:
    """Yield ``(start, block)`` as worker processes finish blocks (in no fixed order)."""
    from multiprocessing.connection import wait

    methods = multiprocessing.get_all_start_methods()
    ctx: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    workers: list[tuple[BaseProcess, Connection]] = []
    graceful = False
    try:
        with _SigintDeferred():
            for _ in range(jobs):
                mine, theirs = ctx.Pipe()
                proc = ctx.Process(target=_worker_main, args=(theirs, statistic, indices, os.getpid()),
                                   daemon=True, name="semxhs-bootstrap")
                proc.start()
                theirs.close()
                workers.append((proc, mine))
        todo = iter(bounds)
        busy: dict[Connection, BaseProcess] = {}
        for proc, conn in workers:
            task = next(todo, None)
            if task is not None:
                conn.send(task)
                busy[conn] = proc
        while busy:
            for ready in wait(list(busy)):
                conn = cast(Connection, ready)
                try:
                    kind, start, payload = conn.recv()
                except EOFError:
                    raise RuntimeError("a bootstrap worker process ended unexpectedly") from None
                if kind == "error":
                    raise payload
                task = next(todo, None)
                if task is None:
                    del busy[conn]
                else:
                    conn.send(task)
                yield start, payload
        graceful = True
    finally:
        _stop_workers(workers, graceful)


def _check_block(block: BlockResult, size: int) -> BlockResult:
    values = np.asarray(block.values, dtype=float)
    status = np.asarray(block.status, dtype=int).copy()
    if values.ndim != 2 or values.shape[0] != size or status.shape != (size,):
        raise ValueError(
            f"the statistic must return values of shape ({size}, k) and status of shape ({size},), "
            f"got {values.shape} and {status.shape}"
        )
    checked = values if block.finite_required is None else values[:, np.asarray(block.finite_required, dtype=bool)]
    status[(status == OK) & ~np.isfinite(checked).all(axis=1)] = ERROR
    return BlockResult(values, status, block.finite_required)


def run_replicates(statistic: Callable[[np.ndarray], BlockResult], indices: np.ndarray, *,
                   rule: str | FailureRule = RULE_NONCONVERGED, n_jobs: int = 1,
                   progress: ProgressCallback | None = None,
                   block_size: int = BLOCK_SIZE) -> Replicates:
    """Evaluate a statistic on every resample, in blocks, optionally on several processes.

    Parameters
    ----------
    statistic : callable
        ``statistic(index_block) -> BlockResult`` for an ``(b, n)`` block of index rows.
        Its result for a draw must depend on that draw's indices only.
    indices : numpy.ndarray
        ``(draws, n)`` from :func:`resample_indices`.
    rule : str or FailureRule
        Which status codes fail a draw (see :func:`failure_rule`). A draw whose values
        are not all finite has status :data:`ERROR`.
    n_jobs : int
        Worker processes (1 = in this process). Results are identical for any value.
    progress : callable, optional
        Called as ``progress(done, total)`` after each block (in this process).
    block_size : int
        Draws per block.

    Returns
    -------
    Replicates

    Notes
    -----
    A ``KeyboardInterrupt`` (or an error) propagates unchanged; the worker processes are
    stopped and reaped first, and nothing is written anywhere. Workers ignore Ctrl-C (the
    parent handles it), and a worker whose parent dies exits quietly, without a traceback.

    Examples
    --------
    >>> x = np.array([1.0, 2.0, 4.0, 8.0])
    >>> def mean_stat(block):
    ...     return BlockResult(x[block].mean(axis=1, keepdims=True), np.zeros(len(block), int))
    >>> rep = run_replicates(mean_stat, resample_indices(4, 1000, seed=3))
    >>> rep.values.shape, rep.n_failed
    ((1000, 1), 0)
    """
    rule = failure_rule(rule)
    total = indices.shape[0]
    bounds = [(s, min(s + block_size, total)) for s in range(0, total, block_size)]
    blocks: dict[int, BlockResult] = {}
    done = 0
    jobs = max(1, min(int(n_jobs), len(bounds)))
    if jobs == 1:
        for start, stop in bounds:
            blocks[start] = _check_block(statistic(indices[start:stop]), stop - start)
            done += stop - start
            if progress is not None:
                progress(done, total)
    else:
        results = _run_in_workers(statistic, indices, bounds, jobs)
        try:
            for start, block in results:
                stop = min(start + block_size, total)
                blocks[start] = _check_block(block, stop - start)
                done += stop - start
                if progress is not None:
                    progress(done, total)
        finally:
            results.close()  # stops and reaps the workers, also on an error or Ctrl-C
    values = np.concatenate([blocks[s].values for s, _ in bounds], axis=0)
    status = np.concatenate([blocks[s].status for s, _ in bounds])
    failed = np.isin(status, list(rule.fails))
    values[failed] = np.nan
    return Replicates(values=values, status=status, rule=rule)


def default_jobs() -> int:
    """Worker processes worth using here: the CPUs this process may run on, at most 2."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(2, cpus))


# -- intervals ------------------------------------------------------------------------------
_NORMAL = NormalDist()


def _qnorm(p: np.ndarray | float) -> np.ndarray:
    """Standard-normal quantiles (Wichura's AS 241, the algorithm of R's ``qnorm``)."""
    p = np.asarray(p, dtype=float)
    out = np.empty(p.shape)
    for i, v in np.ndenumerate(p):
        out[i] = -np.inf if v <= 0.0 else np.inf if v >= 1.0 else (np.nan if v != v else _NORMAL.inv_cdf(v))
    return out


def _pnorm(z: np.ndarray | float) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    out = np.empty(z.shape)
    for i, v in np.ndenumerate(z):
        out[i] = 0.5 * math.erfc(-v / math.sqrt(2.0))
    return out


def norm_inter(t: np.ndarray, alpha: Sequence[float] | np.ndarray) -> np.ndarray:
    """Quantiles of bootstrap replicates as lavaan (via the ``boot`` package) takes them.

    The ``alpha`` quantile is the order statistic ``k = (R + 1) alpha`` of the ``R`` finite
    replicates; when ``k`` is not an integer, it is interpolated between order statistics
    ``floor(k)`` and ``floor(k) + 1`` linearly on the normal-quantile scale (Davison &
    Hinkley, 1997, eq. 5.8; ``boot:::norm.inter``, copied into lavaan's
    ``parameterEstimates``). Outside ``1 <= k <= R`` the extreme order statistic is used.

    Parameters
    ----------
    t : numpy.ndarray
        One-dimensional replicates; non-finite values are ignored.
    alpha : sequence of float
        Probabilities.

    Examples
    --------
    >>> t = np.arange(1.0, 100.0)  # R = 99: (R + 1) * 0.025 = 2.5
    >>> norm_inter(t, [0.05, 0.5, 0.95]).tolist()
    [5.0, 50.0, 95.0]
    >>> round(float(norm_inter(t, [0.025])[0]), 6)  # R: boot:::norm.inter(1:99, 0.025)
    2.542249
    """
    t = np.sort(np.asarray(t, dtype=float)[np.isfinite(t)])
    alpha = np.atleast_1d(np.asarray(alpha, dtype=float))
    R = t.size
    if R == 0:
        return np.full(alpha.shape, np.nan)
    rk = (R + 1) * alpha
    k = np.trunc(rk).astype(int)
    out = np.empty(alpha.shape)
    for i, (r, kk) in enumerate(zip(rk, k)):
        if kk <= 0:
            out[i] = t[0]
        elif kk >= R:
            out[i] = t[-1]
        elif kk == r:
            out[i] = t[kk - 1]
        else:
            z = _qnorm(np.array([alpha[i], kk / (R + 1), (kk + 1) / (R + 1)]))
            lo, hi = t[kk - 1], t[kk]
            out[i] = lo + (z[0] - z[1]) / (z[2] - z[1]) * (hi - lo)
    return out


def _check_level(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise SpecError(f"level must be a confidence level between 0 and 1 (e.g. 0.95), got {level}")
    return float(level)


def percentile_interval(t: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of replicates (lavaan's ``boot.ci.type = "perc"``).

    Examples
    --------
    >>> lo, hi = percentile_interval(np.arange(1.0, 1000.0), 0.95)
    >>> round(lo, 6), round(hi, 6)
    (25.0, 975.0)
    """
    level = _check_level(level)
    # lavaan: alpha <- (1 + c(-level, level)) / 2 (kept literally: it fixes the last bit)
    lo, hi = norm_inter(t, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return float(lo), float(hi)


def quantile_interval(t: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval by linearly interpolated quantiles of the finite replicates.

    The ``(1 - level)/2`` and ``(1 + level)/2`` quantiles by numpy's default (R's
    ``quantile`` type 7); PROCESS and HTMT intervals use it. NaN bounds when no replicate
    is finite.

    Examples
    --------
    >>> quantile_interval(np.concatenate([np.arange(101.0), [np.nan]]), 0.9)
    (5.0, 95.0)
    """
    t = np.asarray(t, dtype=float)
    v = t[np.isfinite(t)]
    if v.size == 0:
        return (float("nan"), float("nan"))
    lo, hi = np.quantile(v, [0.5 - level / 2.0, 0.5 + level / 2.0])
    return (float(lo), float(hi))


def bias_corrected_interval(t: np.ndarray, t0: float, level: float = 0.95) -> tuple[float, float]:
    """Bias-corrected percentile interval (lavaan's ``boot.ci.type = "bca.simple"``).

    ``z0 = qnorm(#(t* < t0) / R)``; the bounds are the replicates' quantiles (by
    :func:`norm_inter`) at ``pnorm(2 z0 + qnorm(alpha))`` and ``pnorm(2 z0 + qnorm(1 -
    alpha))`` (Efron, 1982; no acceleration). With ``t0`` at the median it is the
    percentile interval.

    Examples
    --------
    >>> t = np.arange(1.0, 1001.0)  # half the replicates below 500.5: z0 = 0
    >>> np.allclose(bias_corrected_interval(t, 500.5), percentile_interval(t))
    True
    >>> [round(v, 3) for v in bias_corrected_interval(t, 450.0)]  # shifted down
    [13.355, 956.725]
    """
    level = _check_level(level)
    t = np.asarray(t, dtype=float)
    t = t[np.isfinite(t)]
    if t.size == 0 or not math.isfinite(t0):
        return float("nan"), float("nan")
    z0 = float(_qnorm(np.count_nonzero(t < t0) / t.size))
    if not np.isfinite(z0):
        # every replicate on one side of the estimate: lavaan gives NA bounds
        return float("nan"), float("nan")
    adj = _pnorm(z0 + (z0 + _qnorm(np.array([(1.0 - level) / 2.0, (1.0 + level) / 2.0]))))
    lo, hi = norm_inter(t, adj)
    return float(lo), float(hi)


def boot_se(t: np.ndarray, ddof: int = 1) -> float:
    """Standard deviation of the finite replicates (the bootstrap standard error).

    lavaan divides by ``R`` (``ddof=0``) for free parameters and by ``R - 1`` (``ddof=1``,
    R's ``cov``) for defined parameters.

    Examples
    --------
    >>> boot_se(np.array([1.0, 2.0, 3.0, np.nan]))
    1.0
    """
    t = np.asarray(t, dtype=float)
    t = t[np.isfinite(t)]
    if t.size <= ddof:
        return float("nan")
    return float(np.std(t, ddof=ddof))


def interval(t: np.ndarray, t0: float, ci: str, level: float = 0.95) -> tuple[float, float]:
    """The interval named ``ci`` (``"percentile"`` or ``"bc"``) of replicates ``t``."""
    if ci == "percentile":
        return percentile_interval(t, level)
    if ci == "bc":
        return bias_corrected_interval(t, t0, level)
    raise SpecError(f"ci must be 'percentile' or 'bc', got {ci!r}")


CI_TYPES = {"percentile": "percentile", "perc": "percentile", "bc": "bc", "bca.simple": "bc",
            "bias-corrected": "bc"}


def ci_type(name: str) -> str:
    """Normalize an interval name: ``"perc"``/``"percentile"`` or ``"bc"``/``"bca.simple"``.

    Examples
    --------
    >>> ci_type("bca.simple")
    'bc'
    """
    try:
        return CI_TYPES[name]
    except KeyError:
        raise SpecError(
            f"ci must be one of {', '.join(repr(k) for k in CI_TYPES)}, got {name!r}"
        ) from None


def monte_carlo_sample(est: np.ndarray, vcov: np.ndarray, draws: int,
                       seed: int | np.random.Generator | None) -> np.ndarray:
    """Parameter vectors drawn from ``N(est, vcov)`` (Selig & Preacher, 2008): ``(draws, q)``.

    ``est + z L'`` with standard-normal ``z`` and ``L`` the Cholesky factor of ``vcov``
    (an eigen-decomposition when ``vcov`` is only semi-definite), so the same seed gives the
    same draws on every machine.

    Examples
    --------
    >>> x = monte_carlo_sample(np.array([1.0, 2.0]), np.diag([0.04, 0.01]), 20000, seed=5)
    >>> x.shape, np.round(x.std(axis=0), 2).tolist()
    ((20000, 2), [0.2, 0.1])
    """
    est = np.asarray(est, dtype=float)
    vcov = np.asarray(vcov, dtype=float)
    if not np.isfinite(vcov).all():
        raise SpecError("the Monte Carlo interval needs the estimates' covariance matrix, which is not available "
                        "(the information matrix is singular)")
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((draws, est.size))
    try:
        root = np.linalg.cholesky(vcov)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh((vcov + vcov.T) / 2)
        root = v * np.sqrt(np.clip(w, 0, None))
    return est + z @ root.T


def delta_interval(est: float, se: float, level: float = 0.95) -> tuple[float, float, float, float]:
    """First-order delta (Sobel) line: z, two-sided p and est +- z_(1-alpha/2) se.

    Examples
    --------
    >>> z, p, lo, hi = delta_interval(0.2, 0.05)
    >>> round(z, 6), round(p, 6), round(lo, 4), round(hi, 4)
    (4.0, 6.3e-05, 0.102, 0.298)
    """
    a = (1.0 - _check_level(level)) / 2.0
    if not (se > 0 and math.isfinite(se)):
        return float("nan"), float("nan"), float("nan"), float("nan")
    z = est / se
    crit = float(-_qnorm(a))
    p = float(2.0 * _pnorm(-abs(z)))
    return float(z), p, est - crit * se, est + crit * se

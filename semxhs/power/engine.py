"""All replications of a power study, serially or on Dask, and their summary.

Each replication ``r`` at the ``i``-th sample size is seeded by child ``i·reps + r`` of
``SeedSequence(seed)``, so the numbers are identical on one process, on a local Dask
cluster of any size, or on a remote cluster: only the scheduling differs. Replications are
grouped in blocks of one sample size fixed by the design (:data:`semxhs.power.batch.BLOCK`),
which complete-data ML designs fit together (:mod:`semxhs.power.batch`); blocks are sent to
the workers in chunks (a few per worker) to keep the scheduler's overhead small; a progress
callback hears of every finished block or chunk; Ctrl-C cancels the pending chunks and
closes the cluster this function started.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from semxhs.errors import SpecError
from semxhs.power.analytic import rmsea_power
from semxhs.power.batch import BLOCK, batch_reason, run_block
from semxhs.power.design import PowerDesign, Truth, design_truth
from semxhs.power.replication import Outcome, run_replication
from semxhs.power.results import PowerResult, PowerRow, RmseaPower

__all__ = ["ProgressCallback", "run_power", "summarize"]

ProgressCallback = Callable[[int, int], None]
"""Called with (replications done, replications in all)."""

Job = tuple[int, int, np.random.SeedSequence]


def _run_block(design: PowerDesign, truth: Truth, block: Sequence[Job], batched: bool) -> list[Outcome]:
    """One block of replications: fitted together when the design allows, else one by one."""
    if batched:
        return run_block(design, truth, block)
    return [run_replication(design, truth, n, r, seed) for n, r, seed in block]


def _run_chunk(design: PowerDesign, truth: Truth, blocks: Sequence[Sequence[Job]],
               batched: bool = False) -> list[Outcome]:
    return [o for block in blocks for o in _run_block(design, truth, block, batched)]


def _jobs(design: PowerDesign) -> list[Job]:
    children = np.random.SeedSequence(design.seed).spawn(len(design.ns) * design.reps)
    return [(n, r, children[i * design.reps + r]) for i, n in enumerate(design.ns) for r in range(design.reps)]


def _blocks(design: PowerDesign, jobs: list[Job]) -> list[list[Job]]:
    """The jobs in blocks of at most :data:`BLOCK` replications of one sample size (fixed by the design)."""
    reps = design.reps
    return [jobs[i * reps + k:i * reps + min(k + BLOCK, reps)]
            for i in range(len(design.ns)) for k in range(0, reps, BLOCK)]


def _chunks(blocks: list[list[Job]], size: int) -> list[list[list[Job]]]:
    """Whole blocks, about ``size`` replications per chunk (at least one block)."""
    chunks: list[list[list[Job]]] = [[]]
    count = 0
    for block in blocks:
        if chunks[-1] and count + len(block) > size:
            chunks.append([])
            count = 0
        chunks[-1].append(block)
        count += len(block)
    return chunks


def summarize(design: PowerDesign, truth: Truth, outcomes: Sequence[Outcome]) -> tuple[PowerRow, ...]:
    """Power, bias, coverage and convergence per sample size and target (over converged replications)."""
    rows = []
    for n in design.ns:
        at_n = [o for o in outcomes if o.n == n]
        ok = [o for o in at_n if o.converged]
        conv = len(ok) / len(at_n) if at_n else math.nan
        improper = sum(o.improper for o in ok) / len(ok) if ok else math.nan
        for k, t in enumerate(truth.targets):
            if ok:
                est = np.array([o.est[k] for o in ok])
                power = float(np.mean([o.significant[k] for o in ok]))
                coverage = float(np.mean([o.covered[k] for o in ok]))
                mean_est = float(np.mean(est))
            else:
                power = coverage = mean_est = math.nan
            rows.append(PowerRow(n, t.lhs, t.op, t.rhs, t.label, t.true, power, mean_est - t.true, coverage,
                                 conv, len(at_n), mean_est, improper))
    return tuple(rows)


def run_power(design: PowerDesign, *, workers: int = 1, scheduler: str | None = None,
              progress: ProgressCallback | None = None, chunk: int | None = None, batch: bool = True) -> PowerResult:
    """Run a Monte Carlo power study.

    Parameters
    ----------
    design : PowerDesign
        Population and analysis models, sample sizes, replications, seed, options.
    workers : int
        With no ``scheduler``: 1 runs in this process; more starts a local Dask cluster of
        that many single-threaded worker processes on 127.0.0.1 (stopped at the end).
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``): the work goes there.
    progress : callable, optional
        ``progress(done, total)`` after each finished block (batched), replication (serial, one by
        one) or chunk (Dask).
    chunk : int, optional
        Replications per task (default: about four tasks per worker and sample size), rounded
        to whole blocks of :data:`~semxhs.power.batch.BLOCK` replications of one sample size.
    batch : bool
        Fit the replications of a block together where the design allows it (complete-data ML,
        Wald/delta-method tests; :func:`~semxhs.power.batch.batch_reason`); False fits each alone
        (the same numbers within the optimizer's tolerance, many times slower).

    Returns
    -------
    PowerResult

    Examples
    --------
    >>> d = PowerDesign("y ~ 0.4*x", "y ~ x", ns=(50, 100), reps=20, seed=1)
    >>> res = run_power(d)
    >>> [(r.n, r.power >= 0.5) for r in res.rows]
    [(50, True), (100, True)]
    """
    if workers < 1:
        raise SpecError(f"--workers must be at least 1 (received {workers})")
    start = time.perf_counter()
    truth = design_truth(design)
    jobs = _jobs(design)
    total = len(jobs)
    blocks = _blocks(design, jobs)
    batched = batch and batch_reason(design, truth) is None
    outcomes: list[Outcome] = []
    if scheduler is None and workers == 1:
        for block in blocks:  # a batched block at once, otherwise one replication at a time
            for part in ([block] if batched else [[job] for job in block]):
                outcomes.extend(_run_block(design, truth, part, batched))
                if progress is not None:
                    progress(len(outcomes), total)
    else:
        size = chunk or max(1, math.ceil(design.reps / (4 * max(workers, 2))))
        outcomes = _run_dask(design, truth, _chunks(blocks, size), batched, workers, scheduler, progress, total)
    outcomes.sort(key=lambda o: (design.ns.index(o.n), o.replication))
    rmsea = tuple(RmseaPower(n, truth.df, rmsea_power(n, truth.df, 0.05, 0.08, design.alpha),
                             rmsea_power(n, truth.df, 0.05, 0.01, design.alpha)) for n in design.ns)
    return PowerResult(
        population=design.population, analysis=design.analysis, ns=design.ns, reps=design.reps, seed=design.seed,
        alpha=design.alpha, missing=design.missing, skew=design.skew, kurtosis=design.kurtosis, ci=design.ci,
        bootstrap=design.bootstrap, rows=summarize(design, truth, outcomes), rmsea=rmsea,
        seconds=time.perf_counter() - start, workers=workers, scheduler=scheduler,
    )


@contextmanager
def _interrupt_noted() -> Iterator[Callable[[], bool]]:
    """While Dask runs in this process, Ctrl-C is noted (and acted on at the next poll), not raised.

    A KeyboardInterrupt raised wherever the main thread happens to be can land in one of
    distributed's garbage-collector callbacks, where Python prints and swallows it: the press
    would be lost and the run would go on. Yields ``pressed()``; outside the main thread, or with
    Ctrl-C ignored (a background job), nothing changes.
    """
    pressed = threading.Event()
    installed = False
    previous: Any = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.getsignal(signal.SIGINT)
        if previous is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, lambda signum, frame: pressed.set())
            installed = True
    try:
        yield pressed.is_set
    finally:
        if installed:
            signal.signal(signal.SIGINT, previous)


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore Ctrl-C for the block (main thread only): processes started meanwhile inherit the ignoring."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _worker_start_method() -> str:
    """How the local cluster starts its workers: from a fork server that ignores Ctrl-C, where there is one.

    A terminal's Ctrl-C goes to the whole process group. Workers that took it too would each
    die with a traceback of their own, or the cluster would fail to start; ignoring it, they
    are stopped by this process, which closes the cluster. "Ignore" is the one disposition a
    process inherits through ``exec``, and a fork server started with it passes it on to every
    worker it forks; so only the milliseconds of starting the fork server ignore Ctrl-C here.
    (Without a fork server -- Windows -- the workers are spawned and take Ctrl-C themselves.)
    """
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        return "spawn"
    from multiprocessing import forkserver

    # the workers start with the replication code imported
    multiprocessing.get_context("forkserver").set_forkserver_preload(["distributed", "semxhs.power.batch"])
    with _sigint_ignored():
        forkserver.ensure_running()
    return "forkserver"


def _run_dask(design: PowerDesign, truth: Truth, chunks: list[list[list[Job]]], batched: bool, workers: int,
              scheduler: str | None, progress: ProgressCallback | None, total: int) -> list[Outcome]:
    with _interrupt_noted() as pressed:
        client, cluster = _connect(workers, scheduler)
        try:
            futures = [client.submit(_run_chunk, design, truth, c, batched, pure=False) for c in chunks]
            outcomes: list[Outcome] = []
            pending = list(futures)
            while pending:
                if pressed():
                    client.cancel(futures)
                    raise KeyboardInterrupt
                finished = [f for f in pending if f.done()]
                if not finished:
                    time.sleep(0.05)
                    continue
                for future in finished:
                    pending.remove(future)
                    outcomes.extend(future.result())
                    if progress is not None:
                        progress(len(outcomes), total)
            return outcomes
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _connect(workers: int, scheduler: str | None) -> tuple[Any, Any]:
    """A client of a new local cluster (``workers`` single-threaded processes on 127.0.0.1) or of ``scheduler``."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            return Client(scheduler, timeout="10s"), None
        except (OSError, TimeoutError) as exc:
            raise SpecError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})") from None
    import dask

    with dask.config.set({"distributed.worker.multiprocessing-method": _worker_start_method()}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=50)
    try:
        client = Client(cluster)
    except BaseException:
        cluster.close()
        raise
    return client, cluster

"""The PROCESS bootstrap statistic: every OLS equation refitted on a block of resamples at once.

Resampling, failed-draw bookkeeping, progress and intervals are
:mod:`semxhs.resample.engine`'s, shared with the SEM bootstrap and HTMT: all resample
indices are drawn up front from one ``numpy.random.default_rng(seed)`` as a ``(draws, n)``
integer array (:func:`~semxhs.resample.engine.resample_indices`), and
:func:`~semxhs.resample.engine.run_replicates` hands blocks of them to the statistic here.
A resample's normal equations only need how often each row was drawn, so each block of
index rows becomes a ``(block, n)`` count matrix and every equation's ``X'X`` and ``X'y``
for the whole block are two matrix products with the per-row outer products ``x_i x_i'``
and ``x_i y_i``; the ``(block, k, k)`` systems are then solved together with
``numpy.linalg.solve``. The numbers are those of refitting OLS on each resample.

A draw whose design is singular in any equation (for example a dichotomous moderator
that takes only one value in the resample) is marked as failed, counted and kept as NaN,
never silently dropped (lavaan's ``lav_bootstrap.R`` keeps failed draws as NA too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from semxhs.resample import engine

#: Bytes one block's count matrix may take; bounds memory for large n or many draws.
CHUNK_BYTES = 32 * 2**20

#: Smallest eigenvalue of a resample's scaled X'X below which the draw counts as failed.
SINGULAR_TOL = 1e-10


def batch_ols(X: np.ndarray, y: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS coefficients of every resample given by a row of ``counts``.

    Parameters
    ----------
    X : ndarray, shape (n, k)
    y : ndarray, shape (n,)
    counts : ndarray, shape (draws, n)

    Returns
    -------
    coef : ndarray, shape (draws, k)
        NaN in the rows of failed (singular) draws.
    ok : ndarray of bool, shape (draws,)

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    >>> y = np.array([1.0, 3.0, 5.0, 7.0])
    >>> coef, ok = batch_ols(X, y, np.array([[1.0, 1.0, 1.0, 1.0], [4.0, 0.0, 0.0, 0.0]]))
    >>> coef[0], ok
    (array([1., 2.]), array([ True, False]))
    """
    n, k = X.shape
    outer = (X[:, :, None] * X[:, None, :]).reshape(n, k * k)
    xtx = (counts @ outer).reshape(-1, k, k)
    xty = counts @ (X * y[:, None])
    d = np.sqrt(np.einsum("bii->bi", xtx))
    ok = np.all(d > 0, axis=1)
    safe_d = np.where(d > 0, d, 1.0)
    scaled = xtx / (safe_d[:, :, None] * safe_d[:, None, :])
    ok &= np.linalg.eigvalsh(scaled)[:, 0] > SINGULAR_TOL
    coef = np.full((counts.shape[0], k), np.nan)
    if ok.any():
        # solve the scaled system: better conditioned, same solution after unscaling
        sol = np.linalg.solve(scaled[ok], (xty[ok] / safe_d[ok])[:, :, None])[:, :, 0]
        coef[ok] = sol / safe_d[ok]
    return coef, ok


@dataclass(frozen=True)
class BootstrapDraws:
    """Coefficients of every equation in every draw, and which draws failed."""

    coefs: tuple[np.ndarray, ...]
    ok: np.ndarray
    sds: np.ndarray

    @property
    def failed(self) -> np.ndarray:
        """Indices (0-based) of the failed draws."""
        return np.flatnonzero(~self.ok)


def weighted_sd(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Standard deviation (``ddof=1``) of each column of ``values`` in each resample.

    Examples
    --------
    >>> v = np.array([[1.0], [2.0], [3.0]])
    >>> weighted_sd(v, np.array([[1.0, 1.0, 1.0], [0.0, 3.0, 0.0]]))
    array([[1.],
           [0.]])
    """
    n = counts.sum(axis=1, keepdims=True)
    mean = counts @ values / n
    ss = counts @ (values**2) - n * mean**2
    return np.sqrt(np.maximum(ss, 0.0) / (n - 1.0))


def bootstrap_ols(systems: Sequence[tuple[np.ndarray, np.ndarray]], indices: np.ndarray,
                  sd_columns: np.ndarray | None = None, chunk_size: int | None = None,
                  progress: engine.ProgressCallback | None = None) -> BootstrapDraws:
    """Refit every equation on every resample of ``indices``, in blocks of draws.

    Parameters
    ----------
    systems : sequence of (X, y)
        One design and outcome per equation, all on the same ``n`` rows.
    indices : ndarray of int, shape (draws, n)
        From :func:`semxhs.resample.engine.resample_indices`.
    sd_columns : ndarray, shape (n, p), optional
        Columns whose resample standard deviations are wanted (for standardized effects).
    chunk_size : int, optional
        Draws per block; by default as many as fit in :data:`CHUNK_BYTES`.
    progress : callable, optional
        ``progress(done, total)`` after every block.

    Returns
    -------
    BootstrapDraws

    Examples
    --------
    >>> from semxhs.resample.engine import resample_indices
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=50); y = 1 + 2 * x + rng.normal(size=50)
    >>> X = np.column_stack([np.ones(50), x])
    >>> out = bootstrap_ols([(X, y)], resample_indices(50, 200, seed=1))
    >>> out.coefs[0].shape, int(out.ok.sum())
    ((200, 2), 200)
    """
    draws, n = indices.shape
    if chunk_size is None:
        chunk_size = max(1, CHUNK_BYTES // (8 * max(n, 1)))
    widths = [X.shape[1] for X, _ in systems]
    p = 0 if sd_columns is None else sd_columns.shape[1]

    def statistic(block: np.ndarray) -> engine.BlockResult:
        counts = engine.resample_counts(block, n)
        ok = np.ones(block.shape[0], dtype=bool)
        parts = []
        for X, y in systems:
            coef, good = batch_ols(X, y, counts)
            parts.append(coef)
            ok &= good
        parts.append(weighted_sd(sd_columns, counts) if sd_columns is not None else np.zeros((block.shape[0], 0)))
        return engine.BlockResult(np.concatenate(parts, axis=1), np.where(ok, engine.OK, engine.ERROR))

    rep = engine.run_replicates(statistic, indices, progress=progress, block_size=chunk_size)
    bounds = np.cumsum([0, *widths, p])
    coefs = tuple(rep.values[:, bounds[i]:bounds[i + 1]] for i in range(len(widths)))
    return BootstrapDraws(coefs, ~rep.failed_mask, rep.values[:, bounds[-2]:bounds[-1]])

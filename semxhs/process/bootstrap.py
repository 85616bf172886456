"""Vectorized nonparametric bootstrap of a set of OLS equations; knows nothing of PROCESS.

All resample indices are drawn up front from one ``numpy.random.Generator`` as a
``(draws, n)`` integer array (:func:`draw_indices`). A resample's normal equations only
need how often each row was drawn, so each chunk of index rows becomes a ``(chunk, n)``
count matrix and every equation's ``X'X`` and ``X'y`` for the whole chunk are two matrix
products with the per-row outer products ``x_i x_i'`` and ``x_i y_i``; the ``(chunk, k, k)``
systems are then solved together with ``numpy.linalg.solve``. The numbers are those of
refitting OLS on each resample.

A draw whose design is singular in any equation (for example a dichotomous moderator
that takes only one value in the resample) is marked as failed, counted and kept as NaN,
never silently dropped (lavaan's ``lav_bootstrap.R`` keeps failed draws as NA too).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Bytes one chunk's count matrix may take; bounds memory for large n or many draws.
CHUNK_BYTES = 32 * 2**20

#: Smallest eigenvalue of a resample's scaled X'X below which the draw counts as failed.
SINGULAR_TOL = 1e-10


def draw_indices(rng: np.random.Generator, n: int, draws: int) -> np.ndarray:
    """Row indices of every resample, drawn at once: shape ``(draws, n)``.

    Examples
    --------
    >>> idx = draw_indices(np.random.default_rng(1), 5, 3)
    >>> idx.shape, int(idx.min()) >= 0, int(idx.max()) < 5
    ((3, 5), True, True)
    """
    return rng.integers(0, n, size=(draws, n))


def counts_from_indices(indices: np.ndarray, n: int) -> np.ndarray:
    """How often each row appears in each resample: shape ``(draws, n)``, rows sum to ``n``.

    Examples
    --------
    >>> counts_from_indices(np.array([[0, 0, 2], [1, 2, 2]]), 3)
    array([[2., 0., 1.],
           [0., 1., 2.]])
    """
    draws = indices.shape[0]
    flat = (indices + n * np.arange(draws)[:, None]).ravel()
    return np.bincount(flat, minlength=draws * n).reshape(draws, n).astype(float)


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
                  progress: bool = False) -> BootstrapDraws:
    """Refit every equation on every resample of ``indices``, in chunks of draws.

    Parameters
    ----------
    systems : sequence of (X, y)
        One design and outcome per equation, all on the same ``n`` rows.
    indices : ndarray of int, shape (draws, n)
        From :func:`draw_indices`.
    sd_columns : ndarray, shape (n, p), optional
        Columns whose resample standard deviations are wanted (for standardized effects).
    chunk_size : int, optional
        Draws per chunk; by default as many as fit in :data:`CHUNK_BYTES`.
    progress : bool
        Write one line per chunk to standard error.

    Returns
    -------
    BootstrapDraws

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=50); y = 1 + 2 * x + rng.normal(size=50)
    >>> X = np.column_stack([np.ones(50), x])
    >>> out = bootstrap_ols([(X, y)], draw_indices(rng, 50, 200))
    >>> out.coefs[0].shape, int(out.ok.sum())
    ((200, 2), 200)
    """
    draws, n = indices.shape
    if chunk_size is None:
        chunk_size = max(1, CHUNK_BYTES // (8 * max(n, 1)))
    coefs = [np.full((draws, X.shape[1]), np.nan) for X, _ in systems]
    ok = np.ones(draws, dtype=bool)
    p = 0 if sd_columns is None else sd_columns.shape[1]
    sds = np.full((draws, p), np.nan)
    for start in range(0, draws, chunk_size):
        stop = min(draws, start + chunk_size)
        counts = counts_from_indices(indices[start:stop], n)
        for j, (X, y) in enumerate(systems):
            coef, good = batch_ols(X, y, counts)
            coefs[j][start:stop] = coef
            ok[start:stop] &= good
        if sd_columns is not None:
            sds[start:stop] = weighted_sd(sd_columns, counts)
        if progress:
            print(f"bootstrap: {stop}/{draws} draws", file=sys.stderr)
    for c in coefs:
        c[~ok] = np.nan
    sds[~ok] = np.nan
    return BootstrapDraws(tuple(coefs), ok, sds)


def percentile_interval(values: np.ndarray, conf: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the finite values (numpy's default linear quantile).

    Examples
    --------
    >>> percentile_interval(np.arange(101.0), 0.9)
    (5.0, 95.0)
    """
    v = values[np.isfinite(values)]
    if v.size == 0:
        return (float("nan"), float("nan"))
    lo, hi = np.quantile(v, [0.5 - conf / 2.0, 0.5 + conf / 2.0])
    return (float(lo), float(hi))


def boot_se(values: np.ndarray) -> float:
    """Standard deviation (``ddof=1``) of the finite draws.

    Examples
    --------
    >>> boot_se(np.array([1.0, 2.0, 3.0, np.nan]))
    1.0
    """
    v = values[np.isfinite(values)]
    return float(v.std(ddof=1)) if v.size > 1 else float("nan")

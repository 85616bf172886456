r"""Discriminant validity: Fornell–Larcker table, HTMT, HTMT2 and bootstrap intervals of HTMT.

HTMT of constructs *i* and *j* (Henseler, Ringle & Sarstedt 2015) is the mean
heterotrait-heteromethod correlation over the geometric mean of the two mean
monotrait-heteromethod correlations:

.. math::

    \mathrm{HTMT}_{ij} = \frac{\bar r_{ij}}{\sqrt{\bar r_{ii}\,\bar r_{jj}}},

with :math:`\bar r_{ij}` the mean correlation of an item of *i* with an item of *j*
and :math:`\bar r_{ii}` the mean correlation among distinct items of *i*. HTMT uses
arithmetic means; HTMT2 (Roemer, Schuberth & Henseler 2021) uses geometric means,
which are defined only for positive correlations and which relax HTMT's
assumption of tau-equivalent items.

Like ``semTools::htmt`` (default ``absolute = TRUE``) and SmartPLS, absolute item
correlations are used by default, so a forgotten reverse-keyed item does not
produce a negative HTMT; :func:`negative_correlations` lists the item pairs this hides.

References
----------
Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. *Journal of Marketing Research, 18*, 39–50.
Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling.
    *Journal of the Academy of Marketing Science, 43*, 115–135.
Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 – an improved criterion for
    assessing discriminant validity in structural equation modeling.
    *Industrial Management & Data Systems, 121*, 2637–2650.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from typing import cast

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from semxhs.errors import DataError, name_list
from semxhs.measurement.blocks import item_matrix
from semxhs.measurement.results import HtmtBootstrap, HtmtInterval
from semxhs.resample import engine as resample

__all__ = [
    "fornell_larcker",
    "htmt",
    "htmt2",
    "htmt_array",
    "htmt_bootstrap",
    "negative_correlations",
]

# Memory of the HTMT bootstrap (see htmt_bootstrap's Notes): bounded whatever n is.
#: Resample counts held at once (draws per block × rows, float64: 8 bytes each).
_COUNT_ELEMENTS = 20_000_000
#: At most this many draws per block (small n).
_BLOCK_DRAWS = 256
#: Resample indices drawn at once while counting (draws × rows, int64).
_INDEX_ELEMENTS = 1_000_000
#: Rows × columns of one chunk of cross-product columns (2 MB: stays in cache for the product).
_ROW_CHUNK_ELEMENTS = 262_144
#: Cross-product columns of all rows are kept for the whole run up to this many elements,
#: otherwise each chunk is formed again for every block of draws.
_KEEP_ELEMENTS = 8_000_000
#: An item whose resample variance is below this share of its sample variance is checked
#: exactly (are all its resampled values equal?) and its correlations recomputed centred.
_SMALL_VARIANCE = 1e-8
#: Threads summing the products over chunks of rows (fixed: the numbers must not depend on the machine).
_THREADS = 2
#: Exact single-precision sums for whole-number answers (off: always double precision).
_EXACT_SINGLE = True


def _index_blocks(labels: Sequence[str], blocks: Mapping[str, Sequence[str]], argument: str) -> list[np.ndarray]:
    pos = {str(lab): k for k, lab in enumerate(labels)}
    out = []
    for factor, items in blocks.items():
        missing = [i for i in items if i not in pos]
        if missing:
            raise DataError(f"{argument}: items of block '{factor}' not in the correlation matrix: {name_list(missing)}")
        if len(items) < 2:
            raise DataError(f"blocks: HTMT needs at least 2 items per block; block '{factor}' has {len(items)}")
        out.append(np.array([pos[i] for i in items], dtype=int))
    return out


def htmt_array(
    corr: np.ndarray,
    index_blocks: Sequence[np.ndarray],
    *,
    geometric: bool = False,
    absolute: bool = True,
) -> np.ndarray:
    """HTMT (or HTMT2 with ``geometric=True``) of correlation matrices given item positions.

    The vectorized core of :func:`htmt`, :func:`htmt2` and :func:`htmt_bootstrap`.

    Parameters
    ----------
    corr : ndarray, shape (..., p, p)
        One correlation matrix or a stack of them (e.g. one per bootstrap draw).
    index_blocks : sequence of int arrays
        Positions in ``corr`` of each construct's items (at least two each).
    geometric : bool, default False
        Geometric means (HTMT2) instead of arithmetic means (HTMT).
    absolute : bool, default True
        Use absolute correlations. With ``geometric=True`` and ``absolute=False`` a
        non-positive correlation gives ``nan``.

    Returns
    -------
    ndarray, shape (..., m, m)
        Symmetric, ones on the diagonal.

    Examples
    --------
    >>> r = np.full((4, 4), 0.3) + np.diag([0.7] * 4)
    >>> r[0, 1] = r[1, 0] = r[2, 3] = r[3, 2] = 0.6
    >>> htmt_array(r, [np.array([0, 1]), np.array([2, 3])])
    array([[1. , 0.5],
           [0.5, 1. ]])
    """
    r = np.abs(corr) if absolute else np.asarray(corr, dtype=float)
    if geometric:
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.log(r)
    m = len(index_blocks)
    within = []
    for idx in index_blocks:
        sub = r[..., idx[:, None], idx[None, :]]
        iu = np.triu_indices(len(idx), k=1)
        within.append(sub[..., iu[0], iu[1]].mean(axis=-1))
    out = np.ones(r.shape[:-2] + (m, m))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        for a in range(m):
            for b in range(a + 1, m):
                het = r[..., index_blocks[a][:, None], index_blocks[b][None, :]].mean(axis=(-2, -1))
                if geometric:
                    value = np.exp(het - 0.5 * (within[a] + within[b]))
                else:
                    value = het / np.sqrt(within[a] * within[b])
                out[..., a, b] = value
                out[..., b, a] = value
    return out


def _as_labelled_corr(corr: pd.DataFrame | ArrayLike, labels: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    if isinstance(corr, pd.DataFrame):
        if list(map(str, corr.index)) != list(map(str, corr.columns)):
            raise DataError("corr: the row and column labels of the correlation matrix differ")
        return corr.to_numpy(dtype=float), [str(c) for c in corr.columns]
    arr = np.asarray(corr, dtype=float)
    if labels is None:
        raise DataError("labels: an unlabelled correlation array needs labels=[item names]")
    if arr.ndim != 2 or arr.shape != (len(labels), len(labels)):
        raise DataError(f"corr: expected a {len(labels)}x{len(labels)} matrix for {len(labels)} labels, got shape {arr.shape}")
    return arr, [str(lab) for lab in labels]


def htmt(
    corr: pd.DataFrame | ArrayLike,
    blocks: Mapping[str, Sequence[str]],
    *,
    labels: Sequence[str] | None = None,
    absolute: bool = True,
) -> pd.DataFrame:
    """Heterotrait-monotrait ratio of correlations (Henseler et al. 2015), arithmetic means.

    Parameters
    ----------
    corr : DataFrame or array_like
        Item correlation matrix, labelled, or unlabelled with ``labels``.
    blocks : mapping of str to sequence of str
        ``{factor: [items]}``, at least two items each.
    labels : sequence of str, optional
        Item names of an unlabelled ``corr``.
    absolute : bool, default True
        Use absolute correlations, as ``semTools::htmt`` and SmartPLS do.

    Returns
    -------
    pandas.DataFrame
        Constructs × constructs, ones on the diagonal; equals ``semTools::htmt(model,
        data, htmt2 = FALSE)``.

    Examples
    --------
    >>> r = pd.DataFrame(np.full((4, 4), 0.3) + np.diag([0.7] * 4), index=list("abcd"), columns=list("abcd"))
    >>> r.loc["a", "b"] = r.loc["b", "a"] = 0.6
    >>> r.loc["c", "d"] = r.loc["d", "c"] = 0.6
    >>> htmt(r, {"F": ["a", "b"], "G": ["c", "d"]})
         F    G
    F  1.0  0.5
    G  0.5  1.0
    """
    arr, lab = _as_labelled_corr(corr, labels)
    idx = _index_blocks(lab, blocks, "corr")
    names = [str(f) for f in blocks]
    return pd.DataFrame(htmt_array(arr, idx, absolute=absolute), index=names, columns=names)


def htmt2(
    corr: pd.DataFrame | ArrayLike,
    blocks: Mapping[str, Sequence[str]],
    *,
    labels: Sequence[str] | None = None,
    absolute: bool = True,
) -> pd.DataFrame:
    r"""HTMT2 (Roemer, Schuberth & Henseler 2021): HTMT with geometric means.

    .. math::

        \mathrm{HTMT2}_{ij} = \frac{\bigl(\prod r_{i\cdot j\cdot}\bigr)^{1/(K_iK_j)}}
        {\sqrt{\bigl(\prod r_{i\cdot i\cdot}\bigr)^{2/(K_i(K_i-1))}
               \bigl(\prod r_{j\cdot j\cdot}\bigr)^{2/(K_j(K_j-1))}}}

    Geometric means need positive correlations. With ``absolute=True`` (default, as
    ``semTools::htmt(htmt2 = TRUE)``, which always takes absolute values) signs are
    dropped; with ``absolute=False`` a non-positive correlation raises.

    Raises
    ------
    DataError
        If ``absolute=False`` and some correlation used is ≤ 0, naming the item pairs.

    Examples
    --------
    >>> r = pd.DataFrame(np.full((4, 4), 0.3) + np.diag([0.7] * 4), index=list("abcd"), columns=list("abcd"))
    >>> r.loc["a", "b"] = r.loc["b", "a"] = 0.6
    >>> r.loc["c", "d"] = r.loc["d", "c"] = 0.6
    >>> round(float(htmt2(r, {"F": ["a", "b"], "G": ["c", "d"]}).loc["F", "G"]), 12)
    0.5
    """
    arr, lab = _as_labelled_corr(corr, labels)
    idx = _index_blocks(lab, blocks, "corr")
    if not absolute:
        used = np.concatenate(idx)
        bad = [
            f"{lab[a]}~{lab[b]}"
            for ai, a in enumerate(used)
            for b in used[ai + 1:]
            if arr[a, b] <= 0
        ]
        if bad:
            raise DataError(
                "htmt2: geometric means need positive item correlations; non-positive: "
                f"{name_list(bad)} (reverse-key negatively worded items, or use absolute=True)"
            )
    names = [str(f) for f in blocks]
    return pd.DataFrame(htmt_array(arr, idx, geometric=True, absolute=absolute), index=names, columns=names)


def negative_correlations(corr: pd.DataFrame, blocks: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Item pairs with a negative correlation, within (``within=True``) or between blocks.

    Within a block a negative correlation usually means an item that should have been
    reverse-keyed (see :func:`semxhs.measurement.reverse_key`).

    Returns
    -------
    pandas.DataFrame
        Columns ``lhs, rhs, r, within`` (lhs/rhs are items).

    Examples
    --------
    >>> r = pd.DataFrame([[1, -0.2, 0.3], [-0.2, 1, 0.1], [0.3, 0.1, 1]], index=list("abc"), columns=list("abc"))
    >>> negative_correlations(r, {"F": ["a", "b"], "G": ["c"]})
      lhs rhs    r  within
    0   a   b -0.2    True
    """
    owner = {i: f for f, items in blocks.items() for i in items}
    items = [i for i in map(str, corr.columns) if i in owner]
    rows = []
    for a_pos, a in enumerate(items):
        for b in items[a_pos + 1:]:
            value = float(corr.loc[a, b])
            if value < 0:
                rows.append({"lhs": a, "rhs": b, "r": value, "within": owner[a] == owner[b]})
    return pd.DataFrame(rows, columns=["lhs", "rhs", "r", "within"])


def fornell_larcker(ave: Mapping[str, float], latent_corr: pd.DataFrame) -> pd.DataFrame:
    r"""Fornell–Larcker (1981) table: √AVE on the diagonal, latent correlations off it.

    Discriminant validity holds for constructs *i*, *j* when
    :math:`\sqrt{AVE_i} > |\phi_{ij}|` and :math:`\sqrt{AVE_j} > |\phi_{ij}|`.

    Parameters
    ----------
    ave : mapping of str to float
        ``{factor: AVE}``; the table has these factors, in this order.
    latent_corr : pandas.DataFrame
        Latent (factor) correlation matrix labelled by factor; may hold more factors.

    Raises
    ------
    DataError
        Naming factors of ``ave`` missing from ``latent_corr``.

    Examples
    --------
    >>> phi = pd.DataFrame([[1, 0.4], [0.4, 1]], index=["F", "G"], columns=["F", "G"])
    >>> fornell_larcker({"F": 0.64, "G": 0.49}, phi)
         F    G
    F  0.8  0.4
    G  0.4  0.7
    """
    names = [str(f) for f in ave]
    if not isinstance(latent_corr, pd.DataFrame):
        raise DataError(f"latent_corr: expected a labelled pandas DataFrame, got {type(latent_corr).__name__}")
    rows = set(map(str, latent_corr.index))
    cols = set(map(str, latent_corr.columns))
    missing = [f for f in names if f not in rows or f not in cols]
    if missing:
        raise DataError(f"latent_corr: factors not in the latent correlation matrix: {name_list(missing)}")
    phi = latent_corr.copy()
    phi.index = phi.index.map(str)
    phi.columns = phi.columns.map(str)
    table = phi.loc[names, names].astype(float).copy()
    for f in names:
        table.loc[f, f] = float(np.sqrt(ave[f])) if ave[f] >= 0 else np.nan
    return table


def htmt_bootstrap(
    data: pd.DataFrame | ArrayLike,
    blocks: Mapping[str, Sequence[str]],
    draws: int,
    seed: int | np.random.Generator | None = None,
    *,
    level: float = 0.95,
    absolute: bool = True,
    labels: Sequence[str] | None = None,
) -> HtmtBootstrap:
    r"""Percentile bootstrap intervals of HTMT for every pair of constructs.

    Rows are resampled with replacement: the resamples are the rows of
    ``resample_indices(n, draws, np.random.default_rng(seed))`` of
    :mod:`semxhs.resample.engine` (the one bootstrap engine), drawn a few at a time from
    that one stream (:func:`~semxhs.resample.engine.resample_index_blocks`), so a given seed
    gives the same resamples however the work is split. Intervals are the ``(1−level)/2``
    and ``(1+level)/2`` quantiles (numpy's default linear interpolation,
    :func:`~semxhs.resample.engine.quantile_interval`) of the valid draws; a draw is failed
    (and listed) when an item has no variance in it. Testing HTMT < .85 or < .90 as
    SmartPLS does means checking the interval's upper end (Henseler et al. 2015,
    "HTMT_inference").

    Parameters
    ----------
    data : DataFrame or array_like
        Listwise-complete item responses (rows are respondents).
    blocks : mapping of str to sequence of str
        ``{factor: [items]}``, at least two items each.
    draws : int
        Number of bootstrap resamples (≥ 1; 2000–5000 for reporting).
    seed : int, Generator or None
        Seed of ``np.random.default_rng``. With ``None`` a fresh seed is drawn and
        recorded in the result so the run can be repeated; with a Generator the
        recorded seed is ``None``.
    level : float, default 0.95
    absolute : bool, default True
        Absolute item correlations, as in :func:`htmt`.
    labels : sequence of str, optional
        Column names of an array ``data``.

    Notes
    -----
    A resample's covariance matrix depends on the data only through how often it holds
    each row: with counts :math:`c` (``np.bincount`` of its indices) it is
    :math:`\sum_k c_k x_k x_k'/n - \bar x\bar x'`. Each block of draws forms its counts and
    multiplies them by the rows' cross-product columns (:func:`cross_product_columns`,
    one BLAS matrix product per chunk of rows), so no per-draw ``n × p`` copy exists:
    memory is the data plus fixed budgets (counts of one block, ~160 MB at most, and
    2 MB chunks), whatever ``n``, and time is ``draws × n × (p + p(p+1)/2)`` multiply-adds
    plus drawing and counting the indices. Whole-number answers (Likert items) are summed
    in single precision while the sums are exact integers there (below 2**24), which
    halves time and memory without changing a digit. An item whose variance in a draw is near zero
    is checked exactly (a constant item fails the draw, as before) and that draw's
    correlations are recomputed centred. The intervals equal those of the earlier
    version, which held all ``draws × n`` indices and copied each resample, to rounding
    (a regression test keeps them).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(300, 2))
    >>> x = np.repeat(f, 2, axis=1) + rng.normal(size=(300, 4))
    >>> df = pd.DataFrame(x, columns=["a1", "a2", "b1", "b2"])
    >>> res = htmt_bootstrap(df, {"A": ["a1", "a2"], "B": ["b1", "b2"]}, draws=200, seed=7)
    >>> res.draws, res.seed, res.failed
    (200, 7, ())
    >>> iv = res.intervals[0]
    >>> bool(iv.ci_lower < iv.estimate < iv.ci_upper)
    True
    """
    if isinstance(data, pd.DataFrame):
        lab = [str(c) for c in data.columns]
        frame = data
    else:
        if labels is None:
            raise DataError("labels: an array of data needs labels=[column names]")
        lab = [str(name) for name in labels]
        frame = pd.DataFrame(np.asarray(data, dtype=float), columns=lab)
    if int(draws) != draws or draws < 1:
        raise DataError(f"draws: expected a positive whole number of bootstrap draws, got {draws}")
    if not 0 < level < 1:
        raise DataError(f"level: expected a confidence level between 0 and 1, got {level}")
    draws = int(draws)
    items = [i for its in blocks.values() for i in its]
    missing = [i for i in items if i not in lab]
    if missing:
        raise DataError(f"blocks: items not in the data: {name_list(missing)}")
    x = item_matrix(frame, items)
    n, p = x.shape
    idx_blocks = _index_blocks(items, blocks, "data")
    names = [str(f) for f in blocks]

    if isinstance(seed, np.random.Generator):
        rng, recorded = seed, None
    else:
        recorded = resample.fresh_seed() if seed is None else int(seed)
        rng = np.random.default_rng(recorded)

    estimate = htmt_array(np.corrcoef(x, rowvar=False), idx_blocks, absolute=absolute)
    m = len(names)
    pairs = [(a, b) for a in range(m) for b in range(a + 1, m)]
    upper = np.array(pairs, dtype=int).reshape(-1, 2).T
    corr = _resample_correlations(x, draws, rng)
    values = np.empty((draws, len(pairs)))
    status = np.empty(draws, dtype=int)
    for start, r in corr:
        boot = htmt_array(r, idx_blocks, absolute=absolute)
        stop = start + len(r)
        values[start:stop] = boot[:, upper[0], upper[1]]  # (c, pairs): the upper triangle, row by row
        status[start:stop] = np.where(np.isfinite(boot).all(axis=(1, 2)), resample.OK, resample.ERROR)
    rule = resample.RULE_NONCONVERGED
    values[np.isin(status, list(rule.fails))] = np.nan
    rep = resample.Replicates(values=values, status=status, rule=rule)
    failed = rep.failed_draws
    intervals = []
    for k, (a, b) in enumerate(pairs):
        lo, hi = resample.quantile_interval(rep.values[:, k], level)
        intervals.append(HtmtInterval(names[a], names[b], float(estimate[a, b]), lo, hi))
    return HtmtBootstrap(intervals=tuple(intervals), draws=draws, seed=recorded, level=level, failed=failed)


def cross_product_columns(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    r"""Each row's items and products of items: :math:`[x_i]_{i} \,\|\, [x_i x_j]_{i \le j}`.

    A weighted sum of these columns over rows (weights = how often a resample holds each
    row) gives that resample's first and second moments: the sufficient statistic of its
    covariance matrix. The products follow ``np.triu_indices(p)`` (row by row).

    Parameters
    ----------
    x : ndarray, shape (n, p)
    out : ndarray, shape (n, p + p(p+1)/2), optional
        Filled in place.

    Examples
    --------
    >>> cross_product_columns(np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([[ 1.,  2.,  1.,  2.,  4.],
           [ 3.,  4.,  9., 12., 16.]])
    """
    n, p = x.shape
    if out is None:
        out = np.empty((n, p + p * (p + 1) // 2), dtype=x.dtype)
    out[:, :p] = x
    col = p
    for i in range(p):
        np.multiply(x[:, i:i + 1], x[:, i:], out=out[:, col:col + p - i])
        col += p - i
    return out


def weighted_correlations(moments: np.ndarray, total: float, p: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Correlation matrices from weighted sums of :func:`cross_product_columns`.

    With :math:`S_1 = \sum_k w_k x_k` and :math:`S_2 = \sum_k w_k x_k x_k'` over rows
    (``total`` :math:`= \sum_k w_k`), the covariance is
    :math:`S_2/W - (S_1/W)(S_1/W)'`; the correlation divides it by the standard deviations.
    Shift the data to (near) their centre first, so that the subtraction loses no digits.

    Returns
    -------
    (corr, var) : ndarray (b, p, p) and (b, p)
        ``corr`` is ``nan``/``inf`` where an item has no variance.

    Examples
    --------
    >>> x = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 5.0]])
    >>> r, v = weighted_correlations(np.ones((1, 3)) @ cross_product_columns(x), 3.0, 2)
    >>> bool(np.allclose(r[0], np.corrcoef(x, rowvar=False)))
    True
    """
    iu = np.triu_indices(p)
    mean = moments[:, :p] / total
    tri = moments[:, p:] / total - mean[:, iu[0]] * mean[:, iu[1]]
    cov = np.empty((len(moments), p, p))
    cov[:, iu[0], iu[1]] = tri
    cov[:, iu[1], iu[0]] = tri
    var = np.diagonal(cov, axis1=1, axis2=2).copy()
    sd = np.sqrt(np.maximum(var, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / (sd[:, :, None] * sd[:, None, :])
    return corr, var


def _resample_correlations(x: np.ndarray, draws: int,
                           rng: np.random.Generator) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(first draw, (b, p, p) correlation matrices)`` block by block.

    The resamples are the rows of ``resample_indices(n, draws, rng)`` (drawn in the same
    order from the same stream, a few at a time); each becomes per-row counts, and the
    block's moments are one matrix product counts @ cross-product columns (BLAS), summed
    over chunks of rows. Memory: the counts of one block and one chunk of columns, fixed
    budgets whatever ``n``; time: ``draws × n × (p + p(p+1)/2)`` multiply-adds.
    """
    n, p = x.shape
    full_var = x.var(axis=0)
    width = p + p * (p + 1) // 2
    # Whole-number answers (Likert items) shifted by a whole number stay whole, and so do
    # their products and count-weighted sums: while every partial sum stays below 2**24
    # (n × the largest |product| bounds them), single precision holds them exactly, at
    # twice the speed and half the memory. The moments are then exact sums, converted to
    # double precision before anything else is computed.
    shifted = x - np.round(x.mean(axis=0))
    largest = float(np.abs(shifted).max(initial=0.0))
    exact_single = (_EXACT_SINGLE and bool(np.all(shifted == np.round(shifted)))
                    and n * max(largest, largest * largest) < 2.0 ** 24)
    dtype = np.float32 if exact_single else np.float64
    # correlations are shift-invariant; data near their centre keep S2/n - m² exact
    base = shifted.astype(dtype) if exact_single else x - x.mean(axis=0)
    del shifted
    scale = 8 // np.dtype(dtype).itemsize  # budgets are in double-precision elements
    block = max(1, min(_BLOCK_DRAWS, draws, scale * _COUNT_ELEMENTS // n))
    sub = max(1, min(block, _INDEX_ELEMENTS // n))
    block -= block % sub  # whole sub-blocks of indices per block of draws
    rows = max(1, _ROW_CHUNK_ELEMENTS // width)
    chunks = [(a, min(a + rows, n)) for a in range(0, n, rows)]
    keep = n * width <= scale * _KEEP_ELEMENTS
    kept = cross_product_columns(base, np.empty((n, width), dtype=dtype)) if keep else None
    # The chunks of rows are split between a fixed number of threads (chunk k to thread
    # k mod _THREADS), each summing its chunks in order, the threads' sums added in order:
    # the same numbers on any machine. BLAS is held to one thread meanwhile: the products
    # are many and small, and a multi-threaded BLAS on shared cores is many times slower.
    parts = [chunks[k::_THREADS] for k in range(_THREADS)]
    scratch = [np.empty((min(rows, n), width), dtype=dtype) for _ in parts]
    counts = np.empty((block, n), dtype=dtype)
    indices = resample.resample_index_blocks(n, draws, rng, sub)

    def part_moments(k: int, c: np.ndarray) -> np.ndarray:
        acc = np.zeros((len(c), width), dtype=dtype)
        for a, b in parts[k]:
            cols = kept[a:b] if kept is not None else cross_product_columns(base[a:b], scratch[k][:b - a])
            acc += c[:, a:b] @ cols
        return acc

    with _one_blas_thread(), ThreadPoolExecutor(_THREADS) as pool:
        for start in range(0, draws, block):
            size = min(block, draws - start)
            filled = 0
            while filled < size:
                idx = next(indices)
                k = len(idx)
                if n >= 4096:  # one draw at a time: its counts stay in cache
                    for row in idx:
                        counts[filled] = np.bincount(row, minlength=n)
                        filled += 1
                else:  # many small draws in one call
                    counts[filled:filled + k] = resample.resample_counts(idx, n)
                    filled += k
            c = counts[:size]
            if len(chunks) == 1:
                moments = part_moments(0, c)
            else:
                sums = list(pool.map(part_moments, range(_THREADS), [c] * _THREADS))
                moments = sums[0]
                for other in sums[1:]:
                    moments += other
            corr, var = weighted_correlations(moments.astype(np.float64), float(n), p)
            for d in np.flatnonzero((var <= _SMALL_VARIANCE * full_var).any(axis=1)):
                corr[d] = _centred_correlation(x, c[d])
            yield start, corr


def _one_blas_thread() -> AbstractContextManager[object]:
    """BLAS held to one thread (threadpoolctl), or nothing when threadpoolctl is missing."""
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - a dependency; only speed depends on it
        return nullcontext()
    return cast(AbstractContextManager[object], threadpool_limits(1, user_api="blas"))


def _centred_correlation(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """One resample's correlations computed centred (for near-constant items), nan if an item is constant."""
    used = weights > 0
    xs = x[used]
    p = x.shape[1]
    if (xs.max(axis=0) == xs.min(axis=0)).any():
        return np.full((p, p), np.nan)
    w = weights[used].astype(np.float64)
    xc = xs - xs.mean(axis=0)  # first near the centre, then exactly at the weighted mean
    xc -= (w @ xc) / w.sum()
    cov = (xc * w[:, None]).T @ xc
    sd = np.sqrt(np.diag(cov))
    return np.asarray(cov / np.outer(sd, sd))

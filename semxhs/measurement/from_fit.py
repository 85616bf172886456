"""Pull the inputs of :func:`measurement_quality` out of a fitted model (the thin wrapper).

Blocks are the factors measured by observed items (``factor =~ item``), standardized
loadings and residual variances are lavaan's ``std.all``, latent correlations come from
the model-implied latent covariance matrix, and omega uses the unstandardized loadings,
residual (co)variances and the model-implied factor variances (as
``semTools::compRelSEM``). The common-method CFA comparison fits the measurement model
(all factors correlated) and a one-factor model to the same rows.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from semxhs.errors import SemxhsError
from semxhs.measurement.common_method import chisq_difference
from semxhs.measurement.quality import measurement_quality
from semxhs.measurement.reliability import OmegaInputs
from semxhs.measurement.results import ChisqDifference, MeasurementResult
from semxhs.sem.results import SemResult


def blocks_of(sem: SemResult) -> dict[str, list[str]]:
    """``{factor: [items]}`` for every factor measured by observed items."""
    observed = set(sem.observed)
    blocks: dict[str, list[str]] = {}
    for p in sem.parameters:
        if p.op == "=~" and p.rhs in observed:
            blocks.setdefault(p.lhs, []).append(p.rhs)
    return blocks


def complete_rows(sem: SemResult, data: pd.DataFrame) -> pd.DataFrame:
    """The rows the model was fitted to (complete on every observed model variable)."""
    cols = [c for c in sem.observed if c in data.columns]
    frame = data[cols].apply(pd.to_numeric, errors="coerce")
    return frame.dropna().reset_index(drop=True)


def latent_correlations(sem: SemResult) -> pd.DataFrame:
    """Latent correlation matrix from the model-implied latent covariance matrix."""
    names = list(sem.latent)
    cov = np.array([[sem.latent_cov[a][b] for b in names] for a in names])
    sd = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        cor = cov / np.outer(sd, sd)
    return pd.DataFrame(cor, index=names, columns=names)


def one_factor_comparison(sem: SemResult, data: pd.DataFrame, blocks: dict[str, list[str]]) -> ChisqDifference | None:
    """Δχ² of a one-factor CFA against the measurement model (Harman's test done by CFA)."""
    from semxhs.sem.model import fit

    items = [i for b in blocks.values() for i in b]
    if len(blocks) < 2 or len(items) < 4:
        return None
    measurement = "\n".join(f"{f} =~ {' + '.join(it)}" for f, it in blocks.items())
    single = "CMV =~ " + " + ".join(items)
    try:
        m1 = fit(measurement, data[items])
        m0 = fit(single, data[items])
    except SemxhsError:
        return None
    if not (m1.converged and m0.converged):
        return None
    return chisq_difference(m0.fit.chisq, m0.fit.df, m1.fit.chisq, m1.fit.df)


def measurement_from_fit(sem: SemResult, data: pd.DataFrame, *, htmt_boot: int = 2000,
                         seed: int | None = 1, one_factor: bool = True) -> MeasurementResult | None:
    """Reliability and validity evidence of a fitted model's measurement part.

    Parameters
    ----------
    sem : SemResult
        The fitted model.
    data : pandas.DataFrame
        The data it was fitted to (after any re-keying).
    htmt_boot : int
        Bootstrap draws for the HTMT intervals (0 for none).
    seed : int, optional
        Seed of those draws.
    one_factor : bool
        Also run the one-factor CFA comparison.

    Returns
    -------
    MeasurementResult or None
        None when no factor has two or more observed items.
    """
    blocks = blocks_of(sem)
    if not any(len(items) >= 2 for items in blocks.values()):
        return None
    rows = complete_rows(sem, data)
    loadings_std: dict[str, dict[str, float]] = {}
    loadings: dict[str, dict[str, float]] = {}
    for p in sem.parameters:
        if p.op == "=~" and p.lhs in blocks and p.rhs in blocks[p.lhs]:
            loadings_std.setdefault(p.lhs, {})[p.rhs] = float(p.std_all) if p.std_all is not None else math.nan
            loadings.setdefault(p.lhs, {})[p.rhs] = p.est
    items = {i for b in blocks.values() for i in b}
    residual_std = {p.lhs: float(p.std_all) for p in sem.parameters
                    if p.op == "~~" and p.lhs == p.rhs and p.lhs in items and p.std_all is not None}
    residual_var = {p.lhs: p.est for p in sem.parameters if p.op == "~~" and p.lhs == p.rhs and p.lhs in items}
    residual_cov = {(p.lhs, p.rhs): p.est for p in sem.parameters
                    if p.op == "~~" and p.lhs != p.rhs and p.lhs in items and p.rhs in items}
    factor_var = {f: sem.latent_cov[f][f] for f in blocks}
    omega_inputs = OmegaInputs(loadings, residual_var, factor_var, residual_cov)
    corr = latent_correlations(sem).loc[list(blocks), list(blocks)]
    comparison = one_factor_comparison(sem, rows, blocks) if one_factor else None
    return measurement_quality(
        rows, blocks, loadings_std, corr, omega_inputs, htmt_boot=htmt_boot, seed=seed,
        residual_var_std=residual_std, one_factor_cfa=comparison,
    )

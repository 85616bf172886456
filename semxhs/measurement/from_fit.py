"""Pull the inputs of :func:`measurement_quality` out of a fitted model (the thin wrapper).

Blocks are the factors measured by observed items (``factor =~ item``), standardized
loadings and residual variances are lavaan's ``std.all``, latent correlations come from
the model-implied latent covariance matrix, and omega uses the unstandardized loadings,
residual (co)variances and the model-implied factor variances (as
``semTools::compRelSEM``). The common-method CFA comparison fits the measurement model
(all factors correlated) and a one-factor model to the same rows.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from semxhs.errors import SemxhsError
from semxhs.measurement.common_method import chisq_difference
from semxhs.measurement.quality import measurement_quality
from semxhs.measurement.reliability import OmegaInputs
from semxhs.measurement.results import ChisqDifference, CommonMethodResult, MeasurementResult
from semxhs.messages import Message
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


def common_method_checks(sem: SemResult, data: pd.DataFrame, rows: pd.DataFrame, blocks: dict[str, list[str]],
                         quality: MeasurementResult, *, ulmc_loadings: str | None = "equal",
                         marker: Sequence[str] = (), marker_rule: str = "smallest", alpha: float = 0.05,
                         model: str | None = None) -> CommonMethodResult:
    """ULMC, marker variable and full-collinearity VIF beside Harman and the one-factor CFA.

    Run when the model has at least two factors of two or more items; ``ulmc_loadings``
    ``None`` switches the ULMC off; ``marker`` names marker columns of ``data`` (the
    full response frame: they are not model variables, so not in ``rows``).
    """
    from semxhs.measurement.cmb import full_collinearity, marker_variable, ulmc

    notes: list[Message] = []
    kept = {f: items for f, items in blocks.items() if len(items) >= 2}
    method = None
    if ulmc_loadings is None:
        notes.append(Message("ulmc_not_run", {"reason": "switched_off"}, "ULMC not run: switched off (--no-ulmc)"))
    else:
        try:
            method = ulmc(sem, rows, blocks, loadings=ulmc_loadings, model=model)
        except SemxhsError as exc:
            notes.append(Message("ulmc_not_run", {"reason": "error", "error": str(exc)},
                                 f"ULMC not run: {exc}"))
    marked = None
    if marker:
        marked = marker_variable(data, kept, list(marker), rule=marker_rule, alpha=alpha)
        if not math.isfinite(marked.r_m):
            notes.append(Message("marker_no_positive", {"marker": list(marker), "rule": marker_rule},
                                 "marker variable: too few positive correlations of the marker with the constructs "
                                 f"for r_M ({marker_rule}); the correlations were not adjusted"))
    try:
        collinearity = full_collinearity(rows, kept)
    except SemxhsError as exc:  # perfectly collinear construct scores: said, not raised
        collinearity = None
        notes.append(Message("full_collinearity_not_run", {"error": str(exc)},
                             f"full-collinearity VIF not computed: {exc}"))
    return CommonMethodResult(harman=quality.harman, one_factor_cfa=quality.one_factor_cfa, ulmc=method,
                              marker=marked, full_collinearity=collinearity, note_codes=tuple(notes))


def measurement_from_fit(sem: SemResult, data: pd.DataFrame, *, htmt_boot: int = 2000,
                         seed: int | None = 1, one_factor: bool = True, common_method: bool = True,
                         ulmc_loadings: str | None = "equal", marker: Sequence[str] = (),
                         marker_rule: str = "smallest", alpha: float = 0.05,
                         model: str | None = None) -> MeasurementResult | None:
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
    common_method : bool
        Also run the common-method checks beyond Harman (:func:`common_method_checks`) when
        the model has two or more factors of two or more items.
    ulmc_loadings, marker, marker_rule, alpha, model
        See :func:`common_method_checks` (``alpha``: significance level of the marker test).

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
    quality = measurement_quality(
        rows, blocks, loadings_std, corr, omega_inputs, htmt_boot=htmt_boot, seed=seed,
        residual_var_std=residual_std, one_factor_cfa=comparison,
    )
    if not common_method or sum(len(items) >= 2 for items in blocks.values()) < 2:
        return quality
    checks = common_method_checks(sem, data, rows, blocks, quality, ulmc_loadings=ulmc_loadings, marker=marker,
                                  marker_rule=marker_rule, alpha=alpha, model=model)
    return dataclasses.replace(quality, common_method=checks)

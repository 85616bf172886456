"""Assemble every measurement-quality statistic of a fitted CFA into one :class:`MeasurementResult`.

This is the one place that combines the pure functions of :mod:`reliability`,
:mod:`items`, :mod:`validity`, :mod:`factorability` and :mod:`common_method`. It takes
plain inputs (item data, blocks, standardized loadings, latent correlations, and
optionally unstandardized estimates), so it needs no SEM engine; a wrapper that pulls
these inputs from a fit lives with the fitting code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from semxhs.errors import DataError
from semxhs.measurement.descriptives import construct_descriptives
from semxhs.measurement.blocks import check_blocks, check_item_map, item_matrix
from semxhs.measurement.common_method import harman_single_factor
from semxhs.measurement.factorability import bartlett_sphericity, kmo
from semxhs.measurement.findings import findings as make_findings
from semxhs.measurement.items import item_statistics
from semxhs.measurement.reliability import (
    OmegaInputs,
    alpha_ci_feldt,
    average_variance_extracted,
    block_omega,
    composite_reliability,
    cronbach_alpha,
)
from semxhs.measurement.results import (
    ChisqDifference,
    MeasurementResult,
    ReliabilityRow,
)
from semxhs.measurement.thresholds import THRESHOLDS, Threshold
from semxhs.measurement.validity import (
    fornell_larcker,
    htmt,
    htmt2,
    htmt_bootstrap,
    negative_correlations,
)
from semxhs.messages import Message, message_texts

__all__ = ["measurement_quality"]


def measurement_quality(
    data: pd.DataFrame,
    blocks: Mapping[str, Sequence[str]],
    loadings_std: Mapping[str, Mapping[str, float]],
    latent_corr: pd.DataFrame,
    omega_inputs: OmegaInputs | None = None,
    htmt_boot: int = 0,
    seed: int | np.random.Generator | None = None,
    *,
    residual_var_std: Mapping[str, float] | None = None,
    one_factor_cfa: ChisqDifference | None = None,
    level: float = 0.95,
    thresholds: Mapping[str, Threshold] = THRESHOLDS,
) -> MeasurementResult:
    """Reliability, convergent and discriminant validity, factorability and common-method checks.

    For every block of at least two items: Cronbach's alpha with its Feldt interval,
    composite reliability (CR), McDonald's omega (when ``omega_inputs`` is given), AVE,
    item statistics; between blocks: Fornell–Larcker table, HTMT, HTMT2 and (when
    ``htmt_boot > 0``) percentile bootstrap intervals of HTMT; over all items of all
    blocks: KMO, Bartlett's test and Harman's single-factor share. Findings against
    the conventional thresholds are attached.

    Parameters
    ----------
    data : pandas.DataFrame
        Item responses, listwise complete (the data the CFA was fitted to).
    blocks : mapping of str to sequence of str
        ``{factor: [items]}``. Blocks with fewer than two items are skipped with a note.
    loadings_std : mapping
        ``{factor: {item: λ}}`` completely standardized loadings (lavaan ``std.all``).
    latent_corr : pandas.DataFrame
        Latent correlation matrix labelled by factor.
    omega_inputs : OmegaInputs, optional
        Unstandardized loadings, residual (co)variances and factor variances; without
        them omega is missing (``nan``, JSON ``null``).
    htmt_boot : int, default 0
        Number of bootstrap draws for HTMT intervals (0: none).
    seed : int, Generator or None
        Randomness of the bootstrap (see :func:`htmt_bootstrap`).
    residual_var_std : mapping of str to float, optional
        Standardized residual variances for CR (default 1 − λ², right without
        cross-loadings).
    one_factor_cfa : ChisqDifference, optional
        One-factor CFA against the measurement model, from :func:`chisq_difference`.
    level : float, default 0.95
        Confidence level of the alpha and HTMT intervals.
    thresholds : mapping, default :data:`THRESHOLDS`
        Cut-offs for the findings.

    Returns
    -------
    MeasurementResult

    Raises
    ------
    DataError
        An item not in ``data`` (named), non-numeric or missing item values, a factor
        without standardized loadings or latent correlations, no block of two or more items.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=(400, 2)) @ np.linalg.cholesky([[1, 0.3], [0.3, 1]]).T
    >>> x = np.repeat(f, 3, axis=1) * 0.8 + rng.normal(size=(400, 6)) * 0.6
    >>> df = pd.DataFrame(x, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    >>> blocks = {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]}
    >>> lam = {"A": dict.fromkeys(blocks["A"], 0.8), "B": dict.fromkeys(blocks["B"], 0.8)}
    >>> phi = pd.DataFrame([[1, 0.3], [0.3, 1]], index=["A", "B"], columns=["A", "B"])
    >>> res = measurement_quality(df, blocks, lam, phi)
    >>> res.to_frame()[["factor", "cr", "ave"]]
      factor     cr   ave
    0      A  0.842...  0.64
    1      B  0.842...  0.64
    >>> res.findings
    ()
    """
    checked = check_blocks(data, blocks)
    notes: list[Message] = list(checked.note_codes)
    if not checked.kept:
        raise DataError(
            "blocks: no block has at least 2 items, so reliability and validity cannot be assessed"
        )
    n = int(len(data))

    rows: list[ReliabilityRow] = []
    ave: dict[str, float] = {}
    for factor, items in checked.kept.items():
        x = item_matrix(data, items)
        lam = check_item_map(loadings_std.get(factor, {}), items, argument="loadings_std", factor=factor)
        theta = (
            None
            if residual_var_std is None
            else check_item_map(residual_var_std, items, argument="residual_var_std", factor=factor)
        )
        a = cronbach_alpha(np.cov(x, rowvar=False))
        lo, hi = alpha_ci_feldt(a, n, len(items), level) if np.isfinite(a) else (np.nan, np.nan)
        om = np.nan if omega_inputs is None else block_omega(omega_inputs, factor, items)
        ave[factor] = average_variance_extracted(lam)
        rows.append(
            ReliabilityRow(
                factor=factor,
                n_items=len(items),
                alpha=a,
                alpha_ci_lower=lo,
                alpha_ci_upper=hi,
                cr=composite_reliability(lam, theta),
                omega=float(om),
                ave=ave[factor],
            )
        )
    if omega_inputs is None:
        notes.append(Message("omega_not_computed", {},
                             "omega not computed: no unstandardized estimates (omega_inputs) were given"))

    items_table = item_statistics(data, checked.kept, loadings_std)
    fl = fornell_larcker(ave, latent_corr)

    hetero_items = [i for its in checked.kept.values() for i in its]
    corr = pd.DataFrame(
        np.corrcoef(item_matrix(data, hetero_items), rowvar=False), index=hetero_items, columns=hetero_items
    )
    ht = htmt(corr, checked.kept) if len(checked.kept) > 1 else _unit(checked.kept)
    ht2 = htmt2(corr, checked.kept) if len(checked.kept) > 1 else _unit(checked.kept)
    neg = negative_correlations(corr, checked.kept)
    if len(neg):
        within = neg[neg["within"]]
        if len(within):
            pairs = ", ".join(f"{r.lhs}~{r.rhs}" for r in within.itertuples())
            notes.append(Message(
                "negative_within", {"pairs": [[str(r.lhs), str(r.rhs)] for r in within.itertuples()]},
                f"negative item correlations within a block ({pairs}): check reverse-keyed items; "
                "HTMT and HTMT2 use absolute correlations (as semTools::htmt and SmartPLS)"
            ))
        between = neg[~neg["within"]]
        if len(between):
            shown = ", ".join(f"{r.lhs}~{r.rhs}" for r in between.head(6).itertuples())
            more = f" and {len(between) - 6} more" if len(between) > 6 else ""
            notes.append(Message(
                "negative_between", {"pairs": [[str(r.lhs), str(r.rhs)] for r in between.head(6).itertuples()],
                                     "more": max(len(between) - 6, 0)},
                f"negative item correlations between blocks ({shown}{more}); "
                "HTMT and HTMT2 use absolute correlations (as semTools::htmt and SmartPLS)"
            ))

    boot = None
    if htmt_boot and len(checked.kept) > 1:
        boot = htmt_bootstrap(data, checked.kept, int(htmt_boot), seed, level=level)
        if boot.failed:
            notes.append(Message(
                "htmt_boot_failed", {"failed": len(boot.failed), "draws": int(boot.draws)},
                f"HTMT bootstrap: {len(boot.failed)} of {boot.draws} draws failed (an item without variance)"))

    all_items = list(checked.all_items)
    result = MeasurementResult(
        reliability=tuple(rows),
        items=items_table,
        fornell_larcker=fl,
        htmt=ht,
        htmt2=ht2,
        kmo=kmo(data, all_items),
        bartlett=bartlett_sphericity(data, all_items),
        harman=harman_single_factor(data, all_items),
        n=n,
        one_factor_cfa=one_factor_cfa,
        htmt_ci=boot,
        notes=message_texts(notes),
        note_codes=tuple(notes),
        thresholds=dict(thresholds),
        level=float(level),
        constructs=construct_descriptives(data, checked.kept),
    )
    return dataclasses.replace(result, findings=make_findings(result, thresholds))


def _unit(kept: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    names = list(kept)
    return pd.DataFrame(np.eye(len(names)), index=names, columns=names)

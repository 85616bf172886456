"""Findings: which constructs, items and pairs fall short of which threshold, as codes and parameters.

Findings are data (:class:`~semxhs.measurement.results.Finding` records): a stable
``code`` (the threshold's key), the subject, the full-precision value, the threshold, its
source and, where a sentence needs more, ``params`` (e.g. Bartlett's ``chisq`` and
``df``). No sentence is written here: :func:`semxhs.report.messages.finding_words` words a
finding in the report's language from the templates of :mod:`semxhs.report.labels`.

Codes and their ``params``: ``alpha``, ``cr``, ``ave``, ``loading_min``, ``loading_ideal``,
``htmt_liberal``, ``htmt_strict``, ``kmo``, ``kmo_item``, ``harman`` (none);
``htmt_ci_upper`` (``level``); ``fornell_larcker`` (``roots``: ``{factor: √AVE}`` of the
constructs whose √AVE is not above the correlation); ``bartlett`` (``chisq``, ``df``);
``one_factor_cfa`` (``delta_chisq``, ``delta_df``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from semxhs.measurement.results import Finding, MeasurementResult
from semxhs.measurement.thresholds import THRESHOLDS, Threshold

__all__ = ["findings"]


def _finding(t: Threshold, subject: tuple[str, ...], statistic: str, value: float,
             params: Mapping[str, Any] | None = None) -> Finding:
    broken = {">=": "<", ">": "<=", "<": ">=", "<=": ">"}[t.requirement]
    return Finding(
        code=t.key,
        severity=t.severity,
        subject=subject,
        statistic=statistic,
        value=float(value),
        threshold=float(t.value),
        comparison=broken,
        source=t.source,
        params=dict(params or {}),
    )


def findings(
    result: MeasurementResult, thresholds: Mapping[str, Threshold] = THRESHOLDS
) -> tuple[Finding, ...]:
    """List every shortfall of ``result`` against ``thresholds``.

    Checked: alpha, CR and AVE per construct; standardized loadings per item (below
    .50 "fail", below .70 "warn"); per pair HTMT (above .90 "fail", above .85 "warn"),
    the bootstrap upper bound of HTMT when available, and Fornell–Larcker (√AVE of
    either construct not above the absolute latent correlation); overall KMO and item
    MSA; Bartlett's test; Harman's single-factor share; the one-factor CFA comparison
    when given. Only the more serious of the two HTMT (or loading) findings is listed.

    Parameters
    ----------
    result : MeasurementResult
    thresholds : mapping of str to Threshold, default :data:`THRESHOLDS`
        Replace entries (e.g. with ``dataclasses.replace``) to use other cut-offs.

    Returns
    -------
    tuple of Finding
        In the order: constructs, items, pairs, whole instrument.

    Examples
    --------
    >>> from semxhs.measurement.results import (ReliabilityRow, KMOResult, BartlettResult,
    ...                                         HarmanResult, MeasurementResult)
    >>> import pandas as pd
    >>> m = pd.DataFrame([[1.0]], index=["visual"], columns=["visual"])
    >>> res = MeasurementResult(
    ...     reliability=(ReliabilityRow("visual", 3, 0.63, 0.55, 0.69, 0.63, float("nan"), 0.371),),
    ...     items=(), fornell_larcker=m, htmt=m, htmt2=m, kmo=KMOResult(0.75, {}),
    ...     bartlett=BartlettResult(904.1, 36, 1e-166, 301), harman=HarmanResult(0.357, 3.2, 9), n=301)
    >>> [(f.code, f.subject, f.comparison, f.threshold) for f in findings(res)]
    [('alpha', ('visual',), '<', 0.7), ('cr', ('visual',), '<', 0.7), ('ave', ('visual',), '<', 0.5)]
    """
    out: list[Finding] = []
    th = thresholds

    for row in result.reliability:
        for stat in ("alpha", "cr", "ave"):
            t = th[stat]
            value = getattr(row, stat)
            if math.isfinite(value) and not t.met(value):
                out.append(_finding(t, (row.factor,), stat, value))

    for item in result.items:
        lam = item.loading_std
        for key in ("loading_min", "loading_ideal"):
            t = th[key]
            if not t.met(lam):
                out.append(_finding(t, (item.factor, item.item), "loading_std", lam))
                break

    factors = list(result.htmt.index)
    ci = {} if result.htmt_ci is None else {(i.lhs, i.rhs): i for i in result.htmt_ci.intervals}
    fl = result.fornell_larcker
    for a_pos, a in enumerate(factors):
        for b in factors[a_pos + 1:]:
            value = float(result.htmt.loc[a, b])
            for key in ("htmt_liberal", "htmt_strict"):
                t = th[key]
                if math.isfinite(value) and not t.met(value):
                    out.append(_finding(t, (a, b), "htmt", value))
                    break
            iv = ci.get((a, b))
            t = th["htmt_ci_upper"]
            if iv is not None and result.htmt_ci is not None and math.isfinite(iv.ci_upper) \
                    and not t.met(iv.ci_upper):
                out.append(_finding(t, (a, b), "htmt_ci_upper", iv.ci_upper, {"level": result.htmt_ci.level}))
            phi = abs(float(fl.loc[a, b]))
            short = [f for f in (a, b) if math.isfinite(float(fl.loc[f, f])) and float(fl.loc[f, f]) <= phi]
            if short:
                out.append(Finding(
                    code="fornell_larcker",
                    severity="fail",
                    subject=(a, b),
                    statistic="latent_corr",
                    value=phi,
                    threshold=min(float(fl.loc[f, f]) for f in short),
                    comparison=">=",
                    source="Fornell & Larcker (1981)",
                    params={"roots": {f: float(fl.loc[f, f]) for f in short}},
                ))

    t = th["kmo"]
    if math.isfinite(result.kmo.overall) and not t.met(result.kmo.overall):
        out.append(_finding(t, ("all items",), "kmo", result.kmo.overall))
    t = th["kmo_item"]
    for item_id, v in result.kmo.items.items():
        if math.isfinite(v) and not t.met(v):
            out.append(_finding(t, (item_id,), "msa", v))
    t = th["bartlett"]
    b = result.bartlett
    if math.isfinite(b.pvalue) and not t.met(b.pvalue):
        out.append(_finding(t, ("all items",), "bartlett_pvalue", b.pvalue, {"chisq": b.chisq, "df": b.df}))
    t = th["harman"]
    share = result.harman.first_factor_share
    if math.isfinite(share) and not t.met(share):
        out.append(_finding(t, ("all items",), "harman_share", share))
    t = th["one_factor_cfa"]
    c = result.one_factor_cfa
    if c is not None and math.isfinite(c.pvalue) and not t.met(c.pvalue):
        out.append(_finding(t, ("all items",), "one_factor_pvalue", c.pvalue,
                            {"delta_chisq": c.delta_chisq, "delta_df": c.delta_df}))
    return tuple(out)

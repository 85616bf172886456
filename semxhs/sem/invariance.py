"""The measurement-invariance ladder: configural -> metric -> scalar -> strict, compared and decided.

Each level is a multi-group fit (:func:`semxhs.sem.model.fit` with ``group_equal``):
configural (nothing equal), metric (``loadings``), scalar (+ ``intercepts``), strict
(+ ``residuals``). Consecutive levels are compared as lavaan's ``lavTestLRT`` does
(``lav_test_diff``): under ML the difference of the chi-squares with lavaan's RMSEA of the
difference test ``sqrt(G) sqrt(max(0, dchisq - ddf) / (ddf N))``; under MLR the
Satorra-Bentler (2001) scaled difference. Each comparison also carries the change in CFI,
RMSEA and SRMR (this level minus the one before).

Decision rules (``criteria``), each level judged against the one before it:

* ``chen2007`` (Chen, 2007, *Structural Equation Modeling* 14, 464-504): the level holds when
  dCFI >= -.010, dRMSEA <= .015 and dSRMR <= .030 (metric) or <= .010 (scalar, strict);
* ``cheung2002`` (Cheung & Rensvold, 2002, *Structural Equation Modeling* 9, 233-255): dCFI >= -.010;
* ``lrt``: the likelihood-ratio (chi-square difference) test is not significant at ``alpha``.

A level is supported only when every level below it is. Pure functions of numbers come first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from scipy import special

from semxhs.errors import SpecError, name_list
from semxhs.messages import json_safe
from semxhs.sem.results import SemResult

LEVELS = ("configural", "metric", "scalar", "strict")
GROUP_EQUAL = {"configural": (), "metric": ("loadings",), "scalar": ("loadings", "intercepts"),
               "strict": ("loadings", "intercepts", "residuals")}
CRITERIA = ("chen2007", "cheung2002", "lrt")


def chisq_difference(chisq1: float, df1: int, chisq0: float, df0: int) -> tuple[float, int, float | None]:
    """Chi-square difference test of a restricted model (1) against a less restricted one (0).

    Examples
    --------
    >>> d, ddf, p = chisq_difference(124.0435, 54, 115.8513, 48)
    >>> round(d, 4), ddf, round(p, 4)
    (8.1922, 6, 0.2244)
    """
    diff, ddf = chisq1 - chisq0, df1 - df0
    pvalue = float(special.chdtrc(ddf, max(diff, 0.0))) if ddf > 0 else None
    return diff, ddf, pvalue


def satorra_bentler_2001(chisq1: float, df1: int, c1: float, chisq0: float, df0: int,
                         c0: float) -> tuple[float, int, float | None]:
    """Satorra-Bentler (2001) scaled chi-square difference (lavaan's default under MLR).

    ``cd = (df1 c1 - df0 c0) / (df1 - df0)``, ``T = (chisq1 - chisq0) / cd`` with the unscaled
    chi-squares and the models' scaling factors.

    Examples
    --------
    >>> t, ddf, p = satorra_bentler_2001(20.0, 10, 1.2, 10.0, 8, 1.1)
    >>> round(t, 4), ddf
    (6.25, 2)
    """
    ddf = df1 - df0
    cd = (df1 * c1 - df0 * c0) / ddf
    t = (chisq1 - chisq0) / cd
    return t, ddf, float(special.chdtrc(ddf, max(t, 0.0))) if ddf > 0 else None


def rmsea_difference(chisq_diff: float, df_diff: int, n: int, n_groups: int) -> float | None:
    """lavaan's RMSEA of a difference test: ``sqrt(G) sqrt(max(0, dchisq - ddf) / (ddf N))``.

    Examples
    --------
    >>> round(rmsea_difference(8.19220030443354, 6, 301, 2), 6)
    0.049272
    """
    if df_diff <= 0:
        return None
    return math.sqrt(n_groups) * math.sqrt(max(0.0, chisq_diff - df_diff) / (df_diff * n))


def decide(level: str, comparison: dict[str, Any], criteria: str, alpha: float = 0.05) -> dict[str, Any]:
    """Whether ``level`` holds against the level before it, with every check and its cutoff.

    Examples
    --------
    >>> row = {"delta_cfi": -0.0025, "delta_rmsea": -0.004, "delta_srmr": 0.0038, "pvalue": 0.22}
    >>> decide("metric", row, "chen2007")["holds"]
    True
    >>> decide("scalar", {**row, "delta_cfi": -0.038}, "cheung2002")["holds"]
    False
    """
    checks: list[dict[str, Any]] = []
    if criteria == "chen2007":
        srmr_cut = 0.030 if level == "metric" else 0.010
        checks = [{"measure": "delta_cfi", "value": comparison["delta_cfi"], "rule": ">=", "cutoff": -0.010},
                  {"measure": "delta_rmsea", "value": comparison["delta_rmsea"], "rule": "<=", "cutoff": 0.015},
                  {"measure": "delta_srmr", "value": comparison["delta_srmr"], "rule": "<=", "cutoff": srmr_cut}]
    elif criteria == "cheung2002":
        checks = [{"measure": "delta_cfi", "value": comparison["delta_cfi"], "rule": ">=", "cutoff": -0.010}]
    else:
        checks = [{"measure": "pvalue", "value": comparison["pvalue"], "rule": ">=", "cutoff": alpha}]
    for c in checks:
        v = c["value"]
        c["ok"] = v is not None and (v >= c["cutoff"] if c["rule"] == ">=" else v <= c["cutoff"])
    return {"model": level, "vs": comparison.get("vs"), "criteria": criteria, "checks": checks,
            "holds": all(c["ok"] for c in checks)}


@dataclass(frozen=True)
class InvarianceResult:
    """The four fitted levels, their comparisons, the decisions and the latent means (scalar model)."""

    group: str
    group_labels: tuple[str, ...]
    estimator: str
    criteria: str
    models: dict[str, SemResult]
    comparisons: tuple[dict[str, Any], ...]
    decisions: tuple[dict[str, Any], ...]
    highest_level: str  # the highest level supported ("configural" when even metric fails)
    latent_means: tuple[dict[str, Any], ...] = field(default=())
    group_partial: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``semxhs invariance --json``."""
        models = {}
        for level, res in self.models.items():
            d = res.to_dict()
            models[level] = {"group_equal": list(GROUP_EQUAL[level]), "converged": d["converged"],
                             "warnings": d["warnings"], "fit": d["fit"], "parameters": d["parameters"],
                             "r2": d["r2"]}
        return json_safe({"group": self.group, "group_labels": list(self.group_labels),
                          "group_partial": list(self.group_partial),
                          "estimator": self.estimator, "criteria": self.criteria, "models": models,
                          "comparisons": list(self.comparisons), "decisions": list(self.decisions),
                          "highest_level": self.highest_level, "latent_means": list(self.latent_means)})


def invariance(model: str, data: pd.DataFrame, group: str, *, criteria: str = "chen2007", estimator: str = "ML",
               missing: str = "listwise", alpha: float = 0.05,
               group_partial: tuple[str, ...] = ()) -> InvarianceResult:
    """Fit configural, metric, scalar and strict models and decide each step (see the module docstring).

    ``group_partial`` (lavaan's ``group.partial``, e.g. ``("x3~1",)``) is applied at every level:
    partial invariance as the user states it.

    Raises
    ------
    SpecError, DataError, EstimationError
    """
    from semxhs.sem.model import fit

    criteria = criteria.lower()
    if criteria not in CRITERIA:
        raise SpecError(f"criteria '{criteria}' is not known: choose from {name_list(CRITERIA)}")
    models = {level: fit(model, data, group=group, group_equal=GROUP_EQUAL[level], estimator=estimator,
                         missing=missing, group_partial=group_partial if GROUP_EQUAL[level] else ())
              for level in LEVELS}
    first = models["configural"]
    labels = tuple(first.extra["group_labels"])
    n, G = first.n_obs, len(labels)
    robust = estimator.upper() == "MLR"
    comparisons: list[dict[str, Any]] = []
    for i, level in enumerate(LEVELS):
        f = models[level].fit
        row: dict[str, Any] = {"model": level, "vs": None, "df": f.df, "aic": f.aic, "bic": f.bic,
                               "chisq": f.chisq, "chisq_diff": None, "df_diff": None, "pvalue": None,
                               "rmsea_diff": None, "cfi": f.cfi, "rmsea": f.rmsea, "srmr": f.srmr,
                               "delta_cfi": None, "delta_rmsea": None, "delta_srmr": None}
        if i:
            prev = LEVELS[i - 1]
            f0 = models[prev].fit
            if robust:
                diff, ddf, pvalue = satorra_bentler_2001(f.chisq, f.df, f.chisq_scaling_factor or float("nan"),
                                                         f0.chisq, f0.df, f0.chisq_scaling_factor or float("nan"))
                rmsea_diff = None
            else:
                diff, ddf, pvalue = chisq_difference(f.chisq, f.df, f0.chisq, f0.df)
                rmsea_diff = rmsea_difference(diff, ddf, n, G)
            row.update(vs=prev, chisq_diff=diff, df_diff=ddf, pvalue=pvalue, rmsea_diff=rmsea_diff,
                       delta_cfi=f.cfi - f0.cfi, delta_rmsea=f.rmsea - f0.rmsea, delta_srmr=f.srmr - f0.srmr)
        comparisons.append(row)
    decisions = [decide(level, row, criteria, alpha) for level, row in zip(LEVELS[1:], comparisons[1:])]
    highest = "configural"
    for d in decisions:
        if not d["holds"]:
            break
        highest = d["model"]
    latent = tuple({k: getattr(p, k) for k in ("lhs", "op", "group", "group_label", "est", "se", "z", "pvalue",
                                                 "ci_lower", "ci_upper", "std_all")}
                   for p in models["scalar"].parameters
                   if p.op == "~1" and p.lhs in first.latent and p.group >= 2)
    return InvarianceResult(group, labels, estimator.upper(), criteria, models, tuple(comparisons),
                            tuple(decisions), highest, latent, tuple(group_partial))

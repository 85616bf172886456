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
    score_tests: dict[str, Any] | None = None  # lavTestScore of the scalar model (univariate + total)
    partial: dict[str, Any] | None = None  # the partial-invariance search (see search_partial)
    latent_means_model: str = "scalar"  # the model the latent means come from ("scalar" or "partial_scalar")

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
                          "highest_level": self.highest_level, "latent_means": list(self.latent_means),
                          "latent_means_model": self.latent_means_model, "score_tests": self.score_tests,
                          "partial": self.partial})


LEVEL_OP = {"metric": "=~", "scalar": "~1", "strict": "~~"}  # the parameters each level makes equal
MAX_STEPS = 5  # the partial search frees at most this many parameters ...
# ... and at most half of the level's parameters (at least one)


def measurement_model(model: str) -> str:
    """The measurement part of a model text: its ``=~`` lines (the model the invariance ladder tests).

    Examples
    --------
    >>> measurement_model("f =~ a + b + c\\ng =~ d + e + h\\ng ~ f\\nind := 1")
    'f =~ a + b + c\\ng =~ d + e + h'
    """
    lines = [line for line in model.replace(";", "\n").splitlines() if "=~" in line.split("#")[0]]
    if not lines:
        raise SpecError("the invariance ladder needs a measurement model: the model has no '=~' line")
    return "\n".join(line.strip() for line in lines)


def comparison_row(level: str, res: SemResult, prev: str | None, prev_res: SemResult | None, *, n: int,
                   n_groups: int, robust: bool) -> dict[str, Any]:
    """One row of the ladder table: the fit of ``res`` and, against ``prev_res``, lavaan's
    ``lavTestLRT`` difference (Satorra-Bentler 2001 under MLR) with the changes in CFI, RMSEA and SRMR."""
    f = res.fit
    row: dict[str, Any] = {"model": level, "vs": None, "df": f.df, "aic": f.aic, "bic": f.bic,
                           "chisq": f.chisq, "chisq_diff": None, "df_diff": None, "pvalue": None,
                           "rmsea_diff": None, "cfi": f.cfi, "rmsea": f.rmsea, "srmr": f.srmr,
                           "delta_cfi": None, "delta_rmsea": None, "delta_srmr": None}
    if prev_res is None:
        return row
    f0 = prev_res.fit
    if robust:
        diff, ddf, pvalue = satorra_bentler_2001(f.chisq, f.df, f.chisq_scaling_factor or float("nan"),
                                                 f0.chisq, f0.df, f0.chisq_scaling_factor or float("nan"))
        rmsea_diff = None
    else:
        diff, ddf, pvalue = chisq_difference(f.chisq, f.df, f0.chisq, f0.df)
        rmsea_diff = rmsea_difference(diff, ddf, n, n_groups)
    row.update(vs=prev, chisq_diff=diff, df_diff=ddf, pvalue=pvalue, rmsea_diff=rmsea_diff,
               delta_cfi=f.cfi - f0.cfi, delta_rmsea=f.rmsea - f0.rmsea, delta_srmr=f.srmr - f0.srmr)
    return row


def level_parameter(parameter: str, level: str, observed: tuple[str, ...]) -> bool:
    """Whether a score test's ``parameter`` (``x3~1``, ``visual=~x2``, ``x1~~x1``) is one ``level`` made equal.

    Examples
    --------
    >>> level_parameter("x3~1", "scalar", ("x3",)), level_parameter("visual=~x2", "scalar", ("x2",))
    (True, False)
    >>> level_parameter("x1~~x1", "strict", ("x1",)), level_parameter("f~1", "scalar", ("x1",))
    (True, False)
    """
    op = LEVEL_OP[level]
    if op == "~1":
        return parameter.endswith("~1") and parameter[:-2] in observed
    if op == "~~":
        lhs, _, rhs = parameter.partition("~~")
        return bool(rhs) and lhs == rhs and lhs in observed
    return "=~" in parameter


def step_limit(n_parameters: int) -> int:
    """The partial search's limit: ``min(5, half the level's parameters)``, at least 1.

    Examples
    --------
    >>> step_limit(9), step_limit(6), step_limit(1)
    (4, 3, 1)
    """
    return max(1, min(MAX_STEPS, n_parameters // 2))


def largest_score(score_rows: list[dict[str, Any]], level: str, observed: tuple[str, ...],
                  freed: tuple[str, ...]) -> dict[str, Any] | None:
    """The univariate score test with the largest X2 among ``level``'s constraints not yet freed."""
    rows = [r for r in score_rows if level_parameter(r["lhs_parameter"], level, observed)
            and r["lhs_parameter"] not in freed and r["X2"] is not None]
    return max(rows, key=lambda r: r["X2"]) if rows else None


def search_partial(model: str, data: pd.DataFrame, group: str, level: str, prev_res: SemResult, *,
                   criteria: str, estimator: str, missing: str, alpha: float,
                   group_partial: tuple[str, ...] = ()) -> dict[str, Any]:
    """Partial invariance at ``level``: free, one at a time, the equality with the largest univariate
    score X2 (lavaan's ``lavTestScore``) among that level's constraints, refit with ``group.partial``,
    and judge the refit against ``prev_res`` (the level below) by ``criteria``; stop when it holds
    or after :func:`step_limit` steps.

    Returns ``{"level", "criteria", "rule", "limit", "steps": [{step, freed, X2, group_partial, fit,
    comparison, decision}], "group_partial", "holds"}``; ``_models`` (not JSON) holds the refits.
    """
    from semxhs.sem.model import fit
    from semxhs.sem.modindices import score_tests

    prev = LEVELS[LEVELS.index(level) - 1]
    n, n_groups = prev_res.n_obs, len(prev_res.extra["group_labels"])
    robust = estimator.upper() == "MLR"
    observed = prev_res.observed
    current = fit(model, data, group=group, group_equal=GROUP_EQUAL[level], estimator=estimator,
                  missing=missing, group_partial=group_partial)
    first_scores = score_tests(current).to_dict()["univariate"]
    n_params = len({r["lhs_parameter"] for r in first_scores if level_parameter(r["lhs_parameter"], level, observed)})
    limit = step_limit(n_params)
    freed: tuple[str, ...] = ()
    steps: list[dict[str, Any]] = []
    models: list[SemResult] = []
    holds = False
    scores = first_scores
    for k in range(1, limit + 1):
        best = largest_score(scores, level, observed, freed)
        if best is None:
            break
        freed = freed + (best["lhs_parameter"],)
        current = fit(model, data, group=group, group_equal=GROUP_EQUAL[level], estimator=estimator,
                      missing=missing, group_partial=tuple(group_partial) + freed)
        row = comparison_row(f"partial_{level}", current, prev, prev_res, n=n, n_groups=n_groups, robust=robust)
        decision = decide(level, row, criteria, alpha)
        steps.append({"step": k, "freed": best["lhs_parameter"], "X2": best["X2"], "pvalue": best["pvalue"],
                      "group_partial": list(group_partial) + list(freed), "converged": current.converged,
                      "fit": current.fit.to_dict(), "comparison": row, "decision": decision})
        models.append(current)
        if decision["holds"]:
            holds = True
            break
        scores = score_tests(current).to_dict()["univariate"]
    return {"level": level, "vs": prev, "criteria": criteria,
            "rule": "free the equality with the largest univariate score test X2 (lavTestScore) among the "
                    "level's constraints, refit, repeat until the criteria hold",
            "limit": limit, "n_parameters": n_params, "steps": steps,
            "group_partial": list(group_partial) + list(freed), "holds": holds, "_models": models}


def _latent_rows(res: SemResult, latent: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    return tuple({k: getattr(p, k) for k in ("lhs", "op", "group", "group_label", "est", "se", "z", "pvalue",
                                             "ci_lower", "ci_upper", "std_all")}
                 for p in res.parameters if p.op == "~1" and p.lhs in latent and p.group >= 2)


def invariance(model: str, data: pd.DataFrame, group: str, *, criteria: str = "chen2007", estimator: str = "ML",
               missing: str = "listwise", alpha: float = 0.05,
               group_partial: tuple[str, ...] = (), partial_search: bool = True) -> InvarianceResult:
    """Fit configural, metric, scalar and strict models and decide each step (see the module docstring).

    ``group_partial`` (lavaan's ``group.partial``, e.g. ``("x3~1",)``) is applied at every level:
    partial invariance as the user states it. The scalar model's univariate score tests
    (``lavTestScore``) are always reported; with ``partial_search`` the first level that fails the
    criteria is searched for partial invariance (:func:`search_partial`), and the latent means
    come from the partial scalar model when that level is scalar.

    Raises
    ------
    SpecError, DataError, EstimationError
    """
    from semxhs.sem.model import fit
    from semxhs.sem.modindices import score_tests

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
    comparisons = [comparison_row(level, models[level], LEVELS[i - 1] if i else None,
                                  models[LEVELS[i - 1]] if i else None, n=n, n_groups=G, robust=robust)
                   for i, level in enumerate(LEVELS)]
    decisions = [decide(level, row, criteria, alpha) for level, row in zip(LEVELS[1:], comparisons[1:])]
    highest = "configural"
    for d in decisions:
        if not d["holds"]:
            break
        highest = d["model"]
    scores: dict[str, Any] | None = None
    if missing.lower() not in ("fiml", "ml"):
        scores = score_tests(models["scalar"]).to_dict()
    partial: dict[str, Any] | None = None
    latent = _latent_rows(models["scalar"], first.latent)
    latent_model = "scalar"
    failing = next((d["model"] for d in decisions if not d["holds"]), None)
    if partial_search and failing is not None and scores is not None:
        prev = LEVELS[LEVELS.index(failing) - 1]
        partial = search_partial(model, data, group, failing, models[prev], criteria=criteria,
                                 estimator=estimator, missing=missing, alpha=alpha, group_partial=group_partial)
        refits = partial.pop("_models")
        if failing == "scalar" and refits:
            latent = _latent_rows(refits[-1], first.latent)
            latent_model = "partial_scalar"
    return InvarianceResult(group, labels, estimator.upper(), criteria, models, tuple(comparisons),
                            tuple(decisions), highest, latent, tuple(group_partial), scores, partial, latent_model)

"""An independent second estimate: re-fit a study's model with semopy and compare every parameter.

Why here, in ``study/`` and not in ``sem/``: ``sem/`` *is* our estimator and must not lean
on another one; a cross-check is a verification step of a run, like screening or the
bootstrap, and needs what only the study layer holds -- the model as it was actually fitted
(latent products already expanded into product indicators), the rows that were used (after
screening, re-keying and listwise deletion) or the covariance matrix of a summary-statistics
fit. The report reads the :class:`CrossCheck` it returns and words it.

How the comparison is made fair
-------------------------------
* The same input: the complete rows of the model's observed variables, or the ML
  covariance matrix (divisor N, as semopy's own ``cov``) when the model was fitted from
  summary statistics.
* The same objective: semopy's ``MLW`` is the Wishart-free ML discrepancy, minimized at
  the same point as our F_ML.
* The method, not the stopping rule: semopy's default SLSQP stops ~1e-3 from the optimum;
  :data:`SEMOPY_OPTIONS` (``ftol`` 1e-12) brings it to ~1e-6 on the shared references.
* Never a silent pass: every parameter of ours that semopy does not estimate is listed
  under ``skipped`` with the reason (code): ``defined`` (``:=``: semopy has none),
  ``intercept`` (semopy's ``Model`` has no mean structure), ``constraint`` (``==``),
  ``fiml`` (missing data by FIML: semopy's FIML is not lavaan's),
  ``groups`` (multi-group models), ``fixed_misread`` (semopy did not keep a value the
  model fixes, or fixed one it estimates -- e.g. it reads ``NA*x1`` as a label and fixes
  the next loading), ``not_estimated`` (semopy's model lacks a parameter ours estimates),
  ``failed`` (semopy raised or did not converge; the exception's text is kept). With
  ``fixed_misread`` and ``not_estimated`` the two solutions are of different models, so
  nothing is compared and every parameter is listed.

semopy is imported only when a cross-check runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from semxhs.messages import json_safe
from semxhs.sem.results import SemResult

#: Options passed to semopy's optimizer (scipy SLSQP): tight enough that the comparison
#: measures the method, not semopy's default stopping rule (ftol 1e-6, ~1e-3 off).
SEMOPY_OPTIONS: dict[str, Any] = {"solver": "SLSQP", "options": {"ftol": 1e-12, "maxiter": 20000}}

#: Largest absolute difference of an estimate still counted as agreement.
TOLERANCE = 1e-3

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:]*")


@dataclass(frozen=True)
class Skipped:
    """Parameters a cross-check could not compare, with the reason (a code) and detail."""

    reason: str
    parameters: tuple[str, ...]
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "parameters": list(self.parameters), "detail": self.detail}


@dataclass(frozen=True)
class CrossCheck:
    """The outcome of re-estimating a model with another engine.

    ``max_abs_diff`` is the largest |ours - theirs| over the compared free parameters
    (``None`` when none could be compared); ``largest`` names that parameter.
    """

    engine: str
    version: str
    parameters_compared: int
    max_abs_diff: float | None
    largest: str
    skipped: tuple[Skipped, ...]
    tolerance: float = TOLERANCE
    options: str = ""

    @property
    def agrees(self) -> bool | None:
        """True when every compared estimate is within :data:`TOLERANCE`; None if nothing was compared."""
        if self.max_abs_diff is None:
            return None
        return bool(self.max_abs_diff <= self.tolerance)

    def to_dict(self) -> dict[str, Any]:
        """The ``crosscheck`` record of the results JSON."""
        return json_safe({
            "engine": self.engine, "version": self.version, "parameters_compared": self.parameters_compared,
            "max_abs_diff": self.max_abs_diff, "largest_diff_parameter": self.largest,
            "tolerance": self.tolerance, "agrees": self.agrees, "options": self.options,
            "skipped": [s.to_dict() for s in self.skipped],
        })


def _key(lhs: str, op: str, rhs: str) -> str:
    return f"{lhs} {op} {rhs}" if op != ":=" else lhs


def semopy_text(model_text: str, names: list[str]) -> tuple[str, dict[str, str], list[str], list[str]]:
    """Model text semopy reads: ``:=``, ``==`` and intercept lines removed, names made safe.

    Returns the text, the map from our names to semopy's, and the removed constraint and
    intercept lines.

    Examples
    --------
    >>> text, names, constraints, intercepts = semopy_text("f =~ a.b + c\\ny ~ f\\ny ~ 1\\nd := 2*x", ["a.b", "c", "y", "f"])
    >>> text.splitlines(), names["a.b"], intercepts
    (['f =~ v0 + c', 'y ~ f'], 'v0', ['y ~ 1'])
    """
    safe = {n: (n if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n) else f"v{i}") for i, n in enumerate(names)}
    lines, constraints, intercepts = [], [], []
    for raw in model_text.splitlines():
        line = raw.split("#")[0].split("!")[0].strip()
        if not line or ":=" in line:
            continue
        if "==" in line or re.search(r"(?<![<>=])[<>]", line):
            constraints.append(line)
            continue
        if re.fullmatch(r"[^=~]+~\s*1", line):
            intercepts.append(line)
            continue
        lines.append(_NAME.sub(lambda m: safe.get(m.group(0), m.group(0)), line))
    return "\n".join(lines), safe, constraints, intercepts


def crosscheck_semopy(fitted_text: str, ours: SemResult, *, data: pd.DataFrame | None = None,
                      cov: pd.DataFrame | None = None, nobs: int | None = None,
                      groups: bool = False, missing: str = "listwise") -> CrossCheck:
    """Re-estimate ``fitted_text`` with semopy and compare its estimates with ``ours``.

    Parameters
    ----------
    fitted_text : str
        The model as our engine fitted it (latent products expanded).
    ours : SemResult
        Our fit of it.
    data : pandas.DataFrame, optional
        The rows our fit used (only the model's observed variables are read; incomplete
        rows are dropped, as listwise deletion did).
    cov : pandas.DataFrame, optional
        Instead of ``data``: the ML covariance matrix (divisor N) of a summary-statistics
        fit, labelled; with ``nobs``.
    groups : bool
        The model has groups: nothing is compared (reason ``groups``).
    missing : str
        ``"fiml"``: nothing is compared (reason ``fiml``): semopy's FIML took minutes on
        HolzingerSwineford1939 with missing values and ended far (|diff| up to 24) from
        lavaan's and ours.

    Returns
    -------
    CrossCheck
    """
    import semopy

    version = str(getattr(semopy, "__version__", "unknown"))
    options = "SLSQP ftol=1e-12"
    free = [p for p in ours.parameters if p.free and p.op != ":="]
    defined = [p.lhs for p in ours.parameters if p.op == ":="]
    skipped: list[Skipped] = []
    if defined:
        skipped.append(Skipped("defined", tuple(defined), "semopy has no defined parameters (:=)"))

    def nothing(reason: str, detail: str) -> CrossCheck:
        params = tuple(_key(p.lhs, p.op, p.rhs) for p in free)
        return CrossCheck("semopy", version, 0, None, "", (*skipped, Skipped(reason, params, detail)),
                          options=options)

    if groups:
        return nothing("groups", "semopy's Model fits one group")
    if missing.lower() in ("fiml", "ml"):
        return nothing("fiml", "semopy's FIML does not reproduce lavaan's")
    names = list(ours.observed) + list(ours.latent)
    text, safe, constraints, intercepts = semopy_text(fitted_text, names)
    back = {v: k for k, v in safe.items()}
    intercept_rows = [p for p in free if p.op == "~1"]
    if intercept_rows:
        skipped.append(Skipped("intercept", tuple(_key(p.lhs, p.op, p.rhs) for p in intercept_rows),
                               "semopy's Model has no mean structure"))
    try:
        model = semopy.Model(text)
        if data is not None:
            frame = data.loc[:, list(ours.observed)].apply(pd.to_numeric, errors="coerce").dropna()
            frame.columns = [safe[c] for c in frame.columns]
            result = model.fit(frame, **SEMOPY_OPTIONS)
        else:
            if cov is None or nobs is None:
                raise ValueError("crosscheck_semopy needs data, or cov and nobs")
            matrix = cov.loc[list(ours.observed), list(ours.observed)].copy()
            matrix.index = matrix.columns = [safe[c] for c in matrix.columns]
            result = model.fit(cov=matrix, n_samples=nobs, **SEMOPY_OPTIONS)
        table = model.inspect()
    except Exception as exc:  # semopy's own errors: reported, never hidden
        return nothing("failed", f"{type(exc).__name__}: {exc}"[:300])
    if not getattr(result, "success", True):
        return nothing("failed", f"semopy did not converge: {getattr(result, 'message', '')}")

    latent = set(ours.latent)
    observed = set(ours.observed)
    theirs: dict[tuple[str, str, str], tuple[float, bool]] = {}
    for _, row in table.iterrows():
        lhs, op, rhs = back.get(str(row["lval"]), str(row["lval"])), str(row["op"]), back.get(str(row["rval"]),
                                                                                                   str(row["rval"]))
        if op == "~" and rhs in latent and lhs in observed:  # semopy writes f =~ x as x ~ f
            lhs, op, rhs = rhs, "=~", lhs
        estimate = row["Estimate"]
        is_free = not (isinstance(row.get("Std. Err", ""), str) and row.get("Std. Err", "") == "-")
        try:
            value = float(estimate)
        except (TypeError, ValueError):
            continue
        theirs[(lhs, op, rhs)] = (value, is_free)
        if op == "~~":
            theirs[(rhs, op, lhs)] = (value, is_free)

    misread = []
    for p in ours.parameters:
        if p.free or p.op in (":=", "~1") or (p.lhs, p.op, p.rhs) not in theirs:
            continue
        value, is_free = theirs[(p.lhs, p.op, p.rhs)]
        if p.lhs in observed and p.rhs in observed and p.op == "~~" and p.lhs not in _endogenous(ours):
            continue  # fixed.x moments: semopy estimates them (at their sample values)
        if is_free or abs(value - p.est) > 1e-8 * max(1.0, abs(p.est)):
            misread.append(_key(p.lhs, p.op, p.rhs))
    if misread:
        return nothing("fixed_misread", "semopy did not keep the fixed values of " + ", ".join(misread[:6]))

    diffs: list[tuple[float, str]] = []
    absent, refixed, constrained = [], [], []
    constrained_labels = {t for c in constraints for t in _NAME.findall(c)}
    for p in free:
        if p.op == "~1":
            continue
        key = _key(p.lhs, p.op, p.rhs)
        if p.label and p.label in constrained_labels:
            constrained.append(key)
            continue
        found = theirs.get((p.lhs, p.op, p.rhs))
        if found is None:
            absent.append(key)
        elif not found[1]:
            refixed.append(key)
        else:
            diffs.append((abs(p.est - found[0]), key))
    if refixed:  # semopy fitted another (more restricted) model: no estimate is comparable
        return nothing("fixed_misread", "semopy fixed parameters this model estimates: " + ", ".join(refixed[:6]))
    if absent:  # semopy's model lacks parameters ours has: no estimate is comparable
        return nothing("not_estimated", "semopy's model has no counterpart of " + ", ".join(absent[:6]))
    if constrained:
        skipped.append(Skipped("constraint", tuple(constrained), "semopy does not read == / < / > constraints"))
    if not diffs:
        return CrossCheck("semopy", version, 0, None, "", tuple(skipped), options=options)
    worst = max(diffs)
    return CrossCheck("semopy", version, len(diffs), float(worst[0]), worst[1], tuple(skipped), options=options)


def _endogenous(ours: SemResult) -> set[str]:
    return {p.lhs for p in ours.parameters if p.op == "~"} | {p.rhs for p in ours.parameters if p.op == "=~"}


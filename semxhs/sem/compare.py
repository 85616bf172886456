"""Nested-model comparison: the likelihood-ratio (χ² difference) test as lavaan's ``lavTestLRT``.

Models are ordered by their degrees of freedom (fewest first, as lavaan); each model is compared
with the one before it, the less restricted one:

- ML: ``Δχ² = χ²_restricted - χ²_free`` on ``Δdf`` degrees of freedom, with lavaan's RMSEA of
  the difference ``sqrt(G) sqrt(max(0, Δχ² - Δdf) / (Δdf N))`` (G groups).
- MLR: the Satorra–Bentler (2001) scaled difference, lavaan's default for MLR:
  ``c_d = (df_0 c_0 - df_1 c_1) / (df_0 - df_1)``, ``T_d = (T_0 - T_1) / c_d`` with the
  unscaled statistics ``T`` and the scaling factors ``c`` of the restricted (0) and the free (1)
  model.

Beside them: AIC, BIC and the change in CFI, RMSEA and SRMR (this model − the one it is compared
with). What can be detected of a pair that is not nested is refused (different observed
variables or cases, equal df, a restricted model that fits better).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from semxhs.errors import SpecError
from semxhs.messages import json_safe
from semxhs.sem.results import SemResult

COMPARE_COLUMNS = ("model", "vs", "df", "npar", "aic", "bic", "chisq", "chisq_scaled", "scaling_factor",
                   "chisq_diff", "df_diff", "pvalue", "rmsea_diff", "cfi", "rmsea", "srmr", "delta_cfi",
                   "delta_rmsea", "delta_srmr")


def chisq_difference(chisq_restricted: float, df_restricted: int, chisq_free: float,
                     df_free: int) -> tuple[float, int, float]:
    """Plain χ² difference test: ``(Δχ², Δdf, p)``.

    Examples
    --------
    >>> d, df, p = chisq_difference(36.1126776286511, 19, 11.9366074307351, 17)
    >>> round(d, 6), df, f"{p:.6g}"
    (24.17607, 2, '5.62643e-06')
    """
    diff = chisq_restricted - chisq_free
    ddf = df_restricted - df_free
    return float(diff), int(ddf), float(special.chdtrc(ddf, max(diff, 0.0)))


def satorra_bentler_2001(chisq_restricted: float, df_restricted: int, scaling_restricted: float,
                         chisq_free: float, df_free: int, scaling_free: float) -> tuple[float, int, float]:
    """Satorra–Bentler (2001) scaled χ² difference: ``(T_d, Δdf, p)``.

    ``c_d = (df_0 c_0 - df_1 c_1) / (df_0 - df_1)`` and ``T_d = (T_0 - T_1) / c_d``; ``T`` the
    unscaled (ML) statistics, ``c`` the scaling factors (``chisq / chisq_scaled``).

    Examples
    --------
    >>> t, df, p = satorra_bentler_2001(36.1126776286511, 19, 0.97596825949855,
    ...                                 11.9366074307351, 17, 0.978632315666897)
    >>> round(t, 6), df, f"{p:.6g}"
    (25.359768, 2, '3.11312e-06')
    """
    ddf = df_restricted - df_free
    cd = (df_restricted * scaling_restricted - df_free * scaling_free) / ddf
    t = (chisq_restricted - chisq_free) / cd
    return float(t), int(ddf), float(special.chdtrc(ddf, max(t, 0.0)))


def rmsea_difference(chisq_diff: float, df_diff: int, n: int, n_groups: int = 1) -> float:
    """lavaan's RMSEA of a χ² difference: ``sqrt(G) sqrt(max(0, Δχ² - Δdf) / (Δdf N))``.

    Examples
    --------
    >>> round(rmsea_difference(24.176070197916, 2, 400), 6)
    0.166494
    """
    return float(math.sqrt(n_groups) * math.sqrt(max(0.0, chisq_diff - df_diff) / (df_diff * n)))


@dataclass(frozen=True)
class ComparisonRow:
    """One model of a comparison; the difference columns are None on the first (least restricted) row."""

    model: str
    vs: str | None
    df: int
    npar: int
    aic: float
    bic: float
    chisq: float
    chisq_scaled: float | None
    scaling_factor: float | None
    chisq_diff: float | None
    df_diff: int | None
    pvalue: float | None
    rmsea_diff: float | None
    cfi: float
    rmsea: float
    srmr: float
    delta_cfi: float | None
    delta_rmsea: float | None
    delta_srmr: float | None


@dataclass(frozen=True)
class ModelComparison:
    """The result of :func:`compare_models`: ``method`` is ``"standard"`` (ML) or ``"satorra.bentler.2001"``."""

    method: str
    n_obs: int
    estimator: str
    rows: tuple[ComparisonRow, ...]

    def to_frame(self) -> pd.DataFrame:
        """The comparison table with the columns of :data:`COMPARE_COLUMNS`."""
        return pd.DataFrame([asdict(r) for r in self.rows], columns=list(COMPARE_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``semxhs compare``."""
        return json_safe({"method": self.method, "n_obs": self.n_obs, "estimator": self.estimator,
                          "comparisons": [asdict(r) for r in self.rows]})


def compare_models(results: dict[str, SemResult]) -> ModelComparison:
    """Compare nested models fitted to the same data, as ``lavTestLRT(fit1, fit2, ...)``.

    Parameters
    ----------
    results : dict
        Name -> fitted model (two or more; same estimator, same observed variables and cases).

    Returns
    -------
    ModelComparison

    Raises
    ------
    SpecError
        Naming the models, when they cannot be nested: different observed variables,
        numbers of cases or sample moments (different data), different estimators, equal degrees of freedom, or a more restricted
        model that fits better than a less restricted one.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> rng = np.random.default_rng(4)
    >>> x = rng.normal(size=(300, 2)); y = 0.4 * x[:, 0] + 0.3 * x[:, 1] + rng.normal(size=300)
    >>> d = pd.DataFrame({"y": y, "x1": x[:, 0], "x2": x[:, 1]})
    >>> cmp = compare_models({"free": fit("y ~ x1 + x2", d), "zero": fit("y ~ x1 + 0*x2", d)})
    >>> [r.model for r in cmp.rows], cmp.rows[1].df_diff, bool(cmp.rows[1].pvalue < 0.001)
    (['free', 'zero'], 1, True)
    """
    if len(results) < 2:
        raise SpecError("a comparison needs at least two models")
    names = list(results)
    first = results[names[0]]
    for name in names[1:]:
        res = results[name]
        if set(res.observed) != set(first.observed):
            only_a = sorted(set(first.observed) - set(res.observed))
            only_b = sorted(set(res.observed) - set(first.observed))
            raise SpecError(
                f"models '{names[0]}' and '{name}' use different observed variables "
                f"({', '.join(only_a) or '-'} only in '{names[0]}'; {', '.join(only_b) or '-'} only in '{name}'): "
                "they are not fitted to the same data and are not nested")
        if res.n_obs != first.n_obs:
            raise SpecError(f"models '{names[0]}' and '{name}' were fitted to different numbers of cases "
                            f"({first.n_obs} and {res.n_obs}): a likelihood-ratio test needs the same data")
        if first.state is not None and res.state is not None:
            ia = [first.observed.index(v) for v in res.observed]
            same = np.allclose(first.state.sample_cov[np.ix_(ia, ia)], res.state.sample_cov, rtol=1e-8, atol=1e-12)
            if not same:
                raise SpecError(f"models '{names[0]}' and '{name}' were fitted to different data (their sample "
                                "covariance matrices differ): a likelihood-ratio test needs the same data")
        if res.estimator != first.estimator or res.missing != first.missing:
            raise SpecError(f"models '{names[0]}' and '{name}' were fitted with different estimators or "
                            "missing-data methods")
    ordered = sorted(names, key=lambda k: results[k].fit.df)
    for a, b in pairwise(ordered):
        if results[a].fit.df == results[b].fit.df:
            raise SpecError(f"models '{a}' and '{b}' have the same degrees of freedom ({results[a].fit.df}): "
                            "they cannot be nested; compare them by AIC/BIC instead")
    robust = first.estimator == "MLR"
    method = "satorra.bentler.2001" if robust else "standard"
    rows: list[ComparisonRow] = []
    for pos, name in enumerate(ordered):
        fm = results[name].fit
        scaled = fm.chisq_scaled if robust else None
        factor = fm.chisq_scaling_factor if robust else None
        vs = ordered[pos - 1] if pos else None
        diff = ddf = p = rd = dcfi = drmsea = dsrmr = None
        if vs is not None:
            fv = results[vs].fit
            if fm.chisq < fv.chisq - 1e-6 * max(1.0, fv.chisq):
                raise SpecError(
                    f"model '{name}' (df {fm.df}) fits better than the less restricted model '{vs}' "
                    f"(df {fv.df}): the models are not nested, or '{vs}' did not reach its optimum")
            if robust:
                if factor is None or fv.chisq_scaling_factor is None:
                    raise SpecError("the scaled difference test needs the scaling factors of both models")
                diff, ddf, p = satorra_bentler_2001(fm.chisq, fm.df, factor, fv.chisq, fv.df,
                                                    fv.chisq_scaling_factor)
            else:
                diff, ddf, p = chisq_difference(fm.chisq, fm.df, fv.chisq, fv.df)
                rd = rmsea_difference(diff, ddf, results[name].n_obs)
            dcfi, drmsea, dsrmr = fm.cfi - fv.cfi, fm.rmsea - fv.rmsea, fm.srmr - fv.srmr
        rows.append(ComparisonRow(
            model=name, vs=vs, df=fm.df, npar=fm.npar, aic=fm.aic, bic=fm.bic, chisq=fm.chisq,
            chisq_scaled=scaled, scaling_factor=factor, chisq_diff=diff, df_diff=ddf, pvalue=p, rmsea_diff=rd,
            cfi=fm.cfi, rmsea=fm.rmsea, srmr=fm.srmr, delta_cfi=dcfi, delta_rmsea=drmsea, delta_srmr=dsrmr))
    return ModelComparison(method=method, n_obs=first.n_obs, estimator=first.estimator, rows=tuple(rows))

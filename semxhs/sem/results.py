"""Frozen result objects of the estimator with tidy tables.

Column names follow lavaan's ``parameterEstimates`` and ``fitMeasures`` with ``_`` for
``.``, so a reviewer can compare semxhs and lavaan line by line. Nothing here rounds or
formats; :mod:`semxhs.report` does that.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from semxhs.messages import Message, json_safe, messages_to_json

if TYPE_CHECKING:
    from semxhs.sem.partable import ParTable

PARAMETER_COLUMNS = ("lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all")
FIT_COLUMNS = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
               "srmr", "aic", "bic", "logl", "npar")
ROBUST_FIT_COLUMNS = ("chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor",
                      "baseline_chisq_scaled", "baseline_chisq_scaling_factor", "cfi_scaled", "tli_scaled",
                      "rmsea_scaled", "cfi_robust", "tli_robust", "rmsea_robust")
# the AMOS-style set (semxhs.sem.fit_amos); chisq_df_ratio is AMOS's CMIN/DF, the rest lavaan's names
AMOS_FIT_COLUMNS = ("chisq_df_ratio", "gfi", "agfi", "pgfi", "nfi", "rfi", "ifi", "pnfi", "rmr", "rmr_nomean",
                    "cn_05", "cn_01", "ecvi", "mfi")



@dataclass(frozen=True)
class Parameter:
    """One row of the parameter estimates (lavaan's ``parameterEstimates`` + ``std.all``)."""

    lhs: str
    op: str
    rhs: str
    label: str
    est: float
    se: float
    z: float | None
    pvalue: float | None
    ci_lower: float
    ci_upper: float
    std_all: float | None
    free: bool = True
    group: int = 1  # 1-based group in lavaan's order; 0 for := rows of a multi-group model
    group_label: str = ""


@dataclass(frozen=True)
class FitMeasures:
    """Global fit, with lavaan's definitions (see :mod:`semxhs.sem.fitmeasures`)."""

    chisq: float
    df: int
    pvalue: float | None
    cfi: float
    tli: float
    rmsea: float
    rmsea_ci_lower: float
    rmsea_ci_upper: float
    srmr: float
    aic: float
    bic: float
    logl: float
    npar: int
    baseline_chisq: float
    baseline_df: int
    unrestricted_logl: float
    # robust (MLR) and missing-data measures, lavaan's names; None when not computed
    chisq_scaled: float | None = None
    df_scaled: int | None = None
    pvalue_scaled: float | None = None
    chisq_scaling_factor: float | None = None
    baseline_chisq_scaled: float | None = None
    baseline_chisq_scaling_factor: float | None = None
    cfi_scaled: float | None = None
    tli_scaled: float | None = None
    rmsea_scaled: float | None = None
    cfi_robust: float | None = None
    tli_robust: float | None = None
    rmsea_robust: float | None = None
    # multi-group fits: each group's contribution to chisq (lavaan's stat.group), by group label
    chisq_group: dict[str, float] | None = None
    chisq_group_scaled: dict[str, float] | None = None  # MLR: chisq_group / chisq_scaling_factor
    # the AMOS-style set (semxhs.sem.fit_amos); None when not computed
    chisq_df_ratio: float | None = None
    gfi: float | None = None
    agfi: float | None = None
    pgfi: float | None = None
    nfi: float | None = None
    rfi: float | None = None
    ifi: float | None = None
    pnfi: float | None = None
    rmr: float | None = None
    rmr_nomean: float | None = None
    cn_05: float | None = None
    cn_01: float | None = None
    ecvi: float | None = None
    mfi: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """All measures as a plain dict (NaN as None); robust, per-group and AMOS measures only when computed."""
        out = asdict(self)
        for name in ROBUST_FIT_COLUMNS + ("chisq_group", "chisq_group_scaled") + AMOS_FIT_COLUMNS:
            if out[name] is None:
                del out[name]
        return json_safe(out)


@dataclass(frozen=True)
class ModIndex:
    """One modification index (lavaan's ``modindices()`` columns)."""

    lhs: str
    op: str
    rhs: str
    mi: float
    epc: float
    sepc_lv: float
    sepc_all: float
    sepc_nox: float
    group: int = 0  # multi-group models: the group (1-based, lavaan's order); 0 in single-group models
    group_label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON (group keys only in multi-group models)."""
        row = asdict(self)
        if not self.group:
            del row["group"], row["group_label"]
        return row


@dataclass(frozen=True)
class ScoreTest:
    """The univariate score test of one equality constraint (lavaan's ``lavTestScore()$uni``)."""

    lhs: str
    op: str
    rhs: str
    X2: float
    df: int
    pvalue: float
    lhs_parameter: str
    rhs_parameter: str
    # multi-group models: the groups (1-based, lavaan's order) of the two sides; 0 in single-group models
    lhs_group: int = 0
    rhs_group: int = 0
    lhs_group_label: str | None = None
    rhs_group_label: str | None = None

    @property
    def parameter(self) -> str:
        """The lhs side written as lavaan's ``group.partial`` takes it (``x3~1``, ``visual=~x2``)."""
        return self.lhs_parameter

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON; the group keys (and ``parameter``) only in multi-group models."""
        row = asdict(self)
        if not self.lhs_group:
            for key in ("lhs_group", "rhs_group", "lhs_group_label", "rhs_group_label"):
                del row[key]
        else:
            row["parameter"] = self.parameter
        return row


@dataclass(frozen=True)
class ScoreTests:
    """lavaan's ``lavTestScore``: the joint test of all equality constraints and one per constraint."""

    X2: float
    df: int
    pvalue: float
    univariate: tuple[ScoreTest, ...]
    cumulative: tuple[ScoreTest, ...] = ()  # lavaan's cumulative = TRUE: rows by X2, df = constraints released

    def to_frame(self) -> pd.DataFrame:
        """The univariate tests as a table (``lhs, op, rhs, X2, df, pvalue, lhs_parameter, rhs_parameter``)."""
        return pd.DataFrame([asdict(t) for t in self.univariate],
                            columns=[f.name for f in fields(ScoreTest)])

    def to_dict(self) -> dict[str, Any]:
        """``{"total": {X2, df, pvalue}, "univariate": [rows]}`` (and ``"cumulative"`` when computed)."""
        out: dict[str, Any] = {"total": {"X2": self.X2, "df": self.df, "pvalue": self.pvalue},
                               "univariate": [t.to_dict() for t in self.univariate]}
        if self.cumulative:
            out["cumulative"] = [t.to_dict() for t in self.cumulative]
        return json_safe(out)


@dataclass(frozen=True)
class EffectSize:
    """Cohen's f² and VIF of one structural path (``converged``: whether the refit without it converged)."""

    outcome: str
    predictor: str
    r2_full: float
    r2_without: float
    f2: float
    vif: float
    converged: bool


@dataclass(frozen=True)
class FitState:
    """What a fit leaves for later computations on it (modification indices, score tests, effect sizes).

    Not part of the JSON. ``sample_cov``/``sample_mean`` are the moments the model was fitted
    to (divisor N; under FIML the EM estimates), ``theta`` the free parameters, ``data`` the
    rows used (needed to refit under FIML).
    """

    partable: ParTable
    sample_cov: np.ndarray
    sample_mean: np.ndarray
    n: int
    theta: np.ndarray
    data: np.ndarray | None = None
    # multi-group fits: each group's (cov, mean, n) in lavaan's group order; sample_cov/mean are group 1's
    groups: tuple[tuple[np.ndarray, np.ndarray, int], ...] = ()


@dataclass(frozen=True)
class SemResult:
    """A fitted structural equation model.

    ``converged`` is False when the optimizer did not reach a stationary point;
    ``improper`` is True for a Heywood case (negative variance, non-positive-definite
    latent covariance matrix) or a not-identified model. ``warnings`` says which, in words;
    ``warning_codes`` says the same as :class:`Message` records (one per warning, same
    order), which the report words in its language.
    ``latent_cov`` is the model-implied covariance matrix of the latent variables
    (lavaan's ``lavInspect(fit, "cov.lv")``).
    """

    model: str
    n_obs: int
    n_dropped: int
    estimator: str
    missing: str
    converged: bool
    improper: bool
    iterations: int
    warnings: tuple[str, ...]
    fit: FitMeasures
    parameters: tuple[Parameter, ...]
    r2: dict[str, float]
    observed: tuple[str, ...]
    latent: tuple[str, ...]
    latent_cov: dict[str, dict[str, float]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    warning_codes: tuple[Message, ...] = ()
    state: FitState | None = field(default=None, repr=False, compare=False)
    # on request (semxhs.sem.extras): modification indices, score tests of equality constraints, f²/VIF
    modindices: tuple[ModIndex, ...] | None = None
    score_tests: ScoreTests | None = None
    effect_sizes: tuple[EffectSize, ...] | None = None

    def to_frame(self) -> pd.DataFrame:
        """Parameter estimates as a DataFrame with lavaan's column names.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from semxhs.sem.model import fit
        >>> rng = np.random.default_rng(1)
        >>> x = rng.normal(size=200); y = 0.5 * x + rng.normal(size=200)
        >>> res = fit("y ~ b*x", pd.DataFrame({"x": x, "y": y}))
        >>> list(res.to_frame().columns)[:6]
        ['lhs', 'op', 'rhs', 'label', 'est', 'se']
        """
        columns = PARAMETER_COLUMNS[:3] + ("group", "group_label") + PARAMETER_COLUMNS[3:] \
            if self.extra.get("group_labels") else PARAMETER_COLUMNS
        return pd.DataFrame([{k: getattr(p, k) for k in columns} for p in self.parameters], columns=list(columns))

    def fit_frame(self) -> pd.DataFrame:
        """Fit measures as a one-row DataFrame."""
        return pd.DataFrame([self.fit.to_dict()])

    def parameter(self, lhs: str, op: str, rhs: str = "", group: int | None = None) -> Parameter:
        """Look up one parameter row (``~~`` rows match in either order; ``:=`` by name; ``group`` 1-based)."""
        for p in self.parameters:
            if group is not None and op != ":=" and p.group != group:
                continue
            if (p.lhs, p.op, p.rhs) == (lhs, op, rhs) or (op == "~~" and (p.rhs, p.op, p.lhs) == (lhs, op, rhs)):
                return p
            if op == ":=" and p.op == ":=" and p.lhs == lhs:
                return p
        raise KeyError(f"{lhs} {op} {rhs}")

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``semxhs fit --json``."""
        out: dict[str, Any] = {
            "n_obs": self.n_obs,
            "n_dropped": self.n_dropped,
            "estimator": self.estimator,
            "missing": self.missing,
            "converged": self.converged,
            "improper": self.improper,
            "iterations": self.iterations,
            "warnings": list(self.warnings),
            "warning_codes": messages_to_json(self.warning_codes),
            "fit": self.fit.to_dict(),
            "parameters": [self._parameter_json(p) for p in self.parameters],
            "r2": dict(self.r2),
            "latent_cov": self.latent_cov,
            "model": self.model,
        }
        if self.modindices is not None:
            out["modindices"] = [m.to_dict() for m in self.modindices]
        if self.score_tests is not None:
            out["score_tests"] = self.score_tests.to_dict()
        if self.effect_sizes is not None:
            out["effect_sizes"] = [asdict(e) for e in self.effect_sizes]
        out.update(self.extra)
        return json_safe(out)

    def _parameter_json(self, p: Parameter) -> dict[str, Any]:
        row = {f.name: getattr(p, f.name) for f in fields(p)}
        if not self.extra.get("group_labels"):  # single-group JSON as before: no group keys
            del row["group"], row["group_label"]
        elif p.group == 0:
            row["group_label"] = None
        return row

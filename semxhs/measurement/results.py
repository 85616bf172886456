"""Frozen result records of the measurement-quality computations.

A leaf of :mod:`semxhs.measurement`: it imports only other leaves (:mod:`semxhs.sem.results`
for :class:`~semxhs.messages.Message`, :mod:`~semxhs.measurement.thresholds`), holds
full-precision numbers (never rounded) and turns them into tidy tables
(``to_frame()``) or the JSON contract (``to_dict()``). Missing values are ``nan``
in the records and frames and ``None`` (JSON ``null``) in ``to_dict()``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from semxhs.measurement.thresholds import THRESHOLDS, Threshold
from semxhs.messages import Message, json_safe, messages_to_json

__all__ = [
    "BartlettResult",
    "ChisqDifference",
    "CollinearityRow",
    "CommonMethodResult",
    "EstimateChange",
    "Finding",
    "FullCollinearityResult",
    "HarmanResult",
    "HtmtBootstrap",
    "HtmtInterval",
    "ItemRow",
    "KMOResult",
    "MarkerPair",
    "MarkerResult",
    "MeasurementResult",
    "MethodLoading",
    "ModelFit",
    "ReliabilityRow",
    "UlmcResult",
    "matrix_to_dict",
]

#: Columns of :meth:`MeasurementResult.to_frame` (one row per construct).
RELIABILITY_COLUMNS = (
    "factor",
    "n_items",
    "alpha",
    "alpha_ci_lower",
    "alpha_ci_upper",
    "cr",
    "omega",
    "ave",
    "sqrt_ave",
)

#: Columns of :meth:`MeasurementResult.items_frame` (one row per item).
ITEM_COLUMNS = (
    "item",
    "factor",
    "mean",
    "sd",
    "skew",
    "kurtosis",
    "loading_std",
    "item_total_r",
    "alpha_if_deleted",
)


def matrix_to_dict(frame: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    """Nested ``{row: {column: value}}`` of a labelled matrix, ``nan`` as ``None``.

    Examples
    --------
    >>> m = pd.DataFrame([[1.0, 0.5], [0.5, 1.0]], index=["a", "b"], columns=["a", "b"])
    >>> matrix_to_dict(m)["a"]
    {'a': 1.0, 'b': 0.5}
    """
    return {
        str(r): {str(c): json_safe(frame.loc[r, c]) for c in frame.columns}
        for r in frame.index
    }


@dataclass(frozen=True)
class ReliabilityRow:
    """Reliability and convergent validity of one construct (full precision).

    ``omega`` is ``nan`` when no model estimates (:class:`OmegaInputs`) were given.
    """

    factor: str
    n_items: int
    alpha: float
    alpha_ci_lower: float
    alpha_ci_upper: float
    cr: float
    omega: float
    ave: float

    @property
    def sqrt_ave(self) -> float:
        """√AVE, the diagonal of the Fornell–Larcker table."""
        return math.sqrt(self.ave) if self.ave >= 0 else math.nan

    def to_dict(self) -> dict[str, float | None]:
        """The six contract keys ``alpha, alpha_ci_lower, alpha_ci_upper, cr, omega, ave``."""
        return {
            "alpha": json_safe(self.alpha),
            "alpha_ci_lower": json_safe(self.alpha_ci_lower),
            "alpha_ci_upper": json_safe(self.alpha_ci_upper),
            "cr": json_safe(self.cr),
            "omega": json_safe(self.omega),
            "ave": json_safe(self.ave),
        }


@dataclass(frozen=True)
class ItemRow:
    """Descriptive and item-analysis statistics of one item (full precision)."""

    item: str
    factor: str
    mean: float
    sd: float
    skew: float
    kurtosis: float
    loading_std: float
    item_total_r: float
    alpha_if_deleted: float

    def to_dict(self) -> dict[str, Any]:
        """One record of the ``items`` list of the JSON contract."""
        return {
            "item": self.item,
            "factor": self.factor,
            **{c: json_safe(getattr(self, c)) for c in ITEM_COLUMNS[2:]},
        }


@dataclass(frozen=True)
class KMOResult:
    """Kaiser–Meyer–Olkin measure of sampling adequacy, overall and per item."""

    overall: float
    items: Mapping[str, float]

    def to_frame(self) -> pd.DataFrame:
        """Columns ``item, msa``; the last row (``item == "overall"``) is the overall KMO."""
        rows = [(k, float(v)) for k, v in self.items.items()] + [("overall", self.overall)]
        return pd.DataFrame(rows, columns=["item", "msa"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": json_safe(self.overall),
            "items": {k: json_safe(v) for k, v in self.items.items()},
        }


@dataclass(frozen=True)
class BartlettResult:
    """Bartlett's (1951) test of sphericity: H0 the population correlation matrix is I."""

    chisq: float
    df: int
    pvalue: float
    n: int

    def to_frame(self) -> pd.DataFrame:
        """One row with columns ``chisq, df, pvalue, n``."""
        return pd.DataFrame([{"chisq": self.chisq, "df": self.df, "pvalue": self.pvalue, "n": self.n}])

    def to_dict(self) -> dict[str, Any]:
        return {"chisq": json_safe(self.chisq), "df": self.df, "pvalue": json_safe(self.pvalue)}


@dataclass(frozen=True)
class HarmanResult:
    """Harman's single-factor test: share of total variance of the first unrotated component."""

    first_factor_share: float
    first_eigenvalue: float
    n_items: int

    def to_frame(self) -> pd.DataFrame:
        """One row with columns ``first_factor_share, first_eigenvalue, n_items``."""
        return pd.DataFrame([self.__dict__])

    def to_dict(self) -> dict[str, Any]:
        return {"first_factor_share": json_safe(self.first_factor_share)}


@dataclass(frozen=True)
class ChisqDifference:
    """Chi-square difference test of a more restricted model against the measurement model.

    ``chisq``/``df`` are those of the restricted model (for the common-method check:
    the one-factor CFA); ``delta_chisq``/``delta_df`` are its differences from the
    less restricted model and ``pvalue`` is the upper chi-square tail of ``delta_chisq``.
    """

    chisq: float
    df: int
    delta_chisq: float
    delta_df: int
    pvalue: float

    def to_frame(self) -> pd.DataFrame:
        """One row with columns ``chisq, df, delta_chisq, delta_df, pvalue``."""
        return pd.DataFrame([self.to_dict()])

    def to_dict(self) -> dict[str, Any]:
        return {
            "chisq": json_safe(self.chisq),
            "df": self.df,
            "delta_chisq": json_safe(self.delta_chisq),
            "delta_df": self.delta_df,
            "pvalue": json_safe(self.pvalue),
        }


@dataclass(frozen=True)
class HtmtInterval:
    """Bootstrap percentile interval of the HTMT of one pair of constructs."""

    lhs: str
    rhs: str
    estimate: float
    ci_lower: float
    ci_upper: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "lhs": self.lhs,
            "rhs": self.rhs,
            "estimate": json_safe(self.estimate),
            "ci_lower": json_safe(self.ci_lower),
            "ci_upper": json_safe(self.ci_upper),
        }


@dataclass(frozen=True)
class HtmtBootstrap:
    """Percentile bootstrap intervals of HTMT for every pair of constructs.

    ``failed`` lists the (0-based) draws whose HTMT could not be computed (an item
    without variance in the resample); they are kept out of the percentiles and
    reported here rather than dropped silently.
    """

    intervals: tuple[HtmtInterval, ...]
    draws: int
    seed: int | None
    level: float
    failed: tuple[int, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Columns ``lhs, rhs, estimate, ci_lower, ci_upper`` (one row per pair)."""
        return pd.DataFrame(
            [i.to_dict() for i in self.intervals],
            columns=["lhs", "rhs", "estimate", "ci_lower", "ci_upper"],
        ).astype({"estimate": float, "ci_lower": float, "ci_upper": float})

    def to_dict(self) -> dict[str, Any]:
        return {
            "draws": self.draws,
            "seed": self.seed,
            "level": self.level,
            "failed": len(self.failed),
            "failed_draws": list(self.failed),
            "pairs": [i.to_dict() for i in self.intervals],
        }


@dataclass(frozen=True)
class Finding:
    """One finding about a threshold a construct or pair falls short of.

    Attributes
    ----------
    code : str
        Stable identifier of the check, e.g. ``"ave"``, ``"htmt"``, ``"fornell_larcker"``.
    severity : str
        ``"fail"`` (below the conventional minimum) or ``"warn"`` (below a stricter
        or recommended level).
    subject : tuple of str
        The construct, the pair of constructs, or the item the finding is about.
    statistic, value, threshold, comparison
        What was compared: ``value`` ``comparison`` ``threshold`` is the violation
        (e.g. ``0.37 < 0.5``), both numbers at full precision.
    source : str
        Citation of the threshold.
    params : mapping
        What a sentence about the finding needs beyond the above (by code, see
        :mod:`semxhs.measurement.findings`); the report words it
        (:func:`semxhs.report.messages.finding_words`).
    """

    code: str
    severity: str
    subject: tuple[str, ...]
    statistic: str
    value: float
    threshold: float
    comparison: str
    source: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "subject": list(self.subject),
            "statistic": self.statistic,
            "value": json_safe(self.value),
            "threshold": json_safe(self.threshold),
            "comparison": self.comparison,
            "source": self.source,
            "params": json_safe(dict(self.params)),
        }


@dataclass(frozen=True, repr=False)
class MeasurementResult:
    """Reliability, convergent and discriminant validity, factorability and common-method checks.

    Built by :func:`semxhs.measurement.measurement_quality`. Matrices are labelled
    :class:`pandas.DataFrame` objects (constructs in model order); tables are tuples
    of frozen records. ``to_frame()`` gives the per-construct reliability table,
    ``items_frame()`` the item table, and ``to_dict()`` the JSON contract.

    ``thresholds`` are the cut-offs the findings were judged against (by key, as
    :data:`~semxhs.measurement.thresholds.THRESHOLDS`), ``level`` the confidence level of
    the alpha (and HTMT) intervals. ``notes`` are English sentences; ``note_codes`` the
    same notes as :class:`~semxhs.messages.Message` records (same order). Codes:
    ``block_skipped`` (``factor``, ``items``, ``min_items``), ``omega_not_computed``,
    ``negative_within`` (``pairs``: ``[item, item]`` lists), ``negative_between``
    (``pairs``, the first six; ``more``: how many more), ``htmt_boot_failed``
    (``failed``, ``draws``).
    """

    reliability: tuple[ReliabilityRow, ...]
    items: tuple[ItemRow, ...]
    fornell_larcker: pd.DataFrame
    htmt: pd.DataFrame
    htmt2: pd.DataFrame
    kmo: KMOResult
    bartlett: BartlettResult
    harman: HarmanResult
    n: int
    one_factor_cfa: ChisqDifference | None = None
    htmt_ci: HtmtBootstrap | None = None
    findings: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = field(default=())
    note_codes: tuple[Message, ...] = ()
    thresholds: Mapping[str, Threshold] = field(default_factory=lambda: dict(THRESHOLDS))
    level: float = 0.95
    constructs: pd.DataFrame | None = None  # construct_descriptives(): n, mean, sd, r_<c>, p_<c> of item-mean scores
    common_method: CommonMethodResult | None = None  # ULMC, marker, full collinearity (JSON ``common_method``)

    def __repr__(self) -> str:
        return (f"MeasurementResult(n={self.n}, factors={list(self.factors)!r}, items={len(self.items)}, "
                f"htmt_ci={'yes' if self.htmt_ci is not None else 'no'}, "
                f"one_factor_cfa={'yes' if self.one_factor_cfa is not None else 'no'}, "
                f"findings={len(self.findings)}, notes={len(self.notes)})")

    @property
    def factors(self) -> tuple[str, ...]:
        """The constructs analysed (blocks with at least two items), in model order."""
        return tuple(r.factor for r in self.reliability)

    def to_frame(self) -> pd.DataFrame:
        """Per-construct table with columns :data:`RELIABILITY_COLUMNS`."""
        rows = [
            {**{k: getattr(r, k) for k in RELIABILITY_COLUMNS}}
            for r in self.reliability
        ]
        return pd.DataFrame(rows, columns=list(RELIABILITY_COLUMNS))

    def items_frame(self) -> pd.DataFrame:
        """Per-item table with columns :data:`ITEM_COLUMNS`."""
        return pd.DataFrame(
            [{k: getattr(r, k) for k in ITEM_COLUMNS} for r in self.items],
            columns=list(ITEM_COLUMNS),
        )

    def findings_frame(self) -> pd.DataFrame:
        """The findings as a table (one row per finding)."""
        cols = ["code", "severity", "subject", "statistic", "value", "threshold",
                "comparison", "source", "en", "zh"]
        return pd.DataFrame(
            [{**f.to_dict(), "subject": " ~ ".join(f.subject)} for f in self.findings],
            columns=cols,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: ``{"measurement": {...}}`` (and ``"common_method"`` when computed), ``null`` for missing."""
        return {
            "measurement": {
                "n": self.n,
                "reliability": {r.factor: r.to_dict() for r in self.reliability},
                "items": [i.to_dict() for i in self.items],
                "fornell_larcker": matrix_to_dict(self.fornell_larcker),
                "construct_descriptives": None if self.constructs is None else matrix_to_dict(self.constructs),
                "htmt": matrix_to_dict(self.htmt),
                "htmt2": matrix_to_dict(self.htmt2),
                "kmo": self.kmo.to_dict(),
                "bartlett": self.bartlett.to_dict(),
                "harman": self.harman.to_dict(),
                "one_factor_cfa": None if self.one_factor_cfa is None else self.one_factor_cfa.to_dict(),
                "htmt_ci": None if self.htmt_ci is None else self.htmt_ci.to_dict(),
                "findings": [f.to_dict() for f in self.findings],
                "notes": list(self.notes),
                "note_codes": messages_to_json(self.note_codes),
                "level": self.level,
                "thresholds": {key: {"statistic": th.statistic, "requirement": th.requirement, "value": th.value,
                                     "severity": th.severity, "source": th.source}
                               for key, th in self.thresholds.items()},
            },
            **({} if self.common_method is None else {"common_method": self.common_method.to_dict()}),
        }



# --------------------------------------------------------------------------- common-method bias beyond Harman

#: Columns of :meth:`UlmcResult.changes_frame` (one row per structural estimate).
ULMC_CHANGE_COLUMNS = ("lhs", "op", "rhs", "est_without", "est_with", "std_all_without", "std_all_with",
                       "delta_std_all")

#: Columns of :meth:`MarkerResult.to_frame` (one row per pair of constructs).
MARKER_COLUMNS = ("lhs", "rhs", "r", "t", "pvalue", "r_adj", "t_adj", "pvalue_adj", "lost")


@dataclass(frozen=True)
class ModelFit:
    """The fit of one model of a comparison, with what the estimator said about it.

    ``converged``/``improper`` and ``warning_codes`` are those of the fit
    (:class:`~semxhs.sem.results.SemResult`): a model that is not identified, did not
    converge or is improper is reported as such, with its numbers, never dropped.
    """

    chisq: float
    df: int
    pvalue: float
    cfi: float
    tli: float
    rmsea: float
    srmr: float
    converged: bool
    improper: bool
    warning_codes: tuple[Message, ...] = ()

    @property
    def trustworthy(self) -> bool:
        """Converged to a proper solution with no estimator warning."""
        return self.converged and not self.improper and not self.warning_codes

    def to_dict(self) -> dict[str, Any]:
        return {
            "chisq": json_safe(self.chisq), "df": self.df, "pvalue": json_safe(self.pvalue),
            "cfi": json_safe(self.cfi), "tli": json_safe(self.tli), "rmsea": json_safe(self.rmsea),
            "srmr": json_safe(self.srmr), "converged": self.converged, "improper": self.improper,
            "warning_codes": messages_to_json(self.warning_codes),
        }


@dataclass(frozen=True)
class EstimateChange:
    """One structural estimate without and with the method factor (``std_all`` = lavaan's std.all)."""

    lhs: str
    op: str
    rhs: str
    est_without: float
    est_with: float
    std_all_without: float
    std_all_with: float

    @property
    def delta_std_all(self) -> float:
        """Standardized estimate with the method factor minus without it."""
        return self.std_all_with - self.std_all_without

    def to_dict(self) -> dict[str, Any]:
        return {k: json_safe(getattr(self, k)) for k in ULMC_CHANGE_COLUMNS}


@dataclass(frozen=True)
class MethodLoading:
    """The loading of one item on the method factor (``std_all``: completely standardized)."""

    item: str
    est: float
    std_all: float

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item, "est": json_safe(self.est), "std_all": json_safe(self.std_all)}


@dataclass(frozen=True)
class UlmcResult:
    """The unmeasured latent method construct (ULMC) test (Podsakoff et al., 2003; 周浩 & 龙立荣, 2004).

    ``baseline`` is the hypothesised model (the user's full SEM: measurement and
    structural part), ``method`` the same model plus a method factor loading on every
    item, orthogonal to every substantive latent variable, variance 1; ``loadings`` says
    whether its loadings were free (``"free"``) or one common loading (``"equal"``).
    ``difference`` is the χ² difference test of the baseline (more restricted) against
    the method model (``None`` when it cannot be formed). Δ fit indices are method minus
    baseline; ``changes`` are the structural estimates (regressions, covariances of the
    substantive latent variables, ``:=`` effects) in both models.
    """

    model: str
    loadings: str
    syntax: str
    n: int
    baseline: ModelFit
    method: ModelFit
    difference: ChisqDifference | None
    method_loadings: tuple[MethodLoading, ...]
    changes: tuple[EstimateChange, ...]

    @property
    def delta_cfi(self) -> float:
        return self.method.cfi - self.baseline.cfi

    @property
    def delta_tli(self) -> float:
        return self.method.tli - self.baseline.tli

    @property
    def delta_rmsea(self) -> float:
        return self.method.rmsea - self.baseline.rmsea

    @property
    def delta_srmr(self) -> float:
        return self.method.srmr - self.baseline.srmr

    @property
    def method_variance_share(self) -> float:
        """Mean squared standardized method loading: the share of item variance the method factor explains."""
        values = [m.std_all ** 2 for m in self.method_loadings]
        return float(sum(values) / len(values)) if values else math.nan

    @property
    def largest_change(self) -> EstimateChange | None:
        """The structural estimate whose standardized value moved most."""
        finite = [c for c in self.changes if math.isfinite(c.delta_std_all)]
        return max(finite, key=lambda c: abs(c.delta_std_all)) if finite else None

    def changes_frame(self) -> pd.DataFrame:
        """Columns :data:`ULMC_CHANGE_COLUMNS`."""
        return pd.DataFrame([{k: getattr(c, k) for k in ULMC_CHANGE_COLUMNS} for c in self.changes],
                            columns=list(ULMC_CHANGE_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "loadings": self.loadings,
            "syntax": self.syntax,
            "n": self.n,
            "baseline": self.baseline.to_dict(),
            "method": self.method.to_dict(),
            "difference": None if self.difference is None else self.difference.to_dict(),
            "delta_cfi": json_safe(self.delta_cfi),
            "delta_tli": json_safe(self.delta_tli),
            "delta_rmsea": json_safe(self.delta_rmsea),
            "delta_srmr": json_safe(self.delta_srmr),
            "method_variance_share": json_safe(self.method_variance_share),
            "method_loadings": [m.to_dict() for m in self.method_loadings],
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass(frozen=True)
class MarkerPair:
    """One correlation of two constructs before and after the marker adjustment (Lindell & Whitney, 2001)."""

    lhs: str
    rhs: str
    r: float
    t: float
    pvalue: float
    r_adj: float
    t_adj: float
    pvalue_adj: float

    def lost(self, alpha: float) -> bool:
        """Significant before the adjustment and not after it."""
        return bool(self.pvalue < alpha and not self.pvalue_adj < alpha)


@dataclass(frozen=True)
class MarkerResult:
    """The marker-variable technique (Lindell & Whitney, 2001) on construct scores.

    ``marker`` are the marker items (their mean is the marker score), ``rule`` how r_M was
    chosen (``"smallest"`` or ``"second_smallest"`` positive correlation of the marker with
    a construct), ``marker_correlations`` the marker's correlation with each construct,
    ``pairs`` every pair of constructs with r and the adjusted r_A, each with its t test.
    """

    marker: tuple[str, ...]
    rule: str
    r_m: float
    n: int
    alpha: float
    marker_correlations: Mapping[str, float]
    pairs: tuple[MarkerPair, ...]

    @property
    def lost(self) -> tuple[MarkerPair, ...]:
        """The pairs significant before the adjustment and not after it."""
        return tuple(p for p in self.pairs if p.lost(self.alpha))

    def to_frame(self) -> pd.DataFrame:
        """Columns :data:`MARKER_COLUMNS`."""
        rows = [{**{k: getattr(p, k) for k in MARKER_COLUMNS[:-1]}, "lost": p.lost(self.alpha)} for p in self.pairs]
        return pd.DataFrame(rows, columns=list(MARKER_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        return {
            "marker": list(self.marker),
            "rule": self.rule,
            "r_m": json_safe(self.r_m),
            "n": self.n,
            "alpha": self.alpha,
            "marker_correlations": {k: json_safe(v) for k, v in self.marker_correlations.items()},
            "pairs": [{**{k: json_safe(getattr(p, k)) for k in MARKER_COLUMNS[:-1]}, "lost": p.lost(self.alpha)}
                      for p in self.pairs],
            "any_lost": bool(self.lost),
        }


@dataclass(frozen=True)
class CollinearityRow:
    """Full-collinearity VIF of one construct score (Kock, 2015): 1 / (1 − R²) on all the others."""

    construct: str
    r2: float
    vif: float


@dataclass(frozen=True)
class FullCollinearityResult:
    """Kock's (2015) full-collinearity test: every construct score regressed on all the others."""

    rows: tuple[CollinearityRow, ...]
    n: int
    cutoff: float = 3.3

    @property
    def above(self) -> tuple[CollinearityRow, ...]:
        """Constructs whose VIF exceeds the cut-off."""
        return tuple(r for r in self.rows if r.vif > self.cutoff)

    def to_frame(self) -> pd.DataFrame:
        """Columns ``construct, r2, vif``."""
        return pd.DataFrame([(r.construct, r.r2, r.vif) for r in self.rows], columns=["construct", "r2", "vif"])

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "cutoff": self.cutoff, "score": "item_mean",
                "vif": {r.construct: {"r2": json_safe(r.r2), "vif": json_safe(r.vif)} for r in self.rows}}


@dataclass(frozen=True)
class CommonMethodResult:
    """Every common-method-bias check of a study: Harman, one-factor CFA, ULMC, marker, full collinearity.

    A check that was not run is ``None``; ``note_codes`` say why (codes ``ulmc_not_run``
    with ``reason``, ``marker_no_positive`` with ``marker``, ``full_collinearity_not_run`` with ``error``).
    """

    harman: HarmanResult
    one_factor_cfa: ChisqDifference | None = None
    ulmc: UlmcResult | None = None
    marker: MarkerResult | None = None
    full_collinearity: FullCollinearityResult | None = None
    note_codes: tuple[Message, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON key ``common_method``."""
        return {
            "harman": self.harman.to_dict(),
            "one_factor_cfa": None if self.one_factor_cfa is None else self.one_factor_cfa.to_dict(),
            "ulmc": None if self.ulmc is None else self.ulmc.to_dict(),
            "marker": None if self.marker is None else self.marker.to_dict(),
            "full_collinearity": None if self.full_collinearity is None else self.full_collinearity.to_dict(),
            "note_codes": messages_to_json(self.note_codes),
        }

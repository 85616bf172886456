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
from semxhs.messages import Message, messages_to_json

__all__ = [
    "BartlettResult",
    "ChisqDifference",
    "Finding",
    "HarmanResult",
    "HtmtBootstrap",
    "HtmtInterval",
    "ItemRow",
    "KMOResult",
    "MeasurementResult",
    "ReliabilityRow",
    "json_number",
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


def json_number(x: float | int | None) -> float | int | None:
    """Return ``x`` as a JSON-safe number: ``None`` for ``nan``/``inf``/``None``.

    Examples
    --------
    >>> json_number(0.5), json_number(float("nan")), json_number(3)
    (0.5, None, 3)
    """
    if x is None:
        return None
    if isinstance(x, bool):
        return x
    if isinstance(x, int):
        return x
    value = float(x)
    return value if math.isfinite(value) else None


def matrix_to_dict(frame: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    """Nested ``{row: {column: value}}`` of a labelled matrix, ``nan`` as ``None``.

    Examples
    --------
    >>> m = pd.DataFrame([[1.0, 0.5], [0.5, 1.0]], index=["a", "b"], columns=["a", "b"])
    >>> matrix_to_dict(m)["a"]
    {'a': 1.0, 'b': 0.5}
    """
    return {
        str(r): {str(c): json_number(frame.loc[r, c]) for c in frame.columns}
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
            "alpha": json_number(self.alpha),
            "alpha_ci_lower": json_number(self.alpha_ci_lower),
            "alpha_ci_upper": json_number(self.alpha_ci_upper),
            "cr": json_number(self.cr),
            "omega": json_number(self.omega),
            "ave": json_number(self.ave),
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
            **{c: json_number(getattr(self, c)) for c in ITEM_COLUMNS[2:]},
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
            "overall": json_number(self.overall),
            "items": {k: json_number(v) for k, v in self.items.items()},
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
        return {"chisq": json_number(self.chisq), "df": self.df, "pvalue": json_number(self.pvalue)}


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
        return {"first_factor_share": json_number(self.first_factor_share)}


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
            "chisq": json_number(self.chisq),
            "df": self.df,
            "delta_chisq": json_number(self.delta_chisq),
            "delta_df": self.delta_df,
            "pvalue": json_number(self.pvalue),
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
            "estimate": json_number(self.estimate),
            "ci_lower": json_number(self.ci_lower),
            "ci_upper": json_number(self.ci_upper),
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
    """One plain-language finding about a threshold a construct or pair falls short of.

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
    en, zh : str
        The finding in English and in Chinese.
    """

    code: str
    severity: str
    subject: tuple[str, ...]
    statistic: str
    value: float
    threshold: float
    comparison: str
    source: str
    en: str
    zh: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "subject": list(self.subject),
            "statistic": self.statistic,
            "value": json_number(self.value),
            "threshold": json_number(self.threshold),
            "comparison": self.comparison,
            "source": self.source,
            "en": self.en,
            "zh": self.zh,
        }


@dataclass(frozen=True)
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
        """The JSON contract: ``{"measurement": {...}}``, valid JSON with ``null`` for missing."""
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
            }
        }


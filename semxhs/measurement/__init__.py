"""Measurement quality of Likert scales: reliability, validity, factorability, common-method bias.

Pure functions of plain numbers and arrays (no SEM fitting here):

- :mod:`.reliability` — Cronbach's alpha and its Feldt interval, composite reliability,
  McDonald's omega, AVE
- :mod:`.items` — item moments, corrected item-total correlation, alpha-if-item-deleted
- :mod:`.validity` — Fornell–Larcker, HTMT, HTMT2, bootstrap intervals of HTMT
- :mod:`.factorability` — KMO and Bartlett's test of sphericity
- :mod:`.common_method` — Harman's single-factor test, chi-square difference test
- :mod:`.recode` — reverse-keying
- :mod:`.thresholds`, :mod:`.findings` — conventional cut-offs and plain-language findings
- :mod:`.quality` — :func:`measurement_quality`, which assembles a :class:`MeasurementResult`
"""

from semxhs.measurement.common_method import (
    chisq_difference,
    first_factor_share,
    harman_single_factor,
)
from semxhs.measurement.factorability import (
    bartlett_sphericity,
    bartlett_statistic,
    kmo,
)
from semxhs.measurement.findings import findings
from semxhs.measurement.items import (
    alpha_if_deleted,
    corrected_item_total,
    item_moments,
    item_statistics,
)
from semxhs.measurement.quality import measurement_quality
from semxhs.measurement.reliability import (
    OmegaInputs,
    alpha_ci_feldt,
    average_variance_extracted,
    block_omega,
    composite_reliability,
    cronbach_alpha,
    omega,
)
from semxhs.measurement.results import (
    BartlettResult,
    ChisqDifference,
    Finding,
    HarmanResult,
    HtmtBootstrap,
    HtmtInterval,
    ItemRow,
    KMOResult,
    MeasurementResult,
    ReliabilityRow,
)
from semxhs.measurement.thresholds import THRESHOLDS, Threshold, thresholds_table
from semxhs.measurement.validity import (
    fornell_larcker,
    htmt,
    htmt2,
    htmt_array,
    htmt_bootstrap,
    negative_correlations,
)
from semxhs.survey.recode import reverse_key

__all__ = [
    "THRESHOLDS",
    "BartlettResult",
    "ChisqDifference",
    "Finding",
    "HarmanResult",
    "HtmtBootstrap",
    "HtmtInterval",
    "ItemRow",
    "KMOResult",
    "MeasurementResult",
    "OmegaInputs",
    "ReliabilityRow",
    "Threshold",
    "alpha_ci_feldt",
    "alpha_if_deleted",
    "average_variance_extracted",
    "bartlett_sphericity",
    "bartlett_statistic",
    "block_omega",
    "chisq_difference",
    "composite_reliability",
    "corrected_item_total",
    "cronbach_alpha",
    "findings",
    "first_factor_share",
    "fornell_larcker",
    "harman_single_factor",
    "htmt",
    "htmt2",
    "htmt_array",
    "htmt_bootstrap",
    "item_moments",
    "item_statistics",
    "kmo",
    "measurement_quality",
    "negative_correlations",
    "omega",
    "reverse_key",
    "thresholds_table",
]

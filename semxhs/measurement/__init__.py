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

from typing import TYPE_CHECKING

from semxhs import lazy_getattr

if TYPE_CHECKING:
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

# imported on first use (start-up time: each command imports only what it uses)
_LAZY = {
    'BartlettResult': ('semxhs.measurement.results', 'BartlettResult'),
    'ChisqDifference': ('semxhs.measurement.results', 'ChisqDifference'),
    'Finding': ('semxhs.measurement.results', 'Finding'),
    'HarmanResult': ('semxhs.measurement.results', 'HarmanResult'),
    'HtmtBootstrap': ('semxhs.measurement.results', 'HtmtBootstrap'),
    'HtmtInterval': ('semxhs.measurement.results', 'HtmtInterval'),
    'ItemRow': ('semxhs.measurement.results', 'ItemRow'),
    'KMOResult': ('semxhs.measurement.results', 'KMOResult'),
    'MeasurementResult': ('semxhs.measurement.results', 'MeasurementResult'),
    'OmegaInputs': ('semxhs.measurement.reliability', 'OmegaInputs'),
    'ReliabilityRow': ('semxhs.measurement.results', 'ReliabilityRow'),
    'THRESHOLDS': ('semxhs.measurement.thresholds', 'THRESHOLDS'),
    'Threshold': ('semxhs.measurement.thresholds', 'Threshold'),
    'alpha_ci_feldt': ('semxhs.measurement.reliability', 'alpha_ci_feldt'),
    'alpha_if_deleted': ('semxhs.measurement.items', 'alpha_if_deleted'),
    'average_variance_extracted': ('semxhs.measurement.reliability', 'average_variance_extracted'),
    'bartlett_sphericity': ('semxhs.measurement.factorability', 'bartlett_sphericity'),
    'bartlett_statistic': ('semxhs.measurement.factorability', 'bartlett_statistic'),
    'block_omega': ('semxhs.measurement.reliability', 'block_omega'),
    'chisq_difference': ('semxhs.measurement.common_method', 'chisq_difference'),
    'composite_reliability': ('semxhs.measurement.reliability', 'composite_reliability'),
    'corrected_item_total': ('semxhs.measurement.items', 'corrected_item_total'),
    'cronbach_alpha': ('semxhs.measurement.reliability', 'cronbach_alpha'),
    'findings': ('semxhs.measurement.findings', 'findings'),
    'first_factor_share': ('semxhs.measurement.common_method', 'first_factor_share'),
    'fornell_larcker': ('semxhs.measurement.validity', 'fornell_larcker'),
    'harman_single_factor': ('semxhs.measurement.common_method', 'harman_single_factor'),
    'htmt': ('semxhs.measurement.validity', 'htmt'),
    'htmt2': ('semxhs.measurement.validity', 'htmt2'),
    'htmt_array': ('semxhs.measurement.validity', 'htmt_array'),
    'htmt_bootstrap': ('semxhs.measurement.validity', 'htmt_bootstrap'),
    'item_moments': ('semxhs.measurement.items', 'item_moments'),
    'item_statistics': ('semxhs.measurement.items', 'item_statistics'),
    'kmo': ('semxhs.measurement.factorability', 'kmo'),
    'measurement_quality': ('semxhs.measurement.quality', 'measurement_quality'),
    'negative_correlations': ('semxhs.measurement.validity', 'negative_correlations'),
    'omega': ('semxhs.measurement.reliability', 'omega'),
    'reverse_key': ('semxhs.survey.recode', 'reverse_key'),
    'thresholds_table': ('semxhs.measurement.thresholds', 'thresholds_table'),
}


__getattr__ = lazy_getattr(__name__, _LAZY)


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

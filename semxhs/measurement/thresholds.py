"""Conventional thresholds of measurement quality, each with its source.

These are conventions, not laws: :func:`semxhs.measurement.findings` compares
results with them and reports shortfalls; it decides nothing.

References
----------
Bartlett, M. S. (1951). The effect of standardization on a χ² approximation in
    factor analysis. *Biometrika, 38*, 337–344.
Fornell, C., & Larcker, D. F. (1981). *Journal of Marketing Research, 18*, 39–50.
Franke, G., & Sarstedt, M. (2019). Heuristics versus statistics in discriminant
    validity testing. *Internet Research, 29*, 430–447.
Gold, A. H., Malhotra, A., & Segars, A. H. (2001). Knowledge management: An
    organizational capabilities perspective. *Journal of Management Information Systems, 18*, 185–214.
Hair, J. F., Black, W. C., Babin, B. J., & Anderson, R. E. (2019). *Multivariate
    data analysis* (8th ed.). Cengage.
Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). *Journal of the Academy of
    Marketing Science, 43*, 115–135.
Kaiser, H. F. (1974). An index of factorial simplicity. *Psychometrika, 39*, 31–36.
Kline, R. B. (2011). *Principles and practice of structural equation modeling*
    (3rd ed.). Guilford.
Nunnally, J. C. (1978). *Psychometric theory* (2nd ed.). McGraw-Hill.
Podsakoff, P. M., MacKenzie, S. B., Lee, J.-Y., & Podsakoff, N. P. (2003).
    *Journal of Applied Psychology, 88*, 879–903.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["THRESHOLDS", "Threshold", "thresholds_table"]


@dataclass(frozen=True)
class Threshold:
    """One conventional threshold.

    Attributes
    ----------
    key : str
        Stable identifier (the ``code`` of findings about it is the statistic's name).
    statistic : str
        What is compared (``alpha``, ``cr``, ``ave``, ``loading_std``, ``htmt``, ...).
    requirement : str
        The condition that *meets* the threshold, as ``">="``, ``">"``, ``"<"`` or ``"<="``.
    value : float
        The cut-off.
    severity : str
        ``"fail"`` when falling short breaks the usual minimum, ``"warn"`` for a
        stricter or recommended level.
    source : str
        Short citation (full references in this module's docstring).
    """

    key: str
    statistic: str
    requirement: str
    value: float
    severity: str
    source: str

    def met(self, x: float) -> bool:
        """Whether ``x`` meets the threshold.

        Examples
        --------
        >>> THRESHOLDS["ave"].met(0.37), THRESHOLDS["ave"].met(0.5)
        (False, True)
        """
        ops = {">=": x >= self.value, ">": x > self.value, "<": x < self.value, "<=": x <= self.value}
        return bool(ops[self.requirement])


_ROWS = (
    Threshold("alpha", "alpha", ">=", 0.70, "fail", "Nunnally (1978)"),
    Threshold("cr", "cr", ">=", 0.70, "fail", "Hair et al. (2019)"),
    Threshold("ave", "ave", ">=", 0.50, "fail", "Fornell & Larcker (1981)"),
    Threshold("loading_min", "loading_std", ">=", 0.50, "fail", "Hair et al. (2019)"),
    Threshold("loading_ideal", "loading_std", ">=", 0.70, "warn", "Hair et al. (2019)"),
    Threshold("htmt_strict", "htmt", "<", 0.85, "warn", "Kline (2011); Henseler et al. (2015)"),
    Threshold("htmt_liberal", "htmt", "<", 0.90, "fail", "Gold et al. (2001); Henseler et al. (2015)"),
    Threshold("htmt_ci_upper", "htmt_ci_upper", "<", 0.90, "warn", "Henseler et al. (2015); Franke & Sarstedt (2019)"),
    Threshold("kmo", "kmo", ">=", 0.60, "fail", "Kaiser (1974)"),
    Threshold("kmo_item", "msa", ">=", 0.50, "warn", "Kaiser (1974)"),
    Threshold("bartlett", "bartlett_pvalue", "<", 0.05, "fail", "Bartlett (1951)"),
    Threshold("harman", "harman_share", "<", 0.50, "fail", "Podsakoff et al. (2003)"),
    Threshold("one_factor_cfa", "one_factor_pvalue", "<", 0.05, "fail", "Podsakoff et al. (2003)"),
)

#: The thresholds by key. Fornell–Larcker (√AVE greater than every correlation of the
#: construct, Fornell & Larcker 1981) compares two results and has no fixed cut-off.
THRESHOLDS: dict[str, Threshold] = {t.key: t for t in _ROWS}


def thresholds_table() -> pd.DataFrame:
    """The thresholds as a table with columns ``key, statistic, requirement, value, severity, source``.

    Examples
    --------
    >>> t = thresholds_table()
    >>> t.loc[t["key"] == "htmt_liberal", ["requirement", "value", "source"]].iloc[0].to_dict()
    {'requirement': '<', 'value': 0.9, 'source': 'Gold et al. (2001); Henseler et al. (2015)'}
    """
    return pd.DataFrame(
        [t.__dict__ for t in _ROWS],
        columns=["key", "statistic", "requirement", "value", "severity", "source"],
    )

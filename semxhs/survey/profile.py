"""The sample profile: frequencies and percentages of each demographic of the analysed sample.

The table every thesis prints first ("样本人口统计特征"): for each demographic question of
the instrument (``demographics:``), each level's frequency and percentage of the analysed
sample, missing answers as their own row (never dropped silently), and for a numeric
question (age in years) its mean, SD, minimum and maximum, with the frequencies of its
``bins`` when it has them. Collected here at full precision; :mod:`semxhs.report.profile`
words and formats it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from semxhs.survey.instrument import Demographic

__all__ = ["NumericSummary", "ProfileRow", "SampleProfile", "bin_labels", "sample_profile"]

#: Columns of :meth:`SampleProfile.to_frame` (one row per level).
PROFILE_COLUMNS = ("variable", "level", "label", "n", "percent")


@dataclass(frozen=True)
class ProfileRow:
    """One level of one demographic: its code (or bin, or ``"missing"``), labels, count and percentage.

    ``kind`` is ``"level"`` (declared), ``"other"`` (an answer the instrument does not
    label, shown as it is), ``"bin"`` (an interval of a numeric demographic) or
    ``"missing"`` (no answer). ``percent`` is of the analysed N (0 to 100).
    """

    variable: str
    level: str
    label_zh: str
    label_en: str
    n: int
    percent: float
    kind: str = "level"

    def label(self, language: str) -> str:
        """The label in ``language`` (else the other language, else the level as it is)."""
        first, second = (self.label_zh, self.label_en) if language == "zh" else (self.label_en, self.label_zh)
        return first or second or self.level


@dataclass(frozen=True)
class NumericSummary:
    """Mean, SD (N − 1), minimum and maximum of a numeric demographic over its ``n`` answers."""

    variable: str
    n: int
    missing: int
    mean: float
    sd: float
    min: float
    max: float


@dataclass(frozen=True)
class SampleProfile:
    """The sample profile of ``n`` analysed respondents.

    ``basis`` says which respondents: ``"listwise"`` (complete on the model's variables)
    or ``"fiml"`` (every respondent with an answer to one of them), after screening when
    ``screened`` is true. ``absent``: declared demographics no column matched (left out).
    """

    n: int
    demographics: tuple[Demographic, ...]
    rows: tuple[ProfileRow, ...]
    numeric: tuple[NumericSummary, ...] = ()
    basis: str = "listwise"
    screened: bool = False
    absent: tuple[str, ...] = ()  # declared demographics no column of the data matched

    def to_frame(self, language: str = "en") -> pd.DataFrame:
        """One row per level, columns :data:`PROFILE_COLUMNS` (labels in ``language``)."""
        return pd.DataFrame([(r.variable, r.level, r.label(language), r.n, r.percent) for r in self.rows],
                            columns=list(PROFILE_COLUMNS))

    def to_dict(self, language: str = "en") -> dict[str, Any]:
        """JSON form: ``n``, ``basis``, ``screened``, ``variables``, ``rows``, ``numeric``, ``absent``."""
        return {
            "n": self.n,
            "basis": self.basis,
            "screened": self.screened,
            "absent": list(self.absent),
            "variables": [{"variable": d.id, "name_zh": d.name_zh, "name_en": d.name_en, "type": d.type}
                          for d in self.demographics],
            "rows": [{"variable": r.variable, "level": r.level, "label": r.label(language),
                      "label_zh": r.label_zh, "label_en": r.label_en, "n": r.n, "percent": r.percent,
                      "kind": r.kind} for r in self.rows],
            "numeric": [{"variable": s.variable, "n": s.n, "missing": s.missing, "mean": s.mean, "sd": s.sd,
                         "min": s.min, "max": s.max} for s in self.numeric],
        }


def bin_labels(bins: Sequence[float]) -> list[str]:
    """Labels of the intervals cut at ``bins``: below the first, ``[b_i, b_i+1)``, from the last on.

    Whole-number cut points give whole-number ranges (ages in years).

    Examples
    --------
    >>> bin_labels([18, 23, 31])
    ['<18', '18–22', '23–30', '≥31']
    >>> bin_labels([0.5, 1.5])
    ['<0.5', '0.5–<1.5', '≥1.5']
    """
    whole = all(float(b).is_integer() for b in bins)
    out = [f"<{bins[0]:g}"]
    for low, high in zip(bins, bins[1:]):
        out.append(f"{low:g}–{high - 1:g}" if whole else f"{low:g}–<{high:g}")
    out.append(f"≥{bins[-1]:g}")
    return out


def _key(value: object) -> str | None:
    """A cell as a level key: whole numbers without ``.0``, texts as they are; ``None`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number = float(value)
        return str(int(number)) if number.is_integer() else f"{number:g}"
    text = str(value).strip()
    return text or None


def sample_profile(frame: pd.DataFrame, demographics: Sequence[Demographic], *, basis: str = "listwise",
                   screened: bool = False) -> SampleProfile:
    """Frequencies and percentages of each demographic over the rows of ``frame`` (the analysed sample).

    Parameters
    ----------
    frame : pandas.DataFrame
        The analysed respondents, demographics under their ids (as
        :func:`semxhs.survey.platforms.import_survey` decodes them).
    demographics : sequence of Demographic
        The instrument's ``demographics``.
    basis, screened
        Which respondents these are (recorded, see :class:`SampleProfile`).

    Returns
    -------
    SampleProfile
        Declared levels in the declared order (also those nobody chose, with 0; the open
        intervals below the first and from the last cut point only when someone is in them), then
        unlabelled answers as they are, then a ``missing`` row when anyone did not answer.

    A demographic whose column is not in ``frame`` is left out and listed in ``absent``.

    Examples
    --------
    >>> from semxhs.survey.instrument import Demographic
    >>> g = Demographic("gender", "性别", "Gender", levels=((1, "男", "Male"), (2, "女", "Female")))
    >>> p = sample_profile(pd.DataFrame({"gender": [1, 2, 2, None, 3]}), [g])
    >>> [(r.level, r.label("zh"), r.n, r.percent, r.kind) for r in p.rows]
    [('1', '男', 1, 20.0, 'level'), ('2', '女', 2, 40.0, 'level'), ('3', '3', 1, 20.0, 'other'), ('missing', 'missing', 1, 20.0, 'missing')]
    >>> age = Demographic("age", type="numeric", bins=(20.0, 30.0))
    >>> p = sample_profile(pd.DataFrame({"age": [19, 25, 31, 40]}), [age])
    >>> [(r.level, r.n) for r in p.rows], round(p.numeric[0].mean, 2), p.numeric[0].min
    ([('<20', 1), ('20–29', 1), ('≥30', 2)], 28.75, 19.0)
    """
    absent = tuple(d.id for d in demographics if d.id not in frame.columns)
    demographics = [d for d in demographics if d.id in frame.columns]
    n = len(frame)
    rows: list[ProfileRow] = []
    numeric: list[NumericSummary] = []

    def pct(k: int) -> float:
        return 100.0 * k / n if n else math.nan

    for d in demographics:
        column = frame[d.id]
        if d.type == "numeric":
            values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
            answered = values[np.isfinite(values)]
            k = len(answered)
            numeric.append(NumericSummary(
                d.id, k, n - k,
                float(answered.mean()) if k else math.nan,
                float(answered.std(ddof=1)) if k > 1 else math.nan,
                float(answered.min()) if k else math.nan,
                float(answered.max()) if k else math.nan))
            if d.bins:
                edges = np.asarray(d.bins, dtype=float)
                where = np.searchsorted(edges, answered, side="right")
                labels = bin_labels(d.bins)
                for b, label in enumerate(labels):
                    count = int((where == b).sum())
                    if count == 0 and b in (0, len(labels) - 1):  # open-ended outer intervals only when used
                        continue
                    rows.append(ProfileRow(d.id, label, "", "", count, pct(count), "bin"))
            if n - k:
                rows.append(ProfileRow(d.id, "missing", "", "", n - k, pct(n - k), "missing"))
            continue
        keys = [_key(v) for v in column.tolist()]
        counts: dict[str, int] = {}
        for key in keys:
            if key is not None:
                counts[key] = counts.get(key, 0) + 1
        declared = [str(code) for code, _zh, _en in d.levels]
        for code, zh, en in d.levels:
            k = counts.get(str(code), 0)
            rows.append(ProfileRow(d.id, str(code), zh, en, k, pct(k), "level"))
        for key in sorted((k for k in counts if k not in declared), key=_order):
            rows.append(ProfileRow(d.id, key, "", "", counts[key], pct(counts[key]), "other"))
        n_missing = sum(key is None for key in keys)
        if n_missing:
            rows.append(ProfileRow(d.id, "missing", "", "", n_missing, pct(n_missing), "missing"))
    return SampleProfile(n, tuple(demographics), tuple(rows), tuple(numeric), basis, screened, absent)


def _order(key: str) -> tuple[int, float, str]:
    """Numbers first, in numeric order, then texts."""
    try:
        return (0, float(key), "")
    except ValueError:
        return (1, 0.0, key)

"""Careless-response screening before analysis, with an exclusion log and a CONSORT-style flow.

Rules, applied in this order (a respondent flagged by several rules is counted once,
under the first): failed attention checks; completion time below a threshold
(speeders); the longest string of identical answers (straight-lining); low
intra-individual response variability (IRV); multivariate outliers (Mahalanobis D²).
Every flag of every rule is kept in the log; the flow counts each respondent once.

References
----------
Curran, P. G. (2016). Methods for the detection of carelessly invalid responses in
survey data. *Journal of Experimental Social Psychology*, 66, 4–19.
Dunn, A. M., Heggestad, E. D., Shanock, L. R., & Theilgard, N. (2018). Intra-individual
response variability as an indicator of insufficient effort responding. *Journal of
Business and Psychology*, 33, 105–121.
Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey data.
*Psychological Methods*, 17(3), 437–455.
Tabachnick, B. G., & Fidell, L. S. (2019). *Using multivariate statistics* (7th ed.),
ch. 4: Mahalanobis distance evaluated as χ² with p degrees of freedom at p < .001.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from semxhs.atomic import OutputStage
from semxhs.errors import DataError, InputFileError, StudyError, name_list
from semxhs.messages import Message, json_safe, message_texts, messages_to_json
from semxhs.survey.files import read_data
from semxhs.survey.instrument import Instrument
from semxhs.survey.missingness import (
    LittleMCAR,
    MissingnessResult,
    little_mcar,
    missingness,
)
from semxhs.survey.normality import NormalityResult, assess_normality
from semxhs.survey.platforms import SurveyImport, import_survey, parse_duration
from semxhs.survey.provenance import DataProvenance, make_provenance
from semxhs.survey.validate import (
    ScaleCheck,
    ValidationReport,
    check_scale,
    validate_responses,
)

__all__ = [
    "RULE_ORDER",
    "Exclusion",
    "FlowStep",
    "ScreeningFiles",
    "ScreeningResult",
    "ScreeningRules",
    "ScreeningRun",
    "irv",
    "longstring",
    "mahalanobis_d2",
    "screen",
    "screen_file",
    "screening_payloads",
    "write_screening",
]

#: The order in which rules claim a respondent in the flow.
RULE_ORDER = ("attention", "speed", "longstring", "irv", "mahalanobis")

#: Columns of :meth:`ScreeningResult.to_frame` (the exclusion log).
LOG_COLUMNS = ("respondent", "row", "rule", "value", "threshold", "detail", "counted")

#: Columns of :meth:`ScreeningResult.flow_frame`.
FLOW_COLUMNS = ("stage", "rule", "criterion", "excluded", "remaining")

_RULE_KEYS: dict[str, dict[str, str]] = {
    # rule: {yaml key: dataclass field}
    "attention": {"max_failed": "attention_max_failed"},
    "speed": {"fraction_of_median": "speed_fraction", "min_seconds": "speed_min_seconds"},
    "longstring": {"min_run": "longstring_min"},
    "irv": {"max": "irv_max"},
    "mahalanobis": {"p": "mahalanobis_p"},
}


@dataclass(frozen=True)
class ScreeningRules:
    """Which screening rules run, and their thresholds.

    Attributes
    ----------
    attention : bool, default True
        Exclude respondents who failed more than ``attention_max_failed`` attention
        checks (a missing answer to a check counts as failed).
    attention_max_failed : int, default 0
    speed : bool, default True
        Exclude respondents faster than ``speed_fraction`` × the median completion
        time, or than ``speed_min_seconds`` when that is given.
    speed_fraction : float, default 1/3
    speed_min_seconds : float or None, default None
    longstring : bool, default True
        Exclude respondents whose longest run of identical answers (items in
        questionnaire order) is at least ``longstring_min`` (default: every item).
    longstring_min : int or None, default None
    irv : bool, default False
        Exclude respondents whose IRV (the SD of their own item answers) is at most
        ``irv_max``. Off by default: no threshold is generally agreed (Dunn et al., 2018).
    irv_max : float, default 0.5
    mahalanobis : bool, default True
        Exclude multivariate outliers: Mahalanobis D² on the items with
        ``p = P(χ²_p > D²) < mahalanobis_p``, computed on the respondents the earlier
        rules kept who answered every item.
    mahalanobis_p : float, default 0.001

    Examples
    --------
    >>> rules = ScreeningRules.from_dict({"speed": {"fraction_of_median": 0.5}, "mahalanobis": False})
    >>> rules.speed_fraction, rules.mahalanobis, rules.enabled()
    (0.5, False, ('attention', 'speed', 'longstring'))
    >>> ScreeningRules.from_dict(rules.to_dict()) == rules
    True
    >>> ScreeningRules.from_dict({"speed": {"fraction": 2}, "outliers": True})
    Traceback (most recent call last):
    ...
    semxhs.errors.StudyError: screening: unknown rule 'outliers' (rules: 'attention', 'speed', 'longstring', 'irv', 'mahalanobis'); speed: unknown key 'fraction' (keys: 'enabled', 'fraction_of_median', 'min_seconds')
    """

    attention: bool = True
    attention_max_failed: int = 0
    speed: bool = True
    speed_fraction: float = 1 / 3
    speed_min_seconds: float | None = None
    longstring: bool = True
    longstring_min: int | None = None
    irv: bool = False
    irv_max: float = 0.5
    mahalanobis: bool = True
    mahalanobis_p: float = 0.001

    def enabled(self) -> tuple[str, ...]:
        """The rules that run, in :data:`RULE_ORDER`."""
        return tuple(r for r in RULE_ORDER if getattr(self, r))

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """The YAML form: ``{rule: {enabled: bool, <threshold>: value}}``."""
        out: dict[str, dict[str, Any]] = {}
        for rule in RULE_ORDER:
            entry: dict[str, Any] = {"enabled": getattr(self, rule)}
            for key, attr in _RULE_KEYS[rule].items():
                entry[key] = getattr(self, attr)
            out[rule] = entry
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> ScreeningRules:
        """Rules from the YAML form; a rule may be given as ``true``/``false`` alone.

        Raises
        ------
        StudyError
            Listing every unknown rule or key and every invalid threshold at once.
        """
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise StudyError(f"screening: expected a mapping of rules, got {type(raw).__name__}")
        problems: list[str] = []
        values: dict[str, Any] = {}
        unknown = [k for k in raw if k not in _RULE_KEYS]
        if unknown:
            problems.append(f"unknown rule{'s' if len(unknown) > 1 else ''} {name_list(unknown)} "
                            f"(rules: {name_list(RULE_ORDER)})")
        for rule in RULE_ORDER:
            if rule not in raw:
                continue
            entry = raw[rule]
            if isinstance(entry, bool):
                values[rule] = entry
                continue
            if not isinstance(entry, Mapping):
                problems.append(f"{rule}: expected true, false or a mapping, got {entry!r}")
                continue
            allowed = {"enabled", *_RULE_KEYS[rule]}
            bad = [k for k in entry if k not in allowed]
            if bad:
                problems.append(f"{rule}: unknown key{'s' if len(bad) > 1 else ''} {name_list(bad)} "
                                f"(keys: {name_list(sorted(allowed))})")
            enabled = entry.get("enabled", True)
            if not isinstance(enabled, bool):
                problems.append(f"{rule}: 'enabled' must be true or false, got {enabled!r}")
            else:
                values[rule] = enabled
            for key, attr in _RULE_KEYS[rule].items():
                if key in entry:
                    values[attr] = entry[key]
        rules = cls(**{k: v for k, v in values.items()})
        problems += rules._threshold_problems()
        if problems:
            raise StudyError("screening: " + "; ".join(problems))
        return rules

    def _threshold_problems(self) -> list[str]:
        problems: list[str] = []

        def number(x: Any) -> bool:
            return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)

        if not (isinstance(self.attention_max_failed, int) and not isinstance(self.attention_max_failed, bool)
                and self.attention_max_failed >= 0):
            problems.append(f"attention: 'max_failed' must be a whole number >= 0, got {self.attention_max_failed!r}")
        if not (number(self.speed_fraction) and 0 < self.speed_fraction < 1):
            problems.append(f"speed: 'fraction_of_median' must be between 0 and 1, got {self.speed_fraction!r}")
        if self.speed_min_seconds is not None and not (number(self.speed_min_seconds) and self.speed_min_seconds > 0):
            problems.append(f"speed: 'min_seconds' must be a positive number, got {self.speed_min_seconds!r}")
        if self.longstring_min is not None and not (
                isinstance(self.longstring_min, int) and not isinstance(self.longstring_min, bool)
                and self.longstring_min >= 2):
            problems.append(f"longstring: 'min_run' must be a whole number >= 2, got {self.longstring_min!r}")
        if not (number(self.irv_max) and self.irv_max >= 0):
            problems.append(f"irv: 'max' must be a number >= 0, got {self.irv_max!r}")
        if not (number(self.mahalanobis_p) and 0 < self.mahalanobis_p < 1):
            problems.append(f"mahalanobis: 'p' must be between 0 and 1, got {self.mahalanobis_p!r}")
        return problems


# --------------------------------------------------------------------------- pure indices

def longstring(values: np.ndarray) -> np.ndarray:
    """Longest run of identical consecutive answers per row (Johnson, 2005).

    A missing answer (``nan``) ends a run and starts none.

    Examples
    --------
    >>> longstring(np.array([[1, 1, 1, 2], [3, 4, 4, 5], [2, np.nan, 2, 2]]))
    array([3, 2, 2])
    """
    x = np.asarray(values, dtype=float)
    n, p = x.shape
    best = np.zeros(n, dtype=int)
    run = np.zeros(n, dtype=int)
    for j in range(p):
        ok = np.isfinite(x[:, j])
        same = ok & (np.isfinite(x[:, j - 1]) if j else False) & (x[:, j] == x[:, j - 1] if j else False)
        run = np.where(same, run + 1, np.where(ok, 1, 0))
        best = np.maximum(best, run)
    return best


def irv(values: np.ndarray) -> np.ndarray:
    """Intra-individual response variability: each row's SD (n − 1) over its answered items.

    ``nan`` for rows with fewer than two answers (Dunn et al., 2018).

    Examples
    --------
    >>> irv(np.array([[4, 4, 4, 4], [1, 7, 1, 7], [2, np.nan, np.nan, np.nan]]))
    array([0.        , 3.46410162,        nan])
    """
    x = np.asarray(values, dtype=float)
    counts = np.isfinite(x).sum(axis=1)
    out = np.full(x.shape[0], np.nan)
    ok = counts >= 2
    if ok.any():
        out[ok] = np.nanstd(x[ok], axis=1, ddof=1)
    return out


def mahalanobis_d2(values: np.ndarray) -> np.ndarray:
    """Squared Mahalanobis distance of each row from the column means, sample covariance (n − 1).

    Raises
    ------
    DataError
        When there are no more rows than columns or the covariance matrix is singular.

    Examples
    --------
    >>> x = np.array([[1., 2.], [2., 1.], [3., 4.], [4., 3.], [10., 10.]])
    >>> np.round(mahalanobis_d2(x), 4)
    array([1.5102, 1.5102, 1.0204, 1.0204, 2.9388])
    """
    x = np.asarray(values, dtype=float)
    n, p = x.shape
    if n <= p:
        raise DataError(f"Mahalanobis distance: {n} complete rows for {p} items; need more rows than items")
    centred = x - x.mean(axis=0)
    cov = centred.T @ centred / (n - 1)
    try:
        chol = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise DataError(
            "Mahalanobis distance: the item covariance matrix is singular (an item without variance, "
            "or items that are exact combinations of others); turn the rule off or fix the items"
        ) from None
    z = np.linalg.solve(chol, centred.T)
    return np.sum(z * z, axis=0)


# --------------------------------------------------------------------------- records

@dataclass(frozen=True)
class Exclusion:
    """One flag: a respondent, the rule, the respondent's value and the threshold.

    ``counted`` is True for the rule under which the respondent is counted in the
    flow (the first flagging rule in :data:`RULE_ORDER`).
    """

    respondent: str
    row: int
    rule: str
    value: float
    threshold: float
    detail: str
    counted: bool


@dataclass(frozen=True)
class FlowStep:
    """One box of the flow diagram."""

    stage: str
    rule: str
    criterion: str
    excluded: int
    remaining: int


@dataclass(frozen=True)
class ScreeningResult:
    """Cleaned data, the exclusion log and the flow (received -> each rule -> analysed).

    Attributes
    ----------
    cleaned : pandas.DataFrame
        The rows kept, all columns, original index.
    log : tuple of Exclusion
        Every flag of every rule (a respondent may appear under several rules).
    flow : tuple of FlowStep
        ``received``, one step per enabled rule (respondents counted once, in
        :data:`RULE_ORDER`), ``analysed``.
    rules : ScreeningRules
    thresholds : dict
        The thresholds as applied (e.g. the speed cut-off in seconds and the median).
    notes : tuple of str
        What could not be screened and why (e.g. respondents without a duration), in English.
    note_codes : tuple of Message
        The same notes as records (same order). Codes: ``attention_no_checks``,
        ``speed_no_duration_column`` (no parameters), ``speed_no_duration`` (``n``: respondents
        without a completion time), ``mahalanobis_incomplete`` (``n``: respondents with
        missing items, not screened by the rule), ``reverse_items_raw`` (``items``: the
        instrument's reverse-worded items, left as answered in ``cleaned``).
    reverse_raw : tuple of str
        The reverse-worded items, raw (not re-keyed) in ``cleaned``: screening keeps the
        answers as given; ``fit``/``process``/``run`` with the instrument re-key them.
    """

    cleaned: pd.DataFrame
    log: tuple[Exclusion, ...]
    flow: tuple[FlowStep, ...]
    rules: ScreeningRules
    thresholds: Mapping[str, float | None] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    note_codes: tuple[Message, ...] = ()
    reverse_raw: tuple[str, ...] = ()

    @property
    def n_received(self) -> int:
        return self.flow[0].remaining

    @property
    def n_analysed(self) -> int:
        return self.flow[-1].remaining

    def excluded_rows(self) -> tuple[int, ...]:
        """1-based data rows of the excluded respondents, ascending."""
        return tuple(sorted({e.row for e in self.log if e.counted}))

    def to_frame(self) -> pd.DataFrame:
        """The exclusion log, one row per flag, columns :data:`LOG_COLUMNS`."""
        return pd.DataFrame([asdict(e) for e in self.log], columns=list(LOG_COLUMNS))

    def flow_frame(self) -> pd.DataFrame:
        """The flow, columns :data:`FLOW_COLUMNS`."""
        return pd.DataFrame([asdict(s) for s in self.flow], columns=list(FLOW_COLUMNS))

    # ------------------------------------------------------------------ the CSV files, for people

    def cleaned_csv(self) -> pd.DataFrame:
        """``cleaned`` as written: columns holding whole numbers stay whole numbers (``3``, not ``3.0``)."""
        return whole_numbers(self.cleaned)

    def exclusions_csv(self) -> pd.DataFrame:
        """The exclusion log as written: values and thresholds rounded for people, per rule.

        Seconds to one decimal (80.2), D² to two, IRV to three; counts and runs as whole numbers.
        The record (:meth:`to_frame`, :meth:`to_dict`) keeps full precision.
        """
        frame = self.to_frame()
        for col in ("value", "threshold"):
            frame[col] = [number_text(v, _DECIMALS.get(rule, 3)) for v, rule in zip(frame[col], frame["rule"])]
        return frame

    def flow_csv(self) -> pd.DataFrame:
        """The flow as written; when reverse-worded items are still raw in the cleaned data, a last
        row (stage ``note``) says so plainly, with how to re-key them."""
        frame = self.flow_frame()
        frame["excluded"] = frame["excluded"].astype("Int64")
        frame["remaining"] = frame["remaining"].astype("Int64")
        if self.reverse_raw:
            note = pd.DataFrame([{"stage": "note", "rule": "reverse_items_raw",
                                  "criterion": reverse_raw_text(self.reverse_raw),
                                  "excluded": pd.NA, "remaining": pd.NA}]).astype(frame.dtypes.to_dict())
            frame = pd.concat([frame, note], ignore_index=True)
        return frame

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (no data rows): rules, thresholds, flow, log, notes."""
        return {
            "rules": self.rules.to_dict(),
            "order": list(RULE_ORDER),
            "thresholds": {k: json_safe(v) for k, v in self.thresholds.items()},
            "n_received": self.n_received,
            "n_analysed": self.n_analysed,
            "flow": [asdict(s) for s in self.flow],
            "log": [{**asdict(e), "value": json_safe(e.value), "threshold": json_safe(e.threshold)} for e in self.log],
            "notes": list(self.notes),
            "note_codes": messages_to_json(self.note_codes),
        }


#: Decimals of a rule's value and threshold in ``exclusions.csv`` (seconds, counts, IRV, D²).
_DECIMALS = {"attention": 0, "speed": 1, "longstring": 0, "irv": 3, "mahalanobis": 2}


def number_text(value: Any, digits: int) -> str:
    """A number for a CSV people read: whole numbers without decimals, others rounded.

    Examples
    --------
    >>> number_text(80.16666666666666, 1), number_text(3.0, 1), number_text(float("nan"), 2)
    ('80.2', '3', '')
    """
    if value is None:
        return ""
    x = float(value)
    if not math.isfinite(x):
        return ""
    if x.is_integer():
        return str(int(x))
    return f"{x:.{digits}f}"


def whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which float columns holding only whole numbers (and missing values) are integers.

    Examples
    --------
    >>> whole_numbers(pd.DataFrame({"a": [3.0, None], "b": [1.5, 2.0]})).to_csv(index=False).split()
    ['a,b', '3,1.5', ',2.0']
    """
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_float_dtype(series):
            finite = series.dropna()
            if np.isfinite(finite.to_numpy()).all() and (finite == np.floor(finite)).all():
                out[col] = series.astype("Int64")
    return out


def reverse_raw_text(items: tuple[str, ...]) -> str:
    """The plain sentence that reverse-worded items are raw in the cleaned data.

    Examples
    --------
    >>> reverse_raw_text(("TR4",))
    "reverse-worded items 'TR4' are NOT re-keyed in the cleaned data (answers as given); fit it with --instrument, or with --reverse TR4 --scale MIN,MAX"
    """
    return (f"reverse-worded items {name_list(items)} are NOT re-keyed in the cleaned data (answers as given); "
            f"fit it with --instrument, or with --reverse {','.join(items)} --scale MIN,MAX")


# --------------------------------------------------------------------------- screen

def screen(
    data: pd.DataFrame | SurveyImport,
    instrument: Instrument,
    rules: ScreeningRules | Mapping[str, Any] | None = None,
    *,
    id_column: str | None = None,
    duration_column: str | None = None,
) -> ScreeningResult:
    """Apply the screening rules and return the cleaned data, the log and the flow.

    Parameters
    ----------
    data : pandas.DataFrame or SurveyImport
        Coded responses with the instrument's item (and attention-check) ids as columns.
    instrument : Instrument
        Items (questionnaire order by ``number`` when every item has one, else file
        order), attention checks and their correct codes.
    rules : ScreeningRules or dict, optional
        Default :class:`ScreeningRules`; a dict is read with :meth:`ScreeningRules.from_dict`.
    id_column, duration_column : str, optional
        Default: those of the ``SurveyImport``, else the instrument's.

    Returns
    -------
    ScreeningResult

    Notes
    -----
    The attention rule is skipped (with a note in ``notes``) when the instrument has no
    attention checks, and the speed rule when no duration column is declared or found;
    ``result.rules`` shows the rules as applied.

    Raises
    ------
    DataError
        Items or attention checks missing or not numeric; a declared duration column
        missing (with the speed rule on) or holding text that is not a duration.
    """
    if isinstance(data, SurveyImport):
        frame = data.frame
        id_column = id_column or data.id_column
        duration_column = duration_column or data.duration_column
    else:
        frame = data
    id_column = id_column or instrument.respondent_id
    duration_column = duration_column or instrument.duration
    if not isinstance(rules, ScreeningRules):
        rules = ScreeningRules.from_dict(rules)

    notes: list[Message] = []
    # A rule whose input the questionnaire does not have is skipped with a note; a declared
    # column that is absent from the data is an error (below).
    if rules.attention and not instrument.attention_checks:
        rules = replace(rules, attention=False)
        notes.append(Message("attention_no_checks", {},
                             "attention: the instrument declares no attention_checks; rule not applied"))
    if rules.speed and duration_column is None:
        rules = replace(rules, speed=False)
        notes.append(Message("speed_no_duration_column", {},
                             "speed: no completion-time column (instrument 'duration'); rule not applied"))
    needed = list(instrument.item_ids) + (list(instrument.check_ids) if rules.attention else [])
    report = validate_responses(frame, needed, None, id_column=id_column)
    blocking = [p for p in report.problems if p.kind in ("missing_item", "missing_id_column", "non_numeric")]
    problems = [p.message for p in blocking]
    durations = None
    if rules.speed:
        if duration_column not in frame.columns:
            problems.append(f"the speed rule is on but '{duration_column}' is not in the data "
                            "(fix 'duration' in the instrument, or turn the rule off)")
        else:
            durations, bad = _durations(frame[duration_column])
            if bad:
                shown = ", ".join(f"{r} ({v})" for r, v in bad[:5])
                problems.append(f"'{duration_column}': not a duration in rows {shown}"
                                + (f" and {len(bad) - 5} more" if len(bad) > 5 else ""))
    if problems:
        raise DataError("screening: " + "; ".join(problems))

    n = len(frame)
    rows = np.arange(1, n + 1)
    ids = (frame[id_column].map(_id_text).to_numpy() if id_column else rows.astype(str))
    items = _questionnaire_order(instrument)
    x = frame.loc[:, items].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    flags: dict[str, list[tuple[int, float, float, str]]] = {r: [] for r in RULE_ORDER}
    thresholds: dict[str, float | None] = {}
    criteria: dict[str, str] = {}

    if rules.attention:
        failed = np.zeros(n, dtype=int)
        which: list[list[str]] = [[] for _ in range(n)]
        for check in instrument.attention_checks:
            answer = pd.to_numeric(frame[check.id], errors="coerce").to_numpy(dtype=float)
            wrong = ~(answer == check.correct)
            failed += wrong
            for i in np.flatnonzero(wrong).tolist():
                shown = "missing" if not np.isfinite(answer[i]) else f"{answer[i]:g}"
                which[i].append(f"{check.id}={shown} (correct {check.correct})")
        thresholds["attention_max_failed"] = rules.attention_max_failed
        criteria["attention"] = (f"failed more than {rules.attention_max_failed} of "
                                 f"{len(instrument.attention_checks)} attention checks")
        for i in np.flatnonzero(failed > rules.attention_max_failed).tolist():
            flags["attention"].append((i, float(failed[i]), float(rules.attention_max_failed), "; ".join(which[i])))

    if rules.speed and durations is not None:
        finite = np.isfinite(durations)
        median = float(np.median(durations[finite])) if finite.any() else math.nan
        cut = float(rules.speed_min_seconds) if rules.speed_min_seconds is not None else rules.speed_fraction * median
        thresholds["speed_median_seconds"] = median
        thresholds["speed_min_seconds"] = cut
        criteria["speed"] = (f"completed in under {number_text(cut, 1)} s" + (
            "" if rules.speed_min_seconds is not None
            else f" ({rules.speed_fraction:.3g} x median {number_text(median, 1)} s)"))
        if (~finite).any():
            k = int((~finite).sum())
            notes.append(Message("speed_no_duration", {"n": k},
                                 f"speed: {k} respondent(s) without a completion time were not screened"))
        for i in np.flatnonzero(finite & (durations < cut)).tolist():
            flags["speed"].append((i, float(durations[i]), cut, f"{number_text(durations[i], 1)} s"))

    if rules.longstring:
        runs = longstring(x)
        need = rules.longstring_min if rules.longstring_min is not None else len(items)
        thresholds["longstring_min"] = need
        criteria["longstring"] = (f"the same answer to {need} or more consecutive items"
                                  + (" (all items)" if need == len(items) else ""))
        for i in np.flatnonzero(runs >= need).tolist():
            answers = x[i][np.isfinite(x[i])]
            common = f"{pd.Series(answers).mode().iloc[0]:g}" if answers.size else ""
            flags["longstring"].append((i, float(runs[i]), float(need), f"longest run {runs[i]} (answer {common})"))

    if rules.irv:
        values = irv(x)
        thresholds["irv_max"] = rules.irv_max
        criteria["irv"] = f"IRV (SD of own answers) at most {rules.irv_max:g}"
        for i in np.flatnonzero(np.isfinite(values) & (values <= rules.irv_max)).tolist():
            flags["irv"].append((i, float(values[i]), rules.irv_max, f"IRV {values[i]:.3f}"))

    if rules.mahalanobis:
        earlier = {i for r in RULE_ORDER[:-1] for (i, *_rest) in flags[r]}
        keep = np.array([i not in earlier for i in range(n)]) & np.isfinite(x).all(axis=1)
        p = len(items)
        crit = float(stats.chi2.isf(rules.mahalanobis_p, p))
        thresholds["mahalanobis_p"] = rules.mahalanobis_p
        thresholds["mahalanobis_d2_critical"] = crit
        criteria["mahalanobis"] = f"Mahalanobis D² > {crit:.2f} (χ²(df = {p}), p < {rules.mahalanobis_p:g})"
        incomplete = int((~np.isfinite(x).all(axis=1) & np.array([i not in earlier for i in range(n)])).sum())
        if incomplete:
            notes.append(Message("mahalanobis_incomplete", {"n": incomplete},
                                 f"mahalanobis: {incomplete} respondent(s) with missing items were not screened"))
        index = np.flatnonzero(keep)
        d2 = mahalanobis_d2(x[index])
        pvals = stats.chi2.sf(d2, p)
        for k in np.flatnonzero(pvals < rules.mahalanobis_p).tolist():
            flags["mahalanobis"].append((int(index[k]), float(d2[k]), crit, f"D² = {d2[k]:.2f}, p = {pvals[k]:.2g}"))

    log: list[Exclusion] = []
    claimed: dict[int, str] = {}
    for rule in RULE_ORDER:
        for i, *_rest in sorted(flags[rule]):
            claimed.setdefault(i, rule)
    for rule in RULE_ORDER:
        for i, value, threshold, detail in sorted(flags[rule]):
            log.append(Exclusion(str(ids[i]), int(rows[i]), rule, value, threshold, detail, claimed[i] == rule))
    log.sort(key=lambda e: (e.row, RULE_ORDER.index(e.rule)))

    flow = [FlowStep("received", "", "responses received", 0, n)]
    remaining = n
    for rule in rules.enabled():
        k = sum(1 for r in claimed.values() if r == rule)
        remaining -= k
        flow.append(FlowStep(f"excluded: {rule}", rule, criteria.get(rule, ""), k, remaining))
    flow.append(FlowStep("analysed", "", "respondents analysed", 0, remaining))
    kept = np.array([i not in claimed for i in range(n)], dtype=bool)
    reverse_raw = tuple(instrument.reverse_items())
    if reverse_raw:
        notes.append(Message("reverse_items_raw", {"items": list(reverse_raw)}, reverse_raw_text(reverse_raw)))
    return ScreeningResult(
        cleaned=frame.loc[kept].copy(),
        log=tuple(log),
        flow=tuple(flow),
        rules=rules,
        thresholds=thresholds,
        notes=message_texts(notes),
        note_codes=tuple(notes),
        reverse_raw=reverse_raw,
    )


def _id_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _durations(series: pd.Series) -> tuple[np.ndarray, list[tuple[int, str]]]:
    out = np.full(len(series), np.nan)
    bad: list[tuple[int, str]] = []
    for pos, value in enumerate(series.to_numpy()):
        try:
            out[pos] = parse_duration(value)
        except ValueError:
            bad.append((pos + 1, str(value)))
    return out, bad


def _questionnaire_order(instrument: Instrument) -> list[str]:
    """Items in the order respondents saw them: by question number when all have one."""
    items = list(instrument.items)
    if items and all(i.number is not None for i in items):
        items.sort(key=lambda i: tuple(int(part) for part in str(i.number).split(".")))
    return [i.id for i in items]


# --------------------------------------------------------------------------- writing

@dataclass(frozen=True)
class ScreeningFiles:
    """Paths written by :func:`write_screening`."""

    cleaned: Path
    exclusions: Path
    flow: Path

    def to_dict(self) -> dict[str, str]:
        return {"cleaned": str(self.cleaned), "exclusions": str(self.exclusions), "flow": str(self.flow)}


def screening_paths(source: str | Path, out: str | Path | None = None) -> ScreeningFiles:
    """Where :func:`write_screening` puts its files (known before anything is written).

    Raises
    ------
    InputFileError
        If a file would be ``source`` itself, or ``out`` is an existing file.

    Examples
    --------
    >>> screening_paths("/data/responses.csv", "/out").cleaned.name
    'responses.cleaned.csv'
    """
    source = Path(source).resolve()
    folder = source.parent if out is None else Path(out).resolve()
    if folder.exists() and not folder.is_dir():
        raise InputFileError(f"--out must be a folder, but {folder} is a file")
    stem = source.stem
    files = ScreeningFiles(folder / f"{stem}.cleaned.csv", folder / f"{stem}.exclusions.csv",
                           folder / f"{stem}.flow.csv")
    if any(p.resolve() == source for p in (files.cleaned, files.exclusions, files.flow)):
        raise InputFileError(f"refusing to overwrite the input file {source}")
    return files


def screening_payloads(result: ScreeningResult, files: ScreeningFiles) -> list[tuple[Path, bytes]]:
    """The three screening files as bytes, for an :class:`semxhs.atomic.OutputStage`.

    CSVs are UTF-8 with a BOM so that Excel on Chinese Windows shows the headers correctly.
    """
    return [(files.cleaned, _csv_bytes(result.cleaned_csv())), (files.exclusions, _csv_bytes(result.exclusions_csv())),
            (files.flow, _csv_bytes(result.flow_csv()))]


def write_screening(result: ScreeningResult, source: str | Path, out: str | Path | None = None,
                    inputs: tuple[str | Path, ...] = ()) -> ScreeningFiles:
    """Write ``<stem>.cleaned.csv``, ``<stem>.exclusions.csv`` and ``<stem>.flow.csv``.

    The files go next to ``source`` (or into the folder ``out``), all three through one
    :class:`semxhs.atomic.OutputStage`: written to temporary files first and moved into
    place together, so a failure or Ctrl-C leaves none of them (and never half a file).

    Raises
    ------
    InputFileError
        If a file to write would be ``source`` itself or one of ``inputs``, or ``out`` is an
        existing file.
    OutputError
        If a file cannot be written (then none is).
    """
    files = screening_paths(source, out)
    with OutputStage((source, *inputs)) as stage:
        for path, data in screening_payloads(result, files):
            stage.add(path, data)
        stage.commit()
    return files


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    # UTF-8 with a BOM, so that Excel on Chinese Windows shows the headers correctly
    return frame.to_csv(index=False).encode("utf-8-sig")


# --------------------------------------------------------------------------- a file end to end

@dataclass(frozen=True)
class ScreeningRun:
    """Everything :func:`screen_file` did: import, validation, screening, files, and the
    missing-data and normality checks of the cleaned data (``mcar`` is ``None`` when nothing
    is missing; ``normality`` is ``None`` with a note when it cannot be computed).

    ``notes`` are English sentences; ``note_codes`` the same notes as records (same order):
    ``intake_tests_too_few_rows`` (``n_complete`` complete rows, ``n_items`` items: the
    missing-data and normality tests need more rows than items), ``intake_tests_singular``
    (the same parameters: the item covariance matrix of the complete rows is singular) or
    ``intake_tests_not_run`` (``detail``: the reason as the failing test gave it, in English)."""

    survey: SurveyImport
    validation: ValidationReport
    screening: ScreeningResult
    provenance: DataProvenance
    files: ScreeningFiles | None
    missing: MissingnessResult
    mcar: LittleMCAR | None
    normality: NormalityResult | None
    notes: tuple[str, ...] = ()
    note_codes: tuple[Message, ...] = ()
    scale_check: ScaleCheck | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "missing_codes": {k: dict(v) for k, v in self.scale_check.counts.items()} if self.scale_check else {},
            "scale_check": self.scale_check.to_dict() if self.scale_check else None,
            "survey": self.survey.to_dict(),
            "validation": self.validation.to_dict(),
            "screening": self.screening.to_dict(),
            "missing_data": self.missing.to_dict(),
            "mcar": self.mcar.to_dict() if self.mcar else None,
            "normality": self.normality.to_dict() if self.normality else None,
            "data_provenance": self.provenance.to_dict(),
            "files": self.files.to_dict() if self.files else None,
            "notes": list(self.notes),
            "note_codes": messages_to_json(self.note_codes),
        }


def screen_file(
    path: str | Path,
    instrument: Instrument,
    rules: ScreeningRules | Mapping[str, Any] | None = None,
    *,
    out: str | Path | None = None,
    encoding: str | None = None,
    platform: str = "auto",
    sheet: str | int = 0,
    rename: Mapping[str, str] | None = None,
    write: bool = True,
    missing_codes: Sequence[float] = (),
) -> ScreeningRun:
    """Read a response file, map it to the instrument, validate, screen and write the results.

    The steps of ``semxhs screen DATA --instrument FILE [--out DIR]``: :func:`semxhs.survey.files.read_data`,
    :func:`semxhs.survey.platforms.import_survey`, :func:`semxhs.survey.validate.validate_responses`,
    :func:`screen`, :func:`write_screening` (unless ``write`` is false), then
    :func:`semxhs.survey.missingness.missingness`, Little's test (when answers are missing) and
    :func:`semxhs.survey.normality.assess_normality` on the cleaned items. The input file is only read.

    Declared ``missing_codes`` (with the instrument's own ``missing_codes``) become missing in
    the items and attention checks after decoding, before the scale is enforced; what they
    did is in ``run.scale_check``.

    Raises
    ------
    DataError
        Listing at once every unmatched item, conflicting header, unknown answer and
        validation problem; or a screening rule that cannot run.
    InputFileError
        The file cannot be read, or a result would overwrite it.
    """
    if not isinstance(rules, ScreeningRules):
        rules = ScreeningRules.from_dict(rules)
    table = read_data(path, encoding, sheet=sheet)
    survey = import_survey(table, instrument, platform=platform, rename=rename)
    codes = tuple(dict.fromkeys([*instrument.missing_codes, *(float(c) for c in missing_codes)]))
    covered = (*instrument.item_ids, *instrument.check_ids)
    # the declared codes become missing after decoding; the scale itself is enforced by the validation
    coded, scale_check = check_scale(survey.frame, covered, None, codes)
    if codes:
        from semxhs.survey.recode import missing_code_problems

        bad_codes = missing_code_problems(codes, (instrument.scale.min, instrument.scale.max))
        if bad_codes:
            raise DataError("; ".join(bad_codes))
        survey = replace(survey, frame=coded)
    scale_check = replace(scale_check, scale=(float(instrument.scale.min), float(instrument.scale.max)))
    validation = validate_responses(survey.frame, instrument, id_column=survey.id_column, missing_codes=codes)
    # Items the import did not find are reported once, by the import.
    parts = [survey.message()] if not survey.ok else []
    rest = [p for p in validation.problems if not (p.kind == "missing_item" and p.column in survey.missing_items)]
    if rest:
        parts.append(ValidationReport(tuple(rest), validation.n_rows, validation.items, validation.scale,
                                      codes).message())
    if parts:
        raise DataError("; ".join(parts))
    result = screen(survey, instrument, rules)
    items = list(instrument.item_ids)
    complete = int(np.isfinite(result.cleaned.loc[:, items].to_numpy(dtype=float)).all(axis=1).sum())
    excluded = result.n_received - result.n_analysed
    provenance = (
        make_provenance(
            path, format=table.format, encoding=table.encoding, encoding_detected=table.encoding_detected,
            platform=survey.platform, answer_format=survey.answer_format,
            instrument=instrument.path,
            options={"encoding": encoding, "platform": platform, "sheet": sheet,
                     "rename": dict(rename or {}), "screening": rules.to_dict()},
        )
        .with_rows("read", len(table.frame))
        .with_rows("valid", len(survey.frame))
        .with_rows("screened", result.n_analysed, f"{excluded} excluded by screening")
        .with_rows("complete_cases", complete, f"{result.n_analysed - complete} with missing items")
    )
    files = write_screening(result, path, out) if write else None
    missing = missingness(result.cleaned, items)
    notes: list[Message] = []
    mcar: LittleMCAR | None = None
    normality: NormalityResult | None = None
    try:
        if missing.n_missing_cells:
            mcar = little_mcar(result.cleaned.loc[:, items].to_numpy(dtype=float))
        normality = assess_normality(result.cleaned, items, mcar_pvalue=mcar.pvalue if mcar else None,
                                     scale_points=instrument.scale.points)
    except (DataError, np.linalg.LinAlgError) as exc:  # too few rows, or a singular covariance: still screened
        text = f"missing-data and normality tests not run: {exc}"
        if complete <= len(items):  # Mardia's test (and Little's) need more rows than items
            notes.append(Message("intake_tests_too_few_rows", {"n_complete": complete, "n_items": len(items)}, text))
        elif _singular(result.cleaned.loc[:, items].to_numpy(dtype=float)):
            notes.append(Message("intake_tests_singular", {"n_complete": complete, "n_items": len(items)}, text))
        else:
            notes.append(Message("intake_tests_not_run", {"detail": str(exc)}, text))
    return ScreeningRun(survey, validation, result, provenance, files, missing, mcar, normality,
                        message_texts(notes), tuple(notes), scale_check)


def _singular(values: np.ndarray) -> bool:
    """Whether the covariance matrix of the complete rows is singular (Mardia's test cannot run)."""
    x = values[np.isfinite(values).all(axis=1)]
    return int(np.linalg.matrix_rank(np.cov(x, rowvar=False))) < x.shape[1]

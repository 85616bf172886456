"""Survey-platform exports -> item ids and codes, through the instrument.

Wenjuanxing (问卷星), Tencent Questionnaire (腾讯问卷) and Credamo (见数) export one
column per question, headed by the question as printed::

    序号 | 提交答卷时间 | 所用时间 | 来源 | 来自IP | 1、您的性别 | 5.我愿意在小红书上购买博主推荐的商品 | ...

and, for a matrix (矩阵量表) question, one column per row: ``"8、请评价以下说法—我信任小红书博主"``
(text export) or ``"8(我信任小红书博主)"``. Answers are option numbers ("按选项序号")
or option texts ("按选项文本", e.g. ``非常同意``).

:func:`map_headers` matches each header to an item of the instrument by its wording
(compared after :func:`~semxhs.survey.instrument.normalize_text`: no spaces, no punctuation,
full-width folded) or, failing that, by its question number; each answer cell is then
decoded by :mod:`semxhs.survey.decoding`: a platform marker (``(跳过)``, ``-3``) only as a
whole cell, a number always as its code, a text through the scale's anchor labels and
aliases. Nothing is guessed and nothing dropped silently: headers and answers that match
nothing are listed in the :class:`SurveyImport` record, and ``decoding`` counts, per
column, the cells decoded and those set missing by each marker.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from semxhs.errors import DataError, name_list
from semxhs.survey.decoding import (
    DecodingSummary,
    UnknownAnswer,
    decode_column,
    decode_frame,
    label_codes,
)
from semxhs.survey.files import TableData, read_data
from semxhs.survey.instrument import AttentionCheck, Demographic, Instrument, Item, normalize_text

__all__ = [
    "PLATFORMS",
    "HeaderMatch",
    "SurveyImport",
    "UnknownAnswer",
    "code_answers",
    "decode_demographic",
    "detect_platform",
    "import_survey",
    "map_headers",
    "parse_duration",
    "parse_header",
    "read_survey",
]


@dataclass(frozen=True)
class Platform:
    """What a platform's export looks like: its meta columns and missing-answer markers."""

    name: str
    meta: frozenset[str]
    id_column: str | None
    duration_column: str | None
    missing_markers: frozenset[str] = frozenset()


# Wenjuanxing writes "(跳过)" for a question skipped by logic and "(空)" for an empty
# open answer in text exports; in option-number exports a skipped question is -3.
# A marker counts only as a whole cell, exactly as written here (full-width forms and
# surrounding spaces folded): "-3" is never matched by an answer "3"
# (:mod:`semxhs.survey.decoding`).
PLATFORMS: dict[str, Platform] = {
    "wenjuanxing": Platform(
        "wenjuanxing",
        frozenset({"序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "总分", "开始时间",
                   "结束时间", "答题序号", "用户ID", "昵称", "微信昵称"}),
        "序号", "所用时间", frozenset({"(跳过)", "(空)", "-3"})),
    "tencent": Platform(
        "tencent",
        frozenset({"编号", "用户类型", "用户标识", "昵称", "起答时间", "开始答题时间", "结束答题时间", "提交时间",
                   "答题时长", "地理位置国家和地区", "省", "市", "自定义字段", "IP", "IP地址"}),
        "编号", "答题时长", frozenset({"(跳过)", "(空)"})),
    "credamo": Platform(
        "credamo",
        frozenset({"作答ID", "答卷ID", "样本ID", "用户ID", "开始时间", "结束时间", "提交时间", "作答时长",
                   "作答时长(秒)", "答题时长(秒)", "IP", "IP地址", "省份", "城市", "设备", "状态", "渠道"}),
        "作答ID", "作答时长(秒)", frozenset({"(跳过)"})),
    "generic": Platform("generic", frozenset(), None, None, frozenset()),
}

#: The order in which markers are listed in the decoding summary.
MARKER_ORDER = ("(跳过)", "(空)", "-3")

#: Ways a header was matched (column ``how`` of :meth:`SurveyImport.header_frame`).
MATCH_KINDS = ("id", "wording", "number", "rename", "meta", "unknown", "ambiguous", "duplicate")

_LEAD = re.compile(r"^(?:第\s*)?(?P<q>[Qq]\s*)?(?P<num>\d+)\s*(?:题)?")
_SUBNUM = re.compile(r"^[._\-](\d+)(?=$|[\s.、:：)）])")
_SEP_AFTER_NUMBER = re.compile(r"^[\s.、．:：)）_\-]+")
_PAREN = re.compile(r"^[(（](.*)[)）]$", re.DOTALL)
# Separators between a matrix question's stem and its row ("请评价…—我愿意…").
_MATRIX_SEPARATORS = ("——", "—", "―", "–", "－", "--", "-", "：", ":", "_", "|")


@dataclass(frozen=True)
class HeaderParts:
    """A header split into its question number, sub-row number and candidate wordings."""

    number: str | None
    texts: tuple[str, ...]


def parse_header(header: object) -> HeaderParts:
    """Split a column header into a question number and the wordings it may carry.

    The whole text after the number is a candidate, and so is the part after each
    matrix separator (``—``, ``-``, ``：``...) and the text in a trailing ``(...)``.

    Examples
    --------
    >>> parse_header("5.我愿意在小红书上购买博主推荐的商品")
    HeaderParts(number='5', texts=('我愿意在小红书上购买博主推荐的商品',))
    >>> parse_header("Q5. I would buy").number, parse_header("5、我愿意").number, parse_header("第5题 我愿意").number
    ('5', '5', '5')
    >>> parse_header("8、请评价以下说法—我信任小红书博主").texts
    ('请评价以下说法—我信任小红书博主', '我信任小红书博主')
    >>> parse_header("8(我信任小红书博主)"), parse_header("Q8_2")
    (HeaderParts(number='8', texts=('我信任小红书博主',)), HeaderParts(number='8.2', texts=()))
    >>> parse_header("30天内购买过")
    HeaderParts(number=None, texts=('30天内购买过',))
    """
    text = unicodedata.normalize("NFKC", str(header)).strip()
    number: str | None = None
    rest = text
    lead = _LEAD.match(text)
    if lead:
        after = text[lead.end():]
        # A bare leading number counts only when a separator, a bracket or the end follows it
        # ("5.我愿意", "5(…)", "Q5"), not in "30天内购买过".
        if lead.group("q") or after == "" or after[0] in " .、．:：)）_-(（" or text.startswith("第"):
            number = str(int(lead.group("num")))
            sub = _SUBNUM.match(after)
            if sub:
                number = f"{number}.{int(sub.group(1))}"
                after = after[sub.end():]
            rest = after
    paren = _PAREN.match(rest.strip()) if number is not None else None
    if paren and number is not None:
        inner = paren.group(1).strip()
        if inner.isdigit():
            return HeaderParts(f"{number.split('.')[0]}.{int(inner)}", ())
        return HeaderParts(number, (inner,))
    rest = _SEP_AFTER_NUMBER.sub("", rest) if number is not None else rest
    texts: list[str] = [rest] if rest else []
    for sep in _MATRIX_SEPARATORS:
        if sep in rest:
            tail = rest.rsplit(sep, 1)[1].strip()
            if tail and tail not in texts:
                texts.append(tail)
    return HeaderParts(number, tuple(texts))


def parse_duration(value: object) -> float:
    """Seconds from a completion time: ``125``, ``"125秒"``, ``"2分5秒"``, ``"1小时2分"``, ``"00:02:05"``.

    Returns ``nan`` for an empty cell; raises ``ValueError`` for text it cannot read.

    Examples
    --------
    >>> [parse_duration(v) for v in (125, "125秒", "2分5秒", "1小时0分3秒", "0:02:05", "2:05", "125.5")]
    [125.0, 125.0, 125.0, 3603.0, 125.0, 125.0, 125.5]
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, pd.Timedelta):
        return float(value.total_seconds())
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    if text == "":
        return math.nan
    try:
        return float(text)
    except ValueError:
        pass
    if ":" in text:
        parts = text.split(":")
        if 2 <= len(parts) <= 3 and all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
            total = 0.0
            for part in parts:
                total = total * 60 + float(part)
            return total
        raise ValueError(f"not a duration: {value!r}")
    match = re.fullmatch(
        r"(?:(\d+(?:\.\d+)?)(?:小时|时|h))?(?:(\d+(?:\.\d+)?)(?:分钟|分|min|m))?(?:(\d+(?:\.\d+)?)(?:秒钟|秒|s))?",
        text.lower())
    if not match or not any(match.groups()):
        raise ValueError(f"not a duration: {value!r}")
    h, m, s = (float(g) if g else 0.0 for g in match.groups())
    return h * 3600 + m * 60 + s


def detect_platform(columns: Sequence[object]) -> str:
    """The platform whose meta columns the headers contain most (at least three), else ``"generic"``.

    Examples
    --------
    >>> detect_platform(["序号", "提交答卷时间", "所用时间", "1、您的性别"])
    'wenjuanxing'
    >>> detect_platform(["序号", "所用时间", "PI1"])
    'generic'
    """
    names = {str(c).strip() for c in columns}
    best, hits = "generic", 2  # at least three meta columns: "序号" alone is not a platform
    for name, platform in PLATFORMS.items():
        n = len(names & platform.meta)
        if n > hits:
            best, hits = name, n
    return best


@dataclass(frozen=True)
class HeaderMatch:
    """How one column header was matched.

    ``how`` is one of :data:`MATCH_KINDS`; ``target`` is the item or attention-check id
    (or the header itself for meta and unknown columns); ``note`` explains number
    matches whose wording differs, ambiguities and duplicates.
    """

    header: str
    target: str
    how: str
    note: str = ""


def map_headers(
    columns: Sequence[object],
    instrument: Instrument,
    *,
    platform: str = "auto",
    rename: Mapping[str, str] | None = None,
) -> tuple[HeaderMatch, ...]:
    """Match each column header to an item, an attention check, a meta column or nothing.

    Order of the rules: an explicit ``rename``; the header is an item id; it is a meta
    column of the platform (or the instrument's ``respondent_id``/``duration``); one of
    its wordings (:func:`parse_header`) equals an item's wording (zh or en) after
    :func:`~semxhs.survey.instrument.normalize_text`; its question number equals an item's
    ``number``. Wording and number naming two different items is ``ambiguous``; two
    headers on one item make the later ones ``duplicate``.

    Examples
    --------
    >>> from semxhs.survey.instrument import parse_instrument
    >>> inst = parse_instrument({"scale": {"points": 7}, "constructs": [{"id": "PU"}],
    ...     "items": [{"id": "PU1", "construct": "PU", "number": 5, "zh": "我愿意在小红书上购买博主推荐的商品"},
    ...               {"id": "PU2", "construct": "PU", "number": 6, "zh": "我打算在小红书上购物"}]})
    >>> headers = ["序号", "提交答卷时间", "所用时间", "5、我愿意在小红书上 购买博主推荐的商品。", "Q6", "1、您的性别"]
    >>> for m in map_headers(headers, inst):
    ...     print(m.header, m.target, m.how)
    序号 序号 meta
    提交答卷时间 提交答卷时间 meta
    所用时间 所用时间 meta
    5、我愿意在小红书上 购买博主推荐的商品。 PU1 wording
    Q6 PU2 number
    1、您的性别 1、您的性别 unknown
    """
    rename = dict(rename or {})
    plat = PLATFORMS[detect_platform(columns) if platform == "auto" else _platform_name(platform)]
    targets: dict[str, Item | AttentionCheck | Demographic] = {
        **{i.id: i for i in instrument.items}, **{c.id: c for c in instrument.attention_checks},
        **{d.id: d for d in instrument.demographics}}
    # a demographic's ``column:`` is its header as written: an explicit rename
    rename = {**{d.column: d.id for d in instrument.demographics if d.column}, **rename}
    by_wording: dict[str, set[str]] = {}
    by_number: dict[str, str] = {}
    for tid, thing in targets.items():
        for text in (thing.text_zh, thing.text_en):
            key = normalize_text(text)
            if key:
                by_wording.setdefault(key, set()).add(tid)
        if thing.number is not None:
            by_number[thing.number] = tid
    meta = set(plat.meta) | {c for c in (instrument.respondent_id, instrument.duration) if c}

    out: list[HeaderMatch] = []
    taken: dict[str, str] = {}
    for col in columns:
        header = str(col)
        stripped = header.strip()
        match = _match_one(stripped, header, rename, targets, meta, by_wording, by_number)
        found = targets.get(match.target)
        if match.how == "number" and isinstance(found, Demographic) and not (found.text_zh or found.text_en):
            match = HeaderMatch(header, match.target, "number")  # no wording declared, none to differ
        if match.how in ("id", "wording", "number", "rename"):
            if match.target in taken:
                match = HeaderMatch(header, header, "duplicate",
                                    f"'{match.target}' is already matched by column '{taken[match.target]}'")
            else:
                taken[match.target] = header
        out.append(match)
    return tuple(out)


def _match_one(stripped: str, header: str, rename: Mapping[str, str], targets: Mapping[str, Any],
               meta: set[str], by_wording: Mapping[str, set[str]], by_number: Mapping[str, str]) -> HeaderMatch:
    if header in rename or stripped in rename:
        target = rename.get(header, rename.get(stripped, ""))
        if target not in targets:
            return HeaderMatch(header, header, "unknown", f"rename target '{target}' is not an item id")
        return HeaderMatch(header, target, "rename")
    if stripped in targets:
        return HeaderMatch(header, stripped, "id")
    if stripped in meta:
        return HeaderMatch(header, header, "meta")
    parts = parse_header(stripped)
    worded: set[str] = set()
    for text in parts.texts:
        worded |= by_wording.get(normalize_text(text), set())
    numbered = by_number.get(parts.number) if parts.number is not None else None
    if len(worded) > 1:
        return HeaderMatch(header, header, "ambiguous", f"wording matches items {name_list(sorted(worded))}")
    if worded:
        (target,) = worded
        if numbered is not None and numbered != target:
            return HeaderMatch(header, header, "ambiguous",
                               f"wording matches '{target}' but question number {parts.number} is '{numbered}'")
        return HeaderMatch(header, target, "wording")
    if numbered is not None:
        note = ""
        if any(normalize_text(t) for t in parts.texts):
            note = "matched by question number; the header's wording differs from the instrument's"
        return HeaderMatch(header, numbered, "number", note)
    return HeaderMatch(header, header, "unknown")


def _platform_name(name: str) -> str:
    key = name.strip().lower()
    aliases = {"wjx": "wenjuanxing", "问卷星": "wenjuanxing", "qq": "tencent", "腾讯问卷": "tencent",
               "wj.qq.com": "tencent", "见数": "credamo"}
    key = aliases.get(key, key)
    if key not in PLATFORMS:
        raise DataError(f"platform must be 'auto' or one of {name_list(PLATFORMS)}, got '{name}'")
    return key


def code_answers(
    frame: pd.DataFrame,
    columns: Sequence[str],
    instrument: Instrument,
    *,
    missing_markers: Sequence[str] = (),
    headers: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, DecodingSummary]:
    """Turn the answers of ``columns`` into codes (:func:`semxhs.survey.decoding.decode_column`).

    A cell that is a whole ``missing_markers`` entry (as the platform writes it) becomes
    missing and is counted under its marker; a number is read as its code (its range is
    checked by :func:`semxhs.survey.validate.validate_responses`); a text is looked up among
    the scale's labels and aliases; anything else is an
    :class:`~semxhs.survey.decoding.UnknownAnswer` (an error of the import), never a silent gap.

    Returns
    -------
    (pandas.DataFrame, DecodingSummary)
        The coded copy of ``frame`` and what became of every cell, column by column.

    Examples
    --------
    >>> from semxhs.survey.instrument import parse_instrument
    >>> inst = parse_instrument({"scale": {"points": 5, "labels": {1: "非常不同意", 5: "非常同意"},
    ...     "aliases": {"同意": 4}}, "constructs": [{"id": "A"}], "items": [{"id": "a1", "construct": "A"}]})
    >>> coded, summary = code_answers(
    ...     pd.DataFrame({"a1": ["非常同意", "同意", "3", "(跳过)", "很同意", "-3"]}), ["a1"], inst,
    ...     missing_markers=["(跳过)", "-3"])
    >>> coded["a1"].tolist()
    [5.0, 4.0, 3.0, nan, nan, nan]
    >>> [(a.column, a.value, a.rows) for a in summary.errors], summary.skipped
    ([('a1', '很同意', (5,))], {'a1': 2})
    """
    return decode_frame(frame, columns, instrument.scale, markers=missing_markers, headers=headers)


@dataclass(frozen=True)
class SurveyImport:
    """A platform export mapped to the instrument.

    Attributes
    ----------
    frame : pandas.DataFrame
        Item and attention-check columns renamed to their ids and coded; meta and
        unknown columns kept under their original headers, in the original order.
    platform : str
        The platform detected or given.
    headers : tuple of HeaderMatch
        One record per column of the export.
    unknown_answers : tuple of UnknownAnswer
        Non-empty answers that decode to nothing (missing in ``frame``; :attr:`ok` is false).
    missing_items : tuple of str
        Items and attention checks of the instrument no column matched.
    answer_format : str
        ``"codes"`` (按选项序号), ``"text"`` (按选项文本) or ``"mixed"``.
    id_column, duration_column : str or None
        The respondent-id and completion-time columns found in ``frame``.
    skipped : dict
        ``{column: n}`` cells set missing by the platform's markers ("(跳过)", -3).
    source : dict
        :meth:`semxhs.survey.files.TableData.to_dict` of the file read (empty for a frame).
    decoding : DecodingSummary
        Per item column: non-empty cells, how many were decoded (from numbers, from
        labels), how many became missing by which marker, and the errors.
    """

    frame: pd.DataFrame
    platform: str
    headers: tuple[HeaderMatch, ...]
    unknown_answers: tuple[UnknownAnswer, ...]
    missing_items: tuple[str, ...]
    answer_format: str
    id_column: str | None
    duration_column: str | None
    skipped: Mapping[str, int] = field(default_factory=dict)
    source: Mapping[str, Any] = field(default_factory=dict)
    decoding: DecodingSummary = field(default_factory=DecodingSummary)

    @property
    def unknown_headers(self) -> tuple[str, ...]:
        """Headers matched to nothing (kept in ``frame`` under their own names)."""
        return tuple(h.header for h in self.headers if h.how == "unknown")

    @property
    def conflicts(self) -> tuple[HeaderMatch, ...]:
        """Ambiguous and duplicate headers."""
        return tuple(h for h in self.headers if h.how in ("ambiguous", "duplicate"))

    @property
    def ok(self) -> bool:
        """No missing item, no conflicting header, no unknown answer."""
        return not (self.missing_items or self.conflicts or self.unknown_answers)

    def message(self) -> str:
        """One line with every problem (unmatched headers listed as candidates)."""
        parts: list[str] = []
        if self.missing_items:
            parts.append(f"no column found for {name_list(self.missing_items)}")
            if self.unknown_headers:
                parts.append(f"unmatched headers: {name_list(self.unknown_headers, limit=8)}")
        for h in self.conflicts:
            parts.append(f"column '{h.header}' is {h.how}: {h.note}")
        parts.extend(_answer_problems(self.unknown_answers, self.platform))
        return "survey import: " + "; ".join(parts) if parts else ""

    def raise_if_problems(self) -> None:
        """Raise :class:`DataError` with :meth:`message` unless :attr:`ok`."""
        if not self.ok:
            raise DataError(self.message())

    def header_frame(self) -> pd.DataFrame:
        """One row per column: ``header, target, how, note``."""
        return pd.DataFrame([(h.header, h.target, h.how, h.note) for h in self.headers],
                            columns=["header", "target", "how", "note"])

    def to_frame(self) -> pd.DataFrame:
        """The header map (:meth:`header_frame`); the data are in :attr:`frame`."""
        return self.header_frame()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record of the mapping (no data)."""
        return {
            "platform": self.platform,
            "answer_format": self.answer_format,
            "id_column": self.id_column,
            "duration_column": self.duration_column,
            "skipped": dict(self.skipped),
            "decoding": self.decoding.to_dict(),
            "headers": [{"header": h.header, "target": h.target, "how": h.how, "note": h.note}
                        for h in self.headers],
            "unknown_headers": list(self.unknown_headers),
            "missing_items": list(self.missing_items),
            "unknown_answers": [{"column": a.column, "value": a.value, "rows": list(a.rows)}
                                for a in self.unknown_answers],
            "source": dict(self.source),
        }


def _rows_text(rows: Sequence[int], limit: int = 5) -> str:
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return "rows " + ", ".join(map(str, rows[:limit])) + more


def _answer_problems(answers: Sequence[UnknownAnswer], platform: str, values_per_column: int = 3) -> list[str]:
    """One phrase per undecodable value (at most ``values_per_column`` per column), naming column, value, rows."""
    by_column: dict[str, list[UnknownAnswer]] = {}
    for a in answers:
        by_column.setdefault(a.column, []).append(a)
    parts: list[str] = []
    for column, found in by_column.items():
        header = found[0].header
        where = f"'{column}'" + (f" (column '{header}')" if header and header != column else "")
        for a in found[:values_per_column]:
            if a.reason == "ambiguous":
                parts.append(f"{where}: '{a.value}' is both a missing-answer marker of {platform} and a code "
                             f"of the scale in {_rows_text(a.rows)}; give --platform generic if these are codes")
            else:
                parts.append(f"{where}: unknown answer '{a.value}' in {_rows_text(a.rows)} "
                             "(not a number, a label or alias of the scale, or a missing-answer marker)")
        rest = found[values_per_column:]
        if rest:
            parts.append(f"{where}: {len(rest)} more unknown answer values in {sum(len(a.rows) for a in rest)} cells")
    return parts


def import_survey(
    data: pd.DataFrame | TableData,
    instrument: Instrument,
    *,
    platform: str = "auto",
    rename: Mapping[str, str] | None = None,
) -> SurveyImport:
    """Map a platform export (already read) to the instrument's item ids and codes.

    Parameters
    ----------
    data : pandas.DataFrame or TableData
        The export as read by :func:`semxhs.survey.files.read_data`.
    instrument : Instrument
    platform : str, default "auto"
        ``"wenjuanxing"``, ``"tencent"``, ``"credamo"``, ``"generic"`` or ``"auto"``
        (:func:`detect_platform`).
    rename : mapping, optional
        Explicit ``{header: item id}`` for headers the rules cannot match.

    Returns
    -------
    SurveyImport
        Call :meth:`SurveyImport.raise_if_problems` to stop on any problem.
    """
    table = data if isinstance(data, TableData) else None
    frame = data.frame if isinstance(data, TableData) else data
    columns = list(frame.columns)
    name = detect_platform(columns) if platform == "auto" else _platform_name(platform)
    plat = PLATFORMS[name]
    headers = map_headers(columns, instrument, platform=name, rename=rename)
    renames = {h.header: h.target for h in headers if h.how in ("id", "wording", "number", "rename")}
    positional = frame.copy()
    positional.columns = [renames.get(str(c), str(c)) for c in columns]
    # SPSS/Stata value labels are not consulted: their codes are the data.
    coded = positional.copy()
    markers = [m for m in MARKER_ORDER if m in plat.missing_markers] + sorted(
        plat.missing_markers - set(MARKER_ORDER))
    labels = label_codes(instrument.scale)
    records = []
    demographics = {d.id: d for d in instrument.demographics}
    demographic_errors: list[UnknownAnswer] = []
    for pos, (col, h) in enumerate(zip(columns, headers)):
        if h.how not in ("id", "wording", "number", "rename"):
            continue
        if h.target in demographics:  # background questions: never items, never on the scale
            values, errors = decode_demographic(positional.iloc[:, pos].tolist(), demographics[h.target],
                                                markers=markers, header=str(col))
            coded.isetitem(pos, values.to_numpy())
            demographic_errors.extend(errors)
            continue
        codes, record = decode_column(positional.iloc[:, pos].tolist(), instrument.scale, markers=markers,
                                      column=h.target, header=str(col), labels=labels)
        coded.isetitem(pos, codes)
        records.append(record)
    decoding = DecodingSummary(tuple(records))
    targets = (*instrument.item_ids, *instrument.check_ids)
    missing = tuple(t for t in targets if t not in renames.values())
    # a declared demographic without a column is no error (the profile lists it as not found)
    id_column = instrument.respondent_id or plat.id_column
    duration_column = instrument.duration or plat.duration_column
    return SurveyImport(
        frame=coded,
        platform=name,
        headers=headers,
        unknown_answers=(*decoding.errors, *demographic_errors),
        missing_items=missing,
        answer_format=decoding.answer_format,
        id_column=id_column if id_column in coded.columns else None,
        duration_column=duration_column if duration_column in coded.columns else None,
        skipped=decoding.skipped,
        source=table.to_dict() if table is not None else {},
        decoding=decoding,
    )


_UNIT_NUMBER = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?:岁|周岁|年|元|人|个|次|小时|years?|yrs?)?$",
                          re.IGNORECASE)


def decode_demographic(cells: Sequence[object], demographic: Demographic, *, markers: Sequence[str] = (),
                       header: str = "") -> tuple[pd.Series, list[UnknownAnswer]]:
    """The answers of a demographic question: codes (categorical) or numbers (numeric).

    A cell that is empty or a whole platform marker is missing. A categorical answer that
    is a number is read as that code; a text is looked up among the level labels (zh, en)
    and, when it is none of them, kept as written (the profile shows it as its own level).
    A numeric answer is a number, optionally followed by a unit (``25岁``); anything else
    is an :class:`~semxhs.survey.decoding.UnknownAnswer`.

    Examples
    --------
    >>> from semxhs.survey.instrument import Demographic
    >>> gender = Demographic("gender", levels=((1, "男", "Male"), (2, "女", "Female")))
    >>> decode_demographic(["女", "1", 2.0, "(跳过)", None, "其他"], gender, markers=["(跳过)"])[0].tolist()
    [2, 1, 2, None, None, '其他']
    >>> values, errors = decode_demographic(["25岁", 31, "-3", "年轻"], Demographic("age", type="numeric"),
    ...                                     markers=["-3"])
    >>> values.tolist(), [(e.column, e.value, e.rows) for e in errors]
    ([25.0, 31.0, nan, nan], [('age', '年轻', (4,))])
    """
    folded_markers = {unicodedata.normalize("NFKC", m).strip() for m in markers}
    codes = demographic.level_codes()
    out: list[object] = []
    bad: dict[str, list[int]] = {}
    numeric = demographic.type == "numeric"
    for row, cell in enumerate(cells, start=1):
        if cell is None or (isinstance(cell, float) and math.isnan(cell)):
            out.append(math.nan if numeric else None)
            continue
        text = unicodedata.normalize("NFKC", str(cell)).strip()
        if text == "" or text in folded_markers:
            out.append(math.nan if numeric else None)
            continue
        number = _UNIT_NUMBER.match(text)
        if numeric:
            if number is None:
                bad.setdefault(str(cell), []).append(row)
                out.append(math.nan)
            else:
                out.append(float(number.group(1)))
            continue
        if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool) \
                or re.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", text):
            value = float(text)
            out.append(int(value) if value.is_integer() else value)
            continue
        out.append(codes.get(normalize_text(text), text))
    errors = [UnknownAnswer(demographic.id, value, tuple(rows), header) for value, rows in bad.items()]
    series = pd.Series(out, dtype=float if numeric else object)
    return series, errors


def read_survey(
    path: str | Path,
    instrument: Instrument,
    *,
    encoding: str | None = None,
    platform: str = "auto",
    sheet: str | int = 0,
    rename: Mapping[str, str] | None = None,
) -> SurveyImport:
    """Read a platform export (:func:`semxhs.survey.files.read_data`) and map it (:func:`import_survey`)."""
    return import_survey(read_data(path, encoding, sheet=sheet), instrument, platform=platform, rename=rename)

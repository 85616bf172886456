"""The questionnaire: constructs, items, the response scale, attention checks.

``surveys/<study>/instrument.yaml`` declares what was asked, so that a raw platform
export can be mapped to item ids, text answers to codes, and the lavaan measurement
model written from it::

    respondent_id: 序号                # column holding the respondent id (optional)
    duration: 所用时间                  # column holding the completion time (optional)
    scale:
      points: 7                        # codes 1..7 (``min`` changes the first code)
      labels:
        1: {zh: 非常不同意, en: Strongly disagree}
        4: {zh: 一般, en: Neutral}
        7: {zh: 非常同意, en: Strongly agree}
      aliases: {完全不同意: 1}          # other texts a platform may show for a code
    constructs:
      - id: TR
        name: {zh: 信任, en: Trust}
        source: {scale: Trust in online communities, citation: "Gefen et al. (2003)"}
    items:
      - {id: TR1, construct: TR, number: 5, zh: 我相信小红书上的博主是诚实的, en: ...}
      - {id: TR3, construct: TR, number: 7, zh: ..., reverse: true}
    attention_checks:
      - {id: AC1, number: 9, zh: 本题请选择“同意”, correct: 6}    # or correct: 同意
    missing_codes: [9, 99]             # numeric codes meaning "no answer": set missing, counted
    marker: MK1                        # marker item(s) (Lindell & Whitney): declared items, no model items
    demographics:                      # optional: described in the sample profile, never items
      - id: gender
        number: 1                      # matched as items are: id, wording (zh/en), number, or column
        name: {zh: 性别, en: Gender}
        type: categorical              # answers are codes or level texts
        levels: {1: {zh: 男, en: Male}, 2: {zh: 女, en: Female}}
      - {id: age, number: 2, name: {zh: 年龄, en: Age}, type: numeric, bins: [18, 23, 27, 31, 41]}

Question numbers of matrix rows are ``"9.1"``, ``"9.2"``...; quote them from the tenth row
on (``"9.10"``), since YAML reads an unquoted ``9.10`` as the number 9.1.

Every problem of a file is reported at once, naming the key (:class:`StudyError`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from semxhs.errors import StudyError, name_list
from semxhs.survey.yamlfile import read_yaml, unknown_keys

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AttentionCheck",
    "Construct",
    "Demographic",
    "Instrument",
    "Item",
    "ResponseScale",
    "load_instrument",
    "measurement_model",
    "normalize_number",
    "normalize_text",
    "parse_instrument",
    "parse_missing_codes",
]

TOP_KEYS = {"title", "respondent_id", "duration", "scale", "constructs", "items",
            "attention_checks", "description", "language", "missing_codes", "marker", "demographics"}
SCALE_KEYS = {"points", "min", "labels", "aliases"}
CONSTRUCT_KEYS = {"id", "name", "source"}
SOURCE_KEYS = {"scale", "citation", "adapted", "doi"}
ITEM_KEYS = {"id", "construct", "zh", "en", "reverse", "number"}
CHECK_KEYS = {"id", "zh", "en", "number", "correct"}
NAME_KEYS = {"zh", "en"}
DEMOGRAPHIC_KEYS = {"id", "name", "type", "levels", "bins", "number", "column", "zh", "en"}
DEMOGRAPHIC_TYPES = ("categorical", "numeric")

# Punctuation and symbols dropped when comparing wordings: ASCII and CJK punctuation,
# quotes, brackets, dashes, ellipses (NFKC has already folded full-width forms).
_DROP = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+|[\"'`“”‘’「」『』《》〈〉【】〔〕（）()\[\]{}<>,，.。、;；:：!！?？…·・~～\-—–―_*#|/\\]+")
# A number as an answer cell may hold it: "3", "-3", "3.0" (no exponent, no "nan" or "inf").
_NUMBER_TEXT = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_NUMBER = re.compile(r"^\s*(?:第\s*)?[Qq]?\s*(\d+)\s*(?:题)?\s*(?:[._(（]\s*(\d+)\s*[)）]?)?\s*$")


def normalize_text(text: object) -> str:
    """A wording reduced for comparison: NFKC, case-folded, without spaces or punctuation.

    Examples
    --------
    >>> normalize_text("我愿意 在小红书上，购买“博主”推荐的商品。")
    '我愿意在小红书上购买博主推荐的商品'
    >>> normalize_text("Strongly  Agree!") == normalize_text("strongly agree")
    True
    """
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return _DROP.sub("", folded)


def normalize_number(value: object) -> str | None:
    """A question number as ``"5"`` or ``"5.2"`` (row 2 of matrix question 5); ``None`` if not one.

    Examples
    --------
    >>> [normalize_number(v) for v in (5, "Q5", "第5题", "5.2", "Q5_2", "5(2)", 5.2, "x")]
    ['5', '5', '5', '5.2', '5.2', '5.2', '5.2', None]
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value > 0 else None
    match = _NUMBER.match(unicodedata.normalize("NFKC", str(value)))
    if not match:
        return None
    main, sub = int(match.group(1)), match.group(2)
    return f"{main}.{int(sub)}" if sub is not None else str(main)


@dataclass(frozen=True)
class ResponseScale:
    """A Likert-type response scale: integer codes ``min .. min + points - 1`` with anchor labels.

    Attributes
    ----------
    points : int
        Number of response options (e.g. 5 or 7).
    min : int
        The lowest code (usually 1).
    labels : dict of int to (str, str)
        Anchor labels ``{code: (zh, en)}``; either text may be empty.
    aliases : dict of str to int
        Further answer texts mapped to codes (platform wordings such as ``完全不同意``).

    Examples
    --------
    >>> s = ResponseScale(7, 1, {1: ("非常不同意", "Strongly disagree"), 7: ("非常同意", "Strongly agree")})
    >>> s.max, s.codes
    (7, (1, 2, 3, 4, 5, 6, 7))
    >>> s.code_of("非常同意"), s.code_of(" strongly AGREE "), s.code_of("5"), s.code_of("4.0"), s.code_of("很同意")
    (7, 7, 5, 4, None)
    >>> s.code_of("(5)"), s.code_of("nan"), s.code_of("8")
    (None, None, None)
    """

    points: int
    min: int = 1
    labels: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    aliases: Mapping[str, int] = field(default_factory=dict)

    @property
    def max(self) -> int:
        """The highest code."""
        return self.min + self.points - 1

    @property
    def codes(self) -> tuple[int, ...]:
        """All valid codes in order."""
        return tuple(range(self.min, self.max + 1))

    def label_codes(self) -> dict[str, int]:
        """Normalised label and alias text -> code (:func:`normalize_text`); no digits.

        Digits are read as numbers before labels are looked up, so a text that only
        *normalises* to a digit (``"—3"``, ``"(3)"``) is never taken for a code.
        """
        table: dict[str, int] = {}
        for code, (zh, en) in self.labels.items():
            for text in (zh, en):
                key = normalize_text(text)
                if key:
                    table[key] = int(code)
        for text, code in self.aliases.items():
            key = normalize_text(text)
            if key:
                table[key] = int(code)
        return table

    def answer_codes(self) -> dict[str, int]:
        """Normalised answer text -> code: the codes as text, labels (zh and en) and aliases."""
        return {**{str(c): c for c in self.codes}, **self.label_codes()}

    def code_of(self, answer: object) -> int | None:
        """The code of one answer (a code, a label text or an alias), ``None`` if unknown.

        A number (``5``, ``"5"``, ``"4.0"``) must be a code of the scale; a text is looked up
        among the labels and aliases (``"(5)"`` is neither).
        """
        if isinstance(answer, bool):
            return None
        if isinstance(answer, (int, float)):
            value = float(answer)
            return int(value) if value.is_integer() and self.min <= value <= self.max else None
        text = unicodedata.normalize("NFKC", str(answer)).strip()
        if not _NUMBER_TEXT.match(text):
            return self.label_codes().get(normalize_text(text))
        number = float(text)
        return int(number) if number.is_integer() and self.min <= number <= self.max else None

    def to_dict(self) -> dict[str, Any]:
        """YAML/JSON form (as in ``instrument.yaml``)."""
        return {
            "points": self.points,
            "min": self.min,
            "labels": {int(c): {"zh": zh, "en": en} for c, (zh, en) in sorted(self.labels.items())},
            "aliases": dict(self.aliases),
        }


@dataclass(frozen=True)
class Construct:
    """A latent construct and the published scale its items come from."""

    id: str
    name_zh: str = ""
    name_en: str = ""
    scale: str = ""
    citation: str = ""


@dataclass(frozen=True)
class Item:
    """One questionnaire item measuring a construct.

    ``number`` is the question number as printed in the questionnaire (``"5"``, or
    ``"5.2"`` for the second row of matrix question 5); ``None`` when not given.
    """

    id: str
    construct: str
    text_zh: str = ""
    text_en: str = ""
    reverse: bool = False
    number: str | None = None


@dataclass(frozen=True)
class AttentionCheck:
    """An instructed-response item (e.g. 本题请选择“同意”) and its correct code."""

    id: str
    correct: int
    text_zh: str = ""
    text_en: str = ""
    number: str | None = None


@dataclass(frozen=True)
class Demographic:
    """A background question (gender, age...): described in the sample profile, never an item.

    ``levels`` are ``(code, zh, en)`` in the declared order (a code is a whole number or a
    text); ``bins`` are the cut points of a numeric one (intervals ``[b_i, b_i+1)``, with one
    below the first and one from the last cut point on). The column is found as an item's is:
    by ``column`` (the header as written), the id, the wording ``text_zh``/``text_en`` or the
    question ``number``.
    """

    id: str
    name_zh: str = ""
    name_en: str = ""
    type: str = "categorical"
    levels: tuple[tuple[int | str, str, str], ...] = ()
    bins: tuple[float, ...] = ()
    number: str | None = None
    column: str | None = None
    text_zh: str = ""
    text_en: str = ""

    def name(self, language: str) -> str:
        """The name in ``language`` (``"zh"``/``"en"``), else the other one, else the id."""
        first, second = (self.name_zh, self.name_en) if language == "zh" else (self.name_en, self.name_zh)
        return first or second or self.id

    def level_label(self, code: int | str, language: str) -> str:
        """The label of a level in ``language`` (else the other language); an unlabelled code as it is."""
        for c, zh, en in self.levels:
            if str(c) == str(code):
                first, second = (zh, en) if language == "zh" else (en, zh)
                return first or second or str(code)
        return str(code)

    def level_codes(self) -> dict[str, int | str]:
        """Normalised level text (zh and en, :func:`normalize_text`) -> code."""
        out: dict[str, int | str] = {}
        for code, zh, en in self.levels:
            for text in (zh, en):
                key = normalize_text(text)
                if key:
                    out.setdefault(key, code)
        return out


@dataclass(frozen=True)
class Instrument:
    """A validated questionnaire (see :func:`load_instrument`).

    Examples
    --------
    >>> inst = parse_instrument({
    ...     "scale": {"points": 5},
    ...     "constructs": [{"id": "A"}, {"id": "B"}],
    ...     "items": [{"id": "a1", "construct": "A"}, {"id": "a2", "construct": "A", "reverse": True},
    ...               {"id": "b1", "construct": "B"}, {"id": "b2", "construct": "B"}]})
    >>> inst.blocks()
    {'A': ['a1', 'a2'], 'B': ['b1', 'b2']}
    >>> inst.reverse_items(), inst.item_ids
    (['a2'], ('a1', 'a2', 'b1', 'b2'))
    """

    constructs: tuple[Construct, ...]
    items: tuple[Item, ...]
    scale: ResponseScale
    attention_checks: tuple[AttentionCheck, ...] = ()
    respondent_id: str | None = None
    duration: str | None = None
    title: str = ""
    path: Path | None = None
    missing_codes: tuple[float, ...] = ()
    marker: tuple[str, ...] = ()  # marker items (Lindell & Whitney, 2001): in ``items``, never model items
    demographics: tuple[Demographic, ...] = ()

    @property
    def demographic_ids(self) -> tuple[str, ...]:
        """Demographic ids in file order."""
        return tuple(d.id for d in self.demographics)

    def construct(self, construct_id: str) -> Construct | None:
        """The construct with this id, ``None`` if there is none."""
        return next((c for c in self.constructs if c.id == construct_id), None)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Item ids in questionnaire (file) order."""
        return tuple(i.id for i in self.items)

    @property
    def check_ids(self) -> tuple[str, ...]:
        """Attention-check ids in file order."""
        return tuple(c.id for c in self.attention_checks)

    def blocks(self) -> dict[str, list[str]]:
        """``{construct: [item ids]}`` in construct order, items in file order."""
        out: dict[str, list[str]] = {c.id: [] for c in self.constructs}
        for item in self.items:
            out[item.construct].append(item.id)
        return out

    def reverse_items(self) -> list[str]:
        """Ids of the reverse-keyed items, in file order."""
        return [i.id for i in self.items if i.reverse]

    def item(self, item_id: str) -> Item:
        """The item with this id (``KeyError`` if none)."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def to_frame(self) -> pd.DataFrame:
        """One row per item, attention check and demographic: ``id, construct, number, reverse, zh, en, correct``."""
        import pandas as pd

        rows: list[tuple[object, ...]] = [(i.id, i.construct, i.number, i.reverse, i.text_zh, i.text_en, None)
                                          for i in self.items]
        rows += [(c.id, "(attention check)", c.number, False, c.text_zh, c.text_en, c.correct)
                 for c in self.attention_checks]
        rows += [(d.id, f"(demographic, {d.type})", d.number or d.column, False, d.text_zh or d.name_zh,
                  d.text_en or d.name_en, None) for d in self.demographics]
        return pd.DataFrame(rows, columns=["id", "construct", "number", "reverse", "zh", "en", "correct"])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (for ``data_provenance`` and the report)."""
        return {
            "title": self.title,
            "path": str(self.path) if self.path else None,
            "respondent_id": self.respondent_id,
            "duration": self.duration,
            "scale": self.scale.to_dict(),
            "constructs": [
                {"id": c.id, "name_zh": c.name_zh, "name_en": c.name_en, "scale": c.scale,
                 "citation": c.citation, "items": self.blocks()[c.id]}
                for c in self.constructs
            ],
            "reverse_items": self.reverse_items(),
            "attention_checks": [{"id": c.id, "correct": c.correct} for c in self.attention_checks],
            "missing_codes": [int(c) if float(c).is_integer() else c for c in self.missing_codes],
            "demographics": [{"id": d.id, "name_zh": d.name_zh, "name_en": d.name_en, "type": d.type}
                             for d in self.demographics],
            "marker": list(self.marker),
        }


def measurement_model(instrument: Instrument) -> str:
    """The lavaan measurement model of an instrument: one ``=~`` line per construct.

    Reverse-keyed items enter under their own ids; recode them first
    (:func:`semxhs.survey.validate.reverse_code`) so that all loadings share one direction.

    Examples
    --------
    >>> inst = parse_instrument({"scale": {"points": 7}, "constructs": [{"id": "TR"}],
    ...     "items": [{"id": f"TR{k}", "construct": "TR"} for k in (1, 2, 3)]})
    >>> print(measurement_model(inst))
    TR =~ TR1 + TR2 + TR3
    """
    marker = set(instrument.marker)
    blocks = {factor: [i for i in items if i not in marker] for factor, items in instrument.blocks().items()}
    lines = [f"{factor} =~ {' + '.join(items)}" for factor, items in blocks.items() if items]
    return "\n".join(lines)


def load_instrument(path: str | Path) -> Instrument:
    """Read and validate ``instrument.yaml``.

    Parameters
    ----------
    path : str or Path
        The instrument file (UTF-8 YAML).

    Returns
    -------
    Instrument

    Raises
    ------
    InputFileError
        When the file is missing or not YAML.
    StudyError
        Listing every unknown, missing or invalid key of the file at once.
    """
    path = Path(path)
    raw = read_yaml(path, "instrument")
    return parse_instrument(raw, path)


def parse_instrument(raw: Any, path: Path | None = None) -> Instrument:
    """Validate the parsed YAML of an instrument (see :func:`load_instrument`).

    Examples
    --------
    >>> parse_instrument({"scale": {"points": 7}, "constructs": [{"id": "A"}],
    ...                   "items": [{"id": "a1", "construct": "B"}, {"id": "a1", "construct": "A"}],
    ...                   "colour": "red"})
    Traceback (most recent call last):
    ...
    semxhs.errors.StudyError: instrument file instrument.yaml: unknown key 'colour'; items[1] 'a1': construct 'B' is not declared in 'constructs'; items[2]: id 'a1' is used twice
    """
    fname = path.name if path is not None else "instrument.yaml"
    if not isinstance(raw, dict):
        raise StudyError(f"instrument file {fname}: expected a mapping of keys, got {type(raw).__name__}")
    problems: list[str] = []
    unknown_keys(raw, TOP_KEYS, "", problems)
    for key in ("scale", "constructs", "items"):
        if key not in raw:
            problems.append(f"missing key '{key}'")

    scale = _parse_scale(raw.get("scale"), problems) if "scale" in raw else ResponseScale(7)
    constructs = _parse_constructs(raw.get("constructs", []), problems)
    declared = {c.id for c in constructs}
    items = _parse_items(raw.get("items", []), declared, problems)
    used: set[str] = {i.id for i in items} | declared
    checks = _parse_checks(raw.get("attention_checks", []) or [], scale, used, problems)
    demographics = _parse_demographics(raw.get("demographics", []) or [], used, problems)

    counts = {c.id: 0 for c in constructs}
    for item in items:
        if item.construct in counts:
            counts[item.construct] += 1
    empty = [c for c, n in counts.items() if n == 0]
    if empty and "items" in raw:
        problems.append(f"constructs without items: {name_list(empty)}")
    numbers: dict[str, str] = {}
    things: list[Item | AttentionCheck | Demographic] = [*items, *checks, *demographics]
    for thing in things:
        if thing.number is not None:
            if thing.number in numbers:
                problems.append(
                    f"question number {thing.number} is given to '{numbers[thing.number]}' and '{thing.id}'"
                )
            numbers.setdefault(thing.number, thing.id)

    def _column(key: str) -> str | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, (str, int)) or isinstance(value, bool) or str(value).strip() == "":
            problems.append(f"'{key}' must be a column name, got {value!r}")
            return None
        return str(value).strip()

    respondent_id = _column("respondent_id")
    duration = _column("duration")
    title = raw.get("title", "")
    if title is not None and (isinstance(title, (list, dict, bool))):
        problems.append(f"'title' must be text, got {type(title).__name__} {title!r}")
    missing_codes = parse_missing_codes(raw.get("missing_codes"), (scale.min, scale.max), problems)
    marker = _parse_marker(raw.get("marker"), {i.id for i in items}, problems)
    if problems:
        raise StudyError(f"instrument file {fname}: " + "; ".join(problems))
    return Instrument(
        constructs=tuple(constructs),
        items=tuple(items),
        scale=scale,
        attention_checks=tuple(checks),
        respondent_id=respondent_id,
        duration=duration,
        title=str(title or ""),
        path=path.resolve() if path is not None else None,
        missing_codes=missing_codes,
        demographics=tuple(demographics),
        marker=marker,
    )


def _parse_marker(value: Any, item_ids: set[str], problems: list[str]) -> tuple[str, ...]:
    """``marker: MK1`` or ``marker: [MK1, MK2]``: ids of declared items (a theoretically unrelated scale).

    Examples
    --------
    >>> problems: list[str] = []
    >>> _parse_marker(["MK1", "XX"], {"MK1", "a1"}, problems), problems
    (('MK1',), ["'marker': not declared in 'items': 'XX'"])
    """
    if value is None:
        return ()
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(v, str) and v.strip() for v in names):
        problems.append(f"'marker' must be an item id or a list of item ids, got {value!r}")
        return ()
    names = [v.strip() for v in names]
    unknown = [v for v in names if v not in item_ids]
    if unknown:
        problems.append(f"'marker': not declared in 'items': {name_list(unknown)}")
    return tuple(v for v in names if v in item_ids)


def parse_missing_codes(value: Any, scale: tuple[float, float] | None, problems: list[str]) -> tuple[float, ...]:
    """The ``missing_codes:`` key of an instrument or study: numbers off the scale (``[9, 99]`` or ``9``).

    Examples
    --------
    >>> problems = []
    >>> parse_missing_codes([9, 99], (1, 5), problems), parse_missing_codes(-1, (1, 5), problems), problems
    ((9.0, 99.0), (-1.0,), [])
    >>> parse_missing_codes([3, "n/a"], (1, 5), problems), problems
    ((), ["'missing_codes': missing code 3 is an answer of the scale 1 to 5; a missing code must lie off the scale", "'missing_codes': missing code 'n/a' is not a number"])
    """
    from semxhs.survey.recode import missing_code_problems

    if value is None:
        return ()
    codes = value if isinstance(value, list) else [value]
    found = missing_code_problems(codes, scale)
    problems.extend(f"'missing_codes': {p}" for p in found)
    return () if found else tuple(float(c) for c in codes)


def _names(value: Any, where: str, problems: list[str]) -> tuple[str, str]:
    """``{zh, en}`` or a plain string (taken as Chinese) -> (zh, en)."""
    if value is None:
        return "", ""
    if isinstance(value, str):
        return value.strip(), ""
    if isinstance(value, dict):
        unknown_keys(value, NAME_KEYS, where, problems)
        return str(value.get("zh", "") or "").strip(), str(value.get("en", "") or "").strip()
    problems.append(f"{where} must be text or a mapping with keys zh, en")
    return "", ""


def _number(value: Any, where: str, problems: list[str]) -> str | None:
    """A question number: 5, "5", "Q5", "5.2" (row 2 of matrix question 5)."""
    if value is None:
        return None
    number = normalize_number(value)
    if number is None:
        problems.append(f"{where}: 'number' must be a question number such as 5 or 5.2, got {value!r}")
    return number


def _parse_scale(value: Any, problems: list[str]) -> ResponseScale:
    if not isinstance(value, dict):
        problems.append("'scale' must be a mapping with keys points, min, labels, aliases")
        return ResponseScale(7)
    unknown_keys(value, SCALE_KEYS, "scale", problems)
    points, low = value.get("points"), value.get("min", 1)
    if not isinstance(points, int) or isinstance(points, bool) or not 2 <= points <= 11:
        problems.append(f"scale: 'points' must be a whole number from 2 to 11, got {points!r}")
        points = 7
    if not isinstance(low, int) or isinstance(low, bool):
        problems.append(f"scale: 'min' must be a whole number, got {low!r}")
        low = 1
    high = low + points - 1
    labels: dict[int, tuple[str, str]] = {}
    raw_labels = value.get("labels", {}) or {}
    if not isinstance(raw_labels, dict):
        problems.append("scale: 'labels' must map codes to {zh, en} texts")
        raw_labels = {}
    for code, text in raw_labels.items():
        where = f"scale.labels[{code}]"
        try:
            icode = int(code)
        except (TypeError, ValueError):
            problems.append(f"{where}: the code must be a whole number")
            continue
        if not low <= icode <= high:
            problems.append(f"{where}: code {icode} is outside the scale {low} to {high}")
            continue
        labels[icode] = _names(text, where, problems)
    aliases: dict[str, int] = {}
    raw_aliases = value.get("aliases", {}) or {}
    if not isinstance(raw_aliases, dict):
        problems.append("scale: 'aliases' must map answer texts to codes")
        raw_aliases = {}
    for text, code in raw_aliases.items():
        if not isinstance(code, int) or isinstance(code, bool) or not low <= code <= high:
            problems.append(f"scale.aliases['{text}']: code must be a whole number from {low} to {high}, got {code!r}")
            continue
        aliases[str(text)] = code
    scale = ResponseScale(points=points, min=low, labels=labels, aliases=aliases)
    # Two codes may not share a text, or text answers could not be mapped back.
    seen: dict[str, int] = {}
    clashes: list[str] = []
    for code, (zh, en) in labels.items():
        for text in (zh, en):
            key = normalize_text(text)
            if key and seen.setdefault(key, code) != code:
                clashes.append(text)
    for text, code in aliases.items():
        key = normalize_text(text)
        if seen.setdefault(key, code) != code:
            clashes.append(text)
    if clashes:
        problems.append(f"scale: label texts given to two codes: {name_list(clashes)}")
    return scale


def _parse_constructs(value: Any, problems: list[str]) -> list[Construct]:
    if not isinstance(value, list):
        problems.append("'constructs' must be a list of {id, name, source}")
        return []
    out: list[Construct] = []
    seen: set[str] = set()
    for n, c in enumerate(value, start=1):
        where = f"constructs[{n}]"
        if not isinstance(c, dict):
            problems.append(f"{where} must be a mapping with keys id, name, source")
            continue
        unknown_keys(c, CONSTRUCT_KEYS, where, problems)
        cid = _ident(c.get("id"), where, problems)
        if cid is None:
            continue
        if cid in seen:
            problems.append(f"{where}: id '{cid}' is used twice")
        seen.add(cid)
        zh, en = _names(c.get("name"), f"{where}.name", problems)
        source = c.get("source") or {}
        scale_name, citation = "", ""
        if isinstance(source, str):
            citation = source
        elif isinstance(source, dict):
            unknown_keys(source, SOURCE_KEYS, f"{where}.source", problems)
            scale_name = str(source.get("scale", "") or "")
            citation = str(source.get("citation", "") or "")
        else:
            problems.append(f"{where}.source must be a mapping with keys scale, citation")
        out.append(Construct(cid, zh, en, scale_name, citation))
    return out


def _ident(value: Any, where: str, problems: list[str]) -> str | None:
    """An id usable as a lavaan variable name (letters, digits, underscore, dot; not a digit first)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(f"{where}: missing key 'id'")
        return None
    text = str(value).strip()
    ok = (text[0].isalpha() or text[0] == "_") and all(ch.isalnum() or ch in "_." for ch in text)
    if not ok:
        problems.append(f"{where}: id '{text}' must start with a letter and hold only letters, digits, '_' or '.'")
        return None
    return text


def _parse_items(value: Any, declared: set[str], problems: list[str]) -> list[Item]:
    if not isinstance(value, list):
        problems.append("'items' must be a list of {id, construct, zh, en, reverse, number}")
        return []
    out: list[Item] = []
    seen: set[str] = set(declared)
    for n, it in enumerate(value, start=1):
        where = f"items[{n}]"
        if not isinstance(it, dict):
            problems.append(f"{where} must be a mapping with keys {', '.join(sorted(ITEM_KEYS))}")
            continue
        unknown_keys(it, ITEM_KEYS, where, problems)
        iid = _ident(it.get("id"), where, problems)
        if iid is None:
            continue
        if iid in seen:
            what = "a construct" if iid in declared else "twice"
            problems.append(f"{where}: id '{iid}' is used {'by ' + what if what != 'twice' else what}")
        seen.add(iid)
        construct = it.get("construct")
        if construct is None:
            problems.append(f"{where} '{iid}': missing key 'construct'")
        elif str(construct) not in declared:
            problems.append(f"{where} '{iid}': construct '{construct}' is not declared in 'constructs'")
        reverse = it.get("reverse", False)
        if not isinstance(reverse, bool):
            problems.append(f"{where} '{iid}': 'reverse' must be true or false, got {reverse!r}")
            reverse = False
        out.append(Item(
            id=iid, construct=str(construct), text_zh=str(it.get("zh", "") or "").strip(),
            text_en=str(it.get("en", "") or "").strip(), reverse=reverse,
            number=_number(it.get("number"), f"{where} '{iid}'", problems),
        ))
    return out


def _parse_checks(value: Any, scale: ResponseScale, used: set[str], problems: list[str]) -> list[AttentionCheck]:
    if not isinstance(value, list):
        problems.append("'attention_checks' must be a list of {id, zh, en, number, correct}")
        return []
    out: list[AttentionCheck] = []
    for n, ck in enumerate(value, start=1):
        where = f"attention_checks[{n}]"
        if not isinstance(ck, dict):
            problems.append(f"{where} must be a mapping with keys {', '.join(sorted(CHECK_KEYS))}")
            continue
        unknown_keys(ck, CHECK_KEYS, where, problems)
        cid = _ident(ck.get("id"), where, problems)
        if cid is None:
            continue
        if cid in used:
            problems.append(f"{where}: id '{cid}' is already used")
        used.add(cid)
        if "correct" not in ck:
            problems.append(f"{where} '{cid}': missing key 'correct'")
            code: int | None = scale.min
        else:
            code = scale.code_of(ck["correct"])
            if code is None:
                problems.append(
                    f"{where} '{cid}': 'correct' must be a code from {scale.min} to {scale.max} "
                    f"or one of the scale's labels, got {ck['correct']!r}"
                )
        out.append(AttentionCheck(
            id=cid, correct=int(code if code is not None else scale.min),
            text_zh=str(ck.get("zh", "") or "").strip(), text_en=str(ck.get("en", "") or "").strip(),
            number=_number(ck.get("number"), f"{where} '{cid}'", problems),
        ))
    return out


def _parse_demographics(value: Any, used: set[str], problems: list[str]) -> list[Demographic]:
    """The ``demographics:`` list (see the module docstring).

    Examples
    --------
    >>> problems = []
    >>> (d,) = _parse_demographics([{"id": "gender", "number": 1, "name": {"zh": "性别", "en": "Gender"},
    ...     "levels": {1: {"zh": "男", "en": "Male"}, 2: "女"}}], set(), problems)
    >>> d.levels, d.number, d.level_label(2, "en"), d.level_label(3, "en"), problems
    (((1, '男', 'Male'), (2, '女', '')), '1', '女', '3', [])
    >>> _parse_demographics([{"id": "age", "type": "number", "bins": [30, 18]}], set(), problems) and problems
    ["demographics[1] 'age': 'type' must be categorical or numeric, got 'number'", "demographics[1] 'age': 'bins' must be increasing numbers, got [30, 18]"]
    """
    if not isinstance(value, list):
        problems.append("'demographics' must be a list of {id, name, type, levels, bins, number}")
        return []
    out: list[Demographic] = []
    for n, dm in enumerate(value, start=1):
        where = f"demographics[{n}]"
        if not isinstance(dm, dict):
            problems.append(f"{where} must be a mapping with keys {', '.join(sorted(DEMOGRAPHIC_KEYS))}")
            continue
        unknown_keys(dm, DEMOGRAPHIC_KEYS, where, problems)
        did = _ident(dm.get("id"), where, problems)
        if did is None:
            continue
        if did in used:
            problems.append(f"{where}: id '{did}' is already used")
        used.add(did)
        where = f"{where} '{did}'"
        zh, en = _names(dm.get("name"), f"{where}.name", problems)
        kind = dm.get("type", "categorical")
        if kind not in DEMOGRAPHIC_TYPES:
            problems.append(f"{where}: 'type' must be categorical or numeric, got {kind!r}")
            kind = "categorical"
        levels: list[tuple[int | str, str, str]] = []
        raw_levels = dm.get("levels") or {}
        if not isinstance(raw_levels, dict):
            problems.append(f"{where}: 'levels' must map codes to {{zh, en}} labels")
            raw_levels = {}
        for code, text in raw_levels.items():
            key: int | str = code if isinstance(code, int) and not isinstance(code, bool) else str(code).strip()
            if isinstance(key, str) and re.fullmatch(r"[+-]?\d+", key):
                key = int(key)
            lzh, len_ = _names(text, f"{where}.levels[{code}]", problems)
            levels.append((key, lzh, len_))
        bins: tuple[float, ...] = ()
        raw_bins = dm.get("bins")
        if raw_bins is not None:
            ok = isinstance(raw_bins, list) and raw_bins and all(
                isinstance(b, (int, float)) and not isinstance(b, bool) for b in raw_bins)
            if not ok or any(b >= c for b, c in zip(raw_bins, raw_bins[1:])):
                problems.append(f"{where}: 'bins' must be increasing numbers, got {raw_bins!r}")
            elif kind != "numeric":
                problems.append(f"{where}: 'bins' are for a numeric demographic (type: numeric)")
            else:
                bins = tuple(float(b) for b in raw_bins)
        column = dm.get("column")
        out.append(Demographic(
            id=did, name_zh=zh, name_en=en, type=str(kind), levels=tuple(levels), bins=bins,
            number=_number(dm.get("number"), where, problems),
            column=str(column).strip() if column is not None and str(column).strip() else None,
            text_zh=str(dm.get("zh", "") or "").strip(), text_en=str(dm.get("en", "") or "").strip(),
        ))
    return out

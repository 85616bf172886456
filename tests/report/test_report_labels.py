"""Every visible word exists in both languages; code and templates use only keys that exist."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from semxhs.errors import StudyError
from semxhs.report import labels
from semxhs.report.labels import LABELS, LANGUAGES, labels_for

REPORT = Path(labels.__file__).parent


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_languages_have_the_same_keys() -> None:
    assert tuple(LABELS) == LANGUAGES
    en, zh = set(LABELS["en"]), set(LABELS["zh"])
    assert not en - zh, f"keys missing in Chinese: {sorted(en - zh)}"
    assert not zh - en, f"keys missing in English: {sorted(zh - en)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_empty_wording(language: str) -> None:
    empty = [k for k, v in LABELS[language].items() if not v.strip()]
    assert not empty


def test_placeholders_agree_between_languages() -> None:
    for key, text in LABELS["en"].items():
        assert _placeholders(text) == _placeholders(LABELS["zh"][key]), key


def test_chinese_wording_is_chinese() -> None:
    zh = LABELS["zh"]
    assert zh["supported"] == "支持" and zh["not_supported"] == "不支持"
    assert zh["sec_fit"] == "模型拟合" and zh["col_loading_std"] == "标准化载荷"
    for key in ("sec_warnings", "sec_measurement", "sec_structural", "tbl_fit", "note_fit", "col_cutoff"):
        assert re.search(r"[\u4e00-\u9fff]", zh[key]), key


def _keys_used() -> set[str]:
    """Label keys referenced in the report code (``t["key"]``) and templates (``t.key``)."""
    used: set[str] = set()
    for path in REPORT.glob("*.py"):
        used |= set(re.findall(r"""\bt\[["'](\w+)["']\]""", path.read_text(encoding="utf-8")))
    for path in (REPORT / "templates").glob("*.j2"):
        used |= set(re.findall(r"\bt\.(\w+)", path.read_text(encoding="utf-8")))
    return used


def test_every_key_used_exists() -> None:
    used = _keys_used()
    assert len(used) > 50  # the scan finds the look-ups at all
    for language in LANGUAGES:
        missing = used - set(LABELS[language])
        assert not missing, f"{language}: {sorted(missing)}"


def test_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(StudyError, match=r"allowed 'en' or 'zh', got 'fr'"):
        labels_for("fr")


def test_no_unused_wording() -> None:
    unused = set(LABELS["en"]) - _keys_used()
    assert not unused, f"labels no code or template uses: {sorted(unused)}"

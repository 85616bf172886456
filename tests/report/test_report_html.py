"""The HTML report: sections, APA numbers, both languages, escaping, self-containment, atomic writes."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from semxhs.report.render import render_html, write_html
from semxhs.sem.results import SemResult
from semxhs.study.results import StudyResult

from .report_helpers import TODAY, make_study

SECTION_IDS = ("warnings", "fit", "measurement", "structural", "path-diagram", "defined", "r2", "hypotheses")


class _Collector(HTMLParser):
    """Ids, section ids, tags and attributes of a document (a tiny DOM walk without dependencies)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.section_ids: list[str] = []
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str, str]] = []
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            self.attrs.append((tag, name, value or ""))
            if name == "id":
                self.ids.append(value or "")
                if tag == "section":
                    self.section_ids.append(value or "")
            if tag == "html" and name == "lang":
                self.lang = value or ""


def _parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("language,lang_attr,supported,not_supported", [
    ("en", "en", "Supported", "Not supported"),
    ("zh", "zh-CN", "支持", "不支持"),
])
def test_poldem_report(poldem: SemResult, language: str, lang_attr: str, supported: str,
                       not_supported: str) -> None:
    html = render_html(make_study(poldem, language), today=TODAY)
    doc = _parse(html)
    assert doc.lang == lang_attr
    for section_id in SECTION_IDS:
        assert section_id in doc.section_ids, section_id
    assert len(doc.ids) == len(set(doc.ids)), "duplicate ids"
    text = _text(html)
    # APA numbers
    assert " .995 " in text and " .993 " in text and " .044 " in text
    assert ".035 [.000, .092]" in text
    assert " < .001 " in text.replace("&lt;", "<")
    fit_html = html[html.index('<section id="fit"'):html.index('<section id="measurement"')]
    # no leading zeros in the fit table's bounded indices (RMR and ECVI, which can exceed 1, keep theirs)
    bounded_rows = fit_html[:fit_html.index(">RMR<")] if ">RMR<" in fit_html else fit_html
    assert ">.995<" in fit_html and not re.search(r">0\.\d", bounded_rows)
    assert "[0.701, 2.265]" in text
    # hypotheses in words
    hyp = html[html.index('<section id="hypotheses"'):]
    hyp = hyp[:hyp.index("</section>")]
    assert hyp.count(f">{supported}<") == 3 and hyp.count(f">{not_supported}<") == 1
    assert "Hu" in text and "Bentler" in text and "(1999)" in text


def test_chinese_report_wording(study_zh: StudyResult) -> None:
    text = _text(render_html(study_zh, today=TODAY))
    for words in ("模型拟合", "标准化载荷", "表 1", "注：", "1.000（固定）", "结构模型", "假设检验", "工业化与政治民主"):
        assert words in text, words


def test_self_contained_and_printable(study_en: StudyResult) -> None:
    html = render_html(study_en, today=TODAY)
    doc = _parse(html)
    assert not {"script", "link", "img", "iframe"} & doc.tags
    for tag, name, value in doc.attrs:
        assert name not in ("src", "href") or not value.startswith(("http", "//")), (tag, name, value)
    assert "@import" not in html and "url(" not in html
    assert "@media print" in html and "break-inside: avoid" in html
    assert '"Noto Serif CJK SC"' in html and '"SimSun"' in html
    assert html.count('class="apa"') == 8  # eight three-line tables for poldem


def test_autoescape(poldem: SemResult) -> None:
    study = make_study(poldem, "en", title='<script>alert("x")</script> & Co')
    html = render_html(study, today=TODAY)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html


def test_warnings_block_is_shown(poldem: SemResult) -> None:
    bad = dataclasses.replace(poldem, converged=False, warnings=("optimizer stopped: <max iterations>",))
    html = render_html(make_study(bad, "en"), today=TODAY)
    block = html[html.index('<section id="warnings"'):]
    block = block[:block.index("</section>")]
    assert 'class="status alert"' in block and 'role="alert"' in block
    assert "did not converge" in block
    assert "optimizer stopped: &lt;max iterations&gt;" in block
    # the block comes before every table
    assert html.index('<section id="warnings"') < html.index('<section id="fit"')
    improper = dataclasses.replace(poldem, improper=True)
    zh = render_html(make_study(improper, "zh"), today=TODAY)
    assert 'class="status alert"' in zh and "解不合理" in zh


def test_clean_fit_has_a_calm_status(study_en: StudyResult) -> None:
    html = render_html(study_en, today=TODAY)
    assert 'class="status ok"' in html and "status alert" not in html


def test_write_html_is_atomic(study_en: StudyResult, tmp_path: Path) -> None:
    target = tmp_path / "out" / "deeper" / "report.html"
    assert write_html(study_en, target, today=TODAY) == target
    first = target.read_text(encoding="utf-8")
    assert first.startswith("<!DOCTYPE html>")
    write_html(dataclasses.replace(study_en, title="Second"), target, today=TODAY)
    assert "Second" in target.read_text(encoding="utf-8")
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]  # no temp file left behind


def test_mlr_report_shows_scaled_test_and_robust_indices() -> None:
    from semxhs.report.render import render_html
    from semxhs.study.pipeline import fit_files

    case = "tests/fixtures/shared/hs1939_mlr"
    result = fit_files(f"{case}/model.lav", f"{case}/data.csv", estimator="MLR", measurement=False)
    html = render_html(result)
    for text in ("Yuan–Bentler scaled", "87.13 (24)", "CFI (robust)", ".930", "RMSEA (robust)", ".092"):
        assert text in html, text
    zh = render_html(__import__("dataclasses").replace(result, language="zh"))
    assert "CFI（稳健）" in zh

"""Property test of answer decoding, one per platform format: encode a random answer matrix as the
platform writes it, read it back through the real path (``read_survey``: file -> reader -> import),
and get exactly the matrix (``NaN`` where a marker or a blank stood) and exact cell counts.

The encoder follows the platforms' export conventions, written out here rather than taken from
:data:`semxhs.survey.platforms.PLATFORMS`:

* 问卷星 Wenjuanxing, "按选项文本" (text): the option's text (label) where the option has one,
  its number otherwise; ``(跳过)`` for a question skipped by logic, ``(空)`` for one left empty.
  "按选项序号" (codes): option numbers; ``-3`` for a skipped question.
* 腾讯问卷 Tencent: labels or numbers; ``(跳过)`` and ``(空)``.
* 见数 Credamo: labels or numbers; ``(跳过)``.
* generic files: labels or numbers; a blank cell is the only missing answer.

Any export may also leave a cell blank. Files are CSV (UTF-8 with BOM, or GBK) or XLSX
(numbers as number cells or as text cells); generic option-number files also SPSS ``.sav``.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from semxhs.survey.instrument import parse_instrument
from semxhs.survey.platforms import PLATFORMS, read_survey

# platform -> export kind -> the texts that platform writes for a missing answer
CONVENTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "wenjuanxing": {"text": ("(跳过)", "(空)"), "codes": ("-3",)},
    "tencent": {"text": ("(跳过)", "(空)"), "codes": ("(跳过)", "(空)")},
    "credamo": {"text": ("(跳过)",), "codes": ("(跳过)",)},
    "generic": {"text": (), "codes": ()},
}
# meta columns each platform's export starts with (enough for detection)
META: dict[str, tuple[str, ...]] = {
    "wenjuanxing": ("序号", "提交答卷时间", "所用时间", "来源", "来自IP"),
    "tencent": ("编号", "用户类型", "起答时间", "答题时长", "IP地址"),
    "credamo": ("作答ID", "样本ID", "作答时长(秒)", "状态", "渠道"),
    "generic": ("id",),
}
LABELS7 = ("非常不同意", "不同意", "比较不同意", "一般", "比较同意", "同意", "非常同意")
LABELS5 = ("非常不同意", "不同意", "一般", "同意", "非常同意")
FORMATS = [(platform, kind) for platform in CONVENTIONS for kind in ("text", "codes")]


def test_every_platform_has_an_encoder():
    assert set(CONVENTIONS) == set(PLATFORMS) == set(META)


@dataclass(frozen=True)
class Case:
    points: int
    labelled: tuple[int, ...]      # codes with a label in the instrument
    exported: tuple[int, ...]      # codes the export writes as their label (a subset of ``labelled``)
    answers: tuple[tuple[object, ...], ...]  # rows x items: a code, "blank" or a marker text
    file: str                      # "csv-utf8", "csv-gbk", "xlsx-int", "xlsx-str"


@st.composite
def cases(draw: st.DrawFn, platform: str, kind: str) -> Case:
    points = draw(st.sampled_from([5, 7]))
    codes = list(range(1, points + 1))
    labelled = draw(st.sets(st.sampled_from(codes)))
    if kind == "text":
        # labels on some or all points: the end points only, all, or any subset
        exported = draw(st.one_of(st.just({1, points} & labelled), st.just(labelled), st.sets(st.sampled_from(
            sorted(labelled))) if labelled else st.just(set())))
    else:
        exported = set()
    markers = CONVENTIONS[platform][kind]
    k = draw(st.integers(1, 4))
    n = draw(st.integers(1, 25))
    with_missing = draw(st.booleans())
    missing = st.sampled_from(["blank", *markers])
    cell = st.one_of(st.sampled_from(codes), missing) if with_missing else st.sampled_from(codes)
    answers = draw(st.lists(st.tuples(*[cell] * k), min_size=n, max_size=n))
    files = ["csv-utf8", "csv-gbk", "xlsx-int", "xlsx-str"]
    if platform == "generic" and kind == "codes":
        files.append("sav")  # SPSS: numeric codes, blank = system-missing
    file = draw(st.sampled_from(files))
    return Case(points, tuple(sorted(labelled)), tuple(sorted(exported)), tuple(answers), file)


def _instrument(case: Case, k: int):
    names = LABELS7 if case.points == 7 else LABELS5
    return parse_instrument({
        "scale": {"points": case.points, "labels": {c: names[c - 1] for c in case.labelled}},
        "constructs": [{"id": "F"}],
        "items": [{"id": f"Q{j + 1}", "construct": "F"} for j in range(k)],
    })


def _encode(case: Case, platform: str, k: int, folder: Path) -> Path:
    """The export file as the platform would write it."""
    names = LABELS7 if case.points == 7 else LABELS5
    as_number = case.file in ("xlsx-int", "sav")
    rows = []
    for r, answer_row in enumerate(case.answers):
        meta = [r + 1] + [f"m{r}"] * (len(META[platform]) - 1)
        cells: list[object] = []
        for a in answer_row:
            if a == "blank":
                cells.append(None)
            elif isinstance(a, str):  # a marker, as written
                cells.append(int(a) if as_number and a.lstrip("-").isdigit() else a)
            elif a in case.exported:
                cells.append(names[a - 1])
            else:
                cells.append(a if as_number else str(a))
        rows.append(meta + cells)
    columns = [*META[platform], *[f"Q{j + 1}" for j in range(k)]]
    if case.file == "sav":
        import pyreadstat

        path = folder / "export.sav"
        numbers = [[math.nan if v is None else float(v) for v in row] for row in rows]
        pyreadstat.write_sav(pd.DataFrame(numbers, columns=columns), str(path))
        return path
    if case.file.startswith("csv"):
        path = folder / "export.csv"
        frame = pd.DataFrame(rows, columns=columns)
        frame.to_csv(path, index=False, encoding="utf-8-sig" if case.file == "csv-utf8" else "gbk")
        return path
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
    path = folder / "export.xlsx"
    book.save(path)
    return path


def _expected(case: Case) -> np.ndarray:
    return np.array([[float(a) if isinstance(a, int) else math.nan for a in row] for row in case.answers])


@pytest.mark.parametrize("platform, kind", FORMATS)
def test_decoding_round_trip(platform: str, kind: str) -> None:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(case=cases(platform, kind))
    def check(case: Case) -> None:
        k = len(case.answers[0])
        instrument = _instrument(case, k)
        with tempfile.TemporaryDirectory() as tmp:
            path = _encode(case, platform, k, Path(tmp))
            survey = read_survey(path, instrument)
        items = [f"Q{j + 1}" for j in range(k)]
        assert survey.platform == platform
        assert survey.ok, survey.message()
        np.testing.assert_array_equal(survey.frame[items].to_numpy(dtype=float), _expected(case))
        for j, col in enumerate(survey.decoding.columns):
            answers = [row[j] for row in case.answers]
            markers = {m: answers.count(m) for m in CONVENTIONS[platform][kind] if answers.count(m)}
            codes = [a for a in answers if isinstance(a, int)]
            assert col.column == items[j]
            assert dict(col.markers) == markers
            assert col.empty == answers.count("blank")
            assert col.decoded == len(codes)
            assert col.from_labels == sum(a in case.exported for a in codes)
            assert col.n_errors == 0 and col.nonempty == col.decoded + col.missing_by_marker

    check()

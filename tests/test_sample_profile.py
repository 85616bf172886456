"""Demographics in the instrument and the sample profile of the analysed sample.

Counts are checked against pandas' ``value_counts`` of the raw export (Wenjuanxing text
export with Chinese headers, tests/fixtures/intake/wjx_text.xlsx) restricted to the
respondents the SEM analysed; missing answers are a row of their own; labels follow the
report's language.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from semxhs.errors import StudyError
from semxhs.report.context import build_context
from semxhs.report.labels import labels_for
from semxhs.report.profile import profile_section
from semxhs.study.pipeline import AnalysisOptions, fit_files
from semxhs.survey.instrument import Demographic, load_instrument, parse_instrument
from semxhs.survey.platforms import read_survey
from semxhs.survey.profile import sample_profile
from tests.cli_runner import run_cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPORT = FIXTURES / "intake" / "wjx_text.xlsx"
INSTRUMENT = FIXTURES / "profile" / "instrument.yaml"
MODEL = """PI =~ PI1 + PI2 + PI3 + PI4
TR =~ TR1 + TR2 + TR3 + TR4
PU =~ PU1 + PU2 + PU3 + PU4
TR ~ PI
PU ~ TR + PI
"""
HEADERS = {"gender": "1、您的性别：", "age": "2、您的年龄段：", "frequency": "3、您使用小红书的频率："}


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    model = tmp_path_factory.mktemp("profile") / "model.lav"
    model.write_text(MODEL, encoding="utf-8")
    return fit_files(model, EXPORT, AnalysisOptions(htmt_draws=0), instrument=INSTRUMENT, language="zh")


def test_demographics_are_matched_by_question_number_and_never_items():
    inst = load_instrument(INSTRUMENT)
    assert inst.demographic_ids == ("gender", "age", "frequency")
    assert not set(inst.demographic_ids) & set(inst.item_ids)
    survey = read_survey(EXPORT, inst)
    assert survey.ok, survey.message()
    how = {h.header: (h.target, h.how) for h in survey.headers}
    assert {k: how[v] for k, v in HEADERS.items()} == {k: (k, "number") for k in HEADERS}
    assert survey.unknown_headers == ()
    # decoded through the level labels; an unlabelled answer ('40岁以上') kept as written
    raw = pd.read_excel(EXPORT)
    assert survey.frame["gender"].tolist() == raw[HEADERS["gender"]].map({"男": 1, "女": 2}).tolist()
    assert (survey.frame["age"] == "40岁以上").sum() == (raw[HEADERS["age"]] == "40岁以上").sum() > 0
    # the items and the decoding summary know nothing of the demographics
    assert [r.column for r in survey.decoding.columns if r.column in HEADERS] == []


def test_profile_counts_equal_pandas_value_counts_of_the_analysed_rows(fitted):
    raw = pd.read_excel(EXPORT)
    profile = fitted.sample_profile
    assert profile is not None and profile.n == fitted.sem.n_obs == 111 and profile.basis == "listwise"
    survey = read_survey(EXPORT, load_instrument(INSTRUMENT))
    items = [c for c in survey.frame.columns if c[:2] in ("PI", "TR", "PU")]
    analysed = raw.loc[survey.frame[items].notna().all(axis=1).to_numpy()]
    assert len(analysed) == 111
    labels = {"gender": {"1": "男", "2": "女"},
              "age": {"1": "18岁以下", "2": "18-25岁", "3": "26-30岁", "4": "31-40岁"}, "frequency": {}}
    for variable, header in HEADERS.items():
        expected = analysed[header].value_counts().to_dict()
        rows = [r for r in profile.rows if r.variable == variable]
        got = {labels[variable].get(r.level, r.level): r.n for r in rows}
        assert got == expected, variable
        assert sum(r.percent for r in rows) == pytest.approx(100.0)
        for r in rows:
            assert r.percent == pytest.approx(100.0 * expected[labels[variable].get(r.level, r.level)] / 111)
    # declared order first, the unlabelled answer after the declared levels
    assert [r.level for r in profile.rows if r.variable == "age"] == ["1", "2", "3", "4", "40岁以上"]
    assert [r.kind for r in profile.rows if r.variable == "age"][-1] == "other"


def test_profile_json_rows_are_tidy(fitted):
    doc = json.loads(json.dumps(fitted.to_dict()))
    sp = doc["sample_profile"]
    assert sp["n"] == 111 and sp["basis"] == "listwise" and sp["screened"] is False
    assert [v["variable"] for v in sp["variables"]] == ["gender", "age", "frequency"]
    first = sp["rows"][0]
    assert {k: first[k] for k in ("variable", "level", "label", "n")} == \
        {"variable": "gender", "level": "1", "label": "男", "n": 30}
    assert first["percent"] == pytest.approx(100 * 30 / 111)


def test_missing_answers_are_a_row_never_dropped():
    g = Demographic("gender", "性别", "Gender", levels=((1, "男", "Male"), (2, "女", "Female")))
    inc = Demographic("income", "月收入", "Income")  # no levels: codes shown as they are
    frame = pd.DataFrame({"gender": [1, 2, None, 2, np.nan, 1, 2, 2],
                          "income": [3, 1, 1, None, 2, 3, 3, 3]})
    p = sample_profile(frame, [g, inc])
    rows = {(r.variable, r.level): (r.n, r.kind) for r in p.rows}
    assert rows[("gender", "missing")] == (2, "missing") and rows[("income", "missing")] == (1, "missing")
    assert [r.level for r in p.rows if r.variable == "income"] == ["1", "2", "3", "missing"]
    for variable in ("gender", "income"):
        assert sum(r.n for r in p.rows if r.variable == variable) == len(frame)
    counts = frame["income"].value_counts().to_dict()
    assert {float(r.level): r.n for r in p.rows if r.variable == "income" and r.kind != "missing"} == counts
    en = profile_section(type("R", (), {"sample_profile": p})(), labels_for("en"))
    zh = profile_section(type("R", (), {"sample_profile": p})(), labels_for("zh"))
    assert en is not None and zh is not None
    assert [r["cells"][1] for r in zh["tables"][0]["rows"]][:3] == ["男", "女", "未作答"]
    assert [r["cells"][:2] for r in en["tables"][0]["rows"]][:3] == [["Gender", "Male"], ["", "Female"],
                                                                      ["", "No answer"]]
    assert [r["cells"][2:] for r in en["tables"][0]["rows"]][:3] == [["2", "25.0"], ["4", "50.0"], ["2", "25.0"]]


def test_numeric_demographic_summary_and_bins():
    age = Demographic("age", "年龄", "Age", type="numeric", bins=(18.0, 23.0, 31.0))
    values = [17, 18, 22, 23, 30, 31, 45, None]
    p = sample_profile(pd.DataFrame({"age": values}), [age])
    assert [(r.level, r.n) for r in p.rows] == [("<18", 1), ("18–22", 2), ("23–30", 2), ("≥31", 2),
                                               ("missing", 1)]
    s = p.numeric[0]
    answered = pd.Series(values, dtype=float).dropna()
    assert (s.n, s.missing) == (7, 1)
    assert s.mean == pytest.approx(answered.mean()) and s.sd == pytest.approx(answered.std(ddof=1))
    assert (s.min, s.max) == (17.0, 45.0)
    sec = profile_section(type("R", (), {"sample_profile": p})(), labels_for("en"))
    assert sec is not None and any("M = 26.57, SD = 9.74, range 17–45" in n for n in sec["tables"][0]["notes"])


def test_zh_labels_and_report_formats(fitted):
    ctx = build_context(fitted)
    ids = [s["id"] for s in ctx["sections"]]
    assert ids.index("sample-profile") < ids.index("fit") and ids[-1] == "instrument"
    rows = next(s for s in ctx["sections"] if s["id"] == "sample-profile")["tables"][0]["rows"]
    assert rows[0]["cells"] == ["性别", "男", "30", "27.0"]
    from semxhs.report.latex import render_latex
    from semxhs.report.markdown import render_markdown

    for text in (render_markdown(fitted), render_latex(fitted)):
        assert "样本人口统计特征" in text and "40岁以上" in text and "附录：调查问卷" in text


def test_demographics_do_not_meet_the_declared_scale(tmp_path):
    """A demographic coded 1-9 on a 7-point questionnaire is not checked against the scale."""
    data = pd.read_excel(EXPORT)
    data[HEADERS["frequency"]] = [9 if k % 2 else 8 for k in range(len(data))]
    path = tmp_path / "wjx.xlsx"
    data.to_excel(path, index=False)
    survey = read_survey(path, load_instrument(INSTRUMENT))
    assert survey.ok
    model = tmp_path / "m.lav"
    model.write_text(MODEL, encoding="utf-8")
    res = fit_files(model, path, AnalysisOptions(htmt_draws=0, measurement=False), instrument=INSTRUMENT)
    assert res.sample_profile is not None
    assert {r.level for r in res.sample_profile.rows if r.variable == "frequency"} == {"8", "9"}


def test_instrument_rejects_bad_demographics():
    base = {"scale": {"points": 5}, "constructs": [{"id": "A"}], "items": [{"id": "a1", "construct": "A", "number": 2}]}
    with pytest.raises(StudyError) as err:
        parse_instrument({**base, "demographics": [
            {"id": "a1", "number": 1}, {"id": "g", "type": "ordinal", "number": 2},
            {"id": "age", "type": "numeric", "bins": ["x"]}, {"id": "h", "colour": 1}]})
    text = str(err.value)
    for part in ("demographics[1]: id 'a1' is already used", "'type' must be categorical or numeric, got 'ordinal'",
                 "question number 2 is given to 'a1' and 'g'", "'bins' must be increasing numbers",
                 "demographics[4]: unknown key 'colour'"):
        assert part in text, part


def test_instrument_check_cli_lists_the_demographics():
    proc = run_cli("instrument", "check", str(INSTRUMENT), "--data", str(EXPORT))
    assert proc.returncode == 0, proc.stderr
    assert "(demographic, categorical)" in proc.stdout and "gender" in proc.stdout


def test_html_and_word_show_the_profile_and_the_appendix(fitted):
    import io
    from dataclasses import replace

    from docx import Document

    from semxhs.report.docx import docx_bytes
    from semxhs.report.render import render_html

    for lang, words in (("zh", ("样本人口统计特征", "女", "附录：调查问卷", "我怀疑小红书博主推荐商品的动机")),
                        ("en", ("Demographic characteristics of the sample", "Female", "Appendix: Questionnaire",
                                "I doubt bloggers' motives for recommending products"))):
        result = replace(fitted, language=lang)
        html = render_html(result)
        assert 'id="sample-profile"' in html and 'id="instrument"' in html
        doc = Document(io.BytesIO(docx_bytes(result)))
        text = "\n".join([p.text for p in doc.paragraphs]
                         + [c.text for t in doc.tables for r in t.rows for c in r.cells])
        for word in words:
            assert word in html.replace("&#39;", "'"), (lang, word)
            assert word in text, (lang, word)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_latex_with_profile_and_appendix_compiles(fitted, lang, tmp_path):
    import re
    import shutil
    import subprocess
    from dataclasses import replace

    from semxhs.report.latex import render_latex_context
    from semxhs.report.markdown import figure_files

    # xelatex also for English: this English report holds Chinese text (the platform's name 问卷星),
    # which pdflatex cannot set (a limitation of the LaTeX writer, not of the profile)
    engine = shutil.which("xelatex")
    if engine is None or shutil.which("pdftotext") is None:
        pytest.skip("needs xelatex and pdftotext")
    ctx = build_context(replace(fitted, language=lang))
    tex = tmp_path / "report.tex"
    tex.write_text(render_latex_context(ctx), encoding="utf-8")
    for name, data in figure_files(ctx, png=True):
        (tmp_path / name).write_bytes(data)
    for _ in range(2):
        done = subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=tmp_path,
                              capture_output=True, timeout=300)
        assert done.returncode == 0, done.stdout.decode("utf-8", "replace")[-2000:]
    text = subprocess.run(["pdftotext", "-layout", str(tex.with_suffix(".pdf")), "-"], capture_output=True,
                          check=True).stdout.decode("utf-8")
    flat = re.sub(r"\s+", "", text)
    profile = next(s for s in ctx["sections"] if s["id"] == "sample-profile")["tables"][0]
    for r in profile["rows"]:
        assert "".join(r["cells"][1:]).replace(" ", "") in flat, r["cells"]
    assert ("附录：调查问卷" if lang == "zh" else "Appendix:Questionnaire") in flat


def test_cli_fit_with_instrument_writes_the_profile(tmp_path):
    model = tmp_path / "model.lav"
    model.write_text(MODEL, encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("fit", str(model), str(EXPORT), "--instrument", str(INSTRUMENT), "--no-measurement",
                   "--json", str(out / "r.json"), "--md", str(out / "r.md"), "--lang", "en", "-q")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((out / "r.json").read_text(encoding="utf-8"))
    rows = doc["sample_profile"]["rows"]
    assert doc["sample_profile"]["n"] == doc["n_obs"] == 111
    assert [(r["variable"], r["label"], r["n"]) for r in rows[:2]] == [("gender", "Male", 30), ("gender", "Female", 81)]
    md = (out / "r.md").read_text(encoding="utf-8")
    assert "Demographic characteristics of the sample" in md and "| Gender | Male | 30 | 27.0 |" in md
    assert "Appendix: Questionnaire" in md and "Trust (TR) ← Perceived interactivity (PI)" in md


def test_a_declared_demographic_missing_from_the_data_is_named_not_an_error(tmp_path):
    data = pd.read_excel(EXPORT).drop(columns=[HEADERS["frequency"]])
    path = tmp_path / "wjx.xlsx"
    data.to_excel(path, index=False)
    survey = read_survey(path, load_instrument(INSTRUMENT))
    assert survey.ok and "frequency" not in survey.frame.columns
    model = tmp_path / "m.lav"
    model.write_text(MODEL, encoding="utf-8")
    res = fit_files(model, path, AnalysisOptions(htmt_draws=0, measurement=False), instrument=INSTRUMENT)
    assert res.sample_profile is not None and res.sample_profile.absent == ("frequency",)
    assert {r.variable for r in res.sample_profile.rows} == {"gender", "age"}
    assert res.to_dict()["sample_profile"]["absent"] == ["frequency"]
    sec = profile_section(res, labels_for("en"))
    assert sec is not None and any("not found in the data" in n and "frequency" in n
                                   for n in sec["tables"][0]["notes"])

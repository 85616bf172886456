"""Regenerate the simulated response files of the model library (issue 12).

Every study of the library lives in ``surveys/<id>/``::

    study.yaml         the study (hypotheses, bootstrap, screening, report)
    instrument.yaml    the questionnaire (constructs, items, scale, attention check)
    population.lav     the population model the data are drawn from (ASSUMED values)
    <export>           the simulated survey-platform export written by this script

This script owns exactly one file per study, the export named in :data:`STUDIES`
(``responses_wjx_text.xlsx``, ``responses_wjx_codes.csv``, ``responses.sav``, ...), and
writes nothing else: not the YAML files, not the population or analysis models, not any
report. Run from anywhere::

    python surveys/make_library.py              # write every study's export
    python surveys/make_library.py ewom_trust   # one study
    python surveys/make_library.py --check      # regenerate in memory, compare with the committed files

How a data set is made, deterministically from the study's seed:

1. Answers of attentive respondents: :func:`semxhs.sem.simulate.simulate` draws ``n``
   respondents from ``population.lav`` (standardized: every loading and path is a
   standardized population value) and cuts the scores into the instrument's Likert
   categories at thresholds leaning towards agreement (:data:`THRESHOLDS`), the skew of
   consumer surveys. A population model with a latent product term ``X:W`` (the
   moderation study) has its exogenous factor scores drawn by ``simulate`` and the
   product term, the outcome factor and the items computed here
   (:func:`simulate_with_products`). ``simulate`` itself now draws product terms (as
   products of the latent scores, with the same moments: ``tests/test_library_recovery.py``
   compares the two); this script keeps its own draw so the committed export is unchanged.
2. Reverse-worded items (``reverse: true`` in the instrument) are answered in their own
   direction: the population model loads on the keyed direction and the export holds
   ``MIN + MAX - x``, as a respondent would tick it.
3. The attention check is answered correctly by attentive respondents.
4. Careless respondents replace a few rows: straight-liners (one answer to every item),
   speeders (random answers in a fraction of the median time) and respondents who fail
   the attention check; ``semxhs screen`` / ``semxhs run`` should find them.
5. A few percent of respondents skip one or two items (Wenjuanxing writes ``(跳过)`` in
   text exports and ``-3`` in option-number exports; SPSS files hold system-missing).
6. Demographics (gender, age, education, platform tenure, monthly spending) and the
   platform's meta columns (序号, 提交答卷时间, 所用时间, 来源, 来源详情, 来自IP).
7. The export in the platform's layout (:mod:`semxhs.survey.platforms`): Wenjuanxing "按选项文本"
   (answer texts, matrix headers ``8、请根据…—<row>``) or "按选项序号" (codes, headers
   ``8(<row>)``), as ``.xlsx`` or ``.csv``, or an SPSS ``.sav`` with Wenjuanxing's SPSS
   variable names (``Q8_1``) and value labels. Excel and SPSS files are written with fixed
   timestamps so the bytes, not only the values, are reproducible.

The population values are the library's assumptions, chosen to reproduce the direction
and significance pattern each cited study reports; they are not the authors' estimates
(their data are not public).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import re
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the checkout's semxhs, not an installed copy

from semxhs.survey.instrument import Instrument, load_instrument  # noqa: E402
from semxhs.sem.simulate import simulate  # noqa: E402
from semxhs.sem.spec import build_partable  # noqa: E402

#: Cut points on the standard-normal scale, leaning to "agree" (shares of the categories:
#: 7 points about 2, 6, 13, 21, 27, 21, 10 %; 5 points about 3, 13, 30, 33, 21 %).
THRESHOLDS: dict[int, tuple[float, ...]] = {
    7: (-2.05, -1.4, -0.8, -0.2, 0.5, 1.3),
    5: (-1.9, -1.05, -0.15, 0.8),
}

#: Stem printed above every matrix (量表) question of the questionnaires.
MATRIX_STEM = "请根据您的真实感受评价以下说法"

#: Options of the demographic questions (question numbers 1-5 of every questionnaire).
GENDER = ("男", "女")
AGE = ("18-22岁", "23-26岁", "27-30岁", "31-40岁", "41岁及以上")  # adults only (consent)
EDUCATION = ("高中/中专及以下", "大专", "本科", "硕士及以上")
TENURE = ("<1年", "1-3年", ">3年")
SPENDING = ("500元以下", "500-1000元", "1001-2000元", "2000元以上")

#: The export formats this script writes.
FORMATS = ("wjx_text_xlsx", "wjx_text_csv", "wjx_codes_xlsx", "wjx_codes_csv", "spss_sav")


@dataclass(frozen=True)
class Careless:
    """How many careless respondents replace attentive ones."""

    straightliners: int = 4
    speeders: int = 4
    failed_attention: int = 5


@dataclass(frozen=True)
class StudyData:
    """What this script generates for one study.

    Attributes
    ----------
    id : str
        The study folder ``surveys/<id>/``.
    n : int
        Respondents in the export (before screening).
    seed : int
        Seed of everything drawn for the study.
    fmt : str
        One of :data:`FORMATS`.
    file : str
        The export's file name in the study folder (the one file the script owns there).
    tenure_question : str
        Wording of question 4 (platform tenure).
    careless : Careless
        Careless respondents to plant.
    missing_share : float
        Share of respondents who skip one or two items.
    encoding : str
        Encoding of a CSV export.
    tenure_shares : tuple of float
        Shares of the tenure groups ``<1年``, ``1-3年``, ``>3年``.
    group_populations : tuple of (str, str)
        Tenure groups whose respondents are drawn from another population file of the
        study folder (``(("<1年", "population_newcomers.lav"),)``); the others from
        ``population.lav``. For the multi-group comparison by platform tenure.
    """

    id: str
    n: int
    seed: int
    fmt: str
    file: str
    tenure_question: str = "您使用小红书多长时间了"
    careless: Careless = field(default_factory=Careless)
    missing_share: float = 0.03
    encoding: str = "utf-8-sig"
    tenure_shares: tuple[float, float, float] = (0.25, 0.45, 0.30)
    group_populations: tuple[tuple[str, str], ...] = ()


STUDIES: tuple[StudyData, ...] = (
    StudyData("ewom_trust", 420, 20250301, "wjx_text_xlsx", "responses_wjx_text.xlsx"),
    StudyData("social_ties", 380, 20201201, "wjx_codes_csv", "responses_wjx_codes.csv", encoding="gb18030"),
    StudyData("interactivity_engagement", 460, 20231122, "wjx_codes_xlsx", "responses_wjx_codes.xlsx"),
    StudyData("livestream_trust", 400, 20250408, "wjx_text_csv", "responses_wjx_text.csv",
              tenure_question="您在小红书观看直播购物多长时间了"),
    StudyData("grass_planting_adoption", 450, 20240505, "wjx_text_xlsx", "responses_wjx_text.xlsx"),
    StudyData("short_video_arousal", 360, 20240815, "wjx_codes_xlsx", "responses_wjx_codes.xlsx",
              tenure_question="您观看小红书种草短视频多长时间了"),
    StudyData("s2b2c_repurchase", 430, 20220315, "spss_sav", "responses.sav",
              tenure_question="您在社群团购（S2B2C）平台购物多长时间了"),
    StudyData("xhs_trust_hub", 480, 20251127, "wjx_text_xlsx", "responses_wjx_text.xlsx",
              tenure_shares=(0.30, 0.40, 0.30), group_populations=(("<1年", "population_newcomers.lav"),)),
)


# --------------------------------------------------------------------------- answers

def simulate_with_products(population: str, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Continuous item scores of a standardized population model with latent products ``X:W``.

    The exogenous factors (those no ``~`` row explains) are drawn by
    :func:`semxhs.sem.simulate.simulate` with unit variances and the covariances the model
    gives them (``PI ~~ 0.3*CE``); each endogenous factor is the weighted sum of its
    predictors and products plus a residual whose variance makes its total variance 1
    (for normal exogenous factors with correlations r: var(XW) = 1 + r_XW², and
    cov(XW, UV) = r_XU r_WV + r_XV r_WU, cov(XW, Z) = 0); every item is
    ``loading * factor + sqrt(1 - loading²) * error``. Products may only join
    exogenous factors.
    """
    pt = build_partable(population)
    loadings = [(p.lhs, p.rhs, float(p.value)) for p in pt.params if p.op == "=~" and p.user]
    paths = [(p.lhs, p.rhs, float(p.value)) for p in pt.params if p.op == "~" and p.user]
    covs = [(p.lhs, p.rhs, float(p.value)) for p in pt.params if p.op == "~~" and p.user and p.lhs != p.rhs]
    factors = list(dict.fromkeys(f for f, _, _ in loadings))
    endogenous = list(dict.fromkeys(y for y, _, _ in paths))
    exogenous = [f for f in factors if f not in endogenous]
    for y, x, _ in paths:
        if ":" not in x and x in endogenous:
            raise ValueError(f"{y} ~ {x}: only exogenous predictors are supported with product terms")
        if ":" in x and any(part in endogenous for part in x.split(":")):
            raise ValueError(f"{y} ~ {x}: products of endogenous factors are not supported")
    exo_model = "\n".join([f"{f} ~~ 1*{f}" for f in exogenous] + [f"{a} ~~ {v}*{b}" for a, b, v in covs])
    scores = simulate(exo_model, n=n, seed=rng)
    r = {(a, b): v for a, b, v in covs} | {(b, a): v for a, b, v in covs} | {(f, f): 1.0 for f in exogenous}

    def corr(a: str, b: str) -> float:
        return r.get((a, b), 0.0)

    def cov_terms(s: str, t: str) -> float:
        sp, tp = s.split(":"), t.split(":")
        if len(sp) == 1 and len(tp) == 1:
            return corr(s, t)
        if len(sp) == 2 and len(tp) == 2:
            return corr(sp[0], tp[0]) * corr(sp[1], tp[1]) + corr(sp[0], tp[1]) * corr(sp[1], tp[0])
        return 0.0  # third moments of normal variables vanish

    latent = {f: scores[f].to_numpy() for f in exogenous}
    for y in endogenous:
        terms = [(x, b) for yy, x, b in paths if yy == y]
        explained = sum(b1 * b2 * cov_terms(x1, x2) for x1, b1 in terms for x2, b2 in terms)
        if explained >= 1:
            raise ValueError(f"{y}: the paths explain more than all of its variance")
        value = np.zeros(n)
        for x, b in terms:
            parts = x.split(":")
            value += b * (latent[parts[0]] * latent[parts[1]] if len(parts) == 2 else latent[x])
        latent[y] = value + np.sqrt(1 - explained) * rng.standard_normal(n)
    items = {}
    for f, item, lam in loadings:
        items[item] = lam * latent[f] + np.sqrt(1 - lam ** 2) * rng.standard_normal(n)
    return pd.DataFrame(items)


def attentive_answers(population: str, instrument: Instrument, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Coded answers (item ids as columns, keyed direction) of ``n`` attentive respondents."""
    points, low = instrument.scale.points, instrument.scale.min
    cuts = THRESHOLDS[points]
    if any(":" in line.split("#")[0] for line in population.splitlines()):
        scores = simulate_with_products(population, n, rng)
        sd = scores.std(ddof=0).to_numpy()
        codes = np.searchsorted(np.asarray(cuts), scores.to_numpy() / sd) + low
        answers = pd.DataFrame(codes.astype(int), columns=scores.columns)
    else:
        answers = simulate(population, n=n, seed=rng, likert=points, thresholds=cuts) + (low - 1)
    missing = [i for i in instrument.item_ids if i not in answers.columns]
    if missing:
        raise ValueError(f"population model lacks items {missing}")
    return answers.loc[:, list(instrument.item_ids)]


def respondents(spec: StudyData, instrument: Instrument,
                populations: dict[str, str]) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """Coded answers as ticked (reverse items reversed), attention check, careless rows, skips.

    ``populations`` maps ``""`` (everyone) and tenure options with their own population
    model to the model text. Returns the answers (item and attention-check ids as columns,
    float with NaN for a skipped item), each respondent's completion time in seconds and
    the demographics (option numbers).
    """
    rng = np.random.default_rng(spec.seed)
    scale = instrument.scale
    low, high = scale.min, scale.max
    n = spec.n
    demo = demographics(spec, n, rng)
    answers = pd.DataFrame(np.nan, index=range(n), columns=list(instrument.item_ids))
    tenure = np.array([TENURE[c - 1] for c in demo["tenure"]])
    groups = [g for g in populations if g]
    rest = ~np.isin(tenure, groups)
    for group, mask in [("", rest)] + [(g, tenure == g) for g in groups]:
        if mask.any():
            drawn = attentive_answers(populations[group], instrument, int(mask.sum()), rng).astype(float)
            answers.loc[mask, :] = drawn.to_numpy()
    for item in instrument.reverse_items():
        answers[item] = low + high - answers[item]
    for check in instrument.attention_checks:
        answers[check.id] = float(check.correct)
    n_items = len(instrument.item_ids)
    median_seconds = 45 + 7.5 * n_items
    seconds = np.round(median_seconds * np.exp(rng.normal(0.0, 0.35, n)) + 0.0)

    c = spec.careless
    chosen = rng.choice(n, size=c.straightliners + c.speeders + c.failed_attention, replace=False)
    straight = chosen[:c.straightliners]
    speed = chosen[c.straightliners:c.straightliners + c.speeders]
    failed = chosen[c.straightliners + c.speeders:]
    items = list(instrument.item_ids)
    for row in straight:  # one answer to every item, the attention check read and answered
        answers.loc[row, items] = float(rng.integers(max(low, high - 3), high + 1))
        seconds[row] = np.round(seconds[row] * 0.7)
    for row in speed:  # random clicking in a fraction of the median time
        answers.loc[row, items] = rng.integers(low, high + 1, size=n_items).astype(float)
        seconds[row] = np.round(median_seconds * rng.uniform(0.12, 0.25))
    for row in failed:  # careless answers and a wrong answer to the instructed item
        answers.loc[row, items] = np.clip(
            np.round(rng.normal((low + high) / 2 + 1, 1.2, n_items)), low, high)
        for check in instrument.attention_checks:
            wrong = [code for code in scale.codes if code != check.correct]
            answers.loc[row, check.id] = float(wrong[int(rng.integers(len(wrong)))])

    careless = set(chosen.tolist())
    candidates = np.array([i for i in range(n) if i not in careless])
    k = int(round(spec.missing_share * n))
    for row in rng.choice(candidates, size=k, replace=False):
        skipped = rng.choice(items, size=int(rng.integers(1, 3)), replace=False)
        answers.loc[row, list(skipped)] = np.nan
    return answers, seconds.astype(int), demo


def demographics(spec: StudyData, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Option numbers (1-based) of questions 1-5: gender, age, education, tenure, spending."""
    return pd.DataFrame({
        "gender": rng.choice(len(GENDER), n, p=[0.32, 0.68]) + 1,
        "age": rng.choice(len(AGE), n, p=[0.22, 0.30, 0.22, 0.19, 0.07]) + 1,
        "education": rng.choice(len(EDUCATION), n, p=[0.08, 0.22, 0.55, 0.15]) + 1,
        "tenure": rng.choice(len(TENURE), n, p=list(spec.tenure_shares)) + 1,
        "spending": rng.choice(len(SPENDING), n, p=[0.30, 0.35, 0.22, 0.13]) + 1,
    })


DEMOGRAPHIC_QUESTIONS = (
    ("gender", "您的性别", GENDER),
    ("age", "您的年龄", AGE),
    ("education", "您的最高学历", EDUCATION),
    ("tenure", "", TENURE),  # wording per study (StudyData.tenure_question)
    ("spending", "您平均每月的网购支出", SPENDING),
)


# --------------------------------------------------------------------------- export

def _sorted_questions(instrument: Instrument) -> list[tuple[str, str, str]]:
    """``(id, number, zh wording)`` of items and attention checks in questionnaire order."""
    rows = [(i.id, i.number or "", i.text_zh) for i in instrument.items]
    rows += [(c.id, c.number or "", c.text_zh) for c in instrument.attention_checks]
    if any(not number for _, number, _ in rows):
        raise ValueError("every item and attention check needs a question number such as 6.1")
    return sorted(rows, key=lambda r: tuple(int(p) for p in r[1].split(".")))


def export_frame(spec: StudyData, instrument: Instrument, answers: pd.DataFrame, seconds: np.ndarray,
                 demo: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, str], dict[str, dict[int, str]]]:
    """The export as a table, with SPSS variable labels and value labels (used for ``.sav``)."""
    n = len(answers)
    text = spec.fmt.startswith("wjx_text")
    spss = spec.fmt == "spss_sav"
    start = pd.Timestamp("2025-03-01 09:00:00")
    offsets = np.sort(rng.uniform(0, 14 * 24 * 3600, n))
    submitted = [start + pd.Timedelta(seconds=float(s)) for s in offsets]
    cities = ("上海-上海", "北京-北京", "广东-广州", "广东-深圳", "浙江-杭州", "江苏-南京", "四川-成都", "湖北-武汉")
    out: dict[str, object] = {
        "序号": np.arange(1, n + 1),
        "提交答卷时间": [t.strftime("%Y/%-m/%-d %H:%M:%S") for t in submitted],
        "所用时间": seconds if spss else [f"{s}秒" for s in seconds],
        "来源": ["手机提交" if u < 0.86 else "电脑提交" for u in rng.uniform(size=n)],
        "来源详情": [("微信", "直接访问", "小红书")[int(k)] for k in rng.choice(3, n, p=[0.6, 0.25, 0.15])],
        "来自IP": [f"{int(a)}.{int(b)}.{int(c)}.{int(d)}({cities[int(k)]})" for a, b, c, d, k in zip(
            rng.integers(36, 223, n), rng.integers(0, 256, n), rng.integers(0, 256, n), rng.integers(1, 255, n),
            rng.integers(0, len(cities), n))],
    }
    variable_labels: dict[str, str] = {}
    value_labels: dict[str, dict[int, str]] = {}
    for k, (key, wording, options) in enumerate(DEMOGRAPHIC_QUESTIONS, start=1):
        wording = wording or spec.tenure_question
        codes = demo[key].to_numpy()
        if spss:
            name = f"Q{k}"
            out[name] = codes
            variable_labels[name] = wording
            value_labels[name] = {i + 1: o for i, o in enumerate(options)}
        elif text:
            out[f"{k}、{wording}"] = [options[c - 1] for c in codes]
        else:
            out[f"{k}、{wording}"] = codes
    scale = instrument.scale
    labels = {code: zh for code, (zh, _en) in scale.labels.items()}
    for qid, number, wording in _sorted_questions(instrument):
        main, row = number.split(".")
        values = answers[qid].to_numpy()
        if spss:
            name = f"Q{main}_{row}"
            out[name] = values
            variable_labels[name] = f"{MATRIX_STEM}—{wording}"
            value_labels[name] = dict(labels)
        elif text:
            out[f"{main}、{MATRIX_STEM}—{wording}"] = ["(跳过)" if np.isnan(v) else labels[int(v)] for v in values]
        else:
            out[f"{main}({wording})"] = [-3 if np.isnan(v) else int(v) for v in values]
    return pd.DataFrame(out), variable_labels, value_labels


def _fixed_xlsx(frame: pd.DataFrame) -> bytes:
    """An .xlsx of ``frame`` whose bytes depend on nothing but the data (fixed timestamps)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name="Sheet1")
    fixed = io.BytesIO()
    stamp = "2025-03-15T00:00:00Z"
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, \
            zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=(2025, 3, 15, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data)
    return fixed.getvalue()


def _fixed_sav(frame: pd.DataFrame, variable_labels: dict[str, str],
               value_labels: dict[str, dict[int, str]], path: Path) -> bytes:
    """An SPSS .sav with labels; its header's creation date and time are fixed."""
    import pyreadstat

    tmp = path.with_name(f".{path.name}.tmp")
    try:
        pyreadstat.write_sav(frame, str(tmp), column_labels=[variable_labels.get(c, c) for c in frame.columns],
                             variable_value_labels=value_labels, file_label="semxhs model library (simulated)")
        data = bytearray(tmp.read_bytes())
    finally:
        tmp.unlink(missing_ok=True)
    # header record: rec_type(4) prod_name(60) layout(4) case_size(4) compression(4) weight(4)
    # ncases(4) bias(8) creation_date(9) creation_time(8): bytes 92..108
    if bytes(data[:4]) != b"$FL2":
        raise ValueError("not an SPSS system file")
    data[92:109] = b"15 Mar 2500:00:00"
    return bytes(data)


def build(spec: StudyData) -> bytes:
    """The bytes of one study's export."""
    folder = HERE / spec.id
    instrument = load_instrument(folder / "instrument.yaml")
    populations = {"": (folder / "population.lav").read_text(encoding="utf-8")}
    for group, name in spec.group_populations:
        populations[group] = (folder / name).read_text(encoding="utf-8")
    answers, seconds, demo = respondents(spec, instrument, populations)
    rng = np.random.default_rng([spec.seed, 1])
    frame, variable_labels, value_labels = export_frame(spec, instrument, answers, seconds, demo, rng)
    if spec.fmt.endswith("xlsx"):
        return _fixed_xlsx(frame)
    if spec.fmt.endswith("csv"):
        return frame.to_csv(index=False, lineterminator="\r\n").encode(spec.encoding)
    if spec.fmt == "spss_sav":
        return _fixed_sav(frame, variable_labels, value_labels, folder / spec.file)
    raise ValueError(f"unknown format {spec.fmt}")


def write_owned(spec: StudyData, data: bytes) -> Path:
    """Write the study's export (its one owned file) atomically; nothing else is touched."""
    target = HERE / spec.id / spec.file
    if target.resolve().parent != (HERE / spec.id).resolve():
        raise ValueError(f"{target} is outside the study folder")
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write (or ``--check``) the exports of the studies named, or of all."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("studies", nargs="*", help="study ids (default: all)")
    parser.add_argument("--check", action="store_true", help="compare with the committed files; write nothing")
    args = parser.parse_args(argv)
    known = {s.id: s for s in STUDIES}
    unknown = [s for s in args.studies if s not in known]
    if unknown:
        parser.error(f"unknown studies: {', '.join(unknown)} (known: {', '.join(known)})")
    status = 0
    for spec in (known[s] for s in args.studies) if args.studies else STUDIES:
        data = build(spec)
        digest = hashlib.sha256(data).hexdigest()[:12]
        if args.check:
            target = HERE / spec.id / spec.file
            same = target.is_file() and target.read_bytes() == data
            status |= 0 if same else 1
            print(f"{spec.id}/{spec.file}: {'same' if same else 'DIFFERS'} ({digest})")
        else:
            print(f"wrote {write_owned(spec, data).relative_to(HERE.parent)} ({digest})")
    return status


if __name__ == "__main__":
    raise SystemExit(main())

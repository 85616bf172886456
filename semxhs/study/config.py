"""Study YAML -> a validated :class:`Study` (every problem reported at once, by key).

A study file names the data, the model, the estimator, the hypotheses and the report's
title and language. Relative paths resolve against the YAML file's folder::

    title: 感知互动性、信任与购买意愿
    language: zh            # zh or en
    data: responses.csv
    model: ../../models/trust_purchase.lav     # or model_syntax: | <lavaan text>
    estimator: ML
    missing: listwise
    hypotheses:
      - {id: H1, text: 感知互动性正向影响信任, path: TR ~ PI, sign: "+"}
      - {id: H4, text: 信任中介感知互动性对购买意愿的影响, path: ind, sign: "+"}
    output: {dir: ../../reports/demo, html: report.html, json: results.json}
    reverse: [TR3]          # reverse-worded items, re-keyed as MIN + MAX - x before anything else
    scale: [1, 7]           # every indicator of the model must be a whole number from 1 to 7
    missing_codes: [9, 99]  # codes meaning "no answer" in those items: set missing (and counted)
    measurement: true       # reliability and validity evidence (alpha, CR, AVE, HTMT, ...)
    htmt_draws: 2000        # bootstrap draws for the HTMT intervals
    seed: 1
    process:                # PROCESS-style analyses; roles name columns or constructs (item means)
      - {model: 7, x: PI, m: [TR], w: CE, y: PU, boot: 5000, probe: percentiles}
    instrument: instrument.yaml   # maps platform exports (Chinese headers, text answers) to items
    screening: {attention: true, speed: {fraction_of_median: 0.333}, longstring: true, mahalanobis: true}
    platform: auto          # auto, wenjuanxing, tencent, credamo or generic
    bootstrap: {draws: 5000, ci: percentile}   # or bc; failed_rule: nonconverged|improper; monte_carlo; sobel
    modindices: true        # modification indices (and score tests of equality constraints)
    effect_sizes: true      # Cohen's f2 (one refit per structural path) and VIF
    citation: "耿幸宏 (2025). ... 商业经济研究, (3), 65-68."   # the study this one replicates
    description: >                # reaches the JSON (study.description) and the report
      ...
    crosscheck: semopy            # re-estimate with semopy, compare every parameter
    summary: {cor: cor.csv, sd: sd.csv, nobs: 301}   # a published table instead of data (cov: / means:)
    invariance: {group: tenure, criteria: chen2007}   # the measurement-invariance ladder (semxhs invariance)
    power: {population: pop.lav, n: [100, 200, 400], reps: 1000, seed: 1, alpha: 0.05, workers: 1}
                                  # Monte Carlo power (semxhs power) at these N and the study's own N

A hypothesis may carry ``finding:`` -- the cited study's finding in words, for
``semxhs replicate`` (``{id: H1, text: ..., path: TR ~ EW, sign: "+", finding: 正向显著影响}``).
"""

from __future__ import annotations

import codecs
import datetime
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from semxhs.errors import SemxhsError, StudyError, name_list
from semxhs.survey.yamlfile import read_text, read_yaml, unknown_keys

if TYPE_CHECKING:
    from semxhs.sem.partable import ParTable

TOP_KEYS = {"title", "language", "data", "encoding", "model", "model_syntax", "estimator", "missing",
            "std_lv", "alpha", "hypotheses", "output", "description", "reverse", "scale", "seed",
            "measurement", "htmt_draws", "process", "instrument", "screening", "platform", "sheet",
            "bootstrap", "fixed_x", "group", "group_equal", "group_partial", "summary", "crosscheck",
            "citation", "modindices", "effect_sizes", "invariance", "missing_codes", "common_method", "power"}
BOOTSTRAP_KEYS = {"draws", "ci", "failed_rule", "monte_carlo", "sobel", "jobs"}
PROCESS_KEYS = {"model", "x", "m", "w", "z", "y", "cov", "boot", "seed", "hc", "center", "probe", "conf", "title"}
REQUIRED = ("data",)
HYPOTHESIS_KEYS = {"id", "text", "path", "sign", "finding"}
SUMMARY_KEYS = {"cov", "cor", "sd", "means", "nobs"}
CROSSCHECK_ENGINES = ("semopy",)
OUTPUT_KEYS = {"dir", "html", "json", "docx", "tex", "md"}
LANGUAGES = ("en", "zh")
ESTIMATORS = ("ML", "MLR")
MISSING = ("listwise", "fiml", "ml")


def _whole(value: object, low: int | None = 0) -> bool:
    """A whole number (never a bool) at least ``low``."""
    return isinstance(value, int) and not isinstance(value, bool) and (low is None or value >= low)


def _number(value: object) -> bool:
    """A finite number (never a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_text(value: object) -> bool:
    """Text, or a plain number or date YAML read as one (``id: 1``, ``title: 2024-05-01``)."""
    return (isinstance(value, (str, datetime.date))
            or (_number(value) and not isinstance(value, float)))


def _role(item: dict, key: str, where: str, problems: list[str]) -> str | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    if not _is_text(value):
        problems.append(f"{where}: '{key}' must be a column or construct name, got {value!r}")
        return None
    return str(value)


@dataclass(frozen=True)
class Hypothesis:
    """One hypothesis: a model path (``"TR ~ PI"``) or the name of a defined effect."""

    id: str
    text: str
    path: str
    sign: str = ""
    finding: str = ""  # the cited study's finding, in words (replication tables)


@dataclass(frozen=True)
class BootstrapSpec:
    """How to bootstrap the SEM: draws, interval type, failure rule, extras."""

    draws: int = 5000
    ci: str = "percentile"
    failed_rule: str = "nonconverged"
    monte_carlo: int = 0
    sobel: bool = False
    jobs: int = 1


def _parse_bootstrap(raw: object, problems: list[str]) -> BootstrapSpec | None:
    if raw is None or raw is False:
        return None
    if isinstance(raw, bool):
        return BootstrapSpec()
    if isinstance(raw, int):  # bool handled above
        if raw < 0:
            problems.append(f"'bootstrap' draws must be >= 0, got {raw}")
            return None
        return BootstrapSpec(draws=raw) if raw else None
    if not isinstance(raw, dict):
        problems.append("'bootstrap' must be a number of draws or a mapping with keys "
                        + name_list(sorted(BOOTSTRAP_KEYS)))
        return None
    unknown_keys(raw, BOOTSTRAP_KEYS, "bootstrap", problems)
    spec = BootstrapSpec()
    draws = raw.get("draws", spec.draws)
    if not isinstance(draws, int) or isinstance(draws, bool) or draws < 1:
        problems.append(f"bootstrap: 'draws' must be a whole number >= 1, got {draws!r}")
        draws = spec.draws
    ci = raw.get("ci", spec.ci)
    if ci not in ("percentile", "bc"):
        problems.append(f"bootstrap: 'ci' must be percentile or bc, got {ci!r}")
        ci = spec.ci
    rule = raw.get("failed_rule", spec.failed_rule)
    if rule not in ("nonconverged", "improper"):
        problems.append(f"bootstrap: 'failed_rule' must be nonconverged or improper, got {rule!r}")
        rule = spec.failed_rule
    mc = raw.get("monte_carlo", 0)
    if not _whole(mc):
        problems.append(f"bootstrap: 'monte_carlo' must be a number of draws >= 0, got {mc!r}")
        mc = 0
    sobel = raw.get("sobel", False)
    if not isinstance(sobel, bool):
        problems.append("bootstrap: 'sobel' must be true or false")
        sobel = False
    jobs = raw.get("jobs", 1)
    if not _whole(jobs, 1):
        problems.append(f"bootstrap: 'jobs' must be a whole number >= 1, got {jobs!r}")
        jobs = 1
    return BootstrapSpec(draws=draws, ci=ci, failed_rule=rule, monte_carlo=mc, sobel=sobel, jobs=jobs)


@dataclass(frozen=True)
class ProcessSpec:
    """One PROCESS-style analysis of a study; roles name columns or constructs."""

    model: int
    x: str
    y: str
    m: tuple[str, ...] = ()
    w: str | None = None
    z: str | None = None
    cov: tuple[str, ...] = ()
    boot: int = 5000
    seed: int = 1
    hc: int | None = None
    center: str = "none"
    probe: str | tuple[float, ...] = "percentiles"
    conf: float = 0.95
    title: str = ""

    def roles(self) -> list[str]:
        """Every column or construct the analysis uses."""
        return [self.x, self.y, *self.m, *(v for v in (self.w, self.z) if v), *self.cov]


def _names(value: object, key: str, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, list) and all(_is_text(v) for v in value):
        return tuple(str(v) for v in value)
    if _is_text(value):
        return (str(value),)
    problems.append(f"{where}: '{key}' must be a name or a list of names, got {value!r}")
    return ()


def _parse_process(raw: object, seed: int, problems: list[str]) -> tuple[ProcessSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append("'process' must be a list of analyses")
        return ()
    specs = []
    for n, item in enumerate(raw, start=1):
        where = f"process[{n}]"
        if not isinstance(item, dict):
            problems.append(f"{where} must be a mapping with keys model, x, y, m, w, z, cov, ...")
            continue
        unknown_keys(item, PROCESS_KEYS, where, problems)
        for key in ("model", "x", "y"):
            if key not in item:
                problems.append(f"{where}: missing key '{key}'")
        model = item.get("model", 0)
        if not _whole(model, None):
            problems.append(f"{where}: 'model' must be a PROCESS model number, got {model!r}")
            model = 0
        probe = item.get("probe", "percentiles")
        if isinstance(probe, list):
            if not probe or not all(_number(v) for v in probe):
                problems.append(f"{where}: 'probe' values must be numbers, got {probe!r}")
                probe = "percentiles"
            else:
                probe = tuple(float(v) for v in probe)
        elif probe not in ("percentiles", "moments"):
            problems.append(f"{where}: 'probe' must be percentiles, moments or a list of numbers, got {probe!r}")
            probe = "percentiles"
        center = item.get("center", "none")
        if center not in ("none", "interaction", "all"):
            problems.append(f"{where}: 'center' must be none, interaction or all, got {center!r}")
            center = "none"
        hc = item.get("hc")
        if hc is not None and not (_whole(hc) and hc <= 4):
            problems.append(f"{where}: 'hc' must be 0, 1, 2, 3 or 4, got {hc!r}")
            hc = None
        boot = item.get("boot", 5000)
        if not _whole(boot):
            problems.append(f"{where}: 'boot' must be a whole number >= 0, got {boot!r}")
            boot = 5000
        item_seed = item.get("seed", seed)
        if not _whole(item_seed):
            problems.append(f"{where}: 'seed' must be a whole number >= 0, got {item_seed!r}")
            item_seed = seed
        conf = item.get("conf", 0.95)
        if not _number(conf) or not 0.5 <= float(conf) < 1:
            problems.append(f"{where}: 'conf' must be a number from .50 to below 1, got {conf!r}")
            conf = 0.95
        title = item.get("title", "")
        if title is not None and not _is_text(title) and not isinstance(title, float):
            problems.append(f"{where}: 'title' must be text, got {title!r}")
            title = ""
        x, y = _role(item, "x", where, problems) or "", _role(item, "y", where, problems) or ""
        w, z = _role(item, "w", where, problems), _role(item, "z", where, problems)
        m, cov = _names(item.get("m"), "m", where, problems), _names(item.get("cov"), "cov", where, problems)
        if model:
            from semxhs.process.models import check_roles, get_model

            try:
                check_roles(get_model(model), m, w, z)
            except SemxhsError as exc:
                problems.append(f"{where}: {exc}")
        specs.append(ProcessSpec(
            model=model, x=x, y=y, m=m, w=w, z=z, cov=cov, boot=boot, seed=item_seed, hc=hc, center=center,
            probe=probe, conf=float(conf), title=str(title or ""),
        ))
    return tuple(specs)


@dataclass(frozen=True)
class SummarySpec:
    """``summary:`` -- fit from a published table (lavaan's sample.cov/sample.nobs) instead of ``data``."""

    nobs: int
    cov: Path | None = None
    cor: Path | None = None
    sd: Path | None = None
    means: Path | None = None


def _parse_summary(raw: object, base: Path, problems: list[str]) -> SummarySpec | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append("'summary' must be a mapping with keys " + name_list(sorted(SUMMARY_KEYS)))
        return None
    unknown_keys(raw, SUMMARY_KEYS, "summary", problems)
    nobs = raw.get("nobs")
    if not isinstance(nobs, int) or isinstance(nobs, bool) or nobs < 2:
        problems.append(f"summary: 'nobs' must be the sample size, a whole number >= 2, got {nobs!r}")
        nobs = 0
    if ("cov" in raw) == ("cor" in raw):
        problems.append("summary: give 'cov' (a covariance matrix) or 'cor' with 'sd', one of the two")
    if "cor" in raw and "sd" not in raw:
        problems.append("summary: 'cor' needs 'sd' (the standard deviations)")
    files: dict[str, Path | None] = {}
    for key in ("cov", "cor", "sd", "means"):
        files[key] = None
        if raw.get(key) is not None:
            files[key] = base / str(raw[key])
            if not files[key].is_file():  # type: ignore[union-attr]
                problems.append(f"summary: '{key}': file not found: {files[key]}")
    return SummarySpec(nobs=int(nobs), **files)


@dataclass(frozen=True)
class Study:
    """A validated study description with absolute paths."""

    path: Path
    title: str
    language: str
    data: Path
    encoding: str | None
    model_text: str
    model_file: str
    estimator: str
    missing: str
    std_lv: bool
    alpha: float
    hypotheses: tuple[Hypothesis, ...]
    output_dir: Path
    html: str | None
    json: str | None
    docx: str | None
    reverse: tuple[str, ...] = ()
    scale: tuple[float, float] | None = None
    seed: int = 1
    measurement: bool = True
    htmt_draws: int = 2000
    process: tuple[ProcessSpec, ...] = ()
    instrument: Path | None = None
    screening: dict[str, Any] | None = None
    platform: str = "auto"
    sheet: str | int = 0
    bootstrap: BootstrapSpec | None = None
    fixed_x: bool = True
    group: str | None = None
    group_equal: tuple[str, ...] = ()
    group_partial: tuple[str, ...] = ()
    summary: SummarySpec | None = None
    crosscheck: str | None = None
    description: str = ""
    citation: str = ""
    modindices: bool = False
    effect_sizes: bool = False
    invariance: InvarianceSpec | None = None

    tex: str | None = None
    md: str | None = None
    missing_codes: tuple[float, ...] = ()
    common_method: CommonMethodSpec | None = None  # common_method: {marker, marker_rule, ulmc, ulmc_loadings}
    power: PowerSpec | None = None  # power: in the study (semxhs.power)

@dataclass(frozen=True)
class InvarianceSpec:
    """``invariance:`` in a study: the measurement-invariance ladder across ``group`` (``semxhs invariance``)."""

    group: str
    criteria: str = "chen2007"
    partial_search: bool = True


INVARIANCE_KEYS = {"group", "criteria", "partial_search"}


@dataclass(frozen=True)
class CommonMethodSpec:
    """``common_method:`` in a study: the marker item(s) and how the ULMC is run.

    ``marker`` names columns of the data that are no model items (Lindell & Whitney's
    marker; several = one scale, scored as their mean), ``marker_rule`` picks r_M
    (``smallest`` or ``second_smallest`` positive correlation), ``ulmc`` switches the
    unmeasured latent method construct on or off, ``ulmc_loadings`` is ``equal`` (default) or ``free``.
    """

    marker: tuple[str, ...] = ()
    marker_rule: str = "smallest"
    ulmc: bool = True
    ulmc_loadings: str = "equal"


COMMON_METHOD_KEYS = {"marker", "marker_rule", "ulmc", "ulmc_loadings"}


def _parse_common_method(value: Any, problems: list[str]) -> CommonMethodSpec | None:
    """``common_method: {marker: MK1, marker_rule: smallest, ulmc: true, ulmc_loadings: free}``."""
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.append("'common_method' must be a mapping such as {marker: [MK1, MK2], ulmc: true}")
        return None
    unknown = sorted(set(value) - COMMON_METHOD_KEYS)
    if unknown:
        problems.append(f"unknown keys under 'common_method': {', '.join(unknown)} "
                        f"(known: {', '.join(sorted(COMMON_METHOD_KEYS))})")
    marker = _text_list(value.get("marker"), "common_method.marker", problems)
    rule = str(value.get("marker_rule", "smallest"))
    if rule not in ("smallest", "second_smallest"):
        problems.append(f"'common_method.marker_rule' must be smallest or second_smallest, got {rule!r}")
        rule = "smallest"
    on = value.get("ulmc", True)
    if not isinstance(on, bool):
        problems.append("'common_method.ulmc' must be true or false")
        on = True
    loadings = str(value.get("ulmc_loadings", "equal"))
    if loadings not in ("free", "equal"):
        problems.append(f"'common_method.ulmc_loadings' must be free or equal, got {loadings!r}")
        loadings = "equal"
    return CommonMethodSpec(marker, rule, on, loadings)


def _parse_invariance(value: Any, group: str | None, problems: list[str]) -> InvarianceSpec | None:
    """``invariance: {group: tenure, criteria: chen2007}`` (or ``invariance: true`` with ``group:``)."""
    if value is None or value is False:
        return None
    if value is True:
        value = {}
    if not isinstance(value, dict):
        problems.append("'invariance' must be true or a mapping such as {group: gender, criteria: chen2007}")
        return None
    unknown = sorted(set(value) - INVARIANCE_KEYS)
    if unknown:
        problems.append(f"unknown keys under 'invariance': {', '.join(unknown)} "
                        f"(known: {', '.join(sorted(INVARIANCE_KEYS))})")
    col = value.get("group", group)
    if not isinstance(col, str) or not col:
        problems.append("'invariance' needs the group column ('group' under it, or the study's 'group')")
        return None
    criteria = str(value.get("criteria", "chen2007")).lower()
    if criteria not in ("chen2007", "cheung2002", "lrt"):
        problems.append(f"'invariance.criteria' must be chen2007, cheung2002 or lrt, got {criteria!r}")
        criteria = "chen2007"
    search = value.get("partial_search", True)
    if not isinstance(search, bool):
        problems.append("'invariance.partial_search' must be true or false")
        search = True
    return InvarianceSpec(col, criteria, search)



@dataclass(frozen=True)
class PowerSpec:
    """``power:`` in a study: Monte Carlo power of the study's model (``semxhs power``).

    ``population`` is a population model file (every loading and path fixed), or ``None``:
    the study's own estimates are the population values. The study's N is always simulated
    too (added to ``ns``); ``seed`` and ``alpha`` default to the study's.
    """

    population: Path | None
    population_text: str
    ns: tuple[int, ...] = (100, 200, 400)
    reps: int = 1000
    seed: int = 1
    alpha: float = 0.05
    workers: int = 1
    ci: str = "wald"
    bootstrap: int = 0


POWER_KEYS = {"population", "n", "reps", "seed", "alpha", "workers", "ci", "bootstrap"}
POWER_CI = ("wald", "montecarlo", "percentile", "bc")


def _parse_power(value: Any, base: Path, seed: int, alpha: float, problems: list[str]) -> PowerSpec | None:
    """``power: {population: pop.lav, n: [100, 200, 400], reps: 1000}`` (or ``power: true``: all defaults)."""
    if value is None or value is False:
        return None
    if value is True:
        value = {}
    if not isinstance(value, dict):
        problems.append("'power' must be true or a mapping such as {population: pop.lav, n: [100, 200, 400], "
                        "reps: 1000}")
        return None
    unknown_keys(value, POWER_KEYS, "power", problems)
    population, text = None, ""
    raw_pop = value.get("population", "estimates")
    if raw_pop != "estimates":
        if not isinstance(raw_pop, str) or not raw_pop.strip():
            problems.append(f"power: 'population' must be a model file or 'estimates', got {raw_pop!r}")
        else:
            population = base / raw_pop
            if not population.is_file():
                problems.append(f"power: 'population': file not found: {population}")
            else:
                try:
                    text = read_text(population, "population model")
                except SemxhsError as exc:
                    problems.append(f"power: 'population': {exc}")
    raw_n = value.get("n", [100, 200, 400])
    if _whole(raw_n, None):
        raw_n = [raw_n]
    if isinstance(raw_n, str):
        raw_n = [v.strip() for v in raw_n.split(",") if v.strip()]
        raw_n = [int(v) if v.isdigit() else v for v in raw_n]
    ns: tuple[int, ...] = (100, 200, 400)
    if not isinstance(raw_n, list) or not raw_n or not all(_whole(v, 3) for v in raw_n):
        problems.append(f"power: 'n' must be a list of sample sizes of at least 3, got {value.get('n')!r}")
    else:
        ns = tuple(sorted(set(raw_n)))
    checked: dict[str, Any] = {}
    for key, default, low, what in (("reps", 1000, 1, "replications"), ("seed", seed, 0, "seed"),
                                    ("workers", 1, 1, "worker processes"), ("bootstrap", 0, 0, "bootstrap draws")):
        checked[key] = value.get(key, default)
        if not _whole(checked[key], low):
            problems.append(f"power: '{key}' must be a whole number >= {low} ({what}), got {checked[key]!r}")
            checked[key] = default
    level = value.get("alpha", alpha)
    if not _number(level) or not 0 < float(level) < 1:
        problems.append(f"power: 'alpha' must be a number between 0 and 1, got {level!r}")
        level = alpha
    ci = value.get("ci", "wald")
    if ci not in POWER_CI:
        problems.append(f"power: 'ci' must be one of {name_list(POWER_CI)}, got {ci!r}")
        ci = "wald"
    elif ci in ("percentile", "bc") and checked["bootstrap"] < 1:
        problems.append(f"power: 'ci: {ci}' needs 'bootstrap' (draws per replication, e.g. 1000)")
    return PowerSpec(population=population, population_text=text, ns=ns, reps=int(checked["reps"]),
                     seed=int(checked["seed"]), alpha=float(level), workers=int(checked["workers"]), ci=str(ci),
                     bootstrap=int(checked["bootstrap"]))


def _text_list(value: Any, key: str, problems: list[str]) -> tuple[str, ...]:
    """``a,b`` or a YAML list of text -> a tuple of str (a problem noted otherwise)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value)
    problems.append(f"'{key}' must be text or a list of text")
    return ()


def load_study(path: str | Path) -> Study:
    """Read and validate a study YAML file.

    Parameters
    ----------
    path : str or Path
        The study file.

    Returns
    -------
    Study

    Raises
    ------
    InputFileError
        When the file is missing or is not YAML.
    StudyError
        Listing every unknown, missing or invalid key at once.
    """
    path = Path(path)
    raw = read_yaml(path, "study")
    return parse_study(raw, path)


_ARROW = re.compile(r"^\s*([^\s]+)\s*(?:->|→)\s*([^\s]+)\s*$")


def normalize_path(path: str) -> tuple[str, str, str]:
    """Split a hypothesis path into (lhs, op, rhs); ``X -> Y`` means ``Y ~ X``.

    Examples
    --------
    >>> normalize_path("TR ~ PI"), normalize_path("PI -> TR"), normalize_path("ind")
    (('TR', '~', 'PI'), ('TR', '~', 'PI'), ('ind', ':=', ''))
    """
    arrow = _ARROW.match(path)
    if arrow:
        return arrow.group(2), "~", arrow.group(1)
    for op in ("=~", "~~", "~"):
        if op in path:
            lhs, _, rhs = path.partition(op)
            return lhs.strip(), op, rhs.strip()
    return path.strip(), ":=", ""


def hypothesis_problem(hypotheses: tuple[Hypothesis, ...], partable: ParTable) -> str | None:
    """The problem naming every hypothesis whose path is not in the model (``None`` when all are)."""
    rows = {(p.lhs, p.op, p.rhs) for p in partable.params}
    rows |= {(p.rhs, p.op, p.lhs) for p in partable.params if p.op == "~~"}
    defined = {d.name for d in partable.defined}
    bad = []
    for h in hypotheses:
        lhs, op, rhs = normalize_path(h.path)
        if (op == ":=" and lhs not in defined) or (op != ":=" and (lhs, op, rhs) not in rows):
            bad.append(f"{h.id} ({h.path})")
    if not bad:
        return None
    return (f"hypotheses name paths that are not in the model: {name_list(bad)}; "
            "write a path as 'Y ~ X' or 'X -> Y', or the name of a := effect")


def parse_study(raw: Any, path: Path) -> Study:
    """Validate the parsed YAML of a study (see :func:`load_study`).

    Every problem is collected before one :class:`StudyError` lists them all: unknown,
    missing and mistyped keys (named by their path, ``process[1]: 'seed'``), files not
    found, a model that does not parse, hypotheses whose paths are not in the model,
    PROCESS analyses whose roles do not fit their model.

    Examples
    --------
    >>> from pathlib import Path
    >>> parse_study({"data": "d.csv", "model_syntax": "y ~ x", "colour": 1}, Path("s/study.yaml"))
    Traceback (most recent call last):
    ...
    semxhs.errors.StudyError: study file study.yaml: unknown key 'colour'; 'data': file not found: ...
    >>> parse_study({"data": "d.csv", "model_syntax": "y ~ x", "encoding": ["utf-8"],
    ...              "process": [{"model": 4, "x": "x", "m": "m", "y": "y", "seed": "abc"}]}, Path("s.yaml"))
    Traceback (most recent call last):
    ...
    semxhs.errors.StudyError: study file s.yaml: 'encoding' must be text, got ['utf-8']; ... process[1]: 'seed' must be a whole number >= 0, got 'abc'...
    """
    problems: list[str] = []
    if raw is None:
        raise StudyError(f"study file {path.name} is empty: it needs at least 'data' and 'model'")
    if not isinstance(raw, dict):
        raise StudyError(f"study file {path.name}: expected a mapping of keys, got {type(raw).__name__}")
    unknown_keys(raw, TOP_KEYS, "", problems)
    for key in REQUIRED:
        if key not in raw and not (key == "data" and isinstance(raw, dict) and "summary" in raw):
            problems.append(f"missing key '{key}'")
    if "model" in raw and "model_syntax" in raw:
        problems.append("give either 'model' (a file) or 'model_syntax' (text), not both")
    if "model" not in raw and "model_syntax" not in raw:
        problems.append("missing key 'model' (a .lav file) or 'model_syntax'")
    base = path.parent.resolve()

    def _str(key: str, default: str | None = None) -> str | None:
        value = raw.get(key, default)
        if value is not None and not _is_text(value) and not isinstance(value, float):
            problems.append(f"'{key}' must be text, got {value!r}")
            return default
        return None if value is None else str(value)

    def _file(key: str, value: object) -> Path | None:
        if not isinstance(value, str) or not value.strip():
            problems.append(f"'{key}' must be a file name, got {value!r}")
            return None
        return base / value

    def _choice(key: str, default: str, allowed: tuple[str, ...], fold: Any) -> str:
        value = raw.get(key, default)
        if not isinstance(value, str) or fold(value) not in allowed:
            problems.append(f"'{key}' must be one of {name_list(allowed)}, got {value!r}")
            return default
        return str(fold(value))

    title = _str("title", path.stem) or path.stem
    _str("description")
    language = _choice("language", "en", LANGUAGES, str.lower)
    estimator = _choice("estimator", "ML", ESTIMATORS, str.upper)
    missing = _choice("missing", "listwise", MISSING, str.lower)
    encoding = _str("encoding")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            problems.append(f"'encoding' must be a text encoding such as utf-8 or gbk, got {encoding!r}")
            encoding = None
    std_lv = raw.get("std_lv", False)
    if not isinstance(std_lv, bool):
        problems.append(f"'std_lv' must be true or false, got {std_lv!r}")
        std_lv = False
    fixed_x = raw.get("fixed_x", True)
    if not isinstance(fixed_x, bool):
        problems.append("'fixed_x' must be true or false")
        fixed_x = True
    group = _str("group")
    group_equal = _text_list(raw.get("group_equal"), "group_equal", problems)
    group_partial = _text_list(raw.get("group_partial"), "group_partial", problems)
    if (group_equal or group_partial) and not group:
        problems.append("'group_equal' and 'group_partial' need 'group' (the group column)")
    alpha = raw.get("alpha", 0.05)
    if not _number(alpha) or not 0 < float(alpha) < 1:
        problems.append(f"'alpha' must be a number between 0 and 1, got {alpha!r}")
        alpha = 0.05

    if "data" in raw and "summary" in raw:
        problems.append("give either 'data' (responses) or 'summary' (a published table), not both")
    summary = _parse_summary(raw.get("summary"), base, problems)
    crosscheck = raw.get("crosscheck")
    if crosscheck is not None and crosscheck is not False and crosscheck not in CROSSCHECK_ENGINES:
        problems.append(f"'crosscheck' must be {name_list(CROSSCHECK_ENGINES)}, got {crosscheck!r}")
    data = base / "missing-data-file"
    if "data" in raw:
        data = _file("data", raw["data"]) or data
        if isinstance(raw["data"], str) and raw["data"].strip() and not data.is_file():
            problems.append(f"'data': file not found: {data}")
    if summary is not None:
        data = (summary.cov or summary.cor or base)

    model_text, model_file = "", "(inline model_syntax)"
    if "model" in raw and "model_syntax" not in raw:
        model_path = _file("model", raw["model"])
        if model_path is not None:
            model_file = str(model_path)
            if not model_path.is_file():
                problems.append(f"'model': file not found: {model_path}")
            else:
                try:
                    model_text = read_text(model_path, "model")
                except SemxhsError as exc:
                    problems.append(f"'model': {exc}")
    elif "model_syntax" in raw:
        if not isinstance(raw["model_syntax"], str) or not raw["model_syntax"].strip():
            problems.append("'model_syntax' must be lavaan model text")
        else:
            model_text = raw["model_syntax"]

    hypotheses: list[Hypothesis] = []
    raw_h = raw.get("hypotheses", []) or []
    if not isinstance(raw_h, list):
        problems.append("'hypotheses' must be a list")
        raw_h = []
    seen: set[str] = set()
    for n, h in enumerate(raw_h, start=1):
        where = f"hypotheses[{n}]"
        if not isinstance(h, dict):
            problems.append(f"{where} must be a mapping with keys id, text, path, sign")
            continue
        unknown_keys(h, HYPOTHESIS_KEYS, where, problems)
        for key in ("id", "path"):
            if key not in h:
                problems.append(f"{where}: missing key '{key}'")
        bad_types = [key for key in ("id", "text", "path", "finding") if key in h and h[key] is not None
                     and not _is_text(h[key]) and not isinstance(h[key], float)]
        for key in bad_types:
            problems.append(f"{where}: '{key}' must be text, got {h[key]!r}")
        if bad_types:
            continue
        hid = str(h.get("id", f"H{n}"))
        if hid in seen:
            problems.append(f"{where}: id '{hid}' is used twice")
        seen.add(hid)
        sign = h.get("sign", "") or ""
        if sign not in ("+", "-", ""):
            problems.append(f"{where}: 'sign' must be '+', '-' or empty, got {sign!r}")
            sign = ""
        hypotheses.append(Hypothesis(hid, str(h.get("text", "") or ""), str(h.get("path", "") or "").strip(), sign,
                                     finding=str(h.get("finding", "") or "").strip()))

    out = raw.get("output", {}) or {}
    if not isinstance(out, dict):
        problems.append("'output' must be a mapping with keys dir, html, json, docx, tex, md")
        out = {}
    unknown_keys(out, OUTPUT_KEYS, "output", problems)
    for key in OUTPUT_KEYS & set(out):
        value = out[key]
        if value is not None and value is not False and not (isinstance(value, str) and value.strip()):
            problems.append(f"output: '{key}' must be a {'folder' if key == 'dir' else 'file'} name, got {value!r}")
            out = {k: v for k, v in out.items() if k != key}
    output_dir = base / str(out.get("dir") or Path("..") / ".." / "reports" / base.name)

    reverse = raw.get("reverse", []) or []
    if isinstance(reverse, str):
        reverse = [r.strip() for r in reverse.split(",") if r.strip()]
    if not isinstance(reverse, list) or not all(isinstance(r, str) for r in reverse):
        problems.append(f"'reverse' must be a list of item names, got {reverse!r}")
        reverse = []
    scale = raw.get("scale")
    if scale is not None:
        if (not isinstance(scale, list) or len(scale) != 2
                or not all(_number(v) for v in scale) or scale[0] >= scale[1]):
            problems.append(f"'scale' must be [MIN, MAX] with MIN < MAX, got {scale!r}")
            scale = None
    if reverse and scale is None and "scale" not in raw:
        problems.append("'reverse' needs 'scale: [MIN, MAX]' (e.g. [1, 7]) to re-key items")
    from semxhs.survey.instrument import parse_missing_codes

    missing_codes = parse_missing_codes(raw.get("missing_codes"), tuple(scale) if scale else None, problems)
    seed = raw.get("seed", 1)
    if not _whole(seed):
        problems.append(f"'seed' must be a whole number >= 0, got {seed!r}")
        seed = 1
    measurement = raw.get("measurement", True)
    if not isinstance(measurement, bool):
        problems.append(f"'measurement' must be true or false, got {measurement!r}")
        measurement = True
    htmt_draws = raw.get("htmt_draws", 2000)
    if not _whole(htmt_draws):
        problems.append(f"'htmt_draws' must be a whole number >= 0, got {htmt_draws!r}")
        htmt_draws = 2000
    extras = {}
    for key in ("modindices", "effect_sizes"):
        extras[key] = raw.get(key, False)
        if not isinstance(extras[key], bool):
            problems.append(f"'{key}' must be true or false")
            extras[key] = False

    process = _parse_process(raw.get("process"), int(seed), problems)
    boot = _parse_bootstrap(raw.get("bootstrap"), problems)
    invariance_spec = _parse_invariance(raw.get("invariance"), group, problems)
    common_method_spec = _parse_common_method(raw.get("common_method"), problems)
    power_spec = _parse_power(raw.get("power"), base, int(seed), float(alpha), problems)
    if power_spec is not None and group:
        problems.append("'power' is not available with 'group' (multi-group models) yet")

    instrument = None
    if raw.get("instrument") is not None:
        instrument = _file("instrument", raw["instrument"])
        if instrument is not None and not instrument.is_file():
            problems.append(f"'instrument': file not found: {instrument}")
    screening = raw.get("screening")
    if screening is not None:
        if "instrument" not in raw:
            problems.append("'screening' needs 'instrument' (it names the items, checks and duration column)")
        from semxhs.survey.screening import ScreeningRules

        if not isinstance(screening, dict):
            problems.append(f"'screening' must be a mapping of rules, got {screening!r}")
            screening = None
        else:
            try:
                ScreeningRules.from_dict(screening)
            except StudyError as exc:
                problems.append(str(exc))
    platform = raw.get("platform", "auto")
    if platform not in ("auto", "wenjuanxing", "tencent", "credamo", "generic"):
        problems.append(f"'platform' must be auto, wenjuanxing, tencent, credamo or generic, got {platform!r}")
        platform = "auto"
    sheet = raw.get("sheet", 0)
    if not (isinstance(sheet, str) or _whole(sheet)):
        problems.append(f"'sheet' must be a sheet name or a number >= 0, got {sheet!r}")
        sheet = 0

    if model_text and not group:  # the model's own problems, and hypotheses it lacks (groups: after reading data)
        from semxhs.sem.partable import build_partable

        try:
            partable = build_partable(model_text, std_lv=bool(std_lv))
        except SemxhsError as exc:
            problems.append(f"model: {exc}")
        else:
            problem = hypothesis_problem(tuple(hypotheses), partable)
            if problem:
                problems.append(problem)

    if problems:
        raise StudyError(f"study file {path.name}: " + "; ".join(problems))
    return Study(
        path=path.resolve(),
        title=title,
        language=language,
        data=data,
        encoding=encoding,
        model_text=model_text,
        model_file=model_file,
        estimator=estimator,
        missing=missing,
        std_lv=bool(std_lv),
        alpha=float(alpha),
        hypotheses=tuple(hypotheses),
        output_dir=output_dir.resolve(),
        html=str(out.get("html", "report.html")) if out.get("html", "report.html") else None,
        json=str(out.get("json", "results.json")) if out.get("json", "results.json") else None,
        docx=str(out["docx"]) if out.get("docx") else None,
        tex=str(out["tex"]) if out.get("tex") else None,
        md=str(out["md"]) if out.get("md") else None,
        reverse=tuple(reverse),
        scale=(float(scale[0]), float(scale[1])) if scale else None,
        seed=int(seed),
        measurement=bool(measurement),
        htmt_draws=int(htmt_draws),
        process=process,
        instrument=instrument,
        screening=screening if isinstance(screening, dict) else None,
        platform=str(platform),
        sheet=sheet,
        bootstrap=boot,
        fixed_x=bool(fixed_x),
        group=group,
        group_equal=group_equal,
        group_partial=group_partial,
        summary=summary,
        crosscheck=str(crosscheck) if crosscheck else None,
        description=str(raw.get("description", "") or "").strip(),
        citation=str(raw.get("citation", "") or "").strip(),
        modindices=bool(extras["modindices"]),
        effect_sizes=bool(extras["effect_sizes"]),
        invariance=invariance_spec,
        common_method=common_method_spec,
        missing_codes=missing_codes,
        power=power_spec,
    )

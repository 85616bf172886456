"""Run a study end to end: read, check, fit, test the hypotheses. Prints nothing.

The functions here collect results; :mod:`semxhs.report.outputs` writes them and
:mod:`semxhs.report` renders them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from semxhs import __version__
from semxhs.errors import StudyError, name_list
from semxhs.messages import Message, message_texts
from semxhs.sem.interaction import latent_product_expansion
from semxhs.sem.model import fit
from semxhs.sem.partable import ParTable, build_partable
from semxhs.sem.results import SemResult
from semxhs.study.config import (
    BootstrapSpec,
    Hypothesis,
    ProcessSpec,
    Study,
    hypothesis_problem,
    normalize_path,
)
from semxhs.study.results import HypothesisResult, StudyResult
from semxhs.survey.constructs import blocks_from_model, construct_scores
from semxhs.survey.files import read_data
from semxhs.survey.provenance import DataProvenance, file_sha256, make_provenance
from semxhs.survey.validate import ScaleCheck, check_scale
from semxhs.survey.yamlfile import read_text

if TYPE_CHECKING:
    from semxhs.power.results import PowerResult
    from semxhs.process import ProcessResult
    from semxhs.resample.engine import ProgressCallback
    from semxhs.resample.sem import BootstrapResult
    from semxhs.survey.instrument import Instrument
    from semxhs.survey.matrices import SummaryStatistics
    from semxhs.survey.screening import ScreeningRun

def read_model(path: str | Path) -> str:
    """Read a model file (UTF-8, else GBK/GB18030)."""
    return read_text(path, "model")


def check_hypotheses(hypotheses: tuple[Hypothesis, ...], partable: ParTable) -> None:
    """Raise :class:`StudyError` naming every hypothesis whose path is not in the model."""
    problem = hypothesis_problem(hypotheses, partable)
    if problem:
        raise StudyError(problem)


def decide_hypotheses(sem: SemResult, hypotheses: tuple[Hypothesis, ...], alpha: float,
                      bootstrap: BootstrapResult | None = None) -> tuple[HypothesisResult, ...]:
    """Decide each hypothesis: supported when p < alpha and the sign is the expected one.

    With a bootstrap, a defined effect (``:=``, typically an indirect effect) is decided by
    its bootstrap interval instead: supported when the interval excludes zero on the
    expected side (the test reviewers ask for; the delta-method z assumes normality).
    """
    boot_ci = {d.label: (d.ci_lower, d.ci_upper) for d in bootstrap.defined} if bootstrap else {}
    out = []
    for h in hypotheses:
        lhs, op, rhs = normalize_path(h.path)
        try:
            p = sem.parameter(lhs, op, rhs)
        except KeyError:  # a latent product X:W is estimated as the factor XW
            p = sem.parameter(lhs, op, rhs.replace(":", ""))
        sign_ok = h.sign == "" or (h.sign == "+" and p.est > 0) or (h.sign == "-" and p.est < 0)
        if op == ":=" and lhs in boot_ci:
            lo, hi = boot_ci[lhs]
            significant = lo is not None and hi is not None and (lo > 0 or hi < 0)
            test = "bootstrap"
        else:
            lo, hi = p.ci_lower, p.ci_upper
            significant = p.pvalue is not None and p.pvalue < alpha
            test = "z"
        out.append(HypothesisResult(
            id=h.id, text=h.text, path=h.path, expected_sign=h.sign, est=p.est, std_all=p.std_all,
            se=p.se, z=p.z, pvalue=p.pvalue, ci_lower=lo, ci_upper=hi, alpha=alpha,
            supported=bool(significant and sign_ok), test=test, finding=h.finding,
        ))
    return tuple(out)


@dataclass(frozen=True)
class Responses:
    """Responses ready for analysis, with what reading and screening did to them."""

    frame: pd.DataFrame
    provenance: DataProvenance
    intake: ScreeningRun | None = None
    reverse: tuple[str, ...] = ()
    scale: tuple[float, float] | None = None
    derived_files: tuple[str, ...] = ()
    scale_check: ScaleCheck | None = None
    marker: tuple[str, ...] = ()  # the instrument's marker items (Lindell & Whitney)
    instrument: Instrument | None = None  # its names, wordings and demographics go into the report


#: Screening rules that keep everyone: ``semxhs fit --instrument`` maps and validates only.
NO_SCREENING = {"attention": False, "speed": False, "longstring": False, "irv": False, "mahalanobis": False}


def load_responses(data_path: str | Path, *, encoding: str | None = None, instrument: str | Path | None = None,
                   screening: dict | None = None, platform: str = "auto", sheet: str | int = 0,
                   out_dir: str | Path | None = None, options: dict | None = None,
                   missing_codes: tuple[float, ...] = ()) -> Responses:
    """Read a response file; with an instrument, map platform exports, validate and screen.

    With an instrument, its scale is enforced on its items after decoding, and the declared
    ``missing_codes`` (with the instrument's own) become missing first (``scale_check``);
    without one, :func:`analyse` enforces ``--scale`` on the model's items. Nothing is written
    here; with screening, the cleaned data, exclusion log and flow go to ``out_dir`` later
    (their names are in ``derived_files``).
    """
    if instrument is None:
        table = read_data(data_path, encoding, sheet=sheet)
        provenance = make_provenance(data_path, format=table.format, encoding=table.encoding,
                                     encoding_detected=table.encoding_detected, options=options)
        return Responses(table.frame, provenance.with_rows("read", len(table.frame)))
    from semxhs.survey.instrument import load_instrument
    from semxhs.survey.screening import screen_file, screening_paths

    inst = load_instrument(instrument)
    rules = screening if screening is not None else NO_SCREENING
    run = screen_file(data_path, inst, rules, encoding=encoding, platform=platform, sheet=sheet, write=False,
                      missing_codes=missing_codes)
    files: tuple[str, ...] = ()
    if screening is not None:
        paths = screening_paths(data_path, out_dir)
        files = (str(paths.cleaned), str(paths.exclusions), str(paths.flow))
    return Responses(
        frame=run.screening.cleaned,
        provenance=replace(run.provenance, options={**run.provenance.options, **(options or {})}),
        intake=run,
        reverse=tuple(inst.reverse_items()),
        scale=(float(inst.scale.min), float(inst.scale.max)),
        derived_files=files,
        scale_check=run.scale_check,
        marker=tuple(inst.marker),
        instrument=inst,
    )


def scale_items(model_text: str, reverse: tuple[str, ...] = (), roles: tuple[str, ...] | None = None,
                blocks: dict[str, list[str]] | None = None) -> tuple[str, ...]:
    """The columns a declared response scale covers (without an instrument).

    The rule: every observed indicator of the model's factors (the items on the right of
    ``=~``), and every reverse-worded item. Observed variables that are not indicators
    (age, income, a composite score in a path model) are not covered: they need not be on
    the scale. For PROCESS (``roles`` given), the items of the constructs its roles name.

    Examples
    --------
    >>> scale_items("F =~ a + b + c\\nG =~ d + e\\nG ~ F + age", reverse=("c", "x"))
    ('a', 'b', 'c', 'd', 'e', 'x')
    >>> scale_items("", roles=("PI", "age"), blocks={"PI": ["p1", "p2"], "TR": ["t1", "t2"]})
    ('p1', 'p2')
    """
    items: list[str] = []
    if roles is not None:
        for role in roles:
            items += (blocks or {}).get(role, [])
    elif model_text.strip():
        blocks = blocks_from_model(model_text)  # reads the =~ lines of any model (groups included)
        items = [i for block in blocks.values() for i in block if i not in blocks]
    return tuple(dict.fromkeys([*items, *reverse]))


def enforce_scale(frame: pd.DataFrame, items: tuple[str, ...], scale: tuple[float, float] | None,
                  missing_codes: tuple[float, ...] = ()) -> tuple[pd.DataFrame, ScaleCheck | None]:
    """:func:`~semxhs.survey.validate.check_scale` on ``items`` when a scale or missing codes are declared."""
    if scale is None and not missing_codes:
        return frame, None
    if missing_codes and not any(i in frame.columns for i in items):
        raise StudyError("missing codes apply to the items a scale covers (the indicators of the model's factors, "
                         "the reverse-worded items, for PROCESS the items of the constructs its roles name); "
                         "none of them is in this analysis")
    return check_scale(frame, items, scale, missing_codes)


def rekey(frame: pd.DataFrame, reverse: tuple[str, ...], scale: tuple[float, float] | None) -> pd.DataFrame:
    """Re-key reverse-worded items (MIN + MAX - x) before anything is computed.

    :func:`semxhs.survey.recode.reverse_key` (the one re-keying function), with the
    study-level check that a scale was given.
    """
    if not reverse:
        return frame
    if scale is None:
        raise StudyError("re-keying reverse-worded items needs the response scale: give --scale MIN,MAX")
    from semxhs.survey.recode import reverse_key

    return reverse_key(frame, list(reverse), scale[0], scale[1])


@dataclass(frozen=True)
class AnalysisOptions:
    """How to analyse: estimator, missing data, groups, re-keying, measurement evidence, bootstrap.

    One frozen object instead of a score of keyword arguments; :func:`analyse`,
    :func:`fit_files` and :func:`run_study` take it (a study's is :func:`study_options`).
    ``group`` names the group column of a multi-group model (lavaan's ``group =``), with
    ``group_equal``/``group_partial`` (lavaan's ``group.equal``/``group.partial``);
    ``wald_tests`` are constraints on labels tested by Wald (``"a1 == a2"``); ``crosscheck``
    (``"semopy"``) re-estimates with another engine and compares every estimate.

    Examples
    --------
    >>> AnalysisOptions(estimator="MLR").provenance()["estimator"]
    'MLR'
    """

    estimator: str = "ML"
    missing: str = "listwise"
    std_lv: bool = False
    reverse: tuple[str, ...] = ()
    scale: tuple[float, float] | None = None
    measurement: bool = True
    htmt_draws: int = 2000
    seed: int = 1
    alpha: float = 0.05
    bootstrap: BootstrapSpec | None = None
    fixed_x: bool = True
    group: str | None = None
    group_equal: tuple[str, ...] = ()
    group_partial: tuple[str, ...] = ()
    wald_tests: tuple[str, ...] = ()
    crosscheck: str | None = None
    modindices: bool = False
    effect_sizes: bool = False
    missing_codes: tuple[float, ...] = ()
    ulmc: bool = True  # common-method bias: the unmeasured latent method construct (--no-ulmc)
    ulmc_loadings: str = "equal"
    marker: tuple[str, ...] = ()  # marker columns (Lindell & Whitney), no model items
    marker_rule: str = "smallest"

    @property
    def fiml(self) -> bool:
        """True when missing data are handled by full-information ML."""
        return self.missing.lower() in ("fiml", "ml")

    def provenance(self) -> dict[str, Any]:
        """The options a results document records (``data_provenance.options``)."""
        out: dict[str, Any] = {
            "estimator": self.estimator, "missing": self.missing, "std_lv": self.std_lv,
            "reverse": list(self.reverse), "scale": list(self.scale) if self.scale else None,
            "missing_codes": list(self.missing_codes), "seed": self.seed, "htmt_draws": self.htmt_draws}
        return out


def _group_options(options: AnalysisOptions) -> dict[str, object]:
    """The multi-group and fixed.x options for the provenance record (nothing when they are the defaults)."""
    out: dict[str, object] = {} if options.fixed_x else {"fixed_x": False}
    if options.group is not None:
        out.update(group=options.group, group_equal=list(options.group_equal),
                   group_partial=list(options.group_partial))
    return out


def study_options(study: Study) -> AnalysisOptions:
    """The :class:`AnalysisOptions` a study file asks for."""
    return AnalysisOptions(estimator=study.estimator, missing=study.missing, std_lv=study.std_lv,
                           reverse=study.reverse, scale=study.scale, measurement=study.measurement,
                           htmt_draws=study.htmt_draws, seed=study.seed, alpha=study.alpha,
                           bootstrap=study.bootstrap, fixed_x=study.fixed_x, group=study.group,
                           group_equal=study.group_equal, group_partial=study.group_partial,
                           crosscheck=study.crosscheck, modindices=study.modindices,
                           effect_sizes=study.effect_sizes, missing_codes=study.missing_codes,
                           **_common_method_options(study))


def _common_method_options(study: Study) -> dict[str, Any]:
    """The ``common_method:`` block of a study as :class:`AnalysisOptions` fields."""
    spec = study.common_method
    if spec is None:
        return {}
    return {"ulmc": spec.ulmc, "ulmc_loadings": spec.ulmc_loadings, "marker": spec.marker,
            "marker_rule": spec.marker_rule}


def model_partable(model_text: str, options: AnalysisOptions, group_labels: tuple[str, ...] = ()) -> ParTable:
    """The parameter table of a run, built once and passed on (syntax errors surface here).

    A multi-group model needs its ``group_labels`` (from the data); a single-group one is
    built before any data is read.
    """
    return build_partable(model_text, std_lv=options.std_lv, meanstructure=options.fiml, fixed_x=options.fixed_x,
                          group_labels=group_labels, group_equal=tuple(options.group_equal),
                          group_partial=tuple(options.group_partial))


def check_marker(marker: tuple[str, ...], partable: ParTable, frame: pd.DataFrame) -> None:
    """Raise :class:`StudyError` when a marker is a model variable or not a column of the data."""
    in_model = [m for m in marker if m in set(partable.observed)]
    if in_model:
        raise StudyError(f"marker items must not be model variables (a marker is theoretically unrelated to the "
                         f"constructs): {name_list(in_model)}")
    absent = [m for m in marker if m not in frame.columns]
    if absent:
        raise StudyError(f"marker items are not columns of the data: {name_list(absent)}")


def analyse(model_text: str, frame: pd.DataFrame | Responses, options: AnalysisOptions = AnalysisOptions(), *,
            hypotheses: tuple[Hypothesis, ...] = (), title: str = "semxhs analysis", language: str = "en",
            data_file: str | Path | None = None, model_file: str = "", partable: ParTable | None = None,
            progress: ProgressCallback | None = None) -> StudyResult:
    """Re-key, fit, test hypotheses and assess the measurement model: the whole analysis.

    With a ``group`` column the model is a multi-group model (lavaan's ``group =``); the
    measurement-quality section is not available for it yet, and the bootstrap resamples within groups.

    Every check that can fail on the user's input (model syntax, hypotheses, re-keying, data
    columns) runs before the estimation; nothing is written here. ``frame`` may be a
    :class:`Responses` (from :func:`load_responses`), whose re-keying rules, provenance and
    screening results are carried into the result. ``partable`` is the model's parameter
    table when the caller has built it already (:func:`model_partable`); ``data_file``, when
    given, is hashed into the result (a data frame needs no file).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(5)
    >>> x = rng.normal(size=300); m = 0.5 * x + rng.normal(size=300); y = 0.4 * m + rng.normal(size=300)
    >>> res = analyse("m ~ a*x\\ny ~ b*m + x\\nind := a*b", pd.DataFrame({"x": x, "m": m, "y": y}),
    ...               hypotheses=(Hypothesis("H1", "x raises m", "m ~ x", "+"),))
    >>> res.hypotheses[0].supported, res.data_sha256
    (True, '')
    """
    responses: Responses | None = None
    if isinstance(frame, Responses):
        responses, table = frame, frame.frame
    else:
        table = frame
    reverse, scale = options.reverse, options.scale
    if responses is not None:
        reverse = reverse or responses.reverse
        scale = scale or responses.scale
    measurement = options.measurement
    labels: tuple[str, ...] = ()
    if options.group is None and (options.group_equal or options.group_partial):
        raise StudyError("--group-equal and --group-partial need --group (the group column)")
    if options.group is not None:
        from semxhs.sem.multigroup import checked_group_labels

        labels = checked_group_labels(table, options.group)
        paths = [h.id for h in hypotheses if normalize_path(h.path)[1] != ":="]
        if paths:
            raise StudyError(f"with groups, hypotheses must name := effects (a path differs by group): "
                             f"{name_list(paths)}; label the path per group (c(a1, a2)*X) and define a := effect")
        if options.bootstrap is not None and (options.bootstrap.monte_carlo or options.bootstrap.sobel):
            raise StudyError("Monte Carlo and Sobel lines are not available with groups: the multi-group "
                             "bootstrap gives bootstrap intervals of the := effects")
        measurement = False
    if partable is None:
        partable = model_partable(model_text, options, labels)
    check_hypotheses(hypotheses, partable)
    marker = options.marker or (responses.marker if responses is not None else ())
    if marker:
        check_marker(marker, partable, table)
    if responses is not None and responses.scale_check is not None:
        scale_check: ScaleCheck | None = responses.scale_check  # an instrument's, after decoding
    else:
        table, scale_check = enforce_scale(table, scale_items(model_text, reverse), scale, options.missing_codes)
    table = rekey(table, reverse, scale)
    fitted_text, table, notes = latent_product_expansion(model_text, table)
    if options.group is not None and options.effect_sizes:
        raise StudyError("effect sizes of multi-group models are not available yet: "
                         "drop --effect-sizes or --group")
    if fitted_text != model_text:  # latent products: the model fitted is the expanded one
        partable = model_partable(fitted_text, options, labels)
    sem = replace(fit(partable, table, estimator=options.estimator, missing=options.missing, fixed_x=options.fixed_x,
                      group=options.group, wald_tests=tuple(options.wald_tests)), model=model_text)
    if options.group is not None and sem.extra.get("path_equality") and not options.fiml:  # LRT beside Wald
        from semxhs.sem.path_equality import path_equality_lrt

        sem = replace(sem, extra={**sem.extra, "path_equality_lrt": path_equality_lrt(sem, table, options.group)})
    if options.modindices or options.effect_sizes:
        from semxhs.sem.extras import with_extras

        sem = with_extras(sem, modindices=options.modindices, effect_sizes=options.effect_sizes)
    check = None
    if options.crosscheck:
        from semxhs.study.crosscheck import crosscheck_semopy

        check = crosscheck_semopy(fitted_text, sem, data=table, missing=options.missing)
    boot = None
    if options.bootstrap is not None and options.group is not None:  # resampled within groups
        from semxhs.resample.groups import bootstrap_groups

        spec = options.bootstrap
        boot = bootstrap_groups(partable, table, options.group, draws=spec.draws, seed=options.seed, ci=spec.ci,
                                failed_rule=spec.failed_rule, progress=progress, n_jobs=spec.jobs)
    elif options.bootstrap is not None:
        from semxhs.resample.sem import bootstrap_sem

        spec = options.bootstrap
        boot = bootstrap_sem(partable, table, draws=spec.draws, seed=options.seed, ci=spec.ci,
                             failed_rule=spec.failed_rule, progress=progress, n_jobs=spec.jobs,
                             monte_carlo=spec.monte_carlo, sobel=spec.sobel,
                             missing="fiml" if options.fiml else "listwise")
    quality = None
    if measurement and sem.latent:
        from semxhs.measurement.from_fit import measurement_from_fit

        quality = measurement_from_fit(sem, table, htmt_boot=options.htmt_draws, seed=options.seed,
                                       ulmc_loadings=options.ulmc_loadings if options.ulmc else None,
                                       marker=marker, marker_rule=options.marker_rule, alpha=options.alpha,
                                       model=fitted_text)
    instrument = responses.instrument if responses else None
    profile = None
    if instrument is not None and instrument.demographics:  # of the respondents the SEM analysed
        from semxhs.survey.profile import sample_profile

        screened = responses is not None and responses.intake is not None and any(
            getattr(responses.intake.screening.rules, k) for k in NO_SCREENING)
        profile = sample_profile(sem_sample(table, sem), instrument.demographics,
                                 basis="fiml" if options.fiml else "listwise", screened=bool(screened))
    return StudyResult(
        title=title,
        language=language,
        sem=sem,
        hypotheses=decide_hypotheses(sem, hypotheses, options.alpha, boot),
        data_file=str(data_file) if data_file is not None else "",
        model_file=model_file,
        data_sha256=(responses.provenance.sha256 if responses is not None and responses.provenance.sha256
                     else file_sha256(data_file) if data_file is not None else ""),  # hashed once, when read
        version=__version__,
        reversed_items=tuple(reverse),
        scale=scale,
        measurement=quality,
        notes=message_texts(notes),
        note_codes=notes,
        provenance=(responses.provenance.with_rows("complete_cases", sem.n_obs) if responses else None),
        intake=responses.intake if responses else None,
        derived_files=responses.derived_files if responses else (),
        bootstrap=boot,
        scale_check=scale_check,
        crosscheck=check,
        instrument=instrument,
        sample_profile=profile,
    )


def run_process_specs(specs: tuple[ProcessSpec, ...], frame: pd.DataFrame,
                      blocks: dict[str, list[str]]) -> tuple[ProcessResult, ...]:
    """Run a study's PROCESS analyses; constructs become the means of their (re-keyed) items."""
    if not specs:
        return ()
    from semxhs.process import run_process

    results = []
    for spec in specs:
        scored = construct_scores(frame, spec.roles(), blocks)
        probe = list(spec.probe) if isinstance(spec.probe, tuple) else spec.probe
        results.append(run_process(
            scored, spec.model, x=spec.x, y=spec.y, m=spec.m, w=spec.w, z=spec.z, cov=spec.cov,
            boot=spec.boot, seed=spec.seed, hc=spec.hc, center=spec.center, probe=probe, conf=spec.conf,
        ))
    return tuple(results)


def sem_sample(frame: pd.DataFrame, sem: SemResult) -> pd.DataFrame:
    """The respondents the SEM analysed, so that a study's PROCESS analyses use the same ones.

    Under listwise deletion, the rows complete on the model's observed variables; under
    FIML, the rows with at least one of them (PROCESS, by OLS, then drops its own
    incomplete rows, and the study notes the two Ns).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"x": rng.normal(size=30), "y": rng.normal(size=30), "age": rng.normal(size=30)})
    >>> d.loc[[0, 1], "x"] = np.nan; d.loc[2, "age"] = np.nan
    >>> len(sem_sample(d, fit("y ~ x", d)))
    28
    """
    columns = [c for c in sem.observed if c in frame.columns]
    if not columns:
        return frame
    present = frame.loc[:, columns].notna()
    keep = present.any(axis=1) if sem.missing.lower() in ("fiml", "ml") else present.all(axis=1)
    return frame.loc[keep]


def process_sample_notes(specs: tuple[ProcessSpec, ...], results: tuple[ProcessResult, ...],
                         sample: pd.DataFrame, sem: SemResult,
                         blocks: dict[str, list[str]]) -> tuple[Message, ...]:
    """A note for each PROCESS analysis whose N differs from the SEM's, saying why.

    Codes: ``process_sample_fiml`` (the SEM used FIML; PROCESS uses complete rows of its own
    variables) and ``process_sample_roles`` (roles outside the SEM model have missing
    values: ``roles``); parameters ``model``, ``title``, ``n_process``, ``n_sem``.
    """
    notes = []
    fiml = sem.missing.lower() in ("fiml", "ml")
    for spec, res in zip(specs, results):
        if res.n == sem.n_obs:
            continue
        params = {"model": spec.model, "title": spec.title, "n_process": int(res.n), "n_sem": int(sem.n_obs)}
        name = f"PROCESS model {spec.model}" + (f" ({spec.title})" if spec.title else "")
        if fiml:
            notes.append(Message("process_sample_fiml", params,
                                 f"{name} analysed {res.n} respondents, the SEM {sem.n_obs}: the SEM used FIML "
                                 "(every respondent with an answer), PROCESS (OLS) only those complete on its variables"))
            continue
        roles = [r for r in spec.roles() if r not in blocks and r in sample.columns and sample[r].isna().any()]
        notes.append(Message("process_sample_roles", {**params, "roles": roles},
                             f"{name} analysed {res.n} respondents, the SEM {sem.n_obs}: "
                             f"{name_list(roles) or 'its variables'} outside the SEM model have missing values"))
    return tuple(notes)


def run_study(study: Study, data: pd.DataFrame | None = None,
              progress: ProgressCallback | None = None) -> StudyResult:
    """Run a study: read its data, then :func:`analyse` as its YAML says.

    The model's parameter table is built once (for a single-group model before the data are
    read, so syntax errors come first) and passed on: hypothesis check, estimation,
    bootstrap.

    Parameters
    ----------
    study : Study
        A validated study (see :func:`semxhs.study.config.load_study`).
    data : pandas.DataFrame, optional
        The responses, if already read; otherwise read from ``study.data``.
    progress : callable, optional
        ``progress(done, total)`` during the SEM bootstrap.

    Returns
    -------
    StudyResult
    """
    if study.summary is not None:
        from semxhs.survey.matrices import load_summary

        sm = study.summary
        summary = load_summary(nobs=sm.nobs, cov=sm.cov, cor=sm.cor, sd=sm.sd, means=sm.means,
                               encoding=study.encoding)
        refuse_raw_data_options(bootstrap=study.bootstrap is not None, missing=study.missing,
                                estimator=study.estimator, instrument=study.instrument is not None,
                                process=bool(study.process), reverse=bool(study.reverse))
        result = analyse_summary(
            study.model_text, summary, hypotheses=study.hypotheses, alpha=study.alpha, std_lv=study.std_lv,
            title=study.title, language=study.language, model_file=study.model_file,
            crosscheck=study.crosscheck)
        sem = result.sem
        if study.modindices or study.effect_sizes:  # both work from the moments alone
            from semxhs.sem.extras import with_extras

            sem = with_extras(result.sem, modindices=study.modindices, effect_sizes=study.effect_sizes)
        return with_power(study, replace(result, sem=sem, description=study.description, citation=study.citation))
    options = study_options(study)
    partable = model_partable(study.model_text, options) if study.group is None else None
    recorded = {**options.provenance(), "study": str(study.path), **_group_options(options)}
    if data is None:
        responses = load_responses(study.data, encoding=study.encoding, instrument=study.instrument,
                                   screening=study.screening, platform=study.platform, sheet=study.sheet,
                                   out_dir=study.output_dir, options=recorded, missing_codes=study.missing_codes)
    else:
        responses = Responses(data, make_provenance(study.data, options=recorded).with_rows("read", len(data)))
    if responses.scale_check is None:  # no instrument: the study's scale on the model's items
        frame, check = enforce_scale(responses.frame, scale_items(study.model_text, study.reverse),
                                     study.scale, study.missing_codes)
        responses = replace(responses, frame=frame, scale_check=check)
    blocks = blocks_from_model(study.model_text)
    for spec in study.process:  # unknown roles are reported before anything is estimated
        construct_scores(responses.frame.head(0), spec.roles(), blocks)
    result = analyse(study.model_text, responses, options, hypotheses=study.hypotheses, title=study.title,
                     language=study.language, data_file=study.data, model_file=study.model_file,
                     partable=partable, progress=progress)
    if study.invariance is not None:  # the measurement model's invariance ladder (semxhs invariance)
        from semxhs.sem.invariance import invariance, measurement_model

        inv_spec = study.invariance
        inv = invariance(measurement_model(study.model_text), rekey(responses.frame, result.reversed_items,
                                                                    result.scale),
                         inv_spec.group, criteria=inv_spec.criteria, estimator=study.estimator,
                         missing=study.missing, partial_search=inv_spec.partial_search)
        result = replace(result, invariance=inv)
    result = with_power(study, result)
    if not study.process:
        return replace(result, description=study.description, citation=study.citation)
    # one study, one analysis sample: PROCESS analyses the respondents the SEM analysed
    sample = sem_sample(rekey(responses.frame, result.reversed_items, result.scale), result.sem)
    process = run_process_specs(study.process, sample, blocks)
    notes = process_sample_notes(study.process, process, sample, result.sem, blocks)
    return replace(result, process=process, notes=result.notes + message_texts(notes),
                   note_codes=result.note_codes + notes, description=study.description, citation=study.citation)


def study_power(study: Study, result: StudyResult) -> tuple[PowerResult, str]:
    """Monte Carlo power of the study's model (``power:`` in the study) and where its population came from.

    The population is the study's ``power.population`` file or, without one, the study's own
    estimates (:func:`semxhs.power.design.population_from_fit`); the analysis model is the
    study's model, fitted by ML in each replication. The study's N is always among the
    simulated sample sizes, so the power at the study's N is simulated, never interpolated.
    """
    from semxhs.errors import SemxhsError
    from semxhs.power.design import PowerDesign, population_from_fit
    from semxhs.power.engine import run_power

    spec = study.power
    if spec is None:
        raise StudyError("the study has no 'power:' section")
    try:
        if spec.population is not None:
            population, source = spec.population_text, str(spec.population)
        else:
            population, source = population_from_fit(result.sem), "estimates"
        ns = tuple(sorted({*spec.ns, int(result.sem.n_obs)}))
        design = PowerDesign(population, study.model_text, ns, spec.reps, spec.seed, alpha=spec.alpha, ci=spec.ci,
                             bootstrap=spec.bootstrap)
        return run_power(design, workers=spec.workers), source
    except SemxhsError as exc:
        text = str(exc)
        raise StudyError(text if text.startswith("power") else f"power: {text}") from None


def with_power(study: Study, result: StudyResult) -> StudyResult:
    """``result`` with the study's power analysis when the study asks for one."""
    if study.power is None:
        return result
    power, source = study_power(study, result)
    return replace(result, power=power, power_population=source)


def process_frame(data_path: str | Path, roles: list[str], *, constructs: str | Path | None = None,
                  reverse: tuple[str, ...] = (), scale: tuple[float, float] | None = None,
                  missing_codes: tuple[float, ...] = (), instrument: str | Path | None = None,
                  encoding: str | None = None, platform: str = "auto",
                  sheet: str | int = 0) -> tuple[pd.DataFrame, ScaleCheck | None]:
    """The data of ``semxhs process``: read, scale enforced, re-keyed, constructs scored.

    With an ``instrument`` the export is mapped and validated as for ``fit --instrument``
    (its scale, its missing codes, its reverse-worded items re-keyed; its constructs may be
    named as roles unless ``constructs`` names a model). Without one, a declared ``scale`` is
    enforced on the items of the constructs the roles name and on the ``reverse`` items
    (:func:`scale_items`), after the ``missing_codes`` became missing.
    """
    blocks = blocks_from_model(read_model(constructs)) if constructs else {}
    if instrument is not None:
        from semxhs.survey.instrument import load_instrument

        responses = load_responses(data_path, encoding=encoding, instrument=instrument, platform=platform,
                                   sheet=sheet, missing_codes=missing_codes)
        blocks = blocks or load_instrument(instrument).blocks()
        reverse, scale = reverse or responses.reverse, scale or responses.scale
        frame, check = responses.frame, responses.scale_check
    else:
        frame = read_data(data_path, encoding, sheet=sheet).frame
        frame, check = enforce_scale(frame, scale_items("", reverse, roles=tuple(roles), blocks=blocks),
                                     scale, missing_codes)
    return construct_scores(rekey(frame, reverse, scale), roles, blocks), check


def fit_files(model_path: str | Path, data_path: str | Path, options: AnalysisOptions = AnalysisOptions(), *,
              encoding: str | None = None, instrument: str | Path | None = None, platform: str = "auto",
              sheet: str | int = 0, progress: ProgressCallback | None = None, title: str | None = None,
              language: str = "en") -> StudyResult:
    """Fit a model file to a data file (``semxhs fit``): a study with no hypotheses.

    With an ``instrument``, a survey-platform export is mapped to item ids and validated
    (no respondent is screened out) and the instrument's reverse-keyed items are re-keyed.
    """
    text = read_model(model_path)
    partable = model_partable(text, options) if options.group is None else None  # syntax errors first
    recorded = {**options.provenance(), "model": str(model_path), **_group_options(options)}
    responses = load_responses(data_path, encoding=encoding, instrument=instrument, platform=platform,
                               sheet=sheet, options=recorded, missing_codes=options.missing_codes)
    return analyse(text, responses, options, title=title or f"{Path(model_path).stem} — {Path(data_path).name}",
                   language=language, data_file=data_path, model_file=str(model_path), partable=partable,
                   progress=progress)


# ----------------------------------------------------------------- fits from summary statistics

def refuse_raw_data_options(*, bootstrap: bool = False, missing: str = "listwise", estimator: str = "ML",
                            instrument: bool = False, process: bool = False, reverse: bool = False) -> None:
    """One clear line for each analysis a covariance matrix cannot support (it has no rows)."""
    asked = [what for what, on in (
        ("a bootstrap (it resamples respondents)", bootstrap),
        ("FIML (it reads each respondent's answered items)", missing.lower() in ("fiml", "ml")),
        ("MLR (robust SEs need each respondent's scores)", estimator.upper() == "MLR"),
        ("an instrument with screening (it screens respondents)", instrument),
        ("PROCESS analyses (they score constructs per respondent)", process),
        ("re-keying reverse-worded items (it changes answers)", reverse),
    ) if on]
    if asked:
        raise StudyError("a fit from summary statistics has no respondent rows, so it cannot run "
                         + "; ".join(asked) + ": remove these options or give the raw data")


def analyse_summary(model_text: str, summary: SummaryStatistics, *, hypotheses: tuple[Hypothesis, ...] = (),
                    alpha: float = 0.05, std_lv: bool = False, title: str, language: str, model_file: str,
                    crosscheck: str | None = None) -> StudyResult:
    """Fit and test hypotheses from a covariance matrix (lavaan's ``sample.cov``/``sample.nobs``).

    What needs respondent rows -- bootstrap, FIML, MLR, screening, item-level reliability
    from raw data, PROCESS -- is not run; ``StudyResult.summary`` records the input and the
    report says what it rules out.
    """
    partable = build_partable(model_text, std_lv=std_lv, meanstructure=summary.mean is not None)
    check_hypotheses(hypotheses, partable)
    sem = replace(fit(partable, sample_cov=summary.cov, sample_nobs=summary.nobs, sample_mean=summary.mean),
                  model=model_text)
    check = None
    if crosscheck:
        from semxhs.study.crosscheck import crosscheck_semopy

        n = summary.nobs
        check = crosscheck_semopy(model_text, sem, cov=summary.cov * ((n - 1) / n), nobs=n)
    source = next(iter(summary.source.values()), "")
    return StudyResult(
        title=title, language=language, sem=sem, hypotheses=decide_hypotheses(sem, hypotheses, alpha, None),
        data_file=source, model_file=model_file, data_sha256=file_sha256(source) if source else "",
        version=__version__, summary=summary, crosscheck=check,
    )


def fit_summary_files(model_path: str | Path, *, nobs: int | None, cov: str | Path | None = None,
                      cor: str | Path | None = None, sd: str | Path | None = None,
                      means: str | Path | None = None, encoding: str | None = None, std_lv: bool = False,
                      title: str | None = None, language: str = "en",
                      crosscheck: str | None = None) -> StudyResult:
    """``semxhs fit MODEL --cov COV.csv --nobs N`` (or ``--cor --sd``; ``--means``)."""
    from semxhs.survey.matrices import load_summary

    text = read_model(model_path)
    build_partable(text, std_lv=std_lv)  # syntax errors before reading the tables
    summary = load_summary(nobs=nobs, cov=cov, cor=cor, sd=sd, means=means, encoding=encoding)
    table = Path(next(iter(summary.source.values())))
    return analyse_summary(text, summary, std_lv=std_lv, model_file=str(model_path), crosscheck=crosscheck,
                           title=title or f"{Path(model_path).stem} — {table.name}", language=language)

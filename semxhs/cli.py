"""The command-line interface: parse, call the pipeline and the writers, map errors to exit codes.

Holds no statistics. Every error the user can cause ends with one line on stderr
(``semxhs: error: ...``) and exit status 2; Ctrl-C ends with status 130 and no partial
output file.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from semxhs import __version__
from semxhs.errors import SemxhsError, SpecError

if TYPE_CHECKING:
    from semxhs.atomic import OutputStage

app = typer.Typer(
    name="semxhs",
    help="Structural equation modelling of survey data: lavaan syntax in, lavaan-checked numbers "
         "and a publication-style report (HTML, Word, JSON) out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


class SemxhsUsage(SemxhsError):
    """A command-line option has a value that cannot be used."""


class Language(str, Enum):
    en = "en"
    zh = "zh"


class Platform(str, Enum):
    auto = "auto"
    wenjuanxing = "wenjuanxing"
    tencent = "tencent"
    credamo = "credamo"
    generic = "generic"


class Estimator(str, Enum):
    ml = "ml"
    mlr = "mlr"


class CiType(str, Enum):
    percentile = "percentile"
    bc = "bc"


class FailedRule(str, Enum):
    nonconverged = "nonconverged"
    improper = "improper"


class Missing(str, Enum):
    listwise = "listwise"
    fiml = "fiml"


def one_line(text: str) -> str:
    """``text`` on one line: its non-blank lines joined by spaces.

    Examples
    --------
    >>> one_line("first\\n  second\\n\\n")
    'first second'
    """
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def _err(message: str) -> None:
    typer.echo(f"semxhs: error: {one_line(message)}", err=True)


def _internal(exc: BaseException) -> None:
    """Say, in one line on stderr, that a bug of ours stopped the command."""
    typer.echo(f"semxhs: internal error: {type(exc).__name__}: {one_line(str(exc))}; please report it "
               "(set SEMXHS_DEBUG=1 for the traceback)", err=True)


#: The output stages of the running command (see :func:`_stage`): what a Ctrl-C line reports.
_STAGES: list[OutputStage] = []


def _stage(*inputs: Path | str | None) -> OutputStage:
    """The one output stage of a command: no output over ``inputs``, all outputs or none."""
    from semxhs.atomic import OutputStage

    stage = OutputStage(inputs)
    _STAGES.append(stage)
    return stage


def _interrupted_line() -> str:
    """What Ctrl-C left behind, truthfully: nothing, or every output complete."""
    written = [p for stage in _STAGES for p in stage.committed]
    if written:
        return (f"semxhs: interrupted: {len(written)} output file(s) had been written completely "
                f"({', '.join(str(p) for p in written)}); nothing else was written")
    return "semxhs: interrupted: nothing was written"


def _sigint_outside_command(signum: int, frame: object) -> None:
    """Ctrl-C while starting up or parsing options: nothing to clean up, one line, exit 130."""
    try:
        sys.stdout.flush()
    except Exception:  # pragma: no cover - stdout closed or mid-write
        pass
    os.write(2, (_interrupted_line() + "\n").encode("utf-8", "replace"))
    os._exit(130)


def _set_sigint(handler: Any) -> Any:
    """Install a SIGINT handler where that is possible (the main thread); return the previous one.

    An ignored SIGINT (a background job of a shell, ``nohup``) stays ignored, as Python leaves it.
    """
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        return None
    try:
        return signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread (e.g. a test runner's thread)
        return None


#: Set by a Ctrl-C during a command: an exception it caused on its way (a C extension whose
#: import it broke says ``ImportError: initialization failed``) is reported as the interrupt.
_SIGINT_SEEN: list[bool] = [False]


def _interrupt(signum: int, frame: object) -> None:
    """Ctrl-C inside a command: remember it, then unwind (workers stopped, stage undone)."""
    _SIGINT_SEEN[0] = True
    raise KeyboardInterrupt


def guarded(func: F) -> F:
    """Turn user errors into one line and exit 2; Ctrl-C into one line and exit 130."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _STAGES.clear()
        _SIGINT_SEEN[0] = False
        previous = _set_sigint(_interrupt)  # Ctrl-C now unwinds: workers stopped, stage undone
        try:
            return func(*args, **kwargs)
        except SemxhsError as exc:
            _err(str(exc) or type(exc).__name__)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo(_interrupted_line(), err=True)
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug of ours: say so in one line, traceback on request
            if _SIGINT_SEEN[0]:  # not a bug: what the Ctrl-C broke on its way out
                typer.echo(_interrupted_line(), err=True)
                raise typer.Exit(130) from None
            if os.environ.get("SEMXHS_DEBUG"):
                raise
            _internal(exc)
            raise typer.Exit(1) from None
        finally:
            if previous is not None:
                _set_sigint(previous)

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"semxhs {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """semxhs command-line interface."""


@contextmanager
def _progress_bar(show: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr fed by ``tick(done, total)``; nothing when ``show`` is false."""
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("bootstrap"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("bootstrap", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield tick


def _sheet(text: str) -> str | int:
    return int(text) if text.isdigit() else text


def _items(text: str | None) -> tuple[str, ...]:
    return tuple(i.strip() for i in (text or "").split(",") if i.strip())


def _scale(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    try:
        low, high = (float(p) for p in parts)
    except ValueError:
        raise SemxhsUsage(f"--scale must be MIN,MAX such as 1,7; got '{text}'") from None
    if low >= high:
        raise SemxhsUsage(f"--scale must be MIN,MAX with MIN < MAX; got '{text}'")
    return low, high


def _codes(text: str | None) -> tuple[float, ...]:
    """``--missing-codes 9,99`` -> (9.0, 99.0)."""
    try:
        return tuple(float(c) for c in _items(text))
    except ValueError:
        raise SemxhsUsage(f"--missing-codes must be numbers such as 9,99; got '{text}'") from None


MISSING_CODES_HELP = ("Codes meaning 'no answer' in the items the scale covers, e.g. 9,99: set missing (and "
                      "counted) before the scale is checked.")


def _print_decoding(survey: Any) -> None:
    """Per item column: non-empty answer cells decoded, and missing by which marker."""
    from semxhs.report.decoding import decoding_text

    text = decoding_text(survey.decoding)
    if text:
        typer.echo(text)


def _summary(result: Any, written: list[Path], quiet: bool) -> None:
    if not quiet:
        from semxhs.report.console import print_summary  # (rich and the labels: not for --quiet)

        if getattr(result, "intake", None) is not None:
            _print_decoding(result.intake.survey)
        print_summary(result)
    for path in written:
        typer.echo(f"wrote {path}")


@app.command("fit")
@guarded
def fit_command(
    model: Path = typer.Argument(..., help="Model file in lavaan syntax (.lav)."),
    data: Path | None = typer.Argument(None, help="Responses: .csv (UTF-8 or GBK), .xlsx, .sav or .dta "
                                                     "(or --cov/--cor with --nobs instead)."),
    json_out: Path | None = typer.Option(None, "--json", help="Write the results document (JSON) here."),
    html_out: Path | None = typer.Option(None, "--html", help="Write the HTML report here."),
    docx_out: Path | None = typer.Option(None, "--docx", help="Write the Word report here."),
    tex_out: Path | None = typer.Option(None, "--tex", help="Write the LaTeX report (booktabs) here, figures "
                                                               "beside it."),
    md_out: Path | None = typer.Option(None, "--md", help="Write the Markdown report here, figures beside it."),
    cov: Path | None = typer.Option(None, "--cov", help="Fit from a published covariance matrix (CSV, full or "
                                                           "lower triangle, names in header and first column)."),
    cor: Path | None = typer.Option(None, "--cor", help="Fit from a published correlation matrix (with --sd)."),
    sd: Path | None = typer.Option(None, "--sd", help="Standard deviations for --cor (CSV: variable, sd)."),
    means: Path | None = typer.Option(None, "--means", help="Sample means (CSV: variable, mean): a mean structure."),
    nobs: int | None = typer.Option(None, "--nobs", help="Sample size N behind --cov/--cor."),
    crosscheck: str | None = typer.Option(None, "--crosscheck", help="Re-estimate with another engine and "
                                                                         "compare every estimate: semopy."),
    estimator: Estimator = typer.Option(Estimator.ml, "--estimator", case_sensitive=False,
                                        help="Estimator: ml (maximum likelihood) or mlr (ML with robust "
                                             "sandwich SEs and the Yuan-Bentler scaled chi-square)."),
    missing: Missing = typer.Option(Missing.listwise, "--missing", case_sensitive=False,
                                    help="Missing values: listwise (drop incomplete rows) or fiml "
                                         "(full-information ML, as lavaan's missing='ml')."),
    std_lv: bool = typer.Option(False, "--std-lv", help="Scale factors by fixing their variances to 1."),
    fixed_x: bool = typer.Option(True, "--fixed-x/--no-fixed-x",
                                 help="--no-fixed-x: estimate the (co)variances of exogenous observed covariates "
                                      "(lavaan's fixed.x = FALSE)."),
    group: str | None = typer.Option(None, "--group", help="Group column: a multi-group model (lavaan's group =)."),
    group_equal: str | None = typer.Option(
        None, "--group-equal", help="Equal across groups, e.g. loadings,intercepts (also residuals, means, "
                                    "regressions, lv.variances, lv.covariances, residual.covariances)."),
    group_partial: str | None = typer.Option(
        None, "--group-partial", help='Exempt from --group-equal, e.g. "x3~1,visual=~x2".'),
    wald: list[str] | None = typer.Option(
        None, "--wald", help='Wald test of constraints on labels, e.g. "a1 == a2; b1 == b2" (repeatable).'),
    encoding: str | None = typer.Option(None, "--encoding", help="Text encoding of a CSV file (default: detect)."),
    reverse: str | None = typer.Option(None, "--reverse", help="Reverse-worded items to re-key, ITEM[,ITEM...]."),
    scale: str | None = typer.Option(None, "--scale", help="Response scale MIN,MAX, e.g. 1,7: every indicator "
                                        "must be a whole number in it; also re-keys --reverse items."),
    missing_codes: str | None = typer.Option(None, "--missing-codes", help=MISSING_CODES_HELP),
    measurement: bool = typer.Option(True, "--measurement/--no-measurement",
                                     help="Reliability and validity evidence (alpha, CR, AVE, HTMT, KMO...)."),
    htmt_draws: int = typer.Option(2000, "--htmt-draws", min=0, help="Bootstrap draws for HTMT intervals."),
    seed: int = typer.Option(1, "--seed", min=0, help="Seed of all bootstrap draws."),
    instrument: Path | None = typer.Option(
        None, "--instrument", help="instrument.yaml: map a survey-platform export (Chinese headers, text "
                                   "answers) to item ids, validate it and re-key its reverse-worded items."),
    platform: Platform = typer.Option(Platform.auto, "--platform", help="Survey platform of the export."),
    sheet: str = typer.Option("0", "--sheet", help="Excel sheet (name or 0-based number)."),
    bootstrap: int = typer.Option(0, "--bootstrap", min=0,
                                  help="Bootstrap draws (e.g. 5000) for SEs, := effects and every indirect effect."),
    ci: CiType = typer.Option(CiType.percentile, "--ci", help="Bootstrap interval: percentile or bc (bias-corrected)."),
    failed_rule: FailedRule = typer.Option(FailedRule.nonconverged, "--failed-rule",
                                           help="Which bootstrap draws count as failed: nonconverged, or also "
                                                "improper (negative variances)."),
    monte_carlo: int = typer.Option(0, "--monte-carlo", min=0, help="Also Monte Carlo intervals with this many draws."),
    sobel: bool = typer.Option(False, "--sobel", help="Also the (legacy) Sobel test of := effects."),
    jobs: int = typer.Option(1, "--jobs", min=1, max=64, help="Processes for the bootstrap."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar for long runs."),
    modindices: bool = typer.Option(False, "--modindices",
                                    help="Modification indices (lavaan's modindices defaults) and score tests "
                                         "of the model's equality constraints."),
    effect_sizes: bool = typer.Option(False, "--effect-sizes",
                                      help="Cohen's f2 of each structural path (one refit per path) and VIF."),
    ulmc: bool = typer.Option(True, "--ulmc/--no-ulmc",
                              help="Common-method bias: also fit the model with an unmeasured latent method "
                                   "factor (ULMC; one extra fit; needs 2+ factors)."),
    title: str | None = typer.Option(None, "--title", help="Report title."),
    lang: Language = typer.Option(Language.en, "--lang", help="Report language."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the files written."),
) -> None:
    """Fit MODEL to DATA (or to a published covariance/correlation table) and report estimates, fit,
    standardized solution and measurement quality."""
    from semxhs.report.outputs import write_outputs
    from semxhs.study.config import BootstrapSpec
    from semxhs.study.pipeline import AnalysisOptions, fit_files

    stage = _stage(model, data, instrument, cov, cor, sd, means)
    stage.expect(("--json", json_out), ("--html", html_out), ("--docx", docx_out), ("--tex", tex_out),
                 ("--md", md_out))
    if crosscheck is not None and crosscheck != "semopy":
        raise SemxhsUsage(f"--crosscheck: the only engine is semopy, got '{crosscheck}'")
    if cov is not None or cor is not None or sd is not None or means is not None or nobs is not None:
        from semxhs.study.pipeline import fit_summary_files, refuse_raw_data_options

        if data is not None:
            raise SemxhsUsage("give DATA or summary statistics (--cov/--cor with --nobs), not both")
        refuse_raw_data_options(bootstrap=bootstrap > 0, missing=missing.value, estimator=estimator.value,
                                instrument=instrument is not None, reverse=bool(_items(reverse)))
        result = fit_summary_files(model, nobs=nobs, cov=cov, cor=cor, sd=sd, means=means, encoding=encoding,
                                   std_lv=std_lv, title=title, language=lang.value, crosscheck=crosscheck)
        if modindices or effect_sizes:  # both work from the moments alone
            from dataclasses import replace

            from semxhs.sem.extras import with_extras

            result = replace(result, sem=with_extras(result.sem, modindices=modindices, effect_sizes=effect_sizes))
        written = write_outputs(result, json_path=json_out, html_path=html_out, docx_path=docx_out,
                                tex_path=tex_out, md_path=md_out, stage=stage)
        _summary(result, [], quiet)
        if not quiet and (modindices or effect_sizes):
            from semxhs.report.terminal_extras import print_fit_extras

            print_fit_extras(result.sem, language=result.language)
        _summary(result, written, quiet=True)
        return
    if data is None:
        raise SemxhsUsage("give DATA (a response file), or a published table: --cov COV.csv --nobs N "
                          "(or --cor COR.csv --sd SD.csv --nobs N)")
    spec = BootstrapSpec(draws=bootstrap, ci=ci.value, failed_rule=failed_rule.value, monte_carlo=monte_carlo,
                         sobel=sobel, jobs=jobs) if bootstrap else None
    options = AnalysisOptions(estimator=estimator.value.upper(), missing=missing.value, std_lv=std_lv,
                              reverse=_items(reverse), scale=_scale(scale), measurement=measurement,
                              htmt_draws=htmt_draws, seed=seed, bootstrap=spec, fixed_x=fixed_x, group=group,
                              group_equal=_items(group_equal),
                              group_partial=(group_partial,) if group_partial else (),
                              wald_tests=tuple(wald or ()), crosscheck=crosscheck, modindices=modindices,
                              effect_sizes=effect_sizes, missing_codes=_codes(missing_codes), ulmc=ulmc)
    with _progress_bar(progress and not quiet and spec is not None) as tick:
        result = fit_files(model, data, options, encoding=encoding, instrument=instrument,
                           platform=platform.value, sheet=_sheet(sheet), progress=tick, title=title,
                           language=lang.value)
    written = write_outputs(result, json_path=json_out, html_path=html_out, docx_path=docx_out,
                            tex_path=tex_out, md_path=md_out, stage=stage)
    _summary(result, [], quiet)
    if not quiet and (modindices or effect_sizes):
        from semxhs.report.terminal_extras import print_fit_extras

        print_fit_extras(result.sem, language=result.language)
    _summary(result, written, quiet=True)


@app.command("compare")
@guarded
def compare_command(
    model_a: Path = typer.Argument(..., help="First model file (lavaan syntax)."),
    model_b: Path = typer.Argument(..., help="Second model file, nested in the first or the first in it."),
    data: Path = typer.Argument(..., help="Responses: .csv (UTF-8 or GBK), .xlsx, .sav or .dta."),
    estimator: Estimator = typer.Option(Estimator.ml, "--estimator", case_sensitive=False,
                                        help="ml: likelihood-ratio test; mlr: Satorra-Bentler (2001) scaled "
                                             "difference test."),
    missing: Missing = typer.Option(Missing.listwise, "--missing", case_sensitive=False,
                                    help="Missing values: listwise or fiml (both models alike)."),
    std_lv: bool = typer.Option(False, "--std-lv", help="Scale factors by fixing their variances to 1."),
    encoding: str | None = typer.Option(None, "--encoding", help="Text encoding of a CSV file (default: detect)."),
    json_out: Path | None = typer.Option(None, "--json", help="Write the comparison (JSON) here."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the files written."),
) -> None:
    """Compare two nested models fitted to DATA: chi-square difference test, AIC, BIC, delta CFI."""
    import json

    from semxhs.sem.compare import compare_models
    from semxhs.sem.model import fit
    from semxhs.study.pipeline import read_model
    from semxhs.survey.files import read_table

    stage = _stage(model_a, model_b, data)
    stage.expect(("--json", json_out))
    if model_a.resolve() == model_b.resolve():
        raise SemxhsUsage(f"MODEL_A and MODEL_B are the same file ({model_a}): give two nested models")
    texts = {}
    for path in (model_a, model_b):
        name = path.stem if model_a.stem != model_b.stem else str(path)
        texts[name] = read_model(path)
    frame = read_table(data, encoding)
    results = {name: fit(text, frame, estimator=estimator.value.upper(), missing=missing.value, std_lv=std_lv)
               for name, text in texts.items()}
    comparison = compare_models(results)
    if json_out is not None:
        _write(stage, [(json_out, json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2).encode("utf-8"))])
    if not quiet:
        from semxhs.report.terminal_extras import print_comparison

        print_comparison(comparison)
    if json_out is not None:
        typer.echo(f"wrote {json_out}")


class Criteria(str, Enum):
    chen2007 = "chen2007"
    cheung2002 = "cheung2002"
    lrt = "lrt"


@app.command("invariance")
@guarded
def invariance_command(
    model: Path = typer.Argument(..., help="Model file in lavaan syntax (.lav): the measurement model."),
    data: Path = typer.Argument(..., help="Responses: .csv (UTF-8 or GBK), .xlsx, .sav or .dta."),
    group: str = typer.Option(..., "--group", help="Group column."),
    criteria: Criteria = typer.Option(Criteria.chen2007, "--criteria",
                                      help="Decision rule: chen2007 (dCFI, dRMSEA, dSRMR), cheung2002 (dCFI) "
                                           "or lrt (chi-square difference test)."),
    estimator: Estimator = typer.Option(Estimator.ml, "--estimator", case_sensitive=False, help="ml or mlr."),
    missing: Missing = typer.Option(Missing.listwise, "--missing", case_sensitive=False, help="listwise or fiml."),
    group_partial: str | None = typer.Option(
        None, "--group-partial", help='Partial invariance: parameters left free across groups, e.g. "x3~1".'),
    json_out: Path | None = typer.Option(None, "--json", help="Write the ladder (JSON) here."),
    html_out: Path | None = typer.Option(None, "--html", help="Write the invariance report (HTML) here."),
    docx_out: Path | None = typer.Option(None, "--docx", help="Write the invariance report (Word) here."),
    lang: Language = typer.Option(Language.en, "--language", case_sensitive=False, help="Report language: en or zh."),
    title: str | None = typer.Option(None, "--title", help="Report title."),
    no_partial_search: bool = typer.Option(False, "--no-partial-search",
                                           help="Do not search partial invariance at the first failing level."),
    encoding: str | None = typer.Option(None, "--encoding", help="Text encoding of a CSV file (default: detect)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the files written."),
) -> None:
    """Measurement invariance across groups: configural, metric, scalar and strict, compared and decided;
    score tests of the scalar model, a partial-invariance search and latent means."""
    import json

    from semxhs.sem.invariance import invariance
    from semxhs.study.pipeline import read_model
    from semxhs.survey.files import read_table

    stage = _stage(model, data)
    stage.expect(("--json", json_out), ("--html", html_out), ("--docx", docx_out))
    result = invariance(read_model(model), read_table(data, encoding), group, criteria=criteria.value,
                        estimator=estimator.value.upper(), missing=missing.value,
                        group_partial=(group_partial,) if group_partial else (),
                        partial_search=not no_partial_search)
    if not quiet:
        for row in result.comparisons:
            diff = "" if row["vs"] is None else (f"  vs {row['vs']}: dchisq({row['df_diff']}) = "
                                                 f"{row['chisq_diff']:.3f}, dCFI = {row['delta_cfi']:+.3f}")
            typer.echo(f"{row['model']:<10} chisq({row['df']}) = {row['chisq']:.3f}, CFI = {row['cfi']:.3f}{diff}")
        typer.echo(f"highest level supported ({result.criteria}): {result.highest_level}")
        if result.partial is not None:
            for step in result.partial["steps"]:
                typer.echo(f"partial {result.partial['level']}, step {step['step']}: freed {step['freed']} "
                           f"(score X2 = {step['X2']:.3f}), dCFI = {step['comparison']['delta_cfi']:+.3f}, "
                           f"{'holds' if step['decision']['holds'] else 'fails'}")
    payloads: list[tuple[Path, bytes]] = []
    if json_out is not None:
        payloads.append((json_out, json.dumps(result.to_dict(), ensure_ascii=False, indent=2).encode("utf-8")))
    if html_out is not None or docx_out is not None:
        from semxhs.report.invariance_output import (
            invariance_docx_bytes,
            render_invariance_html,
        )

        heading = title or f"{model.stem} — {data.name}"
        if html_out is not None:
            payloads.append((html_out, render_invariance_html(result, title=heading, language=lang.value).encode("utf-8")))
        if docx_out is not None:
            payloads.append((docx_out, invariance_docx_bytes(result, title=heading, language=lang.value)))
    for path in _write(stage, payloads):
        typer.echo(f"wrote {path}")


@app.command("run")
@guarded
def run_command(
    study: Path = typer.Argument(..., help="Study file (study.yaml)."),
    out: Path | None = typer.Option(None, "--out", help="Output folder (default: the study's output.dir)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar for long runs."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the files written."),
) -> None:
    """Run a whole study as its YAML file describes it."""
    from semxhs.study.config import load_study
    from semxhs.study.pipeline import run_study

    spec, stage = _study_stage(load_study(study), out, "--out" if out is not None else "output.dir")
    with _progress_bar(progress and not quiet and spec.bootstrap is not None) as tick:
        result = run_study(spec, progress=tick)
    written = _write_study(stage, spec, result)
    _summary(result, written, quiet)


def _study_inputs(spec: Any) -> list[Path]:
    """Every file a study reads: the YAML itself, its data, model, instrument and any other file it names."""
    files: list[Path] = [spec.path]
    for field in dataclasses.fields(spec):
        value = getattr(spec, field.name)
        if isinstance(value, Path) and field.name != "output_dir":
            files.append(value)
    model_file = Path(str(spec.model_file))
    if model_file.is_file():
        files.append(model_file)
    return files


def _study_stage(spec: Any, out: Path | None, what: str) -> tuple[Any, OutputStage]:
    """A study with its output folder fixed, and the stage of its outputs, checked before anything is computed.

    The report files go into ``out`` (or the study's ``output.dir``), with the screening files
    when the study screens; none may be a file the study reads, or unusable.
    """
    from semxhs.atomic import check_output_folder

    folder = check_output_folder(out if out is not None else spec.output_dir, what)
    spec = dataclasses.replace(spec, output_dir=folder)  # the report names the files where they are written
    stage = _stage(*_study_inputs(spec))
    stage.expect(*[(f"output.{key}", folder / name if name else None)
                   for key, name in (("json", spec.json), ("html", spec.html), ("docx", spec.docx),
                                     ("tex", getattr(spec, "tex", None)), ("md", getattr(spec, "md", None)))])
    if spec.instrument is not None and spec.screening is not None:
        from semxhs.survey.screening import screening_paths

        derived = screening_paths(spec.data, folder)
        stage.expect(("the cleaned data", derived.cleaned), ("the exclusion log", derived.exclusions),
                     ("the flow table", derived.flow))
    return spec, stage


def _write_study(stage: OutputStage, spec: Any, result: Any) -> list[Path]:
    """Write a study's report, JSON and screening files into its output folder, all together."""
    from semxhs.report.outputs import study_payloads

    folder = spec.output_dir
    payloads = study_payloads(result, json_path=folder / spec.json if spec.json else None,
                              html_path=folder / spec.html if spec.html else None,
                              docx_path=folder / spec.docx if spec.docx else None,
                              tex_path=folder / spec.tex if getattr(spec, "tex", None) else None,
                              md_path=folder / spec.md if getattr(spec, "md", None) else None)
    if result.intake is not None and result.derived_files:
        from semxhs.survey.screening import screening_paths, screening_payloads

        payloads += screening_payloads(result.intake.screening, screening_paths(spec.data, folder))
    return _write(stage, payloads)


def _write(stage: OutputStage, payloads: list[tuple[Path, bytes]]) -> list[Path]:
    """Stage every payload, then write them all together (none if one cannot be written)."""
    with stage:
        for path, data in payloads:
            stage.add(path, data)
        return stage.commit()


@app.command("replicate")
@guarded
def replicate_command(
    studies: list[str] | None = typer.Argument(None, help="Library study ids (e.g. ewom_trust) or study.yaml "
                                                             "paths."),
    all_studies: bool = typer.Option(False, "--all", help="Run every study of the model library (surveys/)."),
    json_out: Path | None = typer.Option(None, "--json", help="Write the replication tables (JSON) here."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar for long runs."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the tables and the files written."),
) -> None:
    """Run library studies and compare each hypothesis with the finding of the study it cites."""
    import json

    from semxhs.report.console import print_replication
    from semxhs.study.config import load_study
    from semxhs.study.pipeline import run_study
    from semxhs.study.replicate import LIBRARY, replication_of, resolve_study

    if all_studies and studies:
        raise SemxhsUsage("give study names or --all, not both")
    names = list(LIBRARY) if all_studies else list(studies or [])
    if not names:
        raise SemxhsUsage("name the studies to replicate (e.g. ewom_trust) or give --all")
    resolved = [resolve_study(name) for name in names]
    # every study file, and every output path, checked first
    specs = [(sid, *_study_stage(load_study(path), None, "output.dir")) for sid, path in resolved]
    json_stage = _stage(*(f for _, spec, _ in specs for f in _study_inputs(spec)))
    json_stage.expect(("--json", json_out))
    tables = []
    for sid, spec, stage in specs:
        with _progress_bar(progress and not quiet and spec.bootstrap is not None) as tick:
            result = run_study(spec, progress=tick)
        written = _write_study(stage, spec, result)
        table = replication_of(result, sid)
        tables.append(table)
        print_replication(table, result.language)
        if not quiet:
            for out in written:
                typer.echo(f"wrote {out}")
    n_rows = sum(len(t.hypotheses) for t in tables)
    n_agree = sum(h.agrees for t in tables for h in t.hypotheses)
    typer.echo(f"{n_agree} of {n_rows} hypotheses agree with the cited findings in {len(tables)} "
               f"stud{'y' if len(tables) == 1 else 'ies'}")
    if json_out is not None:
        payload = {"studies": [t.to_dict() for t in tables]}
        text = json.dumps(payload, ensure_ascii=False, indent=2)
        for path in _write(json_stage, [(json_out, text.encode("utf-8"))]):
            typer.echo(f"wrote {path}")


@app.command("demo")
@guarded
def demo_command(
    out: Path = typer.Option(Path("reports") / "demo", "--out", help="Folder for the demo study and its report."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the files written."),
) -> None:
    """Generate the bundled demo study (interactivity -> trust -> purchase intention) and run it."""
    from semxhs.atomic import check_output_folder
    from semxhs.report.outputs import study_payloads
    from semxhs.study.config import load_study
    from semxhs.study.demo import demo_study_files
    from semxhs.study.pipeline import run_study

    folder = check_output_folder(out, "--out")
    stage = _stage()
    with stage:
        for name, data in demo_study_files():  # written now (the study reads them), undone on failure
            stage.place(folder / name, data)
        spec = load_study(folder / "study.yaml")
        stage.protect(*_study_inputs(spec))
        result = run_study(spec)
        written = _write(stage, study_payloads(
            result,
            json_path=spec.output_dir / (spec.json or "results.json"),
            html_path=spec.output_dir / (spec.html or "report.html"),
            docx_path=spec.output_dir / "report.docx",
        ))
    _summary(result, written, quiet)


class Center(str, Enum):
    none = "none"
    interaction = "interaction"
    all = "all"


def _probe_option(probe: str) -> str | list[float]:
    if probe in ("percentiles", "moments"):
        return probe
    try:
        return [float(v) for v in probe.split(",") if v.strip()]
    except ValueError:
        raise SemxhsUsage(f"--probe must be 'percentiles', 'moments' or numbers like 2,4,6; got '{probe}'") from None


@app.command("process")
@guarded
def process_command(
    data: Path = typer.Argument(..., help="Responses: .csv (UTF-8 or GBK), .xlsx, .sav or .dta."),
    model: int = typer.Option(..., "--model", help="PROCESS model number (1-8, 14, 15, 58, 59)."),
    x: str = typer.Option(..., "--x", help="Focal predictor X (a column)."),
    y: str = typer.Option(..., "--y", help="Outcome Y (a column)."),
    m: list[str] = typer.Option([], "--m", help="Mediator(s); repeat for parallel (model 4) or serial (model 6)."),
    w: str | None = typer.Option(None, "--w", help="Moderator W."),
    z: str | None = typer.Option(None, "--z", help="Second moderator Z (models 2, 3)."),
    cov: list[str] = typer.Option([], "--cov", help="Covariate in every equation; repeat for several."),
    boot: int = typer.Option(5000, "--boot", min=0, help="Bootstrap draws for indirect effects."),
    seed: int = typer.Option(1, "--seed", min=0, help="Seed of the bootstrap draws."),
    hc: int | None = typer.Option(None, "--hc", min=0, max=4, help="Heteroscedasticity-consistent SEs HC0-HC4."),
    center: Center = typer.Option(Center.none, "--center", help="Mean-center the variables that form products."),
    probe: str = typer.Option("percentiles", "--probe",
                              help="Moderator values: percentiles (16/50/84th), moments (mean -1SD/mean/+1SD) or numbers 2,4,6."),
    conf: float = typer.Option(0.95, "--conf", min=0.5, max=0.999, help="Confidence level."),
    constructs: Path | None = typer.Option(
        None, "--constructs", help="A lavaan model whose 'F =~ items' lines define constructs: a role naming "
                                   "a construct is scored as the mean of its items."),
    reverse: str | None = typer.Option(None, "--reverse", help="Reverse-worded items to re-key, ITEM[,ITEM...]."),
    scale: str | None = typer.Option(None, "--scale", help="Response scale MIN,MAX, e.g. 1,7: the items of the "
                                        "constructs the roles name must be whole numbers in it; re-keys --reverse."),
    missing_codes: str | None = typer.Option(None, "--missing-codes", help=MISSING_CODES_HELP),
    instrument: Path | None = typer.Option(
        None, "--instrument", help="instrument.yaml: map a platform export to item ids, validate it against the "
                                   "scale, re-key its reverse-worded items; roles may name its constructs."),
    platform: Platform = typer.Option(Platform.auto, "--platform", help="Survey platform of the export."),
    sheet: str = typer.Option("0", "--sheet", help="Excel sheet (name or 0-based number)."),
    encoding: str | None = typer.Option(None, "--encoding", help="Text encoding of a CSV file (default: detect)."),
    json_out: Path | None = typer.Option(None, "--json", help="Write the results document (JSON) here."),
    html_out: Path | None = typer.Option(None, "--html", help="Write the HTML report (and its SVG plots beside it, "
                                                                 "named <stem>_interaction_plot.svg …)."),
    docx_out: Path | None = typer.Option(None, "--docx", help="Write the Word report here."),
    tex_out: Path | None = typer.Option(None, "--tex", help="Write the LaTeX report (booktabs) here."),
    md_out: Path | None = typer.Option(None, "--md", help="Write the Markdown report here."),
    title: str | None = typer.Option(None, "--title", help="Report title."),
    lang: Language = typer.Option(Language.en, "--lang", help="Report language."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the files written."),
) -> None:
    """Conditional process analysis (Hayes' PROCESS models) by OLS with bootstrap intervals."""
    from semxhs.process import run_process
    from semxhs.report.outputs import write_process_outputs
    from semxhs.study.pipeline import process_frame

    roles = [x, y, *m, *(v for v in (w, z) if v), *cov]
    stage = _stage(data, constructs, instrument)
    stage.expect(("--json", json_out), ("--html", html_out), ("--docx", docx_out), ("--tex", tex_out), ("--md", md_out))
    frame, scale_check = process_frame(data, roles, constructs=constructs, reverse=_items(reverse),
                                       scale=_scale(scale), missing_codes=_codes(missing_codes),
                                       instrument=instrument, encoding=encoding, platform=platform.value,
                                       sheet=_sheet(sheet))
    with _progress_bar(not quiet and boot > 0) as tick:
        result = run_process(frame, model, x=x, y=y, m=m, w=w, z=z, cov=cov, boot=boot, seed=seed, hc=hc,
                             center=center.value, probe=_probe_option(probe), conf=conf, progress=tick)
    written = write_process_outputs(result, json_path=json_out, html_path=html_out,
                                    inputs=(data, *(p for p in (constructs, instrument) if p is not None)),
                                    title=title or f"PROCESS model {model} — {data.name}", language=lang.value,
                                    docx_path=docx_out, tex_path=tex_out, md_path=md_out, stage=stage)
    if not quiet:
        from semxhs.report.console import print_process_summary, print_scale_check

        print_process_summary(result, language=lang.value)
        print_scale_check(scale_check, language=lang.value)
    for path in written:
        typer.echo(f"wrote {path}")


@app.command("screen")
@guarded
def screen_command(
    data: Path = typer.Argument(..., help="Responses: a platform export (.xlsx/.csv) or .sav/.dta."),
    instrument: Path = typer.Option(..., "--instrument", help="instrument.yaml of the questionnaire."),
    out: Path | None = typer.Option(None, "--out", help="Folder for the cleaned data, exclusion log and flow "
                                                          "(default: next to DATA; never over it)."),
    rules: Path | None = typer.Option(None, "--rules", help="YAML file of screening rules (default: all "
                                                              "rules with their default thresholds)."),
    encoding: str | None = typer.Option(None, "--encoding", help="Text encoding of a CSV file (default: detect)."),
    platform: Platform = typer.Option(Platform.auto, "--platform", help="Survey platform of the export."),
    sheet: str = typer.Option("0", "--sheet", help="Excel sheet (name or 0-based number)."),
    json_out: Path | None = typer.Option(None, "--json", help="Write the screening record (JSON) here."),
    missing_codes: str | None = typer.Option(None, "--missing-codes", help=MISSING_CODES_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the files written."),
) -> None:
    """Screen respondents: attention checks, speeders, straight-liners, multivariate outliers."""
    import json

    from semxhs.atomic import check_output_folder
    from semxhs.errors import StudyError
    from semxhs.survey.instrument import load_instrument
    from semxhs.survey.screening import (
        ScreeningRules,
        screen_file,
        screening_paths,
        screening_payloads,
    )
    from semxhs.survey.yamlfile import read_yaml

    if out is not None:
        check_output_folder(out, "--out")
    files = screening_paths(data, out)
    stage = _stage(data, instrument, rules)
    stage.expect(("--json", json_out), ("the cleaned data", files.cleaned), ("the exclusion log", files.exclusions),
                 ("the flow table", files.flow))
    inst = load_instrument(instrument)
    raw_rules = read_yaml(rules, "rules") if rules is not None else None
    try:
        screening_rules = ScreeningRules.from_dict(raw_rules)
    except StudyError as exc:
        raise StudyError(f"rules file {rules.name if rules else ''}: {exc}") from None
    run = screen_file(data, inst, screening_rules, out=out, encoding=encoding, platform=platform.value,
                      sheet=_sheet(sheet), write=False, missing_codes=_codes(missing_codes))
    payloads = screening_payloads(run.screening, files)
    if json_out is not None:
        payloads.append((json_out, json.dumps(run.to_dict(), ensure_ascii=False, indent=2,
                                              default=str).encode("utf-8")))
    written = _write(stage, payloads)
    if not quiet:
        _print_decoding(run.survey)
        from semxhs.report.console import print_screening

        print_screening(run)
    for path in written:
        typer.echo(f"wrote {path}")


instrument_app = typer.Typer(help="Questionnaire instruments (instrument.yaml).", no_args_is_help=True)
app.add_typer(instrument_app, name="instrument")


@instrument_app.command("check")
@guarded
def instrument_check_command(
    instrument: Path = typer.Argument(..., help="instrument.yaml to validate."),
    data: Path | None = typer.Option(None, "--data", help="Also map and validate this response file."),
    encoding: str | None = typer.Option(None, "--encoding", help="Text encoding of a CSV file (default: detect)."),
    platform: Platform = typer.Option(Platform.auto, "--platform", help="Survey platform of the export."),
) -> None:
    """Validate an instrument (and optionally map a response file to it)."""
    from semxhs.survey.instrument import load_instrument, measurement_model
    from semxhs.survey.platforms import read_survey
    from semxhs.survey.validate import validate_responses

    inst = load_instrument(instrument)
    typer.echo(inst.to_frame().to_string(index=False))
    typer.echo("")
    typer.echo("measurement model:")
    typer.echo(measurement_model(inst))
    if data is not None:
        survey = read_survey(data, inst, encoding=encoding, platform=platform.value)
        typer.echo(survey.header_frame().to_string(index=False))
        _print_decoding(survey)
        survey.raise_if_problems()
        from semxhs.survey.recode import apply_missing_codes

        coded, _ = apply_missing_codes(survey.frame, (*inst.item_ids, *inst.check_ids), inst.missing_codes)
        validate_responses(coded, inst, id_column=survey.id_column,
                           missing_codes=inst.missing_codes).raise_if_problems()
        typer.echo(f"{data}: {len(survey.frame)} responses map to the instrument without problems")
    typer.echo(f"{instrument}: valid")


def _ns(text: str) -> tuple[int, ...]:
    try:
        ns = tuple(int(x) for x in text.replace(" ", "").split(",") if x)
    except ValueError:
        raise SpecError(f"--n: expected sample sizes like 100,200,400, received '{text}'") from None
    return ns


def _share(text: str) -> float:
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise SpecError(f"--missing: expected a share like 5% or 0.05, received '{text}'") from None
    return value


def _nonnormal(text: str | None) -> tuple[float, float]:
    if not text:
        return 0.0, 0.0
    try:
        skew, kurt = (float(x) for x in text.split(","))
    except ValueError:
        raise SpecError(f"--nonnormal: expected SKEW,KURTOSIS like 1,3, received '{text}'") from None
    return skew, kurt


@app.command("power")
@guarded
def power_command(
    population: Path = typer.Argument(..., help="Population model (lavaan syntax, every loading and path fixed)."),
    model: Path = typer.Option(..., "--model", help="Analysis model (lavaan syntax), as you will fit it."),
    n: str = typer.Option(..., "--n", help="Sample sizes, e.g. 100,200,400."),
    reps: int = typer.Option(1000, "--reps", help="Replications per sample size."),
    seed: int = typer.Option(1, "--seed", min=0, help="Seed of all replications."),
    alpha: float = typer.Option(0.05, "--alpha", help="Significance level."),
    missing: str = typer.Option("0", "--missing", help="Share of cells missing completely at random (5% or 0.05); FIML."),
    nonnormal: str | None = typer.Option(None, "--nonnormal", help="SKEW,KURTOSIS of every variable (Vale-Maurelli)."),
    ci: str = typer.Option("wald", "--ci", help="How := effects are tested: wald, montecarlo, percentile or bc."),
    bootstrap: int = typer.Option(0, "--bootstrap", min=0, help="Bootstrap draws per replication (--ci percentile/bc)."),
    workers: int | None = typer.Option(None, "--workers", help="Local Dask worker processes (default: all cores)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Address of a running Dask scheduler."),
    json_out: Path | None = typer.Option(None, "--json", help="Write the results document (JSON) here."),
    html_out: Path | None = typer.Option(None, "--html", help="Write the HTML report here."),
    title: str | None = typer.Option(None, "--title", help="Report title."),
    lang: Language = typer.Option(Language.en, "--lang", help="Report language."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the files written."),
) -> None:
    """Monte Carlo power of every path and := effect at several sample sizes (simsem / Mplus MONTECARLO)."""
    import json

    from semxhs.power.design import PowerDesign
    from semxhs.power.engine import run_power
    from semxhs.study.pipeline import read_model

    stage = _stage(population, model)
    stage.expect(("--json", json_out), ("--html", html_out))
    skew, kurt = _nonnormal(nonnormal)
    design = PowerDesign(read_model(population), read_model(model), _ns(n), reps, seed, alpha=alpha,
                         missing=_share(missing), skew=skew, kurtosis=kurt, ci=ci, bootstrap=bootstrap)
    k = workers if workers is not None else (os.cpu_count() or 1)
    with _progress_bar(progress and not quiet) as tick:
        result = run_power(design, workers=k, scheduler=scheduler, progress=tick)
    payloads: list[tuple[Path, bytes]] = []
    if json_out is not None:
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)
        payloads.append((json_out, text.encode("utf-8")))
    if html_out is not None:
        from semxhs.report.power import render_power_html

        html = render_power_html(result, title=title or f"Power: {model.name}", language=lang.value)
        payloads.append((html_out, html.encode("utf-8")))
    written = _write(stage, payloads)
    if not quiet:
        from semxhs.report.power import print_power_summary

        print_power_summary(result, lang.value)
    for path in written:
        typer.echo(f"wrote {path}")


#: Click's exception classes, found through typer's public ``BadParameter`` (typer may vendor Click).
_CLICK_EXCEPTION: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def _option_name(param: Any) -> str:
    """The name a user types for ``param``: its longest ``--option``, or its argument name in capitals."""
    opts = [str(o) for o in (getattr(param, "opts", None) or []) if str(o).startswith("-")]
    if opts:
        return max(opts, key=len)
    return str(getattr(param, "name", None) or "value").upper()


def _received(param: Any, args: Sequence[str]) -> str | None:
    """The text given on the command line for the option ``param`` (its last occurrence), if any."""
    opts = [str(o) for o in (getattr(param, "opts", None) or []) if str(o).startswith("-")]
    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        for opt in opts:
            if arg == opt and i + 1 < len(args):
                found = args[i + 1]
            elif opt.startswith("--") and arg.startswith(opt + "="):
                found = arg[len(opt) + 1:]
            elif not opt.startswith("--") and arg.startswith(opt) and len(arg) > len(opt):
                found = arg[len(opt):]
    return found


def _bounds(param: Any) -> tuple[Any, Any]:
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    kind = getattr(param, "type", None)  # plain Click: IntRange / FloatRange carry the bounds
    if low is None and high is None and kind is not None:
        low, high = getattr(kind, "min", None), getattr(kind, "max", None)
    return low, high


def _allowed(param: Any) -> str | None:
    """What ``param`` accepts, in words ("a whole number >= 0", "one of ml, mlr"), if it can be said."""
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    kind = getattr(param, "type", None)
    choices: list[str] = []
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        choices = [str(m.value) for m in annotation]
    elif kind is not None and getattr(kind, "choices", None):
        choices = [str(getattr(c, "value", c)) for c in kind.choices]
    if choices:
        return "one of " + ", ".join(choices)
    name = getattr(kind, "name", "") or ""
    if annotation is int or "integer" in name:
        noun = "a whole number"
    elif annotation is float or "float" in name:
        noun = "a number"
    else:
        return None
    low, high = _bounds(param)
    if low is not None and high is not None:
        return f"{noun} from {low} to {high}"
    if low is not None:
        return f"{noun} >= {low}"
    if high is not None:
        return f"{noun} <= {high}"
    return noun


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isupper() and text[1:2].islower() else text


def usage_message(exc: Exception, args: Sequence[str]) -> str:
    """One line for a command-line usage error of Click/typer: the option, what it allows, what it got.

    ``semxhs fit m.lav d.csv --jobs 0`` gives ``--jobs must be a whole number from 1 to 64;
    got '0'``; an unknown option or a missing argument names it and points to ``--help``.
    """
    ctx = getattr(exc, "ctx", None)
    command = getattr(ctx, "command_path", None) or "semxhs"
    param = getattr(exc, "param", None)
    text = one_line(exc.format_message() if hasattr(exc, "format_message") else str(exc)).rstrip(".")
    if param is not None and type(exc).__name__ != "MissingParameter":
        name = _option_name(param)
        cause = exc.__cause__
        errors = getattr(cause, "errors", None)
        received = None
        if callable(errors):  # pydantic (typer >= 0.20) keeps the text the user gave
            try:
                first = errors()[0]
                received = str(first["input"]) if "input" in first else None
            except (IndexError, KeyError, TypeError):
                received = None
        if received is None:
            received = _received(param, args)
        allowed = _allowed(param)
        got = f"; got '{received}'" if received is not None else ""
        if allowed is not None:
            return f"{name} must be {allowed}{got}"
        detail = one_line(str(getattr(exc, "message", None) or text)).rstrip(".")
        return f"{name}: {_lower_first(detail)}{got}"
    return f"{_lower_first(text)}; see '{command} --help'"


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``semxhs`` command; ``argv`` defaults to ``sys.argv[1:]``.

    Every way a command can end is decided here, in one place: success (0); an error of
    the user's input (:class:`~semxhs.errors.SemxhsError`) or of the command line (an
    unknown option, a value out of range, a missing argument), one line
    ``semxhs: error: ...`` and status 2; Ctrl-C, 130; a bug of ours, one line
    ``semxhs: internal error: ...`` and status 1 (``SEMXHS_DEBUG=1`` shows the traceback).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    owner = argv is None  # the process's own command line: this call owns the process
    if owner:
        _set_sigint(_sigint_outside_command)
    try:
        with warnings.catch_warnings():
            # numpy's floating-point RuntimeWarnings (overflow, invalid value) are not the user's
            # business and would break the one-line contract; results carry their own warnings
            warnings.simplefilter("ignore", RuntimeWarning)
            code = app(args=args, prog_name="semxhs", standalone_mode=False)
    except SemxhsError as exc:
        _err(str(exc) or type(exc).__name__)
        code = exc.exit_code
    except _CLICK_EXCEPTION as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `semxhs`: the help, as before
            exc.show()  # type: ignore[attr-defined]
            code = int(getattr(exc, "exit_code", 2))
        else:
            _err(usage_message(exc, args))
            code = 2
    except (typer.Abort, KeyboardInterrupt, EOFError):
        typer.echo(_interrupted_line(), err=True)
        code = 130
    except Exception as exc:  # outside a command (a callback, the parser): still one line
        if os.environ.get("SEMXHS_DEBUG"):
            raise
        _internal(exc)
        code = 1
    if code == 130 and owner:
        # Interrupted and already cleaned up and reported. Leave with status 130 now: if the
        # KeyboardInterrupt passed through C code that ran Python (PyRun_*), the interpreter
        # would otherwise still re-raise SIGINT on itself at exit (status -2, not 130).
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # pragma: no cover - a closed pipe
                pass
        os._exit(130)
    if owner:  # the work is done and reported: a Ctrl-C while Python shuts down changes nothing
        _set_sigint(signal.SIG_IGN)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()

"""The notebook API: ``import semxhs as sx`` and call what a lavaan or statsmodels user expects.

``sx.sem`` / ``sx.cfa`` fit a model to a data frame and return a :class:`~semxhs.report.notebook.SemFit`
(a :class:`~semxhs.sem.results.SemResult` with ``summary()`` and an HTML view);
``sx.bootstrap`` and ``sx.measurement_quality`` start from that result alone;
``sx.process`` runs a PROCESS model; ``sx.analyse`` and ``sx.run_study`` do a whole study
from a data frame or a study file. Nothing here writes a file or prints. ``semxhs``
loads this module on first use, so ``import semxhs`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from semxhs.errors import SpecError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from semxhs.measurement.results import MeasurementResult
    from semxhs.process.results import ProcessResult
    from semxhs.report.notebook import SemFit
    from semxhs.resample.engine import ProgressCallback
    from semxhs.resample.sem import BootstrapResult
    from semxhs.sem.results import SemResult
    from semxhs.sem.spec import ParTable
    from semxhs.study.results import StudyResult

__all__ = ["analyse", "bootstrap", "cfa", "measurement_quality", "process", "run_study", "sem"]


def sem(model: str, data: pd.DataFrame, *, estimator: str = "ML", missing: str = "listwise",
        std_lv: bool = False, level: float = 0.95) -> SemFit:
    """Fit a structural equation model, as ``lavaan::sem()``.

    Parameters
    ----------
    model : str
        The model in lavaan syntax (``=~``, ``~``, ``~~``, ``~ 1``, ``:=``, labels, fixed values).
    data : pandas.DataFrame
        One row per respondent, columns named as the model's observed variables.
    estimator : {"ML", "MLR"}
        Maximum likelihood, or ML with robust (Huber-White) standard errors and the
        Yuan-Bentler scaled chi-square (lavaan's ``estimator = "MLR"``).
    missing : {"listwise", "fiml"}
        Drop incomplete rows, or full-information ML (lavaan's ``missing = "ml"``).
    std_lv : bool
        Scale latent variables by fixing their variances to 1 (lavaan's ``std.lv``).
    level : float
        Confidence level of the Wald intervals.

    Returns
    -------
    SemFit
        The fitted model: ``parameter_estimates()``, ``fit_measures()``,
        ``standardized_solution()``, ``r_square()``, ``summary()``; shown as tables in Jupyter.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import semxhs as sx
    >>> rng = np.random.default_rng(7)
    >>> x = rng.normal(size=400); m = 0.5 * x + rng.normal(size=400); y = 0.4 * m + rng.normal(size=400)
    >>> res = sx.sem("m ~ a*x\\ny ~ b*m + x\\nind := a*b", pd.DataFrame({"x": x, "m": m, "y": y}))
    >>> res.parameter_estimates().query("op == ':='")[["lhs", "est"]].round(2).values.tolist()
    [['ind', 0.2]]
    >>> float(res.fit_measures()["df"])
    0.0
    >>> "Defined Parameters:" in res.summary()
    True
    """
    from semxhs.report.notebook import as_fit
    from semxhs.sem.model import fit

    return as_fit(fit(model, data, estimator=estimator, missing=missing, std_lv=std_lv, level=level))


def cfa(model: str, data: pd.DataFrame, *, estimator: str = "ML", missing: str = "listwise",
        std_lv: bool = False, level: float = 0.95) -> SemFit:
    """Fit a confirmatory factor analysis, as ``lavaan::cfa()``.

    lavaan's ``cfa()`` and ``sem()`` add the same automatic rows (first loadings fixed to
    1, residual variances, covariances among exogenous factors), so this is :func:`sem`
    under the name a CFA user looks for; the parameters are the same.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import semxhs as sx
    >>> rng = np.random.default_rng(2)
    >>> f = rng.normal(size=(300, 2))
    >>> items = {f"a{i}": f[:, 0] + rng.normal(size=300) for i in (1, 2, 3)}
    >>> items |= {f"b{i}": f[:, 1] + rng.normal(size=300) for i in (1, 2, 3)}
    >>> res = sx.cfa("A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3", pd.DataFrame(items), std_lv=True)
    >>> int(res.fit_measures()["df"]), res.converged
    (8, True)
    """
    return sem(model, data, estimator=estimator, missing=missing, std_lv=std_lv, level=level)


def _fitted(res: SemResult, what: str) -> tuple[ParTable, pd.DataFrame]:
    if res.partable is None or res.data is None:
        raise SpecError(f"{what} needs a single-group result of semxhs.sem() or semxhs.cfa() (it carries the "
                        "parameter table and the data it was fitted to)")
    return res.partable, res.data


def bootstrap(res: SemResult, draws: int = 5000, seed: int | np.random.Generator | None = 1, *,
              ci: str = "percentile", level: float = 0.95, failed_rule: str = "nonconverged",
              n_jobs: int = 1, monte_carlo: int = 0, sobel: bool = False,
              progress: ProgressCallback | None = None) -> BootstrapResult:
    """Bootstrap a fitted model: SEs of free parameters, intervals of ``:=`` and indirect effects.

    The model is refitted on ``draws`` resamples of the complete rows it was fitted to,
    all drawn up front from ``numpy.random.default_rng(seed)`` (same seed, same numbers on
    any machine and any ``n_jobs``); failed draws are counted, not dropped silently. See
    :func:`semxhs.resample.sem.bootstrap_sem`.

    Parameters
    ----------
    res : SemResult
        A result of :func:`sem` or :func:`cfa` (listwise; the bootstrap of FIML is not available).
    draws : int
        Number of bootstrap draws.
    seed : int, Generator or None
        Seed of every draw (``None``: fresh, and recorded in the result).
    ci : {"percentile", "bc"}
        Percentile (lavaan's ``"perc"``) or bias-corrected (``"bca.simple"``) intervals.
    level : float
        Confidence level.
    failed_rule : {"nonconverged", "improper"}
        Which draws count as failed.
    n_jobs : int
        Worker processes.
    monte_carlo : int
        Also Monte Carlo intervals from this many parameter draws.
    sobel : bool
        Also the legacy first-order delta (Sobel) test.
    progress : callable, optional
        ``progress(done, total)`` after every block of draws.

    Returns
    -------
    BootstrapResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import semxhs as sx
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=300); m = 0.5 * x + rng.normal(size=300); y = 0.4 * m + rng.normal(size=300)
    >>> res = sx.sem("m ~ a*x\\ny ~ b*m + x\\nab := a*b", pd.DataFrame({"x": x, "m": m, "y": y}))
    >>> boot = sx.bootstrap(res, draws=500, seed=1)
    >>> boot.failed, boot.defined[0].ci_lower > 0
    (0, True)
    """
    if res.missing == "fiml":
        raise SpecError("the bootstrap resamples complete rows: fit with missing='listwise' to bootstrap "
                        "(bootstrap with FIML is not available yet)")
    from semxhs.resample.sem import bootstrap_sem

    partable, data = _fitted(res, "bootstrap")
    return bootstrap_sem(partable, data, draws=draws, seed=seed, ci=ci, level=level, failed_rule=failed_rule,
                         progress=progress, n_jobs=n_jobs, monte_carlo=monte_carlo, sobel=sobel)


def measurement_quality(res: SemResult, *, htmt_draws: int = 2000, seed: int | None = 1,
                        one_factor: bool = True) -> MeasurementResult | None:
    """Reliability and validity evidence of a fitted model's measurement part.

    Cronbach's alpha (Feldt CI), composite reliability, omega, AVE, item statistics,
    Fornell-Larcker, HTMT and HTMT2 (with bootstrap intervals), KMO, Bartlett, Harman and a
    one-factor CFA, each beside its conventional threshold; see
    :func:`semxhs.measurement.from_fit.measurement_from_fit`.

    Parameters
    ----------
    res : SemResult
        A result of :func:`sem` or :func:`cfa`.
    htmt_draws : int
        Bootstrap draws of the HTMT intervals (0 for none).
    seed : int, optional
        Seed of those draws.
    one_factor : bool
        Also compare a one-factor CFA with the measurement model.

    Returns
    -------
    MeasurementResult or None
        None when no factor has two or more observed items.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import semxhs as sx
    >>> rng = np.random.default_rng(2)
    >>> f = rng.normal(size=(300, 2))
    >>> items = {f"a{i}": f[:, 0] + rng.normal(size=300) for i in (1, 2, 3)}
    >>> items |= {f"b{i}": f[:, 1] + rng.normal(size=300) for i in (1, 2, 3)}
    >>> res = sx.cfa("A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3", pd.DataFrame(items))
    >>> mq = sx.measurement_quality(res, htmt_draws=0)
    >>> [r.factor for r in mq.reliability]
    ['A', 'B']
    """
    from semxhs.measurement.from_fit import measurement_from_fit

    _, data = _fitted(res, "measurement_quality")
    return measurement_from_fit(res, data, htmt_boot=htmt_draws, seed=seed, one_factor=one_factor)


def process(data: pd.DataFrame, model: int, *, x: str, y: str, m: Sequence[str] | str = (), w: str | None = None,
            z: str | None = None, cov: Sequence[str] | str = (), boot: int = 5000, seed: int | None = 1,
            hc: int | None = None, center: str = "none",
            probe: str | Sequence[float] | Mapping[str, Sequence[float]] = "percentiles", conf: float = 0.95,
            progress: ProgressCallback | None = None) -> ProcessResult:
    """A PROCESS model (Hayes) by OLS with percentile bootstrap intervals of indirect effects.

    Models 1-8, 14, 15, 58 and 59; see :func:`semxhs.process.run_process` for every option.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import semxhs as sx
    >>> rng = np.random.default_rng(3)
    >>> d = pd.DataFrame({"X": rng.normal(size=300), "W": rng.normal(size=300)})
    >>> d["M"] = 0.5 * d.X + 0.3 * d.X * d.W + rng.normal(size=300)
    >>> d["Y"] = 0.4 * d.M + rng.normal(size=300)
    >>> res = sx.process(d, model=7, x="X", m="M", w="W", y="Y", boot=500, seed=1)
    >>> res.index_of_moderated_mediation.to_frame()["path"].tolist()
    ['X -> M -> Y']
    """
    from semxhs.process import run_process

    return run_process(data, model, x=x, y=y, m=m, w=w, z=z, cov=cov, boot=boot, seed=seed, hc=hc,
                       center=center, probe=probe, conf=conf, progress=progress)


def analyse(data: pd.DataFrame, model: str, *, hypotheses: Sequence[object] = (), estimator: str = "ML",
            missing: str = "listwise", std_lv: bool = False, reverse: Sequence[str] = (),
            scale: tuple[float, float] | None = None, measurement: bool = True, htmt_draws: int = 2000,
            seed: int = 1, alpha: float = 0.05, bootstrap: int = 0, ci: str = "percentile",
            title: str = "semxhs analysis", language: str = "en",
            progress: ProgressCallback | None = None) -> StudyResult:
    """The whole analysis of ``semxhs fit``/``run`` from a data frame: no file needed.

    Re-keys ``reverse`` items on ``scale``, fits the model, decides the hypotheses, adds
    the measurement-quality evidence and (with ``bootstrap`` draws) the SEM bootstrap.
    The result renders as the report does (:func:`semxhs.report.render_html`).

    Parameters
    ----------
    data : pandas.DataFrame
        The responses.
    model : str
        The model in lavaan syntax.
    hypotheses : sequence
        :class:`semxhs.study.config.Hypothesis` records, or mappings ``{"id", "text",
        "path", "sign"}`` as in a study file.
    estimator, missing, std_lv
        As :func:`sem`.
    reverse, scale
        Reverse-worded items and the response scale ``(min, max)`` to re-key them on.
    measurement, htmt_draws, seed
        Measurement-quality evidence, its HTMT bootstrap draws, the seed of every draw.
    alpha : float
        Significance level of the hypothesis tests.
    bootstrap, ci
        SEM bootstrap draws (0 for none) and interval type.
    title, language
        Report title and language (``"en"`` or ``"zh"``).
    progress : callable, optional
        ``progress(done, total)`` during the bootstrap.

    Returns
    -------
    StudyResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import semxhs as sx
    >>> rng = np.random.default_rng(5)
    >>> x = rng.normal(size=300); m = 0.5 * x + rng.normal(size=300); y = 0.4 * m + rng.normal(size=300)
    >>> res = sx.analyse(pd.DataFrame({"x": x, "m": m, "y": y}), "m ~ a*x\\ny ~ b*m + x\\nind := a*b",
    ...                  hypotheses=[{"id": "H1", "text": "x raises m", "path": "x -> m", "sign": "+"}])
    >>> res.hypotheses[0].supported
    True
    """
    from semxhs.study.config import BootstrapSpec, Hypothesis
    from semxhs.study.pipeline import AnalysisOptions
    from semxhs.study.pipeline import analyse as run

    hyps = tuple(h if isinstance(h, Hypothesis) else Hypothesis(**h) for h in hypotheses)  # type: ignore[arg-type]
    options = AnalysisOptions(estimator=estimator.upper(), missing=missing, std_lv=std_lv, reverse=tuple(reverse),
                              scale=scale, measurement=measurement, htmt_draws=htmt_draws, seed=seed, alpha=alpha,
                              bootstrap=BootstrapSpec(draws=bootstrap, ci=ci) if bootstrap else None)
    return run(model, data, options, hypotheses=hyps, title=title, language=language, progress=progress)


def run_study(path: str | Path, *, progress: ProgressCallback | None = None) -> StudyResult:
    """Run a study file (``study.yaml``) as ``semxhs run`` does, without writing anything.

    Write the report with :func:`semxhs.report.outputs.write_outputs` if wanted.

    Examples
    --------
    >>> import tempfile, numpy as np, pandas as pd
    >>> from pathlib import Path
    >>> import semxhs as sx
    >>> folder = Path(tempfile.mkdtemp())
    >>> rng = np.random.default_rng(5)
    >>> x = rng.normal(size=200); m = 0.5 * x + rng.normal(size=200); y = 0.4 * m + rng.normal(size=200)
    >>> pd.DataFrame({"x": x, "m": m, "y": y}).to_csv(folder / "responses.csv", index=False)
    >>> _ = (folder / "study.yaml").write_text(
    ...     "data: responses.csv\\nmodel_syntax: |\\n  m ~ x\\n  y ~ m + x\\n"
    ...     "hypotheses:\\n  - {id: H1, text: x raises m, path: x -> m, sign: '+'}\\n", encoding="utf-8")
    >>> res = sx.run_study(folder / "study.yaml")
    >>> res.sem.converged, res.hypotheses[0].supported
    (True, True)
    """
    from semxhs.study.config import load_study
    from semxhs.study.pipeline import run_study as run

    return run(load_study(path), progress=progress)

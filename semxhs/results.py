"""Frozen result objects with tidy tables (a leaf: imports nothing of ours but errors).

Column names follow lavaan's ``parameterEstimates`` and ``fitMeasures`` with ``_`` for
``.``, so a reviewer can compare semxhs and lavaan line by line. Nothing here rounds or
formats; :mod:`semxhs.report` does that.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # only for type checkers: results stays a leaf at run time
    from semxhs.measurement.results import MeasurementResult
    from semxhs.mediation import BootstrapResult
    from semxhs.process.results import ProcessResult
    from semxhs.provenance import DataProvenance
    from semxhs.screening import ScreeningRun

PARAMETER_COLUMNS = ("lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all")
FIT_COLUMNS = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
               "srmr", "aic", "bic", "logl", "npar")
ROBUST_FIT_COLUMNS = ("chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor",
                      "baseline_chisq_scaled", "baseline_chisq_scaling_factor", "cfi_scaled", "tli_scaled",
                      "rmsea_scaled", "cfi_robust", "tli_robust", "rmsea_robust")


def json_safe(value: Any) -> Any:
    """Turn NaN and infinities into ``None`` (JSON has no NaN), recursively.

    Examples
    --------
    >>> json_safe({"a": float("nan"), "b": [1.0, float("inf")]})
    {'a': None, 'b': [1.0, None]}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return json_safe(value.item())
    return value


@dataclass(frozen=True)
class Message:
    """A note or warning of the analysis layer as data: a stable code, its parameters, its English text.

    The analysis layer says what happened once, as data; the report words it in the
    report's language from a template keyed by ``code`` (:mod:`semxhs.report.messages`),
    with the numbers in ``params`` formatted there. ``text`` is the English sentence the
    result objects have always carried (and still carry, in their ``warnings``, ``notes``
    or ``reasons``); a report that does not know ``code`` shows ``text`` as it is.

    ``params`` holds plain JSON values only (str, int, float, None, and lists or dicts of
    them); numbers are at full precision. The codes of each producer are listed in its
    module (e.g. :data:`semxhs.fit.WARNING_CODES`).

    Examples
    --------
    >>> m = Message("fiml_empty_rows", {"n": 4}, "4 rows with all model variables missing were dropped")
    >>> m.to_dict()
    {'code': 'fiml_empty_rows', 'params': {'n': 4}, 'text': '4 rows with all model variables missing were dropped'}
    >>> message_texts([m])
    ('4 rows with all model variables missing were dropped',)
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        """``{"code", "params", "text"}`` (NaN as None)."""
        return json_safe({"code": self.code, "params": dict(self.params), "text": self.text})


def message_texts(messages: Iterable[Message]) -> tuple[str, ...]:
    """The English sentences of ``messages``, in order (for the fields that hold plain text)."""
    return tuple(m.text for m in messages)


def messages_to_json(messages: Iterable[Message]) -> list[dict[str, Any]]:
    """``messages`` as JSON records ``{"code", "params", "text"}``."""
    return [m.to_dict() for m in messages]


@dataclass(frozen=True)
class Parameter:
    """One row of the parameter estimates (lavaan's ``parameterEstimates`` + ``std.all``)."""

    lhs: str
    op: str
    rhs: str
    label: str
    est: float
    se: float
    z: float | None
    pvalue: float | None
    ci_lower: float
    ci_upper: float
    std_all: float | None
    free: bool = True


@dataclass(frozen=True)
class FitMeasures:
    """Global fit, with lavaan's definitions (see :mod:`semxhs.fitmeasures`)."""

    chisq: float
    df: int
    pvalue: float | None
    cfi: float
    tli: float
    rmsea: float
    rmsea_ci_lower: float
    rmsea_ci_upper: float
    srmr: float
    aic: float
    bic: float
    logl: float
    npar: int
    baseline_chisq: float
    baseline_df: int
    unrestricted_logl: float
    # robust (MLR) and missing-data measures, lavaan's names; None when not computed
    chisq_scaled: float | None = None
    df_scaled: int | None = None
    pvalue_scaled: float | None = None
    chisq_scaling_factor: float | None = None
    baseline_chisq_scaled: float | None = None
    baseline_chisq_scaling_factor: float | None = None
    cfi_scaled: float | None = None
    tli_scaled: float | None = None
    rmsea_scaled: float | None = None
    cfi_robust: float | None = None
    tli_robust: float | None = None
    rmsea_robust: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """All measures as a plain dict (NaN as None); robust measures only when computed."""
        out = asdict(self)
        for name in ROBUST_FIT_COLUMNS:
            if out[name] is None:
                del out[name]
        return json_safe(out)


@dataclass(frozen=True)
class SemResult:
    """A fitted structural equation model.

    ``converged`` is False when the optimizer did not reach a stationary point;
    ``improper`` is True for a Heywood case (negative variance, non-positive-definite
    latent covariance matrix) or a not-identified model. ``warnings`` says which, in words;
    ``warning_codes`` says the same as :class:`Message` records (one per warning, same
    order), which the report words in its language.
    ``latent_cov`` is the model-implied covariance matrix of the latent variables
    (lavaan's ``lavInspect(fit, "cov.lv")``).
    """

    model: str
    n_obs: int
    n_dropped: int
    estimator: str
    missing: str
    converged: bool
    improper: bool
    iterations: int
    warnings: tuple[str, ...]
    fit: FitMeasures
    parameters: tuple[Parameter, ...]
    r2: dict[str, float]
    observed: tuple[str, ...]
    latent: tuple[str, ...]
    latent_cov: dict[str, dict[str, float]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    warning_codes: tuple[Message, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Parameter estimates as a DataFrame with lavaan's column names.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from semxhs.fit import fit
        >>> rng = np.random.default_rng(1)
        >>> x = rng.normal(size=200); y = 0.5 * x + rng.normal(size=200)
        >>> res = fit("y ~ b*x", pd.DataFrame({"x": x, "y": y}))
        >>> list(res.to_frame().columns)[:6]
        ['lhs', 'op', 'rhs', 'label', 'est', 'se']
        """
        return pd.DataFrame([{k: getattr(p, k) for k in PARAMETER_COLUMNS} for p in self.parameters],
                            columns=list(PARAMETER_COLUMNS))

    def fit_frame(self) -> pd.DataFrame:
        """Fit measures as a one-row DataFrame."""
        return pd.DataFrame([self.fit.to_dict()])

    def parameter(self, lhs: str, op: str, rhs: str = "") -> Parameter:
        """Look up one parameter row (``~~`` rows match in either order; ``:=`` by name)."""
        for p in self.parameters:
            if (p.lhs, p.op, p.rhs) == (lhs, op, rhs) or (op == "~~" and (p.rhs, p.op, p.lhs) == (lhs, op, rhs)):
                return p
            if op == ":=" and p.op == ":=" and p.lhs == lhs:
                return p
        raise KeyError(f"{lhs} {op} {rhs}")

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``semxhs fit --json``."""
        out: dict[str, Any] = {
            "n_obs": self.n_obs,
            "n_dropped": self.n_dropped,
            "estimator": self.estimator,
            "missing": self.missing,
            "converged": self.converged,
            "improper": self.improper,
            "iterations": self.iterations,
            "warnings": list(self.warnings),
            "warning_codes": messages_to_json(self.warning_codes),
            "fit": self.fit.to_dict(),
            "parameters": [{f.name: getattr(p, f.name) for f in fields(p)} for p in self.parameters],
            "r2": dict(self.r2),
            "latent_cov": self.latent_cov,
            "model": self.model,
        }
        out.update(self.extra)
        return json_safe(out)


@dataclass(frozen=True)
class HypothesisResult:
    """The test of one hypothesis of a study: a path (``"TR ~ PI"``) or a defined effect."""

    id: str
    text: str
    path: str
    expected_sign: str  # "+", "-" or "" (no direction)
    est: float
    std_all: float | None
    se: float
    z: float | None
    pvalue: float | None
    ci_lower: float
    ci_upper: float
    alpha: float
    supported: bool
    test: str = "z"  # "z": Wald test (delta method for := effects); "bootstrap": the bootstrap CI

    def to_dict(self) -> dict[str, Any]:
        return json_safe(asdict(self))


@dataclass(frozen=True)
class StudyResult:
    """Everything one run of a study produced, ready to be rendered or written as JSON.

    ``notes`` are English sentences about the run (e.g. how a latent product was
    estimated); ``note_codes`` the same notes as :class:`Message` records (same order),
    which the report words in its language.
    """

    title: str
    language: str
    sem: SemResult
    hypotheses: tuple[HypothesisResult, ...]
    data_file: str
    model_file: str
    data_sha256: str
    version: str
    notes: tuple[str, ...] = ()
    reversed_items: tuple[str, ...] = ()
    scale: tuple[float, float] | None = None
    measurement: "MeasurementResult | None" = None
    process: "tuple[ProcessResult, ...]" = ()
    provenance: "DataProvenance | None" = None
    intake: "ScreeningRun | None" = None
    derived_files: tuple[str, ...] = ()
    bootstrap: "BootstrapResult | None" = None
    note_codes: tuple[Message, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``semxhs run`` (the fit contract plus the study's parts)."""
        out = self.sem.to_dict()
        out["study"] = {
            "title": self.title,
            "language": self.language,
            "data_file": self.data_file,
            "model_file": self.model_file,
            "data_sha256": self.data_sha256,
            "semxhs_version": self.version,
            "reversed_items": list(self.reversed_items),
            "scale": list(self.scale) if self.scale else None,
            "notes": list(self.notes),
            "note_codes": messages_to_json(self.note_codes),
        }
        out["hypotheses"] = [h.to_dict() for h in self.hypotheses]
        if self.measurement is not None:
            out.update(self.measurement.to_dict())
        if self.bootstrap is not None:
            out["bootstrap"] = self.bootstrap.to_dict()
        if self.process:
            out["process"] = [p.to_dict() for p in self.process]
        if self.intake is not None:
            intake = self.intake.to_dict()
            for key in ("screening", "missing_data", "mcar", "normality", "validation", "survey"):
                out[key] = intake[key]
        if self.provenance is not None:
            out["data_provenance"] = self.provenance.to_dict()
        out["study"]["derived_files"] = list(self.derived_files)
        return json_safe(out)

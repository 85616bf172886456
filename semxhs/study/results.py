"""The results of a study run: hypotheses decided and everything one run produced."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from semxhs.messages import Message, json_safe, messages_to_json
from semxhs.sem.results import SemResult

if TYPE_CHECKING:
    from semxhs.measurement.results import MeasurementResult
    from semxhs.power.results import PowerResult
    from semxhs.process.results import ProcessResult
    from semxhs.resample.sem import BootstrapResult
    from semxhs.sem.invariance import InvarianceResult
    from semxhs.study.crosscheck import CrossCheck
    from semxhs.survey.matrices import SummaryStatistics
    from semxhs.survey.provenance import DataProvenance
    from semxhs.survey.screening import ScreeningRun
    from semxhs.survey.validate import ScaleCheck


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
    finding: str = ""  # the cited study's finding, in words

    def to_dict(self) -> dict[str, Any]:
        return json_safe(asdict(self))


@dataclass(frozen=True, repr=False)
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
    measurement: MeasurementResult | None = None
    process: tuple[ProcessResult, ...] = ()
    provenance: DataProvenance | None = None
    intake: ScreeningRun | None = None
    derived_files: tuple[str, ...] = ()
    bootstrap: BootstrapResult | None = None
    note_codes: tuple[Message, ...] = ()
    invariance: InvarianceResult | None = None  # invariance: in the study (semxhs.sem.invariance)
    summary: SummaryStatistics | None = None  # fitted from a covariance/correlation table
    crosscheck: CrossCheck | None = None
    description: str = ""
    citation: str = ""
    scale_check: ScaleCheck | None = None
    power: PowerResult | None = None  # power: in the study (semxhs.power), the study's N among its ns
    power_population: str = ""  # "estimates" (the study's own) or the population model file

    def __repr__(self) -> str:
        parts = [f"title={self.title!r}", f"language={self.language!r}", f"sem={self.sem!r}",
                 f"hypotheses={len(self.hypotheses)} ({sum(h.supported for h in self.hypotheses)} supported)",
                 f"measurement={'yes' if self.measurement is not None else 'no'}",
                 f"bootstrap={'yes' if self.bootstrap is not None else 'no'}", f"process={len(self.process)}",
                 f"intake={'yes' if self.intake is not None else 'no'}", f"notes={len(self.notes)}"]
        return f"StudyResult({', '.join(parts)})"

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
            "description": self.description,
            "citation": self.citation,
        }
        if self.summary is not None:
            out["sample"] = self.summary.to_dict()
        if self.crosscheck is not None:
            out["crosscheck"] = self.crosscheck.to_dict()
        out["hypotheses"] = [h.to_dict() for h in self.hypotheses]
        if self.measurement is not None:
            out.update(self.measurement.to_dict())
        if self.bootstrap is not None:
            out["bootstrap"] = self.bootstrap.to_dict()
        if self.process:
            out["process"] = [p.to_dict() for p in self.process]
        if self.invariance is not None:
            out["invariance"] = self.invariance.to_dict()
        if self.power is not None:  # the document of `semxhs power`, with the study's N and population source
            out["power"] = {**self.power.to_dict(), "study": {"n": self.sem.n_obs,
                                                             "population": self.power_population}}
        if self.intake is not None:
            intake = self.intake.to_dict()
            for key in ("screening", "missing_data", "mcar", "normality", "validation", "survey"):
                out[key] = intake[key]
        if self.provenance is not None:
            out["data_provenance"] = self.provenance.to_dict()
        out["study"]["derived_files"] = list(self.derived_files)
        if self.scale_check is not None:  # {column: {code: count}} of the declared missing codes
            out["study"]["scale_check"] = self.scale_check.to_dict()
            out["missing_codes"] = {k: dict(v) for k, v in self.scale_check.counts.items()}
        return json_safe(out)

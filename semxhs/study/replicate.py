"""Replication: each hypothesis of a library study against the finding of the study it cites.

The model library (``surveys/<id>/``) turns hypotheses of the social-commerce literature
into runnable studies. A hypothesis carries ``finding:`` -- what the cited study reported,
in words (stated, as the library states every finding, as direction and significance; no
coefficient is taken from a paper). A finding *agrees* when the hypothesis is supported
here: its test is significant at the study's alpha (a ``:=`` effect with a bootstrap: its
interval excludes 0) with the expected sign. The rule is the hypothesis test itself, so the
replication table can never disagree with the hypothesis table.

:func:`replication_of` collects the rows of one study run; :func:`resolve_study` finds a
study by library id or path. ``semxhs replicate`` prints the table and writes it into each
report (:mod:`semxhs.report.replication` words it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from semxhs.errors import InputFileError, name_list
from semxhs.messages import json_safe
from semxhs.study.results import HypothesisResult, StudyResult

#: The eight studies of the model library, in the order of issue 12.
LIBRARY: tuple[str, ...] = (
    "ewom_trust", "social_ties", "interactivity_engagement", "livestream_trust",
    "grass_planting_adoption", "short_video_arousal", "s2b2c_repurchase", "xhs_trust_hub",
)


@dataclass(frozen=True)
class ReplicatedHypothesis:
    """One row of a replication table."""

    id: str
    finding: str
    path: str
    expected_sign: str
    est: float
    std_all: float | None
    ci_lower: float
    ci_upper: float
    pvalue: float | None
    test: str
    agrees: bool

    def to_dict(self) -> dict[str, Any]:
        return json_safe({
            "id": self.id, "finding": self.finding, "path": self.path, "expected_sign": self.expected_sign,
            "result": {"est": self.est, "std_all": self.std_all, "ci_lower": self.ci_lower,
                       "ci_upper": self.ci_upper, "pvalue": self.pvalue, "test": self.test},
            "agrees": self.agrees,
        })


@dataclass(frozen=True)
class StudyReplication:
    """The replication table of one study."""

    id: str
    citation: str
    description: str
    hypotheses: tuple[ReplicatedHypothesis, ...]

    @property
    def all_agree(self) -> bool:
        return all(h.agrees for h in self.hypotheses)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "citation": self.citation, "description": self.description,
                "all_agree": self.all_agree, "hypotheses": [h.to_dict() for h in self.hypotheses]}


def agrees(h: HypothesisResult) -> bool:
    """A cited finding (significant, in the expected direction) agrees when the hypothesis is supported."""
    return bool(h.supported)


def replication_of(result: StudyResult, study_id: str) -> StudyReplication:
    """The replication rows of a study run (every hypothesis, with its finding).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=300); y = 0.5 * x + rng.normal(size=300)
    >>> from semxhs.study.results import HypothesisResult, StudyResult
    >>> sem = fit("y ~ x", pd.DataFrame({"x": x, "y": y}))
    >>> h = HypothesisResult("H1", "x raises y", "y ~ x", "+", 0.5, 0.4, 0.06, 8.0, 0.0, 0.38, 0.62, 0.05, True,
    ...                      finding="positive, significant")
    >>> rep = replication_of(StudyResult("t", "en", sem, (h,), "d", "m", "", "0", citation="A (2020)"), "demo")
    >>> rep.to_dict()["hypotheses"][0]["agrees"], rep.citation
    (True, 'A (2020)')
    """
    rows = tuple(ReplicatedHypothesis(
        id=h.id, finding=h.finding, path=h.path, expected_sign=h.expected_sign, est=h.est, std_all=h.std_all,
        ci_lower=h.ci_lower, ci_upper=h.ci_upper, pvalue=h.pvalue, test=h.test, agrees=agrees(h),
    ) for h in result.hypotheses)
    return StudyReplication(study_id, result.citation, result.description, rows)


def library_root() -> Path:
    """The ``surveys/`` folder: under the working directory, else beside the installed package."""
    here = Path.cwd() / "surveys"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "surveys"


def resolve_study(name: str) -> tuple[str, Path]:
    """``(id, study.yaml path)`` of a library id (``ewom_trust``) or a study file or folder.

    Raises
    ------
    InputFileError
        When the name is neither a library study nor an existing study file.
    """
    path = Path(name)
    if path.is_file():
        return (path.parent.name if path.name == "study.yaml" else path.stem), path
    if path.is_dir() and (path / "study.yaml").is_file():
        return path.name, path / "study.yaml"
    candidate = library_root() / name / "study.yaml"
    if candidate.is_file():
        return name, candidate
    raise InputFileError(f"no study '{name}': give a study.yaml path or one of the library studies "
                         f"{name_list(LIBRARY)} (found in the project's surveys/ folder: run from the project folder)")

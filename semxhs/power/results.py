"""The results of a power study: tidy ``power`` rows, RMSEA power per N, the smallest N reaching .80."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from semxhs.messages import json_safe

__all__ = ["POWER_COLUMNS", "PowerResult", "PowerRow", "RmseaPower"]

POWER_COLUMNS = ("n", "lhs", "op", "rhs", "label", "true", "power", "bias", "coverage", "converged", "reps",
                 "mean_est", "improper")

TARGET_POWER = 0.80


@dataclass(frozen=True)
class PowerRow:
    """One effect at one sample size: ``power`` = share of converged replications in which it was
    significant, ``bias`` = mean estimate − true value, ``coverage`` = share of intervals holding the
    true value, ``converged`` = share of replications that converged, ``improper`` = share improper."""

    n: int
    lhs: str
    op: str
    rhs: str
    label: str
    true: float
    power: float
    bias: float
    coverage: float
    converged: float
    reps: int
    mean_est: float
    improper: float

    @property
    def key(self) -> str:
        """The effect: a ``:=`` effect's label, or ``"lhs op rhs"`` of a path."""
        return self.label if self.op == ":=" else f"{self.lhs} {self.op} {self.rhs}"


@dataclass(frozen=True)
class RmseaPower:
    """Analytic power of the RMSEA tests of close fit (.05 vs .08) and not-close fit (.05 vs .01)."""

    n: int
    df: int
    close_fit: float
    not_close_fit: float


@dataclass(frozen=True)
class PowerResult:
    """Everything a power study produced (see :func:`semxhs.power.engine.run_power`)."""

    population: str
    analysis: str
    ns: tuple[int, ...]
    reps: int
    seed: int
    alpha: float
    missing: float
    skew: float
    kurtosis: float
    ci: str
    bootstrap: int
    rows: tuple[PowerRow, ...]
    rmsea: tuple[RmseaPower, ...]
    seconds: float
    workers: int
    scheduler: str | None

    def __repr__(self) -> str:
        return (f"PowerResult(ns={list(self.ns)}, reps={self.reps}, targets={len(self.rows) // max(len(self.ns), 1)}, "
                f"seed={self.seed}, seconds={self.seconds:.1f})")

    def to_frame(self) -> pd.DataFrame:
        """The power rows as a DataFrame with :data:`POWER_COLUMNS`."""
        return pd.DataFrame([asdict(r) for r in self.rows], columns=list(POWER_COLUMNS))

    def min_n(self, target: float = TARGET_POWER) -> dict[str, int | None]:
        """Per effect (``label`` of a ``:=`` effect, ``"lhs ~ rhs"`` of a path): the smallest N of the
        design whose power reaches ``target``, or None."""
        out: dict[str, int | None] = {}
        for r in sorted(self.rows, key=lambda r: r.n):
            out.setdefault(r.key, None)
            if out[r.key] is None and r.power >= target:
                out[r.key] = r.n
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``semxhs power``."""
        return json_safe({
            "design": {"population": self.population, "analysis": self.analysis, "n": list(self.ns),
                       "reps": self.reps, "seed": self.seed, "alpha": self.alpha, "missing": self.missing,
                       "skew": self.skew, "kurtosis": self.kurtosis, "ci": self.ci, "bootstrap": self.bootstrap},
            "power": [asdict(r) for r in self.rows],
            "min_n_80": self.min_n(),
            "rmsea_power": [asdict(r) for r in self.rmsea],
            "seconds": self.seconds,
            "workers": self.workers,
            "scheduler": self.scheduler,
        })

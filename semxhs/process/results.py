"""Frozen, typed results of a PROCESS analysis; every table has ``to_frame()``.

Column names follow lavaan's ``parameterEstimates`` with ``_`` for ``.``: ``est, se, t,
pvalue, ci_lower, ci_upper``; bootstrap rows have ``effect, boot_se, ci_lower, ci_upper``.
Moderator values become one column per moderator in a frame and a ``{"name": value}``
object in JSON. Nothing here rounds or formats; :meth:`ProcessResult.to_dict` writes
NaN as ``None`` so the output is valid JSON.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
import pandas as pd

from semxhs.messages import Message, messages_to_json

ModeratorValues = tuple[tuple[str, float], ...]


def clean(value: Any) -> Any:
    """A JSON-safe copy: numpy scalars to Python, NaN and infinities to None, tuples to lists.

    Examples
    --------
    >>> clean({"a": np.float64("nan"), "b": (np.int64(2), 1.5)})
    {'a': None, 'b': [2, 1.5]}
    """
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [clean(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    return value


class _Row:
    """Mixin: a flat record for frames and a JSON object for :meth:`ProcessResult.to_dict`."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            v = getattr(self, f.name)
            out[f.name] = dict(v) if f.name == "moderator_values" else v
        return out

    def to_record(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            v = getattr(self, f.name)
            if f.name == "moderator_values":
                out.update(dict(v))
            else:
                out[f.name] = v
        return out


R = TypeVar("R", bound=_Row)


@dataclass(frozen=True)
class Table(Generic[R]):
    """An ordered, immutable collection of result rows of one kind.

    Examples
    --------
    >>> t = Table((InteractionTest("Y", "X:W", 0.03, 13.3, 1, 396, 0.0003),))
    >>> list(t.to_frame().columns)
    ['equation', 'term', 'r2_change', 'f', 'df1', 'df2', 'pvalue']
    """

    rows: tuple[R, ...]

    def __iter__(self) -> Iterator[R]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> R:
        return self.rows[i]

    def to_frame(self) -> pd.DataFrame:
        """One row per result, moderator values spread into one column per moderator."""
        return pd.DataFrame([r.to_record() for r in self.rows])

    def to_json(self) -> list[dict[str, Any]]:
        """A list of JSON objects (not yet cleaned of NaN)."""
        return [r.to_json() for r in self.rows]


@dataclass(frozen=True)
class Coefficient(_Row):
    """One OLS coefficient."""

    term: str
    est: float
    se: float
    t: float
    pvalue: float
    ci_lower: float
    ci_upper: float


@dataclass(frozen=True)
class Equation:
    """One fitted OLS equation: model summary and coefficient table.

    ``f``/``pvalue`` test all slopes; with ``hc`` set, ``f`` is the robust Wald F.
    """

    outcome: str
    r2: float
    f: float
    df1: int
    df2: int
    pvalue: float
    mse: float
    coefficients: tuple[Coefficient, ...]

    def coefficient(self, term: str) -> Coefficient:
        """The row of ``term`` (a statsmodels-formula name such as ``"X:W"``)."""
        for c in self.coefficients:
            if c.term == term:
                return c
        raise KeyError(term)

    def to_frame(self) -> pd.DataFrame:
        """Coefficient table indexed by term."""
        return pd.DataFrame([c.to_record() for c in self.coefficients]).set_index("term")

    def to_json(self) -> dict[str, Any]:
        return {"r2": self.r2, "f": self.f, "df1": self.df1, "df2": self.df2, "pvalue": self.pvalue,
                "coefficients": [c.to_json() for c in self.coefficients]}


@dataclass(frozen=True)
class InteractionTest(_Row):
    """R-squared change from adding product term(s); ``term`` joins several with ``" + "``."""

    equation: str
    term: str
    r2_change: float
    f: float
    df1: int
    df2: int
    pvalue: float


@dataclass(frozen=True)
class ConditionalEffect(_Row):
    """Effect of ``focal`` (a predictor or a product such as ``"X:W"``) in ``equation`` at moderator values."""

    equation: str
    focal: str
    moderator_values: ModeratorValues
    effect: float
    se: float
    t: float
    pvalue: float
    ci_lower: float
    ci_upper: float


@dataclass(frozen=True)
class JohnsonNeyman:
    """Johnson-Neyman points of one conditional effect and its table across the moderator's range.

    ``points`` are the roots inside the observed range ``[lower, upper]``; ``roots`` are
    all real roots of the quadratic, inside the range or not.
    """

    equation: str
    focal: str
    moderator: str
    points: tuple[float, ...]
    roots: tuple[float, ...]
    lower: float
    upper: float
    table: Table[ConditionalEffect]

    def to_frame(self) -> pd.DataFrame:
        """The conditional effect across the moderator's range (JN points included)."""
        return self.table.to_frame()

    def to_json(self) -> dict[str, Any]:
        return {"equation": self.equation, "focal": self.focal, "moderator": self.moderator,
                "points": list(self.points)}


@dataclass(frozen=True)
class IndirectEffect(_Row):
    """A (conditional) indirect effect with its percentile bootstrap interval."""

    path: str
    moderator_values: ModeratorValues
    effect: float
    boot_se: float
    ci_lower: float
    ci_upper: float


@dataclass(frozen=True)
class IndirectContrast(_Row):
    """Difference ``path1 - path2`` between two specific indirect effects, bootstrap interval."""

    path1: str
    path2: str
    moderator_values: ModeratorValues
    effect: float
    boot_se: float
    ci_lower: float
    ci_upper: float


@dataclass(frozen=True)
class ModeratedMediationIndex(_Row):
    """Index of moderated mediation (Hayes, 2015): slope of a linear indirect effect in the moderator."""

    moderator: str
    path: str
    index: float
    boot_se: float
    ci_lower: float
    ci_upper: float


@dataclass(frozen=True)
class BootstrapInfo:
    """What the bootstrap did: draws asked for, seed, wall time, failed draws (0-based)."""

    draws: int
    seed: int | None
    seconds: float
    failed: int
    failed_draws: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {"draws": self.draws, "seed": self.seed, "seconds": self.seconds, "failed": self.failed}


@dataclass(frozen=True)
class Variables:
    """The variables in their roles."""

    x: str
    y: str
    m: tuple[str, ...]
    w: str | None
    z: str | None
    cov: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"x": self.x, "m": list(self.m), "w": self.w}
        if self.z is not None:
            out["z"] = self.z
        if self.cov:
            out["cov"] = list(self.cov)
        out["y"] = self.y
        return out


@dataclass(frozen=True)
class Options:
    """Options the analysis ran with; ``centered`` names the variables that were mean-centered."""

    boot: int
    seed: int | None
    hc: int | None
    center: str
    probe: str | tuple[tuple[str, tuple[float, ...]], ...]
    conf: float
    centered: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        probe: Any = self.probe if isinstance(self.probe, str) else {k: list(v) for k, v in self.probe}
        return {"boot": self.boot, "seed": self.seed, "hc": self.hc, "center": self.center,
                "probe": probe, "conf": self.conf, "centered": list(self.centered)}


@dataclass(frozen=True, repr=False)
class ProcessResult:
    """Everything a PROCESS run estimated.

    Attributes
    ----------
    model, n : int
        PROCESS model number; rows analysed (after listwise deletion).
    n_dropped : int
        Rows dropped for missing values; ``dropped`` gives, per column, how many of its
        values were missing.
    variables, options : Variables, Options
    equations : tuple of Equation
        Mediators' equations in order, then the outcome's.
    total_equation : Equation or None
        ``Y ~ X (+ covariates)``, for models without a moderator and with mediators.
    interaction_tests, conditional_effects, direct_effects, total_effects, indirect,
    indirect_standardized, indirect_contrasts, index_of_moderated_mediation : Table
    johnson_neyman : tuple of JohnsonNeyman
    bootstrap : BootstrapInfo
    notes : tuple of str
        What was not reported and why (e.g. the index of moderated mediation of model 58), in English.
    note_codes : tuple of Message
        The same notes as records (same order), worded by the report in its language. Codes:
        ``jn_dichotomous`` (``focal``, ``outcome``, ``moderator``), ``jn_two_moderators``
        (``focal``, ``outcome``, ``moderators``), ``total_effect_conditional`` (``model``),
        ``bootstrap_failed`` (``failed``, ``draws``), ``standardized_dichotomous_x`` (``x``),
        ``index_quadratic`` and ``index_direct_only`` (``model``, ``moderator``).
    means : tuple of (str, float)
        Means of the analysed (possibly centered) variables, for plots.
    ranges : tuple of (str, float, float)
        Minimum and maximum of each analysed variable, for plots.
    """

    model: int
    n: int
    n_dropped: int
    dropped: tuple[tuple[str, int], ...]
    variables: Variables
    options: Options
    equations: tuple[Equation, ...]
    total_equation: Equation | None
    interaction_tests: Table[InteractionTest]
    conditional_effects: Table[ConditionalEffect]
    johnson_neyman: tuple[JohnsonNeyman, ...]
    direct_effects: Table[ConditionalEffect]
    total_effects: Table[ConditionalEffect]
    indirect: Table[IndirectEffect]
    indirect_standardized: Table[IndirectEffect]
    indirect_contrasts: Table[IndirectContrast]
    index_of_moderated_mediation: Table[ModeratedMediationIndex]
    bootstrap: BootstrapInfo
    notes: tuple[str, ...]
    means: tuple[tuple[str, float], ...]
    ranges: tuple[tuple[str, float, float], ...]
    note_codes: tuple[Message, ...] = ()

    table_names: ClassVar[tuple[str, ...]] = (
        "interaction_tests", "conditional_effects", "direct_effects", "total_effects", "indirect",
        "indirect_standardized", "indirect_contrasts", "index_of_moderated_mediation")

    def __repr__(self) -> str:
        v = self.variables
        return (f"ProcessResult(model={self.model}, n={self.n}, n_dropped={self.n_dropped}, x={v.x!r}, m={list(v.m)!r}, "
                f"w={v.w!r}, z={v.z!r}, y={v.y!r}, equations={len(self.equations)}, indirect={len(self.indirect)}, "
                f"bootstrap_draws={self.bootstrap.draws}, notes={len(self.notes)})")

    def equation(self, outcome: str) -> Equation:
        """The equation whose outcome is ``outcome``."""
        for e in self.equations:
            if e.outcome == outcome:
                return e
        raise KeyError(outcome)

    def to_frame(self, table: str = "coefficients") -> pd.DataFrame:
        """One table as a DataFrame: ``"coefficients"`` (all equations, with an ``equation``
        column) or any name in :attr:`table_names`."""
        if table == "coefficients":
            frames = [e.to_frame().reset_index().assign(equation=e.outcome) for e in self.equations]
            out = pd.concat(frames, ignore_index=True)
            return out[["equation"] + [c for c in out.columns if c != "equation"]]
        if table not in self.table_names:
            raise KeyError(f"table: one of 'coefficients', {', '.join(self.table_names)}; received {table!r}")
        return getattr(self, table).to_frame()

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: valid JSON (NaN written as None), full precision.

        Keys: ``model, n, variables, equations, interaction_tests, conditional_effects,
        johnson_neyman, indirect, index_of_moderated_mediation, bootstrap`` (``draws, seed,
        seconds, failed``), and besides them ``n_dropped, dropped, options, direct_effects,
        total_effects, indirect_standardized, indirect_contrasts, johnson_neyman_tables,
        notes``.
        """
        out: dict[str, Any] = {
            "model": self.model,
            "n": self.n,
            "variables": self.variables.to_json(),
            "equations": {e.outcome: e.to_json() for e in self.equations},
            "interaction_tests": self.interaction_tests.to_json(),
            "conditional_effects": self.conditional_effects.to_json(),
            "johnson_neyman": [j.to_json() for j in self.johnson_neyman],
            "indirect": self.indirect.to_json(),
            "index_of_moderated_mediation": self.index_of_moderated_mediation.to_json(),
            "bootstrap": self.bootstrap.to_json(),
            "n_dropped": self.n_dropped,
            "dropped": dict(self.dropped),
            "options": self.options.to_json(),
            "direct_effects": self.direct_effects.to_json(),
            "total_effects": self.total_effects.to_json(),
            "indirect_standardized": self.indirect_standardized.to_json(),
            "indirect_contrasts": self.indirect_contrasts.to_json(),
            "johnson_neyman_tables": [
                {"equation": j.equation, "focal": j.focal, "moderator": j.moderator,
                 "rows": j.table.to_json()} for j in self.johnson_neyman],
            "notes": list(self.notes),
            "note_codes": messages_to_json(self.note_codes),
        }
        return clean(out)

"""The table of PROCESS models and the equations one general rule builds from it.

Hayes' PROCESS numbers its templates; each one here is a row of :data:`MODEL_TABLE` that
says how the mediators are arranged (none, parallel or serial) and which paths each
moderator acts on:

- ``"a"``: X -> M (first stage),
- ``"b"``: M -> Y (second stage),
- ``"c"``: X -> Y (the direct path).

:func:`build_equations` turns a row and the user's variable names into one
:class:`EquationSpec` per outcome, with the rule PROCESS follows (Hayes, 2022, appendix A):
an outcome's equation holds its predictors, every moderator of a path into that outcome
as a main effect, the product of each moderated predictor with its moderator, and (for a
three-way model) the moderators' product and the three-way product, then the covariates.
No model has code of its own.

References
----------
Hayes, A. F. (2022). *Introduction to mediation, moderation, and conditional process
analysis* (3rd ed.). Guilford Press.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

from semxhs.errors import SpecError, name_list

Mediation = Literal["none", "parallel", "serial"]
Term = tuple[str, ...]

#: Most mediators PROCESS accepts: 10 in parallel, 6 in series.
MAX_PARALLEL = 10
MAX_SERIAL = 6


@dataclass(frozen=True)
class ModelSpec:
    """One row of the model table.

    Attributes
    ----------
    number : int
        The PROCESS model number.
    mediation : {"none", "parallel", "serial"}
        How the mediators are arranged.
    w_paths, z_paths : frozenset of {"a", "b", "c"}
        The paths that W (Z) moderates.
    three_way : bool
        Whether the paths moderated by both W and Z also carry W x Z and X x W x Z.
    description : str
        One line for humans.
    """

    number: int
    mediation: Mediation
    w_paths: frozenset[str]
    z_paths: frozenset[str]
    three_way: bool
    description: str

    @property
    def uses_w(self) -> bool:
        """Whether the model needs a moderator W."""
        return bool(self.w_paths)

    @property
    def uses_z(self) -> bool:
        """Whether the model needs a second moderator Z."""
        return bool(self.z_paths)

    @property
    def mediator_range(self) -> tuple[int, int]:
        """Fewest and most mediators the model accepts."""
        if self.mediation == "none":
            return (0, 0)
        if self.mediation == "serial":
            return (2, MAX_SERIAL)
        return (1, MAX_PARALLEL)

    def moderators_of(self, path: str) -> tuple[str, ...]:
        """Roles (``"w"``, ``"z"``) moderating ``path``, W first.

        Examples
        --------
        >>> MODEL_TABLE[59].moderators_of("b")
        ('w',)
        >>> MODEL_TABLE[2].moderators_of("c")
        ('w', 'z')
        """
        roles = []
        if path in self.w_paths:
            roles.append("w")
        if path in self.z_paths:
            roles.append("z")
        return tuple(roles)


def _spec(number: int, mediation: Mediation, w: str = "", z: str = "", three_way: bool = False,
          description: str = "") -> ModelSpec:
    return ModelSpec(number, mediation, frozenset(w), frozenset(z), three_way, description)


#: Which paths each moderator acts on, per supported PROCESS model.
MODEL_TABLE: dict[int, ModelSpec] = {
    1: _spec(1, "none", w="c", description="W moderates X -> Y"),
    2: _spec(2, "none", w="c", z="c", description="W and Z each moderate X -> Y"),
    3: _spec(3, "none", w="c", z="c", three_way=True,
             description="three-way X x W x Z on X -> Y"),
    4: _spec(4, "parallel", description="parallel mediation"),
    5: _spec(5, "parallel", w="c", description="mediation; W moderates the direct path only"),
    6: _spec(6, "serial", description="serial mediation"),
    7: _spec(7, "parallel", w="a", description="W moderates X -> M (first stage)"),
    8: _spec(8, "parallel", w="ac", description="W moderates X -> M and the direct path"),
    14: _spec(14, "parallel", w="b", description="W moderates M -> Y (second stage)"),
    15: _spec(15, "parallel", w="bc", description="W moderates M -> Y and the direct path"),
    58: _spec(58, "parallel", w="ab", description="W moderates X -> M and M -> Y"),
    59: _spec(59, "parallel", w="abc", description="W moderates X -> M, M -> Y and the direct path"),
}


@dataclass(frozen=True)
class EquationSpec:
    """One OLS equation: an outcome and its terms (the intercept is implicit).

    A term is a tuple of variable names; a product has two or three names, focal
    predictor first, and is written ``"X:W"`` as statsmodels' formulas write it.
    """

    outcome: str
    terms: tuple[Term, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Column names of the design matrix, ``"Intercept"`` first."""
        return ("Intercept",) + tuple(term_name(t) for t in self.terms)

    @property
    def products(self) -> tuple[Term, ...]:
        """The product terms."""
        return tuple(t for t in self.terms if len(t) > 1)


def term_name(term: Term) -> str:
    """The statsmodels-formula name of a term.

    Examples
    --------
    >>> term_name(("PI", "CE"))
    'PI:CE'
    """
    return ":".join(term)


def path_type(predictor: str, outcome: str, x: str, y: str) -> str:
    """Classify a link as ``"a"`` (X -> M), ``"b"`` (M -> Y), ``"c"`` (X -> Y) or ``"d"`` (M -> M).

    Examples
    --------
    >>> path_type("PI", "TR", "PI", "PU"), path_type("TR", "PU", "PI", "PU")
    ('a', 'b')
    """
    if predictor == x:
        return "c" if outcome == y else "a"
    return "b" if outcome == y else "d"


def get_model(number: int) -> ModelSpec:
    """Look up a model number, naming the supported ones if it is not in the table.

    Examples
    --------
    >>> get_model(7).w_paths == frozenset("a")
    True
    >>> get_model(76)
    Traceback (most recent call last):
    ...
    semxhs.errors.SpecError: model: PROCESS model 76 is not supported; supported models are 1, 2, ...
    """
    if isinstance(number, bool) or not isinstance(number, int) or number not in MODEL_TABLE:
        supported = ", ".join(str(k) for k in MODEL_TABLE)
        raise SpecError(f"model: PROCESS model {number!r} is not supported; "
                        f"supported models are {supported}")
    return MODEL_TABLE[number]


def check_roles(spec: ModelSpec, m: Sequence[str], w: str | None, z: str | None) -> None:
    """Check that the variables given fit the model's roles; raise :class:`SpecError` if not."""
    lo, hi = spec.mediator_range
    if not lo <= len(m) <= hi:
        if hi == 0:
            raise SpecError(f"m: model {spec.number} has no mediators, received {name_list(m)}")
        raise SpecError(f"m: model {spec.number} ({spec.mediation} mediation) needs {lo} to {hi} "
                        f"mediators, received {len(m)}")
    for role, value, used in (("w", w, spec.uses_w), ("z", z, spec.uses_z)):
        if used and value is None:
            raise SpecError(f"{role}: model {spec.number} needs a moderator {role.upper()}, received none")
        if not used and value is not None:
            raise SpecError(f"{role}: model {spec.number} has no moderator {role.upper()}, "
                            f"received '{value}'")


def build_equations(spec: ModelSpec, x: str, y: str, m: Sequence[str] = (), w: str | None = None,
                    z: str | None = None, cov: Sequence[str] = ()) -> tuple[EquationSpec, ...]:
    """Build every equation of a model from its row of the table.

    Parameters
    ----------
    spec : ModelSpec
        The model's row in :data:`MODEL_TABLE`.
    x, y : str
        Focal predictor and outcome.
    m : sequence of str
        Mediators (in order, for serial mediation).
    w, z : str, optional
        Moderators.
    cov : sequence of str
        Covariates, entered into every equation after the model's terms.

    Returns
    -------
    tuple of EquationSpec
        The mediators' equations in order, then the outcome's.

    Examples
    --------
    >>> eqs = build_equations(MODEL_TABLE[7], "X", "Y", ["M"], w="W")
    >>> [e.names for e in eqs]
    [('Intercept', 'X', 'W', 'X:W'), ('Intercept', 'X', 'M')]
    >>> build_equations(MODEL_TABLE[3], "X", "Y", w="W", z="Z")[0].names
    ('Intercept', 'X', 'W', 'Z', 'X:W', 'X:Z', 'W:Z', 'X:W:Z')
    >>> [e.names for e in build_equations(MODEL_TABLE[6], "X", "Y", ["M1", "M2"])]
    [('Intercept', 'X'), ('Intercept', 'X', 'M1'), ('Intercept', 'X', 'M1', 'M2')]
    """
    role_names = {"w": w, "z": z}
    equations = []
    outcomes = list(m) + [y]
    for i, outcome in enumerate(outcomes):
        if outcome == y:
            predictors = [x] + list(m)
        elif spec.mediation == "serial":
            predictors = [x] + list(m[:i])
        else:
            predictors = [x]
        moderated: dict[str, tuple[str, ...]] = {}
        for p in predictors:
            roles = spec.moderators_of(path_type(p, outcome, x, y))
            moderated[p] = tuple(str(role_names[r]) for r in roles)
        mods = [name for name in (w, z) if name is not None and any(name in v for v in moderated.values())]
        terms: list[Term] = [(p,) for p in predictors]
        terms += [(mod,) for mod in mods]
        for p in predictors:
            terms.extend((p, mod) for mod in moderated[p])
        if spec.three_way:
            for p in predictors:
                if len(moderated[p]) == 2:
                    terms.append(moderated[p])
                    terms.append((p,) + moderated[p])
        terms.extend((c,) for c in cov)
        equations.append(EquationSpec(outcome, tuple(terms)))
    return tuple(equations)


def indirect_paths(spec: ModelSpec, x: str, y: str, m: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Every specific indirect path from X to Y, as a tuple of variable names.

    Parallel mediators give ``(X, Mi, Y)``; serial mediators give every ordered subset
    of the chain, shortest first, as PROCESS model 6 lists them.

    Examples
    --------
    >>> indirect_paths(MODEL_TABLE[6], "X", "Y", ["M1", "M2"])
    (('X', 'M1', 'Y'), ('X', 'M2', 'Y'), ('X', 'M1', 'M2', 'Y'))
    >>> indirect_paths(MODEL_TABLE[1], "X", "Y", [])
    ()
    """
    if spec.mediation == "none":
        return ()
    if spec.mediation == "parallel":
        return tuple((x, mi, y) for mi in m)
    paths = []
    for size in range(1, len(m) + 1):
        for subset in combinations(m, size):
            paths.append((x,) + subset + (y,))
    return tuple(paths)


def path_name(path: Sequence[str]) -> str:
    """Display name of an indirect path.

    Examples
    --------
    >>> path_name(("PI", "TR", "PU"))
    'PI -> TR -> PU'
    """
    return " -> ".join(path)

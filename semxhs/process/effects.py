"""Indirect effects as products of conditional path coefficients (pure functions of coefficients).

A link ``p -> o`` has the conditional effect ``g'b_o`` of :func:`~semxhs.process.probe.effect_gradient`;
an indirect effect is the product of its links' conditional effects (Hayes, 2022,
ch. 11-12). Coefficients may be one vector per equation (the estimate) or a
``(draws, k)`` array (the bootstrap): the same code serves both.

The index of moderated mediation is the slope of an indirect effect that is linear in the
moderator (Hayes, 2015): with ``f(w)`` linear, ``index = f(1) - f(0)``, exact.

References
----------
Hayes, A. F. (2015). An index and test of linear moderated mediation. *Multivariate
Behavioral Research, 50*, 1-22.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from semxhs.process.models import EquationSpec
from semxhs.process.probe import effect_gradient


def link_gradient(eq: EquationSpec, predictor: str, values: Mapping[str, float]) -> np.ndarray:
    """Weights on ``eq``'s coefficients (intercept first) of the effect of ``predictor``.

    Examples
    --------
    >>> eq = EquationSpec("M", (("X",), ("W",), ("X", "W")))
    >>> link_gradient(eq, "X", {"W": 2.0})
    array([0., 1., 0., 2.])
    """
    return effect_gradient([()] + list(eq.terms), (predictor,), values)


def link_moderators(eq: EquationSpec, predictor: str, moderators: Sequence[str]) -> set[str]:
    """Moderators that share a term with ``predictor`` in ``eq``.

    Examples
    --------
    >>> link_moderators(EquationSpec("M", (("X",), ("W",), ("X", "W"))), "X", ["W"])
    {'W'}
    """
    found: set[str] = set()
    for term in eq.terms:
        if predictor in term:
            found.update(v for v in term if v in moderators)
    return found


def moderator_degree(equations: Mapping[str, EquationSpec], path: Sequence[str], moderator: str) -> int:
    """Polynomial degree of an indirect effect in ``moderator``: how many links it moderates.

    Examples
    --------
    >>> eqs = {"M": EquationSpec("M", (("X",), ("W",), ("X", "W"))),
    ...        "Y": EquationSpec("Y", (("X",), ("M",), ("W",), ("M", "W")))}
    >>> moderator_degree(eqs, ("X", "M", "Y"), "W")
    2
    """
    return sum(moderator in link_moderators(equations[o], p, [moderator])
               for p, o in zip(path[:-1], path[1:]))


def indirect_effect(coefs: Mapping[str, np.ndarray], equations: Mapping[str, EquationSpec],
                    path: Sequence[str], values: Mapping[str, float]) -> np.ndarray:
    """Product of the conditional coefficients along ``path`` at moderator ``values``.

    Parameters
    ----------
    coefs : mapping outcome -> ndarray, shape (k,) or (draws, k)
    equations : mapping outcome -> EquationSpec
    path : sequence of str
        ``(X, M1, ..., Y)``.
    values : mapping moderator -> value

    Examples
    --------
    >>> eqs = {"M": EquationSpec("M", (("X",), ("W",), ("X", "W"))), "Y": EquationSpec("Y", (("X",), ("M",)))}
    >>> coefs = {"M": np.array([0.0, 0.5, 0.1, 0.2]), "Y": np.array([0.0, 0.1, 2.0])}
    >>> float(indirect_effect(coefs, eqs, ("X", "M", "Y"), {"W": 1.0}))
    1.4
    """
    out: np.ndarray = np.asarray(1.0)
    for p, o in zip(path[:-1], path[1:]):
        out = out * (coefs[o] @ link_gradient(equations[o], p, values))
    return out


def index_of_moderated_mediation(coefs: Mapping[str, np.ndarray], equations: Mapping[str, EquationSpec],
                                 path: Sequence[str], moderator: str,
                                 others: Mapping[str, float] | None = None) -> np.ndarray:
    """Slope of an indirect effect that is linear in ``moderator``: ``f(1) - f(0)`` (Hayes, 2015).

    Only meaningful when :func:`moderator_degree` is 1.

    Examples
    --------
    >>> eqs = {"M": EquationSpec("M", (("X",), ("W",), ("X", "W"))), "Y": EquationSpec("Y", (("X",), ("M",)))}
    >>> coefs = {"M": np.array([0.0, 0.5, 0.1, 0.2]), "Y": np.array([0.0, 0.1, 2.0])}
    >>> float(index_of_moderated_mediation(coefs, eqs, ("X", "M", "Y"), "W"))
    0.4
    """
    base = dict(others or {})
    at1 = indirect_effect(coefs, equations, path, {**base, moderator: 1.0})
    at0 = indirect_effect(coefs, equations, path, {**base, moderator: 0.0})
    return at1 - at0

"""Checking and preparing the data of a PROCESS analysis: columns, missing values, centering, designs.

Every problem raises :class:`~semxhs.errors.DataError` or :class:`~semxhs.errors.SpecError`
with one line naming the argument and the offending columns. Rows with a missing value in
any analysed column are dropped listwise; how many, and which columns had the holes, is
kept for the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from semxhs.errors import DataError, SpecError, name_list
from semxhs.process.models import EquationSpec, term_name

#: Values of the ``center`` option.
CENTER_OPTIONS = ("none", "interaction", "all")


@dataclass(frozen=True)
class PreparedData:
    """The analysed rows (centered where asked) and what was done to get them."""

    frame: pd.DataFrame
    n_dropped: int
    dropped: tuple[tuple[str, int], ...]
    centered: tuple[str, ...]


def check_roles_distinct(roles: Sequence[tuple[str, str]]) -> None:
    """Raise :class:`SpecError` if one column plays two roles.

    Examples
    --------
    >>> check_roles_distinct([("x", "PI"), ("w", "PI")])
    Traceback (most recent call last):
    ...
    semxhs.errors.SpecError: variables: 'PI' is given in more than one role (x, w)
    """
    seen: dict[str, list[str]] = {}
    for role, name in roles:
        seen.setdefault(name, []).append(role)
    for name, where in seen.items():
        if len(where) > 1:
            raise SpecError(f"variables: '{name}' is given in more than one role ({', '.join(where)})")


def prepare_data(data: pd.DataFrame, roles: Sequence[tuple[str, str]], moderators: Sequence[str],
                 product_vars: Sequence[str], center: str = "none") -> PreparedData:
    """Select, check, listwise-delete and center the analysed columns.

    Parameters
    ----------
    data : DataFrame
    roles : sequence of (role, column)
        Every analysed column with its role (``"x"``, ``"m"``, ``"w"``, ``"z"``, ``"y"``, ``"cov"``).
    moderators : sequence of str
        Columns used as moderators (need at least two distinct values).
    product_vars : sequence of str
        Columns that form products (centered by ``center="interaction"``).
    center : {"none", "interaction", "all"}
        ``"interaction"`` mean-centers the variables that form products (PROCESS
        ``center=1``); ``"all"`` mean-centers every predictor (X, M, W, Z, covariates);
        the outcome Y is never centered.

    Examples
    --------
    >>> d = pd.DataFrame({"x": [1.0, 2.0, None, 4.0, 3.0], "y": [1.0, 3.0, 2.0, 5.0, 4.0]})
    >>> p = prepare_data(d, [("x", "x"), ("y", "y")], [], [])
    >>> p.n_dropped, p.dropped, len(p.frame)
    (1, (('x', 1),), 4)
    >>> prepare_data(d, [("x", "x"), ("y", "q")], [], [])
    Traceback (most recent call last):
    ...
    semxhs.errors.DataError: data: column(s) not found: 'q' (y)
    >>> prepare_data(d.assign(y=[1.0, float("inf"), 2.0, 5.0, 4.0]), [("x", "x"), ("y", "y")], [], [])
    Traceback (most recent call last):
    ...
    semxhs.errors.DataError: data: infinite values in analysed columns: 'y' (rows 2)
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data: expected a pandas DataFrame, received {type(data).__name__}")
    if center not in CENTER_OPTIONS:
        raise SpecError(f"center: must be one of {name_list(CENTER_OPTIONS)}, received {center!r}")
    check_roles_distinct(roles)
    missing_cols = [(r, c) for r, c in roles if c not in data.columns]
    if missing_cols:
        where = ", ".join(r for r, _ in missing_cols)
        raise DataError(f"data: column(s) not found: {name_list(c for _, c in missing_cols)} ({where})")
    columns = [c for _, c in roles]
    frame = data.loc[:, columns].copy()
    not_numeric = []
    for c in columns:
        if pd.api.types.is_bool_dtype(frame[c]) or not pd.api.types.is_numeric_dtype(frame[c]):
            converted = pd.to_numeric(frame[c], errors="coerce")
            bad = converted.isna() & frame[c].notna()
            if bad.any() or pd.api.types.is_bool_dtype(frame[c]):
                not_numeric.append(c)
            frame[c] = converted
    if not_numeric:
        raise DataError(f"data: column(s) must be numeric: {name_list(not_numeric)}")
    frame = frame.astype(float)
    inf_rows = {c: np.flatnonzero(np.isinf(frame[c].to_numpy())) for c in columns}
    infinite = [f"'{c}' (rows {', '.join(str(int(i) + 1) for i in rows[:3])})" for c, rows in inf_rows.items() if rows.size]
    if infinite:  # as `semxhs fit` does: an infinite answer is an error in the data, not a missing one
        raise DataError("data: infinite values in analysed columns: " + "; ".join(infinite))
    holes = frame.isna()
    dropped = tuple((c, int(holes[c].sum())) for c in columns if holes[c].any())
    keep = ~holes.any(axis=1)
    frame = frame.loc[keep].reset_index(drop=True)
    n_dropped = int((~keep).sum())
    if len(frame) < len(columns) + 2:
        raise DataError(f"data: {len(frame)} complete rows remain after dropping {n_dropped} with "
                        f"missing values; too few for {len(columns)} variables")
    role_of = dict((c, r) for r, c in roles)
    for c in columns:
        distinct = frame[c].nunique()
        if c in moderators and distinct < 2:
            raise DataError(f"{role_of[c]}: moderator '{c}' has a single value "
                            f"({frame[c].iloc[0]!r}); it needs at least two")
        if distinct < 2:
            raise DataError(f"{role_of[c]}: '{c}' is constant ({frame[c].iloc[0]!r}); "
                            "it cannot be a variable in the model")
    if center == "interaction":
        centered = tuple(c for c in columns if c in product_vars)
    elif center == "all":
        centered = tuple(c for r, c in roles if r != "y")
    else:
        centered = ()
    for c in centered:
        frame[c] = frame[c] - frame[c].mean()
    return PreparedData(frame, n_dropped, dropped, centered)


def design_frame(frame: pd.DataFrame, eq: EquationSpec) -> pd.DataFrame:
    """The design of one equation, columns named as statsmodels formulas name them.

    Examples
    --------
    >>> f = pd.DataFrame({"X": [1.0, 2.0], "W": [3.0, 4.0]})
    >>> design_frame(f, EquationSpec("Y", (("X",), ("W",), ("X", "W"))))
       Intercept    X    W  X:W
    0        1.0  1.0  3.0  3.0
    1        1.0  2.0  4.0  8.0
    """
    cols: dict[str, np.ndarray] = {"Intercept": np.ones(len(frame))}
    for term in eq.terms:
        cols[term_name(term)] = np.prod([frame[v].to_numpy(dtype=float) for v in term], axis=0)
    return pd.DataFrame(cols, index=frame.index)

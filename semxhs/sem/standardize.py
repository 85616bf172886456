"""The completely standardized solution (lavaan's ``std.all``) and R-square.

Pure functions of the filled RAM matrices: ``C`` is the model-implied covariance of all
variables (observed and latent) and ``S`` the (residual) covariance matrix.
"""

from __future__ import annotations

import math

import numpy as np


def std_all(op: str, i: int, j: int, est: float, C: np.ndarray, S: np.ndarray) -> float:
    """Standardize one parameter.

    Loadings ``f =~ x`` (``i`` = x, ``j`` = f) and regressions ``y ~ x`` (``i`` = y,
    ``j`` = x) become ``est * sd_j / sd_i``; a variance becomes the share of the total
    variance it leaves unexplained; a covariance is divided by the square roots of the two
    (residual) variances, so residual covariances become residual correlations, as in
    lavaan; an intercept is divided by the variable's standard deviation.

    Examples
    --------
    >>> import numpy as np
    >>> C = np.array([[4.0, 1.0], [1.0, 1.0]]); S = np.array([[3.0, 0.0], [0.0, 1.0]])
    >>> std_all("~", 0, 1, 1.0, C, S)
    0.5
    >>> std_all("~~", 0, 0, 3.0, C, S)
    0.75
    """
    with np.errstate(divide="ignore", invalid="ignore"):  # a negative variance (Heywood) gives NaN
        sd = np.sqrt(np.diag(C))
        if op in ("=~", "~"):
            value = est * sd[j] / sd[i]
        elif op == "~~":
            if i == j:
                value = est / C[i, i]
            else:
                value = est / math.sqrt(S[i, i] * S[j, j]) if S[i, i] * S[j, j] > 0 else float("nan")
        elif op == "~1":
            value = est / sd[i]
        else:
            value = float("nan")
    return float(value)


def r_square(C: np.ndarray, S: np.ndarray, A: np.ndarray, names: tuple[str, ...]) -> dict[str, float]:
    """R-square of every variable that has a predictor or a factor: ``1 - S_ii / C_ii``.

    As in lavaan, a value outside [0, 1] (an improper solution) is reported as NaN.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[0.0, 0.5], [0.0, 0.0]])
    >>> r_square(np.array([[2.0, .5], [.5, 1.0]]), np.diag([1.5, 1.0]), A, ("y", "x"))
    {'y': 0.25}
    """
    out: dict[str, float] = {}
    for i, name in enumerate(names):
        if np.any(A[i, :] != 0):
            value = float(1.0 - S[i, i] / C[i, i]) if C[i, i] > 0 else float("nan")
            out[name] = value if 0.0 <= value <= 1.0 else float("nan")
    return out

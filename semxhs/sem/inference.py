"""Standard errors, Wald tests and delta-method inference for defined parameters."""

from __future__ import annotations

import math

import numpy as np

from semxhs.sem.expression import Node, evaluate, gradient
from semxhs.sem.threads import one_blas_thread


def covariance_from_information(info: np.ndarray, n: int) -> tuple[np.ndarray, bool]:
    """Invert ``n * info`` to the sampling covariance of the estimates.

    Returns the matrix and whether the information matrix was invertible (a singular one
    means the model is not identified); when it is not, the matrix is all NaN.

    Examples
    --------
    >>> import numpy as np
    >>> v, ok = covariance_from_information(np.array([[2.0]]), 50)
    >>> float(v[0, 0]), ok
    (0.01, True)
    """
    q = info.shape[0]
    if q == 0:
        return np.zeros((0, 0)), True
    with one_blas_thread():  # small matrices (semxhs.sem.threads)
        eig = np.linalg.eigvalsh((info + info.T) / 2)
        if eig.min() <= 1e-10 * max(1.0, eig.max()):
            return np.full((q, q), np.nan), False
        return np.linalg.inv(n * info), True


def wald(est: float, se: float, level: float = 0.95) -> tuple[float | None, float | None, float, float]:
    """z, two-sided p and the normal-theory confidence interval of one estimate.

    Examples
    --------
    >>> z, p, lo, hi = wald(0.5, 0.1)
    >>> round(z, 3), f"{p:.4g}", round(lo, 4), round(hi, 4)
    (5.0, '5.733e-07', 0.304, 0.696)
    """
    if not (se > 0 and math.isfinite(se)):
        return None, None, est, est
    from scipy import special  # here, not at the top: importing scipy.special costs as much as numpy

    z = est / se
    crit = float(special.ndtri(0.5 + level / 2))
    return z, float(2 * special.ndtr(-abs(z))), est - crit * se, est + crit * se


def delta_method(tree: Node, values: dict[str, float], label_index: dict[str, int],
                 vcov: np.ndarray) -> tuple[float, float]:
    """Value and delta-method standard error of a defined parameter.

    Parameters
    ----------
    tree : Node
        Parsed expression.
    values : dict
        Value of every name the expression may use.
    label_index : dict
        Free-parameter position (0-based) of every free label; names not in it are fixed.
    vcov : numpy.ndarray
        Sampling covariance of the free parameters.

    Returns
    -------
    (value, se) : tuple of float
        ``(nan, nan)`` when the value is not finite (``a/0``); ``se`` is NaN when the
        gradient is not finite (``sqrt`` at 0) or the variance is negative.

    Examples
    --------
    >>> import numpy as np
    >>> from semxhs.sem.expression import parse_expression
    >>> v, se = delta_method(parse_expression("a*b"), {"a": 2.0, "b": 3.0}, {"a": 0, "b": 1},
    ...                      np.diag([0.01, 0.04]))
    >>> v, round(se, 6)
    (6.0, 0.5)
    >>> delta_method(parse_expression("a/(b-b)"), {"a": 2.0, "b": 3.0}, {"a": 0, "b": 1}, np.diag([0.01, 0.04]))
    (nan, nan)
    """
    value = float(evaluate(tree, values))
    if not math.isfinite(value):
        return float("nan"), float("nan")
    grad = np.zeros(vcov.shape[0])
    for name, d in gradient(tree, values).items():
        if name in label_index:
            grad[label_index[name]] += d
    if not np.all(np.isfinite(grad)):
        return value, float("nan")
    with np.errstate(all="ignore"):
        var = float(grad @ vcov @ grad)
    return value, math.sqrt(var) if var >= 0 else float("nan")


def wald_test(constraints: str, values: dict[str, float], label_index: dict[str, int],
              vcov: np.ndarray) -> dict[str, object]:
    """Wald test of constraints on labelled parameters, as lavaan's ``lavTestWald``.

    ``constraints`` holds ``lhs == rhs`` equations separated by ``;`` or new lines, each side
    an expression of labels (``a1 == a2``, ``a1*b1 == a2*b2``, ``b2 == 2*b1``). With
    ``g(theta) = lhs - rhs`` and its Jacobian ``J``, ``X2 = g' (J V J')^-1 g`` on as many
    degrees of freedom as equations.

    Raises
    ------
    SpecError
        An equation without ``==`` or naming something that is not a label.

    Examples
    --------
    >>> import numpy as np
    >>> r = wald_test("a == b", {"a": 1.0, "b": 0.5}, {"a": 0, "b": 1}, np.diag([0.04, 0.0225]))
    >>> round(r["X2"], 4), r["df"]
    (4.0, 1)
    """
    from semxhs.errors import SpecError, name_list
    from semxhs.sem.expression import names_in, parse_expression

    equations = [e.strip() for e in constraints.replace("\n", ";").split(";") if e.strip()]
    g = np.zeros(len(equations))
    J = np.zeros((len(equations), vcov.shape[0]))
    for i, eq in enumerate(equations):
        if eq.count("==") != 1:
            raise SpecError(f"Wald test: '{eq}' is not an equation 'lhs == rhs'")
        left, right = eq.split("==")
        try:
            tree = parse_expression(f"({left.strip()})-({right.strip()})")
        except SpecError as exc:
            raise SpecError(f"Wald test: cannot read '{eq}': {exc}") from None
        unknown = sorted(names_in(tree) - set(values))
        if unknown:
            raise SpecError(f"Wald test: {name_list(unknown)} in '{eq}' "
                            f"{'is not a label' if len(unknown) == 1 else 'are not labels'} of the model")
        g[i] = float(evaluate(tree, values))
        for name, d in gradient(tree, values).items():
            if name in label_index:
                J[i, label_index[name]] += d
    cov = J @ vcov @ J.T
    x2 = float(g @ np.linalg.solve(cov, g))
    df = len(equations)
    from scipy import special

    return {"constraints": "; ".join(equations), "X2": x2, "df": df, "pvalue": float(special.chdtrc(df, x2))}

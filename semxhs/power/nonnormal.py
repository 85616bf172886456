"""Non-normal data with given skewness and excess kurtosis: Fleishman's power method with the Vale-Maurelli correction.

Each variable is ``Y = a + bZ + cZ² + dZ³`` of a standard normal Z with a = −c
(Fleishman, 1978); the correlations of the normal Z's are chosen so that the Y's have
the target correlation matrix (Vale & Maurelli, 1983), as lavaan's ``simulateData``
does with its ``skewness``/``kurtosis`` arguments.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from semxhs.errors import SpecError

__all__ = ["fleishman", "intermediate_correlation", "vale_maurelli"]


def fleishman(skew: float, kurtosis: float) -> tuple[float, float, float]:
    """Coefficients (b, c, d) of Fleishman's cubic for a skewness and an excess kurtosis (a = −c).

    Raises
    ------
    SpecError
        When no cubic of a normal variable has these moments (kurtosis too small for the skewness).

    Examples
    --------
    >>> b, c, d = fleishman(0.0, 0.0)
    >>> round(b, 6), round(c, 6), round(d, 6)
    (1.0, 0.0, 0.0)
    >>> b, c, d = fleishman(1.0, 2.0)
    >>> z = np.random.default_rng(1).normal(size=400_000); y = -c + b*z + c*z**2 + d*z**3
    >>> from scipy import stats
    >>> bool(abs(stats.skew(y) - 1.0) < 0.05), bool(abs(stats.kurtosis(y) - 2.0) < 0.2)   # 400,000 draws
    (True, True)
    """
    if skew == 0 and kurtosis == 0:
        return 1.0, 0.0, 0.0

    def equations(v: np.ndarray) -> np.ndarray:
        b, c, d = v
        return np.array([
            b**2 + 6 * b * d + 2 * c**2 + 15 * d**2 - 1,
            2 * c * (b**2 + 24 * b * d + 105 * d**2 + 2) - skew,
            24 * (b * d + c**2 * (1 + b**2 + 28 * b * d) + d**2 * (12 + 48 * b * d + 141 * c**2 + 225 * d**2))
            - kurtosis,
        ])

    sol = optimize.root(equations, np.array([1.0, 0.0, 0.0]), method="hybr", tol=1e-12)
    if not sol.success or np.max(np.abs(equations(sol.x))) > 1e-8:
        raise SpecError(f"no Fleishman transformation has skewness {skew} and excess kurtosis {kurtosis} "
                        "(the kurtosis must exceed about 1.5 times the squared skewness minus 1.1)")
    b, c, d = (float(x) for x in sol.x)
    return b, c, d


def intermediate_correlation(r: float, c1: tuple[float, float, float], c2: tuple[float, float, float]) -> float:
    """The correlation of the two normal Z's that gives correlation ``r`` between the two Fleishman variables.

    Solves r = ρ(b₁b₂ + 3b₁d₂ + 3d₁b₂ + 9d₁d₂) + 2ρ²c₁c₂ + 6ρ³d₁d₂ (Vale & Maurelli, 1983) on [−1, 1].

    Examples
    --------
    >>> round(intermediate_correlation(0.5, (1.0, 0.0, 0.0), (1.0, 0.0, 0.0)), 6)
    0.5
    """
    b1, c1_, d1 = c1
    b2, c2_, d2 = c2

    def f(rho: float) -> float:
        return rho * (b1 * b2 + 3 * b1 * d2 + 3 * d1 * b2 + 9 * d1 * d2) + 2 * rho**2 * c1_ * c2_ + 6 * rho**3 * d1 * d2 - r

    if abs(r) < 1e-15:
        return 0.0
    lo, hi = -1.0, 1.0
    if f(lo) * f(hi) > 0:
        raise SpecError(f"the correlation {r:.3f} cannot be reached with the requested skewness and kurtosis")
    return float(optimize.brentq(f, lo, hi, xtol=1e-14))


def vale_maurelli(cov: np.ndarray, n: int, rng: np.random.Generator, skew: float, kurtosis: float) -> np.ndarray:
    """``n`` rows with covariance ``cov`` (in expectation), zero means, and the given univariate skewness and kurtosis.

    Examples
    --------
    >>> cov = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> x = vale_maurelli(cov, 200_000, np.random.default_rng(2), 1.0, 2.0)
    >>> round(float(np.corrcoef(x.T)[0, 1]), 2)
    0.5
    """
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    coef = fleishman(skew, kurtosis)
    p = cov.shape[0]
    inter = np.eye(p)
    for i in range(p):
        for j in range(i):
            inter[i, j] = inter[j, i] = intermediate_correlation(float(corr[i, j]), coef, coef)
    try:
        chol = np.linalg.cholesky(inter)
    except np.linalg.LinAlgError:
        raise SpecError("the intermediate correlation matrix of the non-normal data is not positive definite: "
                        "use milder skewness or kurtosis") from None
    z = rng.standard_normal((n, p)) @ chol.T
    b, c, d = coef
    y = -c + b * z + c * z**2 + d * z**3
    return y * sd

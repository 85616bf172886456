"""Reliability and convergent validity: Cronbach's alpha (with Feldt CI), CR, omega, AVE.

Pure functions of plain numbers/arrays; :func:`semxhs.measurement.measurement_quality`
pulls the numbers from data and a fitted CFA.

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika, 16*, 297–334.
Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
    coefficient alpha. *Applied Psychological Measurement, 11*, 93–103.
Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. *Journal of Marketing Research, 18*, 39–50.
Raykov, T. (1997). Estimation of composite reliability for congeneric measures.
    *Applied Psychological Measurement, 21*, 173–184.
McDonald, R. P. (1999). *Test theory: A unified treatment.* Erlbaum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special  # scipy.special, not scipy.stats: stats costs ~0.5 s to import

from semxhs.errors import DataError, name_list

__all__ = [
    "OmegaInputs",
    "alpha_ci_feldt",
    "average_variance_extracted",
    "block_omega",
    "composite_reliability",
    "cronbach_alpha",
    "omega",
]


def cronbach_alpha(cov: ArrayLike) -> float:
    r"""Cronbach's (1951) alpha of a sum score from the items' covariance matrix.

    .. math:: \alpha = \frac{k}{k-1}\Bigl(1 - \frac{\operatorname{tr} S}{\mathbf 1' S \mathbf 1}\Bigr)

    With the unbiased (n − 1) covariance matrix this is psych::alpha's ``raw_alpha``
    and pingouin.cronbach_alpha's estimate (the divisor cancels).

    Parameters
    ----------
    cov : array_like, shape (k, k)
        Covariance matrix of the k ≥ 2 items.

    Examples
    --------
    >>> cronbach_alpha([[1.0, 0.5], [0.5, 1.0]])
    0.666...
    """
    s = np.asarray(cov, dtype=float)
    if s.ndim != 2 or s.shape[0] != s.shape[1]:
        raise DataError(f"cov: expected a square covariance matrix, got shape {s.shape}")
    k = s.shape[0]
    if k < 2:
        raise DataError(f"cov: alpha needs at least 2 items, got {k}")
    total = s.sum()
    if total <= 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - np.trace(s) / total))


def alpha_ci_feldt(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    r"""Feldt, Woodruff & Salih (1987) confidence interval of coefficient alpha.

    .. math::

        \bigl[1 - (1-\hat\alpha) F_{1-\gamma/2}(n-1, (n-1)(k-1)),\;
              1 - (1-\hat\alpha) F_{\gamma/2}(n-1, (n-1)(k-1))\bigr],\quad \gamma = 1 - \text{level}

    where :math:`F_q` is the q-quantile of the F distribution. This is the interval of
    psych::alpha (``$feldt``) and of pingouin.cronbach_alpha, except that pingouin
    rounds its interval to three decimals; here nothing is rounded.

    Examples
    --------
    >>> lo, hi = alpha_ci_feldt(0.8, n=200, k=5)
    >>> round(lo, 4), round(hi, 4)
    (0.7526, 0.8407)
    """
    if not 0 < level < 1:
        raise DataError(f"level: expected a confidence level between 0 and 1, got {level}")
    if n < 2 or k < 2:
        raise DataError(f"alpha_ci_feldt: needs n >= 2 and k >= 2, got n={n}, k={k}")
    gamma = 1.0 - level
    df1 = n - 1
    df2 = df1 * (k - 1)
    lower = 1.0 - (1.0 - alpha) * special.fdtri(df1, df2, 1.0 - gamma / 2)
    upper = 1.0 - (1.0 - alpha) * special.fdtri(df1, df2, gamma / 2)
    return float(lower), float(upper)


def composite_reliability(loadings: ArrayLike, error_var: ArrayLike | None = None) -> float:
    r"""Composite (construct) reliability from completely standardized loadings.

    .. math:: CR = \frac{(\sum_i \lambda_i)^2}{(\sum_i \lambda_i)^2 + \sum_i \theta_i},
              \qquad \theta_i = 1 - \lambda_i^2 \text{ by default}

    (Fornell & Larcker 1981; Raykov 1997; the CR of Hair et al.). Pass
    ``error_var`` (standardized residual variances) when the model has cross-loadings,
    where :math:`\theta_i \ne 1-\lambda_i^2`.

    Examples
    --------
    >>> composite_reliability([0.7, 0.8, 0.9])
    0.8445...
    """
    lam = np.asarray(loadings, dtype=float)
    theta = 1.0 - lam**2 if error_var is None else np.asarray(error_var, dtype=float)
    if lam.shape != theta.shape or lam.ndim != 1 or lam.size < 1:
        raise DataError(
            f"composite_reliability: loadings and error_var must be 1-D of equal length, "
            f"got shapes {lam.shape} and {theta.shape}"
        )
    num = lam.sum() ** 2
    return float(num / (num + theta.sum()))


def average_variance_extracted(loadings: ArrayLike) -> float:
    r"""Average variance extracted (Fornell & Larcker 1981) from standardized loadings.

    .. math:: AVE = \frac{1}{k}\sum_i \lambda_i^2

    (equal to Fornell & Larcker's :math:`\sum\lambda^2/(\sum\lambda^2+\sum(1-\lambda^2))`
    for standardized loadings).

    Examples
    --------
    >>> average_variance_extracted([0.6, 0.8])
    0.5
    """
    lam = np.asarray(loadings, dtype=float)
    if lam.ndim != 1 or lam.size < 1:
        raise DataError(f"average_variance_extracted: expected a 1-D array of loadings, got shape {lam.shape}")
    return float(np.mean(lam**2))


def omega(
    loadings: ArrayLike,
    residual_var: ArrayLike,
    factor_var: float = 1.0,
    residual_cov_sum: float = 0.0,
    total_var: float | None = None,
) -> float:
    r"""McDonald's omega of a unidimensional block from (unstandardized) CFA estimates.

    .. math::

        \omega = \frac{(\sum_i \lambda_i)^2 \psi}
                      {(\sum_i \lambda_i)^2 \psi + \sum_i \theta_{ii} + 2\sum_{i<j}\theta_{ij}}

    the model-implied variance of the sum score in the denominator, as
    ``semTools::compRelSEM(fit, obs.var = FALSE)`` (Raykov 1997; McDonald 1999).
    Passing ``total_var`` (the observed variance of the unweighted sum score) puts
    it in the denominator instead, as compRelSEM's default ``obs.var = TRUE``
    (semTools uses lavaan's sample covariance, divisor N).

    Parameters
    ----------
    loadings : array_like
        Unstandardized loadings λ of the block's items on the factor.
    residual_var : array_like
        Residual variances θ_ii of the items.
    factor_var : float, default 1
        Factor variance ψ.
    residual_cov_sum : float, default 0
        Σ_{i<j} θ_ij: the sum of the residual covariances among the block's items,
        each pair counted once (the formula doubles it).
    total_var : float, optional
        Observed variance of the sum score.

    Examples
    --------
    >>> omega([1.0, 0.8, 0.9], [0.5, 0.6, 0.4], factor_var=0.8)
    0.7954...
    """
    lam = np.asarray(loadings, dtype=float)
    theta = np.asarray(residual_var, dtype=float)
    if lam.shape != theta.shape or lam.ndim != 1:
        raise DataError(
            f"omega: loadings and residual_var must be 1-D of equal length, got shapes {lam.shape} and {theta.shape}"
        )
    true_var = lam.sum() ** 2 * float(factor_var)
    denom = true_var + theta.sum() + 2.0 * float(residual_cov_sum) if total_var is None else float(total_var)
    return float(true_var / denom)


@dataclass(frozen=True)
class OmegaInputs:
    """Unstandardized CFA estimates needed for omega.

    Attributes
    ----------
    loadings : mapping
        ``{factor: {item: λ}}``, unstandardized.
    residual_variances : mapping
        ``{item: θ_ii}``.
    factor_variances : mapping
        ``{factor: ψ}``.
    residual_covariances : mapping, optional
        ``{(item_a, item_b): θ_ab}`` (each pair once, either order); only pairs within
        a block enter omega.
    """

    loadings: Mapping[str, Mapping[str, float]]
    residual_variances: Mapping[str, float]
    factor_variances: Mapping[str, float]
    residual_covariances: Mapping[tuple[str, str], float] = field(default_factory=dict)

    @classmethod
    def from_partable(cls, partable: pd.DataFrame) -> OmegaInputs:
        """Build from a lavaan-style parameter table with columns ``lhs, op, rhs, est``.

        Loadings are the ``=~`` rows; an ``~~`` row with ``lhs == rhs`` is a variance
        (of a factor when ``lhs`` is a factor, else of an item's residual); other
        ``~~`` rows between items are residual covariances.

        Examples
        --------
        >>> pt = pd.DataFrame({"lhs": ["f", "f", "a", "b", "f", "a"], "op": ["=~", "=~", "~~", "~~", "~~", "~~"],
        ...                    "rhs": ["a", "b", "a", "b", "f", "b"], "est": [1.0, 0.9, 0.4, 0.5, 0.7, 0.1]})
        >>> oi = OmegaInputs.from_partable(pt)
        >>> dict(oi.loadings["f"]), oi.factor_variances, oi.residual_covariances
        ({'a': 1.0, 'b': 0.9}, {'f': 0.7}, {('a', 'b'): 0.1})
        """
        need = {"lhs", "op", "rhs", "est"}
        if not need <= set(partable.columns):
            raise DataError(
                f"partable: needs columns {name_list(sorted(need))}, missing {name_list(sorted(need - set(partable.columns)))}"
            )
        loadings: dict[str, dict[str, float]] = {}
        for r in partable[partable["op"] == "=~"].itertuples(index=False):
            loadings.setdefault(str(r.lhs), {})[str(r.rhs)] = float(r.est)
        factors = set(loadings)
        resid: dict[str, float] = {}
        fvar: dict[str, float] = {}
        rcov: dict[tuple[str, str], float] = {}
        for r in partable[partable["op"] == "~~"].itertuples(index=False):
            lhs, rhs = str(r.lhs), str(r.rhs)
            if lhs == rhs:
                (fvar if lhs in factors else resid)[lhs] = float(r.est)
            elif lhs not in factors and rhs not in factors:
                rcov[(lhs, rhs)] = float(r.est)
        return cls(loadings=loadings, residual_variances=resid, factor_variances=fvar, residual_covariances=rcov)


def block_omega(inputs: OmegaInputs, factor: str, items: Sequence[str]) -> float:
    """Omega of ``factor`` measured by ``items`` from :class:`OmegaInputs` (see :func:`omega`).

    Raises
    ------
    DataError
        Naming the factor and the items or variance that ``inputs`` lacks.

    Examples
    --------
    >>> oi = OmegaInputs({"f": {"a": 1.0, "b": 0.9}}, {"a": 0.4, "b": 0.5}, {"f": 0.7})
    >>> block_omega(oi, "f", ["a", "b"])
    0.7373...
    """
    lam_map = inputs.loadings.get(factor)
    if lam_map is None:
        raise DataError(f"omega_inputs: no unstandardized loadings for factor '{factor}'")
    if factor not in inputs.factor_variances:
        raise DataError(f"omega_inputs: no variance for factor '{factor}'")
    missing = [i for i in items if i not in lam_map]
    if missing:
        raise DataError(f"omega_inputs: factor '{factor}' has no loading for {name_list(missing)}")
    missing = [i for i in items if i not in inputs.residual_variances]
    if missing:
        raise DataError(f"omega_inputs: no residual variance for {name_list(missing)}")
    in_block = set(items)
    cov_sum = sum(
        float(v) for (a, b), v in inputs.residual_covariances.items() if a in in_block and b in in_block and a != b
    )
    return omega(
        [lam_map[i] for i in items],
        [inputs.residual_variances[i] for i in items],
        factor_var=inputs.factor_variances[factor],
        residual_cov_sum=cov_sum,
    )

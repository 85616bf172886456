"""A power study's design, checked at once, and the true values its analysis model should recover.

The population model is lavaan syntax with every loading and path fixed (as lavaan's
``simulateData``); the analysis model is the model a student fits. The true value of each
target (every free regression path and every ``:=`` effect of the analysis model) is the
analysis model's estimate at the population moments: the analysis model is fitted once to
a data set whose sample covariance equals the population covariance exactly. For a
correctly specified model these are the population values in the analysis model's own
scale (a marker-scaled factor's paths are in its marker's units, not standardized).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from semxhs.errors import SemxhsError, SpecError, name_list
from semxhs.sem.model import fit
from semxhs.sem.ram import RamStructure
from semxhs.sem.results import SemResult
from semxhs.sem.simulate import population_covariance

__all__ = ["CI_METHODS", "PowerDesign", "Target", "Truth", "design_truth", "population_from_fit"]

CI_METHODS = ("wald", "montecarlo", "percentile", "bc")
"""How ``:=`` effects are judged: Wald (delta method), Monte Carlo, or bootstrap (percentile, bias-corrected)."""


@dataclass(frozen=True)
class PowerDesign:
    """What to simulate and how to judge it.

    Attributes
    ----------
    population, analysis : str
        The population model (all values fixed) and the analysis model, lavaan syntax.
    ns : tuple of int
        Sample sizes.
    reps : int
        Replications per sample size.
    seed : int
        Seed of the ``SeedSequence`` whose children seed the replications.
    alpha : float
        Significance level (intervals are at 1 − alpha).
    missing : float
        Share of cells set missing completely at random; the analysis then uses FIML.
    skew, kurtosis : float
        Univariate skewness and excess kurtosis of every observed variable (Vale-Maurelli).
    ci : str
        How ``:=`` effects are tested (:data:`CI_METHODS`); regression paths always by Wald.
    bootstrap : int
        Bootstrap draws per replication for ``ci`` = percentile or bc.
    mc_draws : int
        Monte Carlo draws per replication for ``ci`` = montecarlo.
    """

    population: str
    analysis: str
    ns: tuple[int, ...]
    reps: int
    seed: int
    alpha: float = 0.05
    missing: float = 0.0
    skew: float = 0.0
    kurtosis: float = 0.0
    ci: str = "wald"
    bootstrap: int = 0
    mc_draws: int = 5000

    def check(self) -> None:
        """Refuse an unusable design with one message listing every problem."""
        problems = []
        if self.reps < 1:
            problems.append(f"--reps must be at least 1 (received {self.reps})")
        if not self.ns or any(n < 3 for n in self.ns):
            problems.append(f"--n needs sample sizes of at least 3 (received {list(self.ns)})")
        if not 0 < self.alpha < 1:
            problems.append(f"--alpha must lie between 0 and 1 (received {self.alpha})")
        if not 0 <= self.missing < 0.5:
            problems.append(f"--missing must be a share from 0% to under 50% (received {self.missing:.0%})")
        if self.ci not in CI_METHODS:
            problems.append(f"--ci must be one of {name_list(CI_METHODS)} (received '{self.ci}')")
        if self.ci in ("percentile", "bc") and self.bootstrap < 1:
            problems.append(f"--ci {self.ci} needs --bootstrap B with B of at least 1")
        if self.missing > 0 and self.ci in ("percentile", "bc", "montecarlo"):
            problems.append(f"--ci {self.ci} resamples complete rows; with --missing use --ci wald (FIML)")
        if self.mc_draws < 1:
            problems.append(f"Monte Carlo draws must be at least 1 (received {self.mc_draws})")
        if problems:
            raise SpecError("power: " + "; ".join(problems))


@dataclass(frozen=True)
class Target:
    """An effect whose power is estimated: a free regression path or a defined (``:=``) effect."""

    lhs: str
    op: str
    rhs: str
    label: str
    true: float

    @property
    def key(self) -> str:
        return self.label if self.op == ":=" else f"{self.lhs} {self.op} {self.rhs}"


@dataclass(frozen=True)
class Truth:
    """The population covariance (observed variables in ``names`` order), the targets, the model's df,
    and the analysis model's free parameters at the population moments (``theta``, the start of
    every batched replication fit)."""

    cov: np.ndarray
    names: tuple[str, ...]
    targets: tuple[Target, ...]
    df: int
    theta: tuple[float, ...] = ()


def exact_sample(cov: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """``n`` rows whose ML sample covariance is exactly ``cov`` and whose means are exactly 0.

    Examples
    --------
    >>> cov = np.array([[1.0, 0.3], [0.3, 2.0]])
    >>> x = exact_sample(cov, 50)
    >>> bool(np.allclose(x.T @ x / 50, cov)), bool(np.allclose(x.mean(axis=0), 0))
    (True, True)
    """
    z = np.random.default_rng(seed).standard_normal((n, cov.shape[0]))
    z -= z.mean(axis=0)
    white = np.linalg.cholesky(z.T @ z / n)
    z = np.linalg.solve(white, z.T).T
    return z @ np.linalg.cholesky(cov).T


def design_truth(design: PowerDesign) -> Truth:
    """Check the design, the population model and the analysis model; compute the true values.

    Raises
    ------
    SpecError
        A population model with free loadings or paths, a population covariance that is not
        positive definite, an analysis model using variables the population does not generate,
        an analysis model that does not converge at the population moments.

    Examples
    --------
    >>> d = PowerDesign("y ~ 0.3*x + 0.2*m\\nm ~ 0.5*x", "m ~ a*x\\ny ~ b*m + x\\nab := a*b", (100,), 10, 1)
    >>> t = design_truth(d)
    >>> [(x.key, round(x.true, 3)) for x in t.targets]
    [('m ~ x', 0.5), ('y ~ m', 0.2), ('y ~ x', 0.3), ('ab', 0.1)]
    """
    design.check()
    try:
        cov, names = population_covariance(design.population)
    except SpecError as exc:
        text = str(exc)
        raise SpecError(text if text.startswith("population model") else f"population model: {text}") from None
    eig = np.linalg.eigvalsh(cov)
    if not np.all(np.isfinite(eig)) or eig.min() <= 1e-10:
        raise SpecError("population model: its covariance matrix is not positive definite "
                        f"(smallest eigenvalue {eig.min():.3g}); check the paths and fixed variances")
    n0 = max(2000, 50 * len(names))
    frame = pd.DataFrame(exact_sample(cov, n0), columns=list(names))
    try:
        res = fit(design.analysis, frame, level=1 - design.alpha)
    except SemxhsError as exc:
        text = str(exc)
        if "not in the data" in text:
            raise SpecError(f"analysis model uses variables the population model does not generate: {text}") from None
        raise SpecError(f"analysis model at the population values: {text}") from None
    if not res.converged:
        raise SpecError("analysis model does not converge at the population moments: check that it is identified")
    smallest = len(res.observed) + 1
    too_small = [n for n in design.ns if n <= smallest]
    if too_small:
        raise SpecError(f"--n: {name_list(too_small)} too small for {len(res.observed)} observed variables "
                        f"(need more than {smallest})")
    targets = tuple(
        Target(p.lhs, p.op, p.rhs, p.label, float(p.est))
        for p in res.parameters if (p.op == "~" and p.free) or p.op == ":="
    )
    if not targets:
        raise SpecError("analysis model has no free regression path and no := effect whose power could be estimated")
    if any(not math.isfinite(t.true) for t in targets):
        raise SpecError("analysis model: a target has no finite value at the population moments")
    theta = tuple(float(v) for v in res.state.theta) if res.state is not None else ()
    return Truth(cov=cov, names=tuple(names), targets=targets, df=int(res.fit.df), theta=theta)


def population_from_fit(sem: SemResult) -> str:
    """A population model whose values are a fit's estimates: every loading, path, variance and covariance fixed.

    Means are left out (replications are drawn with zero means). The model's covariance matrix
    is checked against the fit's implied covariance, so a model this cannot express (a latent
    product, say) is refused rather than simulated wrongly.

    Raises
    ------
    SpecError
        When the fit has no state (summary statistics without one) or its covariance is not reproduced.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=300); y = 0.4 * x + rng.normal(size=300)
    >>> text = population_from_fit(fit("y ~ x", pd.DataFrame({"x": x, "y": y})))
    >>> [(line.split()[1], line.split("*")[1]) for line in text.splitlines()]
    [('~', 'x'), ('~~', 'y'), ('~~', 'x')]
    >>> round(float(text.split()[2].split("*")[0]), 3)
    0.473
    """
    lines = []
    for p in sem.parameters:
        if p.op in ("=~", "~", "~~") and math.isfinite(p.est):
            lines.append(f"{p.lhs} {p.op} {p.est:.15g}*{p.rhs}")
    text = "\n".join(lines)
    state = sem.state
    if state is None:
        raise SpecError("the study's fit keeps no estimates to simulate from: give 'population: FILE'")
    implied = RamStructure(state.partable, state.sample_cov, state.sample_mean).implied(state.theta).sigma
    try:
        cov, names = population_covariance(text)
        order = [names.index(v) for v in state.partable.observed]
    except (SemxhsError, ValueError):
        ok = False
    else:
        ok = bool(np.allclose(cov[np.ix_(order, order)], implied, rtol=1e-8, atol=1e-10))
    if not ok:
        raise SpecError("the study's estimates cannot be written as a population model (e.g. a latent product "
                        "term): give 'population: FILE' with every loading and path fixed")
    return text

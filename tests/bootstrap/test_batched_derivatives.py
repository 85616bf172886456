"""The compact derivatives (semxhs/sem/derivatives.py) against their definitions.

Not reference tests (no R numbers): the gradient is checked against the single-sample
chain rule (:func:`semxhs.sem.estimate.gradient`), the expected information against
``1/2 tr(Sigma^-1 dSigma_k Sigma^-1 dSigma_l) + dmu_k' Sigma^-1 dmu_l`` built from the dense
``dSigma_k`` of :meth:`RamStructure.jacobian`, and the Hessian against central differences
of the gradient. The chunking of the batched fit must not change any draw's estimates.
"""

from __future__ import annotations

import numpy as np
import pytest

from semxhs.resample.batch import BatchedML, BatchMoments, ResampleMoments
from semxhs.resample.engine import resample_indices
from semxhs.sem.estimate import Moments, _difference_hessian, fit_ml, gradient, unit_information
from semxhs.sem.partable import build_partable
from semxhs.sem.ram import RamStructure
from semxhs.sem.simulate import simulate

POPULATION = """f =~ 0.7*x1 + 0.7*x2 + 0.7*x3 + 0.6*x4
g =~ 0.7*y1 + 0.7*y2 + 0.7*y3
h =~ 0.8*z1 + 0.6*z2 + 0.7*z3
g ~ 0.4*f
h ~ 0.3*g + 0.2*f + 0.2*w
"""

MODELS = {
    "latent mediation": ("f =~ x1 + x2 + x3 + x4\ng =~ y1 + y2 + y3\nh =~ z1 + z2 + z3\ng ~ f\nh ~ g + f\n"
                         "x1 ~~ y1", False),
    "equality constraints": ("f =~ x1 + a*x2 + a*x3 + x4\ng =~ y1 + b*y2 + b*y3\nh =~ z1 + z2 + z3\n"
                             "g ~ c*f\nh ~ c*g + f", False),
    "std.lv, fixed.x covariate": ("f =~ x1 + x2 + x3 + x4\ng =~ y1 + y2 + y3\nh =~ z1 + z2 + z3\n"
                                  "g ~ f\nh ~ g + w", False),
    "mean structure": ("f =~ x1 + x2 + x3 + x4\ng =~ y1 + y2 + y3\nh =~ z1 + z2 + z3\ng ~ f\nh ~ g + f\n"
                       "g ~ 1", True),
}


@pytest.fixture(scope="module")
def data():
    return simulate(POPULATION + "w ~~ 1*w\n", n=400, seed=11)


def _setup(data, model: str, meanstructure: bool, std_lv: bool = False):
    pt = build_partable(model, meanstructure=meanstructure, std_lv=std_lv)
    values = data[list(pt.observed)].to_numpy(float)
    moments = Moments.from_data(values)
    structure = RamStructure(pt, moments.cov, moments.mean)
    est = fit_ml(structure, moments)
    assert est.converged
    return structure, values, moments, est.theta


def _dense_information(structure: RamStructure, theta: np.ndarray) -> np.ndarray:
    imp = structure.implied(theta)
    inv = np.linalg.inv(imp.sigma)
    d_sigma, d_mu = structure.jacobian(imp)
    M = np.einsum("ij,qjk->qik", inv, d_sigma)
    info = 0.5 * np.einsum("kij,lji->kl", M, M)
    if structure.meanstructure:
        info += d_mu @ inv @ d_mu.T
    return info


@pytest.mark.parametrize("name", list(MODELS))
def test_batched_derivatives_match_their_definitions(data, name):
    model, meanstructure = MODELS[name]
    structure, values, moments, theta = _setup(data, model, meanstructure, name.startswith("std.lv"))
    ml = BatchedML(structure)
    mom = ResampleMoments(values)(resample_indices(values.shape[0], 3, seed=5))
    rng = np.random.default_rng(2)
    thetas = theta + 0.02 * rng.normal(size=(3, theta.size))
    grad, fisher, hess = ml.derivatives(thetas, mom, newton=True)
    assert (hess is None) == meanstructure
    for i in range(3):
        one = Moments(cov=mom.cov[i], mean=mom.mean[i], n=mom.n, logdet=float(np.linalg.slogdet(mom.cov[i])[1]))
        own = RamStructure(structure.partable, mom.cov[i], mom.mean[i])  # this draw's fixed.x moments
        g = gradient(own, thetas[i], one)
        np.testing.assert_allclose(grad[i], g, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(fisher[i] / 2, _dense_information(own, thetas[i]), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(fisher[i] / 2, unit_information(own, own.implied(thetas[i])), rtol=1e-12,
                                   atol=1e-14)
        if hess is not None:
            assert np.array_equal(hess[i], hess[i].T)  # exactly symmetric by construction
            numeric = _difference_hessian(lambda t, own=own, one=one: gradient(own, t, one), thetas[i])
            if numeric is not None:
                np.testing.assert_allclose(hess[i], numeric, rtol=1e-5, atol=1e-6 * np.abs(numeric).max())


@pytest.mark.parametrize("name", ["latent mediation", "equality constraints"])
def test_chunking_does_not_change_the_draws(data, name):
    """Derivatives taken 4 draws at a time or all at once: the same estimates (draws are independent)."""
    model, meanstructure = MODELS[name]
    structure, values, _, theta = _setup(data, model, meanstructure)
    mom: BatchMoments = ResampleMoments(values)(resample_indices(values.shape[0], 40, seed=8))
    small, large = BatchedML(structure), BatchedML(structure)
    small.CHUNK_BYTES = 1  # the minimum chunk, 4 draws
    large.CHUNK_BYTES = 1 << 40  # one chunk
    assert small.chunk == 4 and large.chunk >= 40
    t_small, s_small = small.fit(mom, theta)
    t_large, s_large = large.fit(mom, theta)
    assert np.array_equal(s_small, s_large)
    np.testing.assert_allclose(t_small, t_large, rtol=0, atol=1e-10)


def test_exact_hessian_matches_differences(data):
    """The single fit's Newton metric (semxhs.sem.estimate.exact_hessian) is the Hessian."""
    from semxhs.sem.estimate import exact_hessian

    structure, _, moments, theta = _setup(data, MODELS["equality constraints"][0], False)
    exact = exact_hessian(structure, theta, moments)
    numeric = _difference_hessian(lambda t: gradient(structure, t, moments), theta)
    assert exact is not None and numeric is not None
    np.testing.assert_allclose(exact, numeric, rtol=1e-5, atol=1e-6 * np.abs(numeric).max())


@pytest.mark.parametrize(("n", "draws"), [(3, 7), (75, 2000), (301, 13), (2436, 450)])
def test_compact_indices_are_the_engines(n, draws):
    """Regression: the int32 indices drawn in pieces are exactly engine.resample_indices' (same seed)."""
    from semxhs.resample.engine import resample_indices as engine_indices
    from semxhs.resample.sem import _resample_indices

    ours = _resample_indices(n, draws, 11)
    assert ours.dtype == np.int32
    assert np.array_equal(ours, engine_indices(n, draws, 11))

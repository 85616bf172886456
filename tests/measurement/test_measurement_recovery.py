"""Recovery tests: simulated data (fixed seeds) with known population values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from semxhs.measurement import htmt, htmt2, htmt_bootstrap, measurement_quality

pytestmark = pytest.mark.recovery


def simulate(phi: np.ndarray, loadings: list[list[float]], n: int, seed: int) -> tuple[pd.DataFrame, dict]:
    """Standardized congeneric items: x = λ·η + ε, var(x) = 1, latent correlations ``phi``."""
    rng = np.random.default_rng(seed)
    eta = rng.multivariate_normal(np.zeros(len(phi)), phi, size=n)
    cols, blocks = {}, {}
    for k, lam in enumerate(loadings):
        name = "ABCDEFG"[k]
        blocks[name] = []
        for j, load in enumerate(lam):
            item = f"{name.lower()}{j + 1}"
            cols[item] = load * eta[:, k] + np.sqrt(1 - load**2) * rng.normal(size=n)
            blocks[name].append(item)
    return pd.DataFrame(cols), blocks


def test_htmt_recovers_latent_correlation_tau_equivalent():
    """With tau-equivalent items of equal loadings HTMT is consistent for the latent correlation
    (Henseler et al. 2015); HTMT2 too (it equals HTMT for equal population correlations)."""
    phi = np.array([[1.0, 0.5, 0.3], [0.5, 1.0, 0.7], [0.3, 0.7, 1.0]])
    data, blocks = simulate(phi, [[0.7] * 4, [0.7] * 4, [0.7] * 4], n=200_000, seed=20240601)
    got = htmt(data.corr(), blocks)
    got2 = htmt2(data.corr(), blocks)
    names = list(blocks)
    expected = pd.DataFrame(phi, index=names, columns=names)
    pd.testing.assert_frame_equal(got, expected, atol=0.01, rtol=0)
    pd.testing.assert_frame_equal(got2, expected, atol=0.01, rtol=0)


def test_htmt_bootstrap_interval_covers_population_value():
    phi = np.array([[1.0, 0.6], [0.6, 1.0]])
    data, blocks = simulate(phi, [[0.75] * 3, [0.75] * 3], n=800, seed=5)
    res = htmt_bootstrap(data, blocks, draws=1000, seed=11)
    iv = res.intervals[0]
    assert iv.ci_lower < 0.6 < iv.ci_upper
    # a 95% interval of a correlation-like ratio at n = 800 is narrow
    assert iv.ci_upper - iv.ci_lower < 0.15


@pytest.fixture(scope="module")
def near_duplicate():
    """Four constructs; A and B are nearly the same (latent correlation .97), others distinct."""
    phi = np.array(
        [
            [1.00, 0.97, 0.30, 0.25],
            [0.97, 1.00, 0.30, 0.25],
            [0.30, 0.30, 1.00, 0.40],
            [0.25, 0.25, 0.40, 1.00],
        ]
    )
    loadings = [[0.80, 0.75, 0.85], [0.80, 0.80, 0.75], [0.70, 0.80, 0.75], [0.80, 0.70, 0.75]]
    data, blocks = simulate(phi, loadings, n=1000, seed=97)
    lam = {f: dict(zip(items, loadings[k])) for k, (f, items) in enumerate(blocks.items())}
    latent = pd.DataFrame(phi, index=list(blocks), columns=list(blocks))
    return measurement_quality(data, blocks, lam, latent, htmt_boot=500, seed=2)


def test_near_duplicate_constructs_flagged(near_duplicate):
    res = near_duplicate
    assert res.htmt.loc["A", "B"] > 0.90
    htmt_fail = [f for f in res.findings if f.code == "htmt_liberal"]
    assert [f.subject for f in htmt_fail] == [("A", "B")]
    assert htmt_fail[0].value == pytest.approx(res.htmt.loc["A", "B"])
    from semxhs.report.labels import labels_for
    from semxhs.report.messages import finding_words

    en, zh = (finding_words(htmt_fail[0], labels_for(lang)) for lang in ("en", "zh"))
    assert "A ~ B: HTMT" in en and "> .90" in en
    assert "A 与 B" in zh and "区分效度不成立" in zh
    # no other pair has any discriminant-validity finding
    pair_codes = {"htmt_liberal", "htmt_strict", "htmt_ci_upper", "fornell_larcker"}
    assert {f.subject for f in res.findings if f.code in pair_codes} == {("A", "B")}
    # Fornell-Larcker fails for the pair too: .97 > sqrt(AVE) ~ .79
    assert [f.subject for f in res.findings if f.code == "fornell_larcker"] == [("A", "B")]
    # the bootstrap upper bound also exceeds .90
    assert [f.subject for f in res.findings if f.code == "htmt_ci_upper"] == [("A", "B")]
    # nothing else is wrong with these scales
    assert not [f for f in res.findings if f.code not in pair_codes | {"loading_ideal"}]

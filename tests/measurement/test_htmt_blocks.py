"""HTMT bootstrap in blocks of draws, from resample counts; the measurement stack's imports.

- regression (our own earlier output, labelled so): the intervals and failed draws equal
  those ``htmt_bootstrap`` gave at commit 4a80f8b, when it held every resample index at
  once (tests/fixtures/measurement/htmt_bootstrap/, with the script that wrote them);
- the blocked, chunked computation gives the same numbers whatever its memory budgets,
  and its memory follows those budgets, not draws × n;
- import guards: ``semxhs fit --no-measurement`` and re-keying import no measurement
  computation, and no run imports factor_analyzer, scikit-learn or scipy.stats.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from semxhs.measurement import validity
from semxhs.measurement.validity import cross_product_columns, htmt_bootstrap, weighted_correlations
from semxhs.resample.engine import resample_index_blocks, resample_indices

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "tests" / "fixtures" / "measurement" / "htmt_bootstrap"
sys.path.insert(0, str(HERE))
from make_regression import cases  # noqa: E402

REGRESSION = json.loads((HERE / "regression.json").read_text())


@pytest.mark.regression
@pytest.mark.parametrize("name", sorted(REGRESSION))
def test_intervals_equal_the_earlier_all_indices_at_once_version(name):
    """Regression against our own output at 4a80f8b: same draws, same intervals (to rounding)."""
    data, blocks, draws, seed = cases()[name]
    ref = REGRESSION[name]
    res = htmt_bootstrap(data, blocks, draws=draws, seed=seed)
    assert list(res.failed) == ref["failed"]
    assert len(res.intervals) == len(ref["intervals"])
    for iv, r in zip(res.intervals, ref["intervals"]):
        assert (iv.lhs, iv.rhs) == (r["lhs"], r["rhs"])
        assert iv.estimate == pytest.approx(r["estimate"], abs=1e-12)
        assert iv.ci_lower == pytest.approx(r["ci_lower"], abs=1e-12)
        assert iv.ci_upper == pytest.approx(r["ci_upper"], abs=1e-12)


def test_index_blocks_are_the_rows_of_one_draw():
    for n in (3, 301, 5000):
        whole = resample_indices(n, 23, seed=9)
        parts = list(resample_index_blocks(n, 23, np.random.default_rng(9), 5))
        assert [len(p) for p in parts] == [5, 5, 5, 5, 3]
        assert (np.concatenate(parts) == whole).all()


def test_weighted_moments_are_the_resample_correlations():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(40, 5)) + 3
    idx = resample_indices(40, 6, seed=1)
    counts = np.stack([np.bincount(i, minlength=40) for i in idx]).astype(float)
    x0 = x - x.mean(axis=0)
    corr, var = weighted_correlations(counts @ cross_product_columns(x0), 40.0, 5)
    for d, i in enumerate(idx):
        assert corr[d] == pytest.approx(np.corrcoef(x[i], rowvar=False), abs=1e-13)
        assert var[d] == pytest.approx(x[i].var(axis=0), rel=1e-12)


def likert(n: int, seed: int = 5) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    rng = np.random.default_rng(seed)
    eta = rng.normal(size=(n, 3))
    cols, blocks = {}, {}
    for f in range(3):
        for j in range(2):
            cols[f"F{f}{j}"] = np.clip(np.round(0.8 * eta[:, f] + 0.7 * rng.normal(size=n) + 3), 1, 5)
            blocks.setdefault(f"F{f}", []).append(f"F{f}{j}")
    return pd.DataFrame(cols), blocks


@pytest.mark.parametrize("n", [200, 6000])
def test_budgets_change_memory_not_numbers(monkeypatch, n):
    """Small budgets (short blocks, columns re-formed chunk by chunk) give the same numbers."""
    data, blocks = likert(n)
    res = htmt_bootstrap(data, blocks, draws=150, seed=3)
    monkeypatch.setattr(validity, "_COUNT_ELEMENTS", 7 * n)
    monkeypatch.setattr(validity, "_INDEX_ELEMENTS", 3 * n)
    monkeypatch.setattr(validity, "_ROW_CHUNK_ELEMENTS", 27 * 50)
    monkeypatch.setattr(validity, "_KEEP_ELEMENTS", 0)
    small = htmt_bootstrap(data, blocks, draws=150, seed=3)
    for a, b in zip(res.intervals, small.intervals):
        assert (a.ci_lower, a.ci_upper) == pytest.approx((b.ci_lower, b.ci_upper), abs=1e-12)
    assert res.failed == small.failed


def test_memory_follows_the_budget_not_draws_times_n(monkeypatch):
    """The peak allocation stays far below the draws × n indices the bootstrap once held."""
    n, draws = 40_000, 600
    data, blocks = likert(n)
    monkeypatch.setattr(validity, "_COUNT_ELEMENTS", 1_000_000)  # 8 MB of counts per block
    monkeypatch.setattr(validity, "_KEEP_ELEMENTS", 0)
    tracemalloc.start()
    try:
        htmt_bootstrap(data, blocks, draws=draws, seed=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    all_indices = draws * n * 8  # 192 MB; budgets: 8 MB of counts, 8 MB of indices (two while the next is drawn)
    assert peak < 40e6 < all_indices


def test_near_constant_item_is_computed_centred_and_constant_draws_fail():
    """A draw where an item is constant fails; one where it is nearly constant (1e-3 on 1e6) is kept.

    The tolerance is that of the data: 1e6 + 1e-3 carries only ~7 significant digits of the difference."""
    n = 30
    rng = np.random.default_rng(4)
    df = pd.DataFrame(rng.normal(size=(n, 4)), columns=["a1", "a2", "b1", "b2"])
    df["b2"] = 1e6
    df.loc[0, "b2"] = 1e6 + 1e-3  # tiny variance next to a huge mean
    res = htmt_bootstrap(df, {"A": ["a1", "a2"], "B": ["b1", "b2"]}, draws=60, seed=2)
    idx = resample_indices(n, 60, seed=2)
    expected_failed = np.flatnonzero(~(idx == 0).any(axis=1))
    assert list(res.failed) == expected_failed.tolist() and 0 < len(res.failed) < 60
    from semxhs.measurement.validity import htmt
    boot = [htmt(df.iloc[i].corr(), {"A": ["a1", "a2"], "B": ["b1", "b2"]}).loc["A", "B"]
            for d, i in enumerate(idx) if d not in set(expected_failed)]
    lo, hi = np.quantile(boot, [0.025, 0.975])
    assert (res.intervals[0].ci_lower, res.intervals[0].ci_upper) == pytest.approx((lo, hi), rel=1e-6)


# ---------------------------------------------------------------- import guards

HEAVY = ("factor_analyzer", "sklearn", "scipy.stats")
COMPUTATION = ("semxhs.measurement.quality", "semxhs.measurement.validity", "semxhs.measurement.factorability",
               "semxhs.measurement.reliability", "semxhs.measurement.items", "semxhs.measurement.from_fit",
               "semxhs.measurement.common_method")


def imported_by(*args: str) -> set[str]:
    """Modules a ``python -X importtime -m semxhs ARGS`` run imported (it must succeed)."""
    env = {**__import__("os").environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "semxhs", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.slow
def test_fit_without_measurement_and_rekeying_import_no_measurement_stack(tmp_path):
    mods = imported_by("fit", "models/trust_purchase.lav", "surveys/demo/responses.csv", "--reverse", "PI2",
                       "--scale", "1,7", "--no-measurement", "--json", str(tmp_path / "o.json"), "-q")
    assert "semxhs.sem.model" in mods  # the run did fit
    assert not [m for m in mods if m in COMPUTATION or m.split(".")[0] in HEAVY[:2] or m == "scipy.stats"]


@pytest.mark.slow
def test_default_fit_imports_no_factor_analyzer_sklearn_or_scipy_stats(tmp_path):
    mods = imported_by("fit", "models/trust_purchase.lav", "surveys/demo/responses.csv",
                       "--json", str(tmp_path / "o.json"), "-q")
    assert "semxhs.measurement.factorability" in mods  # the measurement evidence was computed
    assert not [m for m in mods if m.split(".")[0] in HEAVY[:2] or m == "scipy.stats"]


def test_rekeying_imports_no_measurement_module():
    code = ("import sys, pandas as pd\n"
            "from semxhs.study.pipeline import rekey\n"
            "from semxhs.survey.recode import reverse_key\n"
            "df = pd.DataFrame({'a': [1, 2, 3], 'b': [3, 2, 1]})\n"
            "assert rekey(df, ('a',), (1.0, 5.0))['a'].tolist() == [5, 4, 3]\n"
            "print('\\n'.join(m for m in sys.modules if m.startswith('semxhs.measurement')"
            " or m.split('.')[0] in ('factor_analyzer', 'sklearn') or m == 'scipy.stats'))\n")
    env = {**__import__("os").environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == []


def test_centred_recomputation_agrees(monkeypatch):
    """Every draw sent through the exact centred path (as near-constant items are) gives the same numbers."""
    data, blocks = likert(150)
    res = htmt_bootstrap(data, blocks, draws=80, seed=6)
    monkeypatch.setattr(validity, "_SMALL_VARIANCE", 10.0)
    again = htmt_bootstrap(data, blocks, draws=80, seed=6)
    for a, b in zip(res.intervals, again.intervals):
        assert (a.ci_lower, a.ci_upper) == pytest.approx((b.ci_lower, b.ci_upper), abs=1e-12)


def test_exact_single_precision_for_whole_numbers_equals_double(monkeypatch):
    """Likert answers take the single-precision path (exact integer sums); it equals double precision."""
    data, blocks = likert(3000)
    res = htmt_bootstrap(data, blocks, draws=120, seed=4)
    monkeypatch.setattr(validity, "_EXACT_SINGLE", False)
    double = htmt_bootstrap(data, blocks, draws=120, seed=4)
    for a, b in zip(res.intervals, double.intervals):
        assert (a.ci_lower, a.ci_upper) == pytest.approx((b.ci_lower, b.ci_upper), abs=1e-13)


def test_single_precision_only_while_sums_are_exact(monkeypatch):
    """Whole numbers too large for exact single-precision sums take the double path (same numbers)."""
    data, blocks = likert(500)
    big = data * 1000 + 7  # whole numbers, but n × 5000² passes 2**24
    calls = []
    real = validity.cross_product_columns

    def spy(x, out=None):
        calls.append(x.dtype)
        return real(x, out)

    monkeypatch.setattr(validity, "cross_product_columns", spy)
    res = htmt_bootstrap(big, blocks, draws=50, seed=1)
    assert set(calls) == {np.dtype(np.float64)}
    calls.clear()
    small = htmt_bootstrap(data, blocks, draws=50, seed=1)
    assert set(calls) == {np.dtype(np.float32)}
    for a, b in zip(res.intervals, small.intervals):  # HTMT is scale-free
        assert (a.ci_lower, a.ci_upper) == pytest.approx((b.ci_lower, b.ci_upper), abs=1e-12)

"""The multi-group bootstrap: stratified resampling, per-group indirect effects and their difference."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from semxhs.resample.groups import bootstrap_groups, stratified_indices

MODEL = "m ~ c(a1, a2)*x\ny ~ c(b1, b2)*m + x\nind1 := a1*b1\nind2 := a2*b2\ndiff := ind1 - ind2\n"


def _data(seed: int = 11, n: tuple[int, int] = (220, 180)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for label, size, a, b in (("women", n[0], 0.6, 0.5), ("men", n[1], 0.1, 0.2)):
        x = rng.normal(size=size)
        m = a * x + rng.normal(size=size)
        y = b * m + 0.2 * x + rng.normal(size=size)
        frames.append(pd.DataFrame({"sex": label, "x": x, "m": m, "y": y}))
    return pd.concat(frames, ignore_index=True)  # women first: group 1 (lavaan: order of first appearance)


def test_stratified_indices_keep_each_group_within_itself():
    idx = stratified_indices((5, 3, 4), 50, seed=2)
    assert idx.shape == (50, 12)
    assert ((idx[:, :5] >= 0) & (idx[:, :5] < 5)).all()
    assert ((idx[:, 5:8] >= 5) & (idx[:, 5:8] < 8)).all()
    assert ((idx[:, 8:] >= 8) & (idx[:, 8:] < 12)).all()


@pytest.mark.recovery
def test_difference_of_indirect_effects_is_recovered():
    """Truth: ind(women) = .30, ind(men) = .02, difference .28; the interval of the difference excludes 0."""
    res = bootstrap_groups(MODEL, _data(), "sex", draws=400, seed=7)
    d = {r.label: r for r in res.defined}
    assert res.failed == 0
    assert d["ind1"].ci_lower < 0.30 < d["ind1"].ci_upper
    assert d["ind2"].ci_lower < 0.02 < d["ind2"].ci_upper
    assert d["diff"].ci_lower > 0 and d["diff"].ci_lower < 0.28 < d["diff"].ci_upper
    assert d["diff"].est == pytest.approx(d["ind1"].est - d["ind2"].est)
    # same seed, same draws
    again = bootstrap_groups(MODEL, _data(), "sex", draws=400, seed=7)
    assert np.array_equal(res.replicates, again.replicates, equal_nan=True)


@pytest.mark.recovery
def test_bootstrap_se_close_to_the_information_se():
    from semxhs.sem.model import fit

    data = _data(seed=5, n=(400, 400))
    res = bootstrap_groups(MODEL, data, "sex", draws=400, seed=1)
    ml = fit(MODEL, data, group="sex")
    for p in res.parameters:
        if p.op == "~" and p.label in ("a1", "a2", "b1", "b2"):
            se = next(r.se for r in ml.parameters if r.label == p.label)
            assert p.boot_se == pytest.approx(se, rel=0.2), p.label


def test_fit_with_group_and_bootstrap(tmp_path):
    data = tmp_path / "d.csv"
    _data().to_csv(data, index=False)
    model = tmp_path / "m.lav"
    model.write_text(MODEL, encoding="utf-8")
    out = tmp_path / "r.json"
    proc = subprocess.run([sys.executable, "-m", "semxhs", "fit", str(model), str(data), "--group", "sex",
                           "--bootstrap", "200", "--seed", "3", "--json", str(out), "--html", str(tmp_path / "r.html")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    boot = {d["label"]: d for d in doc["bootstrap"]["defined"]}
    assert set(boot) == {"ind1", "ind2", "diff"}
    assert boot["diff"]["ci_lower"] > 0
    # terminal summary names the groups, the equality tests and the bootstrap intervals
    assert "m ~ x [women]" in proc.stdout and "m ~ x [men]" in proc.stdout
    assert "equal across groups: Wald chisq(1)" in proc.stdout and "diff" in proc.stdout
    # the report: one column block per group, the Wald test of equal paths
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "B (women)" in html and "β (men)" in html and "Wald χ² (equal across groups)" in html
    assert "LRT Δχ² (equal across groups)" in html
    lrt = {(r["lhs"], r["rhs"]): r for r in doc["path_equality_lrt"]}
    assert lrt[("m", "x")]["pvalue"] < 0.001 and lrt[("y", "x")]["pvalue"] > 0.05


@pytest.mark.reference
def test_bootstrap_agrees_with_lavaan_within_monte_carlo_error():
    """lavaan's se = "bootstrap" (300 draws, tests/fixtures/multigroup_bootstrap/make_ref.R) against ours (300
    draws, another generator): bootstrap SEs of the := effects within 25%, interval ends within 30% of lavaan's
    interval width (two independent bootstraps of 300 draws)."""
    from tests.reference_cases import FIXTURES

    case = FIXTURES / "shared_next" / "hs1939_mg_mediation_school"
    ref = json.loads((FIXTURES / "multigroup_bootstrap" / "lavaan.json").read_text(encoding="utf-8"))
    res = bootstrap_groups((case / "model_free.lav").read_text(), pd.read_csv(case / "data.csv"), "school",
                           group_equal=("loadings",), draws=300, seed=20261129)
    ours = {d.label: d for d in res.defined}
    for row in (r for r in ref["rows"] if r["op"] == ":="):
        d = ours[row["lhs"]]
        width = row["ci_upper"] - row["ci_lower"]
        assert d.est == pytest.approx(row["est"], rel=1e-3, abs=1e-4)
        assert d.boot_se == pytest.approx(row["boot_se"], rel=0.25), row["lhs"]
        assert abs(d.ci_lower - row["ci_lower"]) < 0.3 * width, row["lhs"]
        assert abs(d.ci_upper - row["ci_upper"]) < 0.3 * width, row["lhs"]

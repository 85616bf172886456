"""Bootstrap with FIML (issue 14): reference against lavaan's ``missing = "ml", se = "bootstrap"``.

Reference: tests/fixtures/hs1939_fiml_bootstrap (lavaan 0.6-14, 2000 draws; see ORIGIN.md).
Our draws come from a different generator, so the comparison is within Monte Carlo error,
not to rounding. Tolerances, for 2000 draws on each side:

* bootstrap SEs within 15% of lavaan's: the Monte Carlo SD of a bootstrap SE is about
  ``SE sqrt((kurtosis - 1) / 4B)``, 2-3% for near-normal replicates and several times that
  for the heavy-tailed loading of x9 (13% apart here), and two independent bootstraps differ
  by sqrt(2) of that;
* percentile interval ends within 0.10 of the reference interval's width: a 2.5% quantile
  of 2000 draws has a Monte Carlo SD near 0.015 widths for normal replicates;
* bias-corrected ends within 0.20 widths (their levels move with the estimated bias, and
  the tail quantiles they pick are farther out, so they are noisier).

The point estimates are the FIML estimates and agree to 1e-5.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from semxhs.resample import engine as bt
from semxhs.resample.fiml import BatchedFIML
from semxhs.resample.sem import bootstrap_sem
from semxhs.sem.fiml import MissingData, fit_fiml, fit_fiml_model, gradient, observed_information
from semxhs.sem.partable import build_partable

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "hs1939_fiml_bootstrap"


@pytest.fixture(scope="module")
def case():
    data = pd.read_csv(FIX / "data.csv")
    model = (FIX / "model.lav").read_text()
    ref = json.loads((FIX / "lavaan.json").read_text())
    res = bootstrap_sem(model, data, draws=2000, seed=1, missing="fiml")
    return data, model, ref, res


def _ours(res, row):
    if row["op"] == ":=":
        j = [d.label for d in res.defined].index(row["lhs"])
        d = res.defined[j]
        return d.est, d.boot_se, (d.ci_lower, d.ci_upper), res.replicates[:, len(res.parameters) + j]
    keys = [(p.lhs, p.op, p.rhs) for p in res.parameters]
    k = keys.index((row["lhs"], row["op"], row["rhs"]))
    p = res.parameters[k]
    return p.est, p.boot_se, (p.ci_lower, p.ci_upper), res.replicates[:, k]


def test_fiml_bootstrap_matches_lavaan_within_monte_carlo_error(case):
    _, _, ref, res = case
    assert res.draws == 2000 and res.failed == 0
    checked = 0
    for row in ref["parameters"]:
        if row["boot_se"] == 0 or row["op"] not in ("=~", "~", "~~", "~1", ":="):
            continue
        est, se, (lo, hi), col = _ours(res, row)
        width = row["perc_upper"] - row["perc_lower"]
        name = f"{row['lhs']} {row['op']} {row['rhs']}"
        assert est == pytest.approx(row["est"], abs=1e-5), name
        assert se == pytest.approx(row["boot_se"], rel=0.15), name
        assert abs(lo - row["perc_lower"]) < 0.10 * width, name
        assert abs(hi - row["perc_upper"]) < 0.10 * width, name
        bc_lo, bc_hi = bt.interval(col, est, "bc", 0.95)
        assert abs(bc_lo - row["bc_lower"]) < 0.20 * width, name
        assert abs(bc_hi - row["bc_upper"]) < 0.20 * width, name
        checked += 1
    assert checked == 32


def test_batched_fiml_derivatives_are_the_fiml_ones():
    """Gradient and Hessian of the batched FIML equal semxhs.sem.fiml's (analytic/numeric) ones."""
    data = pd.read_csv(FIX / "data.csv")
    pt = build_partable((FIX / "model.lav").read_text(), meanstructure=True)
    ff = fit_fiml_model(pt, data[list(pt.observed)].to_numpy(float))
    bf = BatchedFIML(ff.structure, ff.data)
    block = bf.moments(np.arange(ff.data.n)[None, :])
    theta = ff.estimate.theta + 0.01
    grad, _, hess = bf.derivatives(theta[None, :], block, newton=True)
    np.testing.assert_allclose(grad[0], gradient(ff.structure, ff.data, theta), atol=1e-10)
    np.testing.assert_allclose(hess[0], 2 * observed_information(ff.structure, ff.data, theta), atol=1e-7)


def test_batched_draws_equal_single_fits():
    """A block of resamples fitted together gives each draw's own FIML estimates."""
    data = pd.read_csv(FIX / "data.csv")
    pt = build_partable((FIX / "model.lav").read_text(), meanstructure=True)
    ff = fit_fiml_model(pt, data[list(pt.observed)].to_numpy(float))
    bf = BatchedFIML(ff.structure, ff.data)
    idx = bt.resample_indices(ff.data.n, 20, 5)
    theta, status, _ = bf.fit(idx, ff.estimate.theta)
    for i in range(3):
        one = fit_fiml(ff.structure, MissingData.from_array(bf.rows[idx[i]]), ff.estimate.theta)
        np.testing.assert_allclose(theta[i], one.theta, atol=1e-6)
    # draw 5 of this seed has no FIML solution (the visual factor collapses: x1's residual
    # variance runs off to -2e4); fitted alone it does not converge either
    assert status[5] == bt.NONCONVERGED
    assert not fit_fiml(ff.structure, MissingData.from_array(bf.rows[idx[5]]), ff.estimate.theta).converged
    assert (np.delete(status, 5) != bt.NONCONVERGED).all()


def test_cli_fit_with_fiml_and_bootstrap(tmp_path):
    out = tmp_path / "r.json"
    cmd = [sys.executable, "-m", "semxhs", "fit", str(FIX / "model.lav"), str(FIX / "data.csv"),
           "--missing", "fiml", "--bootstrap", "200", "--seed", "3", "--json", str(out), "--no-measurement"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    boot = json.loads(out.read_text())["bootstrap"]
    assert boot["draws"] == 200
    assert {d["label"] for d in boot["defined"]} == {"ind", "total"}

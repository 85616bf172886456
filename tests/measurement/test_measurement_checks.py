"""Behaviour tests of semxhs.measurement: input errors, recoding, the JSON contract, the bootstrap.

No reference numbers here (those are in test_measurement_reference.py); exact values
below are either worked by hand or compared with a second, naive computation.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

from semxhs.errors import DataError
from semxhs.measurement import (
    THRESHOLDS,
    OmegaInputs,
    chisq_difference,
    composite_reliability,
    findings,
    htmt,
    htmt2,
    htmt_bootstrap,
    measurement_quality,
    reverse_key,
    thresholds_table,
    validity,
)


def likert(seed: int = 1, n: int = 300) -> tuple[pd.DataFrame, dict, dict, pd.DataFrame]:
    """Three 1-5 Likert constructs of 3 items, latent correlations .4/.3/.2."""
    rng = np.random.default_rng(seed)
    phi = np.array([[1, 0.4, 0.3], [0.4, 1, 0.2], [0.3, 0.2, 1]])
    eta = rng.multivariate_normal(np.zeros(3), phi, size=n)
    cols = {}
    blocks = {"trust": [], "intent": [], "visual": []}
    for k, f in enumerate(blocks):
        for j in range(3):
            z = 0.8 * eta[:, k] + 0.6 * rng.normal(size=n)
            item = f"{f}{j + 1}"
            cols[item] = np.clip(np.round(z * 1.1 + 3), 1, 5).astype(int)
            blocks[f].append(item)
    data = pd.DataFrame(cols)
    lam = {f: dict.fromkeys(items, 0.75) for f, items in blocks.items()}
    latent = pd.DataFrame(phi, index=list(blocks), columns=list(blocks))
    return data, blocks, lam, latent


# ---------------------------------------------------------------- reverse_key


def test_reverse_key_recodes_and_copies():
    df = pd.DataFrame({"q1": [1, 2, 5, None], "q2": [3, 3, 3, 3]})
    out = reverse_key(df, ["q1"], 1, 5)
    assert out["q1"].tolist()[:3] == [5, 4, 1]
    assert math.isnan(out["q1"].iloc[3])
    assert df["q1"].tolist()[:3] == [1, 2, 5]  # input untouched
    assert out["q2"].tolist() == [3, 3, 3, 3]
    # twice reversed is the original
    pd.testing.assert_frame_equal(reverse_key(out, ["q1"], 1, 5), df)


def test_reverse_key_unknown_item():
    with pytest.raises(DataError, match="'q9'"):
        reverse_key(pd.DataFrame({"q1": [1]}), ["q1", "q9"], 1, 5)


def test_reverse_key_out_of_range_names_column_and_rows():
    # rows are data rows counted from 1, whatever the frame's index
    df = pd.DataFrame({"q1": [1, 7, 2, 0]}, index=["r1", "r2", "r3", "r4"])
    with pytest.raises(DataError) as err:
        reverse_key(df, ["q1"], 1, 5)
    msg = str(err.value)
    assert "'q1'" in msg and "rows 2 (value 7), 4 (value 0)" in msg and "1 (value" not in msg


def test_reverse_key_bad_scale_and_text():
    with pytest.raises(DataError, match="scale_min must be below scale_max"):
        reverse_key(pd.DataFrame({"q1": [1]}), ["q1"], 5, 1)
    with pytest.raises(DataError, match="not numeric"):
        reverse_key(pd.DataFrame({"q1": ["a"]}), ["q1"], 1, 5)


# ---------------------------------------------------------------- bad input


def test_unknown_item_names_it():
    data, blocks, lam, latent = likert()
    blocks = {**blocks, "trust": ["trust1", "trust2", "trust_x"]}
    with pytest.raises(DataError, match="'trust_x'"):
        measurement_quality(data, blocks, lam, latent)


def test_single_item_block_skipped_with_note():
    data, blocks, lam, latent = likert()
    data = data.assign(price=np.random.default_rng(9).integers(1, 6, size=len(data)))
    blocks = {**blocks, "price": ["price"]}
    res = measurement_quality(data, blocks, lam, latent)
    assert res.factors == ("trust", "intent", "visual")
    assert any("'price'" in note and "skipped" in note for note in res.notes)
    assert "price" not in res.htmt.index
    assert "price" in res.kmo.items  # the instrument's item set keeps it
    assert res.harman.n_items == 10


def test_duplicated_item_column_named():
    data, blocks, lam, latent = likert()
    data = data.assign(price=data["visual1"])
    with pytest.raises(DataError, match="perfectly correlated: 'visual1~price'"):
        measurement_quality(data, {**blocks, "price": ["price"]}, lam, latent)


def test_no_assessable_block():
    data, _, lam, latent = likert()
    with pytest.raises(DataError, match="no block has at least 2 items"):
        measurement_quality(data, {"trust": ["trust1"]}, lam, latent)


def test_missing_loading_names_factor_and_item():
    data, blocks, lam, latent = likert()
    lam = {**lam, "intent": {"intent1": 0.7, "intent2": 0.7}}
    with pytest.raises(DataError, match="loadings_std: factor 'intent' has no value for item\\(s\\) 'intent3'"):
        measurement_quality(data, blocks, lam, latent)


def test_latent_corr_missing_factor():
    data, blocks, lam, latent = likert()
    with pytest.raises(DataError, match="'visual'"):
        measurement_quality(data, blocks, lam, latent.loc[["trust", "intent"], ["trust", "intent"]])


def test_missing_values_rejected():
    data, blocks, lam, latent = likert()
    data = data.astype(float)
    data.loc[7, "intent2"] = np.nan
    with pytest.raises(DataError, match="'intent2' has missing values \\(first rows: 7\\)"):
        measurement_quality(data, blocks, lam, latent)


def test_item_in_two_blocks():
    data, blocks, lam, latent = likert()
    with pytest.raises(DataError, match="'trust1' is in block 'trust' and in block 'intent'"):
        measurement_quality(data, {**blocks, "intent": ["intent1", "trust1"]}, lam, latent)


def test_htmt2_signed_needs_positive_correlations():
    r = pd.DataFrame(
        [[1, 0.5, -0.2, 0.3], [0.5, 1, 0.3, 0.3], [-0.2, 0.3, 1, 0.6], [0.3, 0.3, 0.6, 1]],
        index=list("abcd"), columns=list("abcd"),
    )
    with pytest.raises(DataError, match="'a~c'"):
        htmt2(r, {"F": ["a", "b"], "G": ["c", "d"]}, absolute=False)
    assert htmt2(r, {"F": ["a", "b"], "G": ["c", "d"]}).loc["F", "G"] > 0


def test_chisq_difference_checks():
    with pytest.raises(DataError, match="df1 > df0"):
        chisq_difference(100.0, 24, 80.0, 24)
    with pytest.raises(DataError, match=">= 0"):
        chisq_difference(-1.0, 27, 80.0, 24)
    d = chisq_difference(90.0, 27, 80.0, 24)
    assert (d.delta_chisq, d.delta_df) == (10.0, 3)


# ---------------------------------------------------------------- formulas by hand


def test_cr_with_standardized_residual_variances():
    lam = [0.6, 0.7, 0.8]
    assert composite_reliability(lam, [1 - x**2 for x in lam]) == pytest.approx(composite_reliability(lam))
    assert composite_reliability(lam, [0.5, 0.5, 0.5]) == pytest.approx(4.41 / (4.41 + 1.5))


def test_htmt_hand_computed():
    r = pd.DataFrame(
        [[1, 0.6, 0.2, 0.4], [0.6, 1, 0.3, 0.1], [0.2, 0.3, 1, 0.5], [0.4, 0.1, 0.5, 1]],
        index=list("abcd"), columns=list("abcd"),
    )
    blocks = {"F": ["a", "b"], "G": ["c", "d"]}
    assert htmt(r, blocks).loc["F", "G"] == pytest.approx(0.25 / math.sqrt(0.6 * 0.5))
    geo = (0.2 * 0.4 * 0.3 * 0.1) ** 0.25
    assert htmt2(r, blocks).loc["F", "G"] == pytest.approx(geo / math.sqrt(0.6 * 0.5))
    # labels for an unlabelled array
    assert htmt(r.to_numpy(), blocks, labels=list("abcd")).loc["F", "G"] == pytest.approx(0.25 / math.sqrt(0.3))


def test_omega_with_residual_covariance():
    oi = OmegaInputs(
        loadings={"F": {"a": 1.0, "b": 0.9, "c": 0.8}, "G": {"d": 1.0, "e": 1.0}},
        residual_variances={"a": 0.4, "b": 0.5, "c": 0.6, "d": 0.3, "e": 0.3},
        factor_variances={"F": 0.7, "G": 1.0},
        residual_covariances={("b", "a"): 0.1, ("a", "d"): 0.2},  # a~d is between blocks: ignored
    )
    from semxhs.measurement import block_omega

    num = 2.7**2 * 0.7
    assert block_omega(oi, "F", ["a", "b", "c"]) == pytest.approx(num / (num + 1.5 + 0.2))
    with pytest.raises(DataError, match="no residual variance for 'z'"):
        block_omega(dataclasses.replace(oi, loadings={"F": {"a": 1.0, "z": 1.0}}), "F", ["a", "z"])
    with pytest.raises(DataError, match="factor 'F' has no loading for 'z'"):
        block_omega(oi, "F", ["a", "z"])


# ---------------------------------------------------------------- result contract


CONTRACT = {
    "reliability", "items", "fornell_larcker", "htmt", "htmt2", "kmo", "bartlett",
    "harman", "one_factor_cfa", "htmt_ci", "findings",
}


def test_to_dict_contract_is_valid_json():
    data, blocks, lam, latent = likert()
    res = measurement_quality(data, blocks, lam, latent, htmt_boot=50, seed=3,
                              one_factor_cfa=chisq_difference(400.0, 27, 30.0, 24))
    d = res.to_dict()
    text = json.dumps(d, allow_nan=False, ensure_ascii=False)  # no NaN anywhere
    m = json.loads(text)["measurement"]
    assert CONTRACT <= set(m)
    assert set(m["reliability"]["trust"]) == {"alpha", "alpha_ci_lower", "alpha_ci_upper", "cr", "omega", "ave"}
    assert m["reliability"]["trust"]["omega"] is None  # no omega_inputs
    assert set(m["items"][0]) == {"item", "factor", "mean", "sd", "skew", "kurtosis", "loading_std",
                                  "item_total_r", "alpha_if_deleted"}
    assert len(m["items"]) == 9
    assert set(m["fornell_larcker"]) == set(blocks) and set(m["htmt"]["trust"]) == set(blocks)
    assert set(m["kmo"]) == {"overall", "items"} and set(m["bartlett"]) == {"chisq", "df", "pvalue"}
    assert set(m["harman"]) == {"first_factor_share"}
    assert set(m["one_factor_cfa"]) == {"chisq", "df", "delta_chisq", "delta_df", "pvalue"}
    assert m["htmt_ci"]["draws"] == 50 and m["htmt_ci"]["seed"] == 3
    assert {(p["lhs"], p["rhs"]) for p in m["htmt_ci"]["pairs"]} == {
        ("trust", "intent"), ("trust", "visual"), ("intent", "visual")}
    for f in m["findings"]:
        assert f["code"] and "params" in f and "en" not in f  # codes and parameters; the report words them


def test_frames_have_documented_columns():
    data, blocks, lam, latent = likert()
    res = measurement_quality(data, blocks, lam, latent)
    assert list(res.to_frame().columns) == ["factor", "n_items", "alpha", "alpha_ci_lower", "alpha_ci_upper",
                                            "cr", "omega", "ave", "sqrt_ave"]
    assert list(res.items_frame().columns)[:2] == ["item", "factor"]
    assert list(thresholds_table().columns) == ["key", "statistic", "requirement", "value", "severity", "source"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.n = 3  # type: ignore[misc]


def test_two_item_block_alpha_if_deleted_is_null():
    data, blocks, lam, latent = likert()
    blocks = {**blocks, "visual": ["visual1", "visual2"]}
    res = measurement_quality(data, blocks, lam, latent)
    rows = [r for r in res.items if r.factor == "visual"]
    assert all(math.isnan(r.alpha_if_deleted) for r in rows)
    assert json.dumps(res.to_dict(), allow_nan=False)


def test_negative_within_block_correlation_noted():
    data, blocks, lam, latent = likert()
    data = reverse_key(data, ["trust2"], 1, 5)  # now negatively keyed
    res = measurement_quality(data, blocks, lam, latent)
    assert any("trust1~trust2" in n and "reverse-keyed" in n for n in res.notes)


def test_finding_text_does_not_print_value_equal_to_threshold():
    from semxhs.report.format import fmt_versus as _vs

    assert _vs(0.6996, 0.70) == ".6996"  # not ".70 < .70"
    assert _vs(0.37098, 0.50) == ".37"
    assert _vs(0.97, 0.90) == ".97" and _vs(1.02, 0.90) == "1.02"


def test_findings_respect_custom_thresholds():
    data, blocks, lam, latent = likert()
    res = measurement_quality(data, blocks, lam, latent)
    assert not [f for f in res.findings if f.code == "htmt_liberal"]
    strict = dict(THRESHOLDS)
    strict["htmt_liberal"] = dataclasses.replace(THRESHOLDS["htmt_liberal"], value=0.01)
    flagged = [f for f in findings(res, strict) if f.code == "htmt_liberal"]
    assert len(flagged) == 3 and flagged[0].threshold == 0.01


# ---------------------------------------------------------------- bootstrap


def naive_boot(data: pd.DataFrame, blocks: dict, draws: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(data), size=(draws, len(data)))
    items = [i for its in blocks.values() for i in its]
    return np.array([htmt(data.iloc[ix][items].corr(), blocks).to_numpy() for ix in idx])


def test_bootstrap_matches_naive_loop_and_is_reproducible(monkeypatch):
    data, blocks, _, _ = likert(seed=4, n=120)
    res = htmt_bootstrap(data, blocks, draws=300, seed=8)
    boot = naive_boot(data, blocks, 300, 8)
    names = list(blocks)
    for iv in res.intervals:
        a, b = names.index(iv.lhs), names.index(iv.rhs)
        lo, hi = np.quantile(boot[:, a, b], [0.025, 0.975])
        assert (iv.ci_lower, iv.ci_upper) == pytest.approx((lo, hi), abs=1e-12)
    assert res == htmt_bootstrap(data, blocks, draws=300, seed=8)
    # chunking does not change the draws
    monkeypatch.setattr(validity, "_BLOCK_DRAWS", 7)
    assert res == htmt_bootstrap(data, blocks, draws=300, seed=8)


def test_bootstrap_seed_none_is_recorded_and_reproducible():
    data, blocks, _, _ = likert(n=80)
    res = htmt_bootstrap(data, blocks, draws=40, seed=None)
    assert isinstance(res.seed, int)
    assert res == htmt_bootstrap(data, blocks, draws=40, seed=res.seed)


def test_bootstrap_failed_draws_reported():
    rng = np.random.default_rng(0)
    n = 12
    df = pd.DataFrame(rng.normal(size=(n, 4)), columns=["a1", "a2", "b1", "b2"])
    df["b2"] = 0.0
    df.loc[0, "b2"] = 1.0  # one non-zero value: absent from many resamples
    res = htmt_bootstrap(df, {"A": ["a1", "a2"], "B": ["b1", "b2"]}, draws=200, seed=1)
    assert 0 < len(res.failed) < 200
    assert res.to_dict()["failed"] == len(res.failed)
    idx = np.random.default_rng(1).integers(0, n, size=(200, n))
    assert set(res.failed) == set(np.flatnonzero(~(idx == 0).any(axis=1)))


def test_bootstrap_bad_draws():
    data, blocks, _, _ = likert(n=50)
    with pytest.raises(DataError, match="draws"):
        htmt_bootstrap(data, blocks, draws=0, seed=1)

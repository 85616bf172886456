"""Reference tests: lavaan's lavTestScore and modindices on multi-group fits (lavaan 0.6-14).

Numbers from tests/fixtures/next (make_refs.R) and tests/fixtures/shared_next (make_refs_next.R);
tolerance 2e-3 (relative, absolute below 1).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from semxhs.sem.model import fit
from semxhs.sem.modindices import modindices, score_tests

FIX = Path(__file__).resolve().parents[1] / "fixtures"
TOL = 2e-3


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOL * max(1.0, abs(b))


def _case(folder: Path, data: str = "data.csv", model: str = "model.lav") -> tuple[pd.DataFrame, str, dict]:
    return (pd.read_csv(folder / data), (folder / model).read_text(),
            json.loads((folder / "lavaan.json").read_text()))


def _check_scores(st, ref: dict) -> None:
    assert st.df == ref["total"]["df"]
    assert _close(st.X2, ref["total"]["X2"])
    ours = {(t.lhs, t.rhs): t for t in st.univariate}
    assert len(ours) == len(ref["univariate"])
    for row in ref["univariate"]:
        t = ours[(row["lhs"], row["rhs"])]
        assert _close(t.X2, row["X2"]), (row["lhs"], t.X2, row["X2"])
        assert t.parameter == row["parameter"]
        assert (t.lhs_group, t.rhs_group) == (row["lhs_group"], row["rhs_group"])
        assert (t.lhs_group_label, t.rhs_group_label) == (row["lhs_group_label"], row["rhs_group_label"])


@pytest.mark.parametrize("folder,group", [
    (FIX / "shared_next" / "hs1939_invariance_school", "school"),
    (FIX / "next" / "mg_cfa_sex_ml", "sex"),
    (FIX / "next" / "mg_three_groups", "group"),
])
def test_score_tests_scalar(folder: Path, group: str) -> None:
    data, model, ref = _case(folder)
    res = fit(model, data, group=group, group_equal=("loadings", "intercepts"))
    _check_scores(score_tests(res), ref["score_tests_scalar"])


def test_score_tests_partial_search_steps() -> None:
    data, model, ref = _case(FIX / "next" / "mg_partial_search")
    for step in ref["steps"]:
        res = fit(model, data, group=ref["group_var"], group_equal=("loadings", "intercepts"),
                  group_partial=tuple(step["group_partial"]))
        _check_scores(score_tests(res), step["score_tests"])


def test_modindices_and_scores_multigroup_metric() -> None:
    folder = FIX / "next" / "modindices_more"
    data, model, ref = _case(folder, "data_c_hs_school.csv", "model_c_hs.lav")
    block = ref["c_multigroup_metric"]
    res = fit(model, data, group="school", group_equal=("loadings",))
    _check_scores(score_tests(res), block["score_tests"])
    mi = modindices(res)
    assert list(mi.columns[:5]) == ["lhs", "op", "rhs", "group", "group_label"]
    ours = {(r.lhs, r.op, r.rhs, r.group): r for r in mi.itertuples()}
    assert len(ours) == len(block["modindices"])
    for row in block["modindices"]:
        r = ours[(row["lhs"], row["op"], row["rhs"], row["group"])]
        assert r.group_label == row["group_label"]
        for col in ("mi", "epc", "sepc_lv", "sepc_all", "sepc_nox"):
            assert _close(getattr(r, col), row[col]), (row, col, getattr(r, col))
    assert mi["mi"].is_monotonic_decreasing


def test_fit_cli_modindices_with_groups(tmp_path):
    import subprocess
    import sys

    folder = FIX / "next" / "modindices_more"
    ref = json.loads((folder / "lavaan.json").read_text())["c_multigroup_metric"]
    out = tmp_path / "r.json"
    proc = subprocess.run([sys.executable, "-m", "semxhs", "fit", str(folder / "model_c_hs.lav"),
                           str(folder / "data_c_hs_school.csv"), "--group", "school", "--group-equal", "loadings",
                           "--modindices", "--no-measurement", "--json", str(out), "--html", str(tmp_path / "r.html"),
                           "-q"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    top = doc["modindices"][0]
    want = max(ref["modindices"], key=lambda r: r["mi"])
    assert (top["lhs"], top["op"], top["rhs"], top["group_label"]) == (want["lhs"], want["op"], want["rhs"],
                                                                       want["group_label"])
    assert _close(top["mi"], want["mi"])
    assert _close(doc["score_tests"]["total"]["X2"], ref["score_tests"]["total"]["X2"])
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert f"{want['lhs']} =~ {want['rhs']} ({want['group_label']})" in html

"""End to end: each of the eight library studies runs as shipped, agrees with its cited findings, and is cross-checked.

Each study runs exactly as ``semxhs run surveys/<id>/study.yaml`` does (screening, bootstrap with the
study's 1000 draws, PROCESS, measurement), in memory. Slow (about 10 s a study on the project's
2-core machine): ``-m "not slow"`` leaves it out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from semxhs.report.context import build_context
from semxhs.study.config import load_study
from semxhs.study.pipeline import run_study
from semxhs.study.replicate import LIBRARY, replication_of

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.parametrize("study_id", LIBRARY)
def test_library_study_runs_agrees_and_is_crosschecked(study_id):
    result = run_study(load_study(ROOT / "surveys" / study_id / "study.yaml"))
    assert result.sem.converged and not result.sem.improper
    rep = replication_of(result, study_id)
    disagree = [h.id for h in rep.hypotheses if not h.agrees]
    assert not disagree, f"{study_id}: hypotheses that do not agree with the cited findings: {disagree}"
    check = result.crosscheck
    assert check is not None and check.parameters_compared > 20 and check.agrees
    assert {s.reason for s in check.skipped} <= {"defined"}
    doc = result.to_dict()
    assert doc["study"]["citation"] and doc["study"]["description"]
    assert doc["crosscheck"]["engine"] == "semopy"
    ids = [s["id"] for s in build_context(result)["sections"]]
    assert {"about", "replication", "reproducibility"} <= set(ids)

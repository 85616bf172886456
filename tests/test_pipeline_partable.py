"""A study run builds its model's parameter table once and passes it on (hypotheses, constructs, fit, bootstrap)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import semxhs.sem.partable as spec
from semxhs.study.config import load_study
from semxhs.study.pipeline import run_study

MED = Path(__file__).parent / "fixtures" / "shared" / "mediation_observed"


def test_a_study_run_builds_the_parameter_table_once(tmp_path, monkeypatch):
    model = (MED / "model.lav").read_text()
    pd.read_csv(MED / "data.csv").to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "m.lav").write_text(model)
    (tmp_path / "study.yaml").write_text(
        "data: d.csv\nmodel: m.lav\nbootstrap: 50\nhypotheses:\n  - {id: H1, text: t, path: M ~ X, sign: '+'}\n"
        "process:\n  - {model: 4, x: X, m: [M], y: Y, boot: 50}\n")
    calls: list[str] = []
    original = spec.build_partable

    def counting(text: str, *args, **kwargs):
        calls.append(text)
        return original(text, *args, **kwargs)

    import semxhs.resample.sem
    import semxhs.sem.interaction
    import semxhs.sem.model
    import semxhs.study.pipeline
    import semxhs.survey.constructs

    for module in (semxhs.study.pipeline, semxhs.sem.interaction, semxhs.survey.constructs, semxhs.sem.model,
                   semxhs.resample.sem):
        if hasattr(module, "build_partable"):  # interaction and constructs read roles only, no table
            monkeypatch.setattr(module, "build_partable", counting)
    result = run_study(load_study(tmp_path / "study.yaml"))
    assert result.bootstrap is not None and result.process and result.hypotheses[0].supported
    assert calls == [model]

"""The notebook API (``import semxhs as sx``): cheap to import, the same numbers as the layers below it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import semxhs as sx
from semxhs.errors import SpecError
from semxhs.measurement.from_fit import measurement_from_fit
from semxhs.process import run_process
from semxhs.report.notebook import SemFit
from semxhs.resample.sem import bootstrap_sem
from semxhs.sem.model import fit

SHARED = Path(__file__).parent / "fixtures" / "shared"
HS = SHARED / "hs1939_cfa"
MED = SHARED / "mediation_observed"


@pytest.fixture(scope="module")
def hs():
    model, data = (HS / "model.lav").read_text(), pd.read_csv(HS / "data.csv")
    return model, data, sx.cfa(model, data)


@pytest.fixture(scope="module")
def med():
    model, data = (MED / "model.lav").read_text(), pd.read_csv(MED / "data.csv")
    return model, data, sx.sem(model, data)


def test_import_is_cheap():
    code = "import sys, semxhs; print(json.dumps([m in sys.modules for m in ('pandas', 'scipy', 'numpy')]))"
    out = subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [False, False, False]


def test_sem_is_callable_whatever_was_imported_first():
    import semxhs.process.engine as process_engine  # noqa: F401  (the subpackage loads; sx.process stays callable)
    import semxhs.sem.model as model_module

    assert model_module.fit is fit
    assert callable(sx.sem) and callable(sx.process)
    assert sx.sem.model.fit is fit  # the subpackage is still reachable by attribute


def test_sem_is_fit_with_tables(hs):
    model, data, res = hs
    assert isinstance(res, SemFit)
    plain = fit(model, data)
    assert res.to_dict() == plain.to_dict()  # the same numbers and fields
    pe = res.parameter_estimates()
    assert list(pe.columns) == ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper",
                                "std_all"]
    pd.testing.assert_frame_equal(pe, plain.to_frame())
    fm = res.fit_measures()
    for name in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic", "npar"):
        assert fm[name] == pytest.approx(getattr(res.fit, name))
    ss = res.standardized_solution()
    assert ss["est_std"].tolist() == pe["std_all"].tolist()
    assert res.r_square().to_dict() == res.r2
    assert "partable" not in res.to_dict() and "data" not in res.to_dict()
    assert res.partable is not None and res.data is not None


def test_summary_has_lavaans_blocks(hs, med):
    text = hs[2].summary()
    for block in ("Estimator", "Number of observations", "Model Test User Model:", "Comparative Fit Index (CFI)",
                  "RMSEA", "SRMR", "Latent Variables:", "Covariances:", "Variances:"):
        assert block in text, block
    assert f"{hs[2].fit.chisq:.3f}" in text
    assert "visual =~" in text
    med_text = med[2].summary()
    assert "Regressions:" in med_text and "Defined Parameters:" in med_text
    html = hs[2]._repr_html_()
    assert html.count("<table>") == 2 and "visual" in html


def test_bootstrap_and_measurement_from_the_result_alone(med, hs):
    model, data, res = med
    a = sx.bootstrap(res, draws=300, seed=5)
    b = bootstrap_sem(model, data, draws=300, seed=5)
    assert a.to_frame().equals(b.to_frame())
    model, data, res = hs
    q = sx.measurement_quality(res, htmt_draws=100, seed=2)
    assert q is not None
    assert q.to_dict() == measurement_from_fit(res, data, htmt_boot=100, seed=2).to_dict()


def test_bootstrap_refuses_fiml():
    res = sx.sem((SHARED / "hs1939_fiml" / "model.lav").read_text(), pd.read_csv(SHARED / "hs1939_fiml" / "data.csv"),
                 missing="fiml")
    with pytest.raises(SpecError, match="listwise"):
        sx.bootstrap(res, draws=10)


def test_process_is_run_process():
    d = pd.read_csv(Path(__file__).parent / "fixtures" / "process" / "process_model1" / "data.csv")
    a = sx.process(d, model=1, x="PI", w="CE", y="VC", boot=0)
    b = run_process(d, 1, x="PI", w="CE", y="VC", boot=0)
    assert a.to_dict() == b.to_dict()


def test_analyse_from_a_data_frame_needs_no_file(med):
    model, data, _ = med
    res = sx.analyse(data, model, hypotheses=[{"id": "H1", "text": "a", "path": "M ~ X", "sign": "+"}])
    assert res.data_file == "" and res.data_sha256 == ""
    assert res.sem.to_dict() == fit(model, data).to_dict()  # (NaN fields: compare the JSON form)
    assert res.to_dict()["study"]["data_sha256"] == ""


def test_reprs_are_short(med, hs, tmp_path):
    model, data, _ = med
    data.to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "m.lav").write_text(model)
    (tmp_path / "study.yaml").write_text(
        "data: d.csv\nmodel: m.lav\nbootstrap: 100\nprocess:\n  - {model: 4, x: X, m: [M], y: Y, boot: 100}\n")
    res = sx.run_study(tmp_path / "study.yaml")
    assert res.bootstrap is not None and res.process
    boot = sx.bootstrap(med[2], draws=50, seed=1)
    quality = sx.measurement_quality(hs[2], htmt_draws=50)
    for obj in (res, res.sem, quality, boot, *res.process, hs[2]):
        assert len(repr(obj)) < 2000, type(obj).__name__


"""Behaviour of the estimator/missing options of ``fit`` (no reference numbers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from semxhs.errors import SpecError
from semxhs.sem.model import fit
from semxhs.sem.simulate import simulate
from semxhs.sem.partable import build_partable

MODEL = "F =~ a + b + c + d\nY ~ F"
POP = "F =~ 0.8*a + 0.7*b + 0.6*c + 0.7*d\nY ~ 0.4*F"


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    frame = simulate(POP, n=250, seed=8)
    rng = np.random.default_rng(8)
    return frame.mask(rng.random(frame.shape) < 0.1)


def test_unknown_options_name_what_is_allowed(data):
    with pytest.raises(SpecError, match="estimator 'WLSMV'.*'ML', 'MLR'"):
        fit(MODEL, data, estimator="WLSMV")
    with pytest.raises(SpecError, match="missing='pairwise'.*'listwise', 'fiml'"):
        fit(MODEL, data, missing="pairwise")


def test_lavaan_spelling_ml_means_fiml(data):
    assert fit(MODEL, data, missing="ml").missing == "fiml"


def test_fiml_needs_a_mean_structure_in_a_prebuilt_partable(data):
    with pytest.raises(SpecError, match="meanstructure=True"):
        fit(build_partable(MODEL), data, missing="fiml")
    res = fit(build_partable(MODEL, meanstructure=True), data, missing="fiml")
    assert res.converged


def test_empty_rows_are_dropped_and_reported(data):
    frame = data.copy()
    frame.iloc[:4] = np.nan
    res = fit(MODEL, frame, missing="fiml")
    assert res.n_obs == len(frame) - 4 and res.n_dropped == 4
    assert any("4 rows with all model variables missing" in w for w in res.warnings)


def test_robust_keys_only_where_lavaan_reports_them(data):
    complete = data.dropna()
    ml = fit(MODEL, complete).to_dict()["fit"]
    assert "chisq_scaled" not in ml and "cfi_robust" not in ml
    mlr = fit(MODEL, complete, estimator="MLR").to_dict()["fit"]
    for key in ("chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor", "cfi_scaled",
                "tli_scaled", "rmsea_scaled", "cfi_robust", "tli_robust", "rmsea_robust"):
        assert key in mlr
    fiml = fit(MODEL, data, missing="fiml").to_dict()["fit"]
    assert {"cfi_robust", "tli_robust", "rmsea_robust"} <= set(fiml) and "chisq_scaled" not in fiml


def test_defined_parameters_use_the_robust_covariance(data):
    model = "F =~ a + b + c + d\nY ~ g*F\ndouble := 2*g"
    res = fit(model, data.dropna(), estimator="MLR")
    assert res.parameter("double", ":=").se == pytest.approx(2 * res.parameter("Y", "~", "F").se, rel=1e-9)

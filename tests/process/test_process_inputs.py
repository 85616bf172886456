"""Bad input: each raises our own exception with one line naming the offender."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from semxhs.errors import DataError, SpecError
from semxhs.process import run_process


@pytest.fixture()
def data():
    rng = np.random.default_rng(0)
    d = pd.DataFrame({v: rng.normal(size=60) for v in ["X", "M", "W", "Z", "Y", "C"]})
    return d


def one_line(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


def test_unknown_column(data):
    with pytest.raises(DataError) as exc:
        run_process(data, 7, x="X", y="Y", m=["TRUST"], w="W", boot=0)
    assert "'TRUST'" in one_line(exc) and "not found" in one_line(exc)


def test_unknown_columns_listed_together(data):
    with pytest.raises(DataError) as exc:
        run_process(data, 1, x="XX", y="YY", w="W")
    assert "'XX', 'YY'" in one_line(exc)


def test_moderator_with_one_value(data):
    data["W"] = 3.0
    with pytest.raises(DataError) as exc:
        run_process(data, 1, x="X", y="Y", w="W")
    assert "moderator 'W'" in one_line(exc) and "single value" in one_line(exc)


@pytest.mark.parametrize("column, kwargs", [("X", {}), ("C", {"cov": ["C"]})])
def test_constant_predictor(data, column, kwargs):
    data[column] = 1.0
    with pytest.raises(DataError) as exc:
        run_process(data, 4, x="X", y="Y", m=["M"], boot=0, **kwargs)
    assert f"'{column}' is constant" in one_line(exc)


def test_perfect_collinearity(data):
    data["C"] = 2 * data["X"] + 1
    with pytest.raises(DataError) as exc:
        run_process(data, 4, x="X", y="Y", m=["M"], cov=["C"], boot=0)
    msg = one_line(exc)
    assert "collinearity" in msg and "'C'" in msg and "'M'" in msg


@pytest.mark.parametrize("model", [0, 9, 76, "7", 7.0])
def test_unsupported_model(data, model):
    with pytest.raises(SpecError) as exc:
        run_process(data, model, x="X", y="Y")
    msg = one_line(exc)
    assert "not supported" in msg and "1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 58, 59" in msg


def test_missing_values_dropped_listwise_and_recorded(data):
    data.loc[[1, 2], "X"] = np.nan
    data.loc[[2, 5], "Y"] = np.nan
    data.loc[7, "Z"] = np.nan  # not analysed: must not drop the row
    res = run_process(data, 1, x="X", y="Y", w="W")
    assert res.n == 57 and res.n_dropped == 3
    assert dict(res.dropped) == {"X": 2, "Y": 2}
    out = res.to_dict()
    assert out["n_dropped"] == 3 and out["dropped"] == {"X": 2, "Y": 2}


def test_non_numeric_column(data):
    data["W"] = ["a", "b"] * 30
    with pytest.raises(DataError) as exc:
        run_process(data, 1, x="X", y="Y", w="W")
    assert "numeric" in one_line(exc) and "'W'" in one_line(exc)


def test_too_few_rows_after_dropping(data):
    data.loc[3:, "X"] = np.nan
    with pytest.raises(DataError) as exc:
        run_process(data, 1, x="X", y="Y", w="W")
    assert "complete rows" in one_line(exc)


@pytest.mark.parametrize("kwargs, fragment", [
    ({"model": 1, "w": None}, "needs a moderator W"),
    ({"model": 4, "w": "W", "m": ["M"]}, "has no moderator W"),
    ({"model": 1, "w": "W", "z": "Z"}, "has no moderator Z"),
    ({"model": 4, "m": []}, "needs 1 to 10 mediators"),
    ({"model": 6, "m": ["M"]}, "needs 2 to 6 mediators"),
    ({"model": 1, "w": "W", "m": ["M"]}, "has no mediators"),
    ({"model": 1, "w": "X"}, "more than one role"),
])
def test_roles_that_do_not_fit_the_model(data, kwargs, fragment):
    with pytest.raises(SpecError) as exc:
        run_process(data, x="X", y="Y", boot=0, **kwargs)
    assert fragment in one_line(exc)


@pytest.mark.parametrize("kwargs, fragment", [
    ({"boot": -1}, "boot:"), ({"boot": 1.5}, "boot:"), ({"seed": -3}, "seed:"), ({"hc": 5}, "hc:"),
    ({"conf": 95}, "conf:"), ({"center": "grand"}, "center:"), ({"probe": "quartiles"}, "probe:"),
    ({"probe": {"Q": [1.0]}}, "'Q'"), ({"probe": [np.nan]}, "probe:"),
])
def test_bad_options(data, kwargs, fragment):
    with pytest.raises(SpecError) as exc:
        run_process(data, 1, x="X", y="Y", w="W", **kwargs)
    assert fragment in one_line(exc)


def test_plain_probe_values_need_one_moderator(data):
    with pytest.raises(SpecError, match="exactly one moderator"):
        run_process(data, 2, x="X", y="Y", w="W", z="Z", probe=[0.0, 1.0])


def test_not_a_dataframe():
    with pytest.raises(DataError, match="DataFrame"):
        run_process({"X": [1, 2]}, 1, x="X", y="Y", w="W")  # type: ignore[arg-type]

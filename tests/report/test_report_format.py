"""Unit tests of the APA number formatting (the doctests in format.py cover the main cases)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from semxhs.report import format as f


@pytest.mark.parametrize("value", [None, float("nan"), math.inf, -math.inf, np.nan])
def test_missing_values_print_as_em_dash(value: float | None) -> None:
    assert f.fmt_num(value) == f.DASH
    assert f.fmt_bounded(value) == f.DASH
    assert f.fmt_p(value) == f.DASH
    assert f.fmt_ci(value, 1.0) == f.DASH
    assert f.fmt_ci(0.0, value) == f.DASH


@pytest.mark.parametrize("value", [-0.0, -0.004, -0.0004, -1e-12])
def test_no_negative_zero(value: float) -> None:
    assert f.fmt_num(value, 2) == "0.00"
    assert f.fmt_bounded(value, 2) == ".00"
    assert f.fmt_ci(value, value, 2) == "[0.00, 0.00]"


def test_negative_values_keep_their_sign() -> None:
    assert f.fmt_num(-0.005001, 2) == "-0.01"
    assert f.fmt_bounded(-0.005001, 2) == "-.01"


def test_bounded_values_drop_leading_zero_only_below_one() -> None:
    assert f.fmt_bounded(0.9953745292221563) == ".995"
    assert f.fmt_bounded(-0.44671) == "-.447"
    assert f.fmt_bounded(0.99951) == "1.000"
    assert f.fmt_bounded(1.0596) == "1.060"
    assert f.fmt_bounded(np.float64(0.5)) == ".500"


@pytest.mark.parametrize("p,expected", [
    (0.0, "< .001"), (1e-300, "< .001"), (0.000999, "< .001"), (0.001, ".001"), (0.0321, ".032"),
    (0.04999, ".050"), (0.5, ".500"), (0.9994, ".999"), (0.99951, "> .999"), (1.0, "1.000"),
])
def test_p_values(p: float, expected: str) -> None:
    assert f.fmt_p(p) == expected


def test_p_with_symbol() -> None:
    assert f.fmt_p(0.032, with_symbol=True) == "p = .032"
    assert f.fmt_p(0.00001, with_symbol=True) == "p < .001"
    assert f.fmt_p(None, with_symbol=True) == f.DASH


def test_chisq_and_ci() -> None:
    assert f.fmt_chisq(85.314, 24, 1e-8) == "χ²(24) = 85.31, p < .001"
    assert f.fmt_chisq(38.1252, 35, 0.329) == "χ²(35) = 38.13, p = .329"
    assert f.fmt_ci(0.12, 0.45) == "[0.12, 0.45]"
    assert f.fmt_ci(-0.07862, 1.32597, 3) == "[-0.079, 1.326]"
    assert f.fmt_ci(0.0, 0.0922, 3, bounded=True) == "[.000, .092]"


def test_as_printed_matches_the_printed_text() -> None:
    for x in (0.94951, 0.0795, 0.06049, 2.99951):
        assert f.as_printed(x, 3) == float(f.fmt_num(x, 3))


def test_counts_ratio_hash() -> None:
    assert f.fmt_int(1234) == "1,234"
    assert f.fmt_int(np.int64(75)) == "75"
    assert f.fmt_ratio(10.0, 0) == f.DASH
    assert f.fmt_ratio(38.125, 35) == "1.09"
    assert f.short_hash("ABCDEF0123456789", 8) == "abcdef01"
    assert f.short_hash(None) == f.DASH

"""Parameter rows of a fit: estimates read from the filled RAM matrices, Wald tests and std.all.

Shared by single-group (:mod:`semxhs.sem.model`) and multi-group (:mod:`semxhs.sem.multigroup`) fits.
"""

from __future__ import annotations

import numpy as np

from semxhs.sem.inference import wald
from semxhs.sem.ram import Implied, RamStructure
from semxhs.sem.results import Parameter
from semxhs.sem.standardize import std_all


def parameter_rows(structure: RamStructure, imp: Implied, theta: np.ndarray, se_free: np.ndarray,
                   level: float) -> tuple[list[Parameter], dict[str, float], dict[str, float]]:
    """One :class:`Parameter` per row of the (group's) table, with its SE, Wald test and std.all.

    Also returns the value and the standardized value of every label (the first row with it),
    which the ``:=`` rows are computed from.
    """
    index = structure.index
    rows: list[Parameter] = []
    label_values: dict[str, float] = {}
    label_std: dict[str, float] = {}
    for p in structure.partable.params:
        if p.op == "=~":
            i, j = index[p.rhs], index[p.lhs]
            value = imp.A[i, j]
        elif p.op == "~":
            i, j = index[p.lhs], index[p.rhs]
            value = imp.A[i, j]
        elif p.op == "~~":
            i, j = index[p.lhs], index[p.rhs]
            value = imp.S[i, j]
        else:
            i = j = index[p.lhs]
            value = imp.alpha[i]
        value = float(value)
        if p.free:
            se = float(se_free[p.free - 1])
            z, pval, lo, hi = wald(value, se, level)
        else:
            se, z, pval, lo, hi = 0.0, None, None, value, value
        std = std_all(p.op, i, j, value, imp.C, imp.S)
        rows.append(Parameter(p.lhs, p.op, p.rhs, p.label, value, se, z, pval, lo, hi, std, bool(p.free)))
        if p.label and p.label not in label_values:
            label_values[p.label] = value
            label_std[p.label] = std
    return rows, label_values, label_std

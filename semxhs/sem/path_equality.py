"""Likelihood-ratio tests that each structural path is equal across groups (the LRT companion of the
Wald tests in ``SemResult.extra["path_equality"]``).

For every regression path that is free in every group and not already equal across them, the model is
refitted with that path constrained equal in all groups (one shared free parameter, as ``c(b, b)*x``)
and compared with the fitted model as lavaan's ``lavTestLRT``: Δχ² = χ²(equal) − χ²(free),
df = G − 1 (under MLR the Satorra–Bentler 2001 scaled difference).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from semxhs.sem.partable import ParTable
from semxhs.sem.results import SemResult


def equal_path_table(partable: ParTable, lhs: str, rhs: str) -> ParTable:
    """``partable`` with the path ``lhs ~ rhs`` sharing group 1's free parameter in every group.

    Examples
    --------
    >>> from semxhs.sem.partable import build_partable
    >>> pt = build_partable("y ~ x", group_labels=("a", "b"))
    >>> pt.n_free - equal_path_table(pt, "y", "x").n_free
    1
    """
    first = next(p.free for p in partable.params if p.group == 1 and (p.lhs, p.op, p.rhs) == (lhs, "~", rhs))
    merged = [replace(p, free=first) if p.free and (p.lhs, p.op, p.rhs) == (lhs, "~", rhs) else p
              for p in partable.params]
    order: dict[int, int] = {}
    for p in merged:
        if p.free and p.free not in order:
            order[p.free] = len(order) + 1
    return replace(partable, params=tuple(replace(p, free=order[p.free]) if p.free else p for p in merged))


def path_equality_lrt(res: SemResult, data: pd.DataFrame, group: str) -> list[dict[str, Any]]:
    """One LRT row ``{lhs, op, rhs, chisq_diff, df_diff, pvalue, converged}`` per path of ``path_equality``.

    Raises
    ------
    SpecError, DataError, EstimationError
    """
    from semxhs.sem.invariance import chisq_difference, satorra_bentler_2001
    from semxhs.sem.model import fit

    if res.state is None or not res.state.groups:
        return []
    partable = res.state.partable
    out = []
    f1 = res.fit
    for w in res.extra.get("path_equality", []):  # type: ignore[union-attr]
        constrained = fit(equal_path_table(partable, w["lhs"], w["rhs"]), data, group=group,
                          estimator=res.estimator)
        f0 = constrained.fit
        if res.estimator == "MLR":
            diff, ddf, pvalue = satorra_bentler_2001(f0.chisq, f0.df, f0.chisq_scaling_factor or float("nan"),
                                                     f1.chisq, f1.df, f1.chisq_scaling_factor or float("nan"))
        else:
            diff, ddf, pvalue = chisq_difference(f0.chisq, f0.df, f1.chisq, f1.df)
        out.append({"lhs": w["lhs"], "op": "~", "rhs": w["rhs"], "chisq_diff": diff, "df_diff": ddf,
                    "pvalue": pvalue, "converged": constrained.converged})
    return out

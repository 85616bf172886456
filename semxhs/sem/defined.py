"""The ``:=`` rows of a fit: each defined parameter's value, delta-method SE and Wald test.

One function for single- and multi-group fits. A value that is not finite (``a/0``,
``(-a)^0.5``, overflow) is reported as not available, as lavaan's ``NA``, with the warning
code ``defined_not_finite``; a finite value whose gradient does not exist gets no standard
error (``defined_se_not_finite``). Nothing is dropped: every definition has its row.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from semxhs.errors import name_list
from semxhs.messages import Message
from semxhs.sem.expression import evaluate, substitute
from semxhs.sem.inference import delta_method, wald
from semxhs.sem.partable import Defined
from semxhs.sem.results import Parameter

__all__ = ["defined_parameters"]


def defined_parameters(defined: Sequence[Defined], label_values: Mapping[str, float],
                       label_std: Mapping[str, float], label_index: Mapping[str, int], vcov: np.ndarray, *,
                       level: float = 0.95, identified: bool = True, group: int = 1
                       ) -> tuple[list[Parameter], list[Message]]:
    """The rows of the defined parameters and the warnings about those without a value or an SE.

    ``group`` is the row's group number (0 for a multi-group model's ``:=`` rows, which belong to
    no group). Later definitions may use earlier ones (substituted before differentiating).

    Examples
    --------
    >>> import numpy as np
    >>> from semxhs.sem.partable import build_partable
    >>> pt = build_partable("y ~ a*x\\nz ~ b*y\\nab := a*b\\nratio := a/(b - b)")
    >>> rows, warnings = defined_parameters(pt.defined, {"a": 0.5, "b": 0.4}, {"a": 0.3, "b": 0.2},
    ...                                     {"a": 0, "b": 1}, np.diag([0.01, 0.04]))
    >>> [(r.label, round(r.est, 3), round(r.se, 4)) for r in rows][:1]
    [('ab', 0.2, 0.1077)]
    >>> math.isnan(rows[1].est), [w.code for w in warnings]
    (True, ['defined_not_finite'])
    """
    trees: dict[str, object] = {}
    rows: list[Parameter] = []
    no_value: list[str] = []
    no_se: list[str] = []
    for d in defined:
        tree = substitute(d.tree, trees)  # type: ignore[arg-type]
        trees[d.name] = tree
        value, se = delta_method(tree, dict(label_values), dict(label_index), vcov)
        std_value = float(evaluate(tree, dict(label_std)))
        if not math.isfinite(std_value):
            std_value = math.nan
        if not math.isfinite(value):  # a/0, (-a)^0.5, overflow: not available, as lavaan's NA
            no_value.append(d.name)
            rows.append(Parameter(d.name, ":=", d.text, d.name, math.nan, math.nan, None, None, math.nan,
                                  math.nan, std_value, True, group))
            continue
        z, pval, lo, hi = wald(value, se, level)
        if not math.isfinite(se) and identified:  # the value exists, its gradient does not
            no_se.append(d.name)
            se, lo, hi = math.nan, math.nan, math.nan
        rows.append(Parameter(d.name, ":=", d.text, d.name, value, se, z, pval, lo, hi, std_value, True, group))
    warnings: list[Message] = []
    many = len(no_value) > 1
    if no_value:
        warnings.append(Message(
            "defined_not_finite", {"names": no_value},
            f"defined parameter{'s' if many else ''} {name_list(no_value)} {'have' if many else 'has'} no finite "
            "value (division by zero, a negative number to a fractional power, or overflow) and "
            f"{'are' if many else 'is'} reported as not available"))
    if no_se:
        warnings.append(Message(
            "defined_se_not_finite", {"names": no_se},
            f"the delta-method standard error of defined parameter{'s' if len(no_se) > 1 else ''} "
            f"{name_list(no_se)} is not finite (its derivative does not exist at the estimate) and is reported "
            "as not available"))
    return rows, warnings

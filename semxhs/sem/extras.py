"""Computations on a fitted model done on request: modification indices, score tests, effect sizes.

:func:`with_extras` runs them and returns the :class:`~semxhs.sem.results.SemResult` with the
typed rows attached (``modindices``, ``score_tests``, ``effect_sizes``), which its JSON and the
report then show. Effect sizes cost one refit per structural path.
"""

from __future__ import annotations

from dataclasses import replace

from semxhs.errors import SpecError
from semxhs.sem.effect_sizes import effect_sizes as effect_size_table
from semxhs.sem.modindices import equality_constraints
from semxhs.sem.modindices import modindices as modindex_table
from semxhs.sem.modindices import score_tests as score_test_result
from semxhs.sem.results import EffectSize, ModIndex, SemResult


def with_extras(res: SemResult, *, modindices: bool = False, effect_sizes: bool = False) -> SemResult:
    """Attach modification indices (with the score tests of equality constraints, if the model
    has any) and/or structural effect sizes to a fitted model.

    Raises
    ------
    SpecError
        A result without its fitted moments.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> rng = np.random.default_rng(8)
    >>> x = rng.normal(size=(300, 3)); m = x @ [0.4, 0.2, 0.0] + rng.normal(size=300)
    >>> d = pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2], "m": m,
    ...                   "y": 0.5 * m + x[:, 2] * 0.3 + rng.normal(size=300)})
    >>> res = with_extras(fit("m ~ x1 + x2 + x3\\ny ~ m", d), modindices=True, effect_sizes=True)
    >>> res.modindices[0].lhs, res.modindices[0].rhs, len(res.effect_sizes), res.score_tests is None
    ('y', 'x3', 4, True)
    """
    if not (modindices or effect_sizes):
        return res
    changes: dict[str, object] = {}
    if modindices:
        table = modindex_table(res)
        changes["modindices"] = tuple(ModIndex(**{k: row[k] for k in ModIndex.__dataclass_fields__ if k in row})
                                      for row in table.to_dict("records"))
        if res.state is not None and equality_constraints(res.state.partable, res.model):
            changes["score_tests"] = score_test_result(res)
    if effect_sizes:
        if res.state is None:
            raise SpecError("this result does not keep the fitted moments needed for effect sizes")
        table = effect_size_table(res)
        changes["effect_sizes"] = tuple(EffectSize(**{k: row[k] for k in EffectSize.__dataclass_fields__})
                                        for row in table.to_dict("records"))
    return replace(res, **changes)  # type: ignore[arg-type]

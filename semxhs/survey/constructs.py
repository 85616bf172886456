"""Construct scores: a construct measured by items becomes the mean of its items.

PROCESS-style analyses work on observed scores; when a role (X, M, W, Z, Y, a covariate)
names a construct of the study instead of a column, its score is the row mean of the
construct's items (after any re-keying), the usual practice in this field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from semxhs.errors import DataError, name_list
from semxhs.sem.partable import model_roles


def blocks_from_model(model_text: str) -> dict[str, list[str]]:
    """``{construct: [items]}`` from the ``=~`` lines of a lavaan model.

    Examples
    --------
    >>> blocks_from_model("TR =~ t1 + t2\\nPU =~ p1 + p2 + p3\\nPU ~ TR")
    {'TR': ['t1', 't2'], 'PU': ['p1', 'p2', 'p3']}
    """
    return model_roles(model_text)[1]


def construct_scores(frame: pd.DataFrame, names: Iterable[str], blocks: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Return ``frame`` with a mean-score column for every name that is a construct, not a column.

    A row's score is missing when any of its items is missing (so the listwise rule of the
    analysis sees it).

    Raises
    ------
    DataError
        Naming every role that is neither a column nor a construct, and construct items
        that are not in the data.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t1": [1, 3], "t2": [3, 5]})
    >>> construct_scores(df, ["TR"], {"TR": ["t1", "t2"]})["TR"].tolist()
    [2.0, 4.0]
    """
    out = frame.copy()
    unknown = []
    for name in dict.fromkeys(names):
        if name in out.columns:
            continue
        if name not in blocks:
            unknown.append(name)
            continue
        items = list(blocks[name])
        absent = [i for i in items if i not in out.columns]
        if absent:
            raise DataError(f"items of construct '{name}' are not in the data: {name_list(absent)}")
        values = out[items].apply(pd.to_numeric, errors="coerce")
        out[name] = values.mean(axis=1, skipna=False)
    if unknown:
        known = sorted(blocks)
        hint = f" (constructs of the study: {name_list(known)})" if known else ""
        raise DataError(f"neither columns nor constructs: {name_list(unknown)}{hint}")
    return out

"""Descriptive statistics of the constructs: mean, SD and correlations of construct scores.

A construct score is the mean of its items (after re-keying), the score the descriptive
table of a marketing paper reports; correlations are Pearson correlations of these
scores over the respondents who answered every item of the constructs (listwise).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import special  # scipy.special, not scipy.stats: stats costs ~0.5 s to import

__all__ = ["construct_descriptives"]


def construct_descriptives(data: pd.DataFrame, blocks: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Mean, SD (n − 1), and the correlation with every construct, of each construct's item-mean score.

    Parameters
    ----------
    data : pandas.DataFrame
        Item responses, reverse-worded items already re-keyed.
    blocks : mapping of str to sequence of str
        ``{construct: items}``, in the order of the table.

    Returns
    -------
    pandas.DataFrame
        Indexed by construct: ``n``, ``mean``, ``sd``, then one correlation column per
        construct (``r_<construct>``) and its two-sided p value (``p_<construct>``).

    Examples
    --------
    >>> d = pd.DataFrame({"a1": [1, 2, 3, 4], "a2": [2, 2, 4, 4], "b1": [4, 3, 2, 1], "b2": [4, 4, 2, 2]})
    >>> out = construct_descriptives(d, {"A": ["a1", "a2"], "B": ["b1", "b2"]})
    >>> out[["n", "mean", "sd"]].round(3).values.tolist()
    [[4.0, 2.75, 1.19], [4.0, 2.75, 1.19]]
    >>> float(out.loc["A", "r_B"])
    -1.0
    """
    items = [i for its in blocks.values() for i in its]
    complete = data[items].apply(pd.to_numeric, errors="coerce").dropna()
    scores = pd.DataFrame({name: complete[list(its)].mean(axis=1) for name, its in blocks.items()})
    n = len(scores)
    corr = scores.corr()
    out = pd.DataFrame({"n": float(n), "mean": scores.mean(), "sd": scores.std(ddof=1)})
    for name in blocks:
        r = corr[name]
        out[f"r_{name}"] = r
        with np.errstate(divide="ignore", invalid="ignore"):
            t_stat = r * np.sqrt((n - 2) / (1 - r ** 2))
        out[f"p_{name}"] = 2 * special.stdtr(n - 2, -np.abs(t_stat))
    return out

"""Check the measurement inputs: item data, blocks ``{factor: [items]}`` and per-item maps.

Every check raises :class:`semxhs.errors.DataError` naming the offenders; blocks too
small to assess (fewer than two items) are returned as notes, not errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from semxhs.errors import DataError, name_list
from semxhs.messages import Message, message_texts

__all__ = ["CheckedBlocks", "check_blocks", "check_item_map", "item_matrix"]


@dataclass(frozen=True)
class CheckedBlocks:
    """Blocks that can be assessed, the items of all blocks, and notes on skipped blocks.

    Attributes
    ----------
    kept : dict of str to tuple of str
        Blocks with at least ``min_items`` items, in the order given.
    all_items : tuple of str
        Every item of every block (single-item blocks included), first occurrence order;
        the item set for KMO, Bartlett's test and Harman's test.
    notes : tuple of str
        One note per skipped block (English).
    note_codes : tuple of Message
        The same notes as records: code ``block_skipped``, parameters ``factor``,
        ``items``, ``min_items``.
    """

    kept: dict[str, tuple[str, ...]]
    all_items: tuple[str, ...]
    notes: tuple[str, ...]
    note_codes: tuple[Message, ...] = ()


def check_blocks(
    data: pd.DataFrame,
    blocks: Mapping[str, Sequence[str]],
    *,
    min_items: int = 2,
) -> CheckedBlocks:
    """Validate ``blocks`` against ``data`` and split off blocks with too few items.

    Parameters
    ----------
    data : pandas.DataFrame
        Item responses, one column per item, listwise complete.
    blocks : mapping of str to sequence of str
        ``{factor: [item, ...]}`` as in lavaan's ``factor =~ item1 + item2``.
    min_items : int, default 2
        Blocks with fewer items are skipped with a note (reliability, AVE and HTMT
        are undefined for a single item).

    Returns
    -------
    CheckedBlocks

    Raises
    ------
    DataError
        If ``blocks`` is empty, an item is not a column of ``data``, an item is in two
        blocks, an item column is not numeric or holds missing values.

    Examples
    --------
    >>> df = pd.DataFrame({"a1": [1, 2, 3], "a2": [2, 3, 3], "b1": [1, 1, 2]})
    >>> cb = check_blocks(df, {"A": ["a1", "a2"], "B": ["b1"]})
    >>> cb.kept, cb.all_items
    ({'A': ('a1', 'a2')}, ('a1', 'a2', 'b1'))
    >>> cb.notes[0]
    "block 'B' has 1 item ('b1'); at least 2 are needed, so it is skipped..."
    >>> check_blocks(df, {"A": ["a1", "a9"]})
    Traceback (most recent call last):
    ...
    semxhs.errors.DataError: blocks: some items of block 'A' are not columns of the data: 'a9'
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data: expected a pandas DataFrame of item responses, got {type(data).__name__}")
    if not blocks:
        raise DataError("blocks: expected at least one block {factor: [items]}, got none")
    columns = set(map(str, data.columns))
    owner: dict[str, str] = {}
    kept: dict[str, tuple[str, ...]] = {}
    notes: list[Message] = []
    for factor, items in blocks.items():
        if isinstance(items, str):
            raise DataError(
                f"blocks: block '{factor}' must be a list of item names, got the string '{items}'"
            )
        items = tuple(str(i) for i in items)
        missing = [i for i in items if i not in columns]
        if missing:
            raise DataError(
                f"blocks: some items of block '{factor}' are not columns of the data: {name_list(missing)}"
            )
        dup = sorted({i for i in items if items.count(i) > 1})
        if dup:
            raise DataError(f"blocks: block '{factor}' lists {name_list(dup)} more than once")
        for i in items:
            if i in owner:
                raise DataError(
                    f"blocks: item '{i}' is in block '{owner[i]}' and in block '{factor}'; "
                    "reliability, item-total and HTMT statistics need each item in one block"
                )
            owner[i] = str(factor)
        if len(items) < min_items:
            notes.append(Message(
                "block_skipped", {"factor": str(factor), "items": list(items), "min_items": int(min_items)},
                f"block '{factor}' has {len(items)} item{'s' if len(items) != 1 else ''} "
                f"({name_list(items)}); at least {min_items} are needed, so it is skipped "
                "in reliability, AVE, Fornell-Larcker and HTMT"
            ))
            continue
        kept[str(factor)] = items
    all_items = tuple(owner)
    item_matrix(data, all_items)  # type and completeness checks
    return CheckedBlocks(kept=kept, all_items=all_items, notes=message_texts(notes), note_codes=tuple(notes))


def item_matrix(data: pd.DataFrame, items: Sequence[str]) -> np.ndarray:
    """The ``items`` columns of ``data`` as a float array, checked numeric and complete.

    Raises
    ------
    DataError
        Naming non-numeric columns, or columns with missing values and their first rows.

    Examples
    --------
    >>> item_matrix(pd.DataFrame({"a": [1, 2], "b": [3.0, None]}), ["a", "b"])
    Traceback (most recent call last):
    ...
    semxhs.errors.DataError: data: item 'b' has missing values (first rows: 1); measurement statistics need listwise-complete data
    """
    frame = data.loc[:, list(items)]
    bad = [c for c in frame.columns
           if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])]
    if bad:
        raise DataError(f"data: items must be numeric; not numeric: {name_list(bad)}")
    values = frame.to_numpy(dtype=float)
    holes = ~np.isfinite(values)
    if holes.any():
        col = int(np.flatnonzero(holes.any(axis=0))[0])
        rows = list(frame.index[holes[:, col]][:5])
        n_bad = int(holes.any(axis=0).sum())
        more = f" (and {n_bad - 1} more items)" if n_bad > 1 else ""
        raise DataError(
            f"data: item '{frame.columns[col]}' has missing values (first rows: "
            f"{', '.join(map(str, rows))}){more}; measurement statistics need listwise-complete data"
        )
    return values


def check_item_map(
    values: Mapping[str, float], items: Sequence[str], *, argument: str, factor: str
) -> np.ndarray:
    """Pick ``items`` from ``values`` (e.g. standardized loadings) as an array.

    Raises
    ------
    DataError
        Naming ``argument``, ``factor`` and the items ``values`` lacks.

    Examples
    --------
    >>> check_item_map({"a1": 0.7, "a2": 0.8}, ["a1", "a2"], argument="loadings_std", factor="A")
    array([0.7, 0.8])
    """
    missing = [i for i in items if i not in values]
    if missing:
        raise DataError(
            f"{argument}: factor '{factor}' has no value for item(s) {name_list(missing)}"
        )
    out = np.array([float(values[i]) for i in items])
    if not np.all(np.isfinite(out)):
        bad = [i for i, v in zip(items, out) if not np.isfinite(v)]
        raise DataError(f"{argument}: factor '{factor}' has non-finite values for {name_list(bad)}")
    return out

"""Notes and warnings as data, and the one rule for JSON numbers (a leaf every layer may use).

The analysis layers say what happened once, as :class:`Message` records (a code, its
parameters, the English text); :mod:`semxhs.report` words them in the report's language.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


def json_safe(value: Any) -> Any:
    """Turn NaN and infinities into ``None`` (JSON has no NaN), recursively: the one rule for JSON numbers.

    Integers stay integers and floats stay floats (an integral float such as ``12.0`` is
    not turned into ``12``); numpy scalars become the Python number of their kind.

    Examples
    --------
    >>> json_safe({"a": float("nan"), "b": [1.0, float("inf")]})
    {'a': None, 'b': [1.0, None]}
    >>> import numpy as np
    >>> json_safe([np.int64(3), np.float64(2.0), 12.0, True, None])
    [3, 2.0, 12.0, True, None]
    """
    if isinstance(value, float):
        value = float(value)  # a numpy float64 is a float: make it a plain one
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return json_safe(value.item())
    return value


@dataclass(frozen=True)
class Message:
    """A note or warning of the analysis layer as data: a stable code, its parameters, its English text.

    The analysis layer says what happened once, as data; the report words it in the
    report's language from a template keyed by ``code`` (:mod:`semxhs.report.messages`),
    with the numbers in ``params`` formatted there. ``text`` is the English sentence the
    result objects have always carried (and still carry, in their ``warnings``, ``notes``
    or ``reasons``); a report that does not know ``code`` shows ``text`` as it is.

    ``params`` holds plain JSON values only (str, int, float, None, and lists or dicts of
    them); numbers are at full precision. The codes of each producer are listed in its
    module (e.g. :data:`semxhs.sem.model.WARNING_CODES`).

    Examples
    --------
    >>> m = Message("fiml_empty_rows", {"n": 4}, "4 rows with all model variables missing were dropped")
    >>> m.to_dict()
    {'code': 'fiml_empty_rows', 'params': {'n': 4}, 'text': '4 rows with all model variables missing were dropped'}
    >>> message_texts([m])
    ('4 rows with all model variables missing were dropped',)
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        """``{"code", "params", "text"}`` (NaN as None)."""
        return json_safe({"code": self.code, "params": dict(self.params), "text": self.text})


def message_texts(messages: Iterable[Message]) -> tuple[str, ...]:
    """The English sentences of ``messages``, in order (for the fields that hold plain text)."""
    return tuple(m.text for m in messages)


def messages_to_json(messages: Iterable[Message]) -> list[dict[str, Any]]:
    """``messages`` as JSON records ``{"code", "params", "text"}``."""
    return [m.to_dict() for m in messages]

"""How a table names a variable: the instrument's construct name beside its code, in one place.

When an instrument names its constructs (``name: {zh: 信任, en: Trust}``), every table of
the report shows a construct as ``信任 (TR)`` / ``Trust (TR)``: the name for the reader, the
code to match the model. Items, observed variables and constructs without a name keep
their code. Every table builder asks :func:`display_name` (or :func:`name_map`) instead of
printing a code.
"""

from __future__ import annotations

from collections.abc import Mapping

from semxhs.report.blocks import Labels
from semxhs.report.labels import language_of

__all__ = ["construct_label", "display_name", "name_map", "path_label", "short_name_map"]


def construct_label(code: str, name: str) -> str:
    """``"信任 (TR)"``; the code alone when there is no name (or the name is the code).

    Examples
    --------
    >>> construct_label("TR", "信任"), construct_label("TR", ""), construct_label("TR", "TR")
    ('信任 (TR)', 'TR', 'TR')
    """
    return f"{name} ({code})" if name and name != code else code


def name_map(result: object, t: Labels, *, with_code: bool = True) -> Mapping[str, str]:
    """``{code: label}`` of the constructs the result's instrument names, in the report's language.

    A result without an instrument (``result.instrument`` absent or ``None``) names nothing;
    ``with_code=False`` gives the name alone.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from semxhs.survey.instrument import parse_instrument
    >>> from semxhs.report.labels import labels_for
    >>> inst = parse_instrument({"scale": {"points": 5}, "constructs": [{"id": "TR", "name": {"zh": "信任", "en": "Trust"}}],
    ...                          "items": [{"id": "t1", "construct": "TR"}]})
    >>> dict(name_map(SimpleNamespace(instrument=inst), labels_for("zh")))
    {'TR': '信任 (TR)'}
    """
    inst = getattr(result, "instrument", None)
    if inst is None:
        return {}
    zh = language_of(t) == "zh"
    out: dict[str, str] = {}
    for c in inst.constructs:
        name = (c.name_zh or c.name_en) if zh else (c.name_en or c.name_zh)
        out[c.id] = construct_label(c.id, name) if with_code else (name or c.id)
    return out


def short_name_map(result: object, t: Labels) -> Mapping[str, str]:
    """``{code: name}`` without the code, where space is short and the code not needed (the path diagram)."""
    return name_map(result, t, with_code=False)


def display_name(code: str, result: object, t: Labels) -> str:
    """The label of one variable in a table: a named construct as ``name (code)``, anything else as it is."""
    return name_map(result, t).get(code, code)


def path_label(outcome: str, predictor: str, result: object, t: Labels) -> str:
    """``"购买意愿 (PU) ← 信任 (TR)"``: a regression path with its variables named."""
    names = name_map(result, t)
    return f"{names.get(outcome, outcome)} ← {names.get(predictor, predictor)}"

"""Latent interactions ``Y ~ X + W + X:W`` by product indicators (matched pairs, double mean centering).

lavaan has no latent product term; the common remedy (Marsh, Wen & Hau, 2004; Lin et al.,
2010) builds a latent product ``XW`` measured by products of the indicators of ``X`` and
``W``: the i-th indicator of ``X`` times the i-th indicator of ``W`` (matched pairs, in the
order written), each indicator mean-centred before multiplying and each product
mean-centred again (double mean centering; ``semTools::indProd(match = TRUE, meanC = TRUE,
doubleMC = TRUE)``). The model text is rewritten to ``XW =~ x1.w1 + x2.w2 + ...`` and
``Y ~ X + W + XW``; lavaan then treats ``XW`` like any exogenous factor (it correlates with
``X`` and ``W``).
"""

from __future__ import annotations

import re

import pandas as pd

from semxhs.errors import DataError, SpecError
from semxhs.messages import Message, message_texts
from semxhs.sem.partable import model_roles


def product_indicators(frame: pd.DataFrame, left: list[str], right: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Double-mean-centred products of matched indicator pairs.

    Returns the product columns (named ``left.right``, as semTools names them) and their names.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x1": [1.0, 2.0, 3.0], "w1": [2.0, 2.0, 5.0]})
    >>> prods, names = product_indicators(df, ["x1"], ["w1"])
    >>> names, [round(v, 4) for v in prods["x1.w1"]]
    (['x1.w1'], [0.0, -1.0, 1.0])
    """
    k = min(len(left), len(right))
    out = {}
    names = []
    for a, b in zip(left[:k], right[:k]):
        xa = pd.to_numeric(frame[a], errors="coerce")
        xb = pd.to_numeric(frame[b], errors="coerce")
        prod = (xa - xa.mean()) * (xb - xb.mean())
        name = f"{a}.{b}"
        out[name] = prod - prod.mean()
        names.append(name)
    return pd.DataFrame(out, index=frame.index), names


def expand_latent_products(model: str, frame: pd.DataFrame) -> tuple[str, pd.DataFrame, tuple[str, ...]]:
    """Rewrite latent product terms ``X:W`` of a model into product-indicator factors.

    :func:`latent_product_expansion` with the notes as English sentences.
    """
    text, frame, messages = latent_product_expansion(model, frame)
    return text, frame, message_texts(messages)


def latent_product_expansion(model: str, frame: pd.DataFrame) -> tuple[str, pd.DataFrame, tuple[Message, ...]]:
    """Rewrite latent product terms ``X:W`` of a model into product-indicator factors.

    Parameters
    ----------
    model : str
        lavaan syntax that may contain ``X:W`` with latent ``X`` or ``W``.
    frame : pandas.DataFrame
        The data; product indicator columns are added to a copy.

    Returns
    -------
    model : str
        The rewritten model (unchanged when it has no latent product).
    frame : pandas.DataFrame
        The data with the product indicators.
    notes : tuple of Message
        What was done, for the report: code ``latent_product`` with ``term`` (``"X:W"``),
        ``name`` (the product factor) and ``indicators`` (its product indicators); the
        English sentence in ``text``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame(rng.normal(size=(50, 5)), columns=["x1", "x2", "w1", "w2", "y"])
    >>> text, wide, notes = latent_product_expansion("X =~ x1 + x2\\nW =~ w1 + w2\\ny ~ X + W + X:W", df)
    >>> notes[0].code, notes[0].params["name"], notes[0].params["indicators"]
    ('latent_product', 'XW', ['x1.w1', 'x2.w2'])
    """
    roles, indicators = model_roles(model)
    latent_products = [(a, b) for a, b in roles.products if a in roles.latent or b in roles.latent]
    if not latent_products:
        return model, frame, ()
    taken = set(roles.observed) | set(roles.latent) | set(frame.columns)
    frame = frame.copy()
    lines = [model.rstrip()]
    notes: list[Message] = []
    for a, b in latent_products:
        for side in (a, b):
            if side not in roles.latent:
                raise SpecError(
                    f"product term '{a}:{b}' mixes a latent and an observed variable ('{side}'); "
                    "measure both by items or write both as observed columns"
                )
            if side not in indicators:
                raise SpecError(f"latent variable '{side}' in '{a}:{b}' has no observed indicators")
        missing = [i for i in indicators[a] + indicators[b] if i not in frame.columns]
        if missing:
            raise DataError(f"indicators of '{a}:{b}' are not in the data: " + ", ".join(f"'{m}'" for m in missing))
        name = f"{a}{b}"
        while name in taken:
            name += "_"
        taken.add(name)
        prods, names = product_indicators(frame, indicators[a], indicators[b])
        for col in names:
            frame[col] = prods[col]
        lines[0] = re.sub(rf"(?<![\w.]){re.escape(a)}:{re.escape(b)}(?![\w.])", name, lines[0])
        lines.append(f"{name} =~ " + " + ".join(names))
        notes.append(Message(
            "latent_product", {"term": f"{a}:{b}", "name": name, "indicators": list(names)},
            f"{a}:{b} is estimated as the latent product {name}, measured by the double-mean-centred "
            f"products of matched indicator pairs ({', '.join(names)})"
        ))
    return "\n".join(lines) + "\n", frame, tuple(notes)

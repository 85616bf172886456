"""A small, safe parser for the arithmetic of lavaan's defined parameters (``:=``).

``ind := a*b``, ``total := c + a*b``, ``ratio := (a*b) / (c + a*b)``, ``sq := a^2``:
numbers, names, ``+ - * / ^`` and parentheses, nothing else. The text is tokenized and
parsed by recursive descent into a tiny tree; it is never handed to ``eval``. A tree is
evaluated on numbers or on numpy arrays (one value per bootstrap draw), and its
gradient with respect to every name is exact (the rules of differentiation applied to
the tree), which the delta method needs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Union

import numpy as np

from semxhs.errors import SpecError

ArrayLike = Union[float, np.ndarray]  # noqa: UP007  (a runtime alias)

_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)|([A-Za-z_.][A-Za-z0-9_.]*)|(\*\*|[-+*/^()]))")


@dataclass(frozen=True)
class Num:
    """A number in an expression."""

    value: float


@dataclass(frozen=True)
class Name:
    """A parameter label (or an earlier defined parameter) in an expression."""

    name: str


@dataclass(frozen=True)
class Unary:
    """Unary minus (or plus)."""

    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    """One of ``+ - * / ^`` applied to two sub-expressions."""

    op: str
    left: Node
    right: Node


Node = Union[Num, Name, Unary, Binary]  # noqa: UP007  (a runtime alias)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    stripped = text.rstrip()
    while pos < len(stripped):
        match = _TOKEN.match(stripped, pos)
        if match is None or match.end() == pos:
            bad = stripped[pos:].strip()[:1]
            raise SpecError(
                f"defined parameter expression '{text.strip()}' contains '{bad}': "
                "only numbers, labels, + - * / ^ and parentheses are allowed"
            )
        number, name, op = match.groups()
        if number is not None:
            tokens.append(("num", number))
        elif name is not None:
            tokens.append(("name", name))
        else:
            tokens.append(("op", "^" if op == "**" else op))
        pos = match.end()
    return tokens


class _Parser:
    """expr := term (('+'|'-') term)* ; term := unary (('*'|'/') unary)* ;
    unary := ('-'|'+') unary | power ; power := atom ('^' unary)? ; atom := num | name | '(' expr ')'
    """

    def __init__(self, text: str) -> None:
        self.text = text.strip()
        self.tokens = _tokenize(text)
        self.pos = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _fail(self, what: str) -> SpecError:
        return SpecError(f"defined parameter expression '{self.text}' is not valid arithmetic: {what}")

    def parse(self) -> Node:
        if not self.tokens:
            raise self._fail("it is empty")
        node = self._expr()
        if self._peek() is not None:
            raise self._fail(f"unexpected '{self._peek()[1]}'")  # type: ignore[index]
        return node

    def _expr(self) -> Node:
        node = self._term()
        while (tok := self._peek()) is not None and tok[1] in "+-" and tok[0] == "op":
            self.pos += 1
            node = Binary(tok[1], node, self._term())
        return node

    def _term(self) -> Node:
        node = self._unary()
        while (tok := self._peek()) is not None and tok[0] == "op" and tok[1] in "*/":
            self.pos += 1
            node = Binary(tok[1], node, self._unary())
        return node

    def _unary(self) -> Node:
        tok = self._peek()
        if tok is not None and tok[0] == "op" and tok[1] in "+-":
            self.pos += 1
            return Unary(tok[1], self._unary())
        return self._power()

    def _power(self) -> Node:
        base = self._atom()
        tok = self._peek()
        if tok is not None and tok == ("op", "^"):
            self.pos += 1
            return Binary("^", base, self._unary())
        return base

    def _atom(self) -> Node:
        tok = self._peek()
        if tok is None:
            raise self._fail("it ends too early")
        self.pos += 1
        kind, text = tok
        if kind == "num":
            return Num(float(text))
        if kind == "name":
            if self._peek() == ("op", "("):
                raise self._fail(f"function calls such as '{text}(' are not allowed")
            return Name(text)
        if text == "(":
            node = self._expr()
            if self._peek() != ("op", ")"):
                raise self._fail("a '(' is not closed")
            self.pos += 1
            return node
        raise self._fail(f"unexpected '{text}'")


def parse_expression(text: str) -> Node:
    """Parse the right-hand side of a ``:=`` line into an expression tree.

    Parameters
    ----------
    text : str
        Arithmetic on labels and numbers, e.g. ``"c + a*b"``.

    Returns
    -------
    Node
        The expression tree.

    Raises
    ------
    SpecError
        If the text holds anything but numbers, names, ``+ - * / ^`` and parentheses.

    Examples
    --------
    >>> tree = parse_expression("c + a*b")
    >>> sorted(names_in(tree))
    ['a', 'b', 'c']
    >>> float(evaluate(tree, {"a": 2.0, "b": 3.0, "c": 1.0}))
    7.0
    """
    return _Parser(text).parse()


def names_in(node: Node) -> set[str]:
    """Return the set of names an expression uses."""
    if isinstance(node, Name):
        return {node.name}
    if isinstance(node, Unary):
        return names_in(node.operand)
    if isinstance(node, Binary):
        return names_in(node.left) | names_in(node.right)
    return set()


def evaluate(node: Node, env: Mapping[str, ArrayLike]) -> ArrayLike:
    """Evaluate an expression tree; values in ``env`` may be numbers or numpy arrays.

    Examples
    --------
    >>> import numpy as np
    >>> evaluate(parse_expression("a^2 - b/2"), {"a": np.array([1.0, 2.0]), "b": 2.0})
    array([0., 3.])
    """
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        return env[node.name]
    if isinstance(node, Unary):
        value = evaluate(node.operand, env)
        return -value if node.op == "-" else value
    left = evaluate(node.left, env)
    right = evaluate(node.right, env)
    with np.errstate(divide="ignore", invalid="ignore"):
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if node.op == "/":
            return np.divide(left, right)
        return np.power(left, right)


def gradient(node: Node, env: Mapping[str, float]) -> dict[str, float]:
    """Exact partial derivatives of an expression with respect to each name it uses.

    Examples
    --------
    >>> g = gradient(parse_expression("c + a*b"), {"a": 2.0, "b": 3.0, "c": 1.0})
    >>> {k: float(v) for k, v in sorted(g.items())}
    {'a': 3.0, 'b': 2.0, 'c': 1.0}
    """
    return {name: float(_derivative(node, name, env)) for name in names_in(node)}


def _derivative(node: Node, name: str, env: Mapping[str, float]) -> float:
    if isinstance(node, Num):
        return 0.0
    if isinstance(node, Name):
        return 1.0 if node.name == name else 0.0
    if isinstance(node, Unary):
        d = _derivative(node.operand, name, env)
        return -d if node.op == "-" else d
    u, v = float(evaluate(node.left, env)), float(evaluate(node.right, env))
    du, dv = _derivative(node.left, name, env), _derivative(node.right, name, env)
    if node.op == "+":
        return du + dv
    if node.op == "-":
        return du - dv
    if node.op == "*":
        return du * v + u * dv
    if node.op == "/":
        return (du * v - u * dv) / (v * v)
    # d(u^v) = v u^(v-1) du + u^v ln(u) dv ; the second term only when v depends on name
    term = v * u ** (v - 1.0) * du if du != 0.0 else 0.0
    if dv != 0.0:
        term += u**v * np.log(u) * dv
    return term


def substitute(node: Node, trees: dict[str, Node]) -> Node:
    """Replace names by expression trees (a defined parameter used inside a later one).

    Examples
    --------
    >>> t = substitute(parse_expression("ind + c"), {"ind": parse_expression("a*b")})
    >>> sorted(names_in(t))
    ['a', 'b', 'c']
    """
    if isinstance(node, Name):
        return trees.get(node.name, node)
    if isinstance(node, Unary):
        return Unary(node.op, substitute(node.operand, trees))
    if isinstance(node, Binary):
        return Binary(node.op, substitute(node.left, trees), substitute(node.right, trees))
    return node

"""A small, safe parser for the arithmetic of lavaan's defined parameters (``:=``).

``ind := a*b``, ``total := c + a*b``, ``ratio := (a*b) / (c + a*b)``, ``sq := a^2``:
numbers, names, ``+ - * / ^`` and parentheses, nothing else. The text is tokenized and
parsed by recursive descent into a tiny tree; it is never handed to ``eval``. A tree is
evaluated on numbers or on numpy arrays (one value per bootstrap draw), and its
gradient with respect to every name is exact (the rules of differentiation applied to
the tree), which the delta method needs.

Arithmetic never raises: a division by zero, a negative number to a fractional power or
an overflow gives ``inf`` or ``nan`` (as R gives ``Inf``/``NaN``), which the callers report as
"not available". An expression may nest at most :data:`MAX_DEPTH` levels (parentheses,
unary signs, or a chain of operators), also once earlier defined parameters are
substituted into it, and expand to at most :data:`MAX_NODES` terms; beyond that it is a
:class:`~semxhs.errors.ModelSyntaxError`, never a ``RecursionError``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Union

import numpy as np

from semxhs.errors import ModelSyntaxError, SpecError

ArrayLike = Union[float, np.ndarray]

#: Deepest nesting of an expression: parentheses, unary signs and chains of operators each count.
MAX_DEPTH = 100

#: Most terms (numbers, names, operators) an expression may have once defined parameters are substituted.
MAX_NODES = 10_000

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
    operand: "Node"


@dataclass(frozen=True)
class Binary:
    """One of ``+ - * / ^`` applied to two sub-expressions."""

    op: str
    left: "Node"
    right: "Node"


Node = Union[Num, Name, Unary, Binary]


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
        self.depth = 0

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
        # every way of nesting (a sign, a parenthesis, an exponent) passes through here
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _too_deep(self.text)
        try:
            tok = self._peek()
            if tok is not None and tok[0] == "op" and tok[1] in "+-":
                self.pos += 1
                return Unary(tok[1], self._unary())
            return self._power()
        finally:
            self.depth -= 1

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


def _too_deep(text: str) -> ModelSyntaxError:
    short = text if len(text) <= 40 else text[:37] + "..."
    return ModelSyntaxError(
        f"defined parameter expression '{short}' nests more than {MAX_DEPTH} levels deep (parentheses, signs or "
        "a chain of operators); split it into several := lines")


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    return ()


def expanded_shape(node: Node, shapes: Mapping[str, tuple[int, int]] | None = None) -> tuple[int, int]:
    """Depth and number of nodes of a tree, with each name in ``shapes`` counted as its own (depth, size).

    Computed without recursion, once per distinct node, so it is safe on any tree.

    Examples
    --------
    >>> expanded_shape(parse_expression("a*b + c"))
    (3, 5)
    >>> expanded_shape(parse_expression("ind + c"), {"ind": (2, 3)})
    (3, 5)
    """
    shapes = shapes or {}
    done: dict[int, tuple[int, int]] = {}
    stack: list[tuple[Node, bool]] = [(node, False)]
    while stack:
        current, expanded = stack.pop()
        if id(current) in done:
            continue
        kids = _children(current)
        if not expanded and kids:
            stack.append((current, True))
            stack.extend((k, False) for k in kids if id(k) not in done)
            continue
        if isinstance(current, Name) and current.name in shapes:
            done[id(current)] = shapes[current.name]
        else:
            depth = 1 + max((done[id(k)][0] for k in kids), default=0)
            done[id(current)] = (depth, 1 + sum(done[id(k)][1] for k in kids))
    return done[id(node)]


def check_size(name: str, node: Node, shapes: Mapping[str, tuple[int, int]]) -> tuple[int, int]:
    """Refuse a defined parameter nested deeper than :data:`MAX_DEPTH` or larger than :data:`MAX_NODES`.

    ``shapes`` holds the expanded (depth, size) of the defined parameters before it; the
    return value is its own, for the next ones.

    Raises
    ------
    ModelSyntaxError
        Naming the parameter and the limit.

    Examples
    --------
    >>> shapes = {}
    >>> shapes["d1"] = check_size("d1", parse_expression("a*b"), shapes)
    >>> check_size("d2", parse_expression("d1*d1"), shapes)
    (3, 7)
    """
    depth, size = expanded_shape(node, shapes)
    if depth > MAX_DEPTH:
        raise ModelSyntaxError(
            f"defined parameter '{name}' nests more than {MAX_DEPTH} levels deep once the defined parameters it "
            "uses are substituted (parentheses, signs or a chain of operators); split it into several := lines "
            "or simplify it")
    if size > MAX_NODES:
        raise ModelSyntaxError(
            f"defined parameter '{name}' expands to more than {MAX_NODES} terms once the defined parameters it "
            "uses are substituted; simplify it")
    return depth, size


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
    ModelSyntaxError
        If it nests more than :data:`MAX_DEPTH` levels.

    Examples
    --------
    >>> tree = parse_expression("c + a*b")
    >>> sorted(names_in(tree))
    ['a', 'b', 'c']
    >>> float(evaluate(tree, {"a": 2.0, "b": 3.0, "c": 1.0}))
    7.0
    """
    tree = _Parser(text).parse()
    if expanded_shape(tree)[0] > MAX_DEPTH:  # a long flat chain (a+a+...+a) nests without parentheses
        raise _too_deep(text)
    return tree


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

    Never raises on arithmetic: division by zero gives ``inf`` (or ``nan`` for 0/0), a
    negative base with a fractional exponent ``nan``, an overflow ``inf``.

    Examples
    --------
    >>> import numpy as np
    >>> evaluate(parse_expression("a^2 - b/2"), {"a": np.array([1.0, 2.0]), "b": 2.0})
    array([0., 3.])
    >>> [float(evaluate(parse_expression(e), {"a": 2.0})) for e in ("a/0", "(0-a)^0.5", "(a+2)^1e308")]
    [inf, nan, inf]
    """
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        return env[node.name]
    if isinstance(node, Unary):
        value = evaluate(node.operand, env)
        return np.negative(value) if node.op == "-" else value
    left = evaluate(node.left, env)
    right = evaluate(node.right, env)
    with np.errstate(all="ignore"):
        if node.op == "+":
            return np.add(left, right)
        if node.op == "-":
            return np.subtract(left, right)
        if node.op == "*":
            return np.multiply(left, right)
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
    u, v = np.float64(evaluate(node.left, env)), np.float64(evaluate(node.right, env))
    du, dv = _derivative(node.left, name, env), _derivative(node.right, name, env)
    with np.errstate(all="ignore"):  # inf and nan, never an exception (see evaluate)
        if node.op == "+":
            return float(du + dv)
        if node.op == "-":
            return float(du - dv)
        if node.op == "*":
            return float(du * v + u * dv)
        if node.op == "/":
            return float((du * v - u * dv) / (v * v))
        # d(u^v) = v u^(v-1) du + u^v ln(u) dv ; the second term only when v depends on name
        term = v * np.power(u, v - 1.0) * du if du != 0.0 else np.float64(0.0)
        if dv != 0.0:
            term = term + np.power(u, v) * np.log(u) * dv
        return float(term)


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

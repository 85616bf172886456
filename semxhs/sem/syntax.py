"""lavaan model syntax -> statements (no data, no parameter table).

Accepted syntax: ``=~`` ``~`` ``~~`` ``~ 1`` ``:=`` and ``==`` between labels; several
left-hand sides joined by ``+``; modifiers ``2*x`` (fixed), ``NA*x`` (free), ``a*x``
(label; shared labels mean equal parameters), ``start(0.5)*x``, ``label("a")*x``,
``equal("a")*x``, ``0.5?x`` (start value), and per-group modifiers ``c(a1, a2)*x``,
``c(1, NA)*x``, ``c(0.5, 0.5)*x`` (one value per group, as lavaan); product terms ``X:W``
on the right of ``~``; comments with ``#`` or ``!``; statements separated by new lines or
``;``; a statement continues on the next line when that line holds no operator.

:mod:`semxhs.sem.partable` completes the statements into lavaan's parameter table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from semxhs.errors import ModelSyntaxError, SpecError

_NAME = re.compile(r"^[A-Za-z_\u00c0-\uffff][A-Za-z0-9_.\u00c0-\uffff]*$")
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


@dataclass(frozen=True)
class Modifier:
    """The modifier of one term in one group: a label, a fixed value, NA (free) or a start value."""

    label: str = ""
    fixed: float | None = None
    free: bool = False
    start: float | None = None


@dataclass(frozen=True)
class Statement:
    """One parsed formula of the model text (one left-hand side, one right-hand term).

    ``per_group`` holds the values of a ``c(...)`` modifier, one :class:`Modifier` per group
    (empty when the term has none); the scalar fields apply to every group.
    """

    lhs: str
    op: str
    rhs: str
    line: int
    label: str = ""
    fixed: float | None = None
    free: bool = False  # NA* modifier: explicitly free
    start: float | None = None
    per_group: tuple[Modifier, ...] = ()

    def in_group(self, g: int) -> Modifier:
        """The modifier of this term in group ``g`` (0-based)."""
        base = Modifier(self.label, self.fixed, self.free, self.start)
        if not self.per_group:
            return base
        mod = self.per_group[g]
        return Modifier(mod.label or base.label,
                        mod.fixed if mod.fixed is not None else (None if mod.free else base.fixed),
                        mod.free or (base.free and mod.fixed is None),
                        mod.start if mod.start is not None else base.start)


def _strip_comment(line: str) -> str:
    for mark in ("#", "!"):
        quoted = False
        for i, ch in enumerate(line):
            if ch == '"':
                quoted = not quoted
            elif ch == mark and not quoted:
                line = line[:i]
                break
    return line


_OPERATOR = re.compile(r"=~|~~|:=|==|~|<|>")


def _find_operator(text: str) -> tuple[str, int] | None:
    """Locate the model operator of a statement: the left-most one, longest first."""
    match = _OPERATOR.search(text)
    return (match.group(0), match.start()) if match else None


def _split_statements(text: str) -> list[tuple[int, str]]:
    """Split model text into (line number, statement) pairs, joining continuation lines."""
    statements: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw)
        for part in line.split(";"):
            part = part.strip()
            if not part:
                continue
            if statements and (
                _find_operator(part) is None or statements[-1][1].rstrip().endswith(("+", "*"))
            ):
                prev_line, prev = statements[-1]
                statements[-1] = (prev_line, prev + " " + part)
            else:
                statements.append((number, part))
    return statements


def _split_plus(text: str) -> list[str]:
    """Split on '+' at parenthesis depth 0, keeping signs of numbers in modifiers."""
    parts, depth, current = [], 0, ""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "+" and depth == 0:
            prev = current.rstrip()
            # a '+' right after '*' or at the very start belongs to a number
            if prev and not prev.endswith("*"):
                parts.append(current)
                current = ""
                i += 1
                continue
        current += ch
        i += 1
    parts.append(current)
    return [p.strip() for p in parts]


def _parse_modifier(mod: str, line: int, stmt: dict[str, object]) -> None:
    mod = mod.strip()
    if _NUMBER.match(mod):
        stmt["fixed"] = float(mod)
        return
    if mod in ("NA", "na"):
        stmt["free"] = True
        return
    call = re.match(r"^(start|label|equal|c)\s*\((.*)\)$", mod)
    if call:
        fn, arg = call.group(1), call.group(2).strip().strip("'\"")
        if fn == "start":
            if not _NUMBER.match(arg):
                raise ModelSyntaxError(f"line {line}: start() needs a number, got '{arg}'")
            stmt["start"] = float(arg)
        elif fn in ("label", "equal"):
            stmt["label"] = arg
        else:
            stmt["per_group"] = _parse_group_vector(call.group(2), mod, line)
        return
    if _NAME.match(mod):
        stmt["label"] = mod
        return
    raise ModelSyntaxError(f"line {line}: cannot read the modifier '{mod}'")


def _parse_group_vector(inner: str, mod: str, line: int) -> tuple[Modifier, ...]:
    """``c(a1, a2)``, ``c(1, NA)``, ``c(0.5, 0.5)``: one label, fixed value or NA per group."""
    values: list[Modifier] = []
    for item in inner.split(","):
        item = item.strip().strip("'\"")
        if _NUMBER.match(item):
            values.append(Modifier(fixed=float(item)))
        elif item in ("NA", "na"):
            values.append(Modifier(free=True))
        elif _NAME.match(item):
            values.append(Modifier(label=item))
        else:
            raise ModelSyntaxError(f"line {line}: cannot read '{item}' in the per-group modifier '{mod}'")
    return tuple(values)


def _parse_term(term: str, line: int) -> dict[str, object]:
    stmt: dict[str, object] = {"label": "", "fixed": None, "free": False, "start": None, "per_group": ()}
    pieces = [p.strip() for p in re.split(r"[*?]", term)]
    if "?" in term:
        # 0.5?x : start value shorthand
        if len(pieces) != 2 or not _NUMBER.match(pieces[0]):
            raise ModelSyntaxError(f"line {line}: cannot read '{term}'")
        stmt["start"] = float(pieces[0])
    else:
        for mod in pieces[:-1]:
            _parse_modifier(mod, line, stmt)
    stmt["var"] = pieces[-1]
    return stmt


def parse_syntax(text: str) -> tuple[list[Statement], list[tuple[str, str, int]], list[tuple[str, str, int]]]:
    """Parse lavaan model text into statements, defined parameters and equality constraints.

    Parameters
    ----------
    text : str
        Model text in lavaan syntax.

    Returns
    -------
    statements : list of Statement
        One entry per (lhs, op, rhs) term, in the order written.
    defined : list of (name, expression, line)
        The ``:=`` lines.
    equalities : list of (label, label, line)
        The ``==`` lines.

    Raises
    ------
    ModelSyntaxError
        With the line number, when a line cannot be read.

    Examples
    --------
    >>> st, defs, eqs = parse_syntax("M ~ a*X\\nY ~ b*M + c*X\\nind := a*b")
    >>> [(s.lhs, s.op, s.rhs, s.label) for s in st]
    [('M', '~', 'X', 'a'), ('Y', '~', 'M', 'b'), ('Y', '~', 'X', 'c')]
    >>> defs
    [('ind', 'a*b', 3)]
    """
    statements: list[Statement] = []
    defined: list[tuple[str, str, int]] = []
    equalities: list[tuple[str, str, int]] = []
    for line, stmt_text in _split_statements(text):
        found = _find_operator(stmt_text)
        if found is None:
            raise ModelSyntaxError(f"line {line}: no model operator (=~, ~, ~~, :=) in '{stmt_text}'")
        op, idx = found
        lhs_text, rhs_text = stmt_text[:idx].strip(), stmt_text[idx + len(op) :].strip()
        if not lhs_text or not rhs_text:
            raise ModelSyntaxError(f"line {line}: '{stmt_text}' needs something on both sides of '{op}'")
        if op == ":=":
            if not _NAME.match(lhs_text):
                raise ModelSyntaxError(f"line {line}: '{lhs_text}' is not a valid name for a defined parameter")
            defined.append((lhs_text, rhs_text.replace(" ", ""), line))
            continue
        if op == "==":
            if not (_NAME.match(lhs_text) and _NAME.match(rhs_text)):
                raise SpecError(
                    f"line {line}: only equality between two labels is supported ('a == b'), got '{stmt_text}'"
                )
            equalities.append((lhs_text, rhs_text, line))
            continue
        if op in ("<", ">"):
            raise SpecError(f"line {line}: inequality constraints ('{stmt_text}') are not supported")
        lhs_names = [s.strip() for s in lhs_text.split("+")]
        for name in lhs_names:
            if not _NAME.match(name):
                raise ModelSyntaxError(f"line {line}: '{name}' is not a valid variable name")
        for lhs in lhs_names:
            for term in _split_plus(rhs_text):
                if not term:
                    raise ModelSyntaxError(f"line {line}: empty term in '{stmt_text}'")
                parsed = _parse_term(term, line)
                var = str(parsed.pop("var"))
                this_op = op
                if var in ("1", "0") and op == "~":
                    if var == "0":
                        parsed["fixed"] = 0.0
                    this_op, var = "~1", ""
                elif ":" in var and op == "~":
                    left, _, right = var.partition(":")
                    if not (_NAME.match(left) and _NAME.match(right)):
                        raise ModelSyntaxError(f"line {line}: cannot read the product term '{var}'")
                elif not _NAME.match(var):
                    raise ModelSyntaxError(f"line {line}: '{var}' is not a valid variable name")
                if op == "=~" and var == lhs:
                    raise ModelSyntaxError(f"line {line}: '{lhs}' cannot be an indicator of itself")
                statements.append(
                    Statement(
                        lhs=lhs,
                        op=this_op,
                        rhs=var,
                        line=line,
                        label=str(parsed["label"]),
                        fixed=parsed["fixed"],  # type: ignore[arg-type]
                        free=bool(parsed["free"]),
                        start=parsed["start"],  # type: ignore[arg-type]
                        per_group=parsed["per_group"],  # type: ignore[arg-type]
                    )
                )
    if not statements:
        raise ModelSyntaxError("line 1: the model has no =~, ~ or ~~ statement")
    return statements, defined, equalities


def merge_duplicates(statements: list[Statement]) -> list[Statement]:
    """Merge repeated (lhs, op, rhs) terms, as lavaan does (``f =~ NA*x1 + a*x1``)."""
    merged: dict[tuple[str, str, str], Statement] = {}
    for s in statements:
        key = (s.lhs, s.op, s.rhs)
        if s.op == "~~" and (s.rhs, s.op, s.lhs) in merged:
            key = (s.rhs, s.op, s.lhs)
        if key in merged:
            old = merged[key]
            merged[key] = replace(
                old,
                label=s.label or old.label,
                fixed=s.fixed if s.fixed is not None else old.fixed,
                free=s.free or old.free,
                start=s.start if s.start is not None else old.start,
                per_group=s.per_group or old.per_group,
            )
        else:
            merged[key] = s
    return list(merged.values())


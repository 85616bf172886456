"""lavaan model syntax -> parameter table (no data, no fitting).

The parameter table is lavaan's core data structure and ours: one row per parameter,
with the user's rows first and then the rows lavaan's ``sem()`` adds by itself
(``auto.fix.first``, ``auto.fix.single``, ``auto.var``, ``auto.cov.lv.x``,
``auto.cov.y``, ``fixed.x``; intercepts when a mean structure is modelled). The rules
follow ``lavaan::lavaanify`` as called by ``sem()`` (lavaan 0.6), so that the same
model text gives the same free parameters, degrees of freedom and numbers.

Accepted syntax: ``=~`` ``~`` ``~~`` ``~ 1`` ``:=`` and ``==`` between labels; several
left-hand sides joined by ``+``; modifiers ``2*x`` (fixed), ``NA*x`` (free), ``a*x``
(label; shared labels mean equal parameters), ``start(0.5)*x``, ``label("a")*x``,
``equal("a")*x``, ``0.5?x`` (start value); product terms ``X:W`` on the right of ``~``;
comments with ``#`` or ``!``; statements separated by new lines or ``;``; a statement
continues on the next line when that line holds no operator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from semxhs.errors import ModelSyntaxError, SpecError, name_list
from semxhs.sem.expression import Node, check_size, names_in, parse_expression

_NAME = re.compile(r"^[A-Za-z_\u00c0-\uffff][A-Za-z0-9_.\u00c0-\uffff]*$")
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


@dataclass(frozen=True)
class Statement:
    """One parsed formula of the model text (one left-hand side, one right-hand term)."""

    lhs: str
    op: str
    rhs: str
    line: int
    label: str = ""
    fixed: float | None = None
    free: bool = False  # NA* modifier: explicitly free
    start: float | None = None


@dataclass(frozen=True)
class Param:
    """One row of the parameter table.

    ``free`` is the 1-based index of the free parameter (lavaan's ``free`` column; rows
    with the same label share it), 0 for fixed rows. ``value`` is the fixed value of a
    fixed row (``None`` for ``exo`` rows, which take sample statistics).
    """

    lhs: str
    op: str
    rhs: str
    user: bool
    free: int
    value: float | None
    label: str = ""
    exo: bool = False
    start: float | None = None


@dataclass(frozen=True)
class Defined:
    """A defined parameter ``name := expression``."""

    name: str
    text: str
    tree: Node


@dataclass(frozen=True)
class ParTable:
    """The parameter table of a model: rows, defined parameters and variable roles."""

    params: tuple[Param, ...]
    defined: tuple[Defined, ...]
    observed: tuple[str, ...]
    latent: tuple[str, ...]
    meanstructure: bool
    products: tuple[tuple[str, str], ...] = field(default=())

    @property
    def n_free(self) -> int:
        """Number of free parameters (equality-constrained rows counted once)."""
        return max((p.free for p in self.params), default=0)

    @property
    def exogenous_observed(self) -> tuple[str, ...]:
        """Observed variables whose moments are fixed at their sample values (fixed.x)."""
        seen: list[str] = []
        for p in self.params:
            if p.exo and p.op == "~~" and p.lhs == p.rhs:
                seen.append(p.lhs)
        return tuple(seen)


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
            raise ModelSyntaxError(f"line {line}: modifier '{mod}' (one value per group) needs groups, which semxhs does not fit")
        return
    if _NAME.match(mod):
        stmt["label"] = mod
        return
    raise ModelSyntaxError(f"line {line}: cannot read the modifier '{mod}'")


def _parse_term(term: str, line: int) -> dict[str, object]:
    stmt: dict[str, object] = {"label": "", "fixed": None, "free": False, "start": None}
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
                    )
                )
    if not statements:
        raise ModelSyntaxError("line 1: the model has no =~, ~ or ~~ statement")
    return statements, defined, equalities


def _merge_duplicates(statements: list[Statement]) -> list[Statement]:
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
            )
        else:
            merged[key] = s
    return list(merged.values())


def build_partable(text: str, *, std_lv: bool = False, meanstructure: bool = False) -> ParTable:
    """Parse model text and complete it into lavaan's parameter table for ``sem()``.

    Parameters
    ----------
    text : str
        Model text in lavaan syntax.
    std_lv : bool
        Identify factors by fixing their variances to 1 and freeing all loadings
        (lavaan's ``std.lv = TRUE``) instead of fixing the first loading to 1.
    meanstructure : bool
        Model intercepts even when the text has no ``~ 1`` line (FIML needs them).

    Returns
    -------
    ParTable

    Raises
    ------
    ModelSyntaxError, SpecError

    Examples
    --------
    >>> pt = build_partable("visual =~ x1 + x2 + x3")
    >>> [(p.lhs, p.op, p.rhs, p.free) for p in pt.params]  # doctest: +NORMALIZE_WHITESPACE
    [('visual', '=~', 'x1', 0), ('visual', '=~', 'x2', 1), ('visual', '=~', 'x3', 2),
     ('x1', '~~', 'x1', 3), ('x2', '~~', 'x2', 4), ('x3', '~~', 'x3', 5),
     ('visual', '~~', 'visual', 6)]
    """
    statements, defined_raw, equalities = parse_syntax(text)
    statements = _merge_duplicates(statements)
    itself = [s for s in statements if s.op in ("~", "=~") and s.lhs == s.rhs]
    if itself:
        s = itself[0]
        raise SpecError(f"line {s.line}: '{s.lhs} {s.op} {s.rhs}' "
                        f"{'regresses a variable on' if s.op == '~' else 'measures a variable by'} itself; "
                        "a variable cannot be its own predictor or indicator")

    latent: list[str] = []
    for s in statements:
        if s.op == "=~" and s.lhs not in latent:
            latent.append(s.lhs)
    products: list[tuple[str, str]] = []
    for s in statements:
        if s.op == "~" and ":" in s.rhs:
            left, _, right = s.rhs.partition(":")
            if (left, right) not in products:
                products.append((left, right))

    # observed variables, in order of first appearance (indicators first, as lavaan)
    observed: list[str] = []

    def _add_ov(name: str) -> None:
        if name and name not in latent and name not in observed:
            observed.append(name)

    for s in statements:
        if s.op == "=~":
            _add_ov(s.rhs)
    for s in statements:
        if s.op in ("~", "~~"):
            _add_ov(s.lhs)
            _add_ov(s.rhs)
        elif s.op == "~1":
            _add_ov(s.lhs)

    reg_lhs = {s.lhs for s in statements if s.op == "~"}
    reg_rhs = {s.rhs for s in statements if s.op == "~"}
    indicators = {s.rhs for s in statements if s.op == "=~"}
    user_cov_vars = {v for s in statements if s.op in ("~~", "~1") for v in (s.lhs, s.rhs) if v}

    # fixed.x: observed predictors that are never an outcome nor an indicator, and that the
    # user did not give a (co)variance or intercept (lavaan then treats them as random)
    ov_x = [
        v for v in observed
        if v in reg_rhs and v not in reg_lhs and v not in indicators and v not in user_cov_vars
    ]
    lv_x = [f for f in latent if f not in reg_lhs and f not in indicators]
    # auto.cov.y: pure outcomes (regressed on something, predicting nothing, not an indicator)
    pure_y = [
        v for v in observed + latent
        if v in reg_lhs and v not in reg_rhs and v not in indicators
    ]
    meanstructure = meanstructure or any(s.op == "~1" for s in statements)

    rows: list[dict[str, object]] = []

    def _row(lhs: str, op: str, rhs: str, user: bool, fixed: float | None, label: str = "",
             free_flag: bool = False, start: float | None = None, exo: bool = False) -> None:
        rows.append({"lhs": lhs, "op": op, "rhs": rhs, "user": user, "fixed": fixed, "label": label,
                     "free_flag": free_flag, "start": start, "exo": exo})

    # user rows; first loading of each factor fixed to 1 unless written NA* or fixed
    first_done: set[str] = set()
    indicator_count = {f: sum(1 for s in statements if s.op == "=~" and s.lhs == f) for f in latent}
    for s in statements:
        fixed = s.fixed
        if s.op == "=~" and s.lhs not in first_done:
            first_done.add(s.lhs)
            if not std_lv and fixed is None and not s.free:
                fixed = 1.0
        _row(s.lhs, s.op, s.rhs, True, fixed, s.label, s.free, s.start)

    present = {(str(r["lhs"]), str(r["op"]), str(r["rhs"])) for r in rows}

    def _has(lhs: str, op: str, rhs: str) -> bool:
        return (lhs, op, rhs) in present or (rhs, op, lhs) in present

    def _auto(lhs: str, op: str, rhs: str, fixed: float | None = None, exo: bool = False) -> None:
        if not _has(lhs, op, rhs):
            _row(lhs, op, rhs, False, fixed, exo=exo)
            present.add((lhs, op, rhs))

    # auto.var (+ auto.fix.single): residual variances of observed, variances of latent
    single_indicator = {
        s.rhs for s in statements
        if s.op == "=~" and indicator_count.get(s.lhs) == 1 and s.rhs not in latent
    }
    for v in observed:
        if v in ov_x:
            continue
        _auto(v, "~~", v, 0.0 if v in single_indicator else None)
    for f in latent:
        _auto(f, "~~", f, 1.0 if std_lv and f in lv_x else None)
    if std_lv:
        # lavaan std.lv fixes the (residual) variance of every latent variable to 1
        for r in rows:
            if r["op"] == "~~" and r["lhs"] == r["rhs"] in latent and not r["user"]:
                r["fixed"] = 1.0
    # auto.cov.lv.x
    for i, a in enumerate(lv_x):
        for b in lv_x[i + 1 :]:
            _auto(a, "~~", b)
    # auto.cov.y
    for i, a in enumerate(pure_y):
        for b in pure_y[i + 1 :]:
            _auto(a, "~~", b)
    # intercepts
    if meanstructure:
        for v in observed:
            if v not in ov_x:
                _auto(v, "~1", "")
        for f in latent:
            _auto(f, "~1", "", 0.0)
    # fixed.x: exogenous covariates' (co)variances and means fixed at sample values
    for i, a in enumerate(ov_x):
        for b in ov_x[i:]:
            _auto(a, "~~", b, exo=True)
    if meanstructure:
        for v in ov_x:
            _auto(v, "~1", "", exo=True)

    # labels: equality constraints and '==' lines merge label classes
    parent: dict[str, str] = {}

    def _find(label: str) -> str:
        while parent.get(label, label) != label:
            label = parent[label]
        return label

    labels = {str(r["label"]) for r in rows if r["label"]}
    for a, b, line in equalities:
        for lab in (a, b):
            if lab not in labels:
                raise SpecError(f"line {line}: '{lab}' in '{a} == {b}' is not a label of the model")
        parent[_find(a)] = _find(b)

    params: list[Param] = []
    free_index: dict[str, int] = {}
    n_free = 0
    label_fixed: dict[str, float] = {}
    for r in rows:
        label = str(r["label"])
        fixed = r["fixed"]
        exo = bool(r["exo"])
        if exo:
            params.append(Param(str(r["lhs"]), str(r["op"]), str(r["rhs"]), bool(r["user"]), 0, None, label, True))
            continue
        if fixed is not None and not r["free_flag"]:
            if label:
                label_fixed[_find(label)] = float(fixed)  # type: ignore[arg-type]
            params.append(Param(str(r["lhs"]), str(r["op"]), str(r["rhs"]), bool(r["user"]), 0,
                                float(fixed), label, False))  # type: ignore[arg-type]
            continue
        start = r["start"] if r["start"] is not None else (fixed if r["free_flag"] else None)
        if label:
            root = _find(label)
            if root not in free_index:
                n_free += 1
                free_index[root] = n_free
            idx = free_index[root]
        else:
            n_free += 1
            idx = n_free
        params.append(Param(str(r["lhs"]), str(r["op"]), str(r["rhs"]), bool(r["user"]), idx, None,
                            label, False, start))  # type: ignore[arg-type]

    clash = sorted(set(label_fixed) & set(free_index))
    if clash:
        raise SpecError(f"labels {name_list(clash)} name both a fixed and a free parameter")
    _check_identifiers(params, latent)

    defined = _build_defined(defined_raw, {p.label for p in params if p.label})
    return ParTable(tuple(params), defined, tuple(observed), tuple(latent), meanstructure, tuple(products))


def _check_identifiers(params: list[Param], latent: list[str]) -> None:
    for f in latent:
        loadings = [p for p in params if p.op == "=~" and p.lhs == f]
        variance = next((p for p in params if p.op == "~~" and p.lhs == p.rhs == f), None)
        scale_fixed = any(p.free == 0 and p.value not in (None, 0.0) for p in loadings) or (
            variance is not None and variance.free == 0
        )
        if not scale_fixed:
            raise SpecError(
                f"latent variable '{f}' has no scale: fix one loading (1*item) or its variance ({f} ~~ 1*{f})"
            )


def _build_defined(raw: list[tuple[str, str, int]], labels: set[str]) -> tuple[Defined, ...]:
    defined: list[Defined] = []
    known = set(labels)
    shapes: dict[str, tuple[int, int]] = {}
    for name, text, line in raw:
        if name in known:
            raise SpecError(f"line {line}: defined parameter '{name}' reuses a name that is already a label")
        try:
            tree = parse_expression(text)
            shapes[name] = check_size(name, tree, shapes)
        except (SpecError, ModelSyntaxError) as exc:
            raise type(exc)(f"line {line}: {exc}") from None
        unknown = sorted(names_in(tree) - known)
        if unknown:
            raise SpecError(
                f"line {line}: '{name} := {text}' uses {name_list(unknown)}, which "
                f"{'is not a label' if len(unknown) == 1 else 'are not labels'} of the model"
            )
        defined.append(Defined(name, text, tree))
        known.add(name)
    return tuple(defined)


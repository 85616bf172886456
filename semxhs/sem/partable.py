"""Statements -> lavaan's parameter table (one block of rows per group).

The parameter table is lavaan's core data structure and ours: one row per parameter,
with the user's rows first and then the rows lavaan's ``sem()`` adds by itself
(``auto.fix.first``, ``auto.fix.single``, ``auto.var``, ``auto.cov.lv.x``,
``auto.cov.y``, ``fixed.x``; intercepts when a mean structure is modelled), in lavaan's
order (``lav_partable_flat``). The rules follow ``lavaan::lavaanify`` as called by ``sem()``
(lavaan 0.6), so that the same model text gives the same free parameters, degrees of
freedom and numbers. Building goes in three steps: variable roles
(:func:`variable_roles`), the rows of each group (user rows and automatic rows), then
labels: ``group.equal``'s automatic ``.pN.`` labels, ``==`` lines, and free-parameter
indices shared by equal labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from semxhs.errors import ModelSyntaxError, SpecError, name_list
from semxhs.sem.expression import Node, check_size, names_in, parse_expression
from semxhs.sem.syntax import Statement, merge_duplicates, parse_syntax

GROUP_EQUAL = ("loadings", "intercepts", "means", "residuals", "residual.covariances", "regressions",
               "lv.variances", "lv.covariances")


@dataclass(frozen=True)
class Param:
    """One row of the parameter table.

    ``free`` is the 1-based index of the free parameter (lavaan's ``free`` column; rows
    with the same label share it, within and across groups), 0 for fixed rows. ``value`` is
    the fixed value of a fixed row (``None`` for ``exo`` rows, which take sample statistics).
    ``group`` is the 1-based group (lavaan's ``group`` column; 1 in single-group models).
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
    group: int = 1


@dataclass(frozen=True)
class Defined:
    """A defined parameter ``name := expression``."""

    name: str
    text: str
    tree: Node


@dataclass(frozen=True)
class ParTable:
    """The parameter table of a model: rows, defined parameters and variable roles.

    ``covariates`` are the exogenous observed covariates (lavaan's ``ov.x``) whether their
    moments are fixed (``fixed_x``, the default: ``exo`` rows) or free parameters
    (``fixed.x = FALSE``). ``group_labels`` names the groups in lavaan's order (empty in a
    single-group model).
    """

    params: tuple[Param, ...]
    defined: tuple[Defined, ...]
    observed: tuple[str, ...]
    latent: tuple[str, ...]
    meanstructure: bool
    products: tuple[tuple[str, str], ...] = field(default=())
    covariates: tuple[str, ...] = field(default=())
    fixed_x: bool = True
    group_labels: tuple[str, ...] = field(default=())

    @property
    def n_free(self) -> int:
        """Number of free parameters (equality-constrained rows counted once)."""
        return max((p.free for p in self.params), default=0)

    @property
    def n_groups(self) -> int:
        """Number of groups (1 in a single-group model)."""
        return max((p.group for p in self.params), default=1)

    @property
    def exogenous_observed(self) -> tuple[str, ...]:
        """Observed variables whose moments are fixed at their sample values (fixed.x)."""
        seen: list[str] = []
        for p in self.params:
            if p.exo and p.op == "~~" and p.lhs == p.rhs and p.group == 1:
                seen.append(p.lhs)
        return tuple(seen)

    def group_table(self, group: int) -> ParTable:
        """The rows of one group (1-based) as a table of their own; free indices stay global."""
        return ParTable(tuple(p for p in self.params if p.group == group), (), self.observed, self.latent,
                        self.meanstructure, self.products, self.covariates, self.fixed_x, ())


@dataclass(frozen=True)
class Roles:
    """What each variable of a model is, as lavaan's ``lav_partable_vnames`` sees it."""

    observed: tuple[str, ...]  # our order: indicators first, then in order of appearance
    ov_order: tuple[str, ...]  # lavaan's order: indicators, dependent, independent, others
    latent: tuple[str, ...]
    ov_x: tuple[str, ...]
    lv_x: tuple[str, ...]
    lvov_y: tuple[str, ...]  # auto.cov.y: dependent latent variables first, then observed
    single_indicator: frozenset[str]
    products: tuple[tuple[str, str], ...]


def variable_roles(statements: list[Statement]) -> Roles:
    """Observed and latent variables, covariates (``ov.x``), exogenous factors and pure outcomes.

    Examples
    --------
    >>> from semxhs.sem.syntax import parse_syntax
    >>> r = variable_roles(parse_syntax("f =~ y1 + y2 + y3\\nf ~ x\\nz ~ f + x")[0])
    >>> r.observed, r.ov_order, r.ov_x
    (('y1', 'y2', 'y3', 'x', 'z'), ('y1', 'y2', 'y3', 'z', 'x'), ('x',))
    """
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
    observed: list[str] = []

    def _add(target: list[str], name: str) -> None:
        if name and name not in latent and name not in target:
            target.append(name)

    for s in statements:
        if s.op == "=~":
            _add(observed, s.rhs)
    for s in statements:
        if s.op in ("~", "~~"):
            _add(observed, s.lhs)
            _add(observed, s.rhs)
        elif s.op == "~1":
            _add(observed, s.lhs)
    reg_lhs = {s.lhs for s in statements if s.op == "~"}
    reg_rhs = {s.rhs for s in statements if s.op == "~"}
    indicators = {s.rhs for s in statements if s.op == "=~"}
    user_cov_vars = {v for s in statements if s.op in ("~~", "~1") for v in (s.lhs, s.rhs) if v}
    # fixed.x: observed predictors that are never an outcome nor an indicator, and that the
    # user did not give a (co)variance or intercept (lavaan then treats them as random)
    ov_x = [v for v in observed
            if v in reg_rhs and v not in reg_lhs and v not in indicators and v not in user_cov_vars]
    lv_x = [f for f in latent if f not in reg_lhs and f not in indicators]
    ov_y = [v for v in observed if v in reg_lhs and v not in reg_rhs and v not in indicators]
    lv_y = [f for f in latent if f in reg_lhs and f not in reg_rhs and f not in indicators]
    ov_order: list[str] = []
    for s in statements:
        if s.op == "=~":
            _add(ov_order, s.rhs)
    for s in statements:
        if s.op == "~":
            _add(ov_order, s.lhs)
    for v in observed:
        if v not in ov_x:
            _add(ov_order, v)
    for v in ov_x:
        _add(ov_order, v)
    counts = {f: sum(1 for s in statements if s.op == "=~" and s.lhs == f) for f in latent}
    single = frozenset(s.rhs for s in statements
                       if s.op == "=~" and counts.get(s.lhs) == 1 and s.rhs not in latent)
    return Roles(tuple(observed), tuple(ov_order), tuple(latent), tuple(ov_x), tuple(lv_x),
                 tuple(lv_y + ov_y), single, tuple(products))


def model_roles(text: str) -> tuple[Roles, dict[str, list[str]]]:
    """Variable roles and ``{factor: [observed indicators]}`` of model text, with no parameter table
    (so per-group modifiers need no group count).

    Examples
    --------
    >>> roles, blocks = model_roles("f =~ x1 + c(a, b)*x2\\ny ~ f")
    >>> blocks, roles.latent
    ({'f': ['x1', 'x2']}, ('f',))
    """
    statements = merge_duplicates(parse_syntax(text)[0])
    roles = variable_roles(statements)
    blocks: dict[str, list[str]] = {}
    for s in statements:
        if s.op == "=~" and s.rhs not in roles.latent:
            blocks.setdefault(s.lhs, []).append(s.rhs)
    return roles, blocks


def _group_rows(statements: list[Statement], roles: Roles, g: int, n_groups: int, *, std_lv: bool,
                meanstructure: bool, fixed_x: bool) -> list[dict[str, object]]:
    """The rows of group ``g`` (0-based): the user's, then lavaan's automatic ones in its order."""
    rows: list[dict[str, object]] = []
    latent = roles.latent

    def _row(lhs: str, op: str, rhs: str, user: bool, fixed: float | None, label: str = "",
             free_flag: bool = False, start: float | None = None, exo: bool = False) -> None:
        rows.append({"lhs": lhs, "op": op, "rhs": rhs, "user": user, "fixed": fixed, "label": label,
                     "free_flag": free_flag, "start": start, "exo": exo, "group": g + 1, "plabel": ""})

    # user rows; first loading of each factor fixed to 1 unless written NA* or fixed
    first_done: set[str] = set()
    for s in statements:
        if s.per_group and len(s.per_group) != n_groups:
            what = f"{s.lhs} {s.op} {s.rhs}".strip()
            raise SpecError(
                f"line {s.line}: the per-group modifier c(...) of '{what}' has {len(s.per_group)} values "
                f"but the model has {n_groups} group{'s' if n_groups != 1 else ''}"
                + ("; give the group column (--group)" if n_groups == 1 else ""))
        mod = s.in_group(g)
        fixed = mod.fixed
        if s.op == "=~" and s.lhs not in first_done:
            first_done.add(s.lhs)
            if not std_lv and fixed is None and not mod.free:
                fixed = 1.0
        _row(s.lhs, s.op, s.rhs, True, fixed, mod.label, mod.free, mod.start)

    present = {(str(r["lhs"]), str(r["op"]), str(r["rhs"])) for r in rows}

    def _auto(lhs: str, op: str, rhs: str, fixed: float | None = None, exo: bool = False) -> None:
        if (lhs, op, rhs) not in present and (rhs, op, lhs) not in present:
            _row(lhs, op, rhs, False, fixed, exo=exo)
            present.add((lhs, op, rhs))

    ov_x = roles.ov_x
    # auto.var (+ auto.fix.single): residual variances of observed, variances of latent
    for v in roles.ov_order:
        if v not in ov_x:
            _auto(v, "~~", v, 0.0 if v in roles.single_indicator else None)
    for f in latent:
        _auto(f, "~~", f, 1.0 if std_lv and f in roles.lv_x else None)
    if std_lv:
        # lavaan std.lv fixes the (residual) variance of every latent variable to 1
        for r in rows:
            if r["op"] == "~~" and r["lhs"] == r["rhs"] in latent and not r["user"]:
                r["fixed"] = 1.0
    # auto.cov.lv.x
    for i, a in enumerate(roles.lv_x):
        for b in roles.lv_x[i + 1 :]:
            _auto(a, "~~", b)
    # auto.cov.y
    for i, a in enumerate(roles.lvov_y):
        for b in roles.lvov_y[i + 1 :]:
            _auto(a, "~~", b)
    # exogenous covariates: (co)variances fixed at sample values (fixed.x) or free
    for j, a in enumerate(ov_x):
        for b in ov_x[j:]:
            _auto(a, "~~", b, exo=fixed_x)
    # intercepts: observed (covariates' means fixed with fixed.x), then latent means fixed at 0
    if meanstructure:
        for v in roles.ov_order:
            _auto(v, "~1", "", exo=fixed_x and v in ov_x)
        for f in latent:
            _auto(f, "~1", "", 0.0)
    return rows


def parse_group_partial(items: tuple[str, ...] | list[str]) -> list[tuple[str, str, str]]:
    """``["x3~1,visual=~x2"]`` -> ``[("x3", "~1", ""), ("visual", "=~", "x2")]`` (lavaan's ``group.partial``).

    Examples
    --------
    >>> parse_group_partial(["x3~1, visual=~x2", "x1 ~~ x1"])
    [('x3', '~1', ''), ('visual', '=~', 'x2'), ('x1', '~~', 'x1')]
    """
    out: list[tuple[str, str, str]] = []
    for item in items:
        for part in str(item).split(","):
            text = part.replace(" ", "")
            if not text:
                continue
            if text.endswith("~1"):
                out.append((text[:-2], "~1", ""))
                continue
            for op in ("=~", "~~", "~"):
                if op in text:
                    lhs, _, rhs = text.partition(op)
                    out.append((lhs, op, rhs))
                    break
            else:
                raise SpecError(f"group_partial: cannot read '{part.strip()}' (write it as 'x3~1' or 'visual=~x2')")
    return out


def _equal_type(row: dict[str, object], latent: tuple[str, ...]) -> str:
    op, lhs, rhs = row["op"], row["lhs"], row["rhs"]
    if op == "=~":
        return "loadings"
    if op == "~":
        return "regressions"
    if op == "~1":
        return "means" if lhs in latent else "intercepts"
    if op == "~~":
        if lhs == rhs:
            return "lv.variances" if lhs in latent else "residuals"
        return "lv.covariances" if lhs in latent and rhs in latent else "residual.covariances"
    return ""


def _apply_group_equal(groups: list[list[dict[str, object]]], latent: tuple[str, ...],
                       group_equal: tuple[str, ...], partial: list[tuple[str, str, str]], std_lv: bool = False) -> None:
    """lavaan's ``group.equal``: free latent means in groups 2... when intercepts are equal (and the
    factor variances there with ``std.lv`` and equal loadings), then give each equal row of every
    group the automatic label ``.pN.`` of its group-1 row."""
    partial_keys = set(partial) | {(r, o, l) for l, o, r in partial if o == "~~"}
    if std_lv and "loadings" in group_equal and "lv.variances" not in group_equal:
        # std.lv with equal loadings: the factor variances are 1 in group 1 only (lavaan)
        for rows in groups[1:]:
            for r in rows:
                if r["op"] == "~~" and r["lhs"] == r["rhs"] in latent and r["user"] is False:
                    r["fixed"] = None
    if "intercepts" in group_equal and "means" not in group_equal:
        for rows in groups[1:]:
            for r in rows:
                if r["op"] == "~1" and r["lhs"] in latent and not r["user"]:
                    r["fixed"] = None
    first = {(str(r["lhs"]), str(r["op"]), str(r["rhs"])): (i, r) for i, r in enumerate(groups[0])}
    for rows in groups[1:]:
        for r in rows:
            key = (str(r["lhs"]), str(r["op"]), str(r["rhs"]))
            if _equal_type(r, latent) not in group_equal or key in partial_keys or r["exo"]:
                continue
            if key not in first:
                continue
            i, r1 = first[key]
            if r1["exo"] or r1["label"] or r["label"]:
                continue
            fixed1 = r1["fixed"] is not None and not r1["free_flag"]
            fixed_g = r["fixed"] is not None and not r["free_flag"]
            if fixed1 or fixed_g:
                continue
            plabel = f".p{i + 1}."
            r1["plabel"] = r["plabel"] = plabel


def build_partable(text: str, *, std_lv: bool = False, meanstructure: bool = False, fixed_x: bool = True,
                   group_labels: tuple[str, ...] = (), group_equal: tuple[str, ...] | list[str] = (),
                   group_partial: tuple[str, ...] | list[str] = ()) -> ParTable:
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
    fixed_x : bool
        lavaan's ``fixed.x``: exogenous observed covariates' (co)variances and means are fixed
        at their sample values (True) or free parameters (False).
    group_labels : tuple of str
        The groups of a multi-group model, in lavaan's order (first appearance); empty for one
        group. A multi-group model always has a mean structure.
    group_equal : sequence of str
        lavaan's ``group.equal``: any of ``GROUP_EQUAL``.
    group_partial : sequence of str
        lavaan's ``group.partial``: parameters exempt from ``group_equal`` (``"x3~1"``, ``"visual=~x2"``).

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
    >>> pt = build_partable("f =~ x1 + x2 + x3", group_labels=("a", "b"), group_equal=["loadings"])
    >>> [(p.group, p.label, p.free) for p in pt.params if p.op == "=~"]
    [(1, '', 0), (1, '.p2.', 1), (1, '.p3.', 2), (2, '', 0), (2, '.p2.', 1), (2, '.p3.', 2)]
    """
    statements, defined_raw, equalities = parse_syntax(text)
    statements = merge_duplicates(statements)
    itself = [s for s in statements if s.op in ("~", "=~") and s.lhs == s.rhs]
    if itself:
        s = itself[0]
        raise SpecError(f"line {s.line}: '{s.lhs} {s.op} {s.rhs}' "
                        f"{'regresses a variable on' if s.op == '~' else 'measures a variable by'} itself; "
                        "a variable cannot be its own predictor or indicator")
    roles = variable_roles(statements)
    latent = list(roles.latent)
    n_groups = max(len(group_labels), 1)
    unknown = sorted(set(group_equal) - set(GROUP_EQUAL))
    if unknown:
        raise SpecError(f"group_equal: {name_list(unknown)} not known; choose from {name_list(GROUP_EQUAL)}")
    meanstructure = meanstructure or n_groups > 1 or any(s.op == "~1" for s in statements)

    groups = [_group_rows(statements, roles, g, n_groups, std_lv=std_lv, meanstructure=meanstructure,
                          fixed_x=fixed_x) for g in range(n_groups)]
    partial = parse_group_partial(list(group_partial))
    if partial:
        keys = {(str(r["lhs"]), str(r["op"]), str(r["rhs"])) for r in groups[0]}
        missing = [f"{l}{o}{r}" for l, o, r in partial if (l, o, r) not in keys and (r, o, l) not in keys]
        if missing:
            raise SpecError(f"group_partial names {name_list(missing)}, which "
                            f"{'is not a parameter' if len(missing) == 1 else 'are not parameters'} of the model")
    if n_groups > 1 and group_equal:
        _apply_group_equal(groups, roles.latent, tuple(group_equal), partial, std_lv)
    rows = [r for rows_g in groups for r in rows_g]

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
        label = str(r["label"]) or str(r["plabel"])
        fixed = r["fixed"]
        exo = bool(r["exo"])
        group = int(r["group"])  # type: ignore[call-overload]
        lhs, op, rhs, user = str(r["lhs"]), str(r["op"]), str(r["rhs"]), bool(r["user"])
        if exo:
            params.append(Param(lhs, op, rhs, user, 0, None, label, True, group=group))
            continue
        if fixed is not None and not r["free_flag"]:
            if label:
                label_fixed[_find(label)] = float(fixed)  # type: ignore[arg-type]
            params.append(Param(lhs, op, rhs, user, 0, float(fixed), label, False,  # type: ignore[arg-type]
                                group=group))
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
        params.append(Param(lhs, op, rhs, user, idx, None, label, False, start, group))  # type: ignore[arg-type]

    clash = sorted(set(label_fixed) & set(free_index))
    if clash:
        raise SpecError(f"labels {name_list(clash)} name both a fixed and a free parameter")
    first_loadings = {p.free for p in params if p.group == 1 and p.op == "=~" and p.free}
    for g in range(1, n_groups + 1):
        _check_identifiers([p for p in params if p.group == g], latent, first_loadings if g > 1 else None)

    defined = _build_defined(defined_raw, {p.label for p in params if p.label and not p.label.startswith(".p")})
    return ParTable(tuple(params), defined, roles.observed, roles.latent, meanstructure, roles.products,
                    roles.ov_x, fixed_x, tuple(group_labels) if n_groups > 1 else ())


def _check_identifiers(params: list[Param], latent: list[str], shared: set[int] | None = None) -> None:
    """Every factor needs a fixed loading or variance, or (groups 2...) a loading equal to group 1's."""
    for f in latent:
        loadings = [p for p in params if p.op == "=~" and p.lhs == f]
        variance = next((p for p in params if p.op == "~~" and p.lhs == p.rhs == f), None)
        scale_fixed = any(p.free == 0 and p.value not in (None, 0.0) for p in loadings) or (
            variance is not None and variance.free == 0
        ) or any(p.free in (shared or set()) for p in loadings)
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



"""Reading the project's text inputs: YAML files (study, instrument, screening rules) and model files.

All are read the same way and report every problem at once; this module holds the steps
they share:

- text is decoded as UTF-8 (with or without a BOM), else as GB18030 (a superset of GBK,
  as Notepad and WPS save on Chinese Windows); a file holding NUL bytes is not text;
- YAML is parsed by PyYAML's safe loader, but the document is first composed into its node
  graph and measured: more than :data:`MAX_YAML_NODES` values once every alias (``*name``)
  is expanded ("billion laughs"), an alias that contains itself, nesting deeper than
  :data:`MAX_YAML_DEPTH`, a file larger than :data:`MAX_YAML_BYTES`, or a key given twice in
  one mapping are refused before anything is built, in milliseconds;
- unknown keys are collected into the caller's list of problems (:func:`unknown_keys`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from semxhs.errors import InputFileError, name_list

#: Most values a YAML document may hold once its aliases are expanded (a study or instrument has a few thousand).
MAX_YAML_NODES = 100_000

#: Deepest nesting of lists and mappings a YAML document may have.
MAX_YAML_DEPTH = 50

#: Largest YAML file read, in bytes.
MAX_YAML_BYTES = 10_000_000

#: Encodings tried, in order, for project text files.
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_text(raw: bytes, what: str, name: str) -> str:
    """Decode a project text file: UTF-8 (BOM or not), else GB18030/GBK.

    Parameters
    ----------
    raw : bytes
        The file's content.
    what, name : str
        What the file is ("model", "study") and its name, for the error.

    Raises
    ------
    InputFileError
        When the bytes are not text (NUL bytes) or decode in neither encoding.

    Examples
    --------
    >>> decode_text("信任 =~ TR1".encode("gbk"), "model", "m.lav")
    '信任 =~ TR1'
    >>> decode_text(b"\\xef\\xbb\\xbfy ~ x", "model", "m.lav")
    'y ~ x'
    >>> decode_text(b"PK\\x03\\x04\\x00\\x00", "model", "m.lav")
    Traceback (most recent call last):
    ...
    semxhs.errors.InputFileError: model file m.lav is not a text file (it holds NUL bytes)
    """
    if b"\x00" in raw:
        raise InputFileError(f"{what} file {name} is not a text file (it holds NUL bytes)")
    for encoding in TEXT_ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputFileError(f"{what} file {name} is neither UTF-8 nor GBK/GB18030 text")


def read_text(path: str | Path, what: str) -> str:
    """Read a project text file (a lavaan model, say) with :func:`decode_text`.

    Raises
    ------
    InputFileError
        When the file is missing, unreadable or not text.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{what} file not found: {path}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"cannot read {what} file {path.name}: {exc.strerror or exc}") from None
    return decode_text(raw, what, path.name)


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, stopping at :data:`MAX_YAML_DEPTH` while composing (never a RecursionError)."""

    label = "YAML file"
    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:  # type: ignore[override]
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH + 1:
                raise InputFileError(f"{self.label} nests lists or mappings more than {MAX_YAML_DEPTH} levels deep")
            return super().compose_node(parent, index)  # type: ignore[no-any-return, arg-type]
        finally:
            self._depth -= 1


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        yield from node.value
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value


def check_yaml_nodes(root: yaml.Node, label: str) -> None:
    """Refuse a composed YAML document that is too large once expanded, cyclic, too deep, or repeats a key.

    Every distinct node is visited once (aliases share their node), so the check takes
    time in proportion to the file, not to its expansion.

    Raises
    ------
    InputFileError
        Naming the problem (and, for a repeated key, the key and its lines).

    Examples
    --------
    >>> bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
    ...     f"b{i}: &b{i} [" + ", ".join([f"*{'a' if i == 0 else f'b{i - 1}'}"] * 10) + "]\\n" for i in range(6))
    >>> check_yaml_nodes(yaml.compose(bomb, Loader=yaml.SafeLoader), "study file s.yaml")
    Traceback (most recent call last):
    ...
    semxhs.errors.InputFileError: study file s.yaml expands to more than 100000 values through its aliases (*name); ...
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            total = 1 + sum(size[id(child)] for child in _children(node))
            if total > MAX_YAML_NODES:
                raise InputFileError(
                    f"{label} expands to more than {MAX_YAML_NODES} values through its aliases (*name); "
                    "refused (write the values out, or use fewer aliases)")
            size[key] = total
            continue
        if key in size:
            continue
        if key in on_path:
            raise InputFileError(f"{label}: an alias (*name) refers to a list or mapping that contains it")
        if depth > MAX_YAML_DEPTH:
            raise InputFileError(f"{label} nests lists or mappings more than {MAX_YAML_DEPTH} levels deep")
        if isinstance(node, yaml.MappingNode):
            _check_repeated_keys(node, label)
        on_path.add(key)
        stack.append((node, depth, True))
        for child in _children(node):
            if id(child) not in size:
                stack.append((child, depth + 1, False))


def _check_repeated_keys(node: yaml.MappingNode, label: str) -> None:
    seen: dict[str, int] = {}
    repeated: list[str] = []
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
            continue
        line = key.start_mark.line + 1
        if key.value in seen:
            repeated.append(f"'{key.value}' (lines {seen[key.value]} and {line})")
        else:
            seen[key.value] = line
    if repeated:
        raise InputFileError(f"{label}: key{'s' if len(repeated) > 1 else ''} given twice: "
                             + ", ".join(repeated))


def parse_yaml(text: str, label: str) -> Any:
    """Parse YAML text safely, refusing alias bombs, cycles, deep nesting and repeated keys.

    ``label`` names the source in errors ("study file study.yaml").

    Raises
    ------
    InputFileError
        When the text is not YAML or fails :func:`check_yaml_nodes`.

    Examples
    --------
    >>> parse_yaml("data: d.csv\\nseed: 2", "study file s.yaml")
    {'data': 'd.csv', 'seed': 2}
    >>> parse_yaml("seed: 1\\nseed: 2", "study file s.yaml")
    Traceback (most recent call last):
    ...
    semxhs.errors.InputFileError: study file s.yaml: key given twice: 'seed' (lines 1 and 2)
    """
    loader = _Loader(text)
    loader.label = label
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_yaml_nodes(node, label)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise InputFileError(f"{label} is not valid YAML: {_yaml_problem(exc)}") from None
    except RecursionError:
        raise InputFileError(f"{label} nests lists or mappings too deeply") from None
    finally:
        loader.dispose()


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """PyYAML's complaint in one short line: the problem and where (line, column)."""
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if problem is None:
        return " ".join(str(exc).split())
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    context = getattr(exc, "context", None)
    return " ".join(f"{context + ': ' if context else ''}{problem}{where}".split())


def read_yaml(path: str | Path, what: str) -> Any:
    """Read and parse a YAML file; ``what`` names it in errors ("study", "instrument").

    Raises
    ------
    InputFileError
        When the file is missing, too large, not text, not YAML, or refused by
        :func:`parse_yaml`.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{what} file not found: {path}")
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            raise InputFileError(f"{what} file {path.name} is larger than {MAX_YAML_BYTES // 1_000_000} MB; "
                                 "it cannot be a YAML file of semxhs")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"cannot read {what} file {path.name}: {exc.strerror or exc}") from None
    return parse_yaml(decode_text(raw, what, path.name), f"{what} file {path.name}")


def unknown_keys(raw: Mapping[Any, Any], allowed: set[str], where: str, problems: list[str]) -> None:
    """Append one problem naming every key of ``raw`` not in ``allowed`` (``where`` prefixes it).

    Examples
    --------
    >>> problems: list[str] = []
    >>> unknown_keys({"id": 1, "colour": 2, "size": 3}, {"id"}, "items[1]", problems)
    >>> problems
    ["items[1]: unknown keys 'colour', 'size'"]
    """
    bad = sorted(str(k) for k in set(raw) - allowed)
    if bad:
        prefix = f"{where}: " if where else ""
        problems.append(f"{prefix}unknown key{'s' if len(bad) > 1 else ''} {name_list(bad)}")

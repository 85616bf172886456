"""Reading the project's YAML files (study, instrument) and reporting their unknown keys.

Both files are read the same way (UTF-8, with or without a BOM) and report every problem at
once; this module holds the two steps they share.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from semxhs.errors import InputFileError, name_list


def read_yaml(path: str | Path, what: str) -> Any:
    """Parse a YAML file; ``what`` names it in errors ("study", "instrument").

    Raises
    ------
    InputFileError
        When the file is missing, not UTF-8 or not YAML.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{what} file not found: {path}")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise InputFileError(f"{what} file {path.name} is not valid UTF-8 YAML: {first}") from None


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

"""Where the analysed rows came from: the input file's hash, the rows left after each step, the options.

The record goes into ``results.json`` as ``data_provenance`` so that a reader can check
that the numbers were computed from this file, with these options, on these rows::

    "data_provenance": {
      "file": ".../responses.xlsx", "sha256": "9f2c…", "size_bytes": 18342,
      "format": "excel", "encoding": null, "platform": "wenjuanxing", "answer_format": "text",
      "instrument": ".../instrument.yaml", "instrument_sha256": "…",
      "rows": [{"step": "read", "n": 212}, {"step": "valid", "n": 212},
               {"step": "screened", "n": 187}, {"step": "complete_cases", "n": 185}],
      "options": {"encoding": null, "platform": "auto", "screening": {...}, "missing": "listwise"},
      "semxhs_version": "0.1.0"
    }
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

__all__ = ["STEPS", "DataProvenance", "RowCount", "file_sha256", "make_provenance"]

#: The row-count steps, in order.
STEPS = ("read", "valid", "screened", "complete_cases")


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile(delete=False) as f:
    ...     _ = f.write(b"abc")
    >>> file_sha256(f.name)[:16]
    'ba7816bf8f01cfea'
    >>> os.unlink(f.name)
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class RowCount:
    """Rows left after one step (``step`` in :data:`STEPS` or a name of the caller's)."""

    step: str
    n: int
    note: str = ""


@dataclass(frozen=True)
class DataProvenance:
    """The provenance of the analysed data (see the module docstring for the JSON form).

    Examples
    --------
    >>> p = DataProvenance(file="r.csv", sha256="00", size_bytes=3, format="csv", encoding="gb18030")
    >>> p = p.with_rows("read", 212).with_rows("screened", 187, "25 excluded")
    >>> p.to_dict()["rows"]
    [{'step': 'read', 'n': 212, 'note': ''}, {'step': 'screened', 'n': 187, 'note': '25 excluded'}]
    >>> p.n("screened")
    187
    """

    file: str
    sha256: str
    size_bytes: int
    format: str
    encoding: str | None = None
    encoding_detected: bool = False
    platform: str | None = None
    answer_format: str | None = None
    instrument: str | None = None
    instrument_sha256: str | None = None
    rows: tuple[RowCount, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    semxhs_version: str = ""

    def with_rows(self, step: str, n: int, note: str = "") -> DataProvenance:
        """A copy with one more row count (a step given twice keeps the later count)."""
        kept = tuple(r for r in self.rows if r.step != step)
        return replace(self, rows=(*kept, RowCount(step, int(n), note)))

    def n(self, step: str) -> int | None:
        """Rows after ``step``, ``None`` when that step was not recorded."""
        for r in self.rows:
            if r.step == step:
                return r.n
        return None

    def to_dict(self) -> dict[str, Any]:
        """The ``data_provenance`` entry of ``results.json``."""
        return {
            "file": self.file,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "format": self.format,
            "encoding": self.encoding,
            "encoding_detected": self.encoding_detected,
            "platform": self.platform,
            "answer_format": self.answer_format,
            "instrument": self.instrument,
            "instrument_sha256": self.instrument_sha256,
            "rows": [{"step": r.step, "n": r.n, "note": r.note} for r in self.rows],
            "options": _plain(self.options),
            "semxhs_version": self.semxhs_version,
        }


def _plain(value: Any) -> Any:
    """Options as JSON-ready values (paths and tuples become strings and lists)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


_FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "excel", ".xlsm": "excel",
            ".sav": "spss", ".zsav": "spss", ".dta": "stata"}


def make_provenance(
    path: str | Path,
    *,
    format: str | None = None,
    encoding: str | None = None,
    encoding_detected: bool = False,
    platform: str | None = None,
    answer_format: str | None = None,
    instrument: str | Path | None = None,
    options: Mapping[str, Any] | None = None,
) -> DataProvenance:
    """Start a provenance record for an input file (hash and size taken now).

    Add the row counts with :meth:`DataProvenance.with_rows` as the steps run.
    """
    from semxhs import __version__

    path = Path(path).resolve()
    inst = Path(instrument).resolve() if instrument is not None else None
    return DataProvenance(
        file=str(path),
        sha256=file_sha256(path),
        size_bytes=path.stat().st_size,
        format=format or _FORMATS.get(path.suffix.lower(), path.suffix.lower().lstrip(".")),
        encoding=encoding,
        encoding_detected=encoding_detected,
        platform=platform,
        answer_format=answer_format,
        instrument=str(inst) if inst else None,
        instrument_sha256=file_sha256(inst) if inst and inst.is_file() else None,
        options=dict(options or {}),
        semxhs_version=__version__,
    )

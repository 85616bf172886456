"""Writing files atomically: readers see the old file or the new one, never half of one.

Every file semxhs writes (results, reports, figures, cleaned data, logs) goes through
:func:`atomic_write_bytes`, so an interrupted or failed run leaves no partial output. A leaf
module: it imports nothing of ours.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    The bytes go to a temporary file in the same folder (same file system), are flushed
    to disk, and the temporary file is renamed over ``path`` with :func:`os.replace`.
    Missing parent folders are created; the file is readable by others (0644), as a report
    is meant to be shared.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(folder / "a" / "b.txt", b"hi").read_bytes()
    b'hi'
    >>> sorted(p.name for p in (folder / "a").iterdir())
    ['b.txt']
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)  # mkstemp makes 0600
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    return target

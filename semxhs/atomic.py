"""Writing files safely: never over an input, all of a command's outputs or none of them.

Every file semxhs writes (results, reports, figures, cleaned data, logs) goes through an
:class:`OutputStage` (or, for a single file, :func:`atomic_write_bytes`):

1. Before anything is computed, the command names its inputs and the outputs it will write;
   :meth:`OutputStage.expect` refuses an output that is (or may be, see :func:`same_file`)
   one of the inputs, two outputs that are one file, and a path that cannot be written
   (a folder, a path under a file, an empty name, a folder without write permission).
2. The rendered outputs are handed to :meth:`OutputStage.add` (kept in memory).
3. :meth:`OutputStage.commit` writes each to a temporary file in its target folder
   (``.<name>.<random>.tmp``, flushed to disk), and only when all are written moves them
   into place with :func:`os.replace`. If one cannot be written, the temporary files (and
   any folder the stage created) are removed and no output is left behind; a failed move
   puts back what the earlier moves replaced. Ctrl-C is held back while the files are
   moved, so it ends a run with all outputs in place or none.

A leaf module: it imports only :mod:`semxhs.errors`.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from semxhs.errors import InputFileError, OutputError

PathLike = str | os.PathLike[str]


# --------------------------------------------------------------------------- same file?

def _key(path: PathLike) -> str:
    """The path as the file system may see it: absolute, ``..`` and symlinks resolved, case folded."""
    return os.path.normcase(os.path.realpath(os.fspath(path))).casefold()


def same_file(a: PathLike, b: PathLike) -> bool:
    """Whether writing ``a`` could overwrite ``b``.

    True when the paths name one file through ``..``, symbolic links or a hard link
    (:func:`os.path.samefile`), or when they differ only in letter case (on a
    case-insensitive file system, as on Windows and macOS, they are one file).

    Examples
    --------
    >>> same_file("/data/x/../Responses.CSV", "/data/responses.csv")
    True
    >>> same_file("/data/responses.csv", "/data/responses.cleaned.csv")
    False
    """
    if _key(a) == _key(b):
        return True
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # one of them does not exist (yet)
        return False


def refuse_overwriting(inputs: Iterable[PathLike | None], outputs: Iterable[tuple[str, PathLike | None]]) -> None:
    """Raise :class:`InputFileError` when an output would land on an input file.

    Parameters
    ----------
    inputs : iterable of path or None
        Every file the command reads (``None`` entries are skipped).
    outputs : iterable of (what, path)
        Each output with a name for the message (``"--json"``, ``"the cleaned data"``).

    Examples
    --------
    >>> refuse_overwriting(["in/data.csv"], [("--json", "in/./DATA.csv")])
    Traceback (most recent call last):
    ...
    semxhs.errors.InputFileError: refusing to overwrite the input file in/data.csv with --json in/./DATA.csv
    """
    protected = [Path(p) for p in inputs if p is not None and os.fspath(p) != ""]
    for what, out in outputs:
        if out is None:
            continue
        for inp in protected:
            if same_file(out, inp):
                raise InputFileError(f"refusing to overwrite the input file {inp} with {what} {out}")


# --------------------------------------------------------------------------- usable paths?

def _nearest_existing(path: Path) -> Path:
    probe = path
    while not probe.exists() and not probe.is_symlink() and probe != probe.parent:
        probe = probe.parent
    return probe


def check_output_file(path: PathLike, what: str = "output") -> Path:
    """Return ``path`` as an absolute :class:`Path` if a file can be written there; else raise.

    Raises
    ------
    OutputError
        The name is empty, is a folder or a device/pipe, lies under something that is not a
        folder, or the folder it goes into (or would be created in) may not be written.

    Examples
    --------
    >>> check_output_file("")
    Traceback (most recent call last):
    ...
    semxhs.errors.OutputError: output: the file name is empty
    """
    text = os.fspath(path)
    if text.strip() in ("", "."):
        raise OutputError(f"{what}: the file name is empty")
    target = Path(os.path.abspath(text))
    if target.is_dir():
        raise OutputError(f"{what}: {text} is a folder, not a file name")
    if target.exists() and not target.is_file():  # a device or a pipe would be replaced, not written to
        raise OutputError(f"{what}: {text} is not a regular file (a device, pipe or socket)")
    _check_folder_writable(target.parent, what)
    return target


def check_output_folder(path: PathLike, what: str = "output folder") -> Path:
    """Return ``path`` as an absolute :class:`Path` if files can be written into it (it may not exist yet).

    Raises
    ------
    OutputError
        The name is empty, is an existing file, lies under a file, or may not be written.
    """
    text = os.fspath(path)
    if text.strip() == "":
        raise OutputError(f"{what}: the folder name is empty")
    folder = Path(os.path.abspath(text))
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{what} must be a folder, but {text} is a file")
    _check_folder_writable(folder, what)
    return folder


def _check_folder_writable(folder: Path, what: str) -> None:
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        raise OutputError(f"{what}: cannot create {folder}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{what}: cannot write into {existing}: permission denied")


# --------------------------------------------------------------------------- Ctrl-C held back

@contextmanager
def sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back for the block; a press is acted on when the block ends.

    The Python-level handler is swapped for one that only notes the press (blocking the
    signal would not do: the kernel hands it to any thread that does not block it, such as
    a BLAS thread, and Python then acts on it in the main thread all the same). Only in the
    main thread; elsewhere the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []

    def hold(signum: int, frame: object) -> None:
        pressed.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if pressed:
            if callable(previous):
                previous(signal.SIGINT, None)  # Python's default handler raises KeyboardInterrupt
            elif previous != signal.SIG_IGN:
                raise KeyboardInterrupt


# --------------------------------------------------------------------------- the stage

@dataclass
class _Entry:
    target: Path
    data: bytes
    tmp: Path | None = None
    backup: Path | None = None
    placed: bool = False


class OutputStage:
    """All outputs of one command: checked before computing, written together at the end.

    Use as a context manager: leaving the block by an exception (or Ctrl-C) before
    :meth:`commit` removes everything the stage wrote, temporary files and files placed
    early with :meth:`place` included.

    Parameters
    ----------
    inputs : iterable of path
        Files the command reads; no output may land on one of them.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "data.csv").write_text("x\\n1\\n")
    4
    >>> with OutputStage([folder / "data.csv"]) as stage:
    ...     _ = stage.expect(("--json", folder / "out.json"))
    ...     _ = stage.add(folder / "out.json", b"{}")
    ...     _ = stage.add(folder / "sub" / "plot.svg", b"<svg/>")
    ...     [p.name for p in stage.commit()]
    ['out.json', 'plot.svg']
    >>> sorted(p.name for p in folder.rglob("*"))
    ['data.csv', 'out.json', 'plot.svg', 'sub']
    >>> OutputStage([folder / "data.csv"]).expect(("--html", folder / "sub" / ".." / "data.csv"))
    Traceback (most recent call last):
    ...
    semxhs.errors.InputFileError: refusing to overwrite the input file .../data.csv with --html .../sub/../data.csv
    """

    def __init__(self, inputs: Iterable[PathLike | None] = ()) -> None:
        self.inputs: list[Path] = [Path(p) for p in inputs if p is not None and os.fspath(p) != ""]
        self.committed: list[Path] = []
        self._entries: list[_Entry] = []
        self._names: dict[str, str] = {}  # key of an output path -> what it is
        self._made_dirs: list[Path] = []

    # -- before computing
    def protect(self, *inputs: PathLike | None) -> None:
        """Add input files that no output may overwrite."""
        self.inputs += [Path(p) for p in inputs if p is not None and os.fspath(p) != ""]

    def expect(self, *outputs: tuple[str, PathLike | None]) -> list[Path]:
        """Check outputs before anything is computed: usable paths, no input overwritten, no two alike.

        Parameters
        ----------
        *outputs : (what, path)
            Each output with the name the user knows it by (``"--json"``); ``None`` paths are skipped.

        Returns
        -------
        list of Path
            The absolute paths checked.

        Raises
        ------
        OutputError
            A path cannot be written, or two outputs are the same file.
        InputFileError
            An output would overwrite an input.
        """
        checked = []
        for what, path in outputs:
            if path is None:
                continue
            target = check_output_file(path, what)
            refuse_overwriting(self.inputs, [(what, path)])
            key = _key(target)
            if key in self._names and self._names[key] != what:
                raise OutputError(f"{self._names[key]} and {what} name the same file {path}")
            self._names[key] = what
            checked.append(target)
        return checked

    def expected(self, path: PathLike) -> bool:
        """Whether ``path`` was already checked by :meth:`expect` (under any name)."""
        return _key(os.path.abspath(os.fspath(path))) in self._names

    # -- after computing
    def add(self, path: PathLike, data: bytes, what: str | None = None) -> Path:
        """Stage ``data`` for ``path`` (checked as :meth:`expect` does); nothing is written yet."""
        what = what or self._names.get(_key(os.path.abspath(os.fspath(path))), str(path))
        target = self.expect((what, path))[0]
        for entry in self._entries:
            if _key(entry.target) == _key(target):
                raise OutputError(f"two outputs would be written to the same file {path}")
        self._entries.append(_Entry(target, bytes(data)))
        return target

    def place(self, path: PathLike, data: bytes, what: str | None = None) -> Path:
        """Write ``path`` now (atomically) because later steps read it; undone unless the stage commits."""
        target = self.add(path, data, what)
        entry = self._entries[-1]
        with sigint_deferred():
            try:
                self._write_temporary(entry)
                self._move(entry)
            except OSError as exc:
                self._undo()
                raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
        return target

    def commit(self) -> list[Path]:
        """Write every staged output to a temporary file, then move them all into place.

        Returns
        -------
        list of Path
            The files written, in the order they were added.

        Raises
        ------
        OutputError
            When a file cannot be written; then none is left behind.
        """
        pending = [e for e in self._entries if not e.placed]
        try:
            for entry in pending:
                self._write_temporary(entry)
        except BaseException as exc:  # Ctrl-C included: leave nothing behind
            with sigint_deferred():
                self._undo()
            if isinstance(exc, OSError):
                raise OutputError(f"cannot write {self._failing(exc)}: {exc.strerror or exc}") from None
            raise
        with sigint_deferred():  # all moves or none, even if Ctrl-C is pressed now
            try:
                for entry in pending:
                    self._move(entry)
            except OSError as exc:
                self._undo()
                raise OutputError(f"cannot write {self._failing(exc)}: {exc.strerror or exc}") from None
            for entry in self._entries:
                _unlink(entry.backup)
                entry.backup = None
            self.committed = [e.target for e in self._entries]
        return list(self.committed)

    def discard(self) -> None:
        """Remove everything this stage wrote (unless it has committed)."""
        if not self.committed:
            with sigint_deferred():
                self._undo()

    def __enter__(self) -> OutputStage:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is not None:
            self.discard()

    # -- the mechanics
    def _failing(self, exc: OSError) -> str:
        return str(exc.filename) if exc.filename else "an output file"

    def _make_folder(self, folder: Path) -> None:
        missing = []
        probe = folder
        while not probe.exists() and probe != probe.parent:
            missing.append(probe)
            probe = probe.parent
        for path in reversed(missing):
            path.mkdir()
            self._made_dirs.append(path)

    def _write_temporary(self, entry: _Entry) -> None:
        folder = entry.target.parent
        self._make_folder(folder)
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{entry.target.name}.", suffix=".tmp")
        entry.tmp = Path(name)
        with os.fdopen(fd, "wb") as handle:
            handle.write(entry.data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(name, 0o644)  # mkstemp makes 0600; a report is meant to be shared
        if entry.target.is_file() and not entry.target.is_symlink():
            entry.backup = _backup(entry.target)

    def _move(self, entry: _Entry) -> None:
        assert entry.tmp is not None
        os.replace(entry.tmp, entry.target)
        entry.tmp = None
        entry.placed = True

    def _undo(self) -> None:
        for entry in reversed(self._entries):
            _unlink(entry.tmp)
            entry.tmp = None
            if entry.placed:
                try:
                    if entry.backup is not None:
                        os.replace(entry.backup, entry.target)
                        entry.backup = None
                    else:
                        _unlink(entry.target)
                except OSError:  # pragma: no cover - cannot even put it back
                    pass
                entry.placed = False
            _unlink(entry.backup)
            entry.backup = None
        for folder in reversed(self._made_dirs):
            try:
                folder.rmdir()
            except OSError:
                pass
        self._made_dirs = []


def _backup(target: Path) -> Path:
    """A copy of an existing output (a hard link where possible) to put back if the stage fails."""
    name = target.parent / f".{target.name}.{secrets.token_hex(4)}.bak"
    try:
        os.link(target, name)
    except OSError:
        shutil.copy2(target, name)
    return Path(name)


def _unlink(path: Path | None) -> None:
    if path is None:
        return
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def atomic_write_bytes(path: PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    A stage of one file (:class:`OutputStage`): the bytes go to a temporary file in the
    same folder, are flushed to disk, and the temporary file is renamed over ``path``.
    Missing parent folders are created; the file is readable by others (0644).

    Raises
    ------
    OutputError
        When the file cannot be written (nothing is left behind).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(folder / "a" / "b.txt", b"hi").read_bytes()
    b'hi'
    >>> sorted(p.name for p in (folder / "a").iterdir())
    ['b.txt']
    """
    with OutputStage() as stage:
        stage.add(path, data)
        return stage.commit()[0]

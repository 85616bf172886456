"""Exception and warning classes of semxhs (a leaf module: it imports nothing of ours).

Every error a user can cause derives from :class:`SemxhsError`. Its message is one
line that names the problem and the offending names; the command-line interface
prints it and exits with status 2, never with a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable


def name_list(names: Iterable[object], limit: int = 12) -> str:
    """Join offending names for a message, quoting each and eliding a long tail.

    Examples
    --------
    >>> name_list(["x1", "x2"])
    "'x1', 'x2'"
    >>> name_list(range(15), limit=3)
    "'0', '1', '2' and 12 more"
    """
    items = [f"'{n}'" for n in names]
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    return ", ".join(items)


class SemxhsError(Exception):
    """Base class of every error caused by the user's input."""

    exit_code: int = 2


class InputFileError(SemxhsError):
    """A data, model or study file is missing, unreadable or in an unknown format."""


class OutputError(SemxhsError):
    """An output file cannot be written where it was asked for (a folder, under a file, no permission)."""


class DataError(SemxhsError):
    """The data cannot be used as asked: missing columns, non-numeric values, bad ranges."""


class ModelSyntaxError(SemxhsError):
    """The lavaan model syntax cannot be parsed; the message gives the line number."""


class SpecError(SemxhsError):
    """The model parses but cannot be estimated as written (unknown labels, bad ``:=``)."""


class StudyError(SemxhsError):
    """A study YAML file has unknown, missing or invalid keys."""


class EstimationError(SemxhsError):
    """The model could not be estimated at all (for example a singular sample covariance)."""


class ReportError(SemxhsError):
    """A report cannot be rendered (for example an unsafe figure)."""


class SemxhsWarning(UserWarning):
    """Something the user must know about a result that is still produced."""

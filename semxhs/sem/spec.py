"""Kept for code written before the split: use :mod:`semxhs.sem.syntax` and :mod:`semxhs.sem.partable`."""

from semxhs.sem.partable import Defined, Param, ParTable, build_partable  # noqa: F401
from semxhs.sem.syntax import Statement, parse_syntax  # noqa: F401

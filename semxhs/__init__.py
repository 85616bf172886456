"""semxhs: structural equation modelling of survey data for social-commerce research.

The notebook API (``import semxhs as sx``; see :mod:`semxhs.api`): ``sx.sem``, ``sx.cfa``,
``sx.bootstrap``, ``sx.measurement_quality``, ``sx.process``, ``sx.analyse`` and
``sx.run_study``. They are loaded on first use (PEP 562), so ``import semxhs`` imports
neither pandas nor scipy.

Two API names are also subpackages: ``semxhs.sem`` (the estimator) and ``semxhs.process``
(PROCESS models). Those two subpackages are made callable, calling :func:`semxhs.api.sem`
and :func:`semxhs.api.process`, so ``sx.sem(model, data)`` works whether or not the
subpackage has been imported, and every import form (``import semxhs.sem.model as m``,
``from semxhs.process import run_process``) keeps working.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable
from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "analyse", "bootstrap", "cfa", "measurement_quality", "process", "run_study", "sem"]

_API = frozenset(__all__) - {"__version__"}


class _CallableSem(types.ModuleType):
    """The ``semxhs.sem`` subpackage, callable as :func:`semxhs.api.sem`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from semxhs.api import sem

        return sem(*args, **kwargs)


class _CallableProcess(types.ModuleType):
    """The ``semxhs.process`` subpackage, callable as :func:`semxhs.api.process`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from semxhs.api import process

        return process(*args, **kwargs)


_CALLABLE: dict[str, type[types.ModuleType]] = {"sem": _CallableSem, "process": _CallableProcess}


class _Semxhs(types.ModuleType):
    """The ``semxhs`` module: makes its subpackages ``sem`` and ``process`` callable as they load."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _CALLABLE and isinstance(value, types.ModuleType) and not isinstance(value, _CALLABLE[name]):
            value.__class__ = _CALLABLE[name]
        super().__setattr__(name, value)


def lazy_getattr(package: str, table: dict[str, tuple[str, str]]) -> Callable[[str], object]:
    """A subpackage's PEP 562 ``__getattr__``: ``table`` maps a name to ``(module, attribute)``,
    imported on first use and then kept in the subpackage's namespace.

    Examples
    --------
    >>> get = lazy_getattr("semxhs.process", {"run_process": ("semxhs.process.engine", "run_process")})
    >>> get("run_process").__name__
    'run_process'
    """

    def __getattr__(name: str) -> object:
        if name in table:
            module, attr = table[name]
            value = getattr(importlib.import_module(module), attr)
            setattr(sys.modules[package], name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__


def __getattr__(name: str) -> Any:
    if name in _CALLABLE:
        return importlib.import_module(f"semxhs.{name}")  # sets the (callable) attribute as it loads
    if name in _API:
        from semxhs import api

        return getattr(api, name)
    raise AttributeError(f"module 'semxhs' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _API)


sys.modules[__name__].__class__ = _Semxhs

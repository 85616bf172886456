"""PROCESS-style conditional process analysis (Hayes' PROCESS models) by OLS.

One general engine (:func:`run_process`) covers models 1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 58
and 59 from a table of which paths each moderator acts on
(:data:`~semxhs.process.models.MODEL_TABLE`).

Modules: ``models`` (the table and the equations it implies), ``data`` (checks, missing
values, centering), ``ols`` (statsmodels fits, HC0-HC4), ``probe`` (moderator values,
conditional effects, Johnson-Neyman), ``effects`` (indirect effects as products of paths),
``bootstrap`` (vectorized resampling), ``engine`` (``run_process``) and ``results`` (frozen
result types). The figures are drawn by :mod:`semxhs.report.figures.process_plots`.
"""

from typing import TYPE_CHECKING

from semxhs import lazy_getattr

if TYPE_CHECKING:
    from semxhs.process.engine import run_process
    from semxhs.process.models import MODEL_TABLE, ModelSpec
    from semxhs.process.results import ProcessResult

# imported on first use (start-up time: each command imports only what it uses)
_LAZY = {
    'MODEL_TABLE': ('semxhs.process.models', 'MODEL_TABLE'),
    'ModelSpec': ('semxhs.process.models', 'ModelSpec'),
    'ProcessResult': ('semxhs.process.results', 'ProcessResult'),
    'run_process': ('semxhs.process.engine', 'run_process'),
}


__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = ["MODEL_TABLE", "ModelSpec", "ProcessResult", "run_process"]

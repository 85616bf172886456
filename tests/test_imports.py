"""Import guards: each command imports only what its work needs (issue 14, start-up time).

Each test runs a whole command in a fresh interpreter under ``python -X importtime``, which
lists every module imported, and checks that the heavy libraries the command does not use
were never loaded. A test fails as soon as someone adds a top-level import that drags one in
(e.g. ``import statsmodels.api`` in a module the ``fit`` path reads, or ``from scipy import
stats`` where ``scipy.special`` would do).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"

#: Libraries no estimation command without a report needs (plots, templates, Word, EFA, ML, semopy).
REPORT_ONLY = ("matplotlib", "jinja2", "docx", "factor_analyzer", "sklearn", "semopy")


def imported_modules(*args: str, cwd: Path) -> set[str]:
    """Names of every module ``python -m semxhs ARGS`` imported (from ``-X importtime``)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    res = subprocess.run([sys.executable, "-X", "importtime", "-m", "semxhs", *args], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    names = {line.rsplit("|", 1)[1].strip() for line in res.stderr.splitlines()
             if line.startswith("import time:") and line.count("|") == 2}
    names.discard("imported package")  # the header line
    assert "semxhs.cli" in names  # the listing itself worked
    return names


def loaded(names: set[str], package: str) -> list[str]:
    return sorted(n for n in names if n == package or n.startswith(package + "."))


@pytest.mark.parametrize("case, extra", [
    ("shared/poldem_sem", ()),
    ("shared/hs1939_mlr", ("--estimator", "mlr")),
])
def test_fit_json_imports_no_report_or_stats_libraries(tmp_path: Path, case: str, extra: tuple[str, ...]) -> None:
    """`fit --no-measurement --json` (ML and MLR): no plotting, templates, Word, EFA, statsmodels, scipy.stats."""
    d = FIXTURES / case
    names = imported_modules("fit", str(d / "model.lav"), str(d / "data.csv"), "--json", str(tmp_path / "o.json"),
                             "--no-measurement", "-q", *extra, cwd=tmp_path)
    assert (tmp_path / "o.json").is_file()
    for package in (*REPORT_ONLY, "statsmodels", "scipy.stats", "scipy.optimize", "scipy.linalg", "patsy",
                    "rich", "semxhs.report.console"):  # -q prints no summary
        assert loaded(names, package) == [], f"fit imported {package}"


def test_process_model4_imports_statsmodels_ols_only(tmp_path: Path) -> None:
    """`process --model 4 --json`: statsmodels' OLS module, not ``statsmodels.api`` (graphics, time series...)."""
    data = FIXTURES / "process" / "process_model7" / "data.csv"
    names = imported_modules("process", str(data), "--model", "4", "--x", "PI", "--m", "TR", "--y", "PU",
                             "--boot", "200", "--json", str(tmp_path / "o.json"), "-q", cwd=tmp_path)
    assert (tmp_path / "o.json").is_file()
    assert "statsmodels.regression.linear_model" in names  # the full-sample table is statsmodels' OLS
    for package in (*REPORT_ONLY, "statsmodels.api", "statsmodels.graphics.api", "statsmodels.tsa",
                    "statsmodels.datasets", "statsmodels.discrete"):
        assert loaded(names, package) == [], f"process imported {package}"


def test_help_imports_no_numerical_library(tmp_path: Path) -> None:
    """`semxhs fit --help` loads the interface only: no numpy, pandas, scipy or yaml.

    (typer itself imports pydantic to coerce option values, help included.)
    """
    names = imported_modules("fit", "--help", cwd=tmp_path)
    for package in ("numpy", "pandas", "scipy", "yaml", *REPORT_ONLY):
        assert loaded(names, package) == [], f"fit --help imported {package}"


def test_estimator_modules_import_without_scipy() -> None:
    """The estimator and its results import neither scipy nor anything beyond numpy and pandas.

    ``scipy.special`` (p-values, RMSEA interval) is imported where it is used: it costs
    about as much as numpy itself (scipy 1.17 clones the numpy namespace on import).
    """
    code = ("import sys, semxhs.sem.model, semxhs.sem.results, semxhs.sem.inference; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scipy', 'statsmodels', 'matplotlib')))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]"

"""Benchmark: `semxhs fit` against lavaan on the same model and data, in the same run.

Times whole commands as a user runs them (start to exit, imports included): `semxhs fit
MODEL DATA --json OUT --no-measurement` (the same work as lavaan: estimates, SEs, standardized
solution, fit measures) against `Rscript` running `lavaan::sem()` with
`parameterEstimates(standardized = TRUE)` and `fitMeasures()`; and, for information, the
default `semxhs fit`, which adds reliability and validity evidence (alpha, CR, omega, AVE,
HTMT with 2000 bootstrap draws, KMO, Bartlett, Harman, a one-factor CFA) that lavaan alone
does not compute. Prints the median of several runs and the ratio. Needs R with lavaan
(Debian: r-cran-lavaan).

    python benchmarks/bench_fit.py [CASE ...]     (cases under tests/fixtures/shared or tests/fixtures/lavaan)
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
R_SCRIPT = """
suppressMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
model <- paste(readLines(args[1]), collapse = "\\n")
data <- read.csv(args[2])
fit <- sem(model, data)
invisible(parameterEstimates(fit, standardized = TRUE))
invisible(fitMeasures(fit))
"""


def find_case(name: str) -> Path:
    for sub in ("shared", "lavaan"):
        if (FIXTURES / sub / name).is_dir():
            return FIXTURES / sub / name
    raise SystemExit(f"no case named {name}")


def timed(cmd: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(names: list[str]) -> None:
    if shutil.which("Rscript") is None:
        raise SystemExit("Rscript not found: apt-get install r-base-core r-cran-lavaan")
    semxhs = shutil.which("semxhs")
    exe = [semxhs] if semxhs else [sys.executable, "-m", "semxhs"]
    tmp = Path(tempfile.mkdtemp())
    rfile = tmp / "fit.R"
    rfile.write_text(R_SCRIPT)
    print(f"{'case':28s} {'semxhs (s)':>11s} {'lavaan (s)':>11s} {'lavaan/semxhs':>14s} "
          f"{'semxhs + measurement (s)':>25s}")
    for name in names or ["poldem_sem", "hs1939_cfa", "mediation_observed", "serial_mediation_latent"]:
        case = find_case(name)
        model, data = case / "model.lav", case / "data.csv"
        ours = timed([*exe, "fit", str(model), str(data), "--json", str(tmp / "out.json"), "--no-measurement",
                      "-q"], 7)
        theirs = timed(["Rscript", str(rfile), str(model), str(data)], 7)
        full = timed([*exe, "fit", str(model), str(data), "--json", str(tmp / "out.json"), "-q"], 3)
        print(f"{name:28s} {ours:11.2f} {theirs:11.2f} {theirs / ours:14.2f} {full:25.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])

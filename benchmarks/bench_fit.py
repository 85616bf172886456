"""Benchmark: `semxhs fit` against lavaan on the same model and data, in the same run.

Times whole commands as a user runs them (start to exit, imports included): `semxhs fit
MODEL DATA --json OUT --no-measurement` (the same work as lavaan: estimates, SEs, standardized
solution, fit measures) against `Rscript` running `lavaan::sem()` with
`parameterEstimates(standardized = TRUE)` and `fitMeasures()`; and, for information, the
default `semxhs fit`, which adds reliability and validity evidence (alpha, CR, omega, AVE,
HTMT with 2000 bootstrap draws, KMO, Bartlett, Harman, a one-factor CFA) that lavaan alone
does not compute (``--measurement``). Prints the median wall time of several runs, the median
CPU time (user + system: steadier than wall time on a loaded machine) and the ratios
lavaan/semxhs (above 1: semxhs is faster). Needs R with lavaan (Debian: r-cran-lavaan).

    python benchmarks/bench_fit.py [CASE[:mlr] ...] [--repeat 7] [--measurement]
        (cases under tests/fixtures/shared or tests/fixtures/lavaan; default: poldem_sem,
        hs1939_cfa, mediation_observed and hs1939_mlr with --estimator mlr)
"""

from __future__ import annotations

import argparse
import os
import resource
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
fit <- sem(model, data, estimator = toupper(args[3]))
invisible(parameterEstimates(fit, standardized = TRUE))
invisible(fitMeasures(fit))
"""

#: (case, estimator): the cases of issue 14 (bfi_mediation has no fixture; mediation_observed is the
#: mediation case kept in tests/fixtures/shared).
CASES = (("poldem_sem", "ml"), ("hs1939_cfa", "ml"), ("mediation_observed", "ml"), ("hs1939_mlr", "mlr"))


def find_case(name: str) -> Path:
    for sub in ("shared", "lavaan"):
        if (FIXTURES / sub / name).is_dir():
            return FIXTURES / sub / name
    raise SystemExit(f"no case named {name}")


def user_env(tmp: Path) -> dict[str, str]:
    """The environment of an installed semxhs: Python's bytecode cache on (here in ``tmp``).

    pip compiles an installed package's modules once; a shell with ``PYTHONDONTWRITEBYTECODE``
    would instead recompile every semxhs module on every run (about 15% of a `fit`).
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def timed(cmd: list[str], repeats: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds (user + system, the child's) of a command.

    One untimed run first (file cache, bytecode cache).
    """
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    walls, cpus = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="CASE or CASE:mlr (default: the four cases of issue 14)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--measurement", action="store_true",
                        help="also time the default `fit` (with measurement-quality evidence)")
    args = parser.parse_args(argv)
    if shutil.which("Rscript") is None:
        raise SystemExit("Rscript not found: apt-get install r-base-core r-cran-lavaan")
    semxhs = shutil.which("semxhs")
    exe = [semxhs] if semxhs else [sys.executable, "-m", "semxhs"]
    tmp = Path(tempfile.mkdtemp())
    rfile = tmp / "fit.R"
    rfile.write_text(R_SCRIPT)
    env = user_env(tmp)
    cases = [tuple(c.split(":")) if ":" in c else (c, "ml") for c in args.cases] or list(CASES)
    print(f"{'case':24s} {'est':>4s} {'semxhs wall/cpu (s)':>20s} {'lavaan wall/cpu (s)':>20s} "
          f"{'ratio wall':>10s} {'ratio cpu':>10s}   load average {load_average()}")
    rows = []
    for name, estimator in cases:
        case = find_case(name)
        model, data = case / "model.lav", case / "data.csv"
        ours = timed([*exe, "fit", str(model), str(data), "--json", str(tmp / "out.json"), "--no-measurement",
                      "--estimator", estimator, "-q"], args.repeat, env)
        theirs = timed(["Rscript", str(rfile), str(model), str(data), estimator], args.repeat)
        print(f"{name:24s} {estimator:>4s} {ours[0]:9.2f} /{ours[1]:8.2f} {theirs[0]:9.2f} /{theirs[1]:8.2f} "
              f"{theirs[0] / ours[0]:10.2f} {theirs[1] / ours[1]:10.2f}")
        if args.measurement:
            full = timed([*exe, "fit", str(model), str(data), "--json", str(tmp / "out.json"), "-q"], 3, env)
            print(f"{'':24s} with measurement evidence: {full[0]:.2f} s wall, {full[1]:.2f} s cpu")
        rows.append((name, estimator, ours, theirs))
    print(f"README row (measured at load average {load_average()}):")
    names = " / ".join(f"{n}{' (MLR)' if e == 'mlr' else ''}" for n, e, _, _ in rows)
    print(f"| one fit as a whole command, {names} | "
          + " / ".join(f"{o[0]:.2f} s" for _, _, o, _ in rows) + " | "
          + " / ".join(f"{t[0]:.2f} s" for _, _, _, t in rows) + " | "
          + " / ".join(f"{t[0] / o[0]:.2f}" for _, _, o, t in rows) + " (CPU time: "
          + " / ".join(f"{t[1] / o[1]:.2f}" for _, _, o, t in rows) + ") | `bench_fit.py` |")


if __name__ == "__main__":
    main(sys.argv[1:])

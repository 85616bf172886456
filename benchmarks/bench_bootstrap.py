"""Benchmark: the SEM bootstrap of semxhs against lavaan's, in the same run.

Times whole commands as a user runs them (start to exit, imports included):

- lavaan: ``Rscript`` running ``sem(model, data, se = "bootstrap", bootstrap = N)`` after
  ``set.seed(seed)`` and ``parameterEstimates(fit, boot.ci.type = "perc")``;
- semxhs: the command a user runs, ``semxhs fit MODEL DATA --bootstrap N --seed S --json OUT
  --no-measurement -q`` (the same work: the fit and its bootstrap, percentile intervals), once
  with ``--jobs 1`` and once with ``--jobs 2``.

Prints seconds, the ratio lavaan / semxhs and whether every percentile interval end of the
``:=`` parameters agrees within 5% of lavaan's interval width, scaled by ``sqrt(5000 / N)`` for
fewer draws (the Monte Carlo error of two independent bootstraps; see
tests/fixtures/bootstrap/README.md). Needs R with lavaan (Debian: r-cran-lavaan).

    python benchmarks/bench_bootstrap.py [--repeats K]
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "bootstrap"
CASES = (("mediation_observed", 5000, 12), ("poldem_sem", 2000, 11))

R_SCRIPT = """
suppressMessages({library(lavaan); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
model <- paste(readLines(args[1]), collapse = "\\n")
data <- read.csv(args[2])
set.seed(as.integer(args[4]))
fit <- sem(model, data, se = "bootstrap", bootstrap = as.integer(args[3]))
pe <- parameterEstimates(fit, boot.ci.type = "perc")
d <- pe[pe$op == ":=", ]
cat(toJSON(data.frame(label = d$lhs, lower = d$ci.lower, upper = d$ci.upper, se = d$se), digits = NA))
"""



def run(cmd: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - start, out.stdout


def timed(cmd: list[str], repeats: int) -> tuple[float, str]:
    runs = [run(cmd) for _ in range(repeats)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def agree(lavaan: list[dict], ours: dict, draws: int) -> tuple[bool, float]:
    """Every interval end within the tolerance; also the largest gap as a share of the width."""
    share = 0.05 * math.sqrt(5000 / draws)
    worst = 0.0
    got = {d["label"]: d for d in ours["defined"]}
    for row in lavaan:
        width = row["upper"] - row["lower"]
        for end, theirs in (("ci_lower", row["lower"]), ("ci_upper", row["upper"])):
            worst = max(worst, abs(got[row["label"]][end] - theirs) / width)
    return worst <= share, worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each command (median reported)")
    args = parser.parse_args()
    if shutil.which("Rscript") is None:
        raise SystemExit("Rscript not found: apt-get install r-base-core r-cran-lavaan")
    tmp = Path(tempfile.mkdtemp())
    rfile = tmp / "boot.R"
    rfile.write_text(R_SCRIPT)
    semxhs = [shutil.which("semxhs")] if shutil.which("semxhs") else [sys.executable, "-m", "semxhs"]
    header = (f"{'case':20s} {'draws':>6s} {'lavaan (s)':>11s} {'semxhs 1 job (s)':>17s} {'ratio':>7s} "
              f"{'semxhs 2 jobs (s)':>18s} {'ratio':>7s} {'intervals agree (worst gap / width)':>36s}")
    print(header)
    try:
        for name, draws, seed in CASES:
            model, data = FIXTURES / name / "model.lav", FIXTURES / name / "data.csv"
            t_r, out_r = timed(["Rscript", str(rfile), str(model), str(data), str(draws), str(seed)], 1)
            lavaan = json.loads(out_r)
            line = [f"{name:20s} {draws:6d} {t_r:11.2f}"]
            verdicts = []
            for jobs in (1, 2):
                out_json = tmp / "out.json"
                t_py, _ = timed([*semxhs, "fit", str(model), str(data), "--bootstrap", str(draws), "--seed", str(seed),
                                 "--jobs", str(jobs), "--json", str(out_json), "--no-measurement", "-q"], args.repeats)
                ok, worst = agree(lavaan, json.loads(out_json.read_text())["bootstrap"], draws)
                line.append(f"{t_py:17.2f} {t_r / t_py:6.1f}x" if jobs == 1 else f"{t_py:18.2f} {t_r / t_py:6.1f}x")
                verdicts.append(f"{'yes' if ok else 'NO'} ({worst:.1%})")
            print(" ".join(line) + f" {' / '.join(verdicts):>36s}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

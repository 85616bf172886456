"""Benchmark: bootstrap with FIML, semxhs against lavaan, same run.

lavaan's ``sem(model, data, missing = "ml", se = "bootstrap", bootstrap = B)`` on the
HolzingerSwineford1939 data with missing values (tests/fixtures/hs1939_fiml_bootstrap),
timed inside R (start-up excluded) with ``R_DRAWS`` draws and scaled to ``DRAWS`` (its cost
is linear in the draws: one nlminb fit per draw); semxhs's ``bootstrap_sem(...,
missing="fiml")`` with ``DRAWS`` draws in one process, one core. Prints seconds and the ratio.
Needs R with lavaan. The reference's own 2000-draw time (440 s, a busy machine) is printed too.

    python benchmarks/bench_fiml_bootstrap.py [DRAWS] [R_DRAWS]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIX = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "hs1939_fiml_bootstrap"

R_SCRIPT = """
suppressMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); m <- paste(readLines(args[2]), collapse = "\\n")
set.seed(1)
t <- system.time(sem(m, data = d, missing = "ml", se = "bootstrap", bootstrap = as.integer(args[3])))[["elapsed"]]
cat(t, "\\n")
"""


def lavaan_seconds(draws: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "boot.R"
        script.write_text(R_SCRIPT)
        out = subprocess.run(["Rscript", str(script), str(FIX / "data.csv"), str(FIX / "model.lav"), str(draws)],
                             check=True, capture_output=True, text=True)
        return float(out.stdout.split()[-1])


def semxhs_seconds(draws: int) -> float:
    import pandas as pd

    from semxhs.resample.sem import bootstrap_sem

    data = pd.read_csv(FIX / "data.csv")
    model = (FIX / "model.lav").read_text()
    bootstrap_sem(model, data, draws=20, seed=2, missing="fiml")  # imports warm
    start = time.perf_counter()
    bootstrap_sem(model, data, draws=draws, seed=1, missing="fiml")
    return time.perf_counter() - start


def main() -> None:
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    r_draws = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    ours = semxhs_seconds(draws)
    theirs = lavaan_seconds(r_draws) * draws / r_draws
    ref = json.loads((FIX / "lavaan.json").read_text())["seconds_lavaan"]
    print(f"FIML bootstrap, hs1939 (N 301, 9 items, 3 factors), {draws} draws")
    print(f"  semxhs  {ours:8.1f} s")
    print(f"  lavaan  {theirs:8.1f} s  ({r_draws} draws timed, scaled; the reference's 2000 draws took {ref:.0f} s)")
    print(f"  ratio   {theirs / ours:8.1f}x (lavaan / semxhs)")


if __name__ == "__main__":
    main()

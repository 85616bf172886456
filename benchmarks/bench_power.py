"""Benchmark: Monte Carlo power, semxhs against lavaan's simulateData + sem loop, per replication, same run.

The same latent mediation (three factors, nine items, N = 200, := indirect effect tested by
the delta method) is simulated and fitted ``REPS`` times by each tool: lavaan in one R
process (``simulateData`` + ``sem`` + ``parameterEstimates`` per replication, timed inside R,
start-up excluded), semxhs by ``run_power`` in one Python process (serially, one core:
the same work as the R loop): batched (the default: the replications of a block fitted
together, :mod:`semxhs.power.batch`) and, for comparison, each replication fitted alone
(``batch=False``). Prints seconds per replication, the ratios and the README row. Needs R
with lavaan. Run it alone:

    python benchmarks/bench_power.py [REPS]      # default 200
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

POPULATION = ("X =~ 0.8*x1 + 0.7*x2 + 0.6*x3\nM =~ 0.8*m1 + 0.7*m2 + 0.6*m3\nY =~ 0.8*y1 + 0.7*y2 + 0.6*y3\n"
              "M ~ 0.3*X\nY ~ 0.3*M + 0.1*X")
ANALYSIS = "X =~ x1 + x2 + x3\nM =~ m1 + m2 + m3\nY =~ y1 + y2 + y3\nM ~ a*X\nY ~ b*M + X\nab := a*b"
N = 200

R_SCRIPT = """
suppressMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
pop <- paste(readLines(args[1]), collapse = "\\n")
ana <- paste(readLines(args[2]), collapse = "\\n")
reps <- as.integer(args[3])
t <- system.time(for (i in seq_len(reps)) {
  d <- simulateData(pop, sample.nobs = %d, seed = i, standardized = TRUE)
  f <- sem(ana, d)
  invisible(parameterEstimates(f))
})[["elapsed"]]
cat(t / reps, "\\n")
""" % N  # noqa: UP031  (R code full of braces)


def lavaan_seconds(reps: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "pop.lav").write_text(POPULATION)
        (folder / "ana.lav").write_text(ANALYSIS)
        (folder / "loop.R").write_text(R_SCRIPT)
        out = subprocess.run(["Rscript", str(folder / "loop.R"), str(folder / "pop.lav"), str(folder / "ana.lav"),
                              str(reps)], check=True, capture_output=True, text=True)
        return float(out.stdout.split()[-1])


def semxhs_seconds(reps: int, batch: bool = True) -> float:
    from semxhs.power.design import PowerDesign
    from semxhs.power.engine import run_power

    run_power(PowerDesign(POPULATION, ANALYSIS, ns=(N,), reps=3, seed=1), batch=batch)  # imports and caches warm
    start = time.perf_counter()
    run_power(PowerDesign(POPULATION, ANALYSIS, ns=(N,), reps=reps, seed=1), batch=batch)
    return (time.perf_counter() - start) / reps


def load_average() -> str:
    try:
        return f"{Path('/proc/loadavg').read_text().split()[0]}"
    except OSError:  # not Linux
        return "?"


def main() -> None:
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    ours = semxhs_seconds(reps)
    alone = semxhs_seconds(max(reps // 4, 10), batch=False)
    theirs = lavaan_seconds(reps)
    load = load_average()
    print(f"power, latent mediation N = {N}, {reps} replications, one core (load average {load})")
    print(f"  semxhs run_power (batched)      {ours * 1000:8.1f} ms per replication")
    print(f"  semxhs run_power(batch=False)   {alone * 1000:8.1f} ms per replication")
    print(f"  lavaan simulateData+sem         {theirs * 1000:8.1f} ms per replication")
    print(f"  ratio (lavaan / semxhs)         {theirs / ours:8.1f}x batched, {theirs / alone:.1f}x one by one")
    met = "met" if theirs / ours >= 20 else "not met"
    print("README row:")
    print(f"| Monte Carlo power, latent mediation (9 items, N = {N}, `:=` by delta method), one core, per replication "
          f"(load average {load}) | `run_power` {ours * 1000:.1f} ms (batched; {alone * 1000:.0f} ms fitting each "
          f"replication alone) | lavaan `simulateData` + `sem` loop {theirs * 1000:.0f} ms | "
          f"{theirs / ours:.0f}× ({theirs / alone:.1f}× unbatched; target 20×: {met}) | `bench_power.py` |")


if __name__ == "__main__":
    main()

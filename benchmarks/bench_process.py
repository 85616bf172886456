"""Benchmark (not a test): 5000 bootstrap draws of PROCESS model 7 on N = 400.

Times semxhs' vectorized engine and, in the same run, the same work done the usual way in
R: a loop of 5000 resamples, each refitting both equations with ``lm`` and forming the
index of moderated mediation and the conditional indirect effects at the 16/50/84th
percentiles of W. Data: the model-7 reference fixture (tests/fixtures/process).

It also times whole commands (issue 14): ``semxhs process DATA --model 4 --x PI --m TR --y PU
--boot 5000 --json OUT`` against an ``Rscript`` that reads the same file and runs the 5000-draw
``lm`` loop of model 4 (both equations refitted per draw, the indirect effect a*b kept), start
to exit, start-up included; median wall and CPU time of several runs.

Run from the repository root::

    python benchmarks/bench_process.py [--draws 5000] [--repeat 5] [--commands-only]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from semxhs.process import run_process

DATA = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "process" / "process_model7" / "data.csv"

R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); B <- as.integer(args[2]); n <- nrow(d)
wv <- unname(quantile(d$CE, c(0.16, 0.5, 0.84), type = 6))
set.seed(22)
t0 <- proc.time()[["elapsed"]]
out <- matrix(NA_real_, B, 4)
for (b in seq_len(B)) {
  db <- d[sample.int(n, n, replace = TRUE), ]
  a <- coef(lm(TR ~ PI * CE, data = db))
  bb <- coef(lm(PU ~ PI + TR, data = db))[["TR"]]
  out[b, ] <- c(a[["PI:CE"]] * bb, (a[["PI"]] + a[["PI:CE"]] * wv) * bb)
}
elapsed <- proc.time()[["elapsed"]] - t0
ci <- apply(out, 2, quantile, probs = c(0.025, 0.975))
cat(jsonlite::toJSON(list(seconds = elapsed, index_ci = ci[, 1]), digits = NA, auto_unbox = TRUE))
"""


R_MODEL4 = r"""
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); B <- as.integer(args[2]); n <- nrow(d)
set.seed(1)
fa <- lm(TR ~ PI, data = d); fb <- lm(PU ~ PI + TR, data = d)
out <- numeric(B)
for (b in seq_len(B)) {
  db <- d[sample.int(n, n, replace = TRUE), ]
  out[b] <- coef(lm(TR ~ PI, data = db))[["PI"]] * coef(lm(PU ~ PI + TR, data = db))[["TR"]]
}
ci <- quantile(out, c(0.025, 0.975))
cat(coef(fa)[["PI"]] * coef(fb)[["TR"]], ci, "\n")
"""


def timed_command(cmd: list[str], repeat: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Median wall and CPU seconds of a whole command, after one untimed run (bench_fit's timer)."""
    from bench_fit import timed  # the benchmarks' folder is on sys.path when a script runs

    return timed(cmd, repeat, env)


def commands(draws: int, repeat: int) -> None:
    """Whole-command model 4: `semxhs process` against `Rscript` with an lm loop."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        print("Rscript not found: whole-command timing skipped")
        return
    tmp = Path(tempfile.mkdtemp())
    rfile = tmp / "model4.R"
    rfile.write_text(R_MODEL4)
    # an installed semxhs has its bytecode compiled; PYTHONDONTWRITEBYTECODE would recompile it every run
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    ours = timed_command([sys.executable, "-m", "semxhs", "process", str(DATA), "--model", "4", "--x", "PI",
                          "--m", "TR", "--y", "PU", "--boot", str(draws), "--json", str(tmp / "o.json"), "-q"],
                         repeat, env)
    theirs = timed_command([rscript, str(rfile), str(DATA), str(draws)], repeat)
    load = os.getloadavg()[0]
    print(f"whole commands, model 4, {draws} draws (median of {repeat}, load average {load:.1f}):")
    print(f"semxhs process: {ours[0]:.2f} s wall, {ours[1]:.2f} s cpu; Rscript lm loop: {theirs[0]:.2f} s wall, "
          f"{theirs[1]:.2f} s cpu; ratio {theirs[0] / ours[0]:.1f}x wall, {theirs[1] / ours[1]:.1f}x cpu")
    print("README row:")
    print(f"| PROCESS model 4 as a whole command, N = 400, {draws} draws (load average {load:.0f}) | "
          f"`semxhs process --model 4 --json` {ours[0]:.2f} s | `Rscript` `lm` loop {theirs[0]:.2f} s | "
          f"{theirs[0] / ours[0]:.1f}× (CPU time {theirs[1] / ours[1]:.1f}×; target 10×) | `bench_process.py` |")


def time_ours(data: pd.DataFrame, draws: int, repeat: int) -> tuple[float, float, object]:
    run_process(data, 7, x="PI", y="PU", m=["TR"], w="CE", boot=50)  # warm-up (BLAS, imports)
    boot_times, total_times = [], []
    res = None
    for _ in range(repeat):
        start = time.perf_counter()
        res = run_process(data, 7, x="PI", y="PU", m=["TR"], w="CE", boot=draws, seed=22)
        total_times.append(time.perf_counter() - start)
        boot_times.append(res.bootstrap.seconds)
    return statistics.median(boot_times), statistics.median(total_times), res


def time_r(draws: int) -> tuple[float, float, list[float]] | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as f:
        f.write(R_SCRIPT)
    start = time.perf_counter()
    out = subprocess.run([rscript, f.name, str(DATA), str(draws)], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    Path(f.name).unlink()
    parsed = json.loads(out.stdout)
    return float(parsed["seconds"]), wall, list(parsed["index_ci"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--commands-only", action="store_true", help="only the whole-command model-4 row")
    args = parser.parse_args()
    commands(args.draws, args.repeat)
    if args.commands_only:
        return
    data = pd.read_csv(DATA)
    boot_s, total_s, res = time_ours(data, args.draws, args.repeat)
    index = res.index_of_moderated_mediation[0]
    print(f"model 7, N = {len(data)}, {args.draws} draws")
    print(f"semxhs bootstrap (draw + solve, median of {args.repeat}): {boot_s:.4f} s")
    print(f"semxhs run_process total (median of {args.repeat}):      {total_s:.4f} s")
    print(f"semxhs index of moderated mediation CI: [{index.ci_lower:.5f}, {index.ci_upper:.5f}]")
    r = time_r(args.draws)
    if r is None:
        print("Rscript not found: R timing skipped")
        return
    r_loop, r_wall, r_ci = r
    print(f"R lm loop (inside R):                   {r_loop:.3f} s")
    print(f"R wall time incl. Rscript start-up:     {r_wall:.3f} s")
    print(f"R index of moderated mediation CI:      [{r_ci[0]:.5f}, {r_ci[1]:.5f}]")
    print(f"ratio R loop / semxhs bootstrap:        {r_loop / boot_s:.1f}x")
    print(f"ratio R loop / semxhs run_process:      {r_loop / total_s:.1f}x")


if __name__ == "__main__":
    main()

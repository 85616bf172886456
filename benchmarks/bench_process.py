"""Benchmark (not a test): 5000 bootstrap draws of PROCESS model 7 on N = 400.

Times semxhs' vectorized engine and, in the same run, the same work done the usual way in
R: a loop of 5000 resamples, each refitting both equations with ``lm`` and forming the
index of moderated mediation and the conditional indirect effects at the 16/50/84th
percentiles of W. Data: the model-7 reference fixture (tests/fixtures/process).

Run from the repository root::

    python benchmarks/bench_process.py [--draws 5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
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
    args = parser.parse_args()
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

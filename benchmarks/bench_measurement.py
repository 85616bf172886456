"""Benchmark: the cost of the measurement evidence, and HTMT bootstrap intervals at large N.

(a) ``semxhs fit MODEL DATA --json OUT`` (default: reliability and validity evidence, HTMT
    with 2000 bootstrap draws, KMO, Bartlett, Harman, a one-factor CFA) against the same
    command with ``--no-measurement``, as whole commands (start to exit, imports included),
    alternating, median of the repeats, on hs1939_cfa, poldem_sem and the demo study's
    model and responses. Target: ratio ≤ 2.
(b) ``htmt_bootstrap`` with 2000 draws on simulated 5-construct data (4 items each, 7-point
    answers) at N = 20,000 and 200,000, each in a fresh process that reads the CSV: wall and
    CPU time of the bootstrap (two threads: CPU time is what it costs a quiet machine's
    cores, wall time under load is several times more) and peak RSS of the process (``resource.getrusage``, the data, pandas and
    numpy included). Target at N = 200,000: < 10 s and < 500 MB.
(c) For information, as semTools has no HTMT bootstrap: an R loop of ``semTools::htmt`` on
    resampled rows in the same run, its time scaled to 2000 draws (``--r-draws``, one count
    per size, default 200 at N = 20,000 and 20 at N = 200,000, where each call takes seconds).

    python benchmarks/bench_measurement.py [--repeats 5] [--sizes 20000,200000] [--r-draws 200,20]
                                            [--skip-fit] [--skip-r]

Prints a table and the README rows it supports. Timings on a shared machine vary with load;
the load average is printed with them, and ratios come from the same run.
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

ROOT = Path(__file__).resolve().parents[1]
FIT_CASES = {
    "hs1939_cfa": ("tests/fixtures/shared/hs1939_cfa/model.lav", "tests/fixtures/shared/hs1939_cfa/data.csv"),
    "poldem_sem": ("tests/fixtures/shared/poldem_sem/model.lav", "tests/fixtures/shared/poldem_sem/data.csv"),
    "demo": ("models/trust_purchase.lav", "surveys/demo/responses.csv"),
}
CHILD = """
import json, resource, sys, time
import pandas as pd
from semxhs.measurement.validity import htmt_bootstrap
data = pd.read_csv(sys.argv[1])
blocks = {f"F{f}": [f"F{f}_{j}" for j in range(4)] for f in range(5)}
start, cpu = time.perf_counter(), time.process_time()
res = htmt_bootstrap(data, blocks, draws=2000, seed=1)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "upper": max(iv.ci_upper for iv in res.intervals), "failed": len(res.failed)}))
"""
R_LOOP = """
suppressMessages(library(semTools))
args <- commandArgs(trailingOnly = TRUE)
data <- read.csv(args[1]); B <- as.integer(args[2])
model <- paste(sapply(0:4, function(f) paste0("F", f, " =~ ", paste0("F", f, "_", 0:3, collapse = " + "))),
               collapse = "\\n")
set.seed(1)
t0 <- proc.time()[["elapsed"]]
for (b in seq_len(B)) invisible(htmt(model, data[sample.int(nrow(data), replace = TRUE), ], htmt2 = FALSE))
cat(proc.time()[["elapsed"]] - t0, "\\n")
"""


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def bench_fit(repeats: int, tmp: Path) -> list[tuple[str, float, float]]:
    exe = [sys.executable, "-m", "semxhs"]
    rows = []
    for name, (model, data) in FIT_CASES.items():
        base = [*exe, "fit", model, data, "--json", str(tmp / "out.json"), "-q"]
        plain, full = [], []
        for _ in range(repeats):  # alternating, so load drifts hit both alike
            for cmd, times in ((base + ["--no-measurement"], plain), (base, full)):
                start = time.perf_counter()
                subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT, env=env())
                times.append(time.perf_counter() - start)
        rows.append((name, statistics.median(plain), statistics.median(full)))
        print(f"  {name:12s} --no-measurement {rows[-1][1]:6.2f} s   default {rows[-1][2]:6.2f} s   "
              f"ratio {rows[-1][2] / rows[-1][1]:.2f}", flush=True)
    return rows


def simulate(n: int, path: Path) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    eta = rng.multivariate_normal(np.zeros(5), 0.4 + 0.6 * np.eye(5), size=n)
    cols = {f"F{f}_{j}": np.clip(np.round(4 + 1.2 * (0.8 * eta[:, f] + 0.6 * rng.normal(size=n))), 1, 7).astype(int)
            for f in range(5) for j in range(4)}
    pd.DataFrame(cols).to_csv(path, index=False)


def bench_htmt(sizes: list[int], r_draws: list[int], skip_r: bool,
               tmp: Path) -> list[tuple[int, dict, int, float | None]]:
    script = tmp / "htmt_child.py"
    script.write_text(CHILD)
    rfile = tmp / "htmt_loop.R"
    rfile.write_text(R_LOOP)
    rows = []
    for n, draws in zip(sizes, r_draws):
        csv = tmp / f"htmt_{n}.csv"
        simulate(n, csv)
        proc = subprocess.run([sys.executable, str(script), str(csv)], check=True, capture_output=True, text=True,
                              cwd=ROOT, env=env())
        ours = json.loads(proc.stdout.strip().splitlines()[-1])
        r_scaled = None
        if not skip_r:
            out = subprocess.run(["Rscript", str(rfile), str(csv), str(draws)], check=True, capture_output=True,
                                 text=True)
            r_scaled = float(out.stdout.split()[-1]) * 2000 / draws
        rows.append((n, ours, draws, r_scaled))
        r_text = f"   R semTools::htmt loop, {draws} draws scaled to 2000: {r_scaled:.1f} s" if r_scaled else ""
        print(f"  N = {n:>7,}: {ours['seconds']:.2f} s (CPU {ours['cpu']:.2f} s), peak RSS {ours['rss_mb']:.0f} MB{r_text}", flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--r-draws", default="200,20")
    ap.add_argument("--sizes", default="20000,200000")
    ap.add_argument("--skip-fit", action="store_true")
    ap.add_argument("--skip-r", action="store_true")
    args = ap.parse_args()
    if not args.skip_r and shutil.which("Rscript") is None:
        raise SystemExit("Rscript not found (apt-get install r-base-core r-cran-semtools), or pass --skip-r")
    tmp = Path(tempfile.mkdtemp(prefix="bench_measurement_"))
    print(f"({load()} at the start)")
    fit_rows = [] if args.skip_fit else bench_fit(args.repeats, tmp)
    sizes = [int(s) for s in args.sizes.split(",")]
    r_draws = [int(s) for s in args.r_draws.split(",")]
    r_draws += [r_draws[-1]] * (len(sizes) - len(r_draws))
    htmt_rows = bench_htmt(sizes, r_draws, args.skip_r, tmp)
    note = f"measured under load: {load()} at the end"
    print("\nREADME rows:")
    if fit_rows:
        names = " / ".join(r[0] for r in fit_rows)
        print(f"| default `semxhs fit --json` (with measurement evidence) against `--no-measurement`, whole commands, "
              f"{names} ({note}) | {' / '.join(f'{r[2]:.2f} s' for r in fit_rows)} against "
              f"{' / '.join(f'{r[1]:.2f} s' for r in fit_rows)} | — | "
              f"{' / '.join(f'{r[2] / r[1]:.2f}' for r in fit_rows)} (default / plain; target ≤ 2: "
              f"{'met' if all(r[2] / r[1] <= 2 for r in fit_rows) else '**not met**'}) | `bench_measurement.py` |")
    for n, ours, draws, r_scaled in htmt_rows:
        target = ""
        if n >= 200_000:
            ok = ours["seconds"] < 10 and ours["rss_mb"] < 500
            target = f"; target < 10 s and < 500 MB: {'met' if ok else '**not met**'}"
        r_cell = f"`semTools::htmt` loop, {draws} resamples scaled to 2000: {r_scaled:.1f} s" if r_scaled \
            else "(semTools has no HTMT bootstrap)"
        ratio = f"{r_scaled / ours['seconds']:.0f}×" if r_scaled else "—"
        print(f"| HTMT intervals, 2000 draws, 5 constructs × 4 items, N = {n:,} ({note}) | `htmt_bootstrap` "
              f"{ours['seconds']:.2f} s (CPU time of both threads {ours['cpu']:.2f} s), peak RSS {ours['rss_mb']:.0f} MB{target} | {r_cell} | {ratio} | "
              f"`bench_measurement.py` |")


if __name__ == "__main__":
    main()

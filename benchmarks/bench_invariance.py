"""Benchmark: the four-level invariance ladder with score tests, semxhs against lavaan + semTools, in one run.

Times whole commands as a user runs them (start to exit, imports included), on HolzingerSwineford1939
by school (tests/fixtures/shared_next/hs1939_invariance_school):

- lavaan + semTools: ``Rscript`` building configural, metric, scalar and strict models with
  ``semTools::measEq.syntax`` and fitting each with ``cfa``, then ``lavTestLRT`` over the four and
  ``lavTestScore`` of the scalar model;
- semxhs: ``semxhs invariance MODEL DATA --group school --json OUT -q --no-partial-search`` (the
  same work: four fits, the LRT table with deltas, the scalar model's score tests), and once more
  with the partial-invariance search (its refits and score tests are extra work lavaan does not do).

Prints seconds, the ratio R / semxhs, and whether the score tests' total X2 agree (1e-3).
Needs R with lavaan and semTools (Debian: r-cran-lavaan, r-cran-semtools).

    python benchmarks/bench_invariance.py [--repeats K]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "tests" / "fixtures" / "shared_next" / "hs1939_invariance_school"

R_SCRIPT = """
suppressMessages({library(lavaan); library(semTools); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
model <- paste(readLines(args[1]), collapse = "\\n")
data <- read.csv(args[2])
levels <- list(configural = "configural", metric = "loadings", scalar = c("loadings", "intercepts"),
               strict = c("loadings", "intercepts", "residuals"))
fits <- lapply(levels, function(eq) {
  syn <- measEq.syntax(configural.model = model, data = data, group = "school", group.equal = eq,
                       ID.fac = "marker", ID.cat = "Wu.Estabrook.2016", return.fit = FALSE)
  cfa(as.character(syn), data = data, group = "school")
})
lrt <- lavTestLRT(fits$configural, fits$metric, fits$scalar, fits$strict)
score <- lavTestScore(fits$scalar)
cat(toJSON(list(chisq = sapply(fits, fitMeasures, "chisq"), score_total = score$test$X2), digits = NA))
"""


def run(cmd: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - start, out.stdout


def timed(cmd: list[str], repeats: int) -> tuple[float, str]:
    runs = [run(cmd) for _ in range(repeats)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("Rscript") is None:
        sys.exit("Rscript not found: install R with lavaan and semTools")
    model, data = CASE / "model.lav", CASE / "data.csv"
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "ladder.R"
        script.write_text(R_SCRIPT, encoding="utf-8")
        r_time, r_out = timed(["Rscript", str(script), str(model), str(data)], args.repeats)
        out = Path(tmp) / "inv.json"
        base = [sys.executable, "-m", "semxhs", "invariance", str(model), str(data), "--group", "school",
                "--json", str(out), "-q"]
        s_time, _ = timed([*base, "--no-partial-search"], args.repeats)
        doc = json.loads(out.read_text(encoding="utf-8"))
        p_time, _ = timed(base, args.repeats)
    r_doc = json.loads(r_out)
    ours = doc["score_tests"]["total"]["X2"]
    theirs = float(r_doc["score_total"][0] if isinstance(r_doc["score_total"], list) else r_doc["score_total"])
    agree = abs(ours - theirs) <= 1e-3 * theirs
    print(f"four-level ladder + LRT + score tests, HS1939 by school (median of {args.repeats})")
    print(f"  lavaan + semTools (Rscript)      {r_time:7.2f} s")
    print(f"  semxhs invariance                {s_time:7.2f} s   R / semxhs = {r_time / s_time:.1f}x")
    print(f"  semxhs invariance + partial search {p_time:5.2f} s   R / semxhs = {r_time / p_time:.1f}x")
    print(f"  score test total X2: semxhs {ours:.4f}, lavaan {theirs:.4f}, agree: {agree}")


if __name__ == "__main__":
    main()

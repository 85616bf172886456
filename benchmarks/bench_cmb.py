"""Benchmark: the common-method checks beyond Harman against the same work in R, in the same run.

In-process on both sides (imports and R start-up excluded): semxhs's ULMC (baseline reused,
one extra fit), marker variable and full-collinearity VIF (:mod:`semxhs.measurement.cmb`)
against lavaan 0.6-14 fitting the same method model (``sem(..., std.lv = TRUE)`` plus
``anova()``), ``cor.test`` and the marker adjustment, and ``lm()`` per construct. Medians of
several repeats; prints the README row(s) with the ratio R / semxhs. Needs Rscript with lavaan.

    python benchmarks/bench_cmb.py [--repeats N]
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

from semxhs.measurement.cmb import full_collinearity, marker_variable, ulmc
from semxhs.sem.model import fit

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures"
REF = json.loads((FIX / "cmb" / "reference.json").read_text(encoding="utf-8"))
DEMO_BLOCKS = {"PI": ["PI1", "PI2", "PI3", "PI4"], "TR": ["TR1", "TR2", "TR3", "TR4"], "PU": ["PU1", "PU2", "PU3"]}
HS_BLOCKS = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
CASES = {  # name: (model file, data file, blocks, loadings, marker)
    "hs1939_free": (FIX / "shared/hs1939_cfa/model.lav", FIX / "shared/hs1939_cfa/data.csv", HS_BLOCKS, "free", ()),
    "demo_equal": (ROOT / "models/trust_purchase.lav", FIX / "cmb/demo_marker.csv", DEMO_BLOCKS, "equal",
                   ("MK1", "MK2", "MK3")),
    # not identified (no method variance in the simulated demo): both engines say so; ours only after
    # spending the optimizer's whole iteration budget
    "demo_free": (ROOT / "models/trust_purchase.lav", FIX / "cmb/demo_marker.csv", DEMO_BLOCKS, "free", ()),
}
R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
a <- commandArgs(trailingOnly = TRUE)
model <- paste(readLines(a[1]), collapse = "\n"); um <- paste(readLines(a[2]), collapse = "\n")
d <- read.csv(a[3]); reps <- as.integer(a[4]); marker <- if (a[5] == "") character(0) else strsplit(a[5], ",")[[1]]
blocks <- split(lavaanify(model)$rhs[lavaanify(model)$op == "=~"],
                factor(lavaanify(model)$lhs[lavaanify(model)$op == "=~"], levels = unique(lavaanify(model)$lhs[lavaanify(model)$op == "=~"])))
base <- sem(model, d)
one <- function() {
  u <- suppressWarnings(sem(um, d, std.lv = TRUE)); invisible(anova(base, u))
  sc <- as.data.frame(lapply(blocks, function(it) rowMeans(d[, it])))
  for (v in names(sc)) summary(lm(reformulate(setdiff(names(sc), v), v), data = sc))$r.squared
  if (length(marker)) {
    mk <- rowMeans(d[, marker, drop = FALSE]); rm <- sort(sapply(sc, function(s) cor(s, mk)))
    r_m <- rm[rm > 0][1]
    for (i in 1:(ncol(sc) - 1)) for (j in (i + 1):ncol(sc)) {
      r <- cor.test(sc[[i]], sc[[j]])$estimate; ra <- (r - r_m) / (1 - r_m)
      2 * pt(-abs(ra / sqrt((1 - ra^2) / (nrow(sc) - 3))), nrow(sc) - 3)
    }
  }
}
times <- sapply(seq_len(reps), function(i) system.time(one())[["elapsed"]])
cat(median(times))
"""


def ours(case: str, repeats: int) -> float:
    model_file, data_file, blocks, loadings, marker = CASES[case]
    text = model_file.read_text(encoding="utf-8")
    data = pd.read_csv(data_file)
    base = fit(text, data)  # the user's fit, which the pipeline has already
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        ulmc(base, data, blocks, loadings=loadings, model=text)
        full_collinearity(data, blocks)
        if marker:
            marker_variable(data, blocks, marker)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def theirs(case: str, repeats: int, tmp: Path) -> float:
    model_file, data_file, _, _, marker = CASES[case]
    um = tmp / f"{case}.lav"
    um.write_text(REF["ulmc"][case]["model"], encoding="utf-8")
    script = tmp / "cmb.R"
    script.write_text(R_SCRIPT, encoding="utf-8")
    out = subprocess.run(["Rscript", str(script), str(model_file), str(um), str(data_file), str(repeats),
                          ",".join(marker)], check=True, capture_output=True, text=True)
    return float(out.stdout.strip().split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("Rscript") is None:
        raise SystemExit("Rscript not found: apt-get install r-base-core r-cran-lavaan")
    tmp = Path(tempfile.mkdtemp())
    for case in CASES:
        a, b = ours(case, args.repeats), theirs(case, args.repeats, tmp)
        loadings = CASES[case][3]
        what = f"ULMC ({loadings} loadings) + full-collinearity VIF" + (" + marker" if CASES[case][4] else "")
        if case == "demo_free":
            what += " (method model not identified)"
        print(f"| {what}, {case.split('_')[0]}, in-process | {a:.3f} s | lavaan + lm/cor.test {b:.3f} s "
              f"| {b / a:.1f}× | `bench_cmb.py` |")


if __name__ == "__main__":
    main()

"""Benchmark: in-process fit of wide CFAs (12 and 24 factors, 5 items each, N = 1000) against lavaan.

The data are simulated once (loadings 0.7, factor correlations 0.3) and written to a CSV;
lavaan's ``cfa()`` is timed inside R (start-up and reading excluded), semxhs's
:func:`semxhs.sem.model.fit` inside Python (imports excluded, one warm-up fit first), both
with standard errors and fit measures. Prints seconds, the ratio and the README rows; the
load average is printed too (above 2 the seconds are a loaded machine's, the ratio is same-run).
Needs R with lavaan.

    python benchmarks/bench_wide_cfa.py [FACTORS ...]     (default: 12 24)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

R_SCRIPT = """
suppressMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); m <- paste(readLines(args[2]), collapse = "\\n")
t <- system.time({f <- cfa(m, data = d); invisible(parameterEstimates(f)); invisible(fitMeasures(f))})[["elapsed"]]
cat(t, "\\n")
"""


def case(factors: int, n: int = 1000, items: int = 5) -> tuple[str, pd.DataFrame]:
    rng = np.random.default_rng(factors)
    phi = np.full((factors, factors), 0.3) + 0.7 * np.eye(factors)
    eta = rng.multivariate_normal(np.zeros(factors), phi, size=n)
    cols, lines = {}, []
    for f in range(factors):
        names = [f"f{f}_{i}" for i in range(items)]
        lines.append(f"F{f} =~ " + " + ".join(names))
        for name in names:
            cols[name] = 0.7 * eta[:, f] + np.sqrt(0.51) * rng.normal(size=n)
    return "\n".join(lines), pd.DataFrame(cols)


def main(sizes: list[int]) -> None:
    from semxhs.sem.model import fit

    load = os.getloadavg()[0]
    print(f"wide CFA, 5 items per factor, N = 1000, in-process (seconds); load average {load:.1f}")
    rows = []
    for k in sizes:
        model, data = case(k)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            data.to_csv(folder / "d.csv", index=False)
            (folder / "m.lav").write_text(model)
            (folder / "t.R").write_text(R_SCRIPT)
            out = subprocess.run(["Rscript", str(folder / "t.R"), str(folder / "d.csv"), str(folder / "m.lav")],
                                 check=True, capture_output=True, text=True)
            theirs = float(out.stdout.split()[-1])
        small, small_data = case(2)
        fit(small, small_data)  # warm-up
        start = time.perf_counter()
        fit(model, data)
        ours = time.perf_counter() - start
        print(f"  {k:2d} factors: semxhs {ours:7.2f}  lavaan {theirs:7.2f}  ratio {theirs / ours:5.2f}x (lavaan / semxhs)",
              flush=True)
        rows.append((k, ours, theirs))
    loaded = f", measured under load (load average {load:.0f})" if load > 2 else ""
    print("\nREADME rows:")
    for k, ours, theirs in rows:
        print(f"| wide CFA in-process, {k} factors × 5 items, N = 1000{loaded} | `fit()` {ours:.2f} s | "
              f"lavaan `cfa()` {theirs:.2f} s | {theirs / ours:.1f}× (target ≥ 1: {'met' if theirs >= ours else 'NOT met'})"
              f" | `bench_wide_cfa.py` |")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [12, 24])

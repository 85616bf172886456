"""Benchmark (not a test): loading and validating N = 20,000 and N = 200,000 responses (issue 14).

What `semxhs fit DATA.csv --scale 1,7 --no-measurement` does before estimating -- read the
bytes, detect the encoding, check the header, parse the CSV, hash the file for provenance,
check every indicator against the response scale, pick the model's columns, drop incomplete
rows and form the moments -- timed for two simulated 20-column Likert files (a 4-factor
CFA, 5 items each, 1-7, about 1% missing answers) that differ only in N.

The load + validate time is ``fit_files(...)`` (the whole `fit` path, in-process, imports
excluded) minus the time spent in the estimation itself (the optimizer and the SEs, standardized
solution and fit measures, which work on the moments and do not depend on N), both measured in
the same call. The target of issue 14 is
``time(200k) / time(20k) <= 3`` for that part. Also printed: the whole command for each N,
and where the load + validate time goes (cProfile, top functions).

    python benchmarks/bench_large_n.py [--repeat 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FACTORS, ITEMS = 4, 5
MODEL = "\n".join(f"F{f + 1} =~ " + " + ".join(f"x{f * ITEMS + i + 1}" for i in range(ITEMS)) for f in range(FACTORS))


def simulate(n: int, path: Path, seed: int = 14) -> None:
    """A 20-column Likert (1-7) file with about 1% of the answers missing."""
    rng = np.random.default_rng(seed)
    phi = np.full((FACTORS, FACTORS), 0.4) + 0.6 * np.eye(FACTORS)
    eta = rng.multivariate_normal(np.zeros(FACTORS), phi, size=n)
    cols = {}
    for f in range(FACTORS):
        for i in range(ITEMS):
            latent = 0.75 * eta[:, f] + np.sqrt(1 - 0.75**2) * rng.normal(size=n)
            x = np.clip(np.round(4 + 1.3 * latent), 1, 7)
            x[rng.random(n) < 0.01] = np.nan
            cols[f"x{f * ITEMS + i + 1}"] = x
    pd.DataFrame(cols).to_csv(path, index=False, float_format="%.0f")


def load_validate_seconds(model: Path, data: Path, repeat: int) -> tuple[float, float, float]:
    """Median seconds of: the whole `fit` path; its estimation; the rest (load + validate).

    The estimation is the time spent in ``fit_ml`` (the optimizer) and ``collect`` (SEs,
    standardized solution, fit measures), measured inside the same call by wrapping both;
    neither touches the raw rows, so neither depends on N.
    """
    from semxhs.sem import model as sem_model
    from semxhs.study.pipeline import AnalysisOptions, fit_files

    spent = [0.0]

    def timed(func: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start
        return wrapper

    options = AnalysisOptions(measurement=False, scale=(1.0, 7.0))
    totals, estimates = [], []
    originals = sem_model.fit_ml, sem_model.collect
    sem_model.fit_ml, sem_model.collect = timed(originals[0]), timed(originals[1])  # type: ignore[assignment]
    try:
        for _ in range(repeat):
            spent[0] = 0.0
            start = time.perf_counter()
            res = fit_files(model, data, options)
            totals.append(time.perf_counter() - start)
            estimates.append(spent[0])
            assert res.sem.converged
    finally:
        sem_model.fit_ml, sem_model.collect = originals  # type: ignore[assignment]
    rest = [t - e for t, e in zip(totals, estimates)]
    return statistics.median(totals), statistics.median(estimates), statistics.median(rest)


def command_seconds(model: Path, data: Path, out: Path) -> float:
    """Wall seconds of the whole command, bytecode cache on as in an installed semxhs (one untimed run first)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(out.parent / "pycache")
    cmd = [sys.executable, "-m", "semxhs", "fit", str(model), str(data), "--scale", "1,7", "--no-measurement",
           "--json", str(out), "-q"]
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def profile(model: Path, data: Path, top: int = 12) -> str:
    from semxhs.study.pipeline import AnalysisOptions, fit_files

    prof = cProfile.Profile()
    prof.enable()
    fit_files(model, data, AnalysisOptions(measurement=False, scale=(1.0, 7.0)))
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="also print where N = 200,000 spends its time")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    model = tmp / "model.lav"
    model.write_text(MODEL + "\n")
    rows = {}
    for n in (20_000, 200_000):
        data = tmp / f"n{n}.csv"
        simulate(n, data)
        load_validate_seconds(model, data, 1)  # warm-up: imports, file cache
        total, est, lv = load_validate_seconds(model, data, args.repeat)
        whole = command_seconds(model, data, tmp / "out.json")
        rows[n] = lv
        print(f"N = {n:>7,}: fit path {total:.3f} s = load + validate {lv:.3f} s + estimation {est:.3f} s; "
              f"whole command {whole:.2f} s ({data.stat().st_size / 1e6:.1f} MB)")
        if args.profile and n == 200_000:
            print(profile(model, data))
    ratio = rows[200_000] / rows[20_000]
    print(f"load + validate, 200k / 20k = {ratio:.2f} (target <= 3; N grows 10x)")
    print("README row:")
    print(f"| load + validate (read, decode, header check, parse, hash, scale check, moments), 20 columns, "
          f"N = 20,000 vs 200,000 | {rows[20_000]:.2f} s / {rows[200_000]:.2f} s | — | "
          f"{ratio:.1f}× for 10× N (target ≤ 3×) | `bench_large_n.py` |")


if __name__ == "__main__":
    main()

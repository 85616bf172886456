"""Benchmark: the SEM bootstrap of semxhs against lavaan's, in the same run.

Times whole commands as a user runs them (start to exit, imports included) and records the
peak resident memory of each (``os.wait4``'s ``ru_maxrss``):

- lavaan: ``Rscript`` running ``sem(model, data, se = "bootstrap", bootstrap = K)`` after
  ``set.seed(seed)`` and ``parameterEstimates(fit, boot.ci.type = "perc")``;
- semxhs: the command a user runs, ``semxhs fit MODEL DATA --bootstrap N --seed S --json OUT
  --no-measurement -q`` (the same work: the fit and its bootstrap, percentile intervals), once
  with ``--jobs 1`` and once with ``--jobs 2`` (memory is given for ``--jobs 1``).

Cases: ``mediation_observed`` (5000 draws) and ``poldem_sem`` (2000), the bootstrap fixtures;
``bfi_mediation`` (psych's ``bfi``, complete cases of the 25 items, N = 2436: neuroticism ->
conscientiousness -> agreeableness, 2000 draws; the data are written by R from psych);
``likert_parallel`` (a latent parallel mediation on 5-point items, N = 500, simulated by
:func:`semxhs.sem.simulate.simulate` with seed 7, 2000 draws); ``cfa6`` and ``cfa12``
(6 and 12 correlated factors, 5 items each, loadings .7, factor correlations .3, N = 2000
and N = 1000, 2000 draws).

lavaan is slow on the wide CFAs (a 12-factor fit takes seconds), so by default it runs
fewer draws there (``LAVAAN_DRAWS``; ``--lavaan-draws`` for every case, ``all`` for the full
number): its time is then scaled to the full number of draws from its own per-draw time
(``(bootstrap fit - plain fit) / K``, both timed inside R, plus the whole command minus
one plain fit), and the output says so. Its memory is that of the K-draw run.

Agreement: for models with ``:=`` parameters every percentile interval end must lie within
``2.5 * sqrt(1/N1 + 1/N2)`` of lavaan's interval width (5% at 5000 draws each, the Monte
Carlo error of two independent bootstraps; see tests/fixtures/bootstrap/README.md); for the
CFAs (no ``:=``) every free parameter's bootstrap SE within ``4 * sqrt(1/(2 N1) + 1/(2 N2))``
of lavaan's, relatively (four Monte Carlo SDs of the difference of two SE estimates).
Prints the table and the README rows it supports. Needs R with lavaan and psych.

    python benchmarks/bench_bootstrap.py [--case NAME ...] [--lavaan-draws K|all] [--repeats K]
    python benchmarks/bench_bootstrap.py --case cfa6 --lavaan-draws 100     # a few minutes
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "bootstrap"

R_SCRIPT = """
suppressMessages({library(lavaan); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
model <- paste(readLines(args[1]), collapse = "\\n")
data <- read.csv(args[2])
draws <- as.integer(args[3])
t_fit <- NA
if (args[5] == "scaled") t_fit <- system.time(sem(model, data))[["elapsed"]]
set.seed(as.integer(args[4]))
t_boot <- system.time(fit <- sem(model, data, se = "bootstrap", bootstrap = draws))[["elapsed"]]
pe <- parameterEstimates(fit, boot.ci.type = "perc")
pt <- parTable(fit)
d <- pe[pe$op == ":=", ]
f <- pe[pt$free > 0, ]
cat(toJSON(list(defined = data.frame(label = d$lhs, lower = d$ci.lower, upper = d$ci.upper, se = d$se),
                free = data.frame(lhs = f$lhs, op = f$op, rhs = f$rhs, se = f$se),
                t_fit = t_fit, t_boot = t_boot), digits = NA, auto_unbox = TRUE, na = "null"))
"""

BFI_R = """
suppressMessages(library(psych))
args <- commandArgs(trailingOnly = TRUE)
x <- bfi[, 1:25]
write.csv(x[complete.cases(x), ], args[1], row.names = FALSE)
"""

BFI_MODEL = """N =~ N1 + N2 + N3 + N4 + N5
C =~ C1 + C2 + C3 + C4 + C5
A =~ A1 + A2 + A3 + A4 + A5
C ~ a*N
A ~ b*C + c*N
ind := a*b
total := c + a*b
"""

LIKERT_POPULATION = """X =~ 0.8*x1 + 0.75*x2 + 0.7*x3 + 0.7*x4
M1 =~ 0.8*m1 + 0.75*m2 + 0.7*m3
M2 =~ 0.8*w1 + 0.75*w2 + 0.7*w3
Y =~ 0.8*y1 + 0.75*y2 + 0.7*y3
M1 ~ 0.4*X
M2 ~ 0.3*X
Y ~ 0.35*M1 + 0.25*M2 + 0.1*X
"""

LIKERT_MODEL = """X =~ x1 + x2 + x3 + x4
M1 =~ m1 + m2 + m3
M2 =~ w1 + w2 + w3
Y =~ y1 + y2 + y3
M1 ~ a1*X
M2 ~ a2*X
Y ~ b1*M1 + b2*M2 + c*X
M1 ~~ M2
ind1 := a1*b1
ind2 := a2*b2
diff := ind1 - ind2
"""


def _fixture(name: str) -> Callable[[Path], tuple[Path, Path]]:
    return lambda _tmp: (FIXTURES / name / "model.lav", FIXTURES / name / "data.csv")


def _bfi(tmp: Path) -> tuple[Path, Path]:
    (tmp / "bfi.R").write_text(BFI_R)
    subprocess.run(["Rscript", str(tmp / "bfi.R"), str(tmp / "bfi.csv")], check=True, capture_output=True)
    (tmp / "bfi.lav").write_text(BFI_MODEL)
    return tmp / "bfi.lav", tmp / "bfi.csv"


def _likert(tmp: Path) -> tuple[Path, Path]:
    from semxhs.sem.simulate import simulate

    simulate(LIKERT_POPULATION, n=500, seed=7, likert=5).to_csv(tmp / "likert.csv", index=False)
    (tmp / "likert.lav").write_text(LIKERT_MODEL)
    return tmp / "likert.lav", tmp / "likert.csv"


def cfa_case(factors: int, n: int) -> Callable[[Path], tuple[Path, Path]]:
    """``factors`` correlated factors with 5 items each (loadings .7, correlations .3), N = ``n``."""
    def make(tmp: Path) -> tuple[Path, Path]:
        from semxhs.sem.simulate import simulate

        names = [[f"f{f}_{i}" for i in range(5)] for f in range(factors)]
        population = [f"F{f} =~ " + " + ".join(f"0.7*{x}" for x in items) for f, items in enumerate(names)]
        population += [f"F{a} ~~ 0.3*F{b}" for a in range(factors) for b in range(a + 1, factors)]
        model = "\n".join(f"F{f} =~ " + " + ".join(items) for f, items in enumerate(names)) + "\n"
        simulate("\n".join(population), n=n, seed=factors).to_csv(tmp / f"cfa{factors}.csv", index=False)
        (tmp / f"cfa{factors}.lav").write_text(model)
        return tmp / f"cfa{factors}.lav", tmp / f"cfa{factors}.csv"
    return make


@dataclass(frozen=True)
class Case:
    name: str
    label: str  # for the README row
    draws: int
    seed: int
    lavaan_draws: int  # default number of lavaan draws (scaled up when fewer than draws)
    make: Callable[[Path], tuple[Path, Path]]


CASES = (
    Case("mediation_observed", "mediation_observed", 5000, 12, 5000, _fixture("mediation_observed")),
    Case("poldem_sem", "poldem_sem (11 items, 3 factors, N = 75)", 2000, 11, 2000, _fixture("poldem_sem")),
    Case("bfi_mediation", "bfi_mediation (psych's bfi, 15 items, 3 factors, N = 2436)", 2000, 3, 2000, _bfi),
    Case("likert_parallel", "likert_parallel (13 five-point items, 4 factors, N = 500)", 2000, 5, 2000, _likert),
    Case("cfa6", "6-factor CFA (30 items, N = 2000)", 2000, 6, 200, cfa_case(6, 2000)),
    Case("cfa12", "12-factor CFA (60 items, N = 1000)", 2000, 12, 20, cfa_case(12, 1000)),
)


def run(cmd: list[str]) -> tuple[float, str, float]:
    """Seconds, standard output and peak resident memory (MB) of one command."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.read()}")
        return seconds, out.read(), usage.ru_maxrss / 1024


def timed(cmd: list[str], repeats: int) -> tuple[float, str, float]:
    runs = [run(cmd) for _ in range(repeats)]
    return statistics.median(t for t, _, _ in runs), runs[-1][1], max(m for _, _, m in runs)


def agree(lavaan: dict, ours: dict, draws: int, lavaan_draws: int) -> tuple[bool, str]:
    """Intervals of the ``:=`` parameters (or, without any, bootstrap SEs) against lavaan's."""
    if lavaan["defined"]:
        share = 2.5 * math.sqrt(1 / draws + 1 / lavaan_draws)
        got = {d["label"]: d for d in ours["defined"]}
        worst = 0.0
        for row in lavaan["defined"]:
            width = row["upper"] - row["lower"]
            for end, theirs in (("ci_lower", row["lower"]), ("ci_upper", row["upper"])):
                worst = max(worst, abs(got[row["label"]][end] - theirs) / width)
        return worst <= share, f"{worst:.1%} of width (≤ {share:.1%})"
    share = 4 * math.sqrt(1 / (2 * draws) + 1 / (2 * lavaan_draws))
    mine = {(p["lhs"], p["op"], p["rhs"]): p["boot_se"] for p in ours["parameters"]}
    worst = max(abs(mine[(r["lhs"], r["op"], r["rhs"])] - r["se"]) / r["se"] for r in lavaan["free"])
    return worst <= share, f"SE {worst:.1%} (≤ {share:.1%})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", choices=[c.name for c in CASES],
                        help="run only this case (repeatable); default: all")
    parser.add_argument("--lavaan-draws", default=None,
                        help="lavaan's draws for every case (its time scaled to the case's draws), or 'all'")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each semxhs command (median reported)")
    args = parser.parse_args()
    if shutil.which("Rscript") is None:
        raise SystemExit("Rscript not found: apt-get install r-base-core r-cran-lavaan r-cran-psych")
    tmp = Path(tempfile.mkdtemp())
    rfile = tmp / "boot.R"
    rfile.write_text(R_SCRIPT)
    semxhs = [sys.executable, "-m", "semxhs"]
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} cores"
          + (" (measured under load: seconds are several times a quiet machine's; ratios are same-run)"
             if load > 2 else ""))
    print(f"{'case':20s} {'draws':>5s} {'lavaan s':>9s} {'MB':>5s} {'semxhs s':>9s} {'MB':>5s} {'ratio':>7s} "
          f"{'2 jobs s':>9s} {'ratio':>7s}  agreement")
    rows = []
    try:
        for case in CASES:
            if args.case and case.name not in args.case:
                continue
            model, data = case.make(tmp)
            k = case.lavaan_draws if args.lavaan_draws is None else (
                case.draws if args.lavaan_draws == "all" else min(case.draws, int(args.lavaan_draws)))
            scaled = k < case.draws
            t_r, out_r, mem_r = run(["Rscript", str(rfile), str(model), str(data), str(k), str(case.seed),
                                     "scaled" if scaled else "full"])
            lavaan = json.loads(out_r)
            if scaled:  # the whole command without the extra plain fit, plus the draws not run
                per_draw = max(lavaan["t_boot"] - lavaan["t_fit"], 0.0) / k
                t_r = t_r - lavaan["t_fit"] + per_draw * (case.draws - k)
            times, agreement, mem_py = [], "", 0.0
            for jobs in (1, 2):
                out_json = tmp / "out.json"
                t_py, _, mem = timed([*semxhs, "fit", str(model), str(data), "--bootstrap", str(case.draws),
                                      "--seed", str(case.seed), "--jobs", str(jobs), "--json", str(out_json),
                                      "--no-measurement", "-q"], args.repeats)
                times.append(t_py)
                if jobs == 1:
                    mem_py = mem
                    ok, worst = agree(lavaan, json.loads(out_json.read_text())["bootstrap"], case.draws, k)
                    agreement = f"{'yes' if ok else 'NO'}: {worst}"
            note = f" (lavaan {k} draws, scaled)" if scaled else ""
            print(f"{case.name:20s} {case.draws:5d} {t_r:9.2f} {mem_r:5.0f} {times[0]:9.2f} {mem_py:5.0f} "
                  f"{t_r / times[0]:6.1f}x {times[1]:9.2f} {t_r / times[1]:6.1f}x  {agreement}{note}", flush=True)
            rows.append((case, k, t_r, mem_r, times, mem_py, agreement))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\nREADME rows:")
    for case, k, t_r, mem_r, times, mem_py, agreement in rows:
        lav = (f"lavaan `se = \"bootstrap\"` {t_r:.1f} s"
               + (f" ({k} draws timed, scaled to {case.draws})" if k < case.draws else "") + f", {mem_r:.0f} MB")
        loaded = f", load average {load:.0f}" if load > 2 else ""
        print(f"| bootstrap, {case.label}, {case.draws} draws (whole commands, peak memory{loaded}) | "
              f"`semxhs fit --bootstrap {case.draws}` {times[0]:.2f} s, {mem_py:.0f} MB "
              f"({times[1]:.2f} s with `--jobs 2`) | {lav} | {t_r / times[0]:.1f}× ({t_r / times[1]:.1f}×); "
              f"intervals agree: {agreement} | `bench_bootstrap.py` |")


if __name__ == "__main__":
    main()

"""Ctrl-C during `semxhs power --workers 2`: exit 130, one line, no output file, no process left behind.

A terminal's Ctrl-C goes to the whole foreground process group (the command, the Dask nanny's
worker processes and any helper process); ``kill -INT`` reaches only the command. Both must end
everything within a timeout, while replications run and while the cluster is still starting
(before the fix, workers hit during start-up printed tracebacks and the command ended with an
internal error "Nanny failed to start"; a press could also be swallowed in one of distributed's
garbage-collector callbacks and the run went on).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

psutil = pytest.importorskip("psutil")
pytest.importorskip("distributed")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")]

POPULATION = "m ~ 0.3*x\ny ~ 0.3*m + 0.1*x"
ANALYSIS = "m ~ a*x\ny ~ b*m + x\nab := a*b"


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent to reap it counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _wait_until_replicating(proc: subprocess.Popen, limit: float = 180) -> set[int]:
    """Every process the command started, once two of them have computed for a while (replications run)."""
    seen: set[int] = set()
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        kids = _descendants(proc.pid)
        seen |= {k.pid for k in kids}
        busy = []
        for k in kids:
            try:
                times = k.cpu_times()
                busy.append(times.user + times.system)
            except psutil.NoSuchProcess:
                continue
        if sum(t > 3.0 for t in busy) >= 2:  # beyond start-up and imports: replications are running
            time.sleep(1.0)
            seen |= {k.pid for k in _descendants(proc.pid)}
            return seen
        time.sleep(0.2)
    out, err = proc.communicate(timeout=60) if proc.poll() is not None else ("", "")
    pytest.fail(f"the Dask workers never started replicating (status {proc.poll()}): {err[-2000:]}")


def _wait_for_start_up(proc: subprocess.Popen, limit: float = 180) -> set[int]:
    """The processes of the cluster as soon as the first has started (the cluster is still starting)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        kids = {k.pid for k in _descendants(proc.pid)}
        if kids:
            time.sleep(0.5)
            return kids | {k.pid for k in _descendants(proc.pid)}
        time.sleep(0.05)
    pytest.fail("the Dask cluster never started")


@pytest.mark.parametrize(("target", "moment"), [("process-group", "replicating"), ("command-only", "replicating"),
                                                ("process-group", "start-up")])
def test_ctrl_c_with_dask_workers_stops_everything_and_writes_nothing(tmp_path: Path, target: str,
                                                                      moment: str) -> None:
    (tmp_path / "pop.lav").write_text(POPULATION)
    (tmp_path / "ana.lav").write_text(ANALYSIS)
    # FIML replications are fitted one by one: minutes of work, interrupted after a few seconds
    proc = subprocess.Popen(
        [sys.executable, "-m", "semxhs", "power", "pop.lav", "--model", "ana.lav", "--n", "300,600",
         "--reps", "20000", "--missing", "10%", "--workers", "2", "--no-progress",
         "--json", "p.json", "--html", "p.html"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        started = _wait_until_replicating(proc) if moment == "replicating" else _wait_for_start_up(proc)
        assert started
        if target == "process-group":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)  # a press during start-up is acted on once the cluster is up
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == ["semxhs: interrupted: nothing was written"], err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ana.lav", "pop.lav"]
    deadline = time.monotonic() + 30  # the fork server leaves when its parent has gone
    while any(_alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [pid for pid in started if _alive(pid)]
    assert not left, f"processes left behind: {left}"

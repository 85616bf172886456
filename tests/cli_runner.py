"""Run the ``semxhs`` command line in this process (typer's CliRunner), as a user's shell would see it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``semxhs ARGS`` run in-process from ``cwd`` (default: the repository root).

    Returns a :class:`subprocess.CompletedProcess` with ``returncode``, ``stdout`` and
    ``stderr``, so a test reads the same as with a real subprocess.
    """
    from typer.testing import CliRunner

    from semxhs.cli import app

    old = os.getcwd()
    os.chdir(cwd or ROOT)
    try:
        res = CliRunner().invoke(app, list(args), prog_name="semxhs")
    finally:
        os.chdir(old)
    return subprocess.CompletedProcess(["semxhs", *args], res.exit_code, res.stdout, res.stderr)

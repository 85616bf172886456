"""Helpers of the report tests: the poldem SEM (Bollen, 1989) and studies built around it."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

from semxhs.sem.results import Parameter, SemResult
from semxhs.study.results import HypothesisResult, StudyResult

POLDEM = Path(__file__).resolve().parents[1] / "fixtures" / "shared" / "poldem_sem"
TODAY = date(2024, 5, 1)
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def hypothesis(hid: str, text: str, path: str, p: Parameter, sign: str = "+") -> HypothesisResult:
    """A hypothesis row built by hand from one parameter (the study layer's decision rule)."""
    supported = p.pvalue is not None and p.pvalue < 0.05 and (sign == "" or (p.est > 0) == (sign == "+"))
    return HypothesisResult(hid, text, path, sign, p.est, p.std_all, p.se, p.z, p.pvalue,
                            p.ci_lower, p.ci_upper, 0.05, supported)


def hypotheses(sem: SemResult, language: str) -> tuple[HypothesisResult, ...]:
    zh = language == "zh"
    return (
        hypothesis("H1", "工业化正向影响1960年的民主水平。" if zh else "Industrialization raises democracy in 1960.",
                   "dem60 ~ ind60", sem.parameter("dem60", "~", "ind60")),
        hypothesis("H2", "1960年民主水平正向影响1965年民主水平。" if zh else "Democracy in 1960 raises democracy in 1965.",
                   "dem65 ~ dem60", sem.parameter("dem65", "~", "dem60")),
        # expected negative, estimated positive: not supported
        hypothesis("H3", "工业化负向影响1965年的民主水平。" if zh else "Industrialization lowers democracy in 1965.",
                   "dem65 ~ ind60", sem.parameter("dem65", "~", "ind60"), sign="-"),
        hypothesis("H4", "中介效应" if zh else "Indirect effect of industrialization.",
                   "indirect", sem.parameter("indirect", ":=")),
    )


def make_study(sem: SemResult, language: str, title: str | None = None) -> StudyResult:
    if title is None:
        title = "工业化与政治民主" if language == "zh" else "Industrialization and Political Democracy"
    return StudyResult(title=title, language=language, sem=sem, hypotheses=hypotheses(sem, language),
                       data_file="data/poldem.csv", model_file="model.lav", data_sha256=SHA, version="0.1.0",
                       notes=("Bollen (1989) example.",))


def chromium(*args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium (Debian's ``chromium``) with a throw-away profile; skip the test without it."""
    import shutil
    import subprocess
    import tempfile

    import pytest

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.skip("no chromium binary on PATH (install Debian's `chromium` to run browser tests)")
    with tempfile.TemporaryDirectory(prefix="semxhs-chromium-") as profile:
        command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   f"--user-data-dir={profile}", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)

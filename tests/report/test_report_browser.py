"""The written HTML file opened by a real browser (headless Chromium): DOM and a screenshot."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from semxhs.report.render import write_html
from semxhs.study.results import StudyResult
from tests.report.report_helpers import TODAY

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    if CHROMIUM is None:
        pytest.skip("no chromium binary on PATH (install Debian's `chromium` to run browser tests)")
    with tempfile.TemporaryDirectory(prefix="semxhs-chromium-") as profile:
        command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   f"--user-data-dir={profile}", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_browser_dom_and_screenshot(request: pytest.FixtureRequest, language: str, tmp_path: Path) -> None:
    study: StudyResult = request.getfixturevalue(f"study_{language}")
    page = write_html(study, tmp_path / f"report_{language}.html", today=TODAY)
    url = page.resolve().as_uri()

    dom = _chromium("--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    for section_id in ("warnings", "fit", "measurement", "structural", "path-diagram", "defined", "r2", "hypotheses"):
        assert f'id="{section_id}"' in html, section_id
    assert ".995" in html and ".035 [.000, .092]" in html and "&lt; .001" in html
    assert "1.000 (fixed)" in html if language == "en" else "1.000（固定）" in html
    assert ("Supported" if language == "en" else "支持") in html
    assert "dem60 ← ind60 (a)" in html

    png = tmp_path / f"report_{language}.png"
    shot = _chromium("--hide-scrollbars", "--window-size=1100,2400", f"--screenshot={png}", url)
    assert shot.returncode == 0, shot.stderr[-2000:]
    data = png.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 20_000  # a blank page would be a few kB


def test_browser_draws_the_path_diagram(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """The path diagram as the browser shows it: inside figure.path-diagram, its labels as text,
    and a screenshot of the figure alone that is a drawing, not a blank box."""
    import matplotlib.image as mpimg
    import numpy as np

    study: StudyResult = request.getfixturevalue("study_en")
    page = write_html(study, tmp_path / "report.html", today=TODAY)
    dom = _chromium("--dump-dom", page.resolve().as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    start = html.index('class="figure-block keep path-diagram"')
    figure = html[start:html.index("</figure>", start)]
    assert "<svg" in figure and all(name in figure for name in ("ind60", "dem60", "dem65", "R² = "))
    # the figure alone, screenshotted
    svg = figure[figure.index("<svg"):figure.rindex("</svg>") + len("</svg>")]
    alone = tmp_path / "diagram.html"
    alone.write_text(f'<!DOCTYPE html><html><body style="margin:0;background:white">{svg}</body></html>',
                     encoding="utf-8")
    png = tmp_path / "diagram.png"
    shot = _chromium("--hide-scrollbars", "--window-size=1200,500", f"--screenshot={png}", alone.resolve().as_uri())
    assert shot.returncode == 0, shot.stderr[-2000:]
    pixels = mpimg.imread(png)[..., :3]
    dark = float(np.mean(pixels.mean(axis=2) < 0.5))
    assert 0.005 < dark < 0.5  # lines, boxes and text drawn; not blank, not a black page

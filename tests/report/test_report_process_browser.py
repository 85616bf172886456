"""The PROCESS report of model 7 opened by headless Chromium: DOM dump and a screenshot.

Set ``SEMXHS_SCREENSHOT_DIR`` to keep the screenshots (and the HTML) for a look.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from semxhs.atomic import atomic_write_bytes
from semxhs.process import run_process
from semxhs.report.render import render_process_html
from tests.report.report_helpers import TODAY, chromium

pytestmark = pytest.mark.browser

PROCESS = Path(__file__).resolve().parents[1] / "fixtures" / "process"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_model7_in_browser(language: str, tmp_path: Path) -> None:
    data = pd.read_csv(PROCESS / "process_model7" / "data.csv")
    result = run_process(data, 7, x="PI", y="PU", m=["TR"], w="CE", boot=500, seed=1)
    title = "Trust as a mediator, moderated by CE" if language == "en" else "信任的中介作用：CE 的调节"
    page = atomic_write_bytes(tmp_path / f"process7_{language}.html",
                              render_process_html(result, title=title, language=language, today=TODAY).encode())
    url = page.resolve().as_uri()

    dom = chromium("--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    tree = dom.stdout
    for sid in ("process-model", "process-equations", "process-conditional", "process-jn", "process-effects"):
        assert f'id="{sid}"' in tree, sid
    assert tree.count("<svg") == 4 and "<script" not in tree  # two diagrams, two plots
    assert "a3 = " in tree and "c′ = " in tree  # the statistical diagram's labels, as text
    assert "PI × CE" in tree and "PI → TR → PU" in tree
    assert ("TR 预测值" in tree and "PI 对 TR 的条件效应" in tree) if language == "zh" else "Predicted TR" in tree

    png = tmp_path / f"process7_{language}.png"
    shot = chromium("--hide-scrollbars", "--window-size=1100,5200", f"--screenshot={png}", url)
    assert shot.returncode == 0, shot.stderr[-2000:]
    data_png = png.read_bytes()
    assert data_png.startswith(PNG_MAGIC) and len(data_png) > 40_000

    keep = os.environ.get("SEMXHS_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(keep) / png.name)
        shutil.copy(page, Path(keep) / page.name)
        (Path(keep) / f"process7_{language}.dom.html").write_text(tree, encoding="utf-8")

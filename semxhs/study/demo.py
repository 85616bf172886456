"""The bundled demo study: interactivity -> trust -> purchase intention on Xiaohongshu.

``semxhs demo`` writes the study folder (study.yaml, model.lav, responses.csv) and runs
it. The responses are generated here, deterministically, from the documented population
model ``semxhs/study/assets/demo/population.lav`` (N = 400, seed 2025, 7-point Likert), so the
demo needs nothing but the installed package.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from semxhs.sem.simulate import simulate

DEMO_N = 400
DEMO_SEED = 2025


def demo_file(name: str) -> str:
    """Text of a file of the bundled demo (``study.yaml``, ``model.lav``, ``population.lav``)."""
    return (resources.files("semxhs") / "study" / "assets" / "demo" / name).read_text(encoding="utf-8")


def demo_responses(n: int = DEMO_N, seed: int = DEMO_SEED) -> pd.DataFrame:
    """The demo's questionnaire answers, with a respondent id column.

    Examples
    --------
    >>> df = demo_responses()
    >>> df.shape, list(df.columns[:3])
    ((400, 12), ['id', 'PI1', 'PI2'])
    """
    answers = simulate(demo_file("population.lav"), n=n, seed=seed, likert=7)
    answers.insert(0, "id", range(1, n + 1))
    return answers


def demo_study_files() -> list[tuple[str, bytes]]:
    """The files of the demo study folder, as (name, bytes): model.lav, responses.csv, study.yaml."""
    return [("model.lav", demo_file("model.lav").encode("utf-8")),
            ("responses.csv", demo_responses().to_csv(index=False).encode("utf-8")),
            ("study.yaml", demo_file("study.yaml").encode("utf-8"))]


def write_demo_study(folder: str | Path) -> Path:
    """Write study.yaml, model.lav and responses.csv of the demo into ``folder``; return the YAML path."""
    from semxhs.atomic import OutputStage

    folder = Path(folder)
    with OutputStage() as stage:
        for name, data in demo_study_files():
            stage.add(folder / name, data)
        stage.commit()
    return folder / "study.yaml"

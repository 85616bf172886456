"""The bundled demo study: interactivity -> trust -> purchase intention on Xiaohongshu.

``semxhs demo`` writes the study folder (study.yaml, model.lav, instrument.yaml, responses.csv)
and runs it. The responses are generated here, deterministically, from the documented
population model ``semxhs/study/assets/demo/population.lav`` (N = 400, seed 2025, 7-point
Likert), so the demo needs nothing but the installed package. Four demographic columns
(gender, age in years, education, platform tenure; a few answers missing) are drawn after
the items from their own generator (seed 2025 + 1), so the item columns, and every number
of the analysis, are those the demo had before it had demographics.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
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
    >>> df.shape, list(df.columns[:3]), list(df.columns[-4:])
    ((400, 16), ['id', 'PI1', 'PI2'], ['gender', 'age', 'education', 'tenure'])
    >>> int(df["age"].isna().sum()), int(df["education"].isna().sum())
    (6, 4)
    """
    answers = simulate(demo_file("population.lav"), n=n, seed=seed, likert=7)
    answers.insert(0, "id", range(1, n + 1))
    return pd.concat([answers, demo_demographics(n, seed + 1)], axis=1)


def demo_demographics(n: int = DEMO_N, seed: int = DEMO_SEED + 1) -> pd.DataFrame:
    """The demo's background questions, as a questionnaire export would code them.

    ``gender`` (1 = male, 2 = female), ``age`` in whole years (18-45), ``education``
    (1-4: high school or below ... master's or above), ``tenure`` on Xiaohongshu (1-3:
    under a year, 1-3 years, over 3 years); six ages and four education answers are left
    blank (no answer), so the sample profile shows its "no answer" rows.
    """
    rng = np.random.default_rng(seed)
    out = pd.DataFrame({
        "gender": rng.choice([1, 2], n, p=[0.35, 0.65]).astype(float),
        "age": np.clip(np.round(rng.gamma(4.0, 2.2, n) + 18), 18, 45),
        "education": rng.choice([1, 2, 3, 4], n, p=[0.10, 0.25, 0.50, 0.15]).astype(float),
        "tenure": rng.choice([1, 2, 3], n, p=[0.30, 0.45, 0.25]).astype(float),
    })
    out.loc[rng.choice(n, 6, replace=False), "age"] = np.nan
    out.loc[rng.choice(n, 4, replace=False), "education"] = np.nan
    return out.astype("Int64")  # whole numbers in the CSV, blanks where no answer


def demo_study_files() -> list[tuple[str, bytes]]:
    """The files of the demo study folder, as (name, bytes): model.lav, instrument.yaml, responses.csv, study.yaml."""
    return [("model.lav", demo_file("model.lav").encode("utf-8")),
            ("instrument.yaml", demo_file("instrument.yaml").encode("utf-8")),
            ("responses.csv", demo_responses().to_csv(index=False).encode("utf-8")),
            ("study.yaml", demo_file("study.yaml").encode("utf-8"))]


def write_demo_study(folder: str | Path) -> Path:
    """Write study.yaml, model.lav, instrument.yaml and responses.csv of the demo into ``folder``; return the YAML path."""
    from semxhs.atomic import OutputStage

    folder = Path(folder)
    with OutputStage() as stage:
        for name, data in demo_study_files():
            stage.add(folder / name, data)
        stage.commit()
    return folder / "study.yaml"

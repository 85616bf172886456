"""Figures of a PROCESS result as SVG text: simple slopes and the Johnson-Neyman plot.

Each function builds a :class:`matplotlib.figure.Figure` directly (never pyplot, so no
global figure registry or backend is touched), renders through an Agg canvas inside a
:func:`matplotlib.rc_context`, and returns the SVG as a string. ``svg.fonttype = 'none'``
keeps text as ``<text>`` elements, so Chinese labels such as "感知互动性" stay searchable and
are drawn by the browser's fonts; CJK font families are listed first for that reason.
"""

from __future__ import annotations

import io
import itertools
import warnings
from collections.abc import Sequence

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from semxhs.errors import SpecError
from semxhs.process.results import JohnsonNeyman, ProcessResult

#: Font families tried in order; the browser picks the first it has.
FONT_FAMILIES = ["Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "SimHei",
                 "WenQuanYi Micro Hei", "DejaVu Sans", "sans-serif"]

_RC = {"svg.fonttype": "none", "font.family": "sans-serif", "font.sans-serif": FONT_FAMILIES,
       "axes.unicode_minus": False, "svg.hashsalt": "semxhs"}


def _to_svg(fig: Figure) -> str:
    FigureCanvasAgg(fig)
    buf = io.StringIO()
    with warnings.catch_warnings():
        # layout uses matplotlib's own fonts, which may lack CJK glyphs; the SVG keeps the text
        warnings.filterwarnings("ignore", message=r".*[Gg]lyph .* missing from.*")
        warnings.filterwarnings("ignore", message=r".*not found.*", module="matplotlib.font_manager")
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buf.getvalue()


def simple_slopes(coefficients: dict[str, float], focal: str, focal_values: np.ndarray,
                  values: dict[str, float]) -> np.ndarray:
    """Predicted outcome across ``focal_values`` with every other variable fixed at ``values``.

    ``coefficients`` maps statsmodels term names (``"Intercept"``, ``"X"``, ``"X:W"``) to
    estimates.

    Examples
    --------
    >>> simple_slopes({"Intercept": 1.0, "X": 2.0, "W": 0.5, "X:W": 1.0}, "X", np.array([0.0, 1.0]), {"W": 2.0})
    array([2., 6.])
    """
    out = np.zeros_like(np.asarray(focal_values, dtype=float))
    for term, b in coefficients.items():
        if term == "Intercept":
            out = out + b
            continue
        part = np.ones_like(out)
        for v in term.split(":"):
            part = part * (np.asarray(focal_values, dtype=float) if v == focal else values[v])
        out = out + b * part
    return out


def interaction_plot(result: ProcessResult, equation: str | None = None, focal: str | None = None,
                     x_label: str | None = None, y_label: str | None = None,
                     moderator_label: str | Sequence[str] | None = None, title: str | None = None,
                     width: float = 6.0, height: float = 4.0) -> str:
    """Simple slopes of an outcome on its focal predictor at the probe values of the moderator(s).

    Other predictors and covariates are held at their means; the focal predictor spans
    its observed range.

    Parameters
    ----------
    result : ProcessResult
    equation, focal : str, optional
        Which moderated effect to draw; by default the first in ``result.conditional_effects``.
    x_label, y_label, moderator_label, title : str, optional
        Axis, legend and title text (any language); default the variable names.
        ``moderator_label`` may be a list, one per moderator.
    width, height : float
        Size in inches.

    Returns
    -------
    str
        SVG text.

    Raises
    ------
    SpecError
        If the model has no moderated effect, or ``equation``/``focal`` names none.
    """
    rows = [r for r in result.conditional_effects if ":" not in r.focal
            and (equation is None or r.equation == equation) and (focal is None or r.focal == focal)]
    if not rows:
        raise SpecError(f"interaction_plot: model {result.model} has no moderated effect "
                        f"matching equation={equation!r}, focal={focal!r}")
    eq_name, focal_name = rows[0].equation, rows[0].focal
    rows = [r for r in rows if r.equation == eq_name and r.focal == focal_name]
    coefs = {c.term: c.est for c in result.equation(eq_name).coefficients}
    means = dict(result.means)
    lo, hi = dict((n, (a, b)) for n, a, b in result.ranges)[focal_name]
    xs = np.linspace(lo, hi, 50)
    mods = [k for k, _ in rows[0].moderator_values]
    if moderator_label is None:
        labels = mods
    elif isinstance(moderator_label, str):
        labels = [moderator_label] + mods[1:]
    else:
        labels = list(moderator_label) + mods[len(moderator_label):]
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width, height))
        ax = fig.add_subplot()
        styles = itertools.cycle(["-", "--", ":", "-."])
        for r, style in zip(rows, styles):
            values = {**means, **dict(r.moderator_values)}
            legend = ", ".join(f"{lab} = {v:.2f}" for lab, (_, v) in zip(labels, r.moderator_values))
            ax.plot(xs, simple_slopes(coefs, focal_name, xs, values), style, color="black", label=legend)
        ax.set_xlabel(x_label if x_label is not None else focal_name)
        ax.set_ylabel(y_label if y_label is not None else eq_name)
        if title is not None:
            ax.set_title(title)
        ax.legend(frameon=False)
        return _to_svg(fig)


def significant_intervals(jn: JohnsonNeyman) -> list[tuple[float, float]]:
    """Stretches of the moderator's range where the conditional effect's CI excludes 0.

    The range is cut at the Johnson-Neyman points; each piece is judged at its middle by
    interpolating the CI ends of ``jn.table`` (significance cannot change inside a piece).
    """
    frame = jn.table.to_frame()
    w = frame[jn.moderator].to_numpy()
    cuts = [jn.lower, *jn.points, jn.upper]
    out = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        if b <= a:
            continue
        mid = (a + b) / 2.0
        lo = np.interp(mid, w, frame["ci_lower"].to_numpy())
        hi = np.interp(mid, w, frame["ci_upper"].to_numpy())
        if lo > 0 or hi < 0:
            out.append((a, b))
    return out


def johnson_neyman_plot(result: ProcessResult, index: int = 0, moderator_label: str | None = None,
                        effect_label: str | None = None, title: str | None = None,
                        width: float = 6.0, height: float = 4.0) -> str:
    """Conditional effect across the moderator's range with its CI band; significant region shaded.

    Parameters
    ----------
    result : ProcessResult
    index : int
        Which entry of ``result.johnson_neyman``.
    moderator_label, effect_label, title : str, optional
        Axis and title text (any language).

    Returns
    -------
    str
        SVG text.
    """
    if not result.johnson_neyman:
        raise SpecError(f"johnson_neyman_plot: model {result.model} has no Johnson-Neyman analysis "
                        "(no effect moderated by one continuous moderator)")
    if not 0 <= index < len(result.johnson_neyman):
        raise SpecError(f"index: must be 0 to {len(result.johnson_neyman) - 1}, received {index}")
    jn = result.johnson_neyman[index]
    frame = jn.table.to_frame()
    w = frame[jn.moderator].to_numpy()
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width, height))
        ax = fig.add_subplot()
        for a, b in significant_intervals(jn):
            ax.axvspan(a, b, color="0.88", lw=0)
        ax.fill_between(w, frame["ci_lower"], frame["ci_upper"], color="0.7", alpha=0.5, lw=0)
        ax.plot(w, frame["effect"], color="black")
        ax.axhline(0.0, color="black", lw=0.6)
        for p in jn.points:
            ax.axvline(p, color="black", ls="--", lw=0.8)
        ax.set_xlabel(moderator_label if moderator_label is not None else jn.moderator)
        ax.set_ylabel(effect_label if effect_label is not None
                      else f"Conditional effect of {jn.focal} on {jn.equation}")
        if title is not None:
            ax.set_title(title)
        return _to_svg(fig)

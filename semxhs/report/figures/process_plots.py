"""Figures of a PROCESS result as SVG text or PNG bytes: simple slopes and the Johnson-Neyman plot.

Each function builds a :class:`matplotlib.figure.Figure` directly (never pyplot, so no
global figure registry or backend is touched), renders through an Agg canvas inside a
:func:`matplotlib.rc_context`, and returns the SVG as a string (``interaction_plot``,
``johnson_neyman_plot``) or the PNG as bytes (``interaction_plot_png``,
``johnson_neyman_plot_png``, for Word, which cannot embed SVG).

SVG: ``svg.fonttype = 'none'`` keeps text as ``<text>`` elements, so Chinese labels such
as "感知互动性" stay searchable and are drawn by the browser's fonts; CJK font families are
listed first for that reason.

PNG: matplotlib draws the glyphs itself, so Chinese text needs a CJK font on this
machine. :func:`cjk_font` finds one (``fc-list :lang=zh``, else matplotlib's own font
list); the PNG path names it after DejaVu Sans in ``font.family``, so Latin text keeps
DejaVu Sans and only glyphs DejaVu lacks fall back to the CJK font (matplotlib ≥ 3.6
font fallback). Without a CJK font the PNG is still drawn (Chinese glyphs as boxes);
callers check :func:`cjk_font` and say so in the figure's notes.

Text is drawn as written (``text.parse_math`` off): a column named ``x$1`` or ``m_1^2``
appears as such, never as mathtext.
"""

from __future__ import annotations

import io
import itertools
import shutil
import subprocess
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from functools import lru_cache

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from semxhs.errors import SpecError
from semxhs.process.results import JohnsonNeyman, ProcessResult

#: Font families tried in order; the browser picks the first it has.
FONT_FAMILIES = ["Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "SimHei",
                 "WenQuanYi Micro Hei", "DejaVu Sans", "sans-serif"]

#: Text is drawn as written: ``$``, ``_``, ``^`` and ``\`` in a column name (``x$1``, ``m_1^2``) are never read
#: as matplotlib mathtext, which would render them wrongly or fail on them.
_TEXT_AS_WRITTEN = {"text.parse_math": False, "text.usetex": False}

_RC = {"svg.fonttype": "none", "font.family": "sans-serif", "font.sans-serif": FONT_FAMILIES,
       "axes.unicode_minus": False, "svg.hashsalt": "semxhs", **_TEXT_AS_WRITTEN}

#: Resolution of the PNG figures (dots per inch): sharp when printed at the width of an A4 text block.
PNG_DPI = 200

#: Latin font of the PNG figures (shipped with matplotlib, so always present).
PNG_LATIN_FONT = "DejaVu Sans"

#: CJK families preferred for the PNG path, best first; any other font covering Chinese comes after them.
CJK_FONT_PREFERENCE = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans CJK JP", "Source Han Sans",
                       "PingFang SC", "Microsoft YaHei", "SimHei", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
                       "Droid Sans Fallback", "Noto Sans SC", "Noto Serif CJK SC", "SimSun")


def _fc_list_zh() -> list[tuple[str, str, str]]:
    """``(file, family, style)`` of every font fontconfig says covers Chinese; empty without ``fc-list``."""
    binary = shutil.which("fc-list")
    if binary is None:
        return []
    try:
        out = subprocess.run([binary, ":lang=zh", "file", "family", "style"], capture_output=True, text=True,
                             timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    fonts = []
    for line in out.splitlines():
        path, _, rest = line.partition(": ")
        families, _, style = rest.partition(":style=")
        if path and families:
            fonts.append((path.strip(), families.split(",")[0].strip(), style.split(",")[0].strip()))
    return fonts


def _rank(font: tuple[str, str, str]) -> tuple[int, int, str]:
    """Preferred families first; among unknown ones sans before serif and monospace; regular weight first."""
    path, family, style = font
    pref = {name.lower(): k for k, name in enumerate(CJK_FONT_PREFERENCE)}
    low = family.lower()
    penalty = 1 if ("serif" in low and "sans" not in low) or "mono" in low else 0
    regular = 0 if style.lower() in ("regular", "book", "normal", "") else 1
    return (pref.get(low, len(pref) + penalty), regular, path)


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of the CJK font the PNG figures use, or ``None`` when none is installed.

    Looks in fontconfig's list (``fc-list :lang=zh``; Debian: ``apt-get install
    fonts-noto-cjk``) and registers the chosen file with matplotlib (whose font cache
    may predate the font); without fontconfig (Windows, macOS) it looks for the
    families of :data:`CJK_FONT_PREFERENCE` in matplotlib's own font list. The answer
    is cached for the process.

    Examples
    --------
    >>> name = cjk_font()
    >>> name is None or isinstance(name, str)
    True
    """
    for path, family, _style in sorted(_fc_list_zh(), key=_rank):
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue
        names = {f.name for f in font_manager.fontManager.ttflist if f.fname == path}
        # a collection (.ttc) may register its faces under names other than fontconfig's first one
        return family if family in names else str(font_manager.FontProperties(fname=path).get_name())
    known = {f.name.lower(): f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FONT_PREFERENCE:
        if family.lower() in known:
            return known[family.lower()]
    return None


def has_wide_text(*texts: str) -> bool:
    """True when a text holds CJK (East Asian wide or full-width) characters, which need :func:`cjk_font` in a PNG.

    Examples
    --------
    >>> has_wide_text("PI", "感知互动性"), has_wide_text("Predicted PU")
    (True, False)
    """
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for text in texts for ch in text)


def _png_rc() -> dict[str, object]:
    """rc settings of the PNG path: DejaVu Sans, then the CJK font as fallback for the glyphs it lacks."""
    families = [PNG_LATIN_FONT] + ([cjk] if (cjk := cjk_font()) else [])
    return {"font.family": families, "axes.unicode_minus": False, **_TEXT_AS_WRITTEN}


def _to_svg(fig: Figure) -> str:
    FigureCanvasAgg(fig)
    buf = io.StringIO()
    with warnings.catch_warnings():
        # layout uses matplotlib's own fonts, which may lack CJK glyphs; the SVG keeps the text
        warnings.filterwarnings("ignore", message=r".*[Gg]lyph .* missing from.*")
        warnings.filterwarnings("ignore", message=r".*not found.*", module="matplotlib.font_manager")
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buf.getvalue()


def _to_png(fig: Figure, dpi: int) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # without a CJK font Chinese glyphs are drawn as boxes; the caller notes it, the PNG is still made
        warnings.filterwarnings("ignore", message=r".*[Gg]lyph .* missing from.*")
        warnings.filterwarnings("ignore", message=r".*not found.*", module="matplotlib.font_manager")
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None},
                    facecolor="white")
    return buf.getvalue()


def render_svg(draw: Callable[[], Figure]) -> str:
    """Call ``draw`` (which builds a :class:`~matplotlib.figure.Figure`) with the SVG font settings; SVG text.

    Other figures of the reports (the participant flow) use this to look like the PROCESS plots.

    Examples
    --------
    >>> def draw():
    ...     fig = Figure(figsize=(2, 1)); fig.text(0.5, 0.5, "样本"); return fig
    >>> "样本" in render_svg(draw)
    True
    """
    with matplotlib.rc_context(_RC):
        return _to_svg(draw())


def render_png(draw: Callable[[], Figure], dpi: int = PNG_DPI) -> bytes:
    """Call ``draw`` with the PNG font settings (DejaVu Sans, CJK fallback: :func:`cjk_font`); PNG bytes.

    Examples
    --------
    >>> def draw():
    ...     fig = Figure(figsize=(2, 1)); fig.text(0.5, 0.5, "样本"); return fig
    >>> render_png(draw, dpi=50)[:4]
    b'\\x89PNG'
    """
    with matplotlib.rc_context(_png_rc()):
        return _to_png(draw(), dpi)


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
    return render_svg(_interaction_drawer(result, equation, focal, x_label, y_label, moderator_label, title,
                                    width, height))


def interaction_plot_png(result: ProcessResult, equation: str | None = None, focal: str | None = None,
                         x_label: str | None = None, y_label: str | None = None,
                         moderator_label: str | Sequence[str] | None = None, title: str | None = None,
                         width: float = 6.0, height: float = 4.0, dpi: int = PNG_DPI) -> bytes:
    """:func:`interaction_plot` as a PNG image (for Word), ``dpi`` dots per inch.

    Chinese text is drawn with :func:`cjk_font`; without one it still renders (as boxes).

    Returns
    -------
    bytes
        The PNG file.

    Raises
    ------
    SpecError
        As :func:`interaction_plot`.

    Examples
    --------
    >>> import pandas as pd
    >>> from semxhs.process import run_process
    >>> d = pd.read_csv("tests/fixtures/process/process_model1/data.csv")
    >>> interaction_plot_png(run_process(d, 1, x="PI", y="VC", w="CE", boot=0), x_label="感知互动性")[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    return render_png(_interaction_drawer(result, equation, focal, x_label, y_label, moderator_label, title,
                                    width, height), dpi)


def _interaction_drawer(result: ProcessResult, equation: str | None, focal: str | None, x_label: str | None,
                        y_label: str | None, moderator_label: str | Sequence[str] | None, title: str | None,
                        width: float, height: float) -> Callable[[], Figure]:
    """Check the request now (errors before any drawing) and return the function that draws it."""
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

    def draw() -> Figure:
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
        return fig

    return draw


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
    return render_svg(_jn_drawer(result, index, moderator_label, effect_label, title, width, height))


def johnson_neyman_plot_png(result: ProcessResult, index: int = 0, moderator_label: str | None = None,
                            effect_label: str | None = None, title: str | None = None,
                            width: float = 6.0, height: float = 4.0, dpi: int = PNG_DPI) -> bytes:
    """:func:`johnson_neyman_plot` as a PNG image (for Word), ``dpi`` dots per inch.

    Returns
    -------
    bytes
        The PNG file.

    Examples
    --------
    >>> import pandas as pd
    >>> from semxhs.process import run_process
    >>> d = pd.read_csv("tests/fixtures/process/process_model1/data.csv")
    >>> png = johnson_neyman_plot_png(run_process(d, 1, x="PI", y="VC", w="CE", boot=0), dpi=100)
    >>> png.startswith(b"\\x89PNG")
    True
    """
    return render_png(_jn_drawer(result, index, moderator_label, effect_label, title, width, height), dpi)


def _jn_drawer(result: ProcessResult, index: int, moderator_label: str | None, effect_label: str | None,
               title: str | None, width: float, height: float) -> Callable[[], Figure]:
    if not result.johnson_neyman:
        raise SpecError(f"johnson_neyman_plot: model {result.model} has no Johnson-Neyman analysis "
                        "(no effect moderated by one continuous moderator)")
    if not 0 <= index < len(result.johnson_neyman):
        raise SpecError(f"index: must be 0 to {len(result.johnson_neyman) - 1}, received {index}")
    jn = result.johnson_neyman[index]
    frame = jn.table.to_frame()
    w = frame[jn.moderator].to_numpy()

    def draw() -> Figure:
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
        return fig

    return draw

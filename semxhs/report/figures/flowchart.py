"""A CONSORT-style participant flow diagram, drawn from finished strings.

The context builder (:mod:`semxhs.report.intake`) decides every word and number of the
boxes; this module only places them: a column of boxes (responses received → analysed
→ …) joined by arrows, and beside each arrow an optional box of what left the sample
at that step (Moher et al., 2001, CONSORT flow). Drawn with matplotlib through
:func:`semxhs.report.figures.process_plots.render_svg` and :func:`~semxhs.report.figures.process_plots.render_png`,
so the figure has the fonts of the other report figures: SVG for the HTML report, PNG
for Word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Text

from semxhs.report.figures.process_plots import PNG_DPI, render_png, render_svg

__all__ = ["flow_diagram_png", "flow_diagram_svg"]

_BOX = {"boxstyle": "square,pad=0.6", "facecolor": "white", "edgecolor": "black", "linewidth": 0.9}
_ARROW = {"arrowstyle": "-|>", "color": "black", "linewidth": 0.9, "shrinkA": 0, "shrinkB": 0,
          "mutation_scale": 10}
_STEP_HEIGHT = 1.15  # inches between two boxes of the main column
_WIDTH = 6.5  # inches


def _patch(text: Text) -> FancyBboxPatch:
    """The box drawn around a text (every text here has ``bbox=``)."""
    patch = text.get_bbox_patch()
    if patch is None:  # pragma: no cover - a text drawn without bbox=
        raise ValueError("the flow chart's boxes are texts drawn with bbox=")
    return patch


def _drawer(main: Sequence[str], side: Sequence[str]) -> Callable[[], Figure]:
    """``main``: the boxes of the column, top to bottom; ``side[i]``: what left between box i and i + 1."""
    if len(main) < 1 or len(side) != max(len(main) - 1, 0):
        raise ValueError(f"flow diagram: {len(main)} main boxes need {max(len(main) - 1, 0)} side boxes, "
                         f"received {len(side)}")

    def draw() -> Figure:
        height = _STEP_HEIGHT * (len(main) - 1) + 1.0
        fig = Figure(figsize=(_WIDTH, height))
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_axis_off()
        ax.set_xlim(0, _WIDTH)
        ax.set_ylim(0, height)
        x_main, x_side = 1.5, 3.1
        ys = [height - 0.5 - _STEP_HEIGHT * k for k in range(len(main))]
        boxes = [ax.text(x_main, y, text, ha="center", va="center", fontsize=9, multialignment="center", bbox=_BOX)
                 for text, y in zip(main, ys)]
        for k, text in enumerate(side):
            # from the bottom of box k to the top of box k + 1 (fractions of the drawn boxes, known at draw time)
            ax.annotate("", xy=(0.5, 1.0), xycoords=_patch(boxes[k + 1]), xytext=(0.5, 0.0),
                        textcoords=_patch(boxes[k]), arrowprops=_ARROW)
            if text:
                y_mid = (ys[k] + ys[k + 1]) / 2.0
                side_box = ax.text(x_side, y_mid, text, ha="left", va="center", fontsize=8.5,
                                   multialignment="left", bbox=_BOX)
                ax.annotate("", xy=(0.0, 0.5), xycoords=_patch(side_box), xytext=(x_main, y_mid),
                            textcoords="data",
                            arrowprops=_ARROW)
        return fig

    return draw


def flow_diagram_svg(main: Sequence[str], side: Sequence[str]) -> str:
    """The flow diagram as SVG text (text kept as text, so Chinese stays searchable).

    Parameters
    ----------
    main : sequence of str
        The boxes of the main column, top to bottom (``"Responses received\\n(n = 112)"``).
    side : sequence of str
        One per arrow of the main column (``len(main) - 1``): the box beside it of the
        cases that left at that step; ``""`` for none.

    Examples
    --------
    >>> svg = flow_diagram_svg(["Received (n = 10)", "Analysed (n = 8)"], ["Excluded (n = 2)"])
    >>> svg.count("<text") if "<text" in svg else 0
    3
    """
    return render_svg(_drawer(main, side))


def flow_diagram_png(main: Sequence[str], side: Sequence[str], dpi: int = PNG_DPI) -> bytes:
    """The flow diagram as a PNG image (for Word); see :func:`flow_diagram_svg`.

    Examples
    --------
    >>> flow_diagram_png(["收到问卷（n = 10）", "纳入分析（n = 8）"], ["剔除（n = 2）"], dpi=50)[:4]
    b'\\x89PNG'
    """
    return render_png(_drawer(main, side), dpi)

"""The power curve: power against sample size, one line per effect, with the .80 line."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from matplotlib.figure import Figure

from semxhs.report.figures.process_plots import PNG_DPI, render_png, render_svg

__all__ = ["power_curve_png", "power_curve_svg"]

_MARKERS = "osD^vP*X"


def _drawer(ns: Sequence[int], curves: Sequence[tuple[str, Sequence[float]]], x_label: str,
            y_label: str) -> Callable[[], Figure]:
    def draw() -> Figure:
        fig = Figure(figsize=(6.0, 3.6))
        ax = fig.add_axes((0.11, 0.15, 0.62, 0.8))
        for k, (name, power) in enumerate(curves):
            ax.plot(list(ns), list(power), marker=_MARKERS[k % len(_MARKERS)], linewidth=1.2, markersize=4,
                    label=name, color=str(0.15 + 0.6 * (k % 4) / 4), linestyle=("-", "--", ":", "-.")[k % 4])
        ax.axhline(0.8, color="black", linewidth=0.7, linestyle=(0, (2, 2)))
        ax.set_ylim(0, 1.02)
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8)
        return fig

    return draw


def power_curve_svg(ns: Sequence[int], curves: Sequence[tuple[str, Sequence[float]]], *, x_label: str = "N",
                    y_label: str = "Power") -> str:
    """Power curves as SVG text; ``curves`` = (label, power at each N) pairs, labels drawn as written.

    Examples
    --------
    >>> svg = power_curve_svg([100, 200], [("ab", [0.4, 0.8])])
    >>> "<svg" in svg
    True
    """
    return render_svg(_drawer(ns, curves, x_label, y_label))


def power_curve_png(ns: Sequence[int], curves: Sequence[tuple[str, Sequence[float]]], *, x_label: str = "N",
                    y_label: str = "Power", dpi: int = PNG_DPI) -> bytes:
    """Power curves as PNG bytes (for Word)."""
    return render_png(_drawer(ns, curves, x_label, y_label), dpi=dpi)

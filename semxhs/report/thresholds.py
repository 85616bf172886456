"""Cut-offs of the AMOS-style fit set and of structural effect sizes, each with its sources — in one place.

Conventions, not laws: the report prints them beside the values and judges each value as printed;
nothing in the analysis depends on them. The reference list entries (APA 7) are the same in both
languages; the words around them live in :mod:`semxhs.report.labels`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["AMOS_CUTOFFS", "F2_BENCHMARKS", "MI_CRITICAL", "SOURCES", "VIF_CUTOFFS", "Cutoff", "f2_magnitude"]

SOURCES: Mapping[str, str] = MappingProxyType({
    "bentler_bonett_1980": ("Bentler, P. M., & Bonett, D. G. (1980). Significance tests and goodness of fit in the "
                            "analysis of covariance structures. Psychological Bulletin, 88(3), 588–606. "
                            "https://doi.org/10.1037/0033-2909.88.3.588"),
    "bollen_1989": "Bollen, K. A. (1989). Structural equations with latent variables. Wiley.",
    "browne_cudeck_1989": ("Browne, M. W., & Cudeck, R. (1989). Single sample cross-validation indices for "
                           "covariance structures. Multivariate Behavioral Research, 24(4), 445–455. "
                           "https://doi.org/10.1207/s15327906mbr2404_4"),
    "carmines_mciver_1981": ("Carmines, E. G., & McIver, J. P. (1981). Analyzing models with unobserved variables: "
                             "Analysis of covariance structures. In G. W. Bohrnstedt & E. F. Borgatta (Eds.), "
                             "Social measurement: Current issues (pp. 65–115). Sage."),
    "cohen_1988": ("Cohen, J. (1988). Statistical power analysis for the behavioral sciences (2nd ed.). "
                   "Lawrence Erlbaum."),
    "hair_2019": ("Hair, J. F., Black, W. C., Babin, B. J., & Anderson, R. E. (2019). Multivariate data analysis "
                  "(8th ed.). Cengage."),
    "hoelter_1983": ("Hoelter, J. W. (1983). The analysis of covariance structures: Goodness-of-fit indices. "
                     "Sociological Methods & Research, 11(3), 325–344. https://doi.org/10.1177/0049124183011003003"),
    "joreskog_sorbom_1984": ("Jöreskog, K. G., & Sörbom, D. (1984). LISREL VI: Analysis of linear structural "
                             "relationships by maximum likelihood, instrumental variables, and least squares methods. "
                             "Scientific Software."),
    "kline_2011": ("Kline, R. B. (2011). Principles and practice of structural equation modeling (3rd ed.). "
                   "Guilford Press."),
    "kock_2015": ("Kock, N. (2015). Common method bias in PLS-SEM: A full collinearity assessment approach. "
                  "International Journal of e-Collaboration, 11(4), 1–10. https://doi.org/10.4018/ijec.2015100101"),
    "maccallum_1992": ("MacCallum, R. C., Roznowski, M., & Necowitz, L. B. (1992). Model modifications in covariance "
                       "structure analysis: The problem of capitalization on chance. Psychological Bulletin, 111(3), "
                       "490–504. https://doi.org/10.1037/0033-2909.111.3.490"),
    "mulaik_1989": ("Mulaik, S. A., James, L. R., Van Alstine, J., Bennett, N., Lind, S., & Stilwell, C. D. (1989). "
                    "Evaluation of goodness-of-fit indices for structural equation models. Psychological Bulletin, "
                    "105(3), 430–445. https://doi.org/10.1037/0033-2909.105.3.430"),
    "satorra_bentler_2001": ("Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test statistic "
                             "for moment structure analysis. Psychometrika, 66(4), 507–514. "
                             "https://doi.org/10.1007/BF02296192"),
    "sorbom_1989": ("Sörbom, D. (1989). Model modification. Psychometrika, 54(3), 371–384. "
                    "https://doi.org/10.1007/BF02294623"),
})
"""APA 7 entries of every work the cut-offs below cite, by key."""


@dataclass(frozen=True)
class Cutoff:
    """A conventional cut-off of one index.

    ``good`` (and ``acceptable``, if there is a second level) are met when the value is at least
    (``higher_is_better``) or at most the cut-off; ``None`` means no cut-off is judged (the
    index is read comparatively, e.g. ECVI). ``sources`` are keys of :data:`SOURCES`;
    ``citation`` is how the note cites them.
    """

    key: str
    good: float | None
    acceptable: float | None
    higher_is_better: bool
    sources: tuple[str, ...]
    citation: str


AMOS_CUTOFFS: Mapping[str, Cutoff] = MappingProxyType({
    "chisq_df_ratio": Cutoff("chisq_df_ratio", 3.0, None, False, ("carmines_mciver_1981", "kline_2011"),
                             "Carmines & McIver (1981); Kline (2011)"),
    "gfi": Cutoff("gfi", 0.90, None, True, ("joreskog_sorbom_1984", "hair_2019"),
                  "Jöreskog & Sörbom (1984); Hair et al. (2019)"),
    "agfi": Cutoff("agfi", 0.90, 0.80, True, ("joreskog_sorbom_1984", "hair_2019"),
                   "Jöreskog & Sörbom (1984); Hair et al. (2019)"),
    "pgfi": Cutoff("pgfi", 0.50, None, True, ("mulaik_1989",), "Mulaik et al. (1989)"),
    "nfi": Cutoff("nfi", 0.90, None, True, ("bentler_bonett_1980",), "Bentler & Bonett (1980)"),
    "rfi": Cutoff("rfi", 0.90, None, True, ("bollen_1989",), "Bollen (1989)"),
    "ifi": Cutoff("ifi", 0.90, None, True, ("bollen_1989",), "Bollen (1989)"),
    "pnfi": Cutoff("pnfi", 0.50, None, True, ("mulaik_1989",), "Mulaik et al. (1989)"),
    "rmr": Cutoff("rmr", None, None, False, ("hair_2019",), "Hair et al. (2019)"),
    "cn_05": Cutoff("cn_05", 200.0, None, True, ("hoelter_1983",), "Hoelter (1983)"),
    "cn_01": Cutoff("cn_01", 200.0, None, True, ("hoelter_1983",), "Hoelter (1983)"),
    "ecvi": Cutoff("ecvi", None, None, False, ("browne_cudeck_1989",), "Browne & Cudeck (1989)"),
})
"""Cut-offs of the AMOS-style set: χ²/df ≤ 3 (the fit table's existing row; cited here); GFI, NFI, RFI,
IFI ≥ .90; AGFI ≥ .90 (≥ .80 acceptable); PGFI, PNFI ≥ .50; Hoelter's CN ≥ 200; RMR small (in the
items' units) and ECVI lower-is-better without a cut-off."""

F2_BENCHMARKS: tuple[tuple[float, str], ...] = ((0.35, "large"), (0.15, "medium"), (0.02, "small"))
"""Cohen's (1988) benchmarks for f²: .02 small, .15 medium, .35 large (below .02: negligible)."""
F2_SOURCES: tuple[str, ...] = ("cohen_1988",)

VIF_CUTOFFS = Cutoff("vif", 3.3, 5.0, False, ("kock_2015", "hair_2019"), "Kock (2015); Hair et al. (2019)")
"""VIF below 3.3 (Kock, 2015): no collinearity concern; below 5 (Hair et al., 2019): acceptable."""

MI_CRITICAL = 3.841458820694124
"""χ²(1) critical value at α = .05: a modification index above it is 'significant' one at a time."""
MI_SOURCES: tuple[str, ...] = ("sorbom_1989", "maccallum_1992")
COMPARE_SOURCES: tuple[str, ...] = ("satorra_bentler_2001",)


def f2_magnitude(f2: float) -> str:
    """Cohen's label of an f² value: ``large``, ``medium``, ``small`` or ``negligible`` (negative values too).

    Examples
    --------
    >>> f2_magnitude(0.2), f2_magnitude(0.01), f2_magnitude(-0.07)
    ('medium', 'negligible', 'negligible')
    """
    for cut, name in F2_BENCHMARKS:
        if f2 >= cut:
            return name
    return "negligible"

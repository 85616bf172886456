"""APA-style formatting of numbers: the one place where semxhs rounds.

Every function takes plain numbers (full precision, as the result objects keep them)
and returns a string ready to print. Missing values (``None``, NaN, infinities) print
as an em dash, as APA tables do for empty cells. Rules follow the *Publication
Manual of the American Psychological Association* (7th ed., 2020, sections 6.36 and
6.44): no leading zero for a statistic that cannot exceed 1 in absolute value
(correlations, standardized coefficients, *p*, CFI, TLI, RMSEA, SRMR, *R*², alpha);
exact *p* to three decimals and ``< .001`` below that; two decimals for most other
statistics. A printed value is never ``-0.00``.

Negative numbers use the ASCII hyphen-minus so that a student can copy a value into
Excel or SPSS and have it parsed as a number.
"""

from __future__ import annotations

import math
import re
from datetime import date

__all__ = [
    "DASH",
    "as_printed",
    "is_missing",
    "fmt_alpha",
    "fmt_bounded",
    "fmt_chisq",
    "fmt_chisq_diff",
    "fmt_citation",
    "fmt_ci",
    "fmt_cutoff",
    "fmt_date",
    "fmt_f_test",
    "fmt_int",
    "fmt_num",
    "fmt_p",
    "fmt_percent",
    "fmt_ratio",
    "fmt_sig",
    "fmt_versus",
    "short_hash",
]

DASH = "\u2014"
"""What an empty or undefined cell shows (an em dash)."""


def is_missing(x: float | int | None) -> bool:
    """True for ``None``, NaN and infinities: values a table cannot show.

    Examples
    --------
    >>> is_missing(None), is_missing(float("nan")), is_missing(0.0)
    (True, True, False)
    """
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return True


def _fixed(x: float, digits: int) -> str:
    """``x`` with ``digits`` decimals, never negative zero."""
    text = f"{float(x):.{digits}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text


def as_printed(x: float, digits: int) -> float:
    """The value a reader sees once ``x`` is printed with ``digits`` decimals.

    Cut-offs are judged on this value so a table never says that a printed ``.950``
    misses a ``≥ .95`` criterion.

    Examples
    --------
    >>> as_printed(0.94996, 3)
    0.95
    >>> as_printed(-0.0001, 3)
    0.0
    """
    return float(_fixed(x, digits))


def fmt_num(x: float | int | None, digits: int = 2) -> str:
    """A number with a fixed count of decimals (estimates, SEs, *z*, χ², AIC).

    Parameters
    ----------
    x : float or None
        The value; ``None`` or NaN prints as an em dash.
    digits : int
        Decimals to keep (APA: 2 for most statistics, 3 where precision matters).

    Examples
    --------
    >>> fmt_num(1.48299)
    '1.48'
    >>> fmt_num(1.48299, 3)
    '1.483'
    >>> fmt_num(-0.0004, 3)
    '0.000'
    >>> fmt_num(float("nan"))
    '—'
    >>> fmt_num(None, 3)
    '—'
    """
    if is_missing(x):
        return DASH
    return _fixed(float(x), digits)  # type: ignore[arg-type]


def fmt_sig(x: float | int | None, digits: int = 2) -> str:
    """A diagnostic number of any size with ``digits`` significant digits (an optimizer's gradient).

    Examples
    --------
    >>> fmt_sig(0.0012345), fmt_sig(3.2e-07), fmt_sig(152.0)
    ('0.0012', '3.2e-07', '1.5e+02')
    >>> fmt_sig(None)
    '—'
    """
    if is_missing(x):
        return DASH
    return f"{float(x):.{digits}g}"  # type: ignore[arg-type]


def fmt_bounded(x: float | None, digits: int = 3) -> str:
    """A statistic that cannot exceed 1 in absolute value, without the leading zero.

    Used for correlations, standardized coefficients (β), CFI, TLI, RMSEA, SRMR, *R*²
    and Cronbach's alpha. A value that *does* print as 1 or more in absolute value
    (a Heywood case, a TLI above 1) keeps its integer digit, which flags it.

    Examples
    --------
    >>> fmt_bounded(0.9953745)
    '.995'
    >>> fmt_bounded(-0.4467, 2)
    '-.45'
    >>> fmt_bounded(-0.0002)
    '.000'
    >>> fmt_bounded(1.0596)
    '1.060'
    >>> fmt_bounded(None)
    '—'
    """
    if is_missing(x):
        return DASH
    text = _fixed(float(x), digits)  # type: ignore[arg-type]
    if text.startswith("0."):
        return text[1:]
    if text.startswith("-0."):
        return "-" + text[2:]
    return text


def fmt_versus(value: float, threshold: float) -> str:
    """``value`` with enough decimals (2, else 3 or 4) not to print the same as ``threshold``.

    No leading zero below one in absolute value, as :func:`fmt_bounded`; so a finding
    never reads ".70 < .70".

    Examples
    --------
    >>> fmt_versus(0.6996, 0.70), fmt_versus(0.37098, 0.50), fmt_versus(1.02, 0.90)
    ('.6996', '.37', '1.02')
    """
    digits = 2
    for digits in (2, 3, 4):
        if _fixed(value, digits) != _fixed(threshold, digits):
            break
    text = _fixed(value, digits)
    return text.replace("0.", ".", 1) if abs(value) < 1 and not text.lstrip("-").startswith("1") else text


def fmt_p(p: float | None, *, with_symbol: bool = False) -> str:
    """A *p* value the APA way: three decimals, no leading zero, ``< .001`` below.

    Parameters
    ----------
    p : float or None
        The *p* value.
    with_symbol : bool
        Prefix ``p =`` / ``p <`` for running text (``"p = .032"``).

    Examples
    --------
    >>> fmt_p(0.0321)
    '.032'
    >>> fmt_p(0.0002)
    '< .001'
    >>> fmt_p(0.0005)
    '< .001'
    >>> fmt_p(0.32918, with_symbol=True)
    'p = .329'
    >>> fmt_p(1e-17, with_symbol=True)
    'p < .001'
    >>> fmt_p(0.99996)
    '> .999'
    >>> fmt_p(None)
    '—'
    """
    if is_missing(p):
        return DASH
    value = float(p)  # type: ignore[arg-type]
    if value < 0.001:
        text = "< .001"
    elif _fixed(value, 3) == "1.000" and value < 1.0:
        text = "> .999"
    else:
        text = fmt_bounded(value, 3)
    if not with_symbol:
        return text
    return f"p {text}" if text[0] in "<>" else f"p = {text}"


def fmt_alpha(p: float | None) -> str:
    """A significance level or probability cut-off with as many decimals as it needs (at least two).

    Unlike :func:`fmt_p` (three decimals, ``< .001``), a threshold is printed exactly:
    ``.05``, ``.001``, ``.0001``.

    Examples
    --------
    >>> fmt_alpha(0.05), fmt_alpha(0.001), fmt_alpha(0.0001), fmt_alpha(0.025)
    ('.05', '.001', '.0001', '.025')
    >>> fmt_alpha(None)
    '—'
    """
    if is_missing(p):
        return DASH
    value = float(p)  # type: ignore[arg-type]
    digits = 2
    while digits < 8 and abs(float(_fixed(value, digits)) - value) > 1e-12:
        digits += 1
    return fmt_bounded(value, digits)


def fmt_ci(lower: float | None, upper: float | None, digits: int = 2, *, bounded: bool = False) -> str:
    """A confidence interval in brackets, ``[lower, upper]``.

    Parameters
    ----------
    lower, upper : float or None
        The limits; if either is missing the whole interval prints as an em dash.
    digits : int
        Decimals.
    bounded : bool
        Drop the leading zero (for intervals of RMSEA, correlations, β).

    Examples
    --------
    >>> fmt_ci(0.1234, 0.4521)
    '[0.12, 0.45]'
    >>> fmt_ci(-0.0786, 1.32597, 3)
    '[-0.079, 1.326]'
    >>> fmt_ci(0.0, 0.0922, 3, bounded=True)
    '[.000, .092]'
    >>> fmt_ci(None, 1.0)
    '—'
    """
    if is_missing(lower) or is_missing(upper):
        return DASH
    f = fmt_bounded if bounded else fmt_num
    return f"[{f(lower, digits)}, {f(upper, digits)}]"


def fmt_int(n: int | float | None) -> str:
    """A count with thousands separators (APA 6.33: ``1,234``).

    Examples
    --------
    >>> fmt_int(75)
    '75'
    >>> fmt_int(12345)
    '12,345'
    >>> fmt_int(None)
    '—'
    """
    if is_missing(n):
        return DASH
    return f"{int(round(float(n))):,}"  # type: ignore[arg-type]


def fmt_ratio(num: float | None, den: float | None, digits: int = 2) -> str:
    """``num / den`` with ``digits`` decimals; an em dash when ``den`` is 0 (χ²/df at df = 0).

    Examples
    --------
    >>> fmt_ratio(38.125, 35)
    '1.09'
    >>> fmt_ratio(0.0, 0)
    '—'
    """
    if is_missing(num) or is_missing(den) or float(den) == 0.0:  # type: ignore[arg-type]
        return DASH
    return fmt_num(float(num) / float(den), digits)  # type: ignore[arg-type]


def fmt_chisq(chisq: float | None, df: int | float | None, p: float | None, *, symbol: str = "p") -> str:
    """A chi-square test in APA running-text form: ``χ²(df) = value, p …``.

    Examples
    --------
    >>> fmt_chisq(85.314, 24, 0.00000012)
    'χ²(24) = 85.31, p < .001'
    >>> fmt_chisq(38.12521, 35, 0.32918)
    'χ²(35) = 38.13, p = .329'
    >>> fmt_chisq(0.0, 0, None)
    'χ²(0) = 0.00'
    >>> fmt_chisq(None, 3, None)
    '—'
    """
    if is_missing(chisq) or is_missing(df):
        return DASH
    text = f"χ²({fmt_int(df)}) = {fmt_num(chisq, 2)}"
    if is_missing(p):
        return text
    p_text = fmt_p(p)
    return f"{text}, {symbol} {p_text}" if p_text[0] in "<>" else f"{text}, {symbol} = {p_text}"


def fmt_chisq_diff(delta_chisq: float | None, delta_df: int | float | None, p: float | None) -> str:
    """A chi-square difference test in running text: ``Δχ²(Δdf) = value, p …``.

    Examples
    --------
    >>> fmt_chisq_diff(226.95864, 3, 6.3e-49)
    'Δχ²(3) = 226.96, p < .001'
    >>> fmt_chisq_diff(2.5, 1, 0.1138)
    'Δχ²(1) = 2.50, p = .114'
    """
    text = fmt_chisq(delta_chisq, delta_df, p)
    return text if text == DASH else "Δ" + text


def fmt_f_test(f_value: float | None, df1: int | float | None, df2: int | float | None,
               p: float | None) -> str:
    """An *F* test in APA running-text form: ``F(df1, df2) = value, p …``.

    Examples
    --------
    >>> fmt_f_test(23.531797, 3, 396, 4.9e-14)
    'F(3, 396) = 23.53, p < .001'
    >>> fmt_f_test(1.2, 1, 396, 0.27391)
    'F(1, 396) = 1.20, p = .274'
    >>> fmt_f_test(None, 1, 396, 0.5)
    '—'
    """
    if is_missing(f_value) or is_missing(df1) or is_missing(df2):
        return DASH
    text = f"F({fmt_int(df1)}, {fmt_int(df2)}) = {fmt_num(f_value, 2)}"
    if is_missing(p):
        return text
    return f"{text}, {fmt_p(p, with_symbol=True)}"


def fmt_percent(share: float | None, digits: int = 1) -> str:
    """A proportion as a percentage (APA 6.40: a number and ``%``), e.g. Harman's first-factor share.

    Examples
    --------
    >>> fmt_percent(0.35737157)
    '35.7%'
    >>> fmt_percent(0.5, 0)
    '50%'
    >>> fmt_percent(None)
    '—'
    """
    if is_missing(share):
        return DASH
    return f"{_fixed(float(share) * 100.0, digits)}%"  # type: ignore[arg-type]


_RELATIONS = {">=": "≥", ">": ">", "<": "<", "<=": "≤"}


def fmt_cutoff(requirement: str, value: float, digits: int = 2, *, bounded: bool = True,
               percent: bool = False) -> str:
    """A cut-off as a reader applies it: the relation that *meets* it and the value (``≥ .70``).

    Parameters
    ----------
    requirement : {">=", ">", "<", "<="}
        The condition that meets the cut-off.
    value : float
        The cut-off.
    digits : int
        Decimals.
    bounded : bool
        Drop the leading zero (cut-offs of alpha, CR, AVE, loadings, HTMT, KMO, *p*).
    percent : bool
        Print as a percentage (Harman's share: ``< 50%``).

    Examples
    --------
    >>> fmt_cutoff(">=", 0.7)
    '≥ .70'
    >>> fmt_cutoff("<", 0.85)
    '< .85'
    >>> fmt_cutoff("<", 0.5, 0, percent=True)
    '< 50%'
    """
    relation = _RELATIONS[requirement]
    if percent:
        return f"{relation} {fmt_percent(value, digits)}"
    return f"{relation} {(fmt_bounded if bounded else fmt_num)(value, digits)}"


def fmt_citation(source: str) -> str:
    """A narrative citation (``Nunnally (1978)``) in the parenthetical form used inside brackets.

    APA 8.11: inside parentheses the year follows a comma, and works are separated by
    semicolons, so a cut-off reads ``≥ .70 (Nunnally, 1978)``, not ``(Nunnally (1978))``.

    Examples
    --------
    >>> fmt_citation("Nunnally (1978)")
    'Nunnally, 1978'
    >>> fmt_citation("Kline (2011); Henseler et al. (2015)")
    'Kline, 2011; Henseler et al., 2015'
    >>> fmt_citation("Fornell & Larcker, 1981")
    'Fornell & Larcker, 1981'
    """
    return re.sub(r"\s*\((\d{4}[a-z]?)\)", r", \1", source.strip())


def short_hash(digest: str | None, length: int = 12) -> str:
    """The first ``length`` hex digits of a SHA-256 digest (enough to tell files apart).

    Examples
    --------
    >>> short_hash("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
    '9f86d081884c'
    >>> short_hash("")
    '—'
    """
    if not digest:
        return DASH
    return digest.strip().lower()[:length]


def fmt_date(day: date) -> str:
    """An ISO 8601 date (``2024-05-01``), unambiguous in English and Chinese.

    Examples
    --------
    >>> from datetime import date
    >>> fmt_date(date(2024, 5, 1))
    '2024-05-01'
    """
    return day.isoformat()

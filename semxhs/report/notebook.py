"""A fitted model as a notebook shows it: lavaan's ``summary()`` as text, tables as HTML.

:class:`SemFit` is a :class:`~semxhs.sem.results.SemResult` (same fields, same data
methods) with the two formatting methods a notebook user expects: :meth:`SemFit.summary`
(plain text laid out like lavaan's ``summary(fit, fit.measures = TRUE, standardized =
TRUE)``) and ``_repr_html_`` (the fit measures and parameter estimates as HTML tables in
Jupyter). They live here because only :mod:`semxhs.report` formats numbers; the estimator
returns plain :class:`SemResult` objects, and :func:`as_fit` wraps one.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, fields

from semxhs.report.format import DASH, fmt_p, is_missing
from semxhs.sem.results import Parameter, SemResult

__all__ = ["SemFit", "as_fit", "summary_text"]

_WIDTH = 54  # label column width of the header blocks, as lavaan's print


def _n(x: float | int | None, digits: int = 3) -> str:
    """A number as lavaan's print shows it (``digits`` decimals), empty when missing."""
    if is_missing(x):
        return ""
    text = f"{float(x):.{digits}f}"  # type: ignore[arg-type]
    return text[1:] if text.startswith("-") and float(text) == 0.0 else text


def _line(label: str, value: str) -> str:
    return f"  {label:<{_WIDTH - len(value)}}{value}"


def _row(name: str, p: Parameter, indent: int = 4) -> str:
    cells = [_n(p.est)]
    if p.free:
        cells += [_n(p.se), _n(p.z), _n(p.pvalue)]
    else:
        cells += ["", "", ""]
    cells.append(_n(p.std_all))
    label = f"{name} ({p.label})" if p.label and p.op != ":=" else name
    return " " * indent + f"{label:<{18 - indent}}" + "".join(f"{c:>9}" for c in cells)


def summary_text(res: SemResult) -> str:
    """lavaan-style summary of a fitted model: header, test, fit indices, parameter blocks.

    The blocks are lavaan's: Latent Variables, Regressions, Covariances, Intercepts,
    Variances, Defined Parameters; a dot before a name marks a residual (co)variance or
    intercept, as in lavaan.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=200); y = 0.5 * x + rng.normal(size=200)
    >>> text = summary_text(fit("y ~ b*x", pd.DataFrame({"x": x, "y": y})))
    >>> "Regressions:" in text and "Number of observations" in text
    True
    """
    f = res.fit
    status = "ended normally" if res.converged else "did NOT end normally"
    out = [f"semxhs {status} after {res.iterations} iterations", ""]
    out.append(_line("Estimator", res.estimator))
    out.append(_line("Missing data", res.missing))
    out.append(_line("Number of model parameters", str(f.npar)))
    out += ["", _line("Number of observations", str(res.n_obs))]
    if res.n_dropped:
        out.append(_line("Rows dropped", str(res.n_dropped)))
    scaled = f.chisq_scaled is not None
    out += ["", "Model Test User Model:", ""]
    if scaled:
        out.append(f"  {'':<{_WIDTH - 20}}{'Standard':>10}{'Scaled':>10}")
        out.append(_line("Test Statistic", f"{_n(f.chisq):>10}{_n(f.chisq_scaled):>10}"))
        out.append(_line("Degrees of freedom", f"{f.df:>10}{f.df_scaled if f.df_scaled is not None else '':>10}"))
        out.append(_line("P-value (Chi-square)", f"{_n(f.pvalue):>10}{_n(f.pvalue_scaled):>10}"))
        out.append(_line("Scaling correction factor", f"{'':>10}{_n(f.chisq_scaling_factor):>10}"))
    else:
        out.append(_line("Test statistic", _n(f.chisq)))
        out.append(_line("Degrees of freedom", str(f.df)))
        out.append(_line("P-value (Chi-square)", _n(f.pvalue)))
    out += ["", "User Model versus Baseline Model:", ""]
    out.append(_line("Comparative Fit Index (CFI)", _n(f.cfi)))
    out.append(_line("Tucker-Lewis Index (TLI)", _n(f.tli)))
    if f.cfi_robust is not None:
        out.append(_line("Robust Comparative Fit Index (CFI)", _n(f.cfi_robust)))
        out.append(_line("Robust Tucker-Lewis Index (TLI)", _n(f.tli_robust)))
    out += ["", "Loglikelihood and Information Criteria:", ""]
    out.append(_line("Loglikelihood user model (H0)", _n(f.logl)))
    out.append(_line("Akaike (AIC)", _n(f.aic)))
    out.append(_line("Bayesian (BIC)", _n(f.bic)))
    out += ["", "Root Mean Square Error of Approximation:", ""]
    out.append(_line("RMSEA", _n(f.rmsea)))
    out.append(_line("90 Percent confidence interval - lower", _n(f.rmsea_ci_lower)))
    out.append(_line("90 Percent confidence interval - upper", _n(f.rmsea_ci_upper)))
    if f.rmsea_robust is not None:
        out.append(_line("Robust RMSEA", _n(f.rmsea_robust)))
    out += ["", "Standardized Root Mean Square Residual:", "", _line("SRMR", _n(f.srmr)), ""]
    out += _parameter_blocks(res)
    if res.warnings:
        out += ["", "Warnings:"] + [f"  {w}" for w in res.warnings]
    return "\n".join(out).rstrip() + "\n"


def _parameter_blocks(res: SemResult) -> list[str]:
    latent = set(res.latent)
    endogenous = {p.lhs for p in res.parameters if p.op == "~"} | {p.rhs for p in res.parameters if p.op == "=~"}
    head = " " * 18 + "".join(f"{h:>9}" for h in ("Estimate", "Std.Err", "z-value", "P(>|z|)", "Std.all"))
    out: list[str] = []

    def block(title: str, rows: list[Parameter], grouped: bool) -> None:
        if not rows:
            return
        out.extend(["", f"{title}:", head])
        current = None
        for p in rows:
            if grouped:
                if p.lhs != current:
                    out.append(f"  {p.lhs} {p.op}")
                    current = p.lhs
                dot = "." if p.op == "~~" and p.rhs in endogenous else ""
                out.append(_row(dot + p.rhs, p))
            else:
                dot = "." if p.lhs in endogenous or (p.op == "~1" and p.lhs not in latent) else ""
                out.append(_row(dot + p.lhs, p, indent=3))

    params = res.parameters
    block("Latent Variables", [p for p in params if p.op == "=~"], True)
    block("Regressions", [p for p in params if p.op == "~"], True)
    block("Covariances", [p for p in params if p.op == "~~" and p.lhs != p.rhs], True)
    block("Intercepts", [p for p in params if p.op == "~1"], False)
    block("Variances", [p for p in params if p.op == "~~" and p.lhs == p.rhs], False)
    block("Defined Parameters", [p for p in params if p.op == ":="], False)
    return out[1:] if out and out[0] == "" else out


def _cell(x: object) -> str:
    if isinstance(x, float):
        return DASH if is_missing(x) else _n(x)
    return html.escape("" if x is None else str(x))


def _html_table(header: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html_tables(res: SemResult) -> str:
    """The fit measures and parameter estimates as HTML tables (for Jupyter).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=200); y = 0.5 * x + rng.normal(size=200)
    >>> html_tables(fit("y ~ x", pd.DataFrame({"x": x, "y": y}))).count("<table>")
    2
    """
    f = res.fit
    status = "converged" if res.converged else "NOT converged"
    caption = (f"<p><b>{html.escape(type(res).__name__)}</b>: {html.escape(res.estimator)}, "
               f"missing = {html.escape(res.missing)}, N = {res.n_obs}, {status}"
               f"{', improper solution' if res.improper else ''}</p>")
    fit_rows: list[list[object]] = [[f.chisq, f.df, fmt_p(f.pvalue), f.cfi, f.tli, f.rmsea, f.srmr, f.aic, f.bic]]
    fit_table = _html_table(["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic"], fit_rows)
    cols = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]
    rows: list[list[object]] = [
        [p.lhs, p.op, p.rhs, p.label, p.est, p.se if p.free else None, p.z,
         fmt_p(p.pvalue) if p.pvalue is not None else "", p.ci_lower, p.ci_upper, p.std_all]
        for p in res.parameters]
    warn = "".join(f"<p>warning: {html.escape(w)}</p>" for w in res.warnings)
    return caption + fit_table + _html_table(cols, rows) + warn


@dataclass(frozen=True, repr=False)
class SemFit(SemResult):
    """A :class:`SemResult` that prints itself: ``summary()`` and ``_repr_html_``.

    Returned by :func:`semxhs.sem` and :func:`semxhs.cfa`; everything else (fields, data
    methods, ``to_dict``) is the :class:`SemResult`'s.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from semxhs.sem.model import fit
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=200); y = 0.5 * x + rng.normal(size=200)
    >>> res = as_fit(fit("y ~ x", pd.DataFrame({"x": x, "y": y})))
    >>> print(res.summary().splitlines()[0])
    semxhs ended normally after ... iterations
    >>> len(repr(res)) < 2000
    True
    """

    def summary(self) -> str:
        """lavaan's ``summary(fit, fit.measures = TRUE, standardized = TRUE)`` as text."""
        return summary_text(self)

    def _repr_html_(self) -> str:
        return html_tables(self)


def as_fit(res: SemResult) -> SemFit:
    """Wrap a :class:`SemResult` as a :class:`SemFit` (same fields, nothing recomputed)."""
    if isinstance(res, SemFit):
        return res
    return SemFit(**{f.name: getattr(res, f.name) for f in fields(res)})

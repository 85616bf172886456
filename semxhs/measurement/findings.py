"""Plain-language findings: which constructs, items and pairs fall short of which threshold.

Findings are data (:class:`~semxhs.measurement.results.Finding` records with the
full-precision value, the threshold and its source) with a short English (``en``)
and Chinese (``zh``) sentence each. Numbers in the sentences are written APA style
(two decimals, no leading zero for statistics bounded by one, e.g. "AVE .37 < .50").
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from semxhs.measurement.results import Finding, MeasurementResult
from semxhs.measurement.thresholds import THRESHOLDS, Threshold

__all__ = ["findings"]

_NAMES_ZH = {
    "alpha": "Cronbach's α 系数",
    "cr": "组合信度（CR）",
    "ave": "平均方差抽取量（AVE）",
}
_LABEL_EN = {"alpha": "alpha", "cr": "CR", "ave": "AVE"}


def _num(x: float) -> str:
    """Two decimals, no leading zero below one in absolute value ("-.37", ".50", "1.02")."""
    s = f"{x:.2f}"
    if abs(x) < 1 and s not in ("1.00", "-1.00"):
        s = s.replace("0.", ".", 1)
    return s


def _vs(value: float, threshold: float) -> str:
    """``value`` with enough decimals (2, else 3 or 4) not to print the same as ``threshold``."""
    for d in (2, 3, 4):
        if f"{value:.{d}f}" != f"{threshold:.{d}f}":
            break
    s = f"{value:.{d}f}"
    return s.replace("0.", ".", 1) if abs(value) < 1 and not s.lstrip("-").startswith("1") else s


def _p(p: float) -> str:
    return "p < .001" if p < 0.001 else f"p = {f'{p:.3f}'.replace('0.', '.', 1)}"


def _finding(t: Threshold, subject: tuple[str, ...], statistic: str, value: float, en: str, zh: str,
             code: str | None = None, severity: str | None = None) -> Finding:
    broken = {">=": "<", ">": "<=", "<": ">=", "<=": ">"}[t.requirement]
    return Finding(
        code=code or t.key,
        severity=severity or t.severity,
        subject=subject,
        statistic=statistic,
        value=float(value),
        threshold=float(t.value),
        comparison=broken,
        source=t.source,
        en=en,
        zh=zh,
    )


def findings(
    result: MeasurementResult, thresholds: Mapping[str, Threshold] = THRESHOLDS
) -> tuple[Finding, ...]:
    """List every shortfall of ``result`` against ``thresholds``.

    Checked: alpha, CR and AVE per construct; standardized loadings per item (below
    .50 "fail", below .70 "warn"); per pair HTMT (above .90 "fail", above .85 "warn"),
    the bootstrap upper bound of HTMT when available, and Fornell–Larcker (√AVE of
    either construct not above the absolute latent correlation); overall KMO and item
    MSA; Bartlett's test; Harman's single-factor share; the one-factor CFA comparison
    when given. Only the more serious of the two HTMT (or loading) findings is listed.

    Parameters
    ----------
    result : MeasurementResult
    thresholds : mapping of str to Threshold, default :data:`THRESHOLDS`
        Replace entries (e.g. with ``dataclasses.replace``) to use other cut-offs.

    Returns
    -------
    tuple of Finding
        In the order: constructs, items, pairs, whole instrument.

    Examples
    --------
    >>> from semxhs.measurement.results import (ReliabilityRow, KMOResult, BartlettResult,
    ...                                         HarmanResult, MeasurementResult)
    >>> import pandas as pd
    >>> m = pd.DataFrame([[1.0]], index=["visual"], columns=["visual"])
    >>> res = MeasurementResult(
    ...     reliability=(ReliabilityRow("visual", 3, 0.63, 0.55, 0.69, 0.63, float("nan"), 0.371),),
    ...     items=(), fornell_larcker=m, htmt=m, htmt2=m, kmo=KMOResult(0.75, {}),
    ...     bartlett=BartlettResult(904.1, 36, 1e-166, 301), harman=HarmanResult(0.357, 3.2, 9), n=301)
    >>> [f.en for f in findings(res)]
    ['visual: alpha .63 < .70 (Nunnally (1978))', 'visual: CR .63 < .70 (Hair et al. (2019))', 'visual: AVE .37 < .50 (Fornell & Larcker (1981))']
    >>> findings(res)[2].zh
    'visual：平均方差抽取量（AVE）为 .37，低于 .50 的标准（Fornell & Larcker (1981)）'
    """
    out: list[Finding] = []
    th = thresholds

    for row in result.reliability:
        for stat in ("alpha", "cr", "ave"):
            t = th[stat]
            value = getattr(row, stat)
            if math.isfinite(value) and not t.met(value):
                out.append(_finding(
                    t, (row.factor,), stat, value,
                    en=f"{row.factor}: {_LABEL_EN[stat]} {_vs(value, t.value)} < {_num(t.value)} ({t.source})",
                    zh=f"{row.factor}：{_NAMES_ZH[stat]}为 {_vs(value, t.value)}，低于 {_num(t.value)} 的标准（{t.source}）",
                ))

    for item in result.items:
        lam = item.loading_std
        for key in ("loading_min", "loading_ideal"):
            t = th[key]
            if not t.met(lam):
                out.append(_finding(
                    t, (item.factor, item.item), "loading_std", lam,
                    en=f"{item.factor} / {item.item}: standardized loading {_vs(lam, t.value)} < {_num(t.value)} ({t.source})",
                    zh=f"{item.factor} / {item.item}：标准化因子载荷为 {_vs(lam, t.value)}，低于 {_num(t.value)}（{t.source}）",
                ))
                break

    factors = list(result.htmt.index)
    ci = {} if result.htmt_ci is None else {(i.lhs, i.rhs): i for i in result.htmt_ci.intervals}
    fl = result.fornell_larcker
    for a_pos, a in enumerate(factors):
        for b in factors[a_pos + 1:]:
            value = float(result.htmt.loc[a, b])
            for key in ("htmt_liberal", "htmt_strict"):
                t = th[key]
                if math.isfinite(value) and not t.met(value):
                    verdict_en = ("discriminant validity not established" if t.severity == "fail"
                                  else "discriminant validity questionable")
                    verdict_zh = "区分效度不成立" if t.severity == "fail" else "区分效度存疑"
                    out.append(_finding(
                        t, (a, b), "htmt", value,
                        en=f"{a} ~ {b}: HTMT {_vs(value, t.value)} > {_num(t.value)} ({t.source}); {verdict_en}",
                        zh=f"{a} 与 {b}：HTMT 为 {_vs(value, t.value)}，高于 {_num(t.value)}（{t.source}），{verdict_zh}",
                    ))
                    break
            iv = ci.get((a, b))
            t = th["htmt_ci_upper"]
            if iv is not None and math.isfinite(iv.ci_upper) and not t.met(iv.ci_upper):
                pct = f"{result.htmt_ci.level * 100:g}%"  # type: ignore[union-attr]
                out.append(_finding(
                    t, (a, b), "htmt_ci_upper", iv.ci_upper,
                    en=(f"{a} ~ {b}: upper end of the {pct} bootstrap interval of HTMT "
                        f"{_vs(iv.ci_upper, t.value)} is not below {_num(t.value)} ({t.source})"),
                    zh=(f"{a} 与 {b}：HTMT 的 {pct} 自助法置信区间上限为 {_vs(iv.ci_upper, t.value)}，"
                        f"未低于 {_num(t.value)}（{t.source}）"),
                ))
            phi = abs(float(fl.loc[a, b]))
            short = [f for f in (a, b) if math.isfinite(float(fl.loc[f, f])) and float(fl.loc[f, f]) <= phi]
            if short:
                roots_en = ", ".join(f"√AVE of {f} {_num(float(fl.loc[f, f]))}" for f in short)
                roots_zh = "、".join(f"{f} 的 √AVE（{_num(float(fl.loc[f, f]))}）" for f in short)
                out.append(Finding(
                    code="fornell_larcker",
                    severity="fail",
                    subject=(a, b),
                    statistic="latent_corr",
                    value=phi,
                    threshold=min(float(fl.loc[f, f]) for f in short),
                    comparison=">=",
                    source="Fornell & Larcker (1981)",
                    en=f"{a} ~ {b}: latent correlation {_num(phi)} is not below {roots_en} (Fornell & Larcker (1981))",
                    zh=f"{a} 与 {b}：潜变量相关系数 {_num(phi)} 不小于 {roots_zh}（Fornell & Larcker (1981)）",
                ))

    t = th["kmo"]
    if math.isfinite(result.kmo.overall) and not t.met(result.kmo.overall):
        v = result.kmo.overall
        out.append(_finding(t, ("all items",), "kmo", v,
                            en=f"KMO {_vs(v, t.value)} < {_num(t.value)} ({t.source}): sampling adequacy is poor",
                            zh=f"KMO 为 {_vs(v, t.value)}，低于 {_num(t.value)}（{t.source}），取样适切性不足"))
    t = th["kmo_item"]
    for item_id, v in result.kmo.items.items():
        if math.isfinite(v) and not t.met(v):
            out.append(_finding(t, (item_id,), "msa", v,
                                en=f"{item_id}: MSA {_vs(v, t.value)} < {_num(t.value)} ({t.source})",
                                zh=f"{item_id}：题项 MSA 为 {_vs(v, t.value)}，低于 {_num(t.value)}（{t.source}）"))
    t = th["bartlett"]
    b = result.bartlett
    if math.isfinite(b.pvalue) and not t.met(b.pvalue):
        out.append(_finding(
            t, ("all items",), "bartlett_pvalue", b.pvalue,
            en=f"Bartlett's test of sphericity is not significant (χ²({b.df}) = {b.chisq:.2f}, {_p(b.pvalue)}) ({t.source})",
            zh=f"Bartlett 球形检验不显著（χ²({b.df}) = {b.chisq:.2f}，{_p(b.pvalue)}）（{t.source}），不宜进行因子分析",
        ))
    t = th["harman"]
    share = result.harman.first_factor_share
    if math.isfinite(share) and not t.met(share):
        out.append(_finding(
            t, ("all items",), "harman_share", share,
            en=(f"Harman's single factor explains {share * 100:.1f}% of the variance, not below "
                f"{t.value * 100:g}% ({t.source}): common-method bias is possible"),
            zh=(f"Harman 单因子检验：第一个因子解释了 {share * 100:.1f}% 的方差，未低于 "
                f"{t.value * 100:g}%（{t.source}），可能存在共同方法偏差"),
        ))
    t = th["one_factor_cfa"]
    c = result.one_factor_cfa
    if c is not None and math.isfinite(c.pvalue) and not t.met(c.pvalue):
        out.append(_finding(
            t, ("all items",), "one_factor_pvalue", c.pvalue,
            en=(f"The one-factor CFA does not fit significantly worse than the measurement model "
                f"(Δχ²({c.delta_df}) = {c.delta_chisq:.2f}, {_p(c.pvalue)}) ({t.source}): common-method bias is possible"),
            zh=(f"单因子 CFA 的拟合并不显著差于测量模型（Δχ²({c.delta_df}) = {c.delta_chisq:.2f}，{_p(c.pvalue)}）"
                f"（{t.source}），可能存在共同方法偏差"),
        ))
    return tuple(out)

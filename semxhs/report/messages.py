"""Notes and warnings of the analysis layer in the report's words.

The analysis layer says what happened as :class:`~semxhs.messages.Message` records: a
stable ``code``, its ``params`` (plain numbers and names, full precision) and the
English ``text`` the result objects also keep as plain strings (``SemResult.warnings``,
``ScreeningResult.notes``, ``EstimatorRecommendation.reasons`` …). This module words
a record in the report's language from the templates of :mod:`semxhs.report.labels`
(keys ``msg_*`` and, for the estimator recommendation, ``reason_*``), with every number
formatted by :mod:`semxhs.report.format`.

Nothing is dropped: a record whose code is not known here, or whose parameters do not
fit its template, is shown as its English ``text``; a plain string without a record (a
caller's own note) is shown as it is. The plain strings decide *what* is shown, in their
order; a record only decides *how* (:func:`pair_messages`).

Codes, by producer:

:func:`semxhs.sem.model.fit` (``SemResult.warning_codes``)
    ``fiml_empty_rows``, ``fiml_missing_x``, ``not_converged``, ``singular_information``,
    ``heywood``, ``latent_cov_not_pd``, ``defined_not_finite``, ``defined_se_not_finite``.
:func:`semxhs.survey.normality.recommend_estimator` (``EstimatorRecommendation.reason_codes``)
    ``mlr_kurtosis``, ``mlr_skew``, ``mlr_items``, ``ml_adequate``, ``fiml_missing``,
    ``coarse_scale``.
:func:`semxhs.survey.screening.screen` and :func:`~semxhs.survey.screening.screen_file` (``note_codes``)
    ``attention_no_checks``, ``speed_no_duration_column``, ``speed_no_duration``,
    ``mahalanobis_incomplete``; ``intake_tests_too_few_rows``, ``intake_tests_singular``,
    ``intake_tests_not_run`` (its ``detail`` is the failing test's own English).
:func:`semxhs.measurement.measurement_quality` (``MeasurementResult.note_codes``)
    ``block_skipped``, ``omega_not_computed``, ``negative_within``, ``negative_between``,
    ``htmt_boot_failed``.
:func:`semxhs.process.run_process` (``ProcessResult.note_codes``)
    ``jn_dichotomous``, ``jn_two_moderators``, ``total_effect_conditional``,
    ``bootstrap_failed``, ``standardized_dichotomous_x``, ``index_quadratic``,
    ``index_direct_only``.
:func:`semxhs.sem.interaction.latent_product_expansion` (``StudyResult.note_codes``)
    ``latent_product``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from semxhs.messages import Message
from semxhs.report import format as f
from semxhs.report.blocks import Labels

__all__ = ["KNOWN_CODES", "code_of", "message_words", "messages_in_words", "pair_messages"]

Params = Mapping[str, Any]
Wording = Callable[[Params, Labels], str]


def _names(names: Iterable[Any], t: Labels) -> str:
    return t["list_sep"].join(str(n) for n in names)


def _pairs(pairs: Iterable[Sequence[Any]]) -> list[str]:
    return [f"{a}~{b}" for a, b in pairs]


# --------------------------------------------------------------------------- estimation (fit.py)

def _fiml_empty_rows(p: Params, t: Labels) -> str:
    return t["msg_fiml_empty_rows"].format(n=f.fmt_int(p["n"]))


def _fiml_missing_x(p: Params, t: Labels) -> str:
    return t["msg_fiml_missing_x"].format(n=f.fmt_int(p["n"]), covariates=_names(p["covariates"], t))


def _not_converged(p: Params, t: Labels) -> str:
    return t["msg_not_converged"].format(iterations=f.fmt_int(p["iterations"]), gradient=f.fmt_sig(p["max_gradient"]))


def _singular_information(p: Params, t: Labels) -> str:
    return t["msg_singular_information"]


def _heywood(p: Params, t: Labels) -> str:
    items = [t["msg_heywood_item"].format(lhs=v["lhs"], rhs=v["rhs"], est=f.fmt_num(v["est"], 3))
             for v in p["variances"]]
    return t["msg_heywood"].format(variances=t["list_sep"].join(items))


def _latent_cov_not_pd(p: Params, t: Labels) -> str:
    return t["msg_latent_cov_not_pd"]


def _defined_not_finite(p: Params, t: Labels) -> str:
    return t["msg_defined_not_finite"].format(names=_names(p["names"], t))


def _defined_se_not_finite(p: Params, t: Labels) -> str:
    return t["msg_defined_se_not_finite"].format(names=_names(p["names"], t))


# --------------------------------------------------------------------------- estimator recommendation (normality.py)

def _mlr_kurtosis(p: Params, t: Labels) -> str:
    return t["reason_kurtosis"].format(test=f"z = {f.fmt_num(p['z'], 2)}, {f.fmt_p(p['p'], with_symbol=True)}")


def _mlr_skew(p: Params, t: Labels) -> str:
    return t["reason_skew"].format(test=f.fmt_chisq(p["chisq"], p["df"], p["p"]))


def _mlr_items(p: Params, t: Labels) -> str:
    return t["reason_items"].format(items=_names(p["items"], t), skew=f.fmt_num(p["skew_limit"], 0),
                                    kurt=f.fmt_num(p["kurtosis_limit"], 0))


def _ml_adequate(p: Params, t: Labels) -> str:
    return t["reason_ml"].format(alpha=f.fmt_alpha(p["alpha"]))


def _fiml_missing(p: Params, t: Labels) -> str:
    return t["reason_fiml"].format(pct=f.fmt_percent(float(p["pct"]) / 100.0))


def _coarse_scale(p: Params, t: Labels) -> str:
    return t["reason_coarse"].format(k=f.fmt_int(p["points"]))


# --------------------------------------------------------------------------- screening (screening.py)

def _attention_no_checks(p: Params, t: Labels) -> str:
    return t["msg_attention_no_checks"]


def _speed_no_duration_column(p: Params, t: Labels) -> str:
    return t["msg_speed_no_duration_column"]


def _speed_no_duration(p: Params, t: Labels) -> str:
    return t["msg_speed_no_duration"].format(n=f.fmt_int(p["n"]))


def _mahalanobis_incomplete(p: Params, t: Labels) -> str:
    return t["msg_mahalanobis_incomplete"].format(n=f.fmt_int(p["n"]))


def _intake_tests_too_few_rows(p: Params, t: Labels) -> str:
    return t["msg_intake_tests_too_few_rows"].format(n_complete=f.fmt_int(p["n_complete"]),
                                                     n_items=f.fmt_int(p["n_items"]))


def _intake_tests_singular(p: Params, t: Labels) -> str:
    return t["msg_intake_tests_singular"].format(n_complete=f.fmt_int(p["n_complete"]), n_items=f.fmt_int(p["n_items"]))


def _intake_tests_not_run(p: Params, t: Labels) -> str:
    return t["msg_intake_tests_not_run"].format(detail=p["detail"])


# --------------------------------------------------------------------------- measurement quality

def _block_skipped(p: Params, t: Labels) -> str:
    return t["msg_block_skipped"].format(factor=p["factor"], n=f.fmt_int(len(p["items"])),
                                         items=_names(p["items"], t), min_items=f.fmt_int(p["min_items"]))


def _omega_not_computed(p: Params, t: Labels) -> str:
    return t["msg_omega_not_computed"]


def _negative_within(p: Params, t: Labels) -> str:
    return t["msg_negative_within"].format(pairs=t["list_sep"].join(_pairs(p["pairs"])))


def _negative_between(p: Params, t: Labels) -> str:
    more = t["msg_and_more"].format(n=f.fmt_int(p["more"])) if p.get("more") else ""
    return t["msg_negative_between"].format(pairs=t["list_sep"].join(_pairs(p["pairs"])), more=more)


def _htmt_boot_failed(p: Params, t: Labels) -> str:
    return t["msg_htmt_boot_failed"].format(failed=f.fmt_int(p["failed"]), draws=f.fmt_int(p["draws"]))


# --------------------------------------------------------------------------- PROCESS

def _jn_dichotomous(p: Params, t: Labels) -> str:
    return t["msg_jn_dichotomous"].format(focal=p["focal"], outcome=p["outcome"], moderator=p["moderator"])


def _jn_two_moderators(p: Params, t: Labels) -> str:
    return t["msg_jn_two_moderators"].format(focal=p["focal"], outcome=p["outcome"],
                                             moderators=_names(p["moderators"], t))


def _total_effect_conditional(p: Params, t: Labels) -> str:
    return t["msg_total_effect_conditional"].format(model=p["model"])


def _bootstrap_failed(p: Params, t: Labels) -> str:
    return t["msg_bootstrap_failed"].format(failed=f.fmt_int(p["failed"]), draws=f.fmt_int(p["draws"]))


def _standardized_dichotomous_x(p: Params, t: Labels) -> str:
    return t["msg_standardized_dichotomous_x"].format(x=p["x"])


def _index_quadratic(p: Params, t: Labels) -> str:
    return t["msg_index_quadratic"].format(model=p["model"], moderator=p["moderator"])


def _index_direct_only(p: Params, t: Labels) -> str:
    return t["msg_index_direct_only"].format(model=p["model"], moderator=p["moderator"])


# --------------------------------------------------------------------------- latent interactions

def _latent_product(p: Params, t: Labels) -> str:
    return t["msg_latent_product"].format(term=p["term"], name=p["name"], indicators=_names(p["indicators"], t))


_WORDING: Mapping[str, Wording] = {
    "fiml_empty_rows": _fiml_empty_rows,
    "fiml_missing_x": _fiml_missing_x,
    "not_converged": _not_converged,
    "singular_information": _singular_information,
    "heywood": _heywood,
    "latent_cov_not_pd": _latent_cov_not_pd,
    "defined_not_finite": _defined_not_finite,
    "defined_se_not_finite": _defined_se_not_finite,
    "mlr_kurtosis": _mlr_kurtosis,
    "mlr_skew": _mlr_skew,
    "mlr_items": _mlr_items,
    "ml_adequate": _ml_adequate,
    "fiml_missing": _fiml_missing,
    "coarse_scale": _coarse_scale,
    "attention_no_checks": _attention_no_checks,
    "speed_no_duration_column": _speed_no_duration_column,
    "speed_no_duration": _speed_no_duration,
    "mahalanobis_incomplete": _mahalanobis_incomplete,
    "intake_tests_too_few_rows": _intake_tests_too_few_rows,
    "intake_tests_singular": _intake_tests_singular,
    "intake_tests_not_run": _intake_tests_not_run,
    "block_skipped": _block_skipped,
    "omega_not_computed": _omega_not_computed,
    "negative_within": _negative_within,
    "negative_between": _negative_between,
    "htmt_boot_failed": _htmt_boot_failed,
    "jn_dichotomous": _jn_dichotomous,
    "jn_two_moderators": _jn_two_moderators,
    "total_effect_conditional": _total_effect_conditional,
    "bootstrap_failed": _bootstrap_failed,
    "standardized_dichotomous_x": _standardized_dichotomous_x,
    "index_quadratic": _index_quadratic,
    "index_direct_only": _index_direct_only,
    "latent_product": _latent_product,
}

KNOWN_CODES: frozenset[str] = frozenset(_WORDING)
"""Every code the report words in its own language."""


def pair_messages(texts: Sequence[str], records: Sequence[Message] = ()) -> list[Message | str]:
    """Each text with the record that says it, or the text alone when no record does.

    The texts (``SemResult.warnings``, ``…notes``, ``…reasons``) decide what is shown and in
    which order; each takes the first unused record whose ``text`` is the same. A text
    without one (a caller's own note, or a result built by hand) stays a plain string.

    Examples
    --------
    >>> heywood = Message("heywood", {"variances": []}, "improper solution")
    >>> pair_messages(["improper solution", "something odd"], [heywood])
    [Message(code='heywood', params={'variances': []}, text='improper solution'), 'something odd']
    """
    unused = list(records)
    out: list[Message | str] = []
    for text in texts:
        match = next((k for k, r in enumerate(unused) if r.text == text), None)
        out.append(text if match is None else unused.pop(match))
    return out


def message_words(message: Message | str, t: Labels) -> str:
    """One message in the report's language; its English text when the code is not known.

    Examples
    --------
    >>> from semxhs.report.labels import labels_for
    >>> m = Message("speed_no_duration", {"n": 3}, "speed: 3 respondent(s) without a completion time were not screened")
    >>> message_words(m, labels_for("zh"))
    '作答时长规则：3 名受访者没有作答时长记录，未按此规则筛查'
    >>> message_words(Message("new_code", {}, "an English note"), labels_for("zh"))
    'an English note'
    >>> message_words("a caller's own note", labels_for("zh"))
    "a caller's own note"
    """
    if isinstance(message, str):
        return message
    wording = _WORDING.get(message.code)
    if wording is None:
        return message.text or message.code
    try:
        return wording(message.params, t)
    except (KeyError, TypeError, ValueError, IndexError):  # parameters that do not fit: say it in English
        return message.text or message.code


def messages_in_words(texts: Sequence[str], records: Sequence[Message], t: Labels) -> list[str]:
    """:func:`pair_messages`, then :func:`message_words` for each: the notes as the report shows them."""
    return [message_words(m, t) for m in pair_messages(texts, records)]


def code_of(message: Message | str) -> str:
    """The message's code; ``""`` for a plain string."""
    return "" if isinstance(message, str) else message.code

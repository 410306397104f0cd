"""Which language a patient reads the check in, and the translation of the question bank.

Patients choose among the configured LANGUAGES with a plain link (`?lang=cy` on the page they
are on), remembered in the session; before they choose, the browser's Accept-Language decides.
Staff pages, stored answers and exports stay English and in codes whatever the patient chose.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote, urlencode

from flask import Flask, current_app, redirect, request, session
from flask_babel import Babel, get_locale, gettext, pgettext
from werkzeug.wrappers import Response

from questionnaire.core import clinic_time
from questionnaire.core.config import LANGUAGE_TABLE
from questionnaire.core.redirects import same_site
from questionnaire.fhir import outcome as fhir_outcome
from rules import SECTIONS, Option, Reason, reasons

LANGUAGE_KEY = "language"
SWITCH_PARAM = "lang"
# Blueprints whose pages patients read; every other page is for staff (or machines).
PATIENT_BLUEPRINTS = frozenset({"patient"})
# Each language's name in itself, and its <html lang> (config.LANGUAGE_TABLE).
NAMES = {code: own for code, (_english, own, _tag) in LANGUAGE_TABLE.items()}
HTML_LANG = {code: tag for code, (_english, _own, tag) in LANGUAGE_TABLE.items()}
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


class Choice(NamedTuple):
    code: str
    name: str
    url: str


def _patient_page() -> bool:
    # No blueprint: a page not found, which a patient is the likeliest to meet; but an
    # unknown /fhir address is the API's, which answers in FHIR and keeps no session.
    if request.blueprint is None:
        return not fhir_outcome.is_fhir(request)
    return request.blueprint in PATIENT_BLUEPRINTS


def select_locale() -> str:
    offered = current_app.config["LANGUAGES"]
    if not _patient_page():
        return "en"
    chosen = session.get(LANGUAGE_KEY)
    if isinstance(chosen, str) and chosen in offered:
        return chosen
    return request.accept_languages.best_match(offered) or "en"


def language() -> str:
    """The language the current page is in, as a LANGUAGES code."""
    return str(get_locale() or "en")


def _switch() -> Response | None:
    """`?lang=xx` on a patient page: remember the choice, then show the same page without the
    parameter, so the address a patient copies or bookmarks is the page itself. A path that
    would not lead back to this site (`/%09/evil.example`) is not redirected to: the request
    goes on to its own answer, a page not found, in the language chosen."""
    code = request.args.get(SWITCH_PARAM)
    if code is None or request.method != "GET" or not _patient_page():
        return None
    if code in current_app.config["LANGUAGES"]:
        session[LANGUAGE_KEY] = code
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != SWITCH_PARAM]
    target = same_site(quote(request.path) + ("?" + urlencode(rest) if rest else ""))
    return redirect(target) if target is not None else None


def choices() -> list[Choice]:
    """The other offered languages, each with the link that switches to it; none when only
    one language is offered."""
    here = language()
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != SWITCH_PARAM]
    return [
        Choice(code, NAMES[code], "?" + urlencode([*rest, (SWITCH_PARAM, code)]))
        for code in current_app.config["LANGUAGES"]
        if code != here
    ]


def bank(text: str) -> str:
    """The bank's English wording (a question, an option, an explanation) in the page's
    language. rules/ knows nothing of Flask, so its English is the message id: the catalog
    holds every such string (questionnaire/patient/bank_messages.py lists them for
    extraction)."""
    return gettext(text) if text else text


def reason(item: Reason | Mapping[str, Any] | str) -> str:
    """A reason of a result (a rules.Reason, or one as a stored screening holds it) in the
    page's language: its words from rules.reasons, found in the catalog by the reason's id
    (the message context `reason:<id>`), the site's words by the site's code, and the
    options' labels as the bank's. Whatever is not translated is English, never blank."""
    if language() == "en":
        return reasons.words(item)
    return reasons.words(item, pgettext, bank)


def bank_options(options: tuple[Option, ...]) -> tuple[Option, ...]:
    """A question's options with their labels in the page's language. English gives back the
    bank's own tuple, so the cached markup (questionnaire.core.fragments) is shared as before."""
    if language() == "en":
        return options
    return tuple(replace(o, label=bank(o.label)) for o in options)


def bank_strings() -> list[str]:
    """Every English string of the bank a patient reads (section titles, questions, hints,
    options, the words for no answer) and the error pages', once each, in a stable order."""
    from questionnaire.core import errors, forms, words
    from questionnaire.patient import result_text as patient_text

    found: dict[str, None] = {}
    for section in SECTIONS:
        found[section.title] = None
        for q in section.questions:
            for text in (q.text, q.hint, *(o.label for o in q.options)):
                if text:
                    found[text] = None
    found[words.NOT_ANSWERED] = found[words.NONE_OF_THESE_LABEL] = None
    # The red-flag advice (patient_text.py): FHIR and staff pages read the same dicts in English,
    # so they stay plain strings and the pages translate them here too.
    for advice in patient_text.TIER_ADVICE.values():
        found[advice["title"]] = found[advice["advice"]] = None
    for advice_text in patient_text.RED_FLAG_WORDS.values():
        found[advice_text] = None
    # The result page's explanations (patient_text.py) and the call-back times (forms.py).
    for indication_text in patient_text.INDICATIONS.values():
        for paragraph in indication_text.values():
            found[str(paragraph)] = None
    for by_site in patient_text.SITE_EVIDENCE.values():
        for paragraph in by_site.values():
            found[paragraph] = None
    for table in (words.PATIENT_LEVEL_WORDS, patient_text.CAUTION_WORDS, patient_text.NOTE_WORDS):
        for phrase in table.values():
            found[phrase] = None
    for option in forms.BEST_TIMES:
        found[option.label] = None
    for title, message in errors.MESSAGES.values():
        found[title] = found[message] = None
    return list(found)


def reason_messages() -> list[tuple[str, str]]:
    """(context, English) of every reason's words and every site's, as the catalog keys
    them: the context names the reason or the site, so a translation belongs to its id."""
    return [
        *((reasons.reason_key(rid), w.english) for rid, w in reasons.REASONS.items()),
        *((reasons.site_key(code), phrase) for code, phrase in reasons.SITE_PHRASES.items()),
    ]


BANK_MESSAGES = Path(__file__).resolve().parents[1] / "patient" / "bank_messages.py"


def write_bank_messages() -> None:
    """(Re)write bank_messages.py; `make translations` does before it extracts."""
    lines = [
        '"""Written by i18n.write_bank_messages (`make translations`): the English wording of',
        "the question bank and the error pages, for pybabel to extract. The app never imports",
        'it (pages look each string up through i18n.bank); a test checks it is up to date."""',
        "",
        "# ruff: noqa: E501  (the bank's sentences, one a line)",
        "",
        "",
        "def N_(text: str) -> str:  # noqa: N802  (the name pybabel extracts by default)",
        "    return text",
        "",
        "",
        "def pgettext(context: str, text: str) -> tuple[str, str]:  # extracted with its context",
        "    return context, text",
        "",
        "",
        "MESSAGES = (",
        *(f"    N_({json.dumps(text, ensure_ascii=False)})," for text in bank_strings()),
        ")",
        "",
        "# The reasons' words (rules/reasons.py), keyed by reason id or site code.",
        "REASONS = (",
        *(
            f"    pgettext({json.dumps(key)}, {json.dumps(text, ensure_ascii=False)}),"
            for key, text in reason_messages()
        ),
        ")",
        "",
    ]
    BANK_MESSAGES.write_text("\n".join(lines), encoding="utf-8")


def init_app(app: Flask) -> None:
    # Dates and times Babel formats for patients (a resume code's expiry, when a result was
    # sent) are in the clinic's zone, as staff pages are; the database keeps UTC.
    zone = app.config["CLINIC_TIMEZONE"]
    app.config["BABEL_DEFAULT_TIMEZONE"] = zone.key
    app.add_template_filter(lambda at: clinic_time.zone_name(at, zone), "zone_name")
    Babel(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS),
    )
    app.before_request(_switch)
    app.jinja_env.globals.update(
        language_choices=choices, bank=bank, bank_options=bank_options, reason=reason
    )

    @app.context_processor
    def _html_lang() -> dict[str, Any]:
        return {"html_lang": HTML_LANG.get(language(), "en-GB")}

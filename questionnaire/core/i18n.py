"""Which language a patient reads the check in, and the translation of the question bank.

Patients choose among the configured LANGUAGES with a plain link (`?lang=cy` on the page they
are on), remembered in the session; before they choose, the browser's Accept-Language decides.
Staff pages, stored answers and exports stay English and in codes whatever the patient chose.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple, cast
from urllib.parse import urlencode

from flask import Flask, current_app, redirect, request, session
from flask_babel import Babel, get_locale, gettext
from werkzeug.wrappers import Response

from questionnaire.fhir import outcome as fhir_outcome
from rules import QUESTIONS, SECTIONS, Option, engine

LANGUAGE_KEY = "language"
SWITCH_PARAM = "lang"
# Blueprints whose pages patients read; every other page is for staff (or machines).
PATIENT_BLUEPRINTS = frozenset({"patient"})
# Each language's name in itself, so a reader who cannot read the page can still find theirs.
NAMES = {"en": "English", "cy": "Cymraeg"}
# <html lang>: British English, as the source is written; Welsh has no regional variants.
HTML_LANG = {"en": "en-GB", "cy": "cy"}
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
    parameter, so the address a patient copies or bookmarks is the page itself."""
    code = request.args.get(SWITCH_PARAM)
    if code is None or request.method != "GET" or not _patient_page():
        return None
    if code in current_app.config["LANGUAGES"]:
        session[LANGUAGE_KEY] = code
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != SWITCH_PARAM]
    return redirect(request.path + ("?" + urlencode(rest) if rest else ""))


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
    """The bank's English wording (a question, an option, a reason) in the page's language.
    rules/ knows nothing of Flask, so its English is the message id: the catalog holds every
    such string (questionnaire/patient/bank_messages.py lists them for extraction)."""
    if not text:
        return text
    found = gettext(text)
    if found == text and language() != "en":
        return _counted(text) or text
    return found


def _labels(qid: str, english: str) -> str:
    """A reason's list of lower-case option labels, each in the page's language."""
    for option in QUESTIONS[qid].options:
        english = english.replace(option.label.lower(), bank(option.label).lower())
    return english


def _counted(text: str) -> str | None:
    """The reasons rules.engine writes with a count or a list in them, which no catalog
    entry can match whole: recognised by their English shape, translated with the count."""
    if m := re.fullmatch(r"(\d+) of 3 usual tendon features", text):
        return gettext("%(count)s of 3 usual tendon features", count=m[1])
    if m := re.fullmatch(r"(\d+) of 6 ligament features", text):
        return gettext("%(count)s of 6 ligament features", count=m[1])
    if m := re.fullmatch(r"(\d+) signs of very flexible joints", text):
        return gettext("%(count)s signs of very flexible joints", count=m[1])
    if m := re.fullmatch(r"it gives way or feels unstable \((\w+)\)", text):
        how = bank(QUESTIONS["giving_way"].label_for(m[1])).lower()
        return gettext("it gives way or feels unstable (%(how)s)", how=how)
    if m := re.fullmatch(r"(\d+) signs of inflammatory back pain \((.*)\)", text):
        which = _labels("spa_features", m[2])
        return gettext(
            "%(count)s signs of inflammatory back pain (%(which)s)", count=m[1], which=which
        )
    if m := re.fullmatch(r"(\d+) nerve-type sensations? \((.*)\)", text):
        which = _labels("nerve_sensations", m[2])
        return gettext("%(count)s nerve-type sensations (%(which)s)", count=m[1], which=which)
    return None


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
    for reason in rule_reasons():
        found[reason] = None
    # The result page's explanations (patient_text.py) and the call-back times (forms.py).
    for indication in patient_text.INDICATIONS.values():
        # Every field of an IndicationText is a paragraph (a str); TypedDict.values() is
        # typed object.
        for paragraph in cast(dict[str, str], indication).values():
            found[paragraph] = None
    for table in (words.PATIENT_LEVEL_WORDS, patient_text.CAUTION_WORDS, patient_text.NOTE_WORDS):
        for phrase in table.values():
            found[phrase] = None
    for option in forms.BEST_TIMES:
        found[option.label] = None
    for title, message in errors.MESSAGES.values():
        found[title] = found[message] = None
    return list(found)


# Where rules.engine writes the plain-word reasons a result gives: the functions that
# decide, and the phrase tables they draw on.
REASON_SOURCES = frozenset(
    {
        "_red_flags",
        "_age_phrase",
        "_osteoarthritis",
        "_tendinopathy",
        "_ligament",
        "_neuropathic",
        "_STIFFNESS_PHRASE",
    }
)


def _defines(node: ast.AST) -> str | None:
    if isinstance(node, ast.FunctionDef):
        return node.name
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    return None


def rule_reasons() -> list[str]:
    """The plain-word reasons the rules give ("new trouble with bladder or bowel control"):
    the phrases written in rules.engine, read from its source so that rules/ stays free of
    Flask, and the site phrases it builds from the bank. A reason made up at run time (the
    count of back-pain signs) is not among them and shows in English."""
    tree = ast.parse(Path(inspect.getsourcefile(engine) or "").read_text(encoding="utf-8"))
    # Docstrings, and the pieces of f-strings, are not reasons.
    skip = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    skip |= {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in node.values
    }
    phrases: dict[str, None] = {}
    for top in tree.body:
        if _defines(top) not in REASON_SOURCES:
            continue
        for node in ast.walk(top):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in skip
                and " " in node.value
            ):
                phrases[node.value] = None
    return [*phrases, *engine._SITE_PHRASES.values()]


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
        "MESSAGES = (",
        *(f"    N_({json.dumps(text, ensure_ascii=False)})," for text in bank_strings()),
        ")",
        "",
    ]
    BANK_MESSAGES.write_text("\n".join(lines), encoding="utf-8")


def init_app(app: Flask) -> None:
    Babel(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS),
    )
    app.before_request(_switch)
    app.jinja_env.globals.update(language_choices=choices, bank=bank, bank_options=bank_options)

    @app.context_processor
    def _html_lang() -> dict[str, Any]:
        return {"html_lang": HTML_LANG.get(language(), "en-GB")}

"""The step page's rendering, and what it keeps between requests to be quick.

What step pages keep, per app (_kept): each page's fixed part, each question's markup for an
answer, the form class for each set of questions shown. Rendering the whole template and
making the form class were most of a step page's time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from flask import current_app, render_template, request, session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from questionnaire.core import fragments, i18n
from questionnaire.core.forms import NONE_OF_THESE, StepForm, step_form
from questionnaire.core.models import Draft
from questionnaire.patient import drafts
from questionnaire.patient.young import is_young
from rules import SECTIONS, Question, Section

TOTAL_STEPS = len(SECTIONS) + 1  # the sections, then the review
STEP_PAGES = "patient.step_pages"
STEP_QUESTIONS = "patient.step_questions"
STEP_FORMS = "patient.step_forms"
MAX_KEPT = 4096
T = TypeVar("T")


def form_class(section: Section, answers: dict[str, Any], language: str) -> type[StepForm]:
    """step_form's class, made once per app for each set of questions shown and language (its
    messages are in the page's language): making it was a tenth of a step page's time."""
    shown = tuple(q.id for q in section.questions if q.is_shown(answers))
    return _kept(STEP_FORMS, (section.id, shown, language), lambda: step_form(section, answers))


def render(
    section: Section, draft: Draft, back_to_review: bool, posted: StepForm | None = None
) -> str:
    """The step page with the draft's answers, or with a refused POST's answers and errors.
    The first is put together from parts kept from earlier pages where they match, and only
    the CSRF token is new: rendering the whole template was most of a step page's time."""
    number = drafts.STEP_IDS.index(section.id) + 1
    young = section.id != "about" and is_young(draft.answers)
    shown = [q for q in section.questions if q.is_shown(draft.answers)]
    # A young person is told why the pregnancy question is asked of them.
    why_pregnancy = young and any(q.id == "pregnancy" for q in shown)
    context: dict[str, Any] = {
        "section": section,
        "number": number,
        "total": TOTAL_STEPS,
        "previous": drafts.STEP_IDS[number - 2] if number > 1 else None,
        "back_to_review": back_to_review,
        "young": young,
        "why_pregnancy": why_pregnancy,
    }
    if posted is not None:
        questions = Markup("".join(_question(q, posted[q.id]) for q in posted.questions))
        return render_template("patient/step.html", form=posted, questions=questions, **context)
    language = i18n.language()
    data = _form_data(shown, draft.answers)
    # WTForms only for a part rendered afresh: the page's fixed part, or a question's markup.
    form = cache(lambda: form_class(section, draft.answers, language)(data=data))
    questions = Markup("".join(_kept_question(q, data[q.id], form, language) for q in shown))
    key = _page_key(section, language, back_to_review, young, why_pregnancy)
    if key is None:
        return render_template("patient/step.html", form=form(), questions=questions, **context)

    def skeleton() -> fragments.Skeleton:
        whole = render_template(
            "patient/step.html",
            form=form(),
            questions=Markup(fragments.hole("questions")),
            csrf_token=lambda: fragments.hole("csrf"),
            **context,
        )
        return fragments.Skeleton.of(whole, ("questions", "csrf"))

    page = _kept(STEP_PAGES, key, skeleton)
    return page.fill(questions=questions, csrf=escape(generate_csrf()))


def _page_key(
    section: Section, language: str, back_to_review: bool, young: bool, why_pregnancy: bool
) -> tuple[Any, ...] | None:
    """All that a step page's fixed part depends on, or None when the page must be rendered
    whole: a flashed message to show, or a query string other than the review's own (the
    language links carry it)."""
    if "_flashes" in session or request.query_string not in (b"", b"from=review"):
        return None
    return (section.id, language, back_to_review, young, why_pregnancy, request.script_root)


def _kept_question(q: Question, value: Any, form: Callable[[], StepForm], language: str) -> Markup:
    """A question's markup for the draft's answer, rendered the first time only."""
    # The answer's type as well: "1" and 1 may look alike to WTForms, not to the rules.
    answer = (type(value).__name__, tuple(value) if isinstance(value, list) else value)
    key = (q.id, language, request.script_root, answer)
    return _kept(STEP_QUESTIONS, key, lambda: _question(q, form()[q.id]))


def _question(q: Question, field: Any) -> Markup:
    macros: Any = current_app.jinja_env.get_template("patient/_step_question.html").module
    return Markup(macros.step_question(q, field))


def _kept(name: str, key: Any, make: Callable[[], T]) -> T:
    """What the patient pages keep for this app under `key`, made the first time only (per
    app: its clinic's name is on every page)."""
    kept: dict[Any, T] = current_app.extensions.setdefault(name, {})
    value = kept.get(key)
    if value is None:
        if len(kept) >= MAX_KEPT:  # a bound that the bank's questions and answers never reach
            kept.clear()
        value = kept[key] = make()
    return value


def _form_data(questions: list[Question], answers: dict[str, Any]) -> dict[str, Any]:
    """The draft's answers as the form expects them ("None of these" for an empty list)."""
    data: dict[str, Any] = {}
    for q in questions:
        value = answers.get(q.id)
        if q.kind == "multi" and value == []:
            value = [NONE_OF_THESE]
        data[q.id] = value
    return data

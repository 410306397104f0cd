"""WTForms forms built per request from the question bank in `rules/`.

WTForms parses and validates; the HTML comes from our own macros in `templates/_form.html`
(rendering each option through WTForms' widgets was the slow part, docs/performance.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask_babel import gettext, lazy_gettext
from wtforms import (
    Field,
    Form,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from questionnaire.core.i18n import bank
from questionnaire.core.words import BEST_TIME_WORDS
from rules import Option, Question, Section
from rules.bank import AGE_MAX, AGE_MIN

NONE_OF_THESE = "none"


class AgeField(IntegerField):
    """A whole number with a message a patient understands."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        text = str(valuelist[0]).strip()
        if not re.fullmatch(r"\d{1,3}", text):
            self.data = None
            raise ValueError(gettext("Enter your age as a whole number, like 45"))
        self.data = int(text)


def _in_range(form: Form, field: Field) -> None:
    if field.data is not None and not AGE_MIN <= field.data <= AGE_MAX:
        raise ValidationError(
            gettext("Enter an age from %(low)s to %(high)s", low=AGE_MIN, high=AGE_MAX)
        )


def question_words(q: Question) -> str:
    """The question as the patient reads it, to name it in its error messages: its first
    sentence, in the page's language ("Where is the pain...? Choose the main one." names
    itself by the question alone)."""
    text = bank(q.text)
    end = text.find("? ")
    return text[: end + 1] if end >= 0 else text


def _one_of(codes: frozenset[str], q: Question | None = None) -> Any:
    def check(form: Form, field: Field) -> None:
        if field.data is not None and field.data not in codes:
            if q is None:
                raise ValidationError(gettext("Choose one of the answers shown"))
            raise ValidationError(
                gettext(
                    "Choose one of the answers shown for “%(question)s”", question=question_words(q)
                )
            )

    return check


def _some_of(q: Question) -> Any:
    def check(form: Form, field: Field) -> None:
        chosen = field.data or []
        if any(code not in q.codes and code != NONE_OF_THESE for code in chosen):
            raise ValidationError(
                gettext(
                    "Choose from the answers shown for “%(question)s”", question=question_words(q)
                )
            )
        if NONE_OF_THESE in chosen and len(chosen) > 1:
            raise ValidationError(
                gettext(
                    "For “%(question)s”, choose 'None of these' or some of the answers, not both",
                    question=question_words(q),
                )
            )

    return check


def _field(q: Question) -> Field:
    presence = InputRequired(message=_required_message(q)) if q.required else Optional()
    if q.kind == "int":
        return AgeField(q.text, validators=[presence, _in_range])
    choices = [SelectChoice(o.code, o.label) for o in q.options]
    if q.kind == "multi":
        return SelectMultipleField(
            q.text, choices=choices, validate_choice=False, validators=[_some_of(q)]
        )
    return RadioField(
        q.text, choices=choices, validate_choice=False, validators=[presence, _one_of(q.codes, q)]
    )


def _required_message(q: Question) -> str:
    """Made with the form class, once per language (its messages are in the page's)."""
    if q.kind == "int":
        return gettext("Enter your age")
    return gettext("Choose an answer to “%(question)s”", question=question_words(q))


class StepForm(Form):
    questions: list[Question]

    def answers(self) -> dict[str, Any]:
        """This step's answers in the rules' vocabulary; None means not answered."""
        out: dict[str, Any] = {}
        for q in self.questions:
            data = self[q.id].data
            if q.kind == "multi":
                if not data:
                    out[q.id] = None
                else:
                    out[q.id] = [] if NONE_OF_THESE in data else list(data)
            else:
                out[q.id] = data if data not in ("", None) else None
        return out


def step_form(section: Section, answers: dict[str, Any]) -> type[StepForm]:
    """A fresh form class for the questions of `section` that the answers so far show."""
    visible = [q for q in section.questions if q.is_shown(answers)]
    attrs: dict[str, Any] = {q.id: _field(q) for q in visible}
    attrs["questions"] = visible
    return type(f"{section.id.title()}StepForm", (StepForm,), attrs)


def no_control_chars(form: Form, field: Field) -> None:
    """Refuse NUL and other control characters in one-line text: PostgreSQL cannot store a
    NUL, and nobody types one on purpose."""
    if field.data and any(ord(c) < 32 or ord(c) == 127 for c in field.data):
        raise ValidationError(gettext("Remove the special characters from this answer"))


def _without_spaces(value: str | None) -> str | None:
    return "".join(value.split()) if value else value


def _six_digits(form: Form, field: Field) -> None:
    if not re.fullmatch(r"[0-9]{6}", field.data or ""):
        raise ValidationError("Enter the 6 digits your authenticator app shows, like 123456")


class CodeForm(Form):
    """A code from an authenticator app; spaces typed in it (123 456) are dropped."""

    code = StringField(
        "Code from your authenticator app",
        filters=[_without_spaces],
        validators=[InputRequired("Enter the code from your authenticator app"), _six_digits],
    )


PHONE_RE = re.compile(r"^\+?[0-9 ()-]{6,25}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _phone(form: Form, field: Field) -> None:
    if field.data and (not PHONE_RE.match(field.data) or sum(c.isdigit() for c in field.data) < 6):
        raise ValidationError(
            gettext("Enter a phone number, like 01632 960 001 or +44 7700 900 123")
        )


def _email(form: Form, field: Field) -> None:
    if field.data and not EMAIL_RE.match(field.data):
        raise ValidationError(
            gettext("Enter an email address like name@example.com, or leave it empty")
        )


BEST_TIMES = tuple(Option(code, label) for code, label in BEST_TIME_WORDS.items())


# The words come in lazy_gettext'd at each call: pybabel finds only literal strings.
def _name_field(label: Any, required: Any) -> StringField:
    return StringField(
        label,
        filters=[lambda s: s.strip() if s else s],
        validators=[InputRequired(required), Length(max=100), no_control_chars],
    )


def _phone_field(label: Any, required: Any) -> StringField:
    return StringField(
        label,
        filters=[lambda s: s.strip() if s else s],
        validators=[
            InputRequired(required),
            Length(max=30),
            no_control_chars,
            _phone,
        ],
    )


# The patient's words on the result page: lazy, as the class is made before any request.
class CallbackForm(Form):
    name = _name_field(lazy_gettext("Your name"), lazy_gettext("Enter your name"))
    phone = _phone_field(lazy_gettext("Phone number"), lazy_gettext("Enter a phone number"))
    email = StringField(
        lazy_gettext("Email address (optional)"),
        filters=[lambda s: s.strip() if s else s],
        validators=[Optional(), Length(max=254), no_control_chars, _email],
    )
    best_time = RadioField(
        lazy_gettext("Best time to call"),
        choices=[SelectChoice(o.code, o.label) for o in BEST_TIMES],
        validate_choice=False,
        validators=[
            InputRequired(lazy_gettext("Choose the best time to call")),
            _one_of(frozenset(o.code for o in BEST_TIMES)),
        ],
    )


class GuardianCallbackForm(CallbackForm):
    """The call-back form for a patient younger than GUARDIAN_AGE: the clinic phones a parent
    or guardian, so it asks for theirs. Stored in the same columns as CallbackForm's."""

    name = _name_field(
        lazy_gettext("Your parent's or guardian's name"),
        lazy_gettext("Enter your parent's or guardian's name"),
    )
    phone = _phone_field(
        lazy_gettext("Your parent's or guardian's phone number"),
        lazy_gettext("Enter your parent's or guardian's phone number"),
    )


def error_list(
    form: Form, label: Callable[[str], str] = str, *, named: bool = False
) -> list[tuple[str, str]]:
    """(anchor, message) pairs for the error summary of a WTForms form, the one way every
    form's summary is made: the anchor is the field's id, or its first option's (id-0) for a
    group of radios or checkboxes, which has no element of its own to land on. `label` gives
    a label in the page's words (the step forms' labels are the question bank's English).
    `named`: the messages name their question themselves (the step forms'), so the summary
    gives them alone, as the field does."""
    out = []
    for field in form:
        if field.errors:
            grouped = field.type in ("RadioField", "SelectMultipleField")
            out.append(
                (
                    field.id + ("-0" if grouped else ""),
                    field.errors[0] if named else f"{label(field.label.text)} – {field.errors[0]}",
                )
            )
    return out

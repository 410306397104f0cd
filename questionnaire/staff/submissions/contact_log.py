"""The contact log: each try at reaching a patient about a call-back request or a red flag,
how it ended, by whom and when. Attempts are only ever added (models._append_only and the
triggers of migration 55b9adac9a35); the submission's row carries the latest outcome and
the count, which is what the worklist reads."""

from __future__ import annotations

from sqlalchemy.orm import Session
from wtforms import Form, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from questionnaire.core import audit
from questionnaire.core.models import NO_FLAG_RANK, ContactAttempt, Submission, User
from questionnaire.core.words import CONTACT_WORDS
from rules import Option

MAX_NOTE = 2000


def plain_text(form: Form, field: TextAreaField) -> None:
    """A note (this log's or a review's) may have line breaks and tabs, no other control
    characters: PostgreSQL cannot store a NUL."""
    if field.data and any(ord(c) < 32 and c not in "\r\n\t" for c in field.data):
        raise ValidationError("Remove the special characters from the note")


CHOOSE = "Choose how the call went"


def _known_outcome(form: Form, field: RadioField) -> None:
    if field.data not in CONTACT_WORDS:
        raise ValidationError(CHOOSE)


OUTCOME_OPTIONS = tuple(Option(code, label) for code, label in CONTACT_WORDS.items())


class ContactForm(Form):
    """Prefixed ("contact-outcome"), as it shares the detail page with the review form."""

    outcome = RadioField(
        "How did it go?",
        choices=[SelectChoice(o.code, o.label) for o in OUTCOME_OPTIONS],
        validators=[InputRequired(CHOOSE), _known_outcome],
        validate_choice=False,
    )
    note = TextAreaField(
        "Note (optional)",
        validators=[
            Length(max=MAX_NOTE, message=f"Keep the note to {MAX_NOTE:,} characters or fewer"),
            plain_text,
        ],
    )


def can_log(submission: Submission) -> bool:
    """A call-back request or a red flag: what staff phone a patient about."""
    return submission.callback is not None or submission.tier_rank < NO_FLAG_RANK


def record(
    db: Session, submission: Submission, author: User, outcome: str, note: str
) -> ContactAttempt:
    """An attempt added, the submission's latest outcome and count set to match, and the
    audit event (the outcome, never the note), all in the caller's transaction."""
    attempt = ContactAttempt(
        submission_id=submission.id,
        author_id=author.id,
        author_email=author.email,
        outcome=outcome,
        note=note,
    )
    db.add(attempt)
    submission.contact_outcome = outcome
    submission.contact_attempts += 1
    audit.record(
        db,
        "contact_recorded",
        user=author,
        target=f"submission:{submission.id}",
        outcome=outcome,
        attempt=submission.contact_attempts,
    )
    return attempt

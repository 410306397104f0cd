"""Turning a finished draft into a stored submission, in one transaction."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.core import audit
from questionnaire.core.models import (
    NO_FLAG_RANK,
    TIER_RANKS,
    CallbackRequest,
    Draft,
    ReviewNote,
    Submission,
    User,
    new_reference,
)
from questionnaire.staff.alerts import outbox as alerts
from rules import BANK_VERSION, RULES_VERSION, Screening, evaluate

# The screening's lists kept beside it as ids joined with ; (models.Submission.red_flags).
LISTED = ("red_flags", "cautions")
# The bookings whose result offers to have the clinic phone the patient: the result page's
# form and the view that takes it both ask offers_call_back.
CALL_BACK_BOOKINGS = frozenset({"book", "call_back"})


class NotReady(Exception):
    """The draft still has required questions to answer."""


def submit_key(draft_token: str, form_token: str) -> str:
    """What a submission stores to recognise the form that sent it: a hash of the draft's
    cookie token with the review form's submit token. The form token alone is in the page,
    and so in anything that sees the page; only the browser holding the draft's cookie can
    name the submission with both. (A draft token never holds a newline.)"""
    return hashlib.sha256(f"{draft_token}\n{form_token}".encode()).hexdigest()


def by_submit_key(db: Session, key: str) -> Submission | None:
    return db.scalars(select(Submission).where(Submission.submit_token == key)).first()


def create(db: Session, draft: Draft, key: str, language: str = "en") -> Submission:
    """Store the draft as a submission under `key` (see submit_key) and delete the draft;
    the caller commits both or neither. Raises NotReady when a required answer is missing.
    `language`: the LANGUAGES code the patient read the check in."""
    screening = evaluate(draft.answers)
    if screening.missing and not screening.red_flags:
        raise NotReady(screening.missing)
    submission = Submission(
        reference=new_reference(),
        submit_token=key,
        answers=dict(draft.answers),
        consent_version=draft.consent_version,
        consented_at=draft.consented_at,
        language=language,
        **outcome_columns(screening),
    )
    db.add(submission)
    db.flush()
    alerts.on_submission(db, submission)  # in this transaction: no alert without its event
    consume_draft(db, draft)
    return submission


def outcome_columns(screening: Screening) -> dict[str, object]:
    stored = screening.to_dict()
    return {
        "bank_version": BANK_VERSION,
        "rules_version": RULES_VERSION,
        "screening": stored,
        **{key: ";".join(item["id"] for item in stored[key]) for key in LISTED},
        "booking": screening.booking,
        "tier": screening.tier,
        "tier_rank": TIER_RANKS[screening.tier] if screening.tier else NO_FLAG_RANK,
        **{name: ind.level for name, ind in screening.indications.items()},
    }


def consume_draft(db: Session, draft: Draft) -> None:
    db.delete(draft)
    db.flush()


def offers_call_back(submission: Submission) -> bool:
    return submission.booking in CALL_BACK_BOOKINGS


def add_callback(
    db: Session, submission: Submission, data: dict[str, str | None]
) -> CallbackRequest:
    request = CallbackRequest(
        submission_id=submission.id,
        name=data["name"] or "",
        phone=data["phone"] or "",
        email=data["email"] or None,
        best_time=data["best_time"] or "any",
    )
    db.add(request)
    alerts.on_callback(db, submission)
    db.flush()
    return request


def add_review(
    db: Session, submission: Submission, author: User, status: str, note: str
) -> ReviewNote:
    """A clinician's review: a note (only ever added, never edited), the submission's review
    status set to its outcome, and the audit event, all in the caller's transaction."""
    review = ReviewNote(
        submission_id=submission.id,
        author_id=author.id,
        author_email=author.email,
        status=status,
        text=note.strip(),
    )
    db.add(review)
    submission.review_status = status
    audit.record(
        db, "submission_reviewed", user=author, target=f"submission:{submission.id}", status=status
    )
    return review

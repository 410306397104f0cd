"""The results this browser may show: kept in its session cookie, oldest first, each for the
draft lifetime at most, so that a shared device forgets them."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import NamedTuple

from flask import abort, current_app, session
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from questionnaire.core.db import session as db_session
from questionnaire.core.models import Submission, utcnow

RESULTS_KEY = "results"


class Sent(NamedTuple):
    """A result this browser may show, when it was sent (seconds since the epoch), and a
    digest of the submit token of the form that sent it, so that a replay of that form from
    this browser finds it again once the draft and its cookie token are gone."""

    submission_id: str
    sent_at: int
    form_digest: str


def lifetime() -> timedelta:
    """How long a draft lives, and how long this browser may show a result once sent."""
    return timedelta(hours=current_app.config["DRAFT_LIFETIME_HOURS"])


def sent_results() -> list[Sent]:
    """The results this browser remembers, oldest first, less those past their lifetime. An
    entry of another shape was written by an earlier version (a bare id, with no time): it is
    forgotten too."""
    cutoff = utcnow().timestamp() - lifetime().total_seconds()
    return [
        Sent(*entry)
        for entry in session.get(RESULTS_KEY, [])
        if isinstance(entry, list) and len(entry) == len(Sent._fields) and entry[1] > cutoff
    ]


def _form_digest(form_token: str) -> str:
    # Half a SHA-256 is plenty to tell apart the few forms one browser has sent.
    return hashlib.sha256(form_token.encode()).hexdigest()[:32]


def remember(submission: Submission, form_token: str) -> None:
    kept = [s for s in sent_results() if s.submission_id != submission.id]
    sent = Sent(submission.id, int(submission.created_at.timestamp()), _form_digest(form_token))
    session[RESULTS_KEY] = [list(s) for s in [*kept[-4:], sent]]


def sent_from_this_browser(form_token: str) -> Submission | None:
    """The submission already made with this form, when this browser remembers sending it."""
    digest = _form_digest(form_token)
    for sent in sent_results():
        if sent.form_digest == digest:
            return db_session().get(Submission, sent.submission_id)
    return None


def own_submission(submission_id: str) -> Submission:
    """Only the browser that sent it may see a result, only within its lifetime, and never
    once it chose to forget it (a copy of its old cookie included). Anything else gets the
    same refusal, which names no one and shows nothing of any result."""
    submission = None
    if submission_id in {s.submission_id for s in sent_results()}:
        submission = db_session().get(Submission, submission_id)
    if submission is None or submission.result_forgotten_at is not None:
        abort(404)  # the site's own page says a result shows only where it was sent
    return submission


def references(db: Session) -> list[str]:
    """The references of the results this browser may show, to note before forgetting them."""
    ids = [s.submission_id for s in sent_results()]
    if not ids:
        return []
    return list(db.scalars(select(Submission.reference).where(Submission.id.in_(ids))))


def forget(db: Session) -> bool:
    """Forget every result this browser remembers, here and on the server, so a copy of this
    cookie taken before no longer opens them either; whether there were any."""
    ids = [entry[0] for entry in session.pop(RESULTS_KEY, []) if isinstance(entry, list) and entry]
    if ids:
        db.execute(
            update(Submission)
            .where(Submission.id.in_(ids), Submission.result_forgotten_at.is_(None))
            .values(result_forgotten_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return bool(ids)

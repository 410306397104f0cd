"""Nothing typed is lost to the idle timeout: a review or contact form posted after the
clinician's session ended is kept, for that person alone and for a short time, and filled
in again on the same page once they have signed in (views.keeps_typed_text).

The row is found by the SHA-256 of a random token that only the browser which posted it
holds (its own cookie: signing in clears the session, not this); it is given back only to
the account whose session it was, on the submission it was typed for, once, within
KEPT_FOR, and deleted then. Nothing of it is written to the audit log or the URL.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from questionnaire.core.models import KeptText, utcnow
from questionnaire.core.words import printable

KEPT_FOR = timedelta(minutes=30)


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def cookie_name(secure: bool) -> str:
    # `__Host-`, as for the session cookie: this exact host only, Secure, Path=/.
    return "__Host-kept" if secure else "kept"


def keep(db: Session, user_id: int, submission_id: str, form: str, fields: dict[str, str]) -> str:
    """Keep `fields` (as posted) for `user_id`; the token for the browser's cookie."""
    now = utcnow()
    db.execute(delete(KeptText).where(KeptText.expires_at < now))
    token = secrets.token_urlsafe(32)
    db.add(
        KeptText(
            id=_key(token),
            user_id=user_id,
            submission_id=submission_id,
            form=form,
            fields={name: printable(value) for name, value in fields.items()},
            created_at=now,
            expires_at=now + KEPT_FOR,
        )
    )
    return token


def take(
    db: Session, token: str | None, user_id: int, submission_id: str
) -> tuple[str, dict[str, str]] | None:
    """(form, fields) kept by this browser for this person and submission, once; else None."""
    if not token:
        return None
    row = db.get(KeptText, _key(token))
    if row is None or row.user_id != user_id or row.submission_id != submission_id:
        return None
    db.delete(row)
    if row.expires_at < utcnow():
        return None
    return row.form, row.fields


def set_cookie(response: Response, token: str, secure: bool) -> None:
    response.set_cookie(
        cookie_name(secure),
        token,
        max_age=int(KEPT_FOR.total_seconds()),
        path="/",
        secure=secure,
        httponly=True,
        samesite="Lax",
    )


def clear_cookie(response: Response, secure: bool) -> None:
    response.delete_cookie(cookie_name(secure), path="/", secure=secure, httponly=True)

"""The devices a person signs in from, so that a sign-in from a new one after a pause is
told to them by email: guesses that got through would show up there.

A device is a browser that keeps a random token in a long-lived cookie; the account keeps
the tokens' SHA-256 digests, the last NOTE_DEVICES of them. A person who clears their
cookies looks like a new device: one more email, never one fewer.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import after_this_request, current_app, request
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from questionnaire.core import audit
from questionnaire.core.models import User, utcnow
from questionnaire.staff.alerts import outbox

NOTE_DEVICES = 10
COOKIE_LIFETIME = timedelta(days=400)  # the longest a browser keeps a cookie (RFC 6265bis)


def cookie_name() -> str:
    # `__Host-`: kept only if Secure, for Path=/ and this exact host, as the session's is.
    return "__Host-staff-device" if current_app.config["SESSION_COOKIE_SECURE"] else "staff_device"


def paused_since_last_sign_in(user: User) -> bool:
    return user.lock_level_at is not None and (
        user.last_login_at is None or user.lock_level_at > user.last_login_at
    )


def note_sign_in(db: Session, user: User) -> None:
    """Before the sign-in's time is stored: email the person if their account was paused
    since they last signed in and this device is new to it; remember the device."""
    token = request.cookies.get(cookie_name()) or secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode()).hexdigest()
    if digest in user.known_devices:
        return
    if paused_since_last_sign_in(user):
        outbox.on_new_device(db, user, utcnow())
        audit.record(db, "new_device_told", user=user)
    user.known_devices = [*user.known_devices, digest][-NOTE_DEVICES:]

    @after_this_request
    def _keep(response: Response) -> Response:
        response.set_cookie(
            cookie_name(),
            token,
            max_age=int(COOKIE_LIFETIME.total_seconds()),
            path="/",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
        return response

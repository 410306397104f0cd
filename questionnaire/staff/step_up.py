"""Step-up: an action that widens access asks for a current code from the authenticator app
when the session's last one is more than STEP_UP_MINUTES old.

A stolen session cookie (and its CSRF token) alone then cannot make an admin, hand out a
password or a set-up code, or mint an API token: the thief needs the owner's phone too. The
code is asked on a page of its own that carries every value the person typed as hidden
inputs and posts them back to the same URL, so nothing typed is lost; a wrong code is
counted toward the account's lock (lockout), audited, and changes nothing.

Use it under require_role, on a POST view:

    @bp.post("/users")
    @require_role("admin")
    @require_recent_code("add an account")
    def add_user(): ...
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, render_template, request

from questionnaire.core import audit
from questionnaire.core.db import session as db_session
from questionnaire.core.forms import CodeForm, error_list
from questionnaire.core.models import StaffSession, utcnow
from questionnaire.staff import lockout
from questionnaire.staff.access import signed_in
from questionnaire.staff.sign_in_views import CODE_LOCKED, sign_out_locked

F = TypeVar("F", bound=Callable[..., Any])
PREFIX = "step-up-"  # the code's field is step-up-code: no clash with a form's own fields
NOT_CARRIED = frozenset({"csrf_token", f"{PREFIX}code"})
STEP_UP_WRONG = (
    "That code is not right, or it has been used already. Enter the code your app shows now. "
    "Nothing has been changed."
)
STEP_UP_PAUSED = (
    "Code checks for your account are paused after too many wrong passwords or codes, so "
    "nothing has been changed. Try again later."
)


def code_is_recent(row: StaffSession) -> bool:
    minutes = current_app.config["STEP_UP_MINUTES"]
    return row.code_at is not None and utcnow() - row.code_at <= timedelta(minutes=minutes)


def require_recent_code(action: str) -> Callable[[F], F]:
    """`action`: what the person is doing, in words for the page ("add an account")."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            here = signed_in()
            assert here is not None, "require_role comes first"
            if (
                not current_app.config["MFA_REQUIRED"]
                or not here.user.has_authenticator
                or code_is_recent(here.row)
            ):
                return view(*args, **kwargs)
            if f"{PREFIX}code" not in request.form:
                return _page(CodeForm(prefix=PREFIX), action), 200
            form = CodeForm(request.form, prefix=PREFIX)
            if not form.validate():
                return _page(form, action), 400
            db = db_session()
            outcome = lockout.attempt_code(db, here.user, form.code.data or "")
            if outcome == "ok":
                here.row.code_at = utcnow()
                audit.record(db, "step_up_passed", user=here.user, endpoint=request.endpoint)
                # Committed apart from the view's change: the code is used up even if the
                # view then refuses what was typed, as at sign-in.
                db.commit()
                return view(*args, **kwargs)
            audit.record(
                db, "step_up_failed", user=here.user, endpoint=request.endpoint, reason=outcome
            )
            if outcome == "locked_now":
                return sign_out_locked(here.user, CODE_LOCKED)
            db.commit()
            form.code.errors = [STEP_UP_PAUSED if outcome == "locked" else STEP_UP_WRONG]
            return _page(form, action), 400

        return wrapper  # type: ignore[return-value]

    return decorate


def _page(form: CodeForm, action: str) -> str:
    carried = [(k, v) for k, v in request.form.items(multi=True) if k not in NOT_CARRIED]
    return render_template(
        "staff/step_up.html",
        form=form,
        errors=error_list(form),
        action=action,
        carried=carried,
        minutes=current_app.config["STEP_UP_MINUTES"],
    )

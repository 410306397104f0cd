"""Staff sign-in, sign-out, password change and the staff home page."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response
from wtforms import Form, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from . import accounts, audit
from .access import STAFF_KEY, current_user, require_role, safe_next
from .db import session as db_session
from .forms import no_control_chars
from .models import User

bp = Blueprint("auth", __name__, url_prefix="/staff")

LOCK_MINUTES = accounts.LOCK_TIME // timedelta(minutes=1)
SIGN_IN_FAILED = (
    "The email address or password is not right. After 5 tries in 15 minutes, signing in to "
    "that account is paused for 15 minutes."
)
CURRENT_WRONG = {
    "bad_credentials": "Your current password is not right",
    "locked": (
        "Password checks for your account are paused after too many wrong passwords. "
        f"Try again in {LOCK_MINUTES} minutes."
    ),
}


class LoginForm(Form):
    email = StringField(
        "Email address",
        [InputRequired("Enter your email address"), Length(max=254), no_control_chars],
    )
    password = PasswordField(
        "Password", [InputRequired("Enter your password"), Length(max=accounts.MAX_PASSWORD_LENGTH)]
    )


class PasswordForm(Form):
    current = PasswordField("Current password", [InputRequired("Enter your current password")])
    new = PasswordField("New password", [InputRequired("Enter a new password")])
    confirm = PasswordField(
        "New password again",
        [
            InputRequired("Enter the new password again"),
            EqualTo("new", "The two new passwords are not the same"),
        ],
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm(request.form)
    error = None
    if request.method == "POST" and form.validate():
        db = db_session()
        result = accounts.sign_in(db, form.email.data or "", form.password.data or "")
        if result.outcome == "ok" and result.user is not None:
            session.clear()  # a new session on sign-in: nothing carried over
            session[STAFF_KEY] = accounts.open_session(db, result.user)
            audit.record(db, "login", user=result.user)
            db.commit()
            if result.user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next(request.args.get("next")) or url_for("auth.home"))
        typed = accounts.normalise_email(form.email.data or "")
        email = typed if accounts.looks_like_email(typed) else None
        audit.record(db, "login_failed", user=result.user, email=email, reason=result.outcome)
        if result.outcome == "locked_now":
            audit.record(db, "lockout", user=result.user, minutes=LOCK_MINUTES)
        db.commit()
        error = SIGN_IN_FAILED
    elif request.method == "POST":
        error = "Enter your email address and password"
    status = 400 if error else 200
    return render_template("staff/login.html", form=form, error=error), status


@bp.post("/logout")
def logout() -> Response:
    user = current_user()
    db = db_session()
    accounts.close_session(db, session.get(STAFF_KEY))
    if user is not None:
        audit.record(db, "logout", user=user)
    db.commit()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@require_role()
def change_password() -> str | Response | tuple[str, int]:
    user = current_user()
    assert user is not None
    form = PasswordForm(request.form)
    if request.method == "POST" and form.validate():
        db = db_session()
        checked = accounts.attempt_password(db, user, form.current.data or "")
        if checked != "ok":
            audit.record(
                db, "password_change_failed", user=user, target=f"user:{user.id}", reason=checked
            )
            if checked == "locked_now":
                return _sign_out_locked(user)
            db.commit()
            form.current.errors = [CURRENT_WRONG[checked]]
        else:
            try:
                accounts.set_password(db, user, form.new.data or "")  # ends every session
            except accounts.AccountError as exc:
                db.commit()  # the right current password still clears earlier failures
                form.new.errors = [str(exc)]
            else:
                session[STAFF_KEY] = accounts.open_session(db, user)
                audit.record(db, "password_changed", user=user, target=f"user:{user.id}")
                db.commit()
                flash(
                    "Your password has been changed. Other sessions have been signed out.",
                    "success",
                )
                return redirect(url_for("auth.home"))
    status = 400 if request.method == "POST" else 200
    return render_template("staff/password.html", form=form, user=user), status


def _sign_out_locked(user: User) -> Response:
    """The session that made the failure locking the account ends: whoever holds it did not
    know the password, and it must not be kept for guessing once the lock runs out."""
    db = db_session()
    audit.record(db, "lockout", user=user, minutes=LOCK_MINUTES)
    accounts.close_session(db, session.get(STAFF_KEY))
    db.commit()
    session.clear()
    flash(
        f"Your current password was not right {accounts.FAILURES_BEFORE_LOCK} times, so you "
        f"have been signed out and signing in is paused for {LOCK_MINUTES} minutes.",
        "error",
    )
    return redirect(url_for("auth.login"))


@bp.get("/")
@require_role()
def home() -> str:
    return render_template("staff/home.html", user=current_user())

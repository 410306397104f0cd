"""Staff sign-in (password, then a code from an authenticator app), sign-out, password
change and the staff home page."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import Form, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from questionnaire.core import audit
from questionnaire.core.db import session as db_session
from questionnaire.core.forms import CodeForm, error_list, no_control_chars
from questionnaire.core.models import User, utcnow
from questionnaire.staff import accounts, devices, lockout, mfa, passwords, sessions
from questionnaire.staff.access import STAFF_KEY, current_user, require_role, safe_next, signed_in
from questionnaire.staff.submissions import views as clinician

bp = Blueprint("auth", __name__, url_prefix="/staff")

FIRST_PAUSE = lockout.PAUSES[0] // timedelta(minutes=1)
# How long a pause lasts, in words: it grows with each run of failures (lockout.PAUSES).
PAUSE_WORDS = (
    f"{FIRST_PAUSE} minutes the first time, then longer each time after, up to a day. "
    "An administrator can lift it"
)
SIGN_IN_FAILED = (
    f"The email address or password is not right. After {lockout.FAILURES_BEFORE_LOCK} "
    f"tries in {lockout.FAILURE_WINDOW // timedelta(minutes=1)} minutes, signing in to that "
    f"account is paused: for {PAUSE_WORDS}."
)
TEMPORARY_EXPIRED = (
    "That temporary password has run out or has been used already: each one works for one "
    "sign-in, within a few days. Ask an administrator for a new one."
)
BUSY = accounts.BUSY
BUSY_SECONDS = 2  # Retry-After: a check takes well under a second
CURRENT_WRONG = {
    "bad_credentials": "Your current password is not right",
    "locked": (
        "Password checks for your account are paused after too many wrong passwords or "
        f"codes, for {PAUSE_WORDS}."
    ),
}
CODE_WRONG = {
    "code": (
        "That code is not right, or it has been used already. Enter the code your app shows now."
    ),
    "recovery_code": "That recovery code is not right, or it has been used already.",
}
CODE_PAUSED = (
    "Code checks for your account are paused after too many wrong passwords or codes, "
    f"for {PAUSE_WORDS}."
)
CODE_LOCKED = (
    "Too many wrong passwords or codes, so signing in to your account is paused, for "
    f"{PAUSE_WORDS}. You have been signed out."
)


class LoginForm(Form):
    email = StringField(
        "Email address",
        [InputRequired("Enter your email address"), Length(max=254), no_control_chars],
    )
    password = PasswordField(
        "Password",
        [InputRequired("Enter your password"), Length(max=passwords.MAX_PASSWORD_LENGTH)],
    )


class RecoveryForm(Form):
    recovery_code = StringField(
        "Recovery code",
        [
            InputRequired("Enter one of your recovery codes"),
            Length(max=64, message="A recovery code looks like abcd-efgh-jkmn-pqrs"),
            no_control_chars,
        ],
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


def _mfa_required() -> bool:
    return current_app.config["MFA_REQUIRED"]


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm(request.form)
    error = None
    if request.method == "POST" and form.validate():
        db = db_session()
        email, password = form.email.data or "", form.password.data or ""
        try:
            result = accounts.sign_in(db, email, password, mfa_required=_mfa_required())
        except passwords.Busy:
            return _busy(db, email, form)
        if result.outcome == "ok" and result.user is not None:
            sessions.close_session(db, session.get(STAFF_KEY))  # an earlier sign-in here
            session.clear()  # a new session on sign-in: nothing carried over
            if not _mfa_required():
                return complete_sign_in(result.user, "none")
            return _half_way(result.user)
        typed = accounts.normalise_email(email)
        email = typed if accounts.looks_like_email(typed) else None
        audit.record(db, "login_failed", user=result.user, email=email, reason=result.outcome)
        if result.outcome == "locked_now" and result.user is not None:
            audit.record(
                db, "lockout", user=result.user, minutes=lockout.pause_minutes(result.user)
            )
        db.commit()
        error = TEMPORARY_EXPIRED if result.outcome == "temporary_expired" else SIGN_IN_FAILED
    # A form that does not validate shows its fields' own errors; `error` is a refusal.
    status = 400 if error or form.errors else 200
    return render_template("staff/login.html", form=form, error=error), status


def _busy(db: Session, email: str, form: LoginForm) -> Response:
    """No password check was free on this host: nothing was looked up or counted."""
    typed = accounts.normalise_email(email)
    audit.record(
        db,
        "login_failed",
        email=typed if accounts.looks_like_email(typed) else None,
        reason="busy",
    )
    db.commit()
    page = render_template("staff/login.html", form=form, error=BUSY)
    return Response(page, 503, {"Retry-After": str(BUSY_SECONDS)})


def _half_way(user: User) -> Response:
    """The password was right: a session that reaches only the next step, the code page
    (or, for someone without an authenticator yet, the password and set-up pages)."""
    db = db_session()
    session[STAFF_KEY] = sessions.open_session(db, user, mfa_passed=False)
    audit.record(db, "password_accepted", user=user)
    db.commit()
    if user.has_authenticator:
        return redirect(url_for("auth.login_code", next=safe_next(request.args.get("next"))))
    if user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return redirect(url_for("authenticator.setup"))


def complete_sign_in(user: User, factor: str, *, notice: str | None = None) -> Response:
    """Signed in with every factor asked for; on to the page asked for at the start."""
    open_full_session(user, factor)
    if notice:
        flash(notice, "success")
    if user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return redirect(safe_next(request.args.get("next")) or url_for("auth.home"))


def open_full_session(user: User, factor: str) -> None:
    """A new session for a complete sign-in; the half-way one ends, in case its cookie was
    seen between the two steps. `factor`: "code", "recovery_code", "new_authenticator", or
    "none" with MFA_REQUIRED off."""
    db = db_session()
    sessions.close_session(db, session.get(STAFF_KEY))
    session.clear()
    session[STAFF_KEY] = sessions.open_session(db, user, mfa_passed=factor != "none")
    devices.note_sign_in(db, user)
    user.last_login_at = utcnow()
    audit.record(db, "login", user=user, factor=factor)
    db.commit()


@bp.route("/login/code", methods=["GET", "POST"])
@require_role()
def login_code() -> str | Response | tuple[str, int]:
    here = signed_in()
    assert here is not None
    user = here.user
    code_form, recovery_form = CodeForm(), RecoveryForm()
    if request.method == "GET":
        return _code_page(code_form, recovery_form), 200
    if "recovery_code" in request.form:
        recovery_form = RecoveryForm(request.form)
        form, field, factor = recovery_form, recovery_form.recovery_code, "recovery_code"
    else:
        code_form = CodeForm(request.form)
        form, field, factor = code_form, code_form.code, "code"
    if form.validate():
        db = db_session()
        typed = field.data or ""
        if factor == "recovery_code":
            outcome = lockout.attempt_recovery_code(db, user, typed)
        else:
            outcome = lockout.attempt_code(db, user, typed)
        if outcome == "ok":
            return _signed_in_with(user, factor)
        audit.record(db, "mfa_failed", user=user, factor=factor, reason=outcome)
        if outcome in ("locked_now", "locked"):
            return sign_out_locked(user, CODE_LOCKED, locked_now=outcome == "locked_now")
        db.commit()
        field.errors = [CODE_WRONG[factor]]
    return _code_page(code_form, recovery_form), 400


def _code_page(code_form: CodeForm, recovery_form: RecoveryForm) -> str:
    return render_template(
        "staff/login_code.html",
        code_form=code_form,
        recovery_form=recovery_form,
        errors=error_list(code_form) + error_list(recovery_form),
        minutes=sessions.CODE_STEP_TIME // timedelta(minutes=1),
    )


def _signed_in_with(user: User, factor: str) -> Response:
    if factor == "code":
        return complete_sign_in(user, factor)
    db = db_session()
    left = mfa.recovery_codes_left(db, user)
    audit.record(db, "mfa_recovery_used", user=user, left=left)
    notice = (
        f"You signed in with a recovery code. You have {left} left"
        + ("; make new ones now from your home page." if left <= 3 else ".")
        + " If you have lost your phone, ask an administrator to reset your authenticator app."
    )
    return complete_sign_in(user, factor, notice=notice)


@bp.post("/logout")
def logout() -> Response:
    here = signed_in()
    db = db_session()
    sessions.close_session(db, session.get(STAFF_KEY))
    if here is not None:
        audit.record(db, "logout", user=here.user)
    db.commit()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@require_role()
def change_password() -> str | Response | tuple[str, int]:
    here = signed_in()
    assert here is not None
    user = here.user
    form = PasswordForm(request.form)
    if request.method == "POST" and form.validate():
        db = db_session()
        try:
            with passwords.checking():  # the current password's check, and the new one's hash
                return _change_password(db, here, form)
        except passwords.Busy:
            form.current.errors = [BUSY]
            page = render_template("staff/password.html", form=form, user=user)
            return Response(page, 503, {"Retry-After": str(BUSY_SECONDS)})
    status = 400 if request.method == "POST" else 200
    return render_template("staff/password.html", form=form, user=user), status


def _change_password(
    db: Session, here: sessions.SignedIn, form: PasswordForm
) -> str | Response | tuple[str, int]:
    user = here.user
    checked = lockout.attempt_password(db, user, form.current.data or "")
    if checked != "ok":
        audit.record(
            db, "password_change_failed", user=user, target=f"user:{user.id}", reason=checked
        )
        if checked == "locked_now":
            return sign_out_locked(
                user,
                f"Your current password was not right {lockout.FAILURES_BEFORE_LOCK} "
                f"times, so you have been signed out and signing in is paused, for "
                f"{PAUSE_WORDS}.",
            )
        db.commit()
        form.current.errors = [CURRENT_WRONG[checked]]
        return render_template("staff/password.html", form=form, user=user), 400
    try:
        accounts.set_password(db, user, form.new.data or "")  # ends every session
    except accounts.AccountError as exc:
        db.commit()  # the right current password still clears earlier failures
        form.new.errors = [str(exc)]
        return render_template("staff/password.html", form=form, user=user), 400
    # The new session is as far through signing in, and as old, as the one it replaces.
    session[STAFF_KEY] = sessions.open_session(db, user, mfa_passed=False, replacing=here.row)
    audit.record(db, "password_changed", user=user, target=f"user:{user.id}")
    db.commit()
    flash("Your password has been changed. Other sessions have been signed out.", "success")
    return redirect(url_for("auth.home"))


def sign_out_locked(user: User, message: str, *, locked_now: bool = True) -> Response:
    """The session that made the failure locking the account ends: whoever holds it did not
    know the password (or the code), and it must not be kept for guessing once the lock
    runs out."""
    db = db_session()
    if locked_now:
        audit.record(db, "lockout", user=user, minutes=lockout.pause_minutes(user))
    sessions.close_session(db, session.get(STAFF_KEY))
    db.commit()
    session.clear()
    flash(message, "error")
    return redirect(url_for("auth.login"))


@bp.get("/")
@require_role()
def home() -> str:
    user = current_user()
    assert user is not None
    left = mfa.recovery_codes_left(db_session(), user) if user.has_authenticator else None
    # A clinician's home is the worklist: what needs a person now.
    work = clinician.worklist_context(None, None) if user.has_role("clinician") else {}
    return render_template("staff/home.html", user=user, recovery_codes_left=left, **work)

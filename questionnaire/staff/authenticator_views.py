"""A person's own second factor: setting up an authenticator app, and new recovery codes."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from questionnaire.core import audit
from questionnaire.core.db import session as db_session
from questionnaire.core.forms import CodeForm, no_control_chars
from questionnaire.core.models import User
from questionnaire.staff import lockout, mfa, sessions
from questionnaire.staff.access import require_role, signed_in
from questionnaire.staff.sign_in_views import (
    CODE_LOCKED,
    CODE_PAUSED,
    CODE_WRONG,
    open_full_session,
    sign_out_locked,
)

bp = Blueprint("authenticator", __name__, url_prefix="/staff/authenticator")

SETUP_MINUTES = sessions.SETUP_STEP_TIME // timedelta(minutes=1)
SETUP_CODE_WRONG = {
    "bad_setup_code": (
        "That set-up code is not right. Check it with the administrator who gave it to you."
    ),
    "setup_code_expired": (
        "That set-up code has run out. Ask an administrator to reset your authenticator app "
        "for a new one."
    ),
    "locked": CODE_PAUSED,
}


class SetupForm(CodeForm):
    """The code the new app shows, and the one-time set-up code from an admin."""

    setup_code = StringField(
        "Set-up code from your administrator",
        [
            InputRequired("Enter the set-up code your administrator gave you"),
            Length(max=64, message="A set-up code looks like abcd-efgh-jkmn-pqrs"),
            no_control_chars,
        ],
    )


class FirstSetupForm(CodeForm):
    """For an account made at the host with `flask create-user`: no set-up code."""


@bp.route("/setup", methods=["GET", "POST"])
@require_role()
def setup() -> str | Response | tuple[str, int]:
    """At first sign-in (after a temporary password is changed), or after an admin's reset.
    Set-up is complete only once a code made from the new secret matches."""
    here = signed_in()
    assert here is not None
    user = here.user
    if user.has_authenticator:
        return redirect(url_for("auth.home"))
    db = db_session()
    secret = mfa.pending_secret(db, here.row)
    db.commit()  # the same secret on a refresh
    form_class = SetupForm if user.setup_code_required else FirstSetupForm
    form = form_class(request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        if isinstance(form, SetupForm):
            checked = lockout.attempt_setup_code(db, user, form.setup_code.data or "")
            if checked != "ok":
                audit.record(db, "mfa_setup_refused", user=user, reason=checked)
                if checked == "locked_now":
                    return sign_out_locked(user, CODE_LOCKED)
                db.commit()
                form.setup_code.errors = [SETUP_CODE_WRONG[checked]]
                return _setup_page(form, secret, user), 400
        outcome = mfa.finish_setup(db, user, here.row, form.code.data or "")
        if outcome == "already":
            flash("Your authenticator app was set up meanwhile in another window.", "success")
            return redirect(url_for("auth.home"))
        if outcome == "ok":
            codes = mfa.new_recovery_codes(db, user)
            audit.record(db, "mfa_enrolled", user=user, setup_code_by=user.mfa_enrolled_code_by)
            if here.stage == "setup":
                open_full_session(user, "new_authenticator")  # commits
            db.commit()
            return render_template("staff/recovery_codes_new.html", codes=codes, first=True)
        form.code.errors = [
            "That code does not match. Check that the app has the account for "
            f"{user.email} and enter the code it shows now."
        ]
    return _setup_page(form, secret, user), (400 if request.method == "POST" else 200)


def _setup_page(form: CodeForm, secret: str, user: User) -> str:
    issuer = current_app.config["CLINIC_NAME"]
    uri = mfa.setup_uri(secret, user.email, issuer)
    return render_template(
        "staff/authenticator_setup.html",
        form=form,
        user=user,
        issuer=issuer,
        secret=mfa.grouped(secret),
        qr_code=mfa.qr_code(uri),
        minutes=SETUP_MINUTES,
    )


@bp.route("/recovery-codes", methods=["GET", "POST"])
@require_role()
def recovery_codes() -> str | Response | tuple[str, int]:
    """New recovery codes in place of the old ones, for a current code from the app: a
    stolen session alone cannot make codes that outlive it."""
    here = signed_in()
    assert here is not None
    user = here.user
    if not user.has_authenticator:
        return redirect(url_for("authenticator.setup"))
    db = db_session()
    form = CodeForm(request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        outcome = lockout.attempt_code(db, user, form.code.data or "")
        if outcome == "ok":
            codes = mfa.new_recovery_codes(db, user)
            audit.record(db, "mfa_recovery_regenerated", user=user)
            db.commit()
            return render_template("staff/recovery_codes_new.html", codes=codes, first=False)
        audit.record(db, "mfa_failed", user=user, factor="code", reason=outcome)
        if outcome == "locked_now":
            return sign_out_locked(user, CODE_LOCKED)
        db.commit()
        form.code.errors = [CODE_PAUSED if outcome == "locked" else CODE_WRONG["code"]]
    return render_template(
        "staff/recovery_codes.html", form=form, left=mfa.recovery_codes_left(db, user)
    ), (400 if request.method == "POST" else 200)

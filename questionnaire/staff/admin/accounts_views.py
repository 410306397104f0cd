"""Admins: staff accounts (make one, roles, disable and enable, unlock, resets)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, render_template, request
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import Form, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from questionnaire.core import audit
from questionnaire.core.db import session as db_session
from questionnaire.core.forms import no_control_chars
from questionnaire.core.models import ROLES, User, utcnow
from questionnaire.staff import accounts, lockout, passwords, sessions
from questionnaire.staff.access import current_user, require_role
from questionnaire.staff.admin.common import bp, done, get_or_404, refuse
from questionnaire.staff.step_up import require_recent_code
from rules import Option

ROLE_OPTIONS = tuple(Option(r, r.capitalize()) for r in ROLES)
ROLE_CHOICES = [SelectChoice(o.code, o.label) for o in ROLE_OPTIONS]
USERS = "admin.users"


class NewUserForm(Form):
    email = StringField(
        "Email address",
        [InputRequired("Enter an email address"), Length(max=254), no_control_chars],
    )
    roles = SelectMultipleField("Roles", choices=ROLE_CHOICES)


class RolesForm(Form):
    roles = SelectMultipleField("Roles", choices=ROLE_CHOICES)


@dataclass(frozen=True)
class Handover:
    """What an admin passes on to a person, shown once: a temporary password, a set-up
    code for their authenticator app, or both."""

    email: str
    password: str | None = None
    setup_code: str | None = None


def _render_users(new_form: NewUserForm, handover: Handover | None = None) -> str:
    users = db_session().scalars(select(User).order_by(User.email)).all()
    now = utcnow()
    return render_template(
        "staff/users.html",
        users=users,
        locked={u.id for u in users if lockout.is_locked(u, now)},
        form=new_form,
        role_options=ROLE_OPTIONS,
        handover=handover,
        hours={k: current_app.config[k] for k in ("TEMPORARY_PASSWORD_HOURS", "SETUP_CODE_HOURS")},
        me=current_user(),
    )


@bp.get("/users")
@require_role("admin")
def users() -> str:
    return _render_users(NewUserForm())


@bp.post("/users")
@require_role("admin")
@require_recent_code("add an account")
def add_user() -> str | tuple[str, int]:
    form = NewUserForm(request.form)
    if form.validate():
        db = db_session()
        password = passwords.temporary_password()
        try:
            user = accounts.create_user(
                db, form.email.data or "", password, list(form.roles.data or []), must_change=True
            )
        except accounts.AccountError as exc:
            form.email.errors = [str(exc)]
            audit.record(db, "user_create_refused", user=current_user(), reason=str(exc))
            db.commit()
        else:
            setup_code = _setup_code_for(user)
            audit.record(
                db, "user_created", user=current_user(), target=f"user:{user.id}", roles=user.roles
            )
            db.commit()
            # Shown once, to the admin, to pass on; the person must change the password at
            # first sign-in, and set up their app with the code.
            return _render_users(NewUserForm(), Handover(user.email, password, setup_code))
    return _render_users(form), 400


def _guard_self(user: User, *, dropping_admin: bool) -> None:
    me = current_user()
    if me is not None and me.id == user.id and dropping_admin:
        abort(refuse("You cannot remove your own admin access or disable yourself.", USERS))


@bp.post("/users/<int:user_id>/roles")
@require_role("admin")
@require_recent_code("change roles")
def set_roles(user_id: int) -> Response:
    user = get_or_404(User, user_id)
    form = RolesForm(request.form)
    roles = [r for r in ROLES if r in (form.roles.data or [])]
    _guard_self(user, dropping_admin="admin" not in roles)
    before = list(user.roles)
    user.roles = roles
    sessions.end_sessions(db_session(), user)  # new rights take effect at the next sign-in
    me = current_user()
    own = me is not None and me.id == user.id
    return done(
        "user_roles_changed",
        "Your roles are saved. You are signed out: sign in again to use them."
        if own
        else f"Roles for {user.email} saved. They take effect at {user.email}'s next sign-in.",
        USERS,
        target=f"user:{user.id}",
        before=before,
        after=roles,
    )


@bp.post("/users/<int:user_id>/disable")
@require_role("admin")
def disable(user_id: int) -> Response:
    user = get_or_404(User, user_id)
    _guard_self(user, dropping_admin=True)
    user.active = False
    sessions.end_sessions(db_session(), user)
    return done(
        "user_disabled",
        f"{user.email} is disabled and signed out everywhere.",
        USERS,
        target=f"user:{user.id}",
    )


@bp.post("/users/<int:user_id>/enable")
@require_role("admin")
@require_recent_code("re-enable an account")
def enable(user_id: int) -> Response:
    user = get_or_404(User, user_id)
    user.active = True
    user.locked_until = None
    return done("user_enabled", f"{user.email} can sign in again.", USERS, target=f"user:{user.id}")


@bp.post("/users/<int:user_id>/unlock")
@require_role("admin")
def unlock(user_id: int) -> Response:
    """Lift a lock from failed sign-ins at once: a stranger who knows the address can keep
    an account locked by failing again and again (lockout's module comment)."""
    user = get_or_404(User, user_id)
    was = lockout.unlock(user)
    return done(
        "user_unlocked",
        f"{user.email} can sign in again.",
        USERS,
        target=f"user:{user.id}",
        locked_until=was,
    )


@bp.post("/users/<int:user_id>/reset-mfa")
@require_role("admin")
@require_recent_code("reset an authenticator app")
def reset_mfa(user_id: int) -> Response | str:
    """For a lost phone. Not for oneself: an admin's own second factor is renewed with a
    code from it, so a stolen admin session cannot swap it for the thief's."""
    user = get_or_404(User, user_id)
    me = current_user()
    if me is not None and me.id == user.id:
        return refuse(
            "You cannot reset your own authenticator app here. Another admin can, or make "
            "new recovery codes with a code from your app.",
            USERS,
        )
    db = db_session()
    setup_code = accounts.reset_second_factor(db, user, _me_email())
    audit.record(db, "mfa_reset", user=me, target=f"user:{user.id}")
    db.commit()
    return _render_users(NewUserForm(), Handover(user.email, setup_code=setup_code))


@bp.post("/users/<int:user_id>/reset-password")
@require_role("admin")
@require_recent_code("reset a password")
def reset_password(user_id: int) -> str | Response:
    """A temporary password, for one sign-in; the person's own app still gives the code
    (an account without one yet gets a new set-up code too)."""
    user = get_or_404(User, user_id)
    password = passwords.temporary_password()
    db = db_session()
    try:
        accounts.set_password(db, user, password, must_change=True)
    except accounts.AccountError as exc:  # no password check free on this host just now
        return refuse(f"{exc}", USERS)
    setup_code = None if user.has_authenticator else _setup_code_for(user)
    audit.record(db, "password_reset", user=current_user(), target=f"user:{user.id}")
    db.commit()
    return _render_users(NewUserForm(), Handover(user.email, password, setup_code))


def _setup_code_for(user: User) -> str | None:
    """A set-up code to hand over with a new account's password; none where staff sign in
    with a password alone (MFA_REQUIRED off, a developer's machine)."""
    return (
        accounts.issue_setup_code(user, _me_email()) if current_app.config["MFA_REQUIRED"] else None
    )


def _me_email() -> str:
    me = current_user()
    assert me is not None  # every admin page requires a complete sign-in
    return me.email

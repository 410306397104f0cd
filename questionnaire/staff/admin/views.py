"""Admins: staff accounts, the audit log and the email alerts."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import DateField, Form, IntegerField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from questionnaire.core import audit, mail
from questionnaire.core.config import ALERT_ROUTES
from questionnaire.core.db import session as db_session
from questionnaire.core.forms import no_control_chars
from questionnaire.core.models import ROLES, Alert, AuditEvent, User, utcnow
from questionnaire.core.words import ALERT_STATUS_WORDS
from questionnaire.staff import accounts, pages
from questionnaire.staff.access import current_user, require_role
from questionnaire.staff.alerts import outbox as alerts
from questionnaire.staff.submissions.filters import active_filters, in_range, select_field
from rules import Option

bp = Blueprint("admin", __name__, url_prefix="/staff/admin")

AUDIT_PAGE = 100
ROLE_OPTIONS = tuple(Option(r, r.capitalize()) for r in ROLES)
ROLE_CHOICES = [SelectChoice(o.code, o.label) for o in ROLE_OPTIONS]


class NewUserForm(Form):
    email = StringField(
        "Email address",
        [InputRequired("Enter an email address"), Length(max=254), no_control_chars],
    )
    roles = SelectMultipleField("Roles", choices=ROLE_CHOICES)


class RolesForm(Form):
    roles = SelectMultipleField("Roles", choices=ROLE_CHOICES)


class AuditFilterForm(Form):
    user = StringField("User email", [Optional(), Length(max=254), no_control_chars])
    action = select_field("Action", {a: a for a in audit.ACTIONS})
    date_from = DateField("On or after", [Optional(), in_range])
    date_to = DateField("On or before", [Optional(), in_range])

    def active(self) -> dict[str, str]:
        return active_filters(self, ("user", "action", "date_from", "date_to"))


def _user(user_id: int) -> User:
    user = db_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


def _render_users(new_form: NewUserForm, temporary: tuple[str, str] | None = None) -> str:
    users = db_session().scalars(select(User).order_by(User.email)).all()
    now = utcnow()
    return render_template(
        "staff/users.html",
        users=users,
        locked={u.id for u in users if accounts.is_locked(u, now)},
        form=new_form,
        role_options=ROLE_OPTIONS,
        temporary=temporary,
        me=current_user(),
    )


@bp.get("/users")
@require_role("admin")
def users() -> str:
    return _render_users(NewUserForm())


@bp.post("/users")
@require_role("admin")
def add_user() -> str | tuple[str, int]:
    form = NewUserForm(request.form)
    if form.validate():
        db = db_session()
        password = accounts.temporary_password()
        try:
            user = accounts.create_user(
                db, form.email.data or "", password, list(form.roles.data or []), must_change=True
            )
        except accounts.AccountError as exc:
            form.email.errors = [str(exc)]
        else:
            audit.record(
                db, "user_created", user=current_user(), target=f"user:{user.id}", roles=user.roles
            )
            db.commit()
            # Shown once, to the admin, to pass on; the person must change it at first sign-in.
            return _render_users(NewUserForm(), temporary=(user.email, password))
    return _render_users(form), 400


def _guard_self(user: User, *, dropping_admin: bool) -> None:
    me = current_user()
    if me is not None and me.id == user.id and dropping_admin:
        flash("You cannot remove your own admin access or disable yourself.", "error")
        abort(redirect(url_for("admin.users")))


@bp.post("/users/<int:user_id>/roles")
@require_role("admin")
def set_roles(user_id: int) -> Response:
    user = _user(user_id)
    form = RolesForm(request.form)
    roles = [r for r in ROLES if r in (form.roles.data or [])]
    _guard_self(user, dropping_admin="admin" not in roles)
    before = list(user.roles)
    user.roles = roles
    db = db_session()
    accounts.end_sessions(db, user)  # new rights take effect at the next sign-in
    audit.record(
        db,
        "user_roles_changed",
        user=current_user(),
        target=f"user:{user.id}",
        before=before,
        after=roles,
    )
    db.commit()
    flash(f"Roles for {user.email} saved.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/disable")
@require_role("admin")
def disable(user_id: int) -> Response:
    user = _user(user_id)
    _guard_self(user, dropping_admin=True)
    user.active = False
    db = db_session()
    accounts.end_sessions(db, user)
    audit.record(db, "user_disabled", user=current_user(), target=f"user:{user.id}")
    db.commit()
    flash(f"{user.email} is disabled and signed out everywhere.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/enable")
@require_role("admin")
def enable(user_id: int) -> Response:
    user = _user(user_id)
    user.active = True
    user.locked_until = None
    db = db_session()
    audit.record(db, "user_enabled", user=current_user(), target=f"user:{user.id}")
    db.commit()
    flash(f"{user.email} can sign in again.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/unlock")
@require_role("admin")
def unlock(user_id: int) -> Response:
    """Lift a lock from failed sign-ins at once: a stranger who knows the address can keep
    an account locked by failing again and again (accounts' module comment)."""
    user = _user(user_id)
    db = db_session()
    audit.record(
        db,
        "user_unlocked",
        user=current_user(),
        target=f"user:{user.id}",
        locked_until=accounts.unlock(user),
    )
    db.commit()
    flash(f"{user.email} can sign in again.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reset-mfa")
@require_role("admin")
def reset_mfa(user_id: int) -> Response:
    """For a lost phone. Not for oneself: an admin's own second factor is renewed with a
    code from it, so a stolen admin session cannot swap it for the thief's."""
    user = _user(user_id)
    me = current_user()
    if me is not None and me.id == user.id:
        flash(
            "You cannot reset your own authenticator app here. Another admin can, or make "
            "new recovery codes with a code from your app.",
            "error",
        )
        return redirect(url_for("admin.users"))
    db = db_session()
    accounts.reset_second_factor(db, user)
    audit.record(db, "mfa_reset", user=me, target=f"user:{user.id}")
    db.commit()
    flash(
        f"{user.email} is signed out everywhere and will set up an authenticator app again "
        "at their next sign-in.",
        "success",
    )
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reset-password")
@require_role("admin")
def reset_password(user_id: int) -> str:
    user = _user(user_id)
    password = accounts.temporary_password()
    db = db_session()
    accounts.set_password(db, user, password, must_change=True)
    audit.record(db, "password_reset", user=current_user(), target=f"user:{user.id}")
    db.commit()
    return _render_users(NewUserForm(), temporary=(user.email, password))


@bp.get("/audit")
@require_role("admin")
def audit_log() -> str | tuple[str, int]:
    form = AuditFilterForm(request.args)
    valid = form.validate()
    values = form.active()
    page = pages.read(
        db_session(),
        AuditEvent,
        audit.conditions(values),
        (AuditEvent.at.desc(), AuditEvent.id.desc()),
        AUDIT_PAGE,
        request.args.get("page", type=int),
    )
    return render_template(
        "staff/audit.html",
        form=form,
        page=page,
        values=values,
    ), (200 if valid else 400)


ALERT_PAGE = 50


class AlertFilterForm(Form):
    status = select_field("Status", ALERT_STATUS_WORDS)


# The largest id either database's integer column holds: a bigger number is no alert, and
# must be a form error, not an overflow in the driver.
MAX_ID = 2**31 - 1


class RetryAlertForm(Form):
    alert_id = IntegerField("Alert", [InputRequired(), NumberRange(min=1, max=MAX_ID)])


@bp.get("/alerts")
@require_role("admin")
def alerts_page() -> str | tuple[str, int]:
    form = AlertFilterForm(request.args)
    valid = form.validate()
    status = form.status.data if valid else ""
    where = [Alert.status == status] if status else []
    db = db_session()
    page = pages.read(
        db, Alert, where, (Alert.id.desc(),), ALERT_PAGE, request.args.get("page", type=int)
    )
    # The rows name submissions by reference and red-flag tier: a view like the list's.
    audit.record(
        db,
        "alerts_viewed",
        user=current_user(),
        status=status or "any",
        page=page.number,
        rows=len(page.rows),
    )
    db.commit()
    return render_template(
        "staff/alerts.html",
        form=form,
        page=page,
        values={"status": status} if status else {},
        counts=alerts.counts_by_status(db),
        settings=mail.MailSettings.from_config(current_app.config),
        routes={kind: current_app.config[var] for kind, var in ALERT_ROUTES.items()},
        route_vars=ALERT_ROUTES,
    ), (200 if valid else 400)


@bp.post("/alerts/retry")
@require_role("admin")
def retry_alert() -> Response:
    form = RetryAlertForm(request.form)
    db = db_session()
    alert = db.get(Alert, form.alert_id.data) if form.validate() else None
    if alert is None or alert.status != "failed":
        flash("That alert has not failed, so there is nothing to send again.", "error")
        return redirect(url_for("admin.alerts_page"))
    audit.record(
        db,
        "alert_retried",
        user=current_user(),
        target=f"alert:{alert.id}",
        attempts=alert.attempts,
        last_error=alert.last_error,
    )
    alerts.retry(alert)
    db.commit()
    flash(f"The alert to {alert.recipient} will be sent again within a minute.", "success")
    return redirect(url_for("admin.alerts_page"))


@bp.post("/alerts/retry-all")
@require_role("admin")
def retry_all_alerts() -> Response:
    """Every failed alert due again, once the reason (a setting, the server's rules) is
    fixed. The form has no fields: its CSRF token is checked for every POST."""
    db = db_session()
    count = alerts.retry_all_failed(db)
    if not count:
        db.rollback()
        flash("No alert has failed, so there is nothing to send again.", "error")
        return redirect(url_for("admin.alerts_page"))
    audit.record(db, "alerts_all_retried", user=current_user(), count=count)
    db.commit()
    noun = "alert" if count == 1 else "alerts"
    flash(f"{count:,} failed {noun} will be sent again within a minute.", "success")
    return redirect(url_for("admin.alerts_page"))

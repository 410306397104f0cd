"""Admins: the email alerts, where they go, and sending failed ones again."""

from __future__ import annotations

from flask import current_app, render_template, request
from werkzeug.wrappers import Response
from wtforms import Form, IntegerField
from wtforms.validators import InputRequired, NumberRange

from questionnaire.core import audit, mail
from questionnaire.core.config import ALERT_ROUTES
from questionnaire.core.db import session as db_session
from questionnaire.core.models import Alert
from questionnaire.core.words import ALERT_STATUS_WORDS
from questionnaire.staff import pages
from questionnaire.staff.access import current_user, require_role
from questionnaire.staff.admin.common import bp, done, refuse
from questionnaire.staff.alerts import outbox as alerts
from questionnaire.staff.submissions.filters import select_field

ALERT_PAGE = 50
ALERTS = "admin.alerts_page"


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
    alert = db_session().get(Alert, form.alert_id.data) if form.validate() else None
    if alert is None or alert.status != "failed":
        return refuse("That alert has not failed, so there is nothing to send again.", ALERTS)
    attempts, last_error = alert.attempts, alert.last_error
    alerts.retry(alert)
    return done(
        "alert_retried",
        f"The alert to {alert.recipient} will be sent again within a minute.",
        ALERTS,
        target=f"alert:{alert.id}",
        attempts=attempts,
        last_error=last_error,
    )


@bp.post("/alerts/retry-all")
@require_role("admin")
def retry_all_alerts() -> Response:
    """Every failed alert due again, once the reason (a setting, the server's rules) is
    fixed. The form has no fields: its CSRF token is checked for every POST."""
    db = db_session()
    count = alerts.retry_all_failed(db)
    if not count:
        db.rollback()
        return refuse("No alert has failed, so there is nothing to send again.", ALERTS)
    noun = "alert" if count == 1 else "alerts"
    return done(
        "alerts_all_retried",
        f"{count:,} failed {noun} will be sent again within a minute.",
        ALERTS,
        count=count,
    )

"""Admins: reading the audit log."""

from __future__ import annotations

from flask import render_template, request
from wtforms import DateField, Form, StringField
from wtforms.validators import Length, Optional

from questionnaire.core import audit
from questionnaire.core.db import session as db_session
from questionnaire.core.forms import no_control_chars
from questionnaire.core.models import AuditEvent
from questionnaire.staff import pages
from questionnaire.staff.access import require_role
from questionnaire.staff.admin.common import bp
from questionnaire.staff.submissions.filters import active_filters, in_range, select_field

AUDIT_PAGE = 100


class AuditFilterForm(Form):
    user = StringField("User email", [Optional(), Length(max=254), no_control_chars])
    action = select_field("Action", {a: a for a in audit.ACTIONS})
    date_from = DateField("On or after", [Optional(), in_range])
    date_to = DateField("On or before", [Optional(), in_range])

    def active(self) -> dict[str, str]:
        return active_filters(self, ("user", "action", "date_from", "date_to"))


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

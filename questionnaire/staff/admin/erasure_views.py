"""Admins: a patient's request for a copy of what is held, or for its erasure, found by the
reference on their result page, with the reason typed (questionnaire.staff.admin.erasure)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import Form, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from questionnaire.core.db import session as db_session
from questionnaire.core.models import utcnow
from questionnaire.patient import result_text as patient_text
from questionnaire.staff.access import current_user, require_role
from questionnaire.staff.admin import erasure
from questionnaire.staff.step_up import require_recent_code
from rules import SECTIONS, Option

bp = Blueprint("requests", __name__, url_prefix="/staff/requests")

WHAT_OPTIONS = (
    Option("copy", "Give them a copy of what we hold (a page to print)"),
    Option("erase", "Erase what we hold (you confirm on the next page)"),
)


class RequestForm(Form):
    # Checked by erasure.find and erasure.clean_reason, as for the command line.
    reference = StringField("Reference")
    reason = TextAreaField("Why")
    what = RadioField(
        "What they asked for",
        choices=[SelectChoice(o.code, o.label) for o in WHAT_OPTIONS],
        validate_choice=False,
    )

    def validate_what(self, field: RadioField) -> None:
        if field.data not in ("copy", "erase"):
            raise ValidationError("Choose a copy or erasure")


def _checked(form: RequestForm) -> tuple[erasure.Found, str] | None:
    """The submission and the reason, or None with each problem put on its field."""
    valid = form.validate()
    found = reason = None
    try:
        found = erasure.find(db_session(), form.reference.data or "")
    except erasure.RequestError as exc:
        form.reference.errors = [str(exc)]
    try:
        reason = erasure.clean_reason(form.reason.data or "")
    except erasure.RequestError as exc:
        form.reason.errors = [str(exc)]
    if not valid or found is None or reason is None:
        return None
    return found, reason


def _render_form(form: RequestForm) -> str:
    return render_template("staff/erasure.html", form=form, what_options=WHAT_OPTIONS)


@bp.get("/")
@require_role("admin")
def index() -> str:
    return _render_form(RequestForm())


@bp.post("/")
@require_role("admin")
def look_up() -> str | tuple[str, int]:
    """A copy is shown at once (and audited); an erasure is shown for confirming first."""
    form = RequestForm(request.form)
    checked = _checked(form)
    if checked is None:
        return _render_form(form), 400
    found, reason = checked
    if form.what.data == "erase":
        return render_template("staff/erasure_confirm.html", found=found, reason=reason)
    db = db_session()
    erasure.copy_given(db, found, reason, current_user())
    db.commit()
    s = found.submission
    return render_template(
        "staff/erasure_copy.html",
        s=s,
        screening=s.screening,
        sections=SECTIONS,
        patient_text=patient_text,
        now=utcnow(),
    )


@bp.post("/erase")
@require_role("admin")
@require_recent_code("erase a submission")
def erase() -> str | Response | tuple[str, int]:
    form = RequestForm(request.form)
    checked = _checked(form)
    if form.what.data != "erase":
        form.what.errors = ["Choose erasure, then confirm it on the next page"]
    if checked is None or form.what.errors:
        return _render_form(form), 400
    found, reason = checked
    reference = found.submission.reference
    db = db_session()
    try:
        erasure.erase(db, found, reason, current_user())
    except erasure.RequestError as exc:
        db.rollback()
        form.reference.errors = [str(exc)]
        return _render_form(form), 400
    db.commit()
    flash(f"{reference} is erased: its answers, result, notes and call-back request.", "success")
    return redirect(url_for("requests.index"))

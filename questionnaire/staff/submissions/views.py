"""Clinicians: the submissions list, one submission in full, and reviewing it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import load_only
from werkzeug.wrappers import Response
from wtforms import Form, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from questionnaire.core import audit
from questionnaire.core.db import session as db_session
from questionnaire.core.models import Submission
from questionnaire.core.words import REVIEW_WORDS
from questionnaire.patient import result_text as patient_text
from questionnaire.patient import submissions
from questionnaire.staff import pages
from questionnaire.staff.access import current_user, require_role
from questionnaire.staff.submissions.filters import FilterForm, conditions, ordering
from rules import QUESTIONS, SECTIONS, Option

bp = Blueprint("clinician", __name__, url_prefix="/staff/submissions")

PAGE_SIZE = 50
LIST_COLUMNS = (
    Submission.id,
    Submission.reference,
    Submission.created_at,
    Submission.booking,
    Submission.tier,
    Submission.osteoarthritis,
    Submission.tendinopathy,
    Submission.ligament,
    Submission.neuropathic,
    Submission.review_status,
)


def _plain_text(form: Form, field: TextAreaField) -> None:
    if field.data and any(ord(c) < 32 and c not in "\r\n\t" for c in field.data):
        raise ValidationError("Remove the special characters from the note")


REVIEW_OPTIONS = tuple(Option(code, label) for code, label in REVIEW_WORDS.items())


class ReviewForm(Form):
    status = RadioField(
        "Review outcome",
        choices=[SelectChoice(o.code, o.label) for o in REVIEW_OPTIONS],
        validators=[InputRequired("Choose reviewed or needs follow-up")],
    )
    note = TextAreaField("Note (optional)", validators=[Length(max=5000), _plain_text])


@bp.get("/")
@require_role("clinician")
def index() -> str | tuple[str, int]:
    form = FilterForm(request.args)
    valid = form.validate()
    values = form.active()
    db = db_session()
    page = pages.read(
        db,
        Submission,
        conditions(values),
        ordering(values),
        PAGE_SIZE,
        request.args.get("page", type=int),
        ids=Submission.id,
        options=[load_only(*LIST_COLUMNS)],
    )
    audit.record(
        db,
        "submissions_listed",
        user=current_user(),
        filters=values,
        total=page.total,
        page=page.number,
        shown=len(page.rows),
    )
    db.commit()
    return render_template(
        "staff/submissions.html",
        form=form,
        page=page,
        values=values,
    ), (200 if valid else 400)


def _submission(submission_id: str) -> Submission:
    submission = db_session().get(Submission, submission_id)
    if submission is None:
        abort(404)
    return submission


@bp.get("/<submission_id>")
@require_role("clinician")
def detail(submission_id: str) -> str:
    return _render_detail(_submission(submission_id), ReviewForm())


def _render_detail(submission: Submission, form: ReviewForm) -> str:
    """The one page that shows a submission in full (answers, contact details), so the one
    place its view is audited: a refused review shows it all again."""
    db = db_session()
    audit.record(db, "submission_viewed", user=current_user(), target=f"submission:{submission.id}")
    db.commit()
    return render_template(
        "staff/submission.html",
        s=submission,
        screening=submission.screening,
        sections=SECTIONS,
        questions=QUESTIONS,
        form=form,
        patient_text=patient_text,
        review_options=REVIEW_OPTIONS,
    )


@bp.post("/<submission_id>/review")
@require_role("clinician")
def review(submission_id: str) -> str | Response | tuple[str, int]:
    submission = _submission(submission_id)
    form = ReviewForm(request.form)
    if not form.validate():
        return _render_detail(submission, form), 400
    user = current_user()
    assert user is not None
    db = db_session()
    submissions.add_review(
        db, submission, user, form.status.data or "reviewed", form.note.data or ""
    )
    db.commit()
    flash("Your review has been saved.", "success")
    return redirect(url_for("clinician.detail", submission_id=submission.id))

"""Clinicians: the submissions list, one submission in full, and reviewing it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy.orm import load_only
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import Form, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from questionnaire.core import audit, clinic_time
from questionnaire.core.db import session as db_session
from questionnaire.core.models import PurgedSubmission, Submission, utcnow
from questionnaire.core.words import REVIEW_WORDS
from questionnaire.patient import result_text as patient_text
from questionnaire.patient import submissions
from questionnaire.staff import pages, sessions
from questionnaire.staff.access import STAFF_KEY, current_user, require_role, signed_in
from questionnaire.staff.submissions import contact_log, kept, worklist
from questionnaire.staff.submissions.filters import ListForm, conditions, ordering
from rules import QUESTIONS, SECTIONS, Option

bp = Blueprint("clinician", __name__, url_prefix="/staff/submissions")

PAGE_SIZE = 50
# The worklist page shows each group's first few; a group's own page shows PAGE_SIZE.
FIRST_OF_EACH = 10
NOTHING_TO_LOG = "This submission has no call-back request or red flag to contact the patient about"
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
    Submission.has_callback,
    Submission.contact_outcome,
)


REVIEW_OPTIONS = tuple(Option(code, label) for code, label in REVIEW_WORDS.items())


class ReviewForm(Form):
    status = RadioField(
        "Review outcome",
        choices=[SelectChoice(o.code, o.label) for o in REVIEW_OPTIONS],
        validators=[InputRequired("Choose reviewed or needs follow-up")],
    )
    note = TextAreaField("Note (optional)", validators=[Length(max=5000), contact_log.plain_text])


@bp.app_template_filter("clinic_time")
def _clinic_time(at: datetime, seconds: bool = False) -> str:
    """`{{ when | clinic_time }}` on every staff page: clinic time, the zone named."""
    return clinic_time.shown(at, current_app.config["CLINIC_TIMEZONE"], seconds=seconds)


def worklist_context(kind: str | None, page: int | None) -> dict[str, Any]:
    """What the worklist shows: each group's count and overdue count, and its most urgent
    items (the first few of each, or one group a page at a time). Shows call-back names and
    phone numbers, so each view is audited with the submissions whose contacts it showed.
    The staff home page shows the same for a clinician."""
    db = db_session()
    now = utcnow()
    targets = worklist.Targets.from_config(current_app.config)
    counts = worklist.counts(db, targets, now)
    groups: dict[str, worklist.Group] = {}
    kinds: tuple[str, ...] = (kind,) if kind else worklist.KINDS
    for k in kinds:
        size = PAGE_SIZE if kind else FIRST_OF_EACH
        pages = max(1, -(-counts[k].total // size))
        number = min(max(page or 1, 1), pages)
        rows = worklist.items(db, k, targets, now, size, (number - 1) * size)
        groups[k] = worklist.Group(rows, number, pages)
    audit.record(
        db,
        "worklist_viewed",
        user=current_user(),
        kind=kind or "all",
        contacts_shown=[i.id for g in groups.values() for i in g.rows if i.phone],
    )
    db.commit()
    return {"counts": counts, "groups": groups, "kind": kind, "now": now}


@bp.get("/worklist")
@require_role("clinician")
def worklist_page() -> tuple[str, int]:
    kind = request.args.get("kind") or None
    known = kind is None or kind in worklist.KINDS
    context = worklist_context(kind if known else None, request.args.get("page", type=int))
    return render_template("staff/worklist.html", unknown_kind=not known, **context), (
        200 if known else 400
    )


@bp.get("/")
@require_role("clinician")
def index() -> str | tuple[str, int]:
    form = ListForm(request.args)
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


KEPT_NOTICE = (
    "You were signed out before this was saved. What you typed is filled in below: "
    "check it and save it."
)


@bp.get("/<submission_id>")
@require_role("clinician")
def detail(submission_id: str) -> Response:
    """The submission; with what this person typed here just before a timeout signed them
    out filled in again (kept.py), if this browser holds it."""
    submission = _submission(submission_id)
    user = current_user()
    assert user is not None
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    cookie = request.cookies.get(kept.cookie_name(secure))
    found = kept.take(db_session(), cookie, user.id, submission.id)
    forms: dict[str, Any] = {}
    if found is not None:
        name, fields = found
        if name == "review":
            forms["form"] = ReviewForm(MultiDict(fields))
        else:
            forms["contact_form"] = contact_log.ContactForm(MultiDict(fields), prefix="contact")
        flash(KEPT_NOTICE, "error")
    response = make_response(_render_detail(submission, **forms))
    if cookie:
        kept.clear_cookie(response, secure)
    return response


def _render_detail(
    submission: Submission,
    form: ReviewForm | None = None,
    contact_form: contact_log.ContactForm | None = None,
) -> str:
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
        form=form or ReviewForm(),
        contact_form=contact_form or contact_log.ContactForm(prefix="contact"),
        can_log=contact_log.can_log(submission),
        patient_text=patient_text,
        review_options=REVIEW_OPTIONS,
        outcome_options=contact_log.OUTCOME_OPTIONS,
    )


F = TypeVar("F", bound=Callable[..., Any])


def keeps_typed_text(form: str, fields: tuple[str, ...]) -> Callable[[F], F]:
    """Outside require_role on a POST that saves typed text: posted by someone whose session
    has just ended (the idle timeout), the text is kept for them (kept.py) and they are sent
    to sign in and back to the submission, where it is filled in again."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(submission_id: str) -> Any:
            db = db_session()
            owner = sessions.session_owner(db, session.get(STAFF_KEY))  # before it is ended
            if (
                owner is None
                or signed_in() is not None
                or db.get(Submission, submission_id) is None
            ):
                return view(submission_id)
            typed = {name: request.form.get(name, "") for name in fields}
            token = kept.keep(db, owner, submission_id, form, typed)
            db.commit()
            flash(
                "You were signed out because the page was left for a while, so nothing was "
                "saved yet. Sign in again: what you typed will be filled in for you.",
                "error",
            )
            back = url_for("clinician.detail", submission_id=submission_id)
            response = redirect(url_for("auth.login", next=back))
            kept.set_cookie(response, token, current_app.config["SESSION_COOKIE_SECURE"])
            return response

        return wrapper  # type: ignore[return-value]

    return decorate


@bp.post("/<submission_id>/review")
@keeps_typed_text("review", ("status", "note"))
@require_role("clinician")
def review(submission_id: str) -> str | Response | tuple[str, int]:
    submission = _submission(submission_id)
    form = ReviewForm(request.form)
    if not form.validate():
        return _render_detail(submission, form=form), 400
    user = current_user()
    assert user is not None
    db = db_session()
    submissions.add_review(
        db, submission, user, form.status.data or "reviewed", form.note.data or ""
    )
    db.commit()
    flash("Your review has been saved.", "success")
    return redirect(url_for("clinician.detail", submission_id=submission.id))


@bp.post("/<submission_id>/contact")
@keeps_typed_text("contact", ("contact-outcome", "contact-note"))
@require_role("clinician")
def contact(submission_id: str) -> str | Response | tuple[str, int]:
    db = db_session()
    submission = db.get(Submission, submission_id)
    if submission is None:
        # Purged at retention while the page was open: say so rather than "not found".
        gone = db.get(PurgedSubmission, submission_id) is not None
        return render_template("staff/submission_gone.html", purged=gone), 410 if gone else 404
    form = contact_log.ContactForm(request.form, prefix="contact")
    if not contact_log.can_log(submission):
        form.outcome.errors = [NOTHING_TO_LOG]
        return _render_detail(submission, contact_form=form), 400
    if not form.validate():
        return _render_detail(submission, contact_form=form), 400
    user = current_user()
    assert user is not None
    contact_log.record(db, submission, user, form.outcome.data or "", form.note.data or "")
    db.commit()
    flash("The contact attempt has been saved.", "success")
    return redirect(url_for("clinician.detail", submission_id=submission.id, _anchor="contact"))

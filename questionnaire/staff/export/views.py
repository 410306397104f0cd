"""Staff: the CSV export page, the download and the codebook."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, render_template, request, stream_with_context
from sqlalchemy import func, select
from wtforms import BooleanField, RadioField
from wtforms.fields.choices import SelectChoice

from questionnaire.core import audit, csv_safe
from questionnaire.core.db import engine as db_engine
from questionnaire.core.db import session as db_session
from questionnaire.core.models import Submission, utcnow
from questionnaire.staff.access import current_user, require_role
from questionnaire.staff.export import csv_export
from questionnaire.staff.submissions.filters import FilterForm, conditions
from rules import Option

bp = Blueprint("export", __name__, url_prefix="/staff/export")


ANSWER_FORMATS = (Option("codes", "Codes (for analysis)"), Option("labels", "Labels (for reading)"))


class ExportForm(FilterForm):
    answers_as = RadioField(
        "Answers as",
        choices=[SelectChoice(o.code, o.label) for o in ANSWER_FORMATS],
        default="codes",
    )
    contacts = BooleanField("Include call-back contact details (name, phone, email)")
    latest = BooleanField(
        "Add the latest re-screening under later rules beside the original screening"
    )


def csv_response(lines: Iterator[str], stem: str) -> Response:
    name = f"{stem}-{utcnow():%Y%m%d-%H%M%S}.csv"
    return Response(
        lines,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
        content_type="text/csv; charset=utf-8",
    )


@bp.get("/")
@require_role("staff")
def index() -> str:
    return render_template("staff/export.html", form=ExportForm(), answer_formats=ANSWER_FORMATS)


@bp.post("/submissions.csv")
@require_role("staff")
def download() -> Response | tuple[str, int]:
    form = ExportForm(request.form)
    if not form.validate() or form.answers_as.data not in ("codes", "labels"):
        return render_template("staff/export.html", form=form, answer_formats=ANSWER_FORMATS), 400
    values = form.active()
    where = conditions(values)
    labels = form.answers_as.data == "labels"
    contacts = bool(form.contacts.data)
    latest = bool(form.latest.data)
    db = db_session()
    count = db.scalar(select(func.count()).select_from(Submission).where(*where)) or 0
    audit.record(
        db,
        "export_csv",
        user=current_user(),
        filters=values,
        rows=count,
        labels=labels,
        contacts=contacts,
        latest_screening=latest,
    )
    db.commit()
    engine = db_engine()

    def generate() -> Iterator[str]:
        with engine.connect() as conn:
            yield from csv_export.stream(
                conn, where, labels=labels, contacts=contacts, latest=latest
            )

    return csv_response(stream_with_context(generate()), "submissions")


@bp.get("/codebook.csv")
@require_role("staff")
def codebook() -> Response:
    db = db_session()
    audit.record(db, "export_codebook", user=current_user())
    db.commit()
    return csv_response(csv_safe.stream(csv_export.codebook()), "codebook")

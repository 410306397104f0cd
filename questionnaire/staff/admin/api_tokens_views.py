"""Admins: API tokens for the clinic's other systems to read the FHIR API (/fhir)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import DateField, Form, IntegerField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from questionnaire.core import audit
from questionnaire.core.db import session as db_session
from questionnaire.core.forms import no_control_chars
from questionnaire.core.models import API_SCOPES, ApiToken, utcnow
from questionnaire.fhir import tokens
from questionnaire.staff.access import current_user, require_role
from questionnaire.staff.step_up import require_recent_code
from rules import Option

bp = Blueprint("api_tokens", __name__, url_prefix="/staff/api-tokens")

SCOPE_OPTIONS = tuple(Option(s, f"{s}: {tokens.SCOPE_WORDS[s]}") for s in API_SCOPES)


class NewTokenForm(Form):
    name = StringField(
        "Name of the system",
        [
            InputRequired("Enter the name of the system that will use it"),
            Length(max=80),
            no_control_chars,
        ],
    )
    scope = RadioField(
        "What it may read",
        choices=[SelectChoice(o.code, o.label) for o in SCOPE_OPTIONS],
        validate_choice=False,
    )
    expires = DateField(
        "Last day it works (UTC)", [InputRequired("Enter an expiry date like 2027-01-31")]
    )

    def validate_scope(self, field: RadioField) -> None:
        if field.data not in API_SCOPES:
            raise ValidationError("Choose what the system may read")

    def validate_expires(self, field: DateField) -> None:
        most = tokens.most_days(self.scope.data, current_app.config["API_CONTACT_TOKEN_MAX_DAYS"])
        problem = tokens.expiry_problem(field.data, utcnow().date(), most)
        if problem:
            raise ValidationError(problem)


class RevokeForm(Form):
    token_id = IntegerField("Token", [InputRequired()])


def _render(form: NewTokenForm, shown: tuple[str, str] | None = None) -> str:
    return render_template(
        "staff/api_tokens.html",
        rows=tokens.listing(db_session()),
        form=form,
        scope_options=SCOPE_OPTIONS,
        last_day=tokens.last_day,
        shown=shown,
        now=utcnow(),
        contact_days=current_app.config["API_CONTACT_TOKEN_MAX_DAYS"],
        most_days=tokens.MAX_DAYS,
    )


@bp.get("/")
@require_role("admin")
def index() -> str:
    return _render(NewTokenForm())


@bp.post("/")
@require_role("admin")
# A token outlasts the session that made it: a fresh code from the app first.
@require_recent_code("create an API token")
def create() -> str | tuple[str, int]:
    form = NewTokenForm(request.form)
    if form.validate():
        db = db_session()
        me = current_user()
        assert me is not None and form.expires.data is not None
        try:
            row, token = tokens.create(
                db,
                form.name.data or "",
                form.scope.data or "",
                form.expires.data,
                me,
                contact_days=current_app.config["API_CONTACT_TOKEN_MAX_DAYS"],
            )
        except tokens.TokenError as exc:
            form.name.errors = [str(exc)]
        else:
            db.commit()
            # Shown on this page only: the database keeps its hash, nothing can show it again.
            return _render(NewTokenForm(), shown=(row.name, token))
    return _render(form), 400


@bp.post("/revoke")
@require_role("admin")
def revoke() -> Response:
    form = RevokeForm(request.form)
    if not form.validate():
        abort(400)
    db = db_session()
    row = db.get(ApiToken, form.token_id.data)
    if row is None:
        abort(404)
    if tokens.revoke(row):
        audit.record(
            db,
            "api_token_revoked",
            user=current_user(),
            target=f"api_token:{row.id}",
            name=row.name,
        )
        db.commit()
    flash(f"The token {row.name} no longer works.", "success")
    return redirect(url_for("api_tokens.index"))

"""The admin blueprint, and what every admin page that changes something ends with."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, url_for
from werkzeug.wrappers import Response

from questionnaire.core import audit
from questionnaire.core.db import session as db_session
from questionnaire.core.models import Base
from questionnaire.staff.access import current_user

bp = Blueprint("admin", __name__, url_prefix="/staff/admin")

M = TypeVar("M", bound=Base)


def get_or_404(model: type[M], row_id: int) -> M:
    row = db_session().get(model, row_id)
    if row is None:
        abort(404)
    return row


def done(action: str, message: str, back: str, **details: Any) -> Response:
    """Audit the change just made as the signed-in admin, commit it with its entry, say so,
    and go back to the page `back`: a change and its audit entry land together or not at
    all."""
    db = db_session()
    audit.record(db, action, user=current_user(), **details)
    db.commit()
    flash(message, "success")
    return redirect(url_for(back))


def refuse(message: str, back: str) -> Response:
    """Say why nothing was changed, and go back to the page `back`."""
    flash(message, "error")
    return redirect(url_for(back))

"""Who is signed in, and the role check every staff view starts with."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, g, redirect, request, session, url_for

from . import accounts
from .db import session as db_session
from .models import User

STAFF_KEY = "staff"
F = TypeVar("F", bound=Callable[..., Any])


def current_user() -> User | None:
    if "user" not in g:
        idle = timedelta(minutes=current_app.config["STAFF_IDLE_MINUTES"])
        token = session.get(STAFF_KEY)
        g.user = accounts.session_user(db_session(), token, idle)
        if token and g.user is None:
            session.pop(STAFF_KEY, None)
        if db_session().dirty or db_session().deleted:
            db_session().commit()  # the last-seen time, or an ended session
    return g.user


def require_role(*roles: str) -> Callable[[F], F]:
    """Signed out: to the sign-in page. Signed in without one of `roles`: 403. A person with
    a temporary password must change it before anything else."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if user.must_change_password and request.endpoint != "auth.change_password":
                return redirect(url_for("auth.change_password"))
            if roles and not any(user.has_role(r) for r in roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def safe_next(target: str | None) -> str | None:
    """Only a path on this site, so the sign-in page cannot bounce anyone elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None

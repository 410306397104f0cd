"""Who is signed in, and the role check every staff view starts with."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, g, redirect, request, session, url_for
from werkzeug.exceptions import HTTPException

from questionnaire.core import audit, redirects
from questionnaire.core.db import session as db_session
from questionnaire.core.models import User
from questionnaire.staff import sessions

STAFF_KEY = "staff"
MAX_AUDITED_PATH = 200  # a route's free segment can be as long as the request line allows
F = TypeVar("F", bound=Callable[..., Any])


def signed_in() -> sessions.SignedIn | None:
    """The session behind the cookie, however far its sign-in has got."""
    if "signed_in" not in g:
        config = current_app.config
        rules = sessions.SessionRules(
            idle=timedelta(minutes=config["STAFF_IDLE_MINUTES"]),
            lifetime=timedelta(hours=config["STAFF_SESSION_HOURS"]),
            mfa_required=config["MFA_REQUIRED"],
        )
        token = session.get(STAFF_KEY)
        g.signed_in = sessions.find_session(db_session(), token, rules)
        if token and g.signed_in is None:
            session.pop(STAFF_KEY, None)
        if db_session().dirty or db_session().deleted:
            db_session().commit()  # the last-seen time, or an ended session
    return g.signed_in


def current_user() -> User | None:
    """The person signed in with every factor asked of them; None half-way."""
    here = signed_in()
    return here.user if here is not None and here.stage == "in" else None


def next_step(here: sessions.SignedIn) -> str | None:
    """The one page a session must see before any other, if there is one."""
    if here.stage == "code":
        return "auth.login_code"
    if here.user.must_change_password:
        return "auth.change_password"
    if here.stage == "setup":
        return "authenticator.setup"
    return None


# Pages that are only a step of signing in: once it is done they lead on to the home page.
STEP_PAGES = frozenset({"auth.login_code"})


def require_role(*roles: str) -> Callable[[F], F]:
    """Signed out: to the sign-in page. Half-way through signing in (the code not yet given,
    the authenticator not yet set up, a temporary password not yet changed): to that step,
    whatever the page. Signed in without one of `roles`: 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            here = signed_in()
            if here is None:
                wanted = request.full_path.rstrip("?")  # checked by safe_next at sign-in
                next_ = wanted if len(wanted) <= MAX_NEXT else None
                return redirect(url_for("auth.login", next=next_))
            step = next_step(here)
            if step is not None and request.endpoint != step:
                return redirect(url_for(step))
            if step is None and request.endpoint in STEP_PAGES:
                return redirect(url_for("auth.home"))
            if roles and not any(here.user.has_role(r) for r in roles):
                _record_refusal(here.user)
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _record_refusal(user: User) -> None:
    """Who tried which page: a pattern of refusals is how a misused account shows."""
    db = db_session()
    audit.record(
        db,
        "access_denied",
        user=user,
        method=request.method,
        path=request.path[:MAX_AUDITED_PATH],
        endpoint=request.endpoint,
    )
    db.commit()


# A longer `next` only comes from a crafted link; its Location header would overflow the
# proxy's buffer for response headers and the sign-in would end on a 502.
MAX_NEXT = 1000


def safe_next(target: str | None) -> str | None:
    """`target` if it is a page of this app (with its query string), else None: the sign-in
    page must not bounce anyone elsewhere.

    redirects.same_site keeps it on this site; beyond that a path passes only when this
    app's own URL map answers it for GET, so the sign-in never ends on a page not found."""
    target = redirects.same_site(target)
    if target is None or len(target) > MAX_NEXT:
        return None
    path = target.partition("?")[0]
    try:
        current_app.url_map.bind_to_environ(request.environ).match(path, method="GET")
    except HTTPException:  # not found, not a GET page, or only under another spelling
        return None
    return target

"""What every request and response passes through: security headers on every response, error
pages included, and the edge checks made before any view runs.

Cross-site request forgery is stopped twice. Flask-WTF's token is checked on every form POST;
its "strict" Referer check is off, because a browser, a privacy extension or a proxy may send
no `Referer` at all, and a product that refuses every form then cannot be used over HTTPS.
Instead the browser's own word on where a request comes from is checked here: the Fetch
Metadata header `Sec-Fetch-Site` where the browser sends it (every current one does), else the
`Origin` header, which must be this site. A request with neither (an old browser, a script)
still needs the token, and the session cookie is `SameSite=Lax` besides.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, request
from werkzeug.wrappers import Response

from questionnaire.core.headers import HEADERS, HSTS

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
OWN_SITE = frozenset({"same-origin", "none"})  # "none": the person typed or bookmarked it
DEFAULT_PORTS = {"http": 80, "https": 443}


def init_app(app: Flask) -> None:
    app.config["WTF_CSRF_SSL_STRICT"] = False
    app.before_request(_edge_checks)

    @app.after_request
    def _headers(response: Response) -> Response:
        h = response.headers
        for name, value in HEADERS.items():
            h.setdefault(name, value)
        if app.config["PRODUCTION"]:
            h.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint != "static" or response.status_code >= 400:
            # Every page may hold health data: never keep a copy in a cache or history.
            h["Cache-Control"] = "no-store"
        return response


def _edge_checks() -> None:
    if _has_nul():
        # PostgreSQL cannot store a NUL, and no honest form or link contains one.
        abort(400)
    if request.method not in SAFE_METHODS and not _from_this_site():
        abort(400)


def _has_nul() -> bool:
    if "\x00" in request.path:
        return True
    pairs = [*request.args.items(multi=True)]
    if request.method not in SAFE_METHODS:
        pairs += request.form.items(multi=True)
    return any("\x00" in key or "\x00" in value for key, value in pairs)


def _from_this_site() -> bool:
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in OWN_SITE
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # nothing to go on: the CSRF token decides
    own = _origin_key(request.host_url)
    return own is not None and _origin_key(origin) == own


def _origin_key(url: str) -> tuple[str, str, int | None] | None:
    """Scheme, host and port, with the scheme's default port filled in."""
    try:
        parts = urlsplit(url)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port

"""Static files fingerprinted: every URL the app makes for one carries a hash of its content
(`/static/site.css?v=3f2a9c81d0e4`), so a browser may keep it for a year without asking again
(`immutable`), and a changed file gets a new URL the moment it is deployed. A second page
then costs one request, the page itself. nginx serves the same files with the same header in
production (deploy/nginx/prolotherapy.conf); this module is the app's half, for `make run`
and for any request that reaches the app.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, request
from werkzeug.wrappers import Response

FOREVER = "public, max-age=31536000, immutable"
# A file asked for without the current hash (an old page, a hand-typed URL): the browser
# must check again before reusing it, so it never keeps a stale copy.
CHECK_AGAIN = "no-cache"
DIGITS = 12  # 48 bits of SHA-256: no two versions of one file will share them


@cache
def _digest(path: Path, mtime_ns: int, size: int) -> str:
    """The content's hash, worked out once per version of the file (its time and size)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:DIGITS]


def fingerprint(folder: str, filename: str) -> str | None:
    path = Path(folder) / filename
    try:
        stat = path.stat()
    except OSError:
        return None  # a missing file: its URL stays plain, and asking for it gets a 404
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def init_app(app: Flask) -> None:
    @app.url_defaults
    def _add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values:
            digest = fingerprint(app.static_folder or "", values.get("filename", ""))
            if digest:
                values["v"] = digest

    @app.after_request
    def _cache_for_ever(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 304):
            filename = (request.view_args or {}).get("filename", "")
            current = fingerprint(app.static_folder or "", filename)
            fresh = current is not None and request.args.get("v") == current
            # One header, set whole: Flask's own (no-cache, or a max-age) is replaced.
            response.headers["Cache-Control"] = FOREVER if fresh else CHECK_AGAIN
        return response

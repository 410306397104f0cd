"""The app's log: one line per request (but a `/healthz` poll), and the format every app log
line is written in.

A request's line holds its method, its route (the URL rule, such as
`/staff/submissions/<submission_id>`, never the path itself, which can name a submission),
its status and how long the app took, and nothing else: no query string, address, cookie,
form field or account. Lines go to standard error (the journal, under systemd), as plain
text or, with `LOG_FORMAT=json`, one JSON object per line for a log collector.

gunicorn writes no access log of its own (deploy/gunicorn.conf.py): this line replaces it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, request
from flask.logging import default_handler
from werkzeug.wrappers import Response

# The app's own logger (Flask names it after the package): request lines, warnings at start
# and unexpected errors all pass through the one handler set up here.
APP_LOGGER = "questionnaire"
REQUEST_LOGGER = "questionnaire.requests"
NO_ROUTE = "-"  # the request matched no URL rule (404, 405)
REQUEST_FIELDS = ("method", "route", "status", "duration_ms")
_REQUESTS = logging.getLogger(REQUEST_LOGGER)


class _Stderr(logging.StreamHandler):
    """Standard error as it is when a line is written, not when the app was made: a test
    that captures it, or a server that replaces it, still gets every line."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> Any:
        return sys.stderr


# PostgreSQL's DETAIL line quotes the row that broke a constraint ("Key (email)=(...)
# already exists", "Failing row contains (...)"); psycopg puts it into the exception's text,
# and SQLAlchemy's hide_parameters does not reach it. Every log line and traceback goes
# through scrub, so no error logged anywhere in the app can carry it.
DETAIL_RE = re.compile(r"^([ \t]*)DETAIL:.*$", re.MULTILINE)
DETAIL_HIDDEN = r"\1DETAIL: (not logged: it can quote values from the row)"


def scrub(text: str) -> str:
    return DETAIL_RE.sub(DETAIL_HIDDEN, text)


def _time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    """`2026-11-27T05:00:00.000+00:00 INFO questionnaire.requests: GET /about 200 3.1ms`."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{_time(record)} {record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return scrub(line)


class JsonFormatter(logging.Formatter):
    """One object per line; a request's line carries its fields apart as well as in words,
    and a traceback stays inside its object instead of spilling over many lines."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": _time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        out.update({k: getattr(record, k) for k in REQUEST_FIELDS if hasattr(record, k)})
        if record.exc_info:
            out["traceback"] = scrub(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False)


FORMATTERS: dict[str, type[logging.Formatter]] = {"text": TextFormatter, "json": JsonFormatter}


def init_app(app: Flask) -> None:
    """Before anything else uses `app.logger`, so that Flask adds no handler of its own."""
    _configure(app.config["LOG_FORMAT"])
    # First in, so its start time is taken before any other check, and its line (written
    # after every other after-request function) holds the status that really went out.
    app.before_request(_start)
    app.after_request(_line)


def _configure(log_format: str) -> None:
    """Once per process: one handler on the app's logger, whatever number of apps are made
    (the tests make hundreds). Records still propagate to the root logger, which has no
    handler under gunicorn or `flask`, so nothing is written twice."""
    logger = logging.getLogger(APP_LOGGER)
    logger.removeHandler(default_handler)
    handler = next((h for h in logger.handlers if isinstance(h, _Stderr)), None)
    if handler is None:
        handler = _Stderr()
        logger.addHandler(handler)
    handler.setFormatter(FORMATTERS[log_format]())
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)


def skip_line() -> None:
    """No line for this request: for `/healthz`, which a load balancer polls every second
    or so (nginx leaves it out of its access log too)."""
    g.request_log_skip = True


def _start() -> None:
    g.request_started = time.perf_counter()


def _line(response: Response) -> Response:
    if g.get("request_log_skip"):
        return response
    now = time.perf_counter()
    duration = round((now - g.get("request_started", now)) * 1000, 1)
    rule = request.url_rule
    fields = {
        # gunicorn refuses a method that is not a plain token; the test client does not.
        "method": request.method if request.method.isalpha() else "?",
        "route": rule.rule if rule is not None else NO_ROUTE,
        "status": response.status_code,
        "duration_ms": duration,
    }
    if _REQUESTS.isEnabledFor(logging.INFO):
        # The record made and handled directly: Logger.info would also look up the calling
        # frame, which no line shows, a fifth of the line's cost.
        record = _REQUESTS.makeRecord(
            REQUEST_LOGGER,
            logging.INFO,
            __file__,
            0,
            "%s %s %s %sms",
            (*fields.values(),),
            None,
            extra=fields,
        )
        _REQUESTS.handle(record)
    return response

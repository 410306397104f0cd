"""`/healthz` for a load balancer or a monitor: does this worker reach its database?

200 `{"status": "ok"}` or 503 `{"status": "unavailable"}`, and nothing else: no versions,
counts or error text for a stranger to read. It touches no session (no cookie is set) and
takes no form (GET and HEAD only), so it needs no CSRF token. A poll writes no log line (a
change in the answer does).

The check is `SELECT 1` through the app's own engine and pool, so it fails when the pages
would. A database that hangs instead of refusing (a server frozen, a network path dropping
packets) would hold a worker for as long as the driver waits; so the query runs on a thread
of its own and the answer is 503 after CHECK_TIMEOUT seconds. At most one check is in flight
per worker: while one hangs, the next polls wait for that same one instead of piling up
threads and connections. The thread stays for the next poll (starting one per poll cost
several times the query itself on SQLite).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import Engine, text
from werkzeug.wrappers import Response

from questionnaire.core import db, request_log

bp = Blueprint("health", __name__)
CHECK_TIMEOUT = 2.0  # seconds; a load balancer's own timeout is usually 2 to 5
log = logging.getLogger(__name__)


class Probe:
    """The database check for one app in one process."""

    def __init__(self, engine: Engine, timeout: float = CHECK_TIMEOUT) -> None:
        self.engine = engine
        self.timeout = timeout
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[Future[None]] = queue.SimpleQueue()
        self._pending: Future[None] | None = None
        self._checker_pid: int | None = None
        self._was_up = True

    def database_answers(self) -> bool:
        with self._lock:
            if self._checker_pid != os.getpid():
                # Started by the first check in the process that serves: a thread started
                # before a fork (gunicorn --preload) would not be in the worker.
                self._jobs, self._pending = queue.SimpleQueue(), None
                checker = threading.Thread(
                    target=self._check_each, args=(self._jobs,), name="healthz", daemon=True
                )
                checker.start()
                self._checker_pid = os.getpid()
            if self._pending is None or self._pending.done():
                self._pending = Future()
                self._jobs.put(self._pending)
            pending = self._pending
        try:
            pending.result(timeout=self.timeout)
            up, why = True, ""
        except FutureTimeout:
            up, why = False, f"no answer in {self.timeout:g} s"
        except Exception as exc:  # whatever stops the query, the answer is "unavailable"
            up, why = False, type(exc).__name__  # the class only: messages name hosts, users
        self._note_change(up, why)
        return up

    def _check_each(self, jobs: queue.SimpleQueue[Future[None]]) -> None:
        """`SELECT 1` for each check asked for, for ever, on a daemon thread: one left
        hanging never holds up a worker's exit."""
        while True:
            future = jobs.get()
            try:
                with self.engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
            except BaseException as exc:  # handed to the waiting request, which says 503
                future.set_exception(exc)
            else:
                future.set_result(None)

    def _note_change(self, up: bool, why: str) -> None:
        """One log line when the answer changes, not one per poll."""
        if up != self._was_up:
            self._was_up = up
            if up:
                log.warning("healthz: the database answers again")
            else:
                log.warning("healthz: the database does not answer (%s)", why)


def init_app(app: Flask) -> None:
    app.extensions["healthz"] = Probe(db.engine(app))
    app.register_blueprint(bp)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    request_log.skip_line()  # a line a second per load balancer says nothing; changes do
    probe: Probe = current_app.extensions["healthz"]
    if probe.database_answers():
        return jsonify(status="ok"), 200
    return jsonify(status="unavailable"), 503

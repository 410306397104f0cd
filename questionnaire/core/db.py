"""The engine, and one database session per request.

Views commit at the end of a successful POST; anything else is rolled back at teardown.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, cast

from flask import Flask, current_app, g
from sqlalchemy import CursorResult, Engine, Result, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str) -> Engine:
    # SQL errors would otherwise quote their parameters (answers, contact details) into
    # exception messages, and so into the logs (docs/security.md item 15).
    if url.startswith("sqlite"):
        _create_private(url)
        engine = create_engine(
            url, hide_parameters=True, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(conn: Any, _record: Any) -> None:
            # WAL lets readers and one writer work at once; the busy timeout makes a second
            # writer wait rather than fail with "database is locked" (docs/performance.md).
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, hide_parameters=True, pool_pre_ping=True)


def _create_private(url: str) -> None:
    """Create a new SQLite database file empty, with mode 0600, before SQLite makes it with
    the umask's (usually 0644, readable by every local user). SQLite gives its -wal and -shm
    files the database file's mode, so they are private too. An existing file is left alone;
    a missing directory is left for SQLite to report as it always has."""
    parsed = make_url(url)
    path = parsed.database
    if not path or path == ":memory:" or parsed.query.get("uri"):
        return  # in memory, or a URI filename that SQLite resolves itself
    with contextlib.suppress(FileExistsError, FileNotFoundError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)

    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db", None)
        if session is not None:
            session.rollback()
            session.close()


def session() -> Session:
    if "db" not in g:
        g.db = current_app.extensions["db_sessionmaker"]()
    return g.db


def engine(app: Flask | None = None) -> Engine:
    """The app's engine (the current app's unless one is named): for a view that reads or
    writes a row or two and needs no Session (drafts.peek), a command, or the app's set-up."""
    engine: Engine = (app or current_app).extensions["db_engine"]
    return engine


def rows_changed(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE changed. Session.execute is typed as giving a Result;
    for those statements it is a CursorResult, which has the count."""
    return cast(CursorResult[Any], result).rowcount

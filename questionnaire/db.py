"""The engine, and one database session per request.

Views commit at the end of a successful POST; anything else is rolled back at teardown.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str) -> Engine:
    # SQL errors would otherwise quote their parameters (answers, contact details) into
    # exception messages, and so into the logs (SECURITY.md item 14).
    if url.startswith("sqlite"):
        engine = create_engine(
            url, hide_parameters=True, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(conn: Any, _record: Any) -> None:
            # WAL lets readers and one writer work at once; the busy timeout makes a second
            # writer wait rather than fail with "database is locked" (PERFORMANCE.md).
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, hide_parameters=True, pool_pre_ping=True)


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

"""The staff dashboard at 100,000 submissions: time per page, in process (the test client),
so the figure is the app's and the database's, not the network's. The submissions are spread
over the dashboard's default 26 weeks, so every one of them is counted: the worst case for
its range.

Run: .venv/bin/python -m bench.dashboard [DATABASE_URL]
(default: a new SQLite file; a PostgreSQL database given must be empty)
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, text

from bench.rules_eval import sample_sets
from questionnaire import create_app
from questionnaire.core.db import make_engine
from questionnaire.core.migrate import upgrade
from questionnaire.core.models import CallbackRequest, Submission, utcnow
from questionnaire.patient.submissions import outcome_columns
from questionnaire.staff.dashboard.statistics import DEFAULT_WEEKS, WEEK
from rules import evaluate
from tests.helpers.staff_client import Staff, make_user

N = 100_000
CALLBACK_EVERY = 10  # one submission in ten asks for a call back
UNREVIEWED_DAYS = 10  # submissions of the last ten days are not reviewed yet
# The best of ten: on a shared machine, others' work only ever adds time. The process's CPU
# time says what the page costs whatever else runs; with SQLite it includes the queries.
ROUNDS = 10
QUERIES = {
    "the last 26 weeks (all of them)": "",
    "one month": "?date_from={month_ago}&date_to={today}",
}


def fill(url: str, n: int) -> None:
    """n submissions sent evenly over the last 26 weeks, cycling through 1,000 answer sets;
    the newest not yet reviewed, one in ten with a call-back request."""
    engine = make_engine(url)
    upgrade(engine)
    prepared = [outcome_columns(evaluate(a)) for a in sample_sets(1000)]
    now = utcnow()
    step = DEFAULT_WEEKS * WEEK / n
    submissions: list[dict[str, object]] = []
    callbacks: list[dict[str, object]] = []
    with engine.begin() as conn:
        for i in range(n):
            sent = now - i * step
            submissions.append(
                {
                    "id": f"{i:032x}",
                    "reference": f"{i:08d}"[:4] + "-" + f"{i:08d}"[4:],
                    "submit_token": f"t{i}",
                    "created_at": sent,
                    "answers": {},
                    "consent_version": "1.0",
                    "consented_at": sent,
                    "review_status": (
                        "new" if now - sent < timedelta(days=UNREVIEWED_DAYS) else "reviewed"
                    ),
                    **prepared[i % len(prepared)],
                }
            )
            if i % CALLBACK_EVERY == 0:
                callbacks.append(
                    {
                        "submission_id": f"{i:032x}",
                        "name": "Bench",
                        "phone": "0",
                        "best_time": "any",
                        "created_at": sent,
                    }
                )
            if len(submissions) == 10_000:
                conn.execute(insert(Submission), submissions)
                conn.execute(insert(CallbackRequest), callbacks)
                submissions, callbacks = [], []
        if submissions:
            conn.execute(insert(Submission), submissions)
        if callbacks:
            conn.execute(insert(CallbackRequest), callbacks)
    # What autovacuum would do on a live server: fresh statistics for the planner and, on
    # PostgreSQL, a visibility map so an index-only scan need not visit the table.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE"))
    engine.dispose()


def measure(url: str, tmp: str, label: str) -> list[tuple[str, str]]:
    fill(url, N)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "d" * 40, "INSTANCE_PATH": tmp})
    make_user(app, "bench@clinic.example", ["clinician"])
    staff = Staff(app.test_client(), "bench@clinic.example")
    staff.login()
    today = utcnow().date()
    rows = []
    for name, query in QUERIES.items():
        page = "/staff/dashboard" + query.format(
            today=today.isoformat(), month_ago=(today - timedelta(days=30)).isoformat()
        )
        staff.get(page)  # warm the page cache
        wall, cpu = [], []
        for _ in range(ROUNDS):
            started, used = time.perf_counter(), time.process_time()
            response = staff.get(page)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
            assert response.status_code == 200, response.text[:500]
        rows.append(
            (
                f"dashboard at {N:,} ({label}): {name}",
                f"{min(wall) * 1000:.0f} ms (this process's CPU: {min(cpu) * 1000:.0f} ms)",
            )
        )
    app.extensions["db_engine"].dispose()
    return rows


def run(url: str | None = None) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        if url is None:
            return measure(f"sqlite:///{Path(tmp) / 'dashboard.sqlite3'}", tmp, "SQLite")
        return measure(url, tmp, "PostgreSQL")


if __name__ == "__main__":
    for name, value in run(*sys.argv[1:2]):
        print(f"{name}: {value}")

"""The export columns revision (e5a8c2d4f7b9): earlier submissions get their red flag and
caution ids from their stored screening, batch after batch, and the downgrade keeps the
rows. On SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set."""

from __future__ import annotations

import json

from sqlalchemy import inspect, text

from questionnaire.core.migrate import downgrade, upgrade
from tests.core.test_migrations import INSERT_SUBMISSION, now

BEFORE = "d3f7b2a9e6c1"
FLAGGED = {"red_flags": [{"id": "dvt"}, {"id": "cauda_equina"}], "cautions": [{"id": "nsaids"}]}
CAUTIONED = {"red_flags": [], "cautions": [{"id": "nsaids"}, {"id": "steroid"}]}
CLEAR = {"red_flags": [], "cautions": []}
SCREENINGS = (FLAGGED, CAUTIONED, CLEAR)
MANY = 1005  # more than one batch of the revision's 1,000


def add_submissions(conn) -> None:
    conn.execute(
        INSERT_SUBMISSION,
        [
            {
                "id": f"{i:032x}",
                "ref": f"{i:09d}",
                "tok": f"t{i}",
                "now": now(),
                "screening": json.dumps(SCREENINGS[i % 3]),
                "tier": None,
            }
            for i in range(MANY)
        ],
    )


def test_the_export_columns_revision_fills_earlier_submissions_both_ways(engine):
    upgrade(engine, BEFORE)
    with engine.begin() as conn:
        add_submissions(conn)
    upgrade(engine, "e5a8c2d4f7b9")
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT id, red_flags, cautions FROM submission ORDER BY id")
        ).all()
    assert len(stored) == MANY
    expected = [("dvt;cauda_equina", "nsaids"), ("", "nsaids;steroid"), ("", "")]
    assert [(flags, cautions) for _, flags, cautions in stored] == [
        expected[i % 3] for i in range(MANY)
    ]
    downgrade(engine, BEFORE)
    columns = {c["name"] for c in inspect(engine).get_columns("submission")}
    assert not columns & {"red_flags", "cautions"} and "language" in columns
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM submission")) == MANY

"""rescreening rows append-only, like notes and audit events

Revision ID: 9b3e1f7a2c64
Revises: 8d2b5a6e4c70
Create Date: 2026-11-27 14:30:00

A re-screening records what the current rules make of answers a patient once sent; it is
evidence beside the original, so like review notes it may be added, never changed. Triggers
refuse UPDATE on rescreening, and DELETE while its submission is still there: the retention
purge (`flask purge-submissions`, one SQL DELETE of submissions) still takes a purged
submission's re-screenings with it through ON DELETE CASCADE. TRUNCATE fires no row
triggers and is not refused.

The PostgreSQL function is this table's own, so this revision leaves the audit log's and the
notes' function (b8d1c0a7e5f1) as it is, and its downgrade has nothing of theirs to restore.
"""

from __future__ import annotations

from alembic import op

revision = "9b3e1f7a2c64"
down_revision = "8d2b5a6e4c70"
branch_labels = None
depends_on = None

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_rescreening_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT 1 FROM submission WHERE id = OLD.submission_id) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'rescreening rows are append-only' USING ERRCODE = 'restrict_violation';
END
$$
"""
POSTGRESQL_TRIGGER = """
CREATE TRIGGER rescreening_append_only BEFORE UPDATE OR DELETE ON rescreening
FOR EACH ROW EXECUTE FUNCTION refuse_rescreening_change()
"""

# name, event, condition
SQLITE_TRIGGERS = (
    ("rescreening_no_update", "UPDATE", ""),
    (
        "rescreening_no_delete",
        "DELETE",
        "WHEN EXISTS (SELECT 1 FROM submission WHERE id = OLD.submission_id)",
    ),
)
SQLITE_TRIGGER = """
CREATE TRIGGER {name} BEFORE {event} ON rescreening {condition}
BEGIN SELECT RAISE(ABORT, 'rescreening rows are append-only'); END
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
        return
    for name, event, condition in SQLITE_TRIGGERS:
        op.execute(SQLITE_TRIGGER.format(name=name, event=event, condition=condition))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER rescreening_append_only ON rescreening")
        op.execute("DROP FUNCTION refuse_rescreening_change()")
        return
    for name, *_ in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")

"""append-only audit log and review notes, in the database

Revision ID: b8d1c0a7e5f1
Revises: 530040e2e42c
Create Date: 2026-11-27 03:00:00

The audit log and review notes were append-only in the ORM alone (models._append_only), so
plain SQL, a console or a bug could still change or delete them. Triggers now refuse UPDATE
and DELETE on audit_event, and UPDATE on review_note; DELETE on review_note only once its
submission is gone, so the retention purge (`flask purge-submissions`) still takes a purged
submission's notes with it through ON DELETE CASCADE. One consequence: a staff account that
wrote notes cannot be deleted (its notes' author_id would be set to NULL); accounts are
disabled, never deleted. TRUNCATE fires no row triggers and is not refused.

On SQLite a batch alter (a copy of the table) drops its triggers: a later revision that
alters audit_event or review_note must create them again.
"""

from __future__ import annotations

from alembic import op

revision = "b8d1c0a7e5f1"
down_revision = "530040e2e42c"
branch_labels = None
depends_on = None

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_append_only_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Nested: PL/pgSQL does not stop at a false AND, and audit_event has no submission_id.
    IF TG_TABLE_NAME = 'review_note' AND TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT 1 FROM submission WHERE id = OLD.submission_id) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$
"""
POSTGRESQL_TRIGGER = """
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()
"""

# name, event, table, condition
SQLITE_TRIGGERS = (
    ("audit_event_no_update", "UPDATE", "audit_event", ""),
    ("audit_event_no_delete", "DELETE", "audit_event", ""),
    ("review_note_no_update", "UPDATE", "review_note", ""),
    (
        "review_note_no_delete",
        "DELETE",
        "review_note",
        "WHEN EXISTS (SELECT 1 FROM submission WHERE id = OLD.submission_id)",
    ),
)
SQLITE_TRIGGER = """
CREATE TRIGGER {name} BEFORE {event} ON {table} {condition}
BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END
"""

TABLES = ("audit_event", "review_note")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        for table in TABLES:
            op.execute(POSTGRESQL_TRIGGER.format(table=table))
        return
    for name, event, table, condition in SQLITE_TRIGGERS:
        op.execute(SQLITE_TRIGGER.format(name=name, event=event, table=table, condition=condition))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION refuse_append_only_change()")
        return
    for name, *_ in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")

"""worklist: the contact log, and its latest outcome on each submission

Revision ID: 55b9adac9a35
Revises: d52965fc8e38
Create Date: 2026-12-08 15:00:00

Staff record each try at reaching a patient about a call-back request or a red flag
(contact_attempt: who, when, the outcome, a note). Like review notes, attempts are evidence:
triggers refuse UPDATE, and DELETE while the submission is still there, so the retention
purge still takes them with it through ON DELETE CASCADE. TRUNCATE fires no row triggers.

The worklist decides what is still open from the submission's row alone, so the latest
outcome and the number of attempts sit there too (contact_outcome, contact_attempts), kept
in step with the log in the request that adds an attempt. Plain ALTER TABLE, as in
e5a8c2d4f7b9: a batch copy would stop at SQLite's triggers on the tables that point at
submission. Existing submissions have no attempts: NULL and 0.

has_callback says a call-back request goes with the submission: set by a trigger on
callback_request, whoever adds the request, and filled here for earlier ones. Two indexes
let the worklist decide from an index alone: (review_status, tier_rank, created_at, id,
contact_outcome, has_callback) reads red flags and follow-ups in their order, and (has_callback,
created_at, id, review_status, tier_rank, contact_outcome) its call-backs in theirs; a join to
callback_request made PostgreSQL hash the whole submission table. A third,
(has_callback, tier_rank, created_at DESC, id), serves the list's call-back filter with red
flags first, as the other filter columns' indexes do.

kept_text holds what a clinician typed into a review or contact form and posted after their
session had ended, for a short time and for that person alone, until they sign in again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "55b9adac9a35"
down_revision = "d52965fc8e38"
branch_labels = None
depends_on = None

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_contact_attempt_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT 1 FROM submission WHERE id = OLD.submission_id) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'contact_attempt rows are append-only' USING ERRCODE = 'restrict_violation';
END
$$
"""
POSTGRESQL_TRIGGER = """
CREATE TRIGGER contact_attempt_append_only BEFORE UPDATE OR DELETE ON contact_attempt
FOR EACH ROW EXECUTE FUNCTION refuse_contact_attempt_change()
"""

# name, event, condition
SQLITE_TRIGGERS = (
    ("contact_attempt_no_update", "UPDATE", ""),
    (
        "contact_attempt_no_delete",
        "DELETE",
        "WHEN EXISTS (SELECT 1 FROM submission WHERE id = OLD.submission_id)",
    ),
)
# A new call-back request marks its submission, whatever adds the request.
SQLITE_CALLBACK_TRIGGER = """
CREATE TRIGGER callback_request_marks_submission AFTER INSERT ON callback_request
BEGIN UPDATE submission SET has_callback = 1 WHERE id = NEW.submission_id; END
"""
POSTGRESQL_CALLBACK_FUNCTION = """
CREATE OR REPLACE FUNCTION mark_submission_callback() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE submission SET has_callback = true WHERE id = NEW.submission_id;
    RETURN NEW;
END
$$
"""
POSTGRESQL_CALLBACK_TRIGGER = """
CREATE TRIGGER callback_request_marks_submission AFTER INSERT ON callback_request
FOR EACH ROW EXECUTE FUNCTION mark_submission_callback()
"""

SQLITE_TRIGGER = """
CREATE TRIGGER {name} BEFORE {event} ON contact_attempt {condition}
BEGIN SELECT RAISE(ABORT, 'contact_attempt rows are append-only'); END
"""


INDEXES = {
    "ix_submission_worklist": (
        "review_status",
        "tier_rank",
        "created_at",
        "id",
        "contact_outcome",
        "has_callback",
    ),
    "ix_submission_callback_worklist": (
        "has_callback",
        "created_at",
        "id",
        "review_status",
        "tier_rank",
        "contact_outcome",
    ),
}


def upgrade() -> None:
    op.create_table(
        "contact_attempt",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "submission_id",
            sa.String(32),
            sa.ForeignKey("submission.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("staff_user.id", ondelete="SET NULL")),
        sa.Column("author_email", sa.String(254), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_contact_attempt_submission_id", "contact_attempt", ["submission_id"])
    op.add_column("submission", sa.Column("contact_outcome", sa.String(16)))
    op.add_column(
        "submission",
        sa.Column("contact_attempts", sa.Integer, nullable=False, server_default="0"),
    )
    op.add_column(
        "submission",
        sa.Column("has_callback", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.execute(
        "UPDATE submission SET has_callback = true"
        " WHERE id IN (SELECT submission_id FROM callback_request)"
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "submission", list(columns))
    op.create_index(
        "ix_submission_callback_rank_created",
        "submission",
        ["has_callback", "tier_rank", sa.text("created_at DESC"), "id"],
    )
    op.create_table(
        "kept_text",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("staff_user.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "submission_id",
            sa.String(32),
            sa.ForeignKey("submission.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("form", sa.String(16), nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_kept_text_submission_id", "kept_text", ["submission_id"])
    op.create_index("ix_kept_text_expires_at", "kept_text", ["expires_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
        op.execute(POSTGRESQL_CALLBACK_FUNCTION)
        op.execute(POSTGRESQL_CALLBACK_TRIGGER)
        return
    op.execute(SQLITE_CALLBACK_TRIGGER)
    for name, event, condition in SQLITE_TRIGGERS:
        op.execute(SQLITE_TRIGGER.format(name=name, event=event, condition=condition))


def downgrade() -> None:
    op.drop_index("ix_submission_callback_rank_created", "submission")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER callback_request_marks_submission ON callback_request")
        op.execute("DROP FUNCTION mark_submission_callback()")
    else:
        op.execute("DROP TRIGGER callback_request_marks_submission")
    op.drop_table("kept_text")
    for name in INDEXES:
        op.drop_index(name, "submission")
    op.drop_column("submission", "has_callback")
    op.drop_column("submission", "contact_attempts")
    op.drop_column("submission", "contact_outcome")
    # Dropping the table drops its triggers; PostgreSQL's function is this table's own.
    op.drop_table("contact_attempt")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION refuse_contact_attempt_change()")

"""alert outbox: alerts written with the event, sent after the commit

Revision ID: 6a1e7c0b5e11
Revises: 4afb4e0097f6
Create Date: 2026-11-27 14:00:00

A new table only. One row per email to one address; `send-alerts` claims due rows and
sends them (questionnaire.staff.alerts.outbox).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "6a1e7c0b5e11"
down_revision = "4afb4e0097f6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("submission_id", sa.String(length=32), nullable=True),
        sa.Column("reference", sa.String(length=9), nullable=True),
        sa.Column("tier", sa.String(length=16), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    op.create_index("ix_alert_outbox_submission_id", "alert_outbox", ["submission_id"])
    op.create_index("ix_alert_outbox_due", "alert_outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_alert_outbox_due", table_name="alert_outbox")
    op.drop_index("ix_alert_outbox_submission_id", table_name="alert_outbox")
    op.drop_table("alert_outbox")

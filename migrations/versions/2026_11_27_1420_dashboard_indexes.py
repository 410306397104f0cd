"""dashboard: what its aggregates need

Revision ID: 8d2b5a6e4c70
Revises: 7f41a0c9d2b3
Create Date: 2026-11-27 14:20:00

Two indexes the dashboard reads instead of the submission rows (each several pages of JSON):
a period's outcome columns in one range, and the ids of submissions not yet reviewed.
"""

from __future__ import annotations

from alembic import op

revision = "8d2b5a6e4c70"
down_revision = "7f41a0c9d2b3"
branch_labels = None
depends_on = None

OUTCOMES = (
    "created_at",
    "booking",
    "tier_rank",
    "osteoarthritis",
    "tendinopathy",
    "ligament",
    "neuropathic",
)


def upgrade() -> None:
    op.create_index("ix_submission_created_outcomes", "submission", list(OUTCOMES))
    op.create_index("ix_submission_status_id", "submission", ["review_status", "id"])


def downgrade() -> None:
    op.drop_index("ix_submission_status_id", table_name="submission")
    op.drop_index("ix_submission_created_outcomes", table_name="submission")

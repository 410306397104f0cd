"""tier rank for red flags first

Revision ID: 530040e2e42c
Revises: 0e523779bcbd
Create Date: 2026-11-26 20:44:56.245737

The clinicians' "red flags first" order sorted every submission on a CASE expression over
`tier` (200-300 ms at 100,000). A stored rank with indexes in that order reads it in index
order instead. Existing rows are filled in from `tier`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "530040e2e42c"
down_revision = "0e523779bcbd"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tier_rank", sa.SmallInteger(), nullable=False, server_default="3")
        )
    op.execute(
        "UPDATE submission SET tier_rank = CASE tier WHEN 'emergency' THEN 0 "
        "WHEN 'urgent' THEN 1 WHEN 'gp_soon' THEN 2 ELSE 3 END"
    )
    op.create_index(
        "ix_submission_rank_created", "submission", ["tier_rank", sa.text("created_at DESC")]
    )
    op.create_index(
        "ix_submission_status_rank_created",
        "submission",
        ["review_status", "tier_rank", sa.text("created_at DESC")],
    )


def downgrade() -> None:
    op.drop_index("ix_submission_status_rank_created", table_name="submission")
    op.drop_index("ix_submission_rank_created", table_name="submission")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_column("tier_rank")

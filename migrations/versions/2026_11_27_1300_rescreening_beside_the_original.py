"""rescreening: stored answers screened again under later rules, beside the original

Revision ID: 4afb4e0097f6
Revises: 3bc8bf13cbeb
Create Date: 2026-11-27 13:00:00

A new table only: the submission's own screening columns (what the patient saw) are left
as they are.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "4afb4e0097f6"
down_revision = "3bc8bf13cbeb"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rescreening",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("bank_version", sa.String(length=16), nullable=False),
        sa.Column("rules_version", sa.String(length=16), nullable=False),
        sa.Column("screening", sa.JSON(), nullable=False),
        sa.Column("booking", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=True),
        sa.Column("osteoarthritis", sa.String(length=10), nullable=False),
        sa.Column("tendinopathy", sa.String(length=10), nullable=False),
        sa.Column("ligament", sa.String(length=10), nullable=False),
        sa.Column("neuropathic", sa.String(length=10), nullable=False),
        sa.Column("booking_changed", sa.Boolean(), nullable=False),
        sa.Column("tier_changed", sa.Boolean(), nullable=False),
        sa.Column("changed_levels", sa.JSON(), nullable=False),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "submission_id", "rules_version", "bank_version", name="uq_rescreening_versions"
        ),
    )
    op.create_index("ix_rescreening_submission_id", "rescreening", ["submission_id"])
    op.create_index(
        "ix_rescreening_versions_changed",
        "rescreening",
        ["rules_version", "bank_version", "changed"],
    )


def downgrade() -> None:
    op.drop_index("ix_rescreening_versions_changed", table_name="rescreening")
    op.drop_index("ix_rescreening_submission_id", table_name="rescreening")
    op.drop_table("rescreening")

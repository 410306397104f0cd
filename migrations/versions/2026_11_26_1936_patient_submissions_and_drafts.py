"""patient submissions and drafts

Revision ID: 7fff4dba416a
Revises:
Create Date: 2026-11-26 19:36:24.548361
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "7fff4dba416a"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("completed", sa.JSON(), nullable=False),
        sa.Column("consent_version", sa.String(length=16), nullable=False),
        sa.Column("consented_at", sa.DateTime(), nullable=False),
        sa.Column("submit_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "submission",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=9), nullable=False),
        sa.Column("submit_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("bank_version", sa.String(length=16), nullable=False),
        sa.Column("rules_version", sa.String(length=16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("screening", sa.JSON(), nullable=False),
        sa.Column("booking", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=True),
        sa.Column("osteoarthritis", sa.String(length=10), nullable=False),
        sa.Column("tendinopathy", sa.String(length=10), nullable=False),
        sa.Column("ligament", sa.String(length=10), nullable=False),
        sa.Column("neuropathic", sa.String(length=10), nullable=False),
        sa.Column("consent_version", sa.String(length=16), nullable=False),
        sa.Column("consented_at", sa.DateTime(), nullable=False),
        sa.Column("review_status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
        sa.UniqueConstraint("submit_token"),
    )
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_booking"), ["booking"], unique=False)
        batch_op.create_index(batch_op.f("ix_submission_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_submission_ligament"), ["ligament"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_submission_neuropathic"), ["neuropathic"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_submission_osteoarthritis"), ["osteoarthritis"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_submission_review_status"), ["review_status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_submission_tendinopathy"), ["tendinopathy"], unique=False
        )
        batch_op.create_index("ix_submission_tier_created", ["tier", "created_at"], unique=False)

    op.create_table(
        "callback_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("best_time", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("submission_id"),
    )


def downgrade() -> None:
    op.drop_table("callback_request")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_index("ix_submission_tier_created")
        batch_op.drop_index(batch_op.f("ix_submission_tendinopathy"))
        batch_op.drop_index(batch_op.f("ix_submission_review_status"))
        batch_op.drop_index(batch_op.f("ix_submission_osteoarthritis"))
        batch_op.drop_index(batch_op.f("ix_submission_neuropathic"))
        batch_op.drop_index(batch_op.f("ix_submission_ligament"))
        batch_op.drop_index(batch_op.f("ix_submission_created_at"))
        batch_op.drop_index(batch_op.f("ix_submission_booking"))

    op.drop_table("submission")
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_expires_at"))

    op.drop_table("draft")

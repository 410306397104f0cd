"""api tokens: named systems reading submissions as FHIR

Revision ID: 7f41a0c9d2b3
Revises: 6a1e7c0b5e11
Create Date: 2026-11-27 14:10:00

The tokens (their SHA-256 only), the ids of submissions deleted at retention (so the API can
answer 410 Gone), and an index for paging submissions in (created_at, id) order.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "7f41a0c9d2b3"
down_revision = "6a1e7c0b5e11"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("window_started_at", sa.DateTime(), nullable=True),
        sa.Column("window_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "purged_submission",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("purged_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_submission_created_id", "submission", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_submission_created_id", table_name="submission")
    op.drop_table("purged_submission")
    op.drop_table("api_token")

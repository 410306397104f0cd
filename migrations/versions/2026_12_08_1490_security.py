"""security: accounts that stay with their owner, step-up, tokens tied to people, limits
(issue 20)

Revision ID: d52965fc8e38
Revises: e5a8c2d4f7b9
Create Date: 2026-12-08 14:90:00

API tokens name the admin who made them (api_token.created_by_id), filled in for existing
tokens from the email they already recorded; a token made on the command line names nobody.
One table counts every rate limit (`rate_count`, questionnaire/core/limits.py) in place of
the resume codes' own `resume_attempt` and the API tokens' window columns, whose counts (a
quarter of an hour's, a minute's) are dropped.

Reserved in the chain so that parallel work adds its schema changes without forking it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d52965fc8e38"
down_revision = "e5a8c2d4f7b9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # sec1: one table for rate limits; the admin behind each API token.
    op.create_table(
        "rate_count",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", "key", name="pk_rate_count"),
    )
    op.drop_table("resume_attempt")
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("window_started_at")
        batch.drop_column("window_count")
        batch.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_api_token_created_by_id", "staff_user", ["created_by_id"], ["id"]
        )
    op.execute(
        "UPDATE api_token SET created_by_id ="
        " (SELECT id FROM staff_user WHERE staff_user.email = api_token.created_by)"
    )


def downgrade() -> None:
    # sec1
    op.create_table(
        "resume_attempt",
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client", "window_start", name="pk_resume_attempt"),
    )
    op.drop_table("rate_count")
    with op.batch_alter_table("api_token") as batch:
        batch.drop_constraint("fk_api_token_created_by_id", type_="foreignkey")
        batch.drop_column("created_by_id")
        batch.add_column(sa.Column("window_started_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("window_count", sa.Integer(), nullable=False, server_default="0")
        )

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

Temporary passwords that run out and work once, set-up codes for an authenticator
app, the session's last code (step-up), pauses that grow, and the devices a person signs in
from. Columns are added with plain ALTER TABLE, as in the second-factor revision (a batch
copy of staff_user would delete every session on SQLite). An account waiting to set up its
app at the upgrade needs a set-up code from an admin (setup_code_required defaults to true),
and a temporary password handed out before it no longer works (temporary_password_until is
NULL): an admin resets either from the accounts page.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d52965fc8e38"
down_revision = "e5a8c2d4f7b9"
branch_labels = None
depends_on = None

SEC2_USER_COLUMNS = (
    sa.Column("temporary_password_until", sa.DateTime(), nullable=True),
    sa.Column("setup_code_required", sa.Boolean(), nullable=False, server_default=sa.true()),
    sa.Column("setup_code_hash", sa.String(length=64), nullable=True),
    sa.Column("setup_code_until", sa.DateTime(), nullable=True),
    sa.Column("setup_code_by", sa.String(length=254), nullable=True),
    sa.Column("mfa_enrolled_code_by", sa.String(length=254), nullable=True),
    sa.Column("lock_level", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("lock_level_at", sa.DateTime(), nullable=True),
    sa.Column("known_devices", sa.JSON(), nullable=False, server_default="[]"),
)
SEC2_SESSION_COLUMNS = (sa.Column("code_at", sa.DateTime(), nullable=True),)


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
    # sec2:
    for column in SEC2_USER_COLUMNS:
        op.add_column("staff_user", column)
    for column in SEC2_SESSION_COLUMNS:
        op.add_column("staff_session", column)


def downgrade() -> None:
    # sec2:
    for column in SEC2_SESSION_COLUMNS:
        op.drop_column("staff_session", column.name)
    for column in SEC2_USER_COLUMNS:
        op.drop_column("staff_user", column.name)
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

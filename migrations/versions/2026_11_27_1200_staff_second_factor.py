"""staff second factor: authenticator secrets, recovery codes, half-way sessions

Revision ID: 3bc8bf13cbeb
Revises: b8d1c0a7e5f1
Create Date: 2026-11-27 12:00:00

Every column added is nullable, so existing accounts and sessions stay as they are: an
account has no authenticator until its person sets one up at the next sign-in, and a
session open at the upgrade has not passed a second factor, so it is sent to that set-up
and ends as any half-way session does.

Columns are added and dropped with plain ALTER TABLE, not a batch copy, on SQLite too
(3.35 and later drop a column in place): copying staff_user would drop the old table, and
with foreign keys on, SQLite would then delete every session and set review notes' authors
to NULL, which the append-only trigger refuses.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "3bc8bf13cbeb"
down_revision = "b8d1c0a7e5f1"
branch_labels = None
depends_on = None

USER_COLUMNS = (
    sa.Column("mfa_secret", sa.String(length=255), nullable=True),
    sa.Column("mfa_enrolled_at", sa.DateTime(), nullable=True),
    sa.Column("mfa_last_step", sa.Integer(), nullable=True),
)
SESSION_COLUMNS = (
    sa.Column("mfa_passed_at", sa.DateTime(), nullable=True),
    sa.Column("pending_mfa_secret", sa.String(length=255), nullable=True),
)


def upgrade() -> None:
    for column in USER_COLUMNS:
        op.add_column("staff_user", column)
    for column in SESSION_COLUMNS:
        op.add_column("staff_session", column)
    op.create_table(
        "mfa_recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "code_hash", name="uq_mfa_recovery_code_user_hash"),
    )


def downgrade() -> None:
    op.drop_table("mfa_recovery_code")
    for column in SESSION_COLUMNS:
        op.drop_column("staff_session", column.name)
    for column in USER_COLUMNS:
        op.drop_column("staff_user", column.name)

"""language: the language a patient read the check in

Revision ID: d3f7b2a9e6c1
Revises: c9e4a1b7d306
Create Date: 2026-11-27 14:70:00

Every submission before this one was made in English, so the server default fills them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d3f7b2a9e6c1"
down_revision = "c9e4a1b7d306"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not a batch copy: SQLite's triggers on the tables that point at
# submission (the append-only review notes) would stop it being copied and renamed, and
# SQLite adds and drops a column with a constant default in place.


def upgrade() -> None:
    op.add_column(
        "submission", sa.Column("language", sa.String(8), nullable=False, server_default="en")
    )


def downgrade() -> None:
    op.drop_column("submission", "language")

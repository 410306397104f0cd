"""drafts: what the patient has been told early (red-flag advice before the end)

Revision ID: a7c3d9e1f508
Revises: 9b3e1f7a2c64
Create Date: 2026-11-27 14:40:00

A draft remembers the urgent red flags whose advice the patient read and chose to carry on
past, so the same flags do not interrupt every later step. It lives with the draft rather
than in the session cookie, which is signed but readable: flag ids are health data. Drafts
already in progress start with none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a7c3d9e1f508"
down_revision = "9b3e1f7a2c64"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("draft") as batch:
        batch.add_column(sa.Column("carried_on", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("draft") as batch:
        batch.drop_column("carried_on")

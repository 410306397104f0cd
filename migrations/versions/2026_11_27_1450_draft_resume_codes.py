"""drafts: a hashed resume code to finish on another device

Revision ID: b5d2e8f14c93
Revises: a7c3d9e1f508
Create Date: 2026-11-27 14:50:00

A draft may carry the SHA-256 of a resume code, which moves it to another browser. The codes
tried are counted per client and for everyone in `resume_attempt`, shared by every worker.
Drafts already in progress have no code.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b5d2e8f14c93"
down_revision = "a7c3d9e1f508"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("draft") as batch:
        batch.add_column(sa.Column("resume_hash", sa.String(64), nullable=True))
        batch.create_unique_constraint("uq_draft_resume_hash", ["resume_hash"])
    op.create_table(
        "resume_attempt",
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client", "window_start", name="pk_resume_attempt"),
    )


def downgrade() -> None:
    op.drop_table("resume_attempt")
    with op.batch_alter_table("draft") as batch:
        batch.drop_constraint("uq_draft_resume_hash", type_="unique")
        batch.drop_column("resume_hash")

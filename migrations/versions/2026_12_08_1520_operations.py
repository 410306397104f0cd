"""operations: a tombstone for each submission erased on request (issue 23)

Revision ID: f08f3e98a5ae
Revises: 54babf7aeeef
Create Date: 2026-12-08 15:20:00

erased_submission keeps the id, reference, time and eraser of a submission erased at the
patient's request, and nothing of its content, so the FHIR API can answer 410 Gone and
staff can be told it is already erased. Erasure itself is one DELETE of the submission:
its notes, re-screenings, call-back request and alerts go with it through ON DELETE
CASCADE, which the append-only triggers (b8d1c0a7e5f1, 9b3e1f7a2c64) already allow only
once the submission row is gone; audit events are not touched. So the triggers stay as
they are: no other path may delete a note or a re-screening.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f08f3e98a5ae"
down_revision = "54babf7aeeef"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erased_submission",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("reference", sa.String(9), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.Column("erased_by", sa.String(254), nullable=False),
    )
    op.create_index("ix_erased_submission_reference", "erased_submission", ["reference"])


def downgrade() -> None:
    op.drop_index("ix_erased_submission_reference", "erased_submission")
    op.drop_table("erased_submission")

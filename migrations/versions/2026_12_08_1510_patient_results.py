"""patient_results: patient results to keep and saved codes that stay (issue 22)

Revision ID: 54babf7aeeef
Revises: 55b9adac9a35
Create Date: 2026-12-08 15:10:00

Reserved in the chain so that parallel work adds its schema changes without forking it;
a revision that needs no change stays empty.

pat2: submission.result_forgotten_at, when the patient's browser forgot its result ("Start
again"): from then on no cookie opens the result, a copy of the old one included. Plain ALTER
TABLE, as in d3f7b2a9e6c1: a batch copy would stop at SQLite's triggers on the tables that
point at submission.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "54babf7aeeef"
down_revision = "55b9adac9a35"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # pat2:
    op.add_column("submission", sa.Column("result_forgotten_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    # pat2:
    op.drop_column("submission", "result_forgotten_at")

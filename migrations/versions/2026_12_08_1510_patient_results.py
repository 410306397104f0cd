"""patient_results: patient results to keep and saved codes that stay (issue 22)

Revision ID: 54babf7aeeef
Revises: 55b9adac9a35
Create Date: 2026-12-08 15:10:00

Reserved in the chain so that parallel work adds its schema changes without forking it;
a revision that needs no change stays empty.
"""

from __future__ import annotations

revision = "54babf7aeeef"
down_revision = "55b9adac9a35"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

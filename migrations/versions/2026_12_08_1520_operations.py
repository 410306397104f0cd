"""operations: erasure on request, key rotation (issue 23)

Revision ID: f08f3e98a5ae
Revises: 54babf7aeeef
Create Date: 2026-12-08 15:20:00

Reserved in the chain so that parallel work adds its schema changes without forking it;
a revision that needs no change stays empty.
"""

from __future__ import annotations

revision = "f08f3e98a5ae"
down_revision = "54babf7aeeef"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

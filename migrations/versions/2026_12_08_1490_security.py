"""security: accounts that stay with their owner, step-up, tokens tied to people, limits
(issue 20)

Revision ID: d52965fc8e38
Revises: e5a8c2d4f7b9
Create Date: 2026-12-08 14:90:00

Reserved in the chain so that parallel work adds its schema changes without forking it;
a revision that needs no change stays empty.
"""

from __future__ import annotations

revision = "d52965fc8e38"
down_revision = "e5a8c2d4f7b9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

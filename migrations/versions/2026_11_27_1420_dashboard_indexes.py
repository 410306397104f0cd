"""dashboard: what its aggregates need

Revision ID: 8d2b5a6e4c70
Revises: 7f41a0c9d2b3
Create Date: 2026-11-27 14:20:00
"""

from __future__ import annotations

revision = "8d2b5a6e4c70"
down_revision = "7f41a0c9d2b3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""speed: what the list filters and the export need

Revision ID: c9e4a1b7d306
Revises: b5d2e8f14c93
Create Date: 2026-11-27 14:60:00
"""

from __future__ import annotations

revision = "c9e4a1b7d306"
down_revision = "b5d2e8f14c93"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

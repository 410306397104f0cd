"""rescreening rows append-only, like notes and audit events

Revision ID: 9b3e1f7a2c64
Revises: 8d2b5a6e4c70
Create Date: 2026-11-27 14:30:00
"""

from __future__ import annotations

revision = "9b3e1f7a2c64"
down_revision = "8d2b5a6e4c70"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""alert outbox: alerts written with the event, sent after the commit

Revision ID: 6a1e7c0b5e11
Revises: 4afb4e0097f6
Create Date: 2026-11-27 14:00:00
"""

from __future__ import annotations

revision = "6a1e7c0b5e11"
down_revision = "4afb4e0097f6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

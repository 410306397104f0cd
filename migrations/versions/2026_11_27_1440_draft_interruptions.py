"""drafts: what the patient has been told early (red-flag advice before the end)

Revision ID: a7c3d9e1f508
Revises: 9b3e1f7a2c64
Create Date: 2026-11-27 14:40:00
"""

from __future__ import annotations

revision = "a7c3d9e1f508"
down_revision = "9b3e1f7a2c64"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

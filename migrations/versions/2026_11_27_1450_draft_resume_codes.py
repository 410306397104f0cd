"""drafts: a hashed resume code to finish on another device

Revision ID: b5d2e8f14c93
Revises: a7c3d9e1f508
Create Date: 2026-11-27 14:50:00
"""

from __future__ import annotations

revision = "b5d2e8f14c93"
down_revision = "a7c3d9e1f508"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

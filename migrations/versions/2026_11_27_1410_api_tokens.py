"""api tokens: named systems reading submissions as FHIR

Revision ID: 7f41a0c9d2b3
Revises: 6a1e7c0b5e11
Create Date: 2026-11-27 14:10:00
"""

from __future__ import annotations

revision = "7f41a0c9d2b3"
down_revision = "6a1e7c0b5e11"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

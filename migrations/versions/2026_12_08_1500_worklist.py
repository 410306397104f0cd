"""worklist: the clinic's worklist and contact log (issue 21)

Revision ID: 55b9adac9a35
Revises: d52965fc8e38
Create Date: 2026-12-08 15:00:00

Reserved in the chain so that parallel work adds its schema changes without forking it;
a revision that needs no change stays empty.
"""

from __future__ import annotations

revision = "55b9adac9a35"
down_revision = "d52965fc8e38"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

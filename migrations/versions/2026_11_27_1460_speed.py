"""speed: what the list filters and the export need

Revision ID: c9e4a1b7d306
Revises: b5d2e8f14c93
Create Date: 2026-11-27 14:60:00

Each column the clinicians' list filters on gets an index in each of the list's two orders
(newest first; red flags first, then newest), so a page is read in index order and stops
after one page, and its count is counted in the index. The single-column indexes these
replace, and those on created_at and review_status (each the first column of a composite
index already), only cost writes. SQLite then gathers its statistics (ANALYZE): without
them it guesses, and for some filters guesses a plan that sorts every matching row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c9e4a1b7d306"
down_revision = "b5d2e8f14c93"
branch_labels = None
depends_on = None

FILTER_COLUMNS = ("booking", "osteoarthritis", "tendinopathy", "ligament", "neuropathic")
NEWEST = sa.text("created_at DESC")


def upgrade() -> None:
    for name in (*FILTER_COLUMNS, "created_at", "review_status"):
        op.drop_index(f"ix_submission_{name}", table_name="submission")
    op.create_index("ix_submission_status_created", "submission", ["review_status", NEWEST, "id"])
    for name in FILTER_COLUMNS:
        op.create_index(f"ix_submission_{name}_created", "submission", [name, NEWEST, "id"])
        op.create_index(
            f"ix_submission_{name}_rank_created", "submission", [name, "tier_rank", NEWEST, "id"]
        )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ANALYZE")


def downgrade() -> None:
    for name in FILTER_COLUMNS:
        op.drop_index(f"ix_submission_{name}_rank_created", table_name="submission")
        op.drop_index(f"ix_submission_{name}_created", table_name="submission")
    op.drop_index("ix_submission_status_created", table_name="submission")
    for name in (*FILTER_COLUMNS, "created_at", "review_status"):
        op.create_index(f"ix_submission_{name}", "submission", [name])

"""export columns: a submission's red flag and caution ids beside its screening

Revision ID: e5a8c2d4f7b9
Revises: d3f7b2a9e6c1
Create Date: 2026-12-07 14:80:00

The CSV export wrote these lists by decoding every submission's screening JSON, a quarter of
its time. They are now kept as the export writes them, ids joined with ; and "" for none
(filled at submit by submissions.outcome_columns). Earlier submissions are filled here from
their stored screening, a batch at a time by id, so neither backend holds the whole table in
memory; those without a red flag or a caution keep the server default "".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e5a8c2d4f7b9"
down_revision = "d3f7b2a9e6c1"
branch_labels = None
depends_on = None

LISTED = ("red_flags", "cautions")
BATCH = 1000

submission = sa.table(
    "submission",
    sa.column("id", sa.String),
    sa.column("screening", sa.JSON),
    *(sa.column(name, sa.Text) for name in LISTED),
)


# Plain ALTER TABLE, as in d3f7b2a9e6c1: a batch copy would stop at SQLite's triggers on the
# tables that point at submission.


def upgrade() -> None:
    for name in LISTED:
        op.add_column("submission", sa.Column(name, sa.Text, nullable=False, server_default=""))
    conn = op.get_bind()
    after = ""
    while True:
        batch = conn.execute(
            sa.select(submission.c.id, submission.c.screening)
            .where(submission.c.id > after)
            .order_by(submission.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        changes = []
        for sid, screening in batch:
            # .get: a screening stored without a list (none in use; some tests' rows) has none.
            ids = {name: ";".join(i["id"] for i in screening.get(name, ())) for name in LISTED}
            if any(ids.values()):
                changes.append({"sid": sid, **ids})
        if changes:
            conn.execute(
                submission.update()
                .where(submission.c.id == sa.bindparam("sid"))
                .values({name: sa.bindparam(name) for name in LISTED}),
                changes,
            )
        after = batch[-1].id


def downgrade() -> None:
    for name in reversed(LISTED):
        op.drop_column("submission", name)

"""One submissions export, however it is asked for (the staff page's download or the
`export-csv` command): the rows counted, the export in the audit log, then the CSV's lines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.core import audit
from questionnaire.core.models import Submission, User
from questionnaire.staff.export import csv_export
from questionnaire.staff.submissions.filters import conditions


@dataclass(frozen=True)
class Choice:
    """What is exported: the list's filters (as active_filters gives them) and the options."""

    filters: dict[str, str]
    labels: bool
    contacts: bool
    latest: bool


def start(
    db: Session, choice: Choice, *, user: User | None = None, email: str | None = None
) -> tuple[int, Iterator[str]]:
    """The number of rows, and the CSV's lines (read on their own connection as they are
    taken). The export is audited and committed before the first line leaves, so one cut
    short half-way is on record too."""
    where = conditions(choice.filters)
    count = db.scalar(select(func.count()).select_from(Submission).where(*where)) or 0
    audit.record(
        db,
        "export_csv",
        user=user,
        email=email,
        filters=choice.filters,
        rows=count,
        labels=choice.labels,
        contacts=choice.contacts,
        latest_screening=choice.latest,
    )
    db.commit()
    engine = current_app.extensions["db_engine"]

    def lines() -> Iterator[str]:
        with engine.connect() as conn:
            yield from csv_export.stream(
                conn, where, labels=choice.labels, contacts=choice.contacts, latest=choice.latest
            )

    return count, lines()

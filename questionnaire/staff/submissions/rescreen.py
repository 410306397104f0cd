"""Screening stored answers again under the current rules, beside what the patient saw.

The submission's own columns are never touched: they record the screening the patient was
shown. Each re-screening is a Rescreening row, one per submission and versions, so running
the command again under the same rules does nothing new.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, exists, func, select
from sqlalchemy.orm import Session

import rules
from questionnaire.core.models import Rescreening, Submission

BATCH_SIZE = 500
LEVEL_COLUMNS = rules.INDICATIONS  # the four level columns, named as the indications


def current_versions() -> tuple[str, str]:
    """(rules, bank) as the rules package says now. Read at call time, not imported once,
    so the versions and the rules that made them always go together."""
    return rules.RULES_VERSION, rules.BANK_VERSION


def is_current(rules_version: str, bank_version: str) -> ColumnElement[bool]:
    return (Rescreening.rules_version == rules_version) & (Rescreening.bank_version == bank_version)


def changed_now() -> ColumnElement[bool]:
    """Submissions whose re-screening under the current versions differs from the original:
    the list's "Changed under the current rules" filter."""
    rules_version, bank_version = current_versions()
    # IN, not a correlated EXISTS: both databases then read the few changed re-screenings
    # from ix_rescreening_versions_changed, where EXISTS made SQLite probe once per
    # submission (170 ms at 100,000 even with no re-screening at all).
    return Submission.id.in_(
        select(Rescreening.submission_id).where(
            is_current(rules_version, bank_version), Rescreening.changed.is_(True)
        )
    )


def _needs_rescreening(rules_version: str, bank_version: str) -> ColumnElement[bool]:
    """Screened first under other versions, and not yet again under these."""
    screened_under_others = (Submission.rules_version != rules_version) | (
        Submission.bank_version != bank_version
    )
    done = exists().where(
        Rescreening.submission_id == Submission.id, is_current(rules_version, bank_version)
    )
    return screened_under_others & ~done


@dataclass
class Counts:
    checked: int = 0
    skipped: int = 0
    rescreened: int = 0
    unreadable: int = 0  # answers the current bank no longer accepts
    booking: int = 0
    tier: int = 0
    levels: int = 0
    changed: int = 0

    def as_details(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "skipped": self.skipped,
            "rescreened": self.rescreened,
            "unreadable": self.unreadable,
            "changed": self.changed,
            "booking_changed": self.booking,
            "tier_changed": self.tier,
            "levels_changed": self.levels,
        }


SELECTED = (
    Submission.id,
    Submission.answers,
    Submission.booking,
    Submission.tier,
    *(getattr(Submission, name) for name in LEVEL_COLUMNS),
)


def _batches(db: Session, where: Sequence[ColumnElement[bool]]) -> Iterator[Sequence[Row[Any]]]:
    """Keyset pages by id: memory stays flat however many submissions there are, and rows
    stored between pages cannot shift the next page as an OFFSET would."""
    after = ""
    while True:
        batch = db.execute(
            select(*SELECTED)
            .where(*where, Submission.id > after)
            .order_by(Submission.id)
            .limit(BATCH_SIZE)
        ).all()
        if not batch:
            return
        yield batch
        after = batch[-1].id


def compare(row: Row[Any], screening: rules.Screening) -> tuple[bool, bool, list[str]]:
    """(booking changed, tier changed, the indications whose level changed)."""
    levels = [
        name for name in LEVEL_COLUMNS if getattr(row, name) != screening.indications[name].level
    ]
    return row.booking != screening.booking, row.tier != screening.tier, levels


def rescreen_row(row: Row[Any], rules_version: str, bank_version: str) -> Rescreening | None:
    """The row's re-screening under the current rules, or None if its answers no longer
    pass the current bank (counted, left for a person to look at)."""
    try:
        screening = rules.evaluate(row.answers)
    except rules.AnswerError:
        return None
    booking, tier, levels = compare(row, screening)
    return Rescreening(
        submission_id=row.id,
        bank_version=bank_version,
        rules_version=rules_version,
        screening=screening.to_dict(),
        booking=screening.booking,
        tier=screening.tier,
        **{name: ind.level for name, ind in screening.indications.items()},
        booking_changed=booking,
        tier_changed=tier,
        changed_levels=levels,
        changed=booking or tier or bool(levels),
    )


def run(db: Session, where: Sequence[ColumnElement[bool]], *, dry_run: bool) -> Counts:
    """Re-screen every submission matching `where` that needs it, committing per batch
    (nothing is stored on a dry run)."""
    rules_version, bank_version = current_versions()
    counts = Counts()
    counts.checked = db.scalar(select(func.count()).select_from(Submission).where(*where)) or 0
    needs = [*where, _needs_rescreening(rules_version, bank_version)]
    for batch in _batches(db, needs):
        for row in batch:
            result = rescreen_row(row, rules_version, bank_version)
            if result is None:
                counts.unreadable += 1
                continue
            counts.rescreened += 1
            counts.booking += result.booking_changed
            counts.tier += result.tier_changed
            counts.levels += bool(result.changed_levels)
            counts.changed += result.changed
            if not dry_run:
                db.add(result)
        if not dry_run:
            db.commit()
        db.expunge_all()
    counts.skipped = counts.checked - counts.rescreened - counts.unreadable
    return counts

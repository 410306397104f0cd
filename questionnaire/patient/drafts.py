"""Answers in progress, kept on the server against a random token in the session cookie.

The database keeps only a hash of the token, so a copy of the table cannot be used to take
over a patient's draft. Domain functions here never commit: the view does.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, bindparam, delete, select, update
from sqlalchemy.orm import Session

from questionnaire.core.db import rows_changed
from questionnaire.core.models import Draft, utcnow
from rules import SECTIONS, TIERS, RedFlag, Screening, Section, clean, evaluate, missing

CONSENT_VERSION = "1.0"
STEP_IDS: tuple[str, ...] = tuple(s.id for s in SECTIONS)
REVIEW = "review"
# Red-flag tiers whose advice is given as soon as the answers raise them, before anything else
# is asked; `gp_soon` advice waits for the result (docs/patient-flow.md says why).
ADVISE_AT_ONCE = ("emergency", "urgent")


def token_key(token: str) -> str:
    """The draft's id for a cookie token: its SHA-256, so the table holds no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


def start(db: Session, lifetime: timedelta) -> tuple[str, Draft]:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    draft = Draft(
        id=token_key(token),
        answers={},
        completed=[],
        consent_version=CONSENT_VERSION,
        consented_at=now,
        created_at=now,
        updated_at=now,
        expires_at=now + lifetime,
    )
    db.add(draft)
    return token, draft


def load(db: Session, token: str | None) -> Draft | None:
    """The live draft for this token; an expired one is deleted and treated as none."""
    if not token:
        return None
    draft = db.get(Draft, token_key(token))
    if draft is not None and draft.expires_at <= utcnow():
        db.delete(draft)
        return None
    return draft


# A mapped class's __table__ is its Table, though typed as the FromClause it may be for
# other mappings; update() needs a Table.
_DRAFT = cast(Table, Draft.__table__)
_READ = select(_DRAFT).where(_DRAFT.c.id == bindparam("key"))
# store() sets the columns its parameters name, what save_step changes, and only while the
# draft is as it was read: a step saved meanwhile in another tab is never written over.
_STORE = update(_DRAFT).where(
    _DRAFT.c.id == bindparam("key"), _DRAFT.c.updated_at == bindparam("read_at")
)
_STEP_COLUMNS = ("answers", "completed", "carried_on", "updated_at", "expires_at")
# Writing the row first takes its lock (SQLite: the database's write lock; PostgreSQL: the
# row's) until the transaction ends, so no other save comes between a read and a write.
_HOLD = update(_DRAFT).where(_DRAFT.c.id == bindparam("key")).values(updated_at=_DRAFT.c.updated_at)


def peek(engine: Engine, token: str | None) -> Draft | None:
    """The live draft for this token, read through a bare connection and held by no Session
    (a Session of its own cost more than the read itself); None when there is none or it has
    expired, which load() deals with."""
    if not token:
        return None
    with engine.connect() as conn:
        return _live(conn, token_key(token))


def store(engine: Engine, draft: Draft, read_at: datetime) -> bool:
    """Write what save_step changed of a draft that peek() read (its updated_at then was
    `read_at`), in a transaction of its own. False when the draft changed or went since:
    the caller reads it again and applies its step to what is there now."""
    with engine.begin() as conn:
        return _write(conn, draft, read_at)


def _live(conn: Connection, key: str) -> Draft | None:
    row = conn.execute(_READ, {"key": key}).one_or_none()
    if row is None or row.expires_at <= utcnow():
        return None
    return Draft(**row._mapping)


def _write(conn: Connection, draft: Draft, read_at: datetime) -> bool:
    values = {name: getattr(draft, name) for name in _STEP_COLUMNS}
    return conn.execute(_STORE, {"key": draft.id, "read_at": read_at, **values}).rowcount == 1


def save_step_held(
    engine: Engine,
    token: str | None,
    section: Section,
    step_answers: dict[str, Any],
    lifetime: timedelta,
) -> tuple[Draft, Screening] | None:
    """save_step on the draft as it is now, its row held from the read to the write: for a
    save that store() refused because another saved the draft meanwhile. Holding the row
    for every save would make each patient's save wait on everyone else's on SQLite, so
    this is only the way round a race. None when the draft is gone or expired."""
    if not token:
        return None
    key = token_key(token)
    with engine.begin() as conn:
        conn.execute(_HOLD, {"key": key})
        draft = _live(conn, key)
        if draft is None:
            return None
        read_at = draft.updated_at
        screening = save_step(draft, section, step_answers, lifetime)
        _write(conn, draft, read_at)
    return draft, screening


def discard(db: Session, token: str | None) -> None:
    if token:
        db.execute(delete(Draft).where(Draft.id == token_key(token)))


def save_step(
    draft: Draft, section: Section, step_answers: dict[str, Any], lifetime: timedelta
) -> Screening:
    """Replace this section's answers, then drop any answer that no longer applies; returns
    what the rules make of the answers now."""
    own = {q.id for q in section.questions}
    merged = {k: v for k, v in draft.answers.items() if k not in own}
    merged.update({k: v for k, v in step_answers.items() if v is not None})
    draft.answers = clean(merged)
    screening = evaluate(draft.answers)
    # A flag the patient carried on past, and that a changed answer has since cleared, is
    # forgotten: should it come back, it is news again and interrupts again.
    standing = {f.id for f in screening.red_flags}
    draft.carried_on = [flag_id for flag_id in draft.carried_on if flag_id in standing]
    if section.id not in draft.completed:
        draft.completed = [*draft.completed, section.id]
    now = utcnow()
    draft.updated_at = now
    draft.expires_at = now + lifetime
    return screening


def flags_to_advise(screening: Screening) -> list[RedFlag]:
    """The red flags whose advice is given at once (ADVISE_AT_ONCE), the most urgent first."""
    flags = [f for f in screening.red_flags if f.tier in ADVISE_AT_ONCE]
    return sorted(flags, key=lambda f: TIERS.index(f.tier))


def interrupts(draft: Draft, flags: list[RedFlag]) -> bool:
    """Whether the advice comes before the next step: always for an emergency, which nobody
    carries on past; for urgent flags, unless the patient has carried on past every one."""
    return any(f.tier == "emergency" or f.id not in draft.carried_on for f in flags)


def carry_on(draft: Draft, flags: list[RedFlag]) -> bool:
    """Record that the patient read the urgent advice and chose to go on, so those flags do
    not interrupt again. Refused (False) while an emergency flag stands."""
    if any(f.tier == "emergency" for f in flags):
        return False
    draft.carried_on = sorted({*draft.carried_on, *(f.id for f in flags)})
    return True


def first_open_step(draft: Draft) -> str:
    """The first step still to be done (a step not yet saved, or with a required question
    that a changed answer has since brought up), or REVIEW when every step is done."""
    gaps = set(missing(draft.answers))
    for section in SECTIONS:
        if section.id not in draft.completed or any(q.id in gaps for q in section.questions):
            return section.id
    return REVIEW


def may_open(draft: Draft, step: str) -> bool:
    """A step opens once every step before it is done; the review once all are."""
    order = [*STEP_IDS, REVIEW]
    return order.index(step) <= order.index(first_open_step(draft))


def next_step(draft: Draft, current: str, *, back_to_review: bool) -> str:
    """Where Continue leads: the following step, or straight back to the review after a
    "Change" (unless the change brought up a new required question on the way)."""
    if not back_to_review:
        order = [*STEP_IDS, REVIEW]
        following = order[order.index(current) + 1]
        if may_open(draft, following):
            return following
    return first_open_step(draft)


def purge_expired(db: Session, now: datetime | None = None) -> int:
    result = db.execute(delete(Draft).where(Draft.expires_at <= (now or utcnow())))
    return rows_changed(result)

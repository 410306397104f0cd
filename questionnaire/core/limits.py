"""Rate limits counted in the database, so every worker on every host counts the same
requests: fixed windows, each begun by the first hit after the last one ended (so a burst
is never split across two windows by the clock), one row per (limit, key) in `rate_count`.

A hit is one INSERT ... ON CONFLICT DO UPDATE ... RETURNING (SQLite 3.35+ and PostgreSQL
alike): requests sent at the same moment to different workers each get their own number,
so none slips past a limit and exactly one sees any given count (a caller can act once when
a count is first passed). Finished windows are deleted by `finished`, which hands their
counts to whoever reports on them; a caller that reports must call it before `hit`, which
starts a key's new window in place of its finished one.

Clients are keyed by network, not by address: an IPv6 user is given a whole /64 and can
pick a new address in it for every request, so the key is the /64 (an IPv4 address, or one
mapped into IPv6, is itself). The key is an HMAC under the app's secret: no address is kept,
and a plain hash of an IPv4 address is undone by trying all 2**32.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import Request
from sqlalchemy import ColumnElement, and_, case, delete, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from questionnaire.core.models import RateCount, UTCDateTime, utcnow

IPV6_PREFIX = 64  # what one household or one phone is given, by RFC 6177


@dataclass(frozen=True)
class Limit:
    name: str  # unique per limit: it is part of every row's key
    most: int  # hits allowed in one window
    window: timedelta


@dataclass(frozen=True)
class Hit:
    count: int  # hits in this window, this one included
    allowed: bool  # count <= the limit's most
    retry_after: int  # seconds until the window ends
    window_start: datetime


def hit(db: Session, limit: Limit, key: str, now: datetime | None = None) -> Hit:
    """Count one hit on `key` under `limit`, allowed or not: a script that keeps trying
    while refused stays refused. The caller commits."""
    now = now or utcnow()
    at = literal(now, UTCDateTime())
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    new = insert(RateCount).values(name=limit.name, key=key, window_start=at, count=1)
    current = RateCount.window_start > literal(now - limit.window, UTCDateTime())
    statement = new.on_conflict_do_update(
        index_elements=[RateCount.name, RateCount.key],
        set_={
            "count": case((current, RateCount.count + 1), else_=1),
            "window_start": case((current, RateCount.window_start), else_=at),
        },
    ).returning(RateCount.count, RateCount.window_start)
    count, start = db.execute(statement).one()
    left = math.ceil((start + limit.window - now).total_seconds())
    return Hit(count, count <= limit.most, max(1, left), start)


class Window(NamedTuple):
    key: str
    window_start: datetime
    hits: int


def _deleted(db: Session, where: ColumnElement[bool]) -> list[Window]:
    deleted = db.execute(
        delete(RateCount)
        .where(where)
        .returning(RateCount.key, RateCount.window_start, RateCount.count)
    )
    return [Window(*row) for row in deleted]


def finished(db: Session, limit: Limit, now: datetime | None = None) -> list[Window]:
    """Delete the limit's windows that are over; their (key, window_start, count). DELETE
    ... RETURNING: two workers sweeping at once each get a different share, never the same
    row twice, so a window is reported once."""
    over = literal((now or utcnow()) - limit.window, UTCDateTime())
    return _deleted(db, and_(RateCount.name == limit.name, RateCount.window_start <= over))


def clear(db: Session, limit: Limit) -> list[Window]:
    """Delete every window of the limit, over or not; their (key, window_start, count)."""
    return _deleted(db, RateCount.name == limit.name)


def network(address: str) -> str:
    """The part of an address one client holds: the /64 of an IPv6 address, the whole of an
    IPv4 one. Anything unparsable is its own key, as written."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_PREFIX), strict=False))
    return str(parsed)


def client_address(request: Request) -> str:
    """Behind our nginx the client is the last X-Forwarded-For entry, the one nginx added
    itself; a client talking to the app directly can forge it, which is why no limit keyed
    on it is the only defence (nginx limits per address too)."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    return forwarded.rsplit(",", 1)[-1].strip() or request.remote_addr or ""


def client_key(request: Request, secret: str) -> str:
    """Who is asking, as 64 hex digits: an HMAC of their network under the app's secret."""
    return hmac.new(
        secret.encode(), network(client_address(request)).encode(), hashlib.sha256
    ).hexdigest()

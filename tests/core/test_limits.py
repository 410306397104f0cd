"""The one rate limiter (questionnaire.core.limits): counted in the database, so that
workers on any host share a count, each hit with a number of its own under concurrency, and
clients keyed by the network they hold (an IPv6 /64, an IPv4 address)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from flask import request
from sqlalchemy.orm import sessionmaker

from questionnaire.core import limits

LIMIT = limits.Limit("test", 5, timedelta(minutes=1))
NOON = datetime(2026, 12, 8, 12, 0, 30, tzinfo=UTC)


@pytest.fixture
def new_session(app):
    return sessionmaker(app.extensions["db_engine"], expire_on_commit=False)


def _hit(new_session, key: str = "k", now: datetime = NOON) -> limits.Hit:
    with new_session() as db:
        counted = limits.hit(db, LIMIT, key, now)
        db.commit()
        return counted


def test_hits_past_the_limit_are_refused_until_the_window_ends(new_session):
    hits = [_hit(new_session) for _ in range(7)]
    assert [h.allowed for h in hits] == [True] * 5 + [False] * 2
    assert hits[-1].count == 7 and hits[-1].retry_after == 60  # begun by the first
    assert _hit(new_session, "other").allowed  # each key its own count
    later = _hit(new_session, now=NOON + timedelta(minutes=1))
    assert later.count == 1 and later.allowed


def test_concurrent_hits_each_get_their_own_number(new_session):
    with ThreadPoolExecutor(8) as pool:
        counts = sorted(h.count for h in pool.map(lambda _: _hit(new_session), range(40)))
    assert counts == list(range(1, 41))


def test_finished_windows_are_handed_over_once_and_deleted(new_session):
    _hit(new_session, "a")
    _hit(new_session, "a")
    _hit(new_session, "b", NOON + timedelta(minutes=1))
    with new_session() as db:
        over = limits.finished(db, LIMIT, NOON + timedelta(minutes=1))
        again = limits.finished(db, LIMIT, NOON + timedelta(minutes=1))
        db.commit()
    assert [(row.key, row.hits) for row in over] == [("a", 2)] and again == []
    assert _hit(new_session, "b", NOON + timedelta(minutes=1)).count == 2  # still counting


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", True),
        ("2001:db8:1:2::1", "2001:db8:1:3::1", False),
        ("192.0.2.1", "192.0.2.2", False),
        ("::ffff:192.0.2.1", "192.0.2.1", True),
    ],
)
def test_a_client_is_its_ipv4_address_or_its_ipv6_64(app, one, other, same):
    def key(address: str) -> str:
        with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
            return limits.client_key(request, "secret")

    assert (key(one) == key(other)) is same
    assert len(key(one)) == 64 and one not in key(one)

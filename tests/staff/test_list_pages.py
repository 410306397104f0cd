"""The clinicians' list read page by page in both orders, and the speed migration's indexes
(c9e4a1b7d306) both ways: the list's query was reshaped for speed (a page's ids found first,
then its rows), so these check that what a clinician sees did not change."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect, text

from questionnaire.core.migrate import downgrade, upgrade
from tests.core.test_migrations import add_submission as add_row
from tests.helpers.answer_sets import bookable
from tests.helpers.staff_client import add_submission

BEFORE_SPEED = "b5d2e8f14c93"
SINGLE_COLUMN = ("booking", "osteoarthritis", "tendinopathy", "ligament", "neuropathic")


def references(page):
    return re.findall(r'/staff/submissions/([0-9a-f]{32})">', page.text)


@pytest.fixture
def sixty(app):
    """60 submissions a tenth of a day apart, every third with a red flag: (all, flagged,
    not flagged), each newest first."""
    everyone, flagged, other = [], [], []
    for i in range(60):
        red = i % 3 == 0
        sid = add_submission(app, bookable(rf_calf="yes") if red else bookable(), days_ago=i / 10)
        everyone.append(sid)
        (flagged if red else other).append(sid)
    return everyone, flagged, other


@pytest.mark.parametrize("sort", ["newest", "flags"])
def test_two_pages_together_are_the_whole_list_in_its_order(as_role, sixty, sort):
    everyone, flagged, other = sixty
    staff = as_role("clinician")
    first = references(staff.get(f"/staff/submissions/?sort={sort}"))
    second = references(staff.get(f"/staff/submissions/?sort={sort}&page=2"))
    assert (len(first), len(second)) == (50, 10)
    assert first + second == (flagged + other if sort == "flags" else everyone)


@pytest.mark.parametrize("sort", ["newest", "flags"])
def test_a_filter_keeps_its_matches_in_order(as_role, sixty, sort):
    _, flagged, other = sixty
    staff = as_role("clinician")
    assert references(staff.get(f"/staff/submissions/?tier=flagged&sort={sort}")) == flagged
    assert references(staff.get(f"/staff/submissions/?tier=none&sort={sort}")) == other


@pytest.mark.parametrize("asked, shown", [("99", 2), ("0", 1), ("-3", 1), ("x", 1), ("", 1)])
def test_a_page_out_of_range_or_not_a_number_shows_the_nearest_page(as_role, sixty, asked, shown):
    everyone, _, _ = sixty
    page = as_role("clinician").get(f"/staff/submissions/?page={asked}")
    assert page.status_code == 200 and f"Page {shown} of 2" in page.text
    assert references(page) == (everyone[50:] if shown == 2 else everyone[:50])


def test_the_speed_revision_keeps_rows_and_puts_the_old_indexes_back(engine):
    upgrade(engine)
    with engine.begin() as conn:
        add_row(conn, 1, tier="urgent")
    names = {i["name"] for i in inspect(engine).get_indexes("submission")}
    assert {f"ix_submission_{c}_created" for c in SINGLE_COLUMN} <= names
    assert {f"ix_submission_{c}_rank_created" for c in SINGLE_COLUMN} <= names
    assert not {f"ix_submission_{c}" for c in (*SINGLE_COLUMN, "created_at")} & names
    downgrade(engine, BEFORE_SPEED)
    names = {i["name"] for i in inspect(engine).get_indexes("submission")}
    assert {f"ix_submission_{c}" for c in (*SINGLE_COLUMN, "created_at", "review_status")} <= names
    assert not {n for n in names if n.endswith("_rank_created") and "tier" not in n} - {
        "ix_submission_rank_created",
        "ix_submission_status_rank_created",
    }
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM submission")) == 1

"""The staff dashboard: figures for a known set of submissions (weeks and their boundaries,
tiers, indication levels, the review backlog, call-backs waiting), the date filter and its
messages, who may see it, and charts that are images with a name and a table beside them.
Every app test runs on SQLite and PostgreSQL; one more fills both with the same random
submissions and compares every figure."""

from __future__ import annotations

import os
import random
import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, make_url, select
from sqlalchemy.orm import Session

from questionnaire.core import clinic_time
from questionnaire.core.db import make_engine
from questionnaire.core.migrate import upgrade
from questionnaire.core.models import (
    NO_FLAG_RANK,
    TIER_RANKS,
    AuditEvent,
    CallbackRequest,
    Submission,
    new_id,
    utcnow,
)
from questionnaire.staff.dashboard import statistics
from rules import BOOKINGS, INDICATIONS, LEVELS, TIERS
from tests.helpers.live_server import postgresql_url
from tests.helpers.staff_client import Staff

DASHBOARD = "/staff/dashboard"
TICK = timedelta(microseconds=1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def outcome(booking: str = "book", tier: str | None = None, **levels: str) -> dict[str, Any]:
    """Stored outcome columns: the dashboard counts these, whatever rules made them."""
    return {
        "booking": "seek_care" if tier else booking,
        "tier": tier,
        "tier_rank": TIER_RANKS[tier] if tier else NO_FLAG_RANK,
        **{name: levels.get(name, "unlikely") for name in INDICATIONS},
    }


def store(
    db: Session,
    sent: datetime,
    *,
    status: str = "reviewed",
    callback_at: datetime | None = None,
    contact_outcome: str | None = None,
    **kw: Any,
) -> str:
    sid = new_id()
    db.add(
        Submission(
            id=sid,
            submit_token=sid,
            created_at=sent,
            bank_version="1.0",
            rules_version="1.0",
            answers={},
            screening={},
            consent_version="1.0",
            consented_at=sent,
            review_status=status,
            contact_outcome=contact_outcome,
            **outcome(**kw),
        )
    )
    if callback_at is not None:
        db.flush()
        db.add(
            CallbackRequest(
                submission_id=sid, name="A", phone="0", best_time="any", created_at=callback_at
            )
        )
    db.commit()
    return sid


class Tables(HTMLParser):
    """Every table on a page: its caption and its rows as lists of cell texts."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_caption = False
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._caption, self._rows = "", []
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            assert self._caption is not None
            self.tables[self._caption.split(";")[0]] = self._rows

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self._caption = (self._caption or "") + data
        elif self._cell is not None:
            self._cell.append(data)


def tables(page) -> dict[str, list[list[str]]]:
    return Tables(page.text).tables


WEEKLY = "Submissions per week, by outcome"
TIER_TABLE = "Submissions with a red flag, by their most urgent tier"
LEVEL_TABLE = "How often each indication was likely or possible"
BACKLOG = "Submissions not yet reviewed, by how long ago they were sent"
HEADER = ["Week from (Monday)", "Seek care (red flag)", "Incomplete", "Not suitable"]
HEADER += ["Call back first", "Book", "All"]


def test_each_week_counts_from_monday_midnight_by_outcome(app, db, as_role):
    """Three whole weeks, Monday 2 to Sunday 22 March 2026, with submissions on both sides
    of each week's first moment and of the period's ends."""
    store(db, at("2026-03-01 23:59:59.999999"))  # the Sunday before: outside
    store(db, at("2026-03-02 00:00:00"))  # week 1, first moment
    store(db, at("2026-03-08 23:59:59.999999"), booking="call_back")  # week 1, last moment
    store(db, at("2026-03-09 00:00:00"), tier="emergency")  # week 2, first moment
    store(db, at("2026-03-15 12:00:00"))
    store(db, at("2026-03-16 00:00:00") - TICK, booking="incomplete")  # week 2, last moment
    store(db, at("2026-03-22 23:59:59.999999"), booking="not_suitable")  # week 3, last
    store(db, at("2026-03-23 00:00:00"))  # the Monday after: outside
    page = as_role("clinician").get(f"{DASHBOARD}?date_from=2026-03-02&date_to=2026-03-22")
    assert page.status_code == 200
    assert tables(page)[WEEKLY] == [
        HEADER,
        ["2026-03-02", "0", "0", "0", "1", "1", "2"],
        ["2026-03-09", "1", "1", "0", "0", "1", "3"],
        ["2026-03-16", "0", "0", "1", "0", "0", "1"],
    ]
    assert "<strong>6</strong> submissions" in page.text


def test_a_period_inside_weeks_marks_them_part_weeks(app, db, as_role):
    store(db, at("2026-03-03 09:00"))  # Tuesday: before the period
    store(db, at("2026-03-04 00:00"))  # Wednesday: its first moment
    store(db, at("2026-03-10 23:59:59.999999"))  # next Tuesday: its last
    store(db, at("2026-03-11 00:00"))  # after it
    page = as_role("clinician").get(f"{DASHBOARD}?date_from=2026-03-04&date_to=2026-03-10")
    weekly = tables(page)[WEEKLY]
    assert [row[0] for row in weekly[1:]] == ["2026-03-02 (part)", "2026-03-09 (part)"]
    assert [row[-1] for row in weekly[1:]] == ["1", "1"]
    assert "a week only partly inside the dates" in page.text


def test_red_flags_are_counted_by_tier_with_their_share(app, db, as_role):
    sent = at("2026-04-07 10:00")
    for tier, n in {"emergency": 1, "urgent": 2, "gp_soon": 3, None: 14}.items():
        for _ in range(n):
            store(db, sent, tier=tier)
    store(db, sent - timedelta(days=30), tier="emergency")  # outside the period
    page = as_role("clinician").get(f"{DASHBOARD}?date_from=2026-04-01&date_to=2026-04-30")
    assert tables(page)[TIER_TABLE] == [
        ["Tier", "Submissions", "Share"],
        ["Emergency", "1", "5.0%"],
        ["Urgent", "2", "10.0%"],
        ["GP soon", "3", "15.0%"],
        ["Any red flag", "6", "30.0%"],
    ]
    chart = page.text[page.text.index('id="chart-tiers"') :]
    assert ">GP soon</text>" in chart and ">3 (15.0%)</text>" in chart


def test_the_indication_mix_counts_likely_and_possible_for_each(app, db, as_role):
    sent = at("2026-05-05 08:00")
    store(db, sent, osteoarthritis="likely", ligament="possible")
    store(db, sent, osteoarthritis="likely", tendinopathy="possible")
    store(db, sent, osteoarthritis="possible", neuropathic="likely")
    store(db, sent, tier="urgent", neuropathic="possible", ligament="likely")
    page = as_role("clinician").get(f"{DASHBOARD}?date_from=2026-05-01&date_to=2026-05-31")
    assert tables(page)[LEVEL_TABLE] == [
        ["Indication", "Likely", "Possible"],
        ["Osteoarthritis", "2 (50.0%)", "1 (25.0%)"],
        ["Tendinopathy", "0 (0.0%)", "1 (25.0%)"],
        ["Ligament", "1 (25.0%)", "1 (25.0%)"],
        ["Neuropathic", "1 (25.0%)", "1 (25.0%)"],
    ]


def test_the_backlog_counts_what_is_not_reviewed_by_age_whatever_the_dates(app, db, as_role):
    now = utcnow()
    for days, tier in [
        (0.1, None),
        (0.9, "urgent"),
        (1.1, None),
        (2.9, "emergency"),
        (3.1, None),
        (6.9, None),
        (7.1, "gp_soon"),
        (400, None),
    ]:
        store(db, now - timedelta(days=days), status="new", tier=tier)
    store(db, now - timedelta(days=0.5), status="reviewed", tier="urgent")
    store(db, now - timedelta(days=2), status="follow_up")
    page = as_role("clinician").get(f"{DASHBOARD}?date_from=2026-01-05&date_to=2026-01-05")
    assert tables(page)[BACKLOG] == [
        ["Sent", "Not reviewed", "Of which with a red flag"],
        ["Under 1 day ago", "2", "1"],
        ["1 to 3 days ago", "2", "1"],
        ["3 to 7 days ago", "2", "0"],
        ["7 days or more ago", "2", "1"],
    ]


def test_backlog_ages_change_bucket_on_the_exact_day(app, db):
    """Through the statistics themselves, with a fixed "now": an age of exactly one, three
    or seven days belongs to the older bucket."""
    now = at("2026-06-10 12:00")
    for days in (1, 3, 7):
        store(db, now - timedelta(days=days) + TICK, status="new")
        store(db, now - timedelta(days=days), status="new")
    store(db, now + timedelta(minutes=5), status="new")  # a clock slightly ahead: the newest
    period = statistics.default_period(now.date())
    backlog = statistics.figures(db, period, now).backlog
    assert [(b.key, b.total) for b in backlog] == [
        ("day", 2),
        ("days_1_3", 2),
        ("days_3_7", 2),
        ("week_plus", 1),
    ]


def test_call_backs_wait_until_a_call_closes_them_and_link_to_the_worklist(app, db, as_role):
    now = utcnow()
    days = timedelta(days=9)
    store(db, now - days, contact_outcome="booked", callback_at=now - days)  # called: done
    store(db, now - timedelta(days=3), status="new", callback_at=now - timedelta(hours=53))
    store(db, now - timedelta(hours=2), contact_outcome="no_answer", callback_at=now)  # again
    store(db, now - timedelta(hours=1), status="new")  # no call-back asked for
    page = as_role("clinician").get(DASHBOARD)
    assert (
        '<a href="/staff/submissions/worklist?kind=callback">Call-back requests</a>'
        "</dt><dd>2" in page.text
    )
    assert "The oldest call-back has waited</dt><dd>2 days 5 hours</dd>" in page.text
    worklist = as_role("clinician").get("/staff/submissions/worklist?kind=callback")
    assert "<h1>Call-back requests</h1>" in worklist.text
    assert worklist.text.count('<li class="card') == 2


@pytest.mark.parametrize(
    ("asked", "words"),
    [
        (timedelta(minutes=-5), "Under an hour"),  # a clock a little ahead of the server's
        (timedelta(minutes=59), "Under an hour"),
        (timedelta(hours=1, minutes=1), "1 hour"),
        (timedelta(days=1, minutes=1), "1 day"),
        (timedelta(days=12, hours=23, minutes=59), "12 days 23 hours"),
    ],
)
def test_the_oldest_call_back_s_wait_is_said_to_the_hour(app, db, as_role, asked, words):
    now = utcnow()
    store(db, now - timedelta(days=20), status="new", callback_at=now - asked)
    page = as_role("clinician").get(DASHBOARD)
    assert f"The oldest call-back has waited</dt><dd>{words}</dd>" in page.text


def test_with_nothing_sent_every_figure_is_zero_and_no_one_waits(as_role):
    page = as_role("clinician").get(DASHBOARD)
    assert page.status_code == 200
    found = tables(page)
    assert len(found[WEEKLY]) == 1 + statistics.DEFAULT_WEEKS
    assert all(row[1:] == ["0"] * 6 for row in found[WEEKLY][1:])
    assert found[TIER_TABLE][-1] == ["Any red flag", "0", "0%"]
    assert "The oldest call-back has waited</dt><dd>No one is waiting</dd>" in page.text


def test_by_default_it_shows_this_week_and_the_25_before(app, db, as_role):
    today = utcnow().date()
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=25)
    # The clinic's midnight (Europe/London: in summer, 23:00 UTC the day before).
    midnight = clinic_time.start_of_day(first, clinic_time.zone("Europe/London"))
    store(db, midnight)
    store(db, midnight - TICK)  # before it
    page = as_role("clinician").get(DASHBOARD)
    weekly = tables(page)[WEEKLY]
    assert weekly[1][0] == first.isoformat() and weekly[1][-1] == "1"
    assert weekly[-1][0] == f"{monday.isoformat()}{'' if today.weekday() == 6 else ' (part)'}"
    assert f"Sent from <strong>{first.isoformat()}</strong> to <strong>{today}" in page.text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            "date_from=2026-03-10&date_to=2026-03-01",
            "date_to",
            "Sent on or before – Enter a date that is not before 2026-03-10",
        ),
        ("date_from=31/31/2026", "date_from", "Sent on or after – Not a valid date value."),
        ("date_to=2026-02-30", "date_to", "Sent on or before – Not a valid date value."),
        (
            "date_from=2024-01-01&date_to=2025-01-01",
            "date_from",
            "Sent on or after – Choose 366 days or fewer (one bar a week)",
        ),
        ("date_from=1999-12-31", "date_from", "Sent on or after – Enter a date from 2000-01-01"),
    ],
    ids=["backwards", "malformed", "no-such-day", "over-a-year", "out-of-range"],
)
def test_bad_dates_get_a_message_at_the_field_and_in_the_summary(
    app, db, as_role, query, field, message
):
    store(db, utcnow())
    page = as_role("clinician").get(f"{DASHBOARD}?{query}")
    assert page.status_code == 400
    assert page.text.count("<title>Error: Dashboard") == 1
    summary = page.text[page.text.index('class="error-summary"') :]
    assert f'<a href="#{field}">{message}' in summary
    assert f'<p class="field-error" id="{field}-error">' in page.text
    assert 'aria-invalid="true"' in page.text
    # The page still shows the usual weeks' figures, and says so.
    assert "Until the dates are corrected, this shows the last 26 weeks." in page.text
    assert page.text.count('role="img"') == 4
    assert tables(page)[WEEKLY][-1][-1] == "1"


def test_a_year_is_the_longest_range(as_role):
    staff = as_role("clinician")
    leap_year = staff.get(f"{DASHBOARD}?date_from=2024-01-01&date_to=2024-12-31")
    assert leap_year.status_code == 200 and len(tables(leap_year)[WEEKLY]) == 1 + 53


def test_a_start_alone_runs_to_today_and_an_end_alone_covers_26_weeks(app, db, as_role):
    store(db, at("2025-06-02 10:00"))
    staff = as_role("clinician")
    ended = staff.get(f"{DASHBOARD}?date_to=2025-06-08")
    assert "Sent from <strong>2024-12-09</strong> to <strong>2025-06-08</strong>" in ended.text
    assert "<strong>1</strong> submission." in ended.text
    today = utcnow().date()
    started = staff.get(f"{DASHBOARD}?date_from={today - timedelta(days=3)}")
    assert f"to <strong>{today}</strong>" in started.text
    assert "<strong>0</strong> submissions." in started.text


def test_clinicians_and_admins_see_it_and_a_link_to_it(as_role):
    for persona in ("clinician", "admin"):
        staff = as_role(persona)
        page = staff.get(DASHBOARD)
        assert page.status_code == 200, persona
        assert f'<a href="{DASHBOARD}">Dashboard</a>' in staff.get("/staff/").text
    assert "Submissions not yet reviewed, red flags first" not in page.text  # admin: no list


def test_others_are_refused_and_the_refusal_is_audited(app, as_role, db):
    staff = as_role("staff")
    assert staff.get(DASHBOARD).status_code == 403
    assert f'href="{DASHBOARD}"' not in staff.get("/staff/").text
    assert as_role("nobody").get(DASHBOARD).status_code == 403
    anonymous = Staff(app.test_client()).get(DASHBOARD)
    assert anonymous.status_code == 302 and anonymous.location.startswith("/staff/login")
    denied = db.scalars(select(AuditEvent.details).where(AuditEvent.action == "access_denied"))
    assert [d["endpoint"] for d in denied] == ["dashboard.index", "dashboard.index"]


def test_a_view_shows_counts_only_and_is_not_audited(app, db, as_role):
    sid = store(db, utcnow(), status="new", callback_at=utcnow())
    reference = db.get(Submission, sid).reference
    staff = as_role("clinician")
    before = db.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    page = staff.get(DASHBOARD)
    assert sid not in page.text and reference not in page.text
    after = db.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    assert after == before


def test_each_chart_is_a_named_image_with_a_table_and_no_script(app, db, as_role):
    store(db, utcnow(), tier="urgent", status="new")
    page = as_role("clinician").get(DASHBOARD)
    text = page.text
    for chart in ("chart-weekly", "chart-tiers", "chart-levels", "chart-backlog"):
        start = text.index(f'<svg class="chart" id="{chart}"')
        svg = text[start : text.index("</svg>", start)]
        assert 'role="img"' in svg and 'viewBox="0 0 360 ' in svg
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in svg
        assert f'<title id="{chart}-title">' in svg and f'<desc id="{chart}-desc">' in svg
        assert "<script" not in svg and not re.search(r"\son\w+=", svg)
        assert "<table>" in text[start : start + len(svg) + 2000]  # its figures, beside it
    assert set(tables(page)) >= {WEEKLY, TIER_TABLE, LEVEL_TABLE, BACKLOG}
    assert text.count("<script") == 1  # the site's one file, as on every page
    assert "style=" not in text  # the policy allows no inline style


def test_the_weekly_chart_names_each_outcome_in_words(app, db, as_role):
    store(db, utcnow(), booking="call_back")
    page = as_role("clinician").get(DASHBOARD)
    start = page.text.index('id="chart-weekly"')
    svg = page.text[start : page.text.index("</svg>", start)]
    for words in ("Seek care (red flag): 0", "Call back first: 1", "Book: 0"):
        assert f">{words}</text>" in svg
    assert svg.count('class="chart-bar bar-call_back"') == 1


def test_words_in_a_chart_are_escaped():
    from questionnaire.staff.dashboard.charts import Bar, bar_chart

    svg = bar_chart("c", "<b>title</b>", "a & b", [Bar("<script>", 1, "1 < 2", "bar-x")])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "&lt;b&gt;title" in svg and "a &amp; b" in svg and "1 &lt; 2" in svg


def test_the_migration_adds_the_dashboard_indexes(database_url):
    engine = make_engine(database_url)
    indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("submission")}
    engine.dispose()
    assert indexes["ix_submission_created_outcomes"] == [
        "created_at",
        "booking",
        "tier_rank",
        "osteoarthritis",
        "tendinopathy",
        "ligament",
        "neuropathic",
    ]
    assert indexes["ix_submission_status_id"] == ["review_status", "id"]


def _random_submissions(seed: int, n: int) -> list[tuple[datetime, dict[str, Any], str]]:
    """Submissions over 30 weeks, a third of them on the very edge of a day or a week."""
    rng = random.Random(seed)
    start = at("2026-01-05 00:00")
    out = []
    for _ in range(n):
        day = start + timedelta(days=rng.randrange(210))
        sent = rng.choice(
            [day, day - TICK, day + timedelta(seconds=rng.randrange(86400), microseconds=7)]
        )
        tier = rng.choice([*TIERS, None, None, None])
        levels = {name: rng.choice(LEVELS) for name in INDICATIONS}
        kw = {"tier": tier, "booking": rng.choice(BOOKINGS[1:]), **levels}
        out.append((sent, kw, rng.choice(["new", "reviewed", "follow_up"])))
    return out


@pytest.mark.postgresql
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")
def test_sqlite_and_postgresql_give_identical_figures(tmp_path):
    rows = _random_submissions(seed=10, n=600)
    url = make_url(postgresql_url())
    owner = create_engine(url)
    with owner.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS dashboard_test CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA dashboard_test")
    engines = [
        make_engine(f"sqlite:///{tmp_path / 'same.sqlite3'}"),
        make_engine(
            url.update_query_dict({"options": "-csearch_path=dashboard_test"}).render_as_string(
                False
            )
        ),
    ]
    now = at("2026-08-02 15:30")
    results = []
    try:
        for engine in engines:
            upgrade(engine)
            with Session(engine) as db:
                for sent, kw, status in rows:
                    store(db, sent, status=status, callback_at=sent + timedelta(hours=1), **kw)
                results.append(
                    [
                        statistics.figures(db, statistics.Period(first, last), now)
                        for first, last in [
                            (date(2026, 1, 5), date(2026, 8, 2)),
                            (date(2026, 1, 7), date(2026, 3, 3)),
                            (date(2026, 7, 1), date(2026, 7, 1)),
                        ]
                    ]
                )
    finally:
        for engine in engines:
            engine.dispose()
        with owner.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA dashboard_test CASCADE")
        owner.dispose()
    sqlite, postgresql = results
    assert sqlite == postgresql
    first, after = at("2026-01-05 00:00"), at("2026-08-03 00:00")
    assert sqlite[0].total == sum(1 for sent, _, _ in rows if first <= sent < after)


def test_chart_dates_are_english_whatever_the_server_s_locale(monkeypatch):
    """The month names come from our own table, never from the C library's locale (which
    a server may set to anything)."""
    from questionnaire.staff.dashboard import charts

    labels = [charts.day_month(date(2026, m, 3)) for m in range(1, 13)]
    assert labels == [f"3 {m}" for m in "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()]
    import locale

    for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "cy_GB.UTF-8"):
        try:
            locale.setlocale(locale.LC_TIME, name)
        except locale.Error:
            continue
        try:
            assert charts.day_month(date(2026, 3, 3)) == "3 Mar"
        finally:
            locale.setlocale(locale.LC_TIME, "C")

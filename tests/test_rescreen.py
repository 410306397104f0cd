"""Re-screening stored answers under new rules: beside the original, never over it."""

import re

import pytest
from sqlalchemy import select

import questionnaire.submissions
import rules
import rules.engine
from questionnaire.models import AuditEvent, Rescreening, Submission
from rules import Indication
from tests.answer_sets import bookable, complete
from tests.staff_client import add_submission

NEW_VERSION = "9.9-test"
OLDER_KNEES = "osteoarthritis rated down at 60 or over (test rules)"


def bump_rules_version(monkeypatch) -> None:
    """A new rules version everywhere the app reads it."""
    monkeypatch.setattr(rules.engine, "RULES_VERSION", NEW_VERSION)
    monkeypatch.setattr(rules, "RULES_VERSION", NEW_VERSION)
    monkeypatch.setattr(questionnaire.submissions, "RULES_VERSION", NEW_VERSION)


@pytest.fixture
def new_rules(monkeypatch):
    """A real change of rules: a new version, and one threshold moved. Likely knee
    osteoarthritis becomes possible from 60 and unlikely from 70 (which no longer books);
    younger patients and unlikely ratings are as before."""
    bump_rules_version(monkeypatch)
    original = rules.engine.INDICATION_RULES["osteoarthritis"]

    def osteoarthritis(answers):
        rated = original(answers)
        if rated.level != "likely" or answers.get("age", 0) < 60:
            return rated
        return Indication("unlikely" if answers["age"] >= 70 else "possible", (OLDER_KNEES,))

    monkeypatch.setitem(rules.engine.INDICATION_RULES, "osteoarthritis", osteoarthritis)


@pytest.fixture
def stored(app):
    """Four submissions screened under the rules of the day (before new_rules applies)."""
    return {
        "same": add_submission(app, bookable(), days_ago=3),
        "level": add_submission(app, bookable(age=65), days_ago=2),
        "booking": add_submission(app, bookable(age=75), days_ago=1),
        "nothing": add_submission(app, complete(age=80), days_ago=10),
    }


def originals(db):
    return {
        s.id: (s.rules_version, s.booking, s.osteoarthritis, s.screening)
        for s in db.scalars(select(Submission)).all()
    }


def counts(output):
    return [int(n) for n in re.findall(r"\d+(?= )", output.split(":", 1)[1])]


def test_rescreen_stores_new_screenings_beside_the_originals(app, runner, db, stored, new_rules):
    before = originals(db)
    result = runner.invoke(args=["rescreen"])
    assert result.exit_code == 0, result.output
    assert f"Rules {NEW_VERSION}" in result.output
    assert "checked 4 submission(s), skipped 0" in result.output
    assert (
        "Stored 4 re-screening(s): 2 changed, 1 in booking decision, 0 in red-flag tier, "
        "2 in an indication level."
    ) in result.output

    # What the patient saw is untouched.
    db.expire_all()
    assert originals(db) == before
    rows = {r.submission_id: r for r in db.scalars(select(Rescreening)).all()}
    assert set(rows) == set(stored.values())
    assert all(r.rules_version == NEW_VERSION for r in rows.values())
    level, booking = rows[stored["level"]], rows[stored["booking"]]
    assert (level.osteoarthritis, level.booking, level.changed_levels) == (
        "possible",
        "book",
        ["osteoarthritis"],
    )
    assert level.changed and not level.booking_changed and not level.tier_changed
    assert (booking.booking, booking.booking_changed, booking.changed) == (
        "not_suitable",
        True,
        True,
    )
    assert OLDER_KNEES in str(booking.screening)
    assert not rows[stored["same"]].changed and not rows[stored["nothing"]].changed

    [event] = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "submissions_rescreened")
    ).all()
    assert event.user_email == "(command line)"
    assert event.details == {
        "filters": {},
        "dry_run": False,
        "rules_version": NEW_VERSION,
        "bank_version": rules.BANK_VERSION,
        "checked": 4,
        "skipped": 0,
        "rescreened": 4,
        "unreadable": 0,
        "changed": 2,
        "booking_changed": 1,
        "tier_changed": 0,
        "levels_changed": 2,
    }


def test_a_second_run_under_the_same_rules_skips_them_all(app, runner, db, stored, new_rules):
    runner.invoke(args=["rescreen"])
    again = runner.invoke(args=["rescreen"])
    assert again.exit_code == 0, again.output
    assert "checked 4 submission(s), skipped 4" in again.output
    assert "Stored 0 re-screening(s): 0 changed" in again.output
    assert len(db.scalars(select(Rescreening)).all()) == 4


def test_submissions_made_under_the_current_rules_need_nothing(app, runner, db, new_rules):
    add_submission(app, bookable(age=75))  # screened under NEW_VERSION already
    result = runner.invoke(args=["rescreen"])
    assert "checked 1 submission(s), skipped 1" in result.output
    assert db.scalars(select(Rescreening)).all() == []


def test_a_dry_run_stores_nothing_and_counts_the_same(app, runner, db, stored, new_rules):
    before = originals(db)
    dry = runner.invoke(args=["rescreen", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would store 4 re-screening(s): 2 changed, 1 in booking decision" in dry.output
    assert db.scalars(select(Rescreening)).all() == []
    db.expire_all()
    assert originals(db) == before
    [event] = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "submissions_rescreened")
    ).all()
    assert event.details["dry_run"] is True and event.details["changed"] == 2
    real = runner.invoke(args=["rescreen"])
    assert counts(dry.output) == counts(real.output)


def test_since_and_until_limit_the_submissions(app, runner, db, stored, new_rules):
    from datetime import date, timedelta

    since = (date.today() - timedelta(days=2)).isoformat()
    until = (date.today() - timedelta(days=1)).isoformat()
    result = runner.invoke(args=["rescreen", "--since", since, "--until", until])
    assert result.exit_code == 0, result.output
    assert "checked 2 submission(s)" in result.output
    assert {r.submission_id for r in db.scalars(select(Rescreening)).all()} == {
        stored["level"],
        stored["booking"],
    }
    [event] = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "submissions_rescreened")
    ).all()
    assert event.details["filters"] == {"date_from": since, "date_to": until}
    assert runner.invoke(args=["rescreen", "--since", "31/31/2026"]).exit_code != 0


def test_the_command_pages_through_the_submissions(app, runner, db, stored, new_rules, monkeypatch):
    monkeypatch.setattr("questionnaire.rescreen.BATCH_SIZE", 1)
    result = runner.invoke(args=["rescreen"])
    assert "Stored 4 re-screening(s): 2 changed" in result.output


def test_the_page_shows_every_screening_and_what_differed(app, runner, stored, new_rules, as_role):
    runner.invoke(args=["rescreen"])
    staff = as_role("clinician")
    page = staff.get(f"/staff/submissions/{stored['booking']}")
    assert page.status_code == 200
    assert "Original, shown to the patient" in page.text
    assert "Re-screening" in page.text and f"<td>{NEW_VERSION}</td>" in page.text
    assert "Outcome: Book, now Not suitable" in page.text
    assert "Osteoarthritis: Likely, now Unlikely" in page.text
    same = staff.get(f"/staff/submissions/{stored['same']}")
    assert "None: same outcome, red flags and levels" in same.text


def test_the_list_filters_those_changed_under_the_current_rules(
    app, runner, stored, new_rules, as_role, monkeypatch
):
    staff = as_role("clinician")
    page = staff.get("/staff/submissions/")
    assert '<label class="label" for="rescreen">Re-screening</label>' in page.text
    assert (
        "<strong>0</strong> submissions match"
        in staff.get("/staff/submissions/?rescreen=changed").text
    )
    runner.invoke(args=["rescreen"])
    changed = staff.get("/staff/submissions/?rescreen=changed")
    assert changed.status_code == 200
    assert re.findall(r'/staff/submissions/([0-9a-f]{32})">', changed.text) == [
        stored["booking"],
        stored["level"],
    ]
    # Under yet newer rules, the earlier re-screening is no longer "the current rules".
    monkeypatch.setattr(rules, "RULES_VERSION", "10.0-test")
    later = staff.get("/staff/submissions/?rescreen=changed")
    assert re.findall(r'/staff/submissions/([0-9a-f]{32})">', later.text) == []
    assert staff.get("/staff/submissions/?rescreen=zzz").status_code == 400


def test_purging_a_submission_takes_its_rescreenings(app, runner, db, stored, new_rules):
    runner.invoke(args=["rescreen"])
    assert runner.invoke(args=["purge-submissions", "--days", "5"]).exit_code == 0
    left = {r.submission_id for r in db.scalars(select(Rescreening)).all()}
    assert left == {stored["same"], stored["level"], stored["booking"]}


@pytest.fixture
def flagged(app):
    """Three red-flag submissions screened under the rules of the day."""
    return {
        "calf": add_submission(app, complete(rf_calf="yes"), days_ago=2),
        "calf_and_weakness": add_submission(
            app, complete(rf_calf="yes", rf_weakness="yes"), days_ago=1
        ),
        "fever": add_submission(app, complete(rf_fever="yes"), days_ago=3),
    }


@pytest.fixture
def calf_now_an_emergency(monkeypatch):
    """A real change of rules in the red-flag table: a swollen calf (dvt) moves from urgent
    to emergency. Only a submission whose highest tier was the calf's changes tier."""
    bump_rules_version(monkeypatch)
    monkeypatch.setitem(rules.engine._TIER_OF, "dvt", "emergency")


def test_a_red_flag_tier_change_is_counted_stored_shown_and_filtered(
    app, runner, db, flagged, calf_now_an_emergency, as_role
):
    before = originals(db)
    result = runner.invoke(args=["rescreen"])
    assert result.exit_code == 0, result.output
    assert (
        "Stored 3 re-screening(s): 1 changed, 0 in booking decision, 1 in red-flag tier, "
        "0 in an indication level."
    ) in result.output
    [event] = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "submissions_rescreened")
    ).all()
    assert (event.details["tier_changed"], event.details["changed"]) == (1, 1)

    db.expire_all()
    assert originals(db) == before
    assert db.get(Submission, flagged["calf"]).tier == "urgent"  # what the patient was told
    rows = {r.submission_id: r for r in db.scalars(select(Rescreening)).all()}
    calf = rows[flagged["calf"]]
    assert (calf.tier, calf.tier_changed, calf.booking, calf.booking_changed) == (
        "emergency",
        True,
        "seek_care",
        False,
    )
    assert (calf.changed_levels, calf.changed) == ([], True)
    assert [(f["id"], f["tier"]) for f in calf.screening["red_flags"]] == [("dvt", "emergency")]
    assert calf.screening["tier"] == "emergency"
    both = rows[flagged["calf_and_weakness"]]
    assert (both.tier, both.tier_changed, both.changed) == ("emergency", False, False)
    assert not rows[flagged["fever"]].changed

    staff = as_role("clinician")
    page = staff.get(f"/staff/submissions/{flagged['calf']}")
    assert "<li>Red flags: Urgent, now Emergency</li>" in page.text
    assert "Outcome:" not in page.text
    changed = staff.get("/staff/submissions/?rescreen=changed")
    assert re.findall(r'/staff/submissions/([0-9a-f]{32})">', changed.text) == [flagged["calf"]]

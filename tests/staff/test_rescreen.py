"""Re-screening stored answers under new rules: beside the original, never over it."""

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy
from sqlalchemy import select

import questionnaire.patient.submissions
import rules
import rules.engine
from questionnaire.core.models import AuditEvent, Rescreening, Submission
from questionnaire.staff.export import csv_export
from rules import Indication, Reason
from tests.helpers.answer_sets import bookable, complete
from tests.helpers.staff_client import add_submission

NEW_VERSION = "9.9-test"
RULES_OF_THE_DAY = rules.RULES_VERSION  # read before any test bumps it
# The test rules' reason for rating knees down: one the real rules never give for a knee.
OLDER_KNEES = Reason("oa_not_here")


def bump_rules_version(monkeypatch) -> None:
    """A new rules version everywhere the app reads it."""
    monkeypatch.setattr(rules.engine, "RULES_VERSION", NEW_VERSION)
    monkeypatch.setattr(rules, "RULES_VERSION", NEW_VERSION)
    monkeypatch.setattr(questionnaire.patient.submissions, "RULES_VERSION", NEW_VERSION)


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
    assert booking.screening["indications"]["osteoarthritis"]["reasons"] == [OLDER_KNEES.to_dict()]
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
    monkeypatch.setattr("questionnaire.staff.submissions.rescreen.BATCH_SIZE", 1)
    result = runner.invoke(args=["rescreen"])
    assert "Stored 4 re-screening(s): 2 changed" in result.output


def test_the_page_shows_every_screening_and_what_differed(app, runner, stored, new_rules, as_role):
    runner.invoke(args=["rescreen"])
    staff = as_role("clinician")
    page = staff.get(f"/staff/submissions/{stored['booking']}")
    assert page.status_code == 200
    assert "Original, shown to the patient" in page.text
    assert "Re-screening" in page.text
    assert f'data-label="Rules version">{NEW_VERSION}</td>' in page.text
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


# --- the export's latest-screening columns -----------------------------------------------


def export_rows(staff, **form):
    response = staff.post("/staff/export/submissions.csv", {"answers_as": "codes", **form})
    assert response.status_code == 200
    assert response.text.startswith("\ufeff")
    header, *rows = csv.reader(io.StringIO(response.text[1:], newline=""))
    return header, {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def test_the_export_adds_the_latest_screening_only_when_asked(
    app, runner, db, stored, new_rules, as_role, monkeypatch
):
    runner.invoke(args=["rescreen"])
    monkeypatch.setattr(rules, "RULES_VERSION", "10.0-test")
    runner.invoke(args=["rescreen", "--since", (date.today() - timedelta(days=1)).isoformat()])
    unscreened = add_submission(app, bookable(age=75))  # made under the newest rules
    staff = as_role("staff")

    header, _ = export_rows(staff)
    assert header[-1] == "language" and not any(h.startswith("latest_") for h in header)

    header, by_id = export_rows(staff, latest="y")
    assert header[header.index("language") + 1 :] == list(csv_export.LATEST)
    booking = by_id[stored["booking"]]
    # The original is what the patient saw; the latest is the second run's.
    assert (booking["rules_version"], booking["booking"], booking["osteoarthritis"]) == (
        RULES_OF_THE_DAY,
        "book",
        "likely",
    )
    assert {k: v for k, v in booking.items() if k.startswith("latest_")} == {
        "latest_screened_at": booking["latest_screened_at"],
        "latest_bank_version": rules.BANK_VERSION,
        "latest_rules_version": "10.0-test",
        "latest_osteoarthritis": "unlikely",
        "latest_tendinopathy": "unlikely",
        "latest_ligament": "unlikely",
        "latest_neuropathic": "unlikely",
        "latest_red_flags": "",
        "latest_cautions": "",
        "latest_tier": "",
        "latest_booking": "not_suitable",
        "latest_changed": "yes",
    }
    assert datetime.fromisoformat(booking["latest_screened_at"]).date() == date.today()
    # Sent 3 days ago: re-screened by the first run only.
    same = by_id[stored["same"]]
    assert (same["latest_rules_version"], same["latest_changed"]) == (NEW_VERSION, "no")
    assert {v for k, v in by_id[unscreened].items() if k.startswith("latest_")} == {""}

    _, labelled = export_rows(staff, latest="y", answers_as="labels")
    row = labelled[stored["booking"]]
    assert (row["latest_osteoarthritis"], row["latest_booking"], row["latest_changed"]) == (
        "Unlikely",
        "Not suitable",
        "Yes",
    )
    export_csv = AuditEvent.action == "export_csv"
    events = db.scalars(select(AuditEvent).where(export_csv).order_by(AuditEvent.id)).all()
    assert [e.details["latest_screening"] for e in events] == [False, True, True]


def test_the_latest_screening_comes_in_the_export_s_one_query(
    app, runner, stored, new_rules, as_role, monkeypatch
):
    runner.invoke(args=["rescreen"])
    monkeypatch.setattr(csv_export, "BATCH", 1)
    statements = []
    listen = sqlalchemy.event.listen
    engine = app.extensions["db_engine"]

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    listen(engine, "before_cursor_execute", seen)
    try:
        _, by_id = export_rows(as_role("staff"), latest="y")
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", seen)
    assert len(by_id) == 4 and all(r["latest_rules_version"] == NEW_VERSION for r in by_id.values())
    assert sum("rescreening" in s for s in statements) == 1


def test_the_command_line_export_adds_the_latest_screening(
    app, runner, tmp_path, stored, new_rules
):
    runner.invoke(args=["rescreen"])
    out = tmp_path / "out.csv"
    result = runner.invoke(args=["export-csv", "--latest-screening", "--labels", str(out)])
    assert result.exit_code == 0, result.output
    header, *rows = csv.reader(io.StringIO(out.read_text(encoding="utf-8")[1:], newline=""))
    cells = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    level = cells[stored["level"]]
    assert (level["osteoarthritis"], level["latest_osteoarthritis"]) == ("Likely", "Possible")
    assert level["latest_rules_version"] == NEW_VERSION and level["latest_changed"] == "Yes"
    plain = runner.invoke(args=["export-csv", str(out)])
    assert plain.exit_code == 0 and "latest_" not in out.read_text(encoding="utf-8")


def test_the_codebook_explains_the_latest_screening_columns(app, as_role):
    response = as_role("staff").get("/staff/export/codebook.csv")
    rows = list(csv.reader(io.StringIO(response.text[1:], newline="")))
    by_name = {r[0]: r for r in rows[1:]}
    assert set(csv_export.LATEST) <= set(by_name)
    assert "empty for a submission never re-screened" in by_name["latest_screened_at"][1]
    assert by_name["latest_osteoarthritis"][1:] == [
        "Latest re-screening: level for osteoarthritis",
        "code",
        "likely = Likely; possible = Possible; unlikely = Unlikely",
    ]
    assert by_name["latest_changed"][3] == "yes = Yes; no = No"
    names = [r[0] for r in rows[1:]]
    assert names.index("latest_changed") < names.index("contact_name")


def test_the_export_page_offers_the_latest_screening(as_role):
    page = as_role("staff").get("/staff/export/")
    assert '<input class="choice-input" type="checkbox" id="latest" name="latest"' in page.text
    assert '<label class="choice-label" for="latest">' in page.text

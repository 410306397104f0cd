"""Finish on another device: "Save and continue later" gives a resume code, and /resume moves
the draft to the browser that types it. Guessing is refused per client and for everyone,
counted in the database and audited once per window."""

from __future__ import annotations

import hashlib
import math
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, inspect, select, text, update

from questionnaire.core import codes
from questionnaire.core.migrate import downgrade, upgrade
from questionnaire.core.models import AuditEvent, Draft, RateCount, utcnow
from questionnaire.patient import resume
from tests.helpers.answer_sets import bookable
from tests.helpers.patient_client import Patient, form_data

CODE_RE = re.compile(r'<p class="resume-code"><strong>([^<]+)</strong></p>')
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def new_patient(app, address: str = "203.0.113.1") -> Patient:
    """A browser of its own, seen by the app at `address` (as nginx tells it)."""
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = address
    return Patient(client)


def save_on(patient: Patient, section_id: str, answers: dict) -> str:
    """Answer this step and press "Save and continue later"; returns the code shown."""
    sent = patient.post(f"/step/{section_id}", {**form_data(answers, section_id), "action": "save"})
    assert sent.status_code == 302 and sent.location == "/saved", sent.text[:2000]
    return shown_code(patient)


def shown_code(patient: Patient) -> str:
    page = patient.get("/saved")
    assert page.status_code == 200, page.text[:2000]
    return CODE_RE.search(page.text).group(1)  # type: ignore[union-attr]


def first_two_steps(patient: Patient, answers: dict) -> str:
    """Consent, answer step 1, save on step 2: the code."""
    patient.consent()
    patient.step("about", answers)
    return save_on(patient, "pain", answers)


def resume_with(patient: Patient, code: str):
    return patient.post("/resume", {"code": code})


def end_the_window(db) -> None:
    """Move the counts of the current window back by one: as if it had just ended."""
    start = db.scalar(select(RateCount.window_start))
    db.execute(update(RateCount).values(window_start=start - resume.WINDOW))
    db.commit()


def refusal(page) -> tuple[int, str]:
    """What a refused code looks like, less what differs by design: the typed code, which
    is kept in the box, and the form's CSRF token."""
    text = re.sub(r'name="csrf_token" value="[^"]+"', "", page.text)
    text = re.sub(r'id="code" name="code" type="text"\s+value="[^"]*"', "", text)
    return page.status_code, text


def test_save_on_a_step_gives_a_grouped_code_and_when_it_expires(app, patient, db):
    patient.consent()
    patient.step("about", bookable())
    sent = patient.post("/step/pain", {**form_data(bookable(), "pain"), "action": "save"})
    assert sent.status_code == 302 and sent.location == "/saved"  # POST, redirect, GET
    page = patient.get("/saved")
    code = CODE_RE.search(page.text).group(1)  # type: ignore[union-attr]
    assert re.fullmatch(f"[{CROCKFORD}]{{4}}-[{CROCKFORD}]{{4}}-[{CROCKFORD}]{{4}}", code)
    draft = db.scalars(select(Draft)).one()
    # The step was saved as Continue saves it, and the expiry shown is the draft's.
    assert draft.answers["site"] == "knee" and "pain" in draft.completed
    expiry = draft.expires_at.astimezone(ZoneInfo("Europe/London"))  # the clinic's clock
    shown = f"{expiry:%H:%M} {expiry.tzname()} on {expiry:%A} {expiry.day} {expiry:%B %Y}"
    assert shown in " ".join(page.text.split())
    assert timedelta(hours=23) < draft.expires_at - utcnow() <= timedelta(hours=24)
    assert "Nothing else identifies you" in page.text
    assert 'href="/step/pattern"' in page.text  # carry on here, at the first open step
    assert page.headers["Cache-Control"] == "no-store"
    step = patient.get("/step/pattern").text
    assert (
        '<button class="button button-secondary" type="submit" name="action" value="save">' in step
    )


def test_codes_are_at_least_50_bits_from_an_alphabet_with_no_look_alikes():
    assert set(codes.ALPHABET) == set(CROCKFORD) and len(codes.ALPHABET) == 32
    assert not set("ILOU") & set(codes.ALPHABET)
    assert resume.LENGTH * math.log2(len(codes.ALPHABET)) >= 50
    made = {resume.new_code() for _ in range(2000)}
    assert len(made) == 2000
    used = {c for code in made for c in code.replace("-", "")}
    assert used == set(CROCKFORD)  # every symbol drawn, and nothing else


def test_the_code_is_kept_only_as_its_sha256(app, patient, db):
    code = first_two_steps(patient, bookable())
    draft = db.scalars(select(Draft)).one()
    normal = code.replace("-", "")
    assert draft.resume_hash == hashlib.sha256(normal.encode()).hexdigest()
    with app.extensions["db_engine"].connect() as conn:
        dumped = repr(conn.exec_driver_sql("SELECT * FROM draft").all())
    assert normal not in dumped and code not in dumped


def test_a_step_with_errors_saves_nothing_and_gives_no_code(patient, db):
    patient.consent()
    patient.step("about", bookable())
    page = patient.post("/step/pain", {"site": "knee", "action": "save"})  # no duration
    assert page.status_code == 400
    assert "There is a problem" in page.text and "resume-code" not in page.text
    assert 'value="knee" checked' in page.text  # what was typed is still there
    draft = db.scalars(select(Draft)).one()
    assert "site" not in draft.answers and draft.resume_hash is None


def test_advice_comes_before_the_code(patient, db):
    patient.consent()
    for section in ("about", "pain", "pattern"):
        patient.step(section, bookable())
    answers = bookable(rf_fever="yes")
    page = patient.post("/step/safety", {**form_data(answers, "safety"), "action": "save"})
    assert page.status_code == 302 and page.location.startswith("/step/safety/advice")
    assert db.scalars(select(Draft)).one().resume_hash is None


def test_emergency_advice_still_comes_first_on_the_new_device(app):
    owner, other = new_patient(app, "203.0.113.1"), new_patient(app, "203.0.113.2")
    answers = bookable(rf_weakness="yes")  # neuro_deficit: emergency
    code = first_two_steps(owner, answers)
    owner.step("pattern", answers)
    assert owner.step("safety", answers).location.startswith("/step/safety/advice")
    moved = resume_with(other, code)
    assert moved.status_code == 302
    advice = other.get(moved.location, follow_redirects=True)
    assert "/step/safety/advice" in advice.request.path
    assert "Call 999" in advice.text


def test_another_device_carries_on_with_the_answers_and_the_first_device_loses_them(app, db):
    first, second = new_patient(app, "203.0.113.1"), new_patient(app, "198.51.100.7")
    code = first_two_steps(first, bookable())
    before = db.scalars(select(Draft)).one()
    answers, completed, old_id = dict(before.answers), list(before.completed), before.id
    # Forgiving typing: lower case, spaces for dashes, an O for a 0 and an l for a 1.
    typed = " " + code.lower().replace("-", " ").replace("0", "o").replace("1", "l") + " "
    moved = resume_with(second, typed)
    assert moved.status_code == 302 and moved.location == "/step/pattern"
    assert "Welcome back" in second.get("/step/pattern").text
    db.expire_all()
    after = db.scalars(select(Draft)).one()
    assert after.answers == answers and after.completed == completed
    assert after.id != old_id and after.resume_hash is None
    # The first device's cookie no longer finds the draft.
    gone = first.get("/step/pattern")
    assert gone.status_code == 302 and gone.location == "/"
    assert "moved to another device" in first.get("/").text
    # The second device finishes.
    for section in ("pattern", "safety", "health"):
        assert second.step(section, bookable()).status_code == 302
    sent = second.submit()
    assert sent.status_code == 302 and sent.location.startswith("/result/")
    assert count(db, Draft) == 0


def test_wrong_expired_and_used_codes_get_the_same_answer(app, db):
    owner, taker = new_patient(app, "203.0.113.1"), new_patient(app, "203.0.113.2")
    used = first_two_steps(owner, bookable())
    assert resume_with(taker, used).status_code == 302
    expired = first_two_steps(new_patient(app, "203.0.113.3"), bookable())
    db.execute(
        update(Draft)
        .where(Draft.resume_hash == resume.digest(expired))
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.commit()
    wrong = resume.new_code()
    stranger = new_patient(app, "192.0.2.9")
    answers = [refusal(resume_with(stranger, code)) for code in (wrong, expired, used, "12")]
    assert answers[0][0] == 400
    assert all(answer == answers[0] for answer in answers)
    page = resume_with(stranger, wrong)
    assert "There is a problem" in page.text and 'href="#code"' in page.text
    assert 'aria-invalid="true"' in page.text and f'value="{wrong}"' in page.text


def test_start_again_destroys_the_code(app, patient, db):
    code = first_two_steps(patient, bookable())
    patient.post("/start-again")
    assert count(db, Draft) == 0
    assert resume_with(new_patient(app), code).status_code == 400


def test_a_code_is_used_once_and_saving_again_makes_a_new_one(app, db):
    first, second, third = (new_patient(app, f"203.0.113.{n}") for n in (1, 2, 3))
    code = first_two_steps(first, bookable())
    assert resume_with(second, code).status_code == 302
    assert resume_with(third, code).status_code == 400
    again = save_on(second, "pattern", bookable())
    assert again != code
    assert resume_with(third, again).status_code == 302


def test_a_refresh_back_or_second_tab_shows_the_same_code_and_it_still_works(app, patient):
    code = first_two_steps(patient, bookable())
    assert [shown_code(patient) for _ in range(3)] == [code] * 3  # refresh, Back, a new tab
    # Saving again on a later step keeps the code the patient wrote down.
    assert save_on(patient, "pattern", bookable()) == code
    assert resume_with(new_patient(app, "203.0.113.8"), code).status_code == 302


def test_making_a_new_code_says_so_and_the_old_one_stops(app, patient, db):
    first = first_two_steps(patient, bookable())
    page = patient.get("/saved").text
    assert "Make a new code. The old code stops working at once." in page
    made = patient.post("/saved/new-code")
    assert made.status_code == 302 and made.location == "/saved"
    page = patient.get("/saved")
    second = CODE_RE.search(page.text).group(1)  # type: ignore[union-attr]
    assert second != first and "The old code no longer works" in page.text
    again = patient.get("/saved").text  # a refresh: the same code, the notice said once
    assert second in again and "The old code no longer works" not in again
    assert resume_with(new_patient(app, "203.0.113.8"), first).status_code == 400
    assert resume_with(new_patient(app, "203.0.113.9"), second).status_code == 302


def test_the_code_page_without_answers_says_there_is_nothing_to_show(app, patient, db):
    empty = patient.get("/saved")
    assert empty.status_code == 200 and "resume-code" not in empty.text
    assert "There are no answers in progress on this device" in empty.text
    assert patient.post("/saved/new-code").location == "/"  # nothing to make a code for
    assert count(db, Draft) == 0
    # Moved to another device with the code: the first device's page says the same.
    code = first_two_steps(patient, bookable())
    assert resume_with(new_patient(app, "203.0.113.8"), code).status_code == 302
    gone = patient.get("/saved")
    assert code not in gone.text and "There are no answers in progress" in gone.text


def test_answers_with_no_code_yet_are_offered_one_but_not_given_one_by_a_get(patient, db):
    patient.consent()
    patient.step("about", bookable())
    page = patient.get("/saved")
    assert "there is no code for them here" in page.text and "resume-code" not in page.text
    assert 'action="/saved/new-code"' in page.text
    assert db.scalars(select(Draft)).one().resume_hash is None  # a GET changes nothing
    assert patient.get("/saved/new-code").status_code == 405
    patient.post("/saved/new-code")
    assert "The old code no longer works" not in patient.get("/saved").text
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", shown_code(patient))


def test_resuming_replaces_the_answers_this_device_had(app, db):
    owner, other = new_patient(app, "203.0.113.1"), new_patient(app, "203.0.113.2")
    code = first_two_steps(owner, bookable(site="ankle"))
    other.consent()
    other.step("about", bookable(age=30))
    assert "already has answers in progress" in other.get("/resume").text
    assert resume_with(other, code).status_code == 302
    draft = db.scalars(select(Draft)).one()
    assert draft.answers["site"] == "ankle" and draft.answers["age"] == 50


def test_answers_that_no_longer_apply_are_still_dropped_after_resuming(app, db):
    owner, other = new_patient(app, "203.0.113.1"), new_patient(app, "203.0.113.2")
    owner.answer_all(
        bookable(site="ankle", giving_way="often", sprains="2_plus", hypermobility=["splits"])
    )
    code = save_on(owner, "health", bookable())
    assert resume_with(other, code).location == "/review"
    response = other.post("/step/pain", {"site": "achilles", "duration": "gt_1y", "from": "review"})
    assert response.location == "/review"
    answers = db.scalars(select(Draft)).one().answers
    for stale in ("giving_way", "sprains", "hypermobility"):
        assert stale not in answers
    assert answers["site"] == "achilles" and answers["age"] == 50


def test_resume_needs_the_csrf_token(app):
    client = app.test_client()
    client.get("/resume")
    assert client.post("/resume", data={"code": resume.new_code()}).status_code == 400


def test_too_many_tries_from_one_client_are_refused_even_with_the_right_code(app, db):
    code = first_two_steps(new_patient(app, "203.0.113.1"), bookable())
    guesser = new_patient(app, "192.0.2.66")
    for _ in range(resume.PER_CLIENT):
        assert resume_with(guesser, resume.new_code()).status_code == 400
    refused = resume_with(guesser, code)
    assert refused.status_code == 429
    assert "Too many codes have been tried. Wait" in refused.text
    assert 'href="#code"' in refused.text and f'value="{code}"' in refused.text
    assert db.scalars(select(Draft)).one().resume_hash == resume.digest(code)  # unchecked
    # Another client is not held back by this one's guesses.
    assert resume_with(new_patient(app, "198.51.100.4"), code).status_code == 302


def from_address(app, address: str) -> Patient:
    """A browser connecting from `address` itself, with no proxy in between."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Patient(client)


def test_a_crowd_of_addresses_cannot_lock_a_patient_out(app, db):
    code = first_two_steps(new_patient(app, "203.0.113.1"), bookable())
    for n in range(40):  # 40 addresses, each until it is refused: 440 codes in one window
        crowd = from_address(app, f"192.0.2.{n}")
        for _ in range(resume.PER_CLIENT):
            assert resume_with(crowd, resume.new_code()).status_code == 400
        assert resume_with(crowd, resume.new_code()).status_code == 429
    assert resume_with(from_address(app, "198.51.100.4"), code).status_code == 302


def test_passing_the_ceiling_is_audited_once_and_refuses_nobody(app, db, monkeypatch):
    monkeypatch.setattr(
        resume, "EVERYONE", resume.limits.Limit("resume-everyone", 6, resume.WINDOW)
    )
    code = first_two_steps(new_patient(app, "203.0.113.1"), bookable())
    for n in range(9):  # a botnet: every guess from a new address
        assert resume_with(from_address(app, f"192.0.2.{n}"), resume.new_code()).status_code == 400
    (alarm,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "resume_codes_ceiling"))
    assert alarm.details["ceiling"] == 6 and alarm.details["window_minutes"] == 15
    assert resume_with(from_address(app, "198.51.100.4"), code).status_code == 302


def test_an_ipv6_client_is_counted_by_its_64_not_its_address(app):
    code = first_two_steps(new_patient(app, "203.0.113.1"), bookable())
    for n in range(resume.PER_CLIENT):  # a new address in the same /64 for every guess
        assert (
            resume_with(from_address(app, f"2001:db8:0:7::{n:x}"), resume.new_code()).status_code
            == 400
        )
    refused = resume_with(from_address(app, "2001:db8:0:7:ffff:1:2:3"), code)
    assert refused.status_code == 429
    assert resume_with(from_address(app, "2001:db8:0:8::1"), code).status_code == 302


def test_only_the_last_forwarded_address_counts(app):
    """nginx appends the address it saw; anything before it is the client's own say-so."""
    guesser = new_patient(app, "192.0.2.66")
    for n in range(resume.PER_CLIENT):
        guesser.client.environ_base["HTTP_X_FORWARDED_FOR"] = f"10.0.0.{n}, 192.0.2.66"
        resume_with(guesser, resume.new_code())
    assert resume_with(guesser, resume.new_code()).status_code == 429


def test_failures_are_audited_once_per_window_without_addresses(app, db):
    for n in range(3):
        resume_with(new_patient(app, f"192.0.2.{n}"), resume.new_code())
    resume_with(new_patient(app, "192.0.2.0"), resume.new_code())
    assert count(db, AuditEvent) == 0  # nothing per guess
    # Tries and failures by three clients, and for everyone.
    assert count(db, RateCount) == 8
    # The window ends: the next visit to /resume reports it, once.
    end_the_window(db)
    new_patient(app).get("/resume")
    new_patient(app).get("/resume")
    event = db.scalars(select(AuditEvent)).one()
    assert event.action == "resume_codes_failed"
    assert event.details["failures"] == 4 and event.details["attempts"] == 4
    assert event.details["clients"] == 3 and event.details["window_minutes"] == 15
    assert "192.0.2" not in repr(event.details)
    assert count(db, RateCount) == 0


def test_a_window_without_failures_is_not_audited(app, db):
    code = first_two_steps(new_patient(app, "203.0.113.1"), bookable())
    resume_with(new_patient(app, "203.0.113.2"), code)
    end_the_window(db)
    new_patient(app).get("/resume")
    assert count(db, AuditEvent) == 0 and count(db, RateCount) == 0


def test_client_addresses_are_kept_only_as_an_hmac(app, db):
    resume_with(new_patient(app, "192.0.2.55"), resume.new_code())
    clients = db.scalars(select(RateCount.key)).all()
    assert "*" in clients and all("192.0.2" not in c for c in clients)
    assert all(len(c) == 64 for c in clients if c != "*")


@pytest.mark.parametrize("typed", ["", "   ", "x" * 5000, "ÅÅÅÅ-ÅÅÅÅ-ÅÅÅÅ", "<script>"])
def test_odd_input_is_a_form_error_not_a_crash(app, typed):
    page = resume_with(new_patient(app), typed)
    assert page.status_code == 400 and "There is a problem" in page.text
    assert "<script>" not in page.text.split("</header>")[-1]


RESUME_REVISION, BEFORE_RESUME = "b5d2e8f14c93", "a7c3d9e1f508"


def test_the_resume_revision_keeps_drafts_both_ways(engine):
    upgrade(engine, BEFORE_RESUME)
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO draft (id, answers, completed, carried_on, consent_version,"
                " consented_at, submit_token, created_at, updated_at, expires_at) VALUES"
                " ('d1', '{\"age\": 50}', '[]', '[]', '1.0', :now, 't', :now, :now, :now)"
            ),
            {"now": now},
        )
    upgrade(engine, RESUME_REVISION)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, resume_hash FROM draft")).one() == ("d1", None)
    assert "resume_attempt" in inspect(engine).get_table_names()
    downgrade(engine, BEFORE_RESUME)
    names = inspect(engine)
    assert "resume_attempt" not in names.get_table_names()
    assert "resume_hash" not in {c["name"] for c in names.get_columns("draft")}
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT id FROM draft")) == "d1"

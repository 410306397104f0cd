"""Red-flag advice the moment it is known: an emergency or urgent flag raised by a step's
answers interrupts the check with its advice; the patient sends what they have, changes an
answer, or (urgent alone) carries on, and is not interrupted again for the same flags."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select, text

from questionnaire.core.migrate import downgrade, upgrade
from questionnaire.core.models import Draft, Submission
from questionnaire.patient import drafts
from tests.core.test_migrations import now
from tests.helpers.answer_sets import bookable
from tests.helpers.patient_client import SUBMIT_RE, form_data

WEAKNESS = bookable(rf_weakness="yes")  # neuro_deficit: emergency
CALF = bookable(rf_calf="yes")  # dvt: urgent
HOT_JOINT = bookable(joint_state="hot")  # hot_joint (urgent) on the pattern step
SEPTIC = bookable(joint_state="hot", rf_fever="yes")  # septic_joint: emergency


def up_to(patient, answers, last):
    """Consent, then every step before `last` in order, each expected to go straight on."""
    patient.consent()
    for step_id in ("about", "pain", "pattern", "safety", "health"):
        if step_id == last:
            return
        assert patient.step(step_id, answers).location == f"/step/{_after(step_id)}"


def _after(step_id):
    order = ["about", "pain", "pattern", "safety", "health", "review"]
    return order[order.index(step_id) + 1]


def submissions(db):
    db.expire_all()
    return db.scalars(select(Submission)).all()


def draft_of(db):
    db.expire_all()
    return db.scalars(select(Draft)).one()


def draft_of_or_none(db):
    db.expire_all()
    return db.scalars(select(Draft)).first()


def test_an_emergency_answer_brings_the_emergency_advice_next(patient):
    up_to(patient, WEAKNESS, "safety")
    saved = patient.step("safety", WEAKNESS)
    assert saved.status_code == 302 and saved.location == "/step/safety/advice"
    page = patient.get(saved.location)
    assert page.status_code == 200
    assert "<title>Get help now" in page.text
    assert '<h1 id="advice-title" tabindex="-1" autofocus>Get help now</h1>' in page.text
    assert "Call 999 or go to A&amp;E now" in page.text
    assert 'href="tel:999"' in page.text
    # The answers that raised it, in plain words, as on the result page.
    assert "You told us about:</strong> an arm or leg getting weaker" in page.text
    assert "Weakness that is getting worse" in page.text
    # Send what I have, or change an answer; no carrying on past an emergency.
    assert 'action="/submit"' in page.text and SUBMIT_RE.search(page.text)
    assert "Send what I have answered to the clinic" in page.text
    assert 'href="/step/safety">Change an answer' in page.text
    assert "Carry on" not in page.text
    assert page.text.count('name="csrf_token"') == page.text.count("<form")


def test_send_what_i_have_stores_seek_care_with_its_gaps_and_shows_the_result(patient, db):
    up_to(patient, WEAKNESS, "safety")
    page = patient.get(patient.step("safety", WEAKNESS).location)
    token = SUBMIT_RE.search(page.text).group(1)
    sent = patient.post("/submit", {"submit_token": token})
    assert sent.status_code == 302 and sent.location.startswith("/result/")
    [stored] = submissions(db)
    assert stored.booking == "seek_care" and stored.tier == "emergency"
    assert "blood_thinner" not in stored.answers
    assert "blood_thinner" in stored.screening["missing"]  # the health step was never asked
    result = patient.get(sent.location)
    assert "Call 999 or go to A&amp;E now" in result.text and 'href="tel:999"' in result.text
    assert "an arm or leg getting weaker" in result.text
    assert db.scalar(select(func.count()).select_from(Draft)) == 0


def test_a_double_click_or_a_refresh_of_send_stores_one_submission(patient, db):
    up_to(patient, WEAKNESS, "safety")
    page = patient.get(patient.step("safety", WEAKNESS).location)
    token = SUBMIT_RE.search(page.text).group(1)
    first = patient.post("/submit", {"submit_token": token})
    second = patient.post("/submit", {"submit_token": token})  # the second click, or a resend
    assert first.location == second.location
    assert len(submissions(db)) == 1


def test_a_send_without_the_csrf_token_is_refused(patient, db):
    up_to(patient, WEAKNESS, "safety")
    page = patient.get(patient.step("safety", WEAKNESS).location)
    token = SUBMIT_RE.search(page.text).group(1)
    refused = patient.client.post("/submit", data={"submit_token": token})
    assert refused.status_code == 400
    assert submissions(db) == []


def test_changing_the_answer_clears_the_flag_and_the_check_carries_on(patient, db):
    up_to(patient, WEAKNESS, "safety")
    advice = patient.get(patient.step("safety", WEAKNESS).location)
    change = patient.get("/step/safety")  # the "Change an answer" link
    assert change.status_code == 200
    assert re.search(r'name="rf_weakness" value="yes"\s+checked', change.text)  # kept
    assert "Change an answer" in advice.text
    changed = patient.step("safety", bookable())
    assert changed.location == "/step/health"  # no flag: no interruption
    # Forward (or a stale bookmark) to the advice page now leads on, not to old advice.
    assert patient.get("/step/safety/advice").location == "/step/health"
    assert patient.step("health", bookable()).location == "/review"
    result = patient.get(patient.submit().location)
    assert "Prolotherapy may suit you" in result.text
    assert draft_of_or_none(db) is None


def test_back_and_refresh_show_the_advice_again_while_the_flag_stands(patient):
    up_to(patient, WEAKNESS, "safety")
    url = patient.step("safety", WEAKNESS).location
    assert patient.get("/step/safety").status_code == 200  # Back
    for _ in range(2):  # Forward, then refresh
        again = patient.get(url)
        assert again.status_code == 200 and "Get help now" in again.text
    # Saving the step again unchanged (Continue after going back) interrupts again.
    assert patient.step("safety", WEAKNESS).location == url


def test_every_later_save_is_interrupted_while_an_emergency_stands(patient):
    up_to(patient, WEAKNESS, "safety")
    patient.step("safety", WEAKNESS)
    # The step's own Back link, then Continue on an earlier step: the advice again.
    assert patient.step("pattern", WEAKNESS).location == "/step/pattern/advice"
    # Carrying on past an emergency is refused: the advice is shown once more.
    refused = patient.post("/step/safety/advice")
    assert refused.status_code == 200 and "Get help now" in refused.text
    assert patient.step("health", WEAKNESS).location == "/step/health/advice"


def test_nothing_new_is_asked_while_an_emergency_stands(patient):
    up_to(patient, WEAKNESS, "safety")
    patient.step("safety", WEAKNESS)
    # The start page's way back to the draft, or a typed address: the advice, not the step.
    assert patient.get("/consent").location == "/step/health"
    assert patient.get("/step/health").location == "/step/safety/advice"
    # Steps already answered stay open, so any answer can be changed.
    assert patient.get("/step/pattern").status_code == 200
    assert patient.get("/step/safety").status_code == 200


def test_urgent_advice_interrupts_and_carry_on_goes_to_the_next_step(patient, db):
    up_to(patient, CALF, "safety")
    saved = patient.step("safety", CALF)
    assert saved.location == "/step/safety/advice"
    page = patient.get(saved.location)
    assert "<title>Get medical help today" in page.text
    assert "same-day GP appointment, an urgent treatment centre, or NHS 111" in page.text
    assert "a swollen, warm, red or tender calf or leg" in page.text
    # Its button calls NHS 111, not the emergency number (the footer links both).
    assert '<a class="call-now" href="tel:111">Call NHS 111</a>' in page.text
    assert page.text.count('class="call-now"') == 1
    assert "Carry on with the check" in page.text and "Send what I have answered" in page.text
    carried = patient.post("/step/safety/advice")
    assert carried.location == "/step/health"
    assert draft_of(db).carried_on == ["dvt"]
    # Not interrupted again for the same flag, here or on a later save.
    assert patient.step("safety", CALF).location == "/step/health"
    assert patient.step("health", CALF).location == "/review"
    result = patient.get(patient.submit().location)
    [stored] = submissions(db)
    assert stored.booking == "seek_care" and stored.tier == "urgent"
    assert "Get medical help today" in result.text


def test_after_carrying_on_a_new_higher_flag_interrupts(patient, db):
    up_to(patient, HOT_JOINT, "pattern")
    saved = patient.step("pattern", HOT_JOINT)
    assert saved.location == "/step/pattern/advice"
    assert "a hot, red and swollen joint" in patient.get(saved.location).text
    assert patient.post("/step/pattern/advice").location == "/step/safety"
    # A fever with that hot joint: septic joint, an emergency, interrupts.
    higher = patient.step("safety", SEPTIC)
    assert higher.location == "/step/safety/advice"
    page = patient.get(higher.location)
    assert "Get help now" in page.text and "Carry on" not in page.text


def test_after_carrying_on_a_new_flag_of_the_same_tier_interrupts(patient, db):
    up_to(patient, HOT_JOINT, "pattern")
    patient.step("pattern", HOT_JOINT)
    patient.post("/step/pattern/advice")
    both = bookable(joint_state="hot", rf_calf="yes")
    saved = patient.step("safety", both)
    assert saved.location == "/step/safety/advice"
    page = patient.get(saved.location).text
    assert "a hot, red and swollen joint" in page and "tender calf" in page
    assert patient.post("/step/safety/advice").location == "/step/health"
    assert draft_of(db).carried_on == ["dvt", "hot_joint"]


def test_a_flag_cleared_then_raised_again_interrupts_again(patient, db):
    up_to(patient, CALF, "safety")
    patient.step("safety", CALF)
    patient.post("/step/safety/advice")
    assert patient.step("safety", bookable()).location == "/step/health"
    assert draft_of(db).carried_on == []
    assert patient.step("safety", CALF).location == "/step/safety/advice"


def test_gp_soon_flags_do_not_interrupt_and_are_given_at_the_end(patient, db):
    answers = bookable(rf_weight_loss="yes")  # weight_loss: gp_soon
    up_to(patient, answers, "safety")
    assert patient.step("safety", answers).location == "/step/health"
    assert patient.get("/step/safety/advice").location == "/step/health"
    patient.step("health", answers)
    result = patient.get(patient.submit().location)
    assert "See your GP first" in result.text


def test_no_flag_no_interruption_and_the_advice_page_leads_on(patient):
    up_to(patient, bookable(), "safety")
    assert patient.step("safety", bookable()).location == "/step/health"
    assert patient.get("/step/pain/advice").location == "/step/pattern"


def test_the_advice_page_of_a_step_not_yet_open_leads_to_the_open_one(patient):
    up_to(patient, bookable(), "pattern")
    assert patient.get("/step/health/advice").location == "/step/pattern"


def test_an_unknown_step_has_no_advice_page(patient):
    patient.consent()
    page = patient.get("/step/nowhere/advice")
    assert page.status_code == 404 and "Traceback" not in page.text


def test_the_advice_page_without_a_draft_goes_to_the_start(client):
    assert client.get("/step/safety/advice").location == "/"


def test_an_expired_draft_at_the_advice_page_starts_again(patient, db):
    up_to(patient, WEAKNESS, "safety")
    url = patient.step("safety", WEAKNESS).location
    draft = draft_of(db)
    draft.expires_at = draft.expires_at - timedelta(days=2)
    db.commit()
    assert patient.get(url).location == "/"
    assert "expired" in patient.get("/").text
    assert draft_of_or_none(db) is None


def test_a_change_from_the_review_keeps_the_way_back_to_the_review(patient):
    patient.answer_all(bookable())
    saved = patient.post("/step/safety", {**form_data(CALF, "safety"), "from": "review"})
    assert saved.location == "/step/safety/advice?from=review"
    page = patient.get(saved.location)
    assert 'href="/step/safety?from=review">Change an answer' in page.text
    assert 'name="from" value="review"' in page.text
    assert patient.post("/step/safety/advice", {"from": "review"}).location == "/review"


@pytest.mark.parametrize("answers", [WEAKNESS, CALF])
def test_carry_on_without_the_csrf_token_is_refused(patient, db, answers):
    up_to(patient, answers, "safety")
    patient.step("safety", answers)
    refused = patient.client.post("/step/safety/advice")
    assert refused.status_code == 400
    assert draft_of(db).carried_on == []


BEFORE_INTERRUPTIONS = "9b3e1f7a2c64"
INTERRUPTIONS = "a7c3d9e1f508"


def test_the_migration_gives_drafts_in_progress_nothing_carried_on_and_goes_back(engine):
    upgrade(engine, BEFORE_INTERRUPTIONS)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO draft (id, answers, completed, consent_version, consented_at,"
                " submit_token, created_at, updated_at, expires_at) VALUES ('d', '{}', '[]',"
                " '1.0', :now, 't', :now, :now, :now)"
            ),
            {"now": now()},
        )
    upgrade(engine, INTERRUPTIONS)
    with engine.connect() as conn:
        carried_on = conn.scalar(text("SELECT carried_on FROM draft"))
    assert (json.loads(carried_on) if isinstance(carried_on, str) else carried_on) == []
    downgrade(engine, BEFORE_INTERRUPTIONS)
    assert "carried_on" not in {c["name"] for c in inspect(engine).get_columns("draft")}
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT id FROM draft")) == "d"


def test_a_step_saved_meanwhile_in_another_tab_is_not_written_over(patient, db, monkeypatch):
    """Two tabs: while this tab's POST of the about step is under way, the other tab saves
    the safety step with a red flag. This tab's save must keep that answer and that step."""
    answers = bookable()
    up_to(patient, answers, "health")
    save_step, raced = drafts.save_step, []

    def other_tab_saves_first(draft, section, step_answers, lifetime):
        if not raced:
            raced.append(True)
            row = draft_of(db)
            row.answers = {**row.answers, "rf_calf": "yes"}
            row.updated_at = row.updated_at + timedelta(seconds=1)
            db.commit()
        return save_step(draft, section, step_answers, lifetime)

    monkeypatch.setattr(drafts, "save_step", other_tab_saves_first)
    response = patient.step("about", {**answers, "age": 61})
    assert raced and response.status_code == 302
    stored = draft_of(db)
    assert stored.answers["rf_calf"] == "yes"  # the other tab's red flag stands
    assert stored.answers["age"] == 61  # and this tab's answer is saved too
    assert set(stored.completed) >= {"about", "pain", "pattern", "safety"}

"""Every booking decision, end to end through the test client: the right page, the right
next step, and never a booking prompt with a red flag."""

import re

import pytest
from sqlalchemy import func, select

from questionnaire.core.models import CallbackRequest, Submission
from tests.helpers.answer_sets import bookable, complete

BOOKING_PROMPT = re.compile(r"Book (an appointment|an assessment appointment|online)")


def stored(db):
    return db.scalars(select(Submission)).all()


def test_a_patient_who_fits_is_offered_a_booking(patient, db, app):
    app.config["BOOKING_URL"] = "https://booking.example/prolo"
    page = patient.complete(bookable(nsaids="yes"))
    assert page.status_code == 200
    assert "Prolotherapy may suit you" in page.text
    assert "Book an appointment" in page.text
    assert 'href="https://booking.example/prolo"' in page.text
    assert 'Osteoarthritis (wear in a joint): <span class="level">Looks likely' in page.text
    assert "What the research says" in page.text
    assert "anti-inflammatory painkillers regularly" in page.text  # the note caution
    assert "This is not a diagnosis" in page.text
    (row,) = stored(db)
    assert row.booking == "book" and row.osteoarthritis == "likely"
    assert row.reference in page.text
    assert row.answers["nsaids"] == "yes" and row.screening["booking"] == "book"
    assert (row.bank_version, row.rules_version, row.consent_version) == ("1.0", "1.3", "1.0")


def test_only_possible_indications_offer_an_assessment_appointment(patient):
    page = patient.complete(bookable(age=42))
    assert "Book an assessment appointment" in page.text


def test_a_caution_asks_for_a_call_back_not_a_booking(patient, db):
    page = patient.complete(bookable(blood_thinner="other"))
    assert "A clinician needs to speak with you first" in page.text
    assert "You take a blood thinner." in page.text
    assert not BOOKING_PROMPT.search(page.text)
    assert 'id="call-back"' in page.text
    assert stored(db)[0].booking == "call_back"


@pytest.mark.parametrize(
    ("changes", "tier", "advice"),
    [
        ({"rf_saddle": "yes"}, "emergency", "Call 999 or go to A&amp;E now"),
        ({"rf_calf": "yes"}, "urgent", "get medical help today"),
        ({"rf_weight_loss": "yes"}, "gp_soon", "see your GP in the next few days"),
    ],
)
def test_a_red_flag_gets_the_advice_for_its_tier_and_no_booking_prompt(
    patient, db, app, changes, tier, advice
):
    app.config["BOOKING_URL"] = "https://booking.example/prolo"
    page = patient.complete(bookable(**changes))
    assert advice in page.text
    assert page.text.index(advice) < page.text.index("Why we are saying this")
    assert not BOOKING_PROMPT.search(page.text)
    assert "booking.example" not in page.text
    assert 'id="call-back"' not in page.text
    (row,) = stored(db)
    assert (row.booking, row.tier) == ("seek_care", tier)


def test_the_emergency_number_is_configurable(patient, app):
    app.config["EMERGENCY_NUMBER"] = "112"
    page = patient.complete(bookable(rf_weakness="yes"))
    assert "Call 112 or go to A&amp;E now" in page.text
    assert '<a class="call-now" href="tel:112">Call 112</a>' in page.text


def test_the_red_flag_answers_are_named_in_plain_words(patient):
    page = patient.complete(bookable(rf_bladder_bowel="yes", rf_calf="yes"))
    assert "new trouble with bladder or bowel control" in page.text
    assert "a swollen, warm, red or tender calf or leg" in page.text
    # The emergency comes before the urgent one.
    assert page.text.index("bladder or bowel") < page.text.index("tender calf")


def test_each_reason_says_what_the_patient_told_us_one_a_line(patient):
    page = patient.complete(bookable(age=50, nerve_sensations=["burning", "pins_needles"]))
    osteoarthritis = page.text.split('id="ind-osteoarthritis"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r"<li>(.*?)</li>", osteoarthritis) == [
        "You said you have pain in the knee joint.",
        "You said it hurts when you use it or put weight on it.",
        "You are 45 or over.",
        "You said it is stiff for 30 minutes or less in the morning.",
    ]
    assert "You said the pain comes with: burning, pins and needles." in page.text
    assert not re.search(r"\d+ of \d+", page.text)  # never a score


@pytest.mark.parametrize(
    ("changes", "named", "not_named"),
    [
        ({"site": "knee_tendon"}, "a tendon in this part of the body", "tennis elbow"),
        ({"site": "elbow_outer"}, "For tennis elbow", "Achilles"),
        ({"site": "achilles"}, "For the Achilles tendon", "tennis elbow"),
        ({"site": "knee", "morning_stiffness": "le_30"}, "For knee osteo", "hand"),
        ({"site": "hip_groin", "morning_stiffness": "le_30"}, "in this joint", "knee osteo"),
    ],
)  # fmt: skip
def test_what_the_research_says_fits_the_site_chosen(patient, changes, named, not_named):
    tendon = {"load_pain": "yes", "point_spot": "yes", "warm_up": "yes"}
    page = patient.complete(complete(**tendon, **changes))
    research = re.findall(r"What the research says:</strong> ([^<]*)</p>", page.text)
    assert research and any(named in text for text in research)
    assert not any(not_named in text for text in research)


def test_a_result_stored_by_rules_1_2_still_shows_its_reasons(patient, db):
    """Before rules 1.3 a stored result held each reason as an English phrase."""
    patient.complete(bookable())
    (row,) = stored(db)
    old = dict(row.screening)
    old["indications"] = {
        name: {**ind, "reasons": ["pain in the knee joint", "aged 45 or over"]}
        for name, ind in old["indications"].items()
    }
    row.screening = old
    db.commit()
    page = patient.get(f"/result/{row.id}")
    assert page.status_code == 200
    assert "<li>aged 45 or over</li>" in page.text


def test_widespread_pain_is_pointed_to_the_gp(patient, db):
    page = patient.complete(bookable(areas="7_plus"))
    assert "Prolotherapy is not the right first step for you" in page.text
    assert not BOOKING_PROMPT.search(page.text)
    assert stored(db)[0].booking == "not_suitable"


def test_no_matching_problem_is_not_suitable_with_kind_words(patient):
    page = patient.complete(complete())
    assert "does not look likely to help this pain" in page.text
    assert "physiotherapist" in page.text
    assert not BOOKING_PROMPT.search(page.text)
    assert 'id="call-back"' not in page.text


def test_a_call_back_request_is_stored_with_the_submission(patient, db):
    page = patient.complete(bookable(blood_thinner="other"))
    url = re.search(r'action="(/result/[0-9a-f]+/call-back)"', page.text).group(1)
    bad = patient.post(url, {"name": "", "phone": "call me", "best_time": "any"})
    assert bad.status_code == 400
    assert "Enter your name" in bad.text and "Enter a phone number, like" in bad.text
    assert db.scalar(select(func.count()).select_from(CallbackRequest)) == 0
    sent = patient.post(
        url, {"name": "Ann O'Neil", "phone": "+44 7700 900123", "email": "", "best_time": "morning"}
    )
    assert sent.status_code == 302
    page = patient.get(sent.location)
    assert "The clinic will phone you in the morning" in page.text
    (cb,) = db.scalars(select(CallbackRequest)).all()
    assert (cb.name, cb.phone, cb.email, cb.best_time) == (
        "Ann O'Neil",
        "+44 7700 900123",
        None,
        "morning",
    )
    again = patient.post(url, {"name": "Someone", "phone": "01632 960001", "best_time": "any"})
    assert again.status_code == 302
    assert db.scalar(select(func.count()).select_from(CallbackRequest)) == 1


def test_two_call_back_posts_at_once_keep_the_first_and_show_it(app, patient, db, monkeypatch):
    """The race: both posts find no request yet. Made certain by storing the other post's
    request, from another connection, just before this one's insert: the second sees the
    first's request, as a post after it would, and no error page or log line."""
    from questionnaire.core.db import engine
    from questionnaire.patient import submissions

    page = patient.complete(bookable(blood_thinner="other"))
    url = re.search(r'action="(/result/([0-9a-f]+)/call-back)"', page.text)
    store = submissions.add_callback

    def after_the_other_post(session, submission, data):
        with engine(app).begin() as conn:
            conn.execute(
                CallbackRequest.__table__.insert().values(
                    submission_id=submission.id, name="First", phone="01632 960001",
                    best_time="any",
                )
            )  # fmt: skip
        return store(session, submission, data)

    monkeypatch.setattr(submissions, "add_callback", after_the_other_post)
    sent = patient.post(
        url.group(1), {"name": "Second", "phone": "01632 960002", "best_time": "any"}
    )
    assert sent.status_code == 302 and sent.location.endswith("#call-back")
    db.expire_all()
    assert [c.name for c in db.scalars(select(CallbackRequest))] == ["First"]


def test_there_is_no_call_back_form_behind_a_red_flag(patient, db):
    page = patient.complete(bookable(rf_calf="yes"))
    sid = stored(db)[0].id
    assert 'id="call-back"' not in page.text
    response = patient.post(
        f"/result/{sid}/call-back", {"name": "A", "phone": "01632960001", "best_time": "any"}
    )
    assert response.status_code == 404
    assert db.scalar(select(func.count()).select_from(CallbackRequest)) == 0


def test_a_result_is_only_shown_to_the_browser_that_sent_it(patient, app, db):
    patient.complete(bookable())
    sid = stored(db)[0].id
    assert patient.get(f"/result/{sid}").status_code == 200
    stranger = app.test_client()
    page = stranger.get(f"/result/{sid}")
    assert page.status_code == 404
    assert "Page not found" in page.text


def test_submission_ids_are_random_and_128_bits(patient, app, db):
    patient.complete(bookable())
    from tests.helpers.patient_client import Patient

    Patient(app.test_client()).complete(bookable())
    ids = [row.id for row in stored(db)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and ids[0] != ids[1]

"""The way through: consent, steps, progress, errors, back, refresh, change, review."""

import re

import pytest
from sqlalchemy import func, select

from questionnaire.core.models import Draft, Submission
from rules import SECTIONS
from tests.helpers.answer_sets import bookable
from tests.helpers.patient_client import CSRF_RE


def count(db, model):
    return db.scalar(select(func.count()).select_from(model))


def test_the_start_page_says_what_the_check_is_and_is_not(client):
    page = client.get("/")
    assert page.status_code == 200
    for words in [
        "not a diagnosis",
        "Not for emergencies",
        "999",
        "about 5 minutes",
        "under 18",
        "keeps them",
        "About this check",
        "Save and continue later",
    ]:
        assert words in page.text
    # The count comes from the bank, not from the template.
    assert f"There are {len(SECTIONS)} short sets of questions" in page.text
    assert 'href="/resume"' in page.text


def test_the_about_page_lists_sources_privacy_and_accessibility(client):
    page = client.get("/about")
    for words in [
        "NG226",
        "ICON 2019",
        "DN4",
        "Cochrane",
        'id="privacy"',
        'id="accessibility"',
        "(WCAG) 2.2",
    ]:
        assert words in page.text


def test_nothing_is_stored_before_consent(patient, db):
    patient.get("/")
    page = patient.post("/consent", {})
    assert page.status_code == 400
    assert "Tick the box" in page.text and 'class="error-summary"' in page.text
    assert count(db, Draft) == 0
    assert patient.get("/step/about").location == "/"


def test_consent_starts_a_draft_and_the_first_step(patient, db):
    response = patient.consent()
    assert response.location == "/step/about"
    assert count(db, Draft) == 1
    draft = db.scalars(select(Draft)).one()
    assert draft.consent_version == "1.0" and draft.consented_at is not None


def test_each_step_shows_its_number_progress_and_title(patient):
    patient.consent()
    page = patient.get("/step/about")
    assert "<title>Step 1 of 6: About you" in page.text
    assert '<progress max="6" value="1"' in page.text
    assert "<legend" in page.text and 'for="age"' in page.text


def test_required_questions_are_enforced_with_a_summary_and_inline_errors(patient):
    patient.consent()
    patient.step("about", {"age": 50})
    page = patient.step("pain", {"site": "knee"})
    assert page.status_code == 400
    assert "<title>Error: Step 2 of 6" in page.text
    assert 'class="error-summary"' in page.text and 'href="#duration-0"' in page.text
    assert 'id="duration-error"' in page.text
    # The answer given is kept.
    assert re.search(r'value="knee"\s+checked', page.text)


def test_a_step_cannot_be_skipped_by_its_address(patient):
    patient.consent()
    assert patient.get("/step/health").location == "/step/about"
    assert patient.get("/review").location == "/step/about"
    assert patient.get("/step/nowhere").status_code == 404


def test_back_shows_the_answers_already_given(patient):
    patient.consent()
    patient.step("about", {"age": 50, "sex": "female"})
    patient.step("pain", {"site": "ankle", "duration": "3m_12m", "onset": "injury"})
    page = patient.get("/step/pain")
    assert 'href="/step/about">Back' in page.text
    assert re.search(r'value="ankle"\s+checked', page.text)
    assert re.search(r'value="injury"\s+checked', page.text)
    about = patient.get("/step/about")
    assert 'value="50"' in about.text


def test_a_refresh_of_every_step_loses_and_duplicates_nothing(patient, db):
    answers = bookable(hypermobility=[], nerve_sensations=["burning"])
    patient.answer_all(answers)
    before = db.scalars(select(Draft)).one().answers
    for step in ["about", "pain", "pattern", "safety", "health"]:
        first, second = patient.get(f"/step/{step}"), patient.get(f"/step/{step}")
        assert first.status_code == second.status_code == 200
        # The CSRF token is signed with a timestamp: two pages a second apart differ there.
        assert CSRF_RE.sub("", first.text) == CSRF_RE.sub("", second.text)
    db.expire_all()
    assert db.scalars(select(Draft)).one().answers == before
    assert count(db, Draft) == 1


def test_none_of_these_is_kept_apart_from_not_answered(patient, db):
    patient.consent()
    patient.step("about", {"age": 50})
    patient.step("pain", {"site": "knee", "duration": "gt_1y"})
    patient.step("pattern", {"nerve_sensations": []})
    assert db.scalars(select(Draft)).one().answers["nerve_sensations"] == []
    page = patient.get("/step/pattern")
    assert re.search(
        r'id="nerve_sensations-none" name="nerve_sensations" value="none" data-exclusive\s+checked',
        page.text,
    )


def test_none_of_these_with_other_choices_is_an_error(patient):
    patient.consent()
    patient.step("about", {"age": 50})
    patient.step("pain", {"site": "knee", "duration": "gt_1y"})
    page = patient.post("/step/pattern", {"nerve_sensations": ["none", "burning"]})
    assert page.status_code == 400 and "not both" in page.text


def test_changing_the_site_drops_answers_that_no_longer_apply(patient, db):
    patient.answer_all(
        bookable(
            site="ankle",
            giving_way="often",
            sprains="2_plus",
            grinding="yes",
            hypermobility=["splits"],
        )
    )
    assert db.scalars(select(Draft)).one().answers["giving_way"] == "often"
    response = patient.post(
        "/step/pain", {"site": "achilles", "duration": "gt_1y", "from": "review"}
    )
    assert response.location == "/review"
    db.expire_all()
    answers = db.scalars(select(Draft)).one().answers
    for stale in ["giving_way", "sprains", "grinding", "hypermobility"]:
        assert stale not in answers
    review = patient.get("/review")
    assert "give way" not in review.text


def test_a_change_that_raises_a_new_required_question_goes_there_first(patient):
    patient.answer_all(bookable(sex="male", age=30))
    response = patient.post("/step/about", {"age": "30", "sex": "female", "from": "review"})
    assert response.location == "/step/health"
    page = patient.get("/step/health")
    assert "Are you pregnant" in page.text
    assert patient.get("/review").location == "/step/health"


def test_the_review_shows_every_answer_in_words_with_change_links(patient):
    patient.answer_all(bookable(nerve_sensations=["burning", "numbness"], hypermobility=[]))
    page = patient.get("/review")
    assert "<title>Step 6 of 6: Check your answers" in page.text
    assert "Knee joint" in page.text and "Burning; Numbness" in page.text
    assert "None of these" in page.text
    for step in ["about", "pain", "pattern", "safety", "health"]:
        assert f'href="/step/{step}?from=review">Change' in page.text
    # Back from the review goes to the bank's last section, whatever its id.
    assert f'class="back-link" href="/step/{SECTIONS[-1].id}">Back' in page.text


def test_change_returns_to_the_review(patient):
    patient.answer_all(bookable())
    page = patient.get("/step/health?from=review")
    assert 'name="from" value="review"' in page.text
    response = patient.post("/step/health", {**_health(), "nsaids": "yes", "from": "review"})
    assert response.location == "/review"
    assert "anti-inflammatory" in patient.get("/review").text


def _health():
    return {
        "blood_thinner": "none",
        "anaesthetic_allergy": "no",
        "corn_allergy": "no",
        "infection_site": "no",
    }


def test_under_18s_are_asked_to_answer_with_a_parent(patient):
    patient.consent()
    patient.step("about", {"age": 15})
    assert "with a parent or guardian" in patient.get("/step/pain").text


def test_a_double_submit_stores_one_submission_and_shows_one_result(patient, db):
    patient.answer_all(bookable())
    token = patient.submit_token()
    first = patient.submit(token)
    second = patient.submit(token)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert count(db, Submission) == 1 and count(db, Draft) == 0
    assert patient.get(second.location).status_code == 200


def test_an_old_submit_token_does_not_store_anything(patient, db):
    patient.answer_all(bookable())
    response = patient.submit("not-the-token")
    assert response.location == "/review"
    assert count(db, Submission) == 0


def test_a_failure_half_way_through_submit_stores_nothing_and_keeps_the_draft(
    patient, db, monkeypatch
):
    patient.answer_all(bookable())
    token = patient.submit_token()

    def broken(*_args):
        raise RuntimeError("disk fell off")

    monkeypatch.setattr("questionnaire.patient.submissions.consume_draft", broken)
    page = patient.submit(token)
    assert page.status_code == 500
    assert "something went wrong on our side" in page.text
    assert "disk fell off" not in page.text and "Traceback" not in page.text
    assert count(db, Submission) == 0
    assert count(db, Draft) == 1
    monkeypatch.undo()
    assert patient.submit(token).status_code == 302
    assert count(db, Submission) == 1


def test_start_again_clears_the_draft(patient, db):
    patient.consent()
    patient.step("about", {"age": 40})
    response = patient.post("/start-again")
    assert response.location == "/"
    assert count(db, Draft) == 0
    assert "Your answers have been cleared" in patient.get("/").text
    assert patient.get("/step/about").location == "/"


def test_an_expired_draft_is_deleted_and_the_patient_starts_again(patient, db):
    patient.consent()
    patient.step("about", {"age": 40})
    from datetime import timedelta

    draft = db.scalars(select(Draft)).one()
    draft.expires_at = draft.expires_at - timedelta(days=2)
    db.commit()
    response = patient.get("/step/pain")
    assert response.location == "/"
    assert "expired" in patient.get("/").text
    assert count(db, Draft) == 0


def test_a_restarted_server_keeps_the_draft(patient, database_url):
    from tests.conftest import make_app

    patient.consent()
    patient.step("about", {"age": 61, "sex": "male"})
    restarted = make_app(database_url)
    with restarted.test_client() as again:
        again._cookies = patient.client._cookies  # the same browser, a new server process
        page = again.get("/step/about")
        assert page.status_code == 200 and 'value="61"' in page.text
    restarted.extensions["db_engine"].dispose()


@pytest.mark.parametrize("path", ["/consent", "/step/about", "/step/health"])
def test_step_pages_say_progress_without_javascript(patient, path):
    patient.answer_all(bookable())
    page = patient.get(path, follow_redirects=True)
    assert "<script" in page.text and "defer" in page.text
    assert "onclick" not in page.text and "<script>" not in page.text


def test_continue_where_you_left_off_goes_to_the_first_step_not_done(patient):
    patient.consent()
    patient.step("about", {"age": 50})
    patient.step("pain", {"site": "knee", "duration": "gt_1y"})
    start = patient.get("/")
    assert "Continue where you left off" in start.text
    assert patient.get("/consent").location == "/step/pattern"
    patient.answer_all(bookable())
    assert patient.get("/consent").location == "/review"


def test_after_sending_the_start_page_links_to_the_result(patient):
    assert "See your result" not in patient.get("/").text
    result = patient.complete(bookable())
    assert result.status_code == 200
    start = patient.get("/")
    assert "See your result" in start.text
    assert patient.get("/review").location == "/"  # the draft went with the submission


@pytest.mark.parametrize(("age", "shown"), [(17, True), (18, False), (0, True)])
def test_under_18s_are_asked_to_answer_with_a_parent_from_the_next_step_on(patient, age, shown):
    patient.consent()
    assert patient.step("about", {"age": str(age), "sex": "female"}).status_code == 302
    panel = "You told us you are under 18"
    assert (panel in patient.get("/step/pain").text) is shown
    assert panel not in patient.get("/step/about").text

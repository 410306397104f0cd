"""Clinicians: the list and its filters, one submission in full, reviews, hostile text."""

import html
import re

import pytest
from sqlalchemy import select

from questionnaire.core.models import AuditEvent, CallbackRequest, ReviewNote, Submission
from rules import RULES_VERSION
from tests.helpers.answer_sets import bookable, complete
from tests.helpers.staff_client import add_submission

HOSTILE_NAME = '<script>alert(1)</script> {{7*7}} =HYPERLINK("x") \'quoted\' "double"'


def references(page):
    return re.findall(r'/staff/submissions/([0-9a-f]{32})">', page.text)


def test_the_list_is_newest_first_with_a_total(app, as_role):
    old = add_submission(app, bookable(), days_ago=3)
    new = add_submission(app, bookable(), days_ago=1)
    page = as_role("clinician").get("/staff/submissions/")
    assert references(page) == [new, old]
    assert "<strong>2</strong> submissions match" in page.text


def test_every_view_of_the_list_is_audited_with_its_filters_and_counts(app, as_role, db):
    for i in range(55):
        add_submission(app, bookable(), days_ago=i / 100)
    add_submission(app, bookable(rf_calf="yes"))
    staff = as_role("clinician")
    staff.get("/staff/submissions/")
    staff.get("/staff/submissions/?tier=none&page=2&junk=1")
    staff.get("/staff/submissions/?tier=flagged&date_from=31/31/2026")
    listed = db.scalars(select(AuditEvent).where(AuditEvent.action == "submissions_listed")).all()
    assert [(e.user_email, e.details) for e in listed] == [
        (
            "clinician@clinic.example",
            {"filters": {"sort": "newest"}, "total": 56, "page": 1, "shown": 50},
        ),
        (
            "clinician@clinic.example",
            {"filters": {"tier": "none", "sort": "newest"}, "total": 55, "page": 2, "shown": 5},
        ),
        (
            "clinician@clinic.example",
            {"filters": {"tier": "flagged", "sort": "newest"}, "total": 1, "page": 1, "shown": 1},
        ),
    ]


def test_red_flags_stand_out_and_can_come_first(app, as_role):
    calm = add_submission(app, bookable(), days_ago=1)
    urgent = add_submission(app, bookable(rf_calf="yes"), days_ago=3)
    emergency = add_submission(app, bookable(rf_saddle="yes"), days_ago=5)
    staff = as_role("clinician")
    page = staff.get("/staff/submissions/?sort=flags")
    assert references(page) == [emergency, urgent, calm]
    assert page.text.count('class="row-flag"') == 2
    assert 'tag-emergency">Emergency' in page.text


def test_each_filter_narrows_the_list(app, as_role):
    book = add_submission(app, bookable(), days_ago=10)
    flagged = add_submission(app, bookable(rf_calf="yes"), days_ago=2)
    nothing = add_submission(app, complete(), days_ago=1)
    staff = as_role("clinician")
    cases = {
        "booking=book": [book],
        "booking=not_suitable": [nothing],
        "tier=flagged": [flagged],
        "tier=none": [nothing, book],
        "tier=urgent": [flagged],
        "osteoarthritis=likely": [flagged, book],
        "osteoarthritis=unlikely": [nothing],
        "review_status=new": [nothing, flagged, book],
        "review_status=reviewed": [],
    }
    for query, expected in cases.items():
        assert references(staff.get(f"/staff/submissions/?{query}")) == expected, query
    from datetime import date, timedelta

    since = (date.today() - timedelta(days=5)).isoformat()
    assert references(staff.get(f"/staff/submissions/?date_from={since}")) == [nothing, flagged]
    until = (date.today() - timedelta(days=5)).isoformat()
    assert references(staff.get(f"/staff/submissions/?date_to={until}")) == [book]


def test_bad_filters_get_a_message_not_an_error(as_role):
    page = as_role("clinician").get("/staff/submissions/?date_from=31/31/2026&tier=zzz")
    assert page.status_code == 400
    assert 'class="error-summary"' in page.text


@pytest.mark.parametrize(
    "query",
    [
        "date_to=9999-12-31",
        "date_from=9999-12-31",
        "date_from=1999-12-31",
        "date_to=0001-01-01",
        "date_from=10000-01-01",
    ],
)
def test_a_date_out_of_range_is_a_message_at_its_field(as_role, query):
    page = as_role("clinician").get(f"/staff/submissions/?{query}")
    assert page.status_code == 400
    assert f'id="{query.split("=")[0]}-error"' in page.text


def page_link(page, text):
    """Where the pagination link called `text` goes."""
    return html.unescape(re.search(rf'<a href="([^"]*)">{text}</a>', page.text).group(1))


def test_the_list_pages_by_fifty(app, as_role):
    for i in range(55):
        add_submission(app, bookable(), days_ago=i / 100)
    staff = as_role("clinician")
    first = staff.get("/staff/submissions/")
    assert len(references(first)) == 50 and "Page 1 of 2" in first.text
    second = staff.get("/staff/submissions/?page=2")
    assert len(references(second)) == 5
    assert not set(references(first)) & set(references(second))
    # Links carry the filters in force, never other query keys (url_for would take
    # _method, _external or endpoint for its own).
    junk = staff.get("/staff/submissions/?tier=none&_method=POST&_external=1&endpoint=x&z=1")
    assert junk.status_code == 200
    assert page_link(junk, "Next page") == "/staff/submissions/?page=2&tier=none&sort=newest"


def test_a_submission_shows_every_answer_in_words_and_the_reasons(app, as_role):
    sid = add_submission(
        app, bookable(rf_calf="yes", nerve_sensations=["burning", "numbness"], nsaids="yes")
    )
    page = as_role("clinician").get(f"/staff/submissions/{sid}")
    assert page.status_code == 200
    assert "Is one calf or leg swollen, warm, red or tender?</dt><dd>Yes" in page.text
    assert "Knee joint" in page.text and "Burning; Numbness" in page.text
    assert "You are 45 or over." in page.text  # a reason
    assert "Possible deep vein thrombosis (calf)" in page.text
    assert "a swollen, warm, red or tender calf or leg" in page.text
    assert "get medical help today" in page.text  # the advice the patient was given
    assert "Takes anti-inflammatory painkillers regularly" in page.text  # a caution
    assert "dvt" not in page.text and "nsaids" not in page.text  # words, not codes
    assert f"Rules version</dt><dd>{RULES_VERSION}" in page.text
    assert "text version 1.0" in page.text


def test_every_view_of_a_submission_is_audited(app, as_role, db):
    sid = add_submission(app, bookable())
    staff = as_role("clinician")
    staff.get(f"/staff/submissions/{sid}")
    staff.get(f"/staff/submissions/{sid}")
    views = db.scalars(select(AuditEvent).where(AuditEvent.action == "submission_viewed")).all()
    assert [(e.user_email, e.target) for e in views] == [
        ("clinician@clinic.example", f"submission:{sid}")
    ] * 2


def test_a_refused_review_shows_the_submission_again_and_that_view_is_audited(app, as_role, db):
    sid = add_submission(app, bookable(blood_thinner="other"))
    db.add(
        CallbackRequest(submission_id=sid, name="Ann Example", phone="01632960001", best_time="any")
    )
    db.commit()
    page = as_role("clinician").post(f"/staff/submissions/{sid}/review", {"note": "hmm"})
    assert page.status_code == 400 and "Ann Example" in page.text
    views = db.scalars(select(AuditEvent).where(AuditEvent.action == "submission_viewed")).all()
    assert [(e.user_email, e.target) for e in views] == [
        ("clinician@clinic.example", f"submission:{sid}")
    ]


def test_an_unknown_submission_is_404(as_role):
    assert as_role("clinician").get("/staff/submissions/" + "0" * 32).status_code == 404


def test_reviews_are_kept_with_author_and_time_and_never_replaced(app, as_role, db):
    sid = add_submission(app, bookable())
    staff = as_role("clinician")
    response = staff.post(
        f"/staff/submissions/{sid}/review", {"status": "follow_up", "note": "Phone about warfarin."}
    )
    assert response.location == f"/staff/submissions/{sid}"
    staff.post(f"/staff/submissions/{sid}/review", {"status": "reviewed", "note": "Done."})
    notes = db.scalars(select(ReviewNote).order_by(ReviewNote.id)).all()
    assert [(n.status, n.text, n.author_email) for n in notes] == [
        ("follow_up", "Phone about warfarin.", "clinician@clinic.example"),
        ("reviewed", "Done.", "clinician@clinic.example"),
    ]
    assert db.get(Submission, sid).review_status == "reviewed"
    page = staff.get(f"/staff/submissions/{sid}")
    assert page.text.index("Phone about warfarin.") < page.text.index("Done.")
    reviewed = db.scalars(select(AuditEvent).where(AuditEvent.action == "submission_reviewed"))
    assert [e.details["status"] for e in reviewed] == ["follow_up", "reviewed"]


def test_a_review_needs_an_outcome(app, as_role, db):
    sid = add_submission(app, bookable())
    page = as_role("clinician").post(f"/staff/submissions/{sid}/review", {"note": "hmm"})
    assert page.status_code == 400 and "Choose reviewed or needs follow-up" in page.text
    assert db.scalars(select(ReviewNote)).all() == []


def test_review_notes_cannot_be_edited(app, as_role, db):
    import pytest

    sid = add_submission(app, bookable())
    as_role("clinician").post(f"/staff/submissions/{sid}/review", {"status": "reviewed"})
    note = db.scalars(select(ReviewNote)).one()
    note.text = "rewritten"
    with pytest.raises(PermissionError):
        db.commit()


def test_hostile_text_from_a_patient_is_shown_escaped_on_staff_pages(app, as_role, patient, db):
    page = patient.complete(bookable(blood_thinner="other"))
    url = re.search(r'action="(/result/[0-9a-f]+/call-back)"', page.text).group(1)
    sent = patient.post(
        url, {"name": HOSTILE_NAME[:100], "phone": "01632 960001", "best_time": "any"}
    )
    assert sent.status_code == 302
    stored = db.scalars(select(CallbackRequest)).one()
    assert stored.name == HOSTILE_NAME[:100]  # verbatim
    sid = db.scalars(select(Submission)).one().id
    staff = as_role("clinician")
    staff.post(
        f"/staff/submissions/{sid}/review",
        {"status": "reviewed", "note": "<img src=x onerror=alert(1)> {{7*7}}"},
    )
    detail = staff.get(f"/staff/submissions/{sid}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{7*7}}" in detail.text
    assert "<script>alert(1)" not in detail.text and "49" not in detail.text.split("Review")[-1]
    assert "&lt;img src=x onerror=alert(1)&gt;" in detail.text
    assert "&#39;quoted&#39;" in detail.text or "'quoted'" not in detail.text


@pytest.mark.parametrize("typed", ["{ref}", "{lower}", "{spaced}", "{no_hyphen}", "{o_for_0}"])
def test_the_list_finds_a_submission_by_its_reference_as_a_person_says_it(app, as_role, db, typed):
    sid = add_submission(app, bookable())
    add_submission(app, bookable())
    db.query(Submission).filter_by(id=sid).update({"reference": "EV0K-ANDF"})
    db.commit()
    ref = "EV0K-ANDF"
    said = typed.format(
        ref=ref,
        lower=ref.lower(),
        spaced="ev0k andf",
        no_hyphen="EV0KANDF",
        o_for_0="evok-andf",
    )
    page = as_role("clinician").get("/staff/submissions/", query_string={"reference": said})
    assert references(page) == [sid]


def test_a_reference_that_matches_nothing_or_cannot_be_one_says_so(app, as_role):
    add_submission(app, bookable())
    staff = as_role("clinician")
    none = staff.get("/staff/submissions/?reference=zzzz-zzzz")
    assert none.status_code == 200 and references(none) == []
    assert "No submission has the reference <strong>ZZZZ-ZZZZ</strong>" in none.text
    bad = staff.get("/staff/submissions/?reference=abc")
    assert bad.status_code == 400
    assert "Enter the 8 letters and numbers of the reference, like EVXK-ANDF" in bad.text


def test_the_list_shows_and_filters_call_backs(app, as_role, db):
    asked = add_submission(app, bookable(), days_ago=2)
    done = add_submission(app, bookable(), days_ago=1)
    add_submission(app, bookable())  # no call-back
    for sid in (asked, done):
        db.add(CallbackRequest(submission_id=sid, name="A", phone="01632960001", best_time="any"))
    db.commit()
    staff = as_role("clinician")
    staff.post(f"/staff/submissions/{done}/contact", {"contact-outcome": "booked"})
    assert references(staff.get("/staff/submissions/?callback=asked")) == [done, asked]
    waiting = staff.get("/staff/submissions/?callback=waiting")
    assert references(waiting) == [asked]
    assert 'data-label="Call-back">Waiting</td>' in waiting.text
    assert 'data-label="Call-back">Booked</td>' in staff.get("/staff/submissions/").text
    assert staff.get("/staff/submissions/?callback=maybe").status_code == 400

"""Staff in a real browser: a clinician reviews a red flag; staff download the CSV and the
codebook and the test parses both."""

import csv
import io

from tests.browser.conftest import open_context
from tests.browser.journeys import answer_all, go, sign_in, start, submit
from tests.helpers.answer_sets import bookable


def _patient_sends(page, answers):
    start(page)
    answer_all(page, answers)
    submit(page)
    return page.inner_text(".reference-code")


def test_a_clinician_filters_to_red_flags_opens_one_and_marks_it_reviewed(chromium, live):
    patient = open_context(chromium, live).new_page()
    flagged = _patient_sends(patient, bookable(rf_calf="yes"))
    calm = _patient_sends(patient, bookable())
    page = open_context(chromium, live).new_page()
    sign_in(page, "clinician@clinic.example")
    page.goto("/staff/submissions/")
    page.select_option("#tier", "flagged")
    go(page, "button:has-text('Show')")
    table = page.inner_text("table")
    assert flagged in table and calm not in table
    go(page, f"text={flagged}")
    assert "Red flags: highest tier Urgent" in page.inner_text("main")
    page.check("input[name=status][value=reviewed]")
    page.fill("#note", "Advised same-day GP; patient aware.")
    go(page, "button:has-text('Save review')")
    main = page.inner_text("main")
    assert "Your review has been saved" in main and "Advised same-day GP" in main
    assert "clinician@clinic.example" in main


def test_staff_download_the_csv_and_the_codebook(chromium, live):
    patient = open_context(chromium, live).new_page()
    reference = _patient_sends(patient, bookable(nsaids="yes"))
    page = open_context(chromium, live, accept_downloads=True).new_page()
    sign_in(page, "staff@clinic.example")
    page.goto("/staff/export/")
    page.check("input[name=answers_as][value=labels]")
    with page.expect_download() as info:
        page.click("button:has-text('Download CSV')")
    download = info.value
    assert download.suggested_filename.startswith("submissions-")
    text = download.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][0] == "submission_id" and len(rows) >= 2
    assert all(len(r) == len(rows[0]) for r in rows)
    assert "Knee joint" in {r[rows[0].index("site")] for r in rows[1:]}
    with page.expect_download() as info:
        page.click("text=Download the codebook")
    book = list(csv.reader(io.StringIO(info.value.path().read_text(encoding="utf-8-sig"))))
    assert book[0] == ["column", "wording", "type", "codes"]
    assert {r[0] for r in book[1:]} >= set(rows[0])
    assert reference  # the patient's submission is what was exported

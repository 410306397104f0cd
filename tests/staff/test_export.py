"""Staff: the CSV export and codebook over HTTP and from the command line."""

import csv
import io
from datetime import date, timedelta

from sqlalchemy import select

from questionnaire.core.models import AuditEvent, CallbackRequest, Submission
from rules import QUESTIONS
from tests.helpers.answer_sets import bookable, complete
from tests.helpers.patient_client import Patient
from tests.helpers.staff_client import add_submission

FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "\nLF"]


def parse(response_or_text):
    text = response_or_text if isinstance(response_or_text, str) else response_or_text.text
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def add_callback(app, sid, **fields):
    db = app.extensions["db_sessionmaker"]()
    values = {"name": "Ann", "phone": "01632 960001", "email": None, "best_time": "any", **fields}
    db.add(CallbackRequest(submission_id=sid, **values))
    db.commit()
    db.close()


def download(staff, **form):
    return staff.post("/staff/export/submissions.csv", {"answers_as": "codes", **form})


def test_the_download_is_a_named_utf8_csv_with_a_bom(app, as_role):
    add_submission(app, bookable())
    response = download(as_role("staff"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="submissions-') and disposition.endswith(
        '.csv"'
    )


def test_the_columns_follow_the_bank(app, as_role):
    sid = add_submission(
        app,
        bookable(
            rf_calf="yes", nsaids="yes", nerve_sensations=["burning", "numbness"], hypermobility=[]
        ),
    )
    header, row = parse(download(as_role("staff")))
    assert header == [
        "submission_id",
        "reference",
        "submitted_at",
        "bank_version",
        "rules_version",
        *QUESTIONS,
        "osteoarthritis",
        "tendinopathy",
        "ligament",
        "neuropathic",
        "red_flags",
        "cautions",
        "tier",
        "booking",
        "review_status",
        "contact_outcome",
        "contact_attempts",
        "language",
    ]
    cell = dict(zip(header, row, strict=True))
    assert cell["submission_id"] == sid
    assert cell["submitted_at"].endswith("+00:00")
    assert cell["age"] == "50" and cell["site"] == "knee"
    assert cell["nerve_sensations"] == "burning;numbness"
    assert cell["hypermobility"] == "none"
    assert cell["grinding"] == ""  # not answered
    assert (cell["red_flags"], cell["cautions"], cell["tier"]) == ("dvt", "nsaids", "urgent")
    assert (cell["booking"], cell["review_status"]) == ("seek_care", "new")
    assert (cell["contact_outcome"], cell["contact_attempts"]) == ("", "0")


def test_the_contact_log_s_latest_outcome_and_attempts_are_exported(app, as_role):
    sid = add_submission(app, bookable(rf_calf="yes"))
    clinician = as_role("clinician")
    for outcome in ("no_answer", "booked"):
        clinician.post(f"/staff/submissions/{sid}/contact", {"contact-outcome": outcome})
    staff = as_role("staff")
    for answers_as, outcome in (("codes", "booked"), ("labels", "Booked")):
        header, row = parse(download(staff, answers_as=answers_as))
        cell = dict(zip(header, row, strict=True))
        assert (cell["contact_outcome"], cell["contact_attempts"]) == (outcome, "2")


def test_labels_instead_of_codes(app, as_role):
    add_submission(app, bookable(nerve_sensations=["burning", "numbness"]))
    header, row = parse(download(as_role("staff"), answers_as="labels"))
    cell = dict(zip(header, row, strict=True))
    assert cell["site"] == "Knee joint" and cell["nerve_sensations"] == "Burning;Numbness"
    assert cell["osteoarthritis"] == "Likely" and cell["booking"] == "Book"


def test_labels_name_red_flags_and_cautions_in_words_and_the_codebook_lists_them(app, as_role, db):
    sid = add_submission(app, bookable(rf_calf="yes", nsaids="yes", blood_thinner="other"))
    staff = as_role("staff")
    header, row = parse(download(staff, answers_as="labels"))
    cell = dict(zip(header, row, strict=True))
    assert cell["red_flags"] == "Possible deep vein thrombosis (calf)"
    assert "Takes anti-inflammatory painkillers regularly" in cell["cautions"].split(";")
    assert cell["reference"] == db.get(Submission, sid).reference
    book = {
        r[0]: r
        for r in csv.reader(
            io.StringIO(staff.get("/staff/export/codebook.csv").text.lstrip("\ufeff"))
        )
    }
    assert "dvt = Possible deep vein thrombosis (calf)" in book["red_flags"][3]
    assert "nsaids = Takes anti-inflammatory painkillers regularly" in book["cautions"][3]
    assert "cauda_equina = " in book["latest_red_flags"][3]
    assert "EVXK-ANDF" in book["reference"][1]


def test_filters_apply_and_the_export_is_audited_with_them(app, as_role, db):
    add_submission(app, bookable(), days_ago=10)
    add_submission(app, bookable(rf_calf="yes"), days_ago=1)
    add_submission(app, complete(), days_ago=1)
    since = (date.today() - timedelta(days=3)).isoformat()
    rows = parse(download(as_role("staff"), date_from=since, tier="none"))
    assert len(rows) == 2 and rows[1][rows[0].index("booking")] == "not_suitable"
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "export_csv")).all()
    assert event.user_email == "staff@clinic.example"
    assert event.details["rows"] == 1
    assert (
        event.details["filters"]["date_from"] == since
        and event.details["filters"]["tier"] == "none"
    )
    assert event.details["contacts"] is False


def test_contact_details_leave_only_when_asked_for(app, as_role):
    sid = add_submission(app, bookable(blood_thinner="other"))
    add_callback(app, sid, name="Ann Example", phone="01632 960002")
    staff = as_role("staff")
    without = download(staff)
    assert "Ann Example" not in without.text and "contact_name" not in without.text
    header, row = parse(download(staff, contacts="y"))
    assert header[-4:] == ["contact_name", "contact_phone", "contact_email", "contact_best_time"]
    assert row[-4:] == ["Ann Example", "01632 960002", "", "any"]


def test_formula_like_text_is_neutralised_and_every_row_parses(app, as_role):
    for i, text in enumerate([*FORMULAS, 'quote " and, comma', "line\nbreak", "x" * 5000]):
        sid = add_submission(app, bookable(blood_thinner="other"), days_ago=i / 100)
        add_callback(app, sid, name=text[:100], email=None if i % 2 else text[:254])
    rows = parse(download(as_role("staff"), contacts="y"))
    width = len(rows[0])
    assert all(len(r) == width for r in rows)
    names = {r[-4] for r in rows[1:]}
    for formula in FORMULAS:
        assert "'" + formula in names
    assert 'quote " and, comma' in names and "line\nbreak" in names
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n")), cell
    assert rows[1][rows[0].index("age")] == "50"  # numbers stay numbers


def test_the_header_cells_are_safe_too(app, as_role):
    rows = parse(download(as_role("staff")))
    assert len(rows) == 1  # no submissions: the header alone
    assert all(not c.startswith(("=", "+", "-", "@")) for c in rows[0])


def test_the_codebook_has_a_row_per_column(app, as_role, db):
    staff = as_role("staff")
    response = staff.get("/staff/export/codebook.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = parse(response)
    assert rows[0] == ["column", "wording", "type", "codes"]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["site"][1].startswith("Where is the pain")
    assert "knee = Knee joint" in by_name["site"][3]
    assert "'none' = none of these" in by_name["nerve_sensations"][2]
    assert "seek_care" in by_name["booking"][3]
    assert "contact_phone" in by_name
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "export_codebook")).all()


def test_an_invalid_export_form_says_what_is_wrong(as_role):
    page = download(as_role("staff"), date_from="yesterday")
    assert page.status_code == 400 and 'class="error-summary"' in page.text
    page = download(as_role("staff"), date_to="9999-12-31")
    assert page.status_code == 400 and 'id="date_to-error"' in page.text


def test_the_command_line_export(app, runner, tmp_path, db):
    add_submission(app, bookable(), days_ago=10)
    add_submission(app, bookable(nsaids="yes"), days_ago=1)
    out = tmp_path / "out.csv"
    since = (date.today() - timedelta(days=3)).isoformat()
    result = runner.invoke(args=["export-csv", "--since", since, "--labels", str(out)])
    assert result.exit_code == 0, result.output
    assert "Exported 1 submission(s)." in result.output
    rows = parse(out.read_text(encoding="utf-8"))
    assert len(rows) == 2 and rows[1][rows[0].index("site")] == "Knee joint"
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "export_csv")).all()
    assert event.details["rows"] == 1 and event.user_email == "(command line)"
    bad = runner.invoke(args=["export-csv", "--until", "31/12/2026", str(out)])
    assert bad.exit_code == 2 and "not a date" in bad.output
    far = runner.invoke(args=["export-csv", "--until", "9999-12-31", str(out)])
    assert far.exit_code == 2 and "from 2000-01-01 to 9998-12-31" in far.output


def test_a_patient_s_submission_exports_its_red_flags_and_cautions(app, as_role, db):
    answers = bookable(rf_calf="yes", rf_weight_loss="yes", nsaids="yes", blood_thinner="other")
    assert Patient(app.test_client()).complete(answers).status_code == 200
    (submission,) = db.scalars(select(Submission)).all()
    screening = submission.screening
    # Kept beside the screening at submit, as the export writes them.
    assert submission.red_flags == ";".join(f["id"] for f in screening["red_flags"])
    assert submission.cautions == ";".join(c["id"] for c in screening["cautions"])
    header, row = parse(download(as_role("staff")))
    cell = dict(zip(header, row, strict=True))
    assert set(cell["red_flags"].split(";")) == {"dvt", "weight_loss"}
    assert cell["cautions"] == "blood_thinner;nsaids"
    assert (cell["red_flags"], cell["cautions"]) == (submission.red_flags, submission.cautions)

"""CSV injection (OWASP's list of starting characters) and the modes of the files that hold
patient data: a CSV export written by `flask export-csv`, and the SQLite database."""

from __future__ import annotations

import csv
import io
import os
import stat
import unicodedata

import pytest

from bench.rules_eval import sample_sets
from questionnaire.core import csv_safe
from questionnaire.core.models import CallbackRequest
from tests.conftest import make_app
from tests.helpers.answer_sets import bookable
from tests.helpers.patient_client import Patient
from tests.helpers.staff_client import add_submission

# Every character OWASP says may start a formula or a command, the full-width ones included.
# Each full-width form found by its Unicode name, not by the offset csv_safe relies on.
FULL_WIDTH = [unicodedata.lookup("FULLWIDTH " + unicodedata.name(c)) for c in "=+-@|%"]
DANGEROUS_STARTS = ["=", "+", "-", "@", "|", "%", "\t", "\r", "\n", *FULL_WIDTH]
PAYLOAD = "cmd|' /C calc'!A0"


def parse(text: str) -> list[list[str]]:
    assert text.startswith(csv_safe.BOM)
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def usual_umask():
    """The umask most servers run with, under which a plain open() makes a 0644 file."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.parametrize("start", DANGEROUS_STARTS, ids=ascii)
def test_safe_cell_prefixes_every_dangerous_start(start):
    assert csv_safe.safe_cell(start + PAYLOAD) == "'" + start + PAYLOAD
    assert csv_safe.safe_cell(start) == "'" + start


def test_safe_cell_leaves_other_text_and_numbers_as_they_are():
    assert csv_safe.safe_cell("Ann O'Neil") == "Ann O'Neil"
    assert csv_safe.safe_cell("5 = five") == "5 = five"
    for number in (-5, 0, 2.5, -1.5):
        cell = csv_safe.safe_cell(number)
        assert cell == number and type(cell) is type(number)


def test_header_cells_are_prefixed_like_any_other():
    header = [start + "col" for start in DANGEROUS_STARTS]
    rows = parse("".join(csv_safe.stream([header, [-5] * len(header)])))
    assert rows[0] == ["'" + cell for cell in header]
    assert rows[1] == ["-5"] * len(header)  # a number is not text: no apostrophe


def test_every_dangerous_start_is_neutralised_in_the_download(app, as_role):
    db = app.extensions["db_sessionmaker"]()
    for i, start in enumerate(DANGEROUS_STARTS):
        sid = add_submission(app, bookable(blood_thinner="other"), days_ago=i / 100)
        db.add(
            CallbackRequest(
                submission_id=sid,
                name=start + PAYLOAD,
                phone="01632 960001",
                email=start + "x@example.com",
                best_time="any",
            )
        )
    db.commit()
    db.close()
    staff = as_role("staff")
    response = staff.post("/staff/export/submissions.csv", {"answers_as": "codes", "contacts": "y"})
    assert response.status_code == 200
    rows = parse(response.text)
    header = rows[0]
    by_name = {row[header.index("contact_name")]: row for row in rows[1:]}
    for start in DANGEROUS_STARTS:
        row = by_name["'" + start + PAYLOAD]
        assert row[header.index("contact_email")] == "'" + start + "x@example.com"
        assert row[header.index("age")] == "50"  # numbers stay numbers
    for row in rows:
        for cell in row:
            assert not cell.startswith(tuple(DANGEROUS_STARTS)), cell


def test_an_export_to_a_file_is_readable_by_its_owner_alone(app, runner, tmp_path, usual_umask):
    add_submission(app, bookable())
    fresh = tmp_path / "fresh.csv"
    result = runner.invoke(args=["export-csv", str(fresh)])
    assert result.exit_code == 0, result.output
    assert mode(fresh) == 0o600
    assert len(parse(fresh.read_text(encoding="utf-8"))) == 2
    earlier = tmp_path / "nightly.csv"  # made by an export from before this rule
    earlier.write_text("old")
    earlier.chmod(0o644)
    assert runner.invoke(args=["export-csv", str(earlier)]).exit_code == 0
    assert mode(earlier) == 0o600
    assert len(parse(earlier.read_text(encoding="utf-8"))) == 2


def test_a_new_sqlite_database_and_its_wal_are_readable_by_their_owner_alone(tmp_path, usual_umask):
    path = tmp_path / "new.sqlite3"
    app = make_app(f"sqlite:///{path}")
    try:
        assert mode(path) == 0o600  # made before SQLite or anything else opens it
        assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
        assert Patient(app.test_client()).consent().status_code == 302
        for name in (path, f"{path}-wal", f"{path}-shm"):
            assert mode(name) == 0o600, name
    finally:
        app.extensions["db_engine"].dispose()


def test_an_existing_sqlite_database_is_left_as_it_is(tmp_path, usual_umask):
    path = tmp_path / "old.sqlite3"
    path.touch(mode=0o640)
    app = make_app(f"sqlite:///{path}")
    app.extensions["db_engine"].dispose()
    assert mode(path) == 0o640


def test_the_cells_left_unchecked_are_ours_and_never_start_a_formula(app, as_role):
    """The export checks only the cells a person typed (the contact details): every other
    cell is an id, a version, a number, a date or one of our own codes, ids or words. Every
    code and label the codebook lists, and every cell of varied exports, start safely."""
    for answers in sample_sets(60):
        add_submission(app, answers)
    staff = as_role("staff")
    codebook = parse(staff.get("/staff/export/codebook.csv").text)
    typed = {"contact_name", "contact_phone", "contact_email"}
    listed = [
        part.strip()
        for row in codebook[1:]
        if row[0] not in typed and row[3]
        for pair in row[3].split("; ")
        for part in pair.split(" = ", 1)
    ]
    assert len(listed) > 200
    assert not [w for w in listed if w.startswith(tuple(DANGEROUS_STARTS))]
    for labels in ("codes", "labels"):
        form = {"answers_as": labels, "latest": "y"}
        rows = parse(staff.post("/staff/export/submissions.csv", form).text)
        assert len(rows) == 61
        assert not [c for r in rows for c in r if c.startswith(tuple(DANGEROUS_STARTS))]

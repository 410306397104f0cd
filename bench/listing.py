"""The clinicians' list at 100,000 submissions: time per page for each filter, in process
(the test client), so the figure is the app's and the database's, not the network's.

Run: .venv/bin/python -m bench.listing
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from questionnaire import create_app
from tests.staff_client import Staff, make_user

from .export import fill

N = 100_000
QUERIES = {
    "newest first": "",
    "red flags first": "?sort=flags",
    "any red flag, not reviewed, newest first": "?tier=flagged&review_status=new",
    "red flags not reviewed (staff home link)": "?tier=flagged&review_status=new&sort=flags",
    "booking = book, OA likely": "?booking=book&osteoarthritis=likely",
    "a date range": "?date_from=2026-01-01&date_to=2026-01-01",
    "page 500": "?page=500",
}


def run() -> list[tuple[str, str]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'list.sqlite3'}"
        fill(url, N)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "l" * 40, "INSTANCE_PATH": tmp})
        make_user(app, "bench@clinic.example", ["clinician"])
        staff = Staff(app.test_client(), "bench@clinic.example")
        staff.login()
        for name, query in QUERIES.items():
            staff.get("/staff/submissions/" + query)  # warm the page cache
            times = []
            for _ in range(5):
                started = time.perf_counter()
                response = staff.get("/staff/submissions/" + query)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200
            rows.append((f"list at {N:,}: {name}", f"{min(times) * 1000:.0f} ms"))
    return rows


if __name__ == "__main__":
    for name, value in run():
        print(f"{name}: {value}")

"""The clinicians' list at 100,000 submissions: time per page for each filter, in process
(the test client), so the figure is the app's and the database's, not the network's.

Prints how many of them miss the 20 ms target and the three slowest.

Run: .venv/bin/python -m bench.listing
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.export import fill
from questionnaire import create_app
from questionnaire.core.words import (
    BOOKING_WORDS,
    CALLBACK_FILTER_WORDS,
    LEVEL_WORDS,
    STATUS_WORDS,
    TIER_WORDS,
)
from rules import INDICATIONS
from tests.helpers.staff_client import Staff, make_user

N = 100_000
TARGET_S = 0.020
SORTS = {"newest first": "newest", "red flags first": "flags"}


def queries() -> dict[str, str]:
    """Every filter the list offers, each value alone, and the combinations staff links to,
    each in both orders: the target is every filter and ordering."""
    single = {
        "no filter": "",
        "sent on or after": "date_from=2026-01-01",
        "sent on or before": "date_to=2026-01-01",
        "a date range": "date_from=2026-01-01&date_to=2026-01-01",
        **{f"booking = {b}": f"booking={b}" for b in BOOKING_WORDS},
        "any red flag": "tier=flagged",
        "no red flag": "tier=none",
        **{f"tier = {t}": f"tier={t}" for t in TIER_WORDS},
        **{f"{i} = {lv}": f"{i}={lv}" for i in INDICATIONS for lv in LEVEL_WORDS},
        **{f"review = {s}": f"review_status={s}" for s in STATUS_WORDS},
        **{f"call-back = {c}": f"callback={c}" for c in CALLBACK_FILTER_WORDS},
        "changed under the current rules": "rescreen=changed",
        "any red flag, not reviewed": "tier=flagged&review_status=new",
        "booking = book, OA likely": "booking=book&osteoarthritis=likely",
    }
    out = {
        f"{name}, {order}": f"?{query}&sort={sort}".replace("?&", "?")
        for name, query in single.items()
        for order, sort in SORTS.items()
    }
    out["page 500"] = "?page=500"
    return out


def run() -> list[tuple[str, str]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'list.sqlite3'}"
        fill(url, N)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "l" * 40, "INSTANCE_PATH": tmp})
        make_user(app, "bench@clinic.example", ["clinician"])
        staff = Staff(app.test_client(), "bench@clinic.example")
        staff.login()
        slowest: list[tuple[float, str]] = []
        for name, query in queries().items():
            staff.get("/staff/submissions/" + query)  # warm the page cache
            times = []
            for _ in range(5):
                started = time.perf_counter()
                response = staff.get("/staff/submissions/" + query)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200
            slowest.append((min(times), name))
        slowest.sort(reverse=True)
        over = sum(1 for t, _ in slowest if t > TARGET_S)
        rows.append((f"list at {N:,}: {len(slowest)} filters and orders, over 20 ms", f"{over}"))
        for best, name in slowest[:3]:
            rows.append((f"list at {N:,}: {name}", f"{best * 1000:.0f} ms"))
    return rows


if __name__ == "__main__":
    for name, value in run():
        print(f"{name}: {value}")

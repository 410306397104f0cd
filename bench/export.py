"""CSV export of 100,000 and 1,000,000 submissions: our `flask export-csv` against
`sqlite3 -csv` dumping the same table, in the same run. Time and peak memory (max RSS of
each process, measured by a wrapper that waits on it). With BENCH_POSTGRESQL_URL set (an
empty database of its own, which each size empties first), the same on PostgreSQL against
`psql -c "\\copy (SELECT * FROM submission) TO STDOUT CSV HEADER"`.

Run: [BENCH_POSTGRESQL_URL=postgresql://...] .venv/bin/python -m bench.export [N ...]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, make_url, text

from bench.rules_eval import sample_sets
from questionnaire.core.db import make_engine
from questionnaire.core.migrate import upgrade
from questionnaire.core.models import Submission
from questionnaire.patient.submissions import outcome_columns
from rules import evaluate
from tests.helpers.live_server import empty_postgresql

ROOT = Path(__file__).resolve().parent.parent
SIZES = (100_000, 1_000_000)

# Runs a command, then prints its wall time and the peak RSS of its process tree in KiB.
_WRAPPER = """
import resource, subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def fill(url: str, n: int, sets: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """n submissions in batches, cycling through `sets` (by default 1,000 varied answer
    sets); returns the outcome columns stored for each set."""
    engine = make_engine(url)
    upgrade(engine)
    prepared = [(a, outcome_columns(evaluate(a))) for a in sets or sample_sets(1000)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    batch: list[dict[str, object]] = []
    with engine.begin() as conn:
        for i in range(n):
            answers, outcome = prepared[i % len(prepared)]
            batch.append(
                {
                    "id": f"{i:032x}",
                    "reference": f"{i % 10**8:08d}"[:4] + "-" + f"{i:08d}"[4:],
                    "submit_token": f"t{i}",
                    "created_at": start + timedelta(seconds=i),
                    "answers": answers,
                    "consent_version": "1.0",
                    "consented_at": start,
                    "review_status": "new",
                    **outcome,
                }
            )
            if len(batch) == 10_000:
                conn.execute(insert(Submission), batch)
                batch = []
        if batch:
            conn.execute(insert(Submission), batch)
        if engine.dialect.name == "sqlite":
            # What a clinic's database has after its first ANALYZE (the speed migration runs
            # one): without statistics SQLite guesses some list plans badly.
            conn.execute(text("ANALYZE"))
    engine.dispose()
    return [outcome for _, outcome in prepared]


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *cmd],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )
    seconds, kib = out.stdout.split()
    return float(seconds), int(kib) / 1024


def _ours(url: str, tmp: str) -> tuple[float, float, float]:
    """(seconds, peak MiB, the app's idle peak MiB) for `flask export-csv` on `url`."""
    env = {"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "INSTANCE_PATH": tmp}
    out = str(Path(tmp) / "ours.csv")
    seconds, mib = measure([sys.executable, "-m", "flask", "--app", "wsgi", "export-csv", out], env)
    return seconds, mib, measure([sys.executable, "-c", "import wsgi"], env)[1]


def run_postgresql(url: str, n: int) -> tuple[str, str]:
    empty_postgresql(url)
    fill(url, n)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")  # VACUUM runs outside one
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE submission"))
    engine.dispose()
    with tempfile.TemporaryDirectory() as tmp:
        ours_t, ours_m, idle_m = _ours(url, tmp)
    libpq = make_url(url).set(drivername="postgresql").render_as_string(False)
    copy = r"\copy (SELECT * FROM submission) TO STDOUT CSV HEADER"
    base_t, base_m = measure(["psql", "-X", "-q", libpq, "-c", copy])
    return (
        f"CSV export, {n:,} submissions, PostgreSQL",
        f"{ours_t:.1f} s = {ours_t / base_t:.1f}x psql \\copy ({base_t:.1f} s); peak "
        f"{ours_m:.0f} MiB (app idle {idle_m:.0f} MiB; psql {base_m:.0f} MiB)",
    )


def run(sizes: tuple[int, ...] = SIZES) -> list[tuple[str, str]]:
    if shutil.which("sqlite3") is None:
        raise SystemExit("sqlite3 is not installed: apt-get install -y sqlite3")
    postgresql = os.environ.get("BENCH_POSTGRESQL_URL")
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.sqlite3"
            url = f"sqlite:///{db}"
            fill(url, n)
            ours_t, ours_m, idle_m = _ours(url, tmp)
            base_t, base_m = measure(
                ["sqlite3", "-csv", "-header", str(db), "SELECT * FROM submission"]
            )
        rows.append(
            (
                f"CSV export, {n:,} submissions",
                f"{ours_t:.1f} s = {ours_t / base_t:.1f}x sqlite3 -csv ({base_t:.1f} s); peak "
                f"{ours_m:.0f} MiB (app idle {idle_m:.0f} MiB; sqlite3 {base_m:.0f} MiB)",
            )
        )
        if postgresql:
            rows.append(run_postgresql(postgresql, n))
    return rows


if __name__ == "__main__":
    chosen = tuple(int(a) for a in sys.argv[1:]) or SIZES
    started = time.perf_counter()
    for name, value in run(chosen):
        print(f"{name}: {value}")
    print(f"(took {time.perf_counter() - started:.0f} s with set-up)", file=sys.stderr)

"""The FHIR API and export at scale:

- paging every QuestionnaireResponse at 100,000 submissions through gunicorn (2 workers),
  on SQLite, and on PostgreSQL too when TEST_DATABASE_URL names a server,
  following `next` links with _count=1000: resources per second, the first and the last
  pages' times (keyset paging should keep them alike) and the workers' memory before and
  after (it should stay flat);
- `flask export-fhir` against `flask export-csv` on the same SQLite database, time and peak memory
  (100,000 and 1,000,000 submissions), best of 3 each, the two taken in turn so that load
  from other work on the machine falls on both alike.

Both run on a realistic mix (`realistic_sets`): the worked stories, varied. The random sets
of the rules benchmark answer every question anyhow and average ~10.7 red flags and cautions
a submission, against ~0.9 in the stories; a Flag resource is written for each, so that data
made export-fhir look half again as slow as it is on a clinic's data.

Run: .venv/bin/python -m bench.fhir [--exports-only] [N ...]   (the export sizes; paging is
always 100,000)
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.export import fill as fill_submissions
from bench.export import measure
from bench.rules_eval import STORIES
from rules import QUESTIONS
from tests.helpers.live_server import backends, scratch_database, serve

PAGING_N = 100_000
SIZES = (100_000, 1_000_000)
PAGE = 1000
TOMORROW = (date.today() + timedelta(days=1)).isoformat()


def realistic_sets(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """n answer sets like a clinic's: each a worked story with about one in five of the
    questions its path asked answered afresh (a red flag or caution question "yes" one time
    in thirty), so the questions asked, and the flags raised, stay about what people give."""
    rng = random.Random(seed)
    stories = [s["answers"] for s in json.loads(STORIES.read_text())]
    sets = list(stories)
    while len(sets) < n:
        answers = dict(rng.choice(stories))
        for q in QUESTIONS.values():
            if q.id not in answers or rng.random() > 0.2:
                continue
            if q.kind == "int":
                answers[q.id] = rng.randint(18, 90)
            elif q.kind == "yesno":
                answers[q.id] = "yes" if rng.random() < 1 / 30 else "no"
            elif q.kind == "multi":
                answers[q.id] = rng.sample(sorted(q.codes), rng.choice((0, 0, 1, 1, 2)))
            else:
                answers[q.id] = rng.choice(sorted(q.codes))
        sets.append(answers)
    return sets


def fill(url: str, n: int) -> float:
    """n submissions cycling through 1,000 realistic answer sets (bench.export's fill with
    other sets); returns the mean red flags and cautions a submission."""
    screened = [o["screening"] for o in fill_submissions(url, n, realistic_sets(1000))]
    return sum(len(s["red_flags"]) + len(s["cautions"]) for s in screened) / len(screened)


def _workers_rss_mib(master: int) -> float:
    children = subprocess.run(
        ["pgrep", "-P", str(master)], capture_output=True, text=True, check=False
    ).stdout.split()
    total = 0
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def paging(tmp: str, backend: str) -> list[tuple[str, str]]:
    with scratch_database(backend, Path(tmp), "bench_fhir_paging") as url:
        fill(url, PAGING_N)
        return _page_all(url, tmp, backend)


def _page_all(url: str, tmp: str, backend: str) -> list[tuple[str, str]]:
    with serve(url, Path(tmp), workers=2, FHIR_RATE_LIMIT="1000000") as server:
        token = server.flask(
            "create-api-token", "Bench", "--scope", "responses", "--expires", TOMORROW
        ).stdout.strip()
        rss = [_workers_rss_mib(server.process.pid)]
        link = f"{server.url}/fhir/QuestionnaireResponse?_lastUpdated=ge2000-01-01&_count={PAGE}"
        seen, times, parse = 0, [], 0.0
        started = time.perf_counter()
        while link:
            t = time.perf_counter()
            request = urllib.request.Request(link, headers={"Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(request, timeout=60) as response:
                body = response.read()
            times.append(time.perf_counter() - t)
            t = time.perf_counter()
            bundle = json.loads(body)  # what any client must do; timed apart from the server
            parse += time.perf_counter() - t
            seen += len(bundle["entry"])
            link = next((x["url"] for x in bundle["link"] if x["relation"] == "next"), "")
            if len(times) == 10:
                rss.append(_workers_rss_mib(server.process.pid))
        elapsed = time.perf_counter() - started
        rss.append(_workers_rss_mib(server.process.pid))
    assert seen == PAGING_N, seen
    first, last = sum(times[:5]) / 5, sum(times[-5:]) / 5
    return [
        (
            f"FHIR paging ({backend}), {PAGING_N:,} QuestionnaireResponses, _count={PAGE}",
            f"{seen / sum(times):,.0f} resources/s served ({sum(times):.1f} s, {len(times)} "
            f"pages; {seen / elapsed:,.0f}/s with the client's own JSON parsing, {parse:.1f} s); "
            f"first pages {first * 1000:.0f} ms, last {last * 1000:.0f} ms; 2 workers' RSS "
            f"{rss[0]:.0f} MiB idle, {rss[1]:.0f} after 10 pages, {rss[2]:.0f} after 100 "
            "(target >= 2,000/s, flat)",
        )
    ]


def export(tmp: str, n: int, runs: int = 3) -> tuple[str, str]:
    url = f"sqlite:///{Path(tmp) / f'export-{n}.sqlite3'}"
    flags = fill(url, n)
    env = {"DATABASE_URL": url, "SECRET_KEY": "f" * 40, "INSTANCE_PATH": tmp}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    ndjson, csv = Path(tmp) / "out.ndjson", Path(tmp) / "out.csv"
    fhir_runs, csv_runs = [], []
    for _ in range(runs):
        fhir_runs.append(
            measure([*flask, "export-fhir", "--since", "2000-01-01", str(ndjson)], env)
        )
        csv_runs.append(measure([*flask, "export-csv", str(csv)], env))
    (fhir_t, fhir_m), (csv_t, csv_m) = min(fhir_runs), min(csv_runs)
    sizes = ndjson.stat().st_size / 2**20, csv.stat().st_size / 2**20
    for path in (ndjson, csv, Path(url.removeprefix("sqlite:///"))):
        path.unlink()
    return (
        f"export-fhir, {n:,} submissions ({flags:.2f} red flags and cautions each)",
        f"{fhir_t:.1f} s = {fhir_t / csv_t:.2f}x export-csv ({csv_t:.1f} s), best of {runs} "
        f"each; peak {fhir_m:.0f} MiB (csv {csv_m:.0f} MiB); {sizes[0]:,.0f} MiB of NDJSON, "
        f"{sizes[1]:,.0f} MiB of CSV (target <= 3x, flat)",
    )


def run(sizes: tuple[int, ...] = SIZES, paged: bool = True) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        rows = [row for backend in backends() for row in paging(tmp, backend)] if paged else []
        for n in sizes:
            rows.append(export(tmp, n))
    return rows


if __name__ == "__main__":
    args = sys.argv[1:]
    exports_only = "--exports-only" in args
    chosen = tuple(int(a) for a in args if a != "--exports-only") or SIZES
    began = time.perf_counter()
    for name, value in run(chosen, paged=not exports_only):
        print(f"{name}: {value}")
    print(f"(took {time.perf_counter() - began:.0f} s with set-up)", file=sys.stderr)

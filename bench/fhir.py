"""The FHIR API and export at scale:

- paging every QuestionnaireResponse at 100,000 submissions through gunicorn (2 workers),
  on SQLite, and on PostgreSQL too when TEST_DATABASE_URL names a server,
  following `next` links with _count=1000: resources per second, the first and the last
  pages' times (keyset paging should keep them alike) and the workers' memory before and
  after (it should stay flat);
- `flask export-fhir` against `flask export-csv` on the same SQLite database, time and peak memory
  (100,000 and 1,000,000 submissions).

Run: .venv/bin/python -m bench.fhir [N ...]   (the export sizes; paging is always 100,000)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

from tests.live_server import backends, scratch_database, serve

from .export import fill, measure

PAGING_N = 100_000
SIZES = (100_000, 1_000_000)
PAGE = 1000
TOMORROW = (date.today() + timedelta(days=1)).isoformat()


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


def export(tmp: str, n: int) -> tuple[str, str]:
    url = f"sqlite:///{Path(tmp) / f'export-{n}.sqlite3'}"
    fill(url, n)
    env = {"DATABASE_URL": url, "SECRET_KEY": "f" * 40, "INSTANCE_PATH": tmp}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    ndjson = Path(tmp) / "out.ndjson"
    fhir_t, fhir_m = measure([*flask, "export-fhir", "--since", "2000-01-01", str(ndjson)], env)
    size = ndjson.stat().st_size / 2**20
    ndjson.unlink()
    csv_t, csv_m = measure([*flask, "export-csv", str(Path(tmp) / "out.csv")], env)
    # The same two with nothing written to disk: the NDJSON is several times the CSV's size,
    # and writing it is part of the difference.
    fhir_cpu, _ = measure([*flask, "export-fhir", "--since", "2000-01-01", "/dev/null"], env)
    csv_cpu, _ = measure([*flask, "export-csv", "/dev/null"], env)
    Path(url.removeprefix("sqlite:///")).unlink()
    return (
        f"export-fhir, {n:,} submissions",
        f"{fhir_t:.1f} s = {fhir_t / csv_t:.1f}x export-csv ({csv_t:.1f} s); to /dev/null "
        f"{fhir_cpu:.1f} s = {fhir_cpu / csv_cpu:.1f}x ({csv_cpu:.1f} s); peak {fhir_m:.0f} MiB "
        f"(csv {csv_m:.0f} MiB); {size:,.0f} MiB of NDJSON (target <= 3x, flat)",
    )


def run(sizes: tuple[int, ...] = SIZES) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        rows = [row for backend in backends() for row in paging(tmp, backend)]
        for n in sizes:
            rows.append(export(tmp, n))
    return rows


if __name__ == "__main__":
    chosen = tuple(int(a) for a in sys.argv[1:]) or SIZES
    began = time.perf_counter()
    for name, value in run(chosen):
        print(f"{name}: {value}")
    print(f"(took {time.perf_counter() - began:.0f} s with set-up)", file=sys.stderr)

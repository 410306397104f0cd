"""Requests per second for a step page (GET) and a step post, against a Flask "hello world"
served the same way (gunicorn, 2 sync workers, wrk on the same machine), in the same run, the
two taking turns.

Run: .venv/bin/python -m bench.web
"""

from __future__ import annotations

import http.cookiejar
import statistics
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from bench.serve import Load, gunicorn, wrk
from tests.helpers.live_server import serve
from tests.helpers.patient_client import CSRF_RE


class _Patient:
    """A browser session that has consented and answered the first step."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.opener.open(base + "/consent").read().decode()
        self.csrf = CSRF_RE.search(page).group(1)  # type: ignore[union-attr]
        self.post("/consent", {"consent": "yes"})
        self.post("/step/about", {"age": "50", "sex": "male"})

    def post(self, path: str, data: dict[str, str]) -> None:
        body = urllib.parse.urlencode({"csrf_token": self.csrf, **data}).encode()
        self.opener.open(self.base + path, body).read()

    @property
    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def _post_script(body: str) -> str:
    return (
        f'wrk.method = "POST"\nwrk.body = {body!r}\n'.replace("'", '"')
        + 'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
    )


# Hello world and the step pages take turns, a few seconds each, so that load from others on
# the machine, which comes and goes, falls on all of them alike.
ROUNDS = 3


def measure(connections: int, seconds: int = 12, workers: int = 2) -> dict[str, Load]:
    loads: dict[str, list[Load]] = {"hello": [], "step GET": [], "step POST": []}
    turn = max(1, seconds // ROUNDS)
    with gunicorn("bench.hello:app", workers=workers) as base, tempfile.TemporaryDirectory() as tmp:
        url = "sqlite:///" + str(Path(tmp) / "bench.sqlite3")
        with serve(url, Path(tmp), workers=workers) as server:
            patient = _Patient(server.url)
            headers = {"Cookie": patient.cookie}
            body = urllib.parse.urlencode({"csrf_token": patient.csrf, "age": "51", "sex": "male"})
            for _ in range(ROUNDS):
                loads["hello"].append(wrk(base + "/", connections=connections, seconds=turn))
                loads["step GET"].append(
                    wrk(
                        server.url + "/step/pain",
                        connections=connections,
                        seconds=turn,
                        headers=headers,
                    )
                )
                loads["step POST"].append(
                    wrk(
                        server.url + "/step/about",
                        connections=connections,
                        seconds=turn,
                        headers=headers,
                        lua=_post_script(body),
                    )
                )
    return {name: _together(turns) for name, turns in loads.items()}


def _together(turns: list[Load]) -> Load:
    """Requests per second over all the turns (each as long as the others), each latency the
    median turn's, the errors of all."""
    return Load(
        rps=statistics.fmean(t.rps for t in turns),
        mean_ms=statistics.median(t.mean_ms for t in turns),
        p50_ms=statistics.median(t.p50_ms for t in turns),
        p99_ms=statistics.median(t.p99_ms for t in turns),
        errors=sum(t.errors for t in turns),
    )


def run() -> list[tuple[str, str]]:
    rows = []
    for connections in (16, 64):
        r = measure(connections)
        hello = r["hello"]
        rows.append(
            (
                f"hello world, {connections} conn",
                f"{hello.rps:,.0f} req/s; mean {hello.mean_ms:.1f} ms, p50 {hello.p50_ms:.1f} ms, "
                f"p99 {hello.p99_ms:.1f} ms",
            )
        )
        for name in ("step GET", "step POST"):
            load = r[name]
            p99_ratio = load.p99_ms / hello.p99_ms
            rows.append(
                (
                    f"{name}, {connections} conn",
                    f"{load.rps:,.0f} req/s = {load.rps / hello.rps:.0%} of hello; mean "
                    f"{load.mean_ms:.1f} ms, p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms"
                    f" = {p99_ratio:.1f}x"
                    f" hello's; errors {load.errors}",
                )
            )
    heavy = measure(64, workers=4)["step POST"]
    rows.append(
        (
            "step POST, 4 workers x 64 conn",
            f"{heavy.rps:,.0f} req/s; p99 {heavy.p99_ms:.1f} ms; errors {heavy.errors}",
        )
    )
    return rows


if __name__ == "__main__":
    for name, value in run():
        print(f"{name}: {value}")

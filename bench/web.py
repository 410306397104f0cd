"""Requests per second for a step page (GET) and a step post, against a Flask "hello world"
served the same way (gunicorn, 2 sync workers, wrk on the same machine), in the same run.

Run: .venv/bin/python -m bench.web
"""

from __future__ import annotations

import http.cookiejar
import re
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from tests.live_server import serve

from .serve import Load, gunicorn, wrk


class _Patient:
    """A browser session that has consented and answered the first step."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.opener.open(base + "/consent").read().decode()
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
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


def measure(connections: int = 16, seconds: int = 10) -> dict[str, Load]:
    results: dict[str, Load] = {}
    with gunicorn("bench.hello:app") as base:
        results["hello"] = wrk(base + "/", connections=connections, seconds=seconds)
    with tempfile.TemporaryDirectory() as tmp:
        url = "sqlite:///" + str(Path(tmp) / "bench.sqlite3")
        with serve(url, Path(tmp)) as server:
            base = server.url
            patient = _Patient(base)
            headers = {"Cookie": patient.cookie}
            results["step GET"] = wrk(
                base + "/step/pain", connections=connections, seconds=seconds, headers=headers
            )
            body = urllib.parse.urlencode({"csrf_token": patient.csrf, "age": "51", "sex": "male"})
            results["step POST"] = wrk(
                base + "/step/about",
                connections=connections,
                seconds=seconds,
                headers=headers,
                lua=_post_script(body),
            )
    return results


def run() -> list[tuple[str, str]]:
    rows = []
    r = measure()
    hello = r["hello"]
    rows.append(("hello world, 16 conn", f"{hello.rps:,.0f} req/s, p99 {hello.p99_ms:.1f} ms"))
    for name in ("step GET", "step POST"):
        load = r[name]
        rows.append(
            (
                f"{name}, 16 conn",
                f"{load.rps:,.0f} req/s = {load.rps / hello.rps:.0%} of hello; p99 "
                f"{load.p99_ms:.1f} ms = {load.p99_ms / hello.p99_ms:.1f}x; errors {load.errors}",
            )
        )
    return rows


if __name__ == "__main__":
    for name, value in run():
        print(f"{name}: {value}")

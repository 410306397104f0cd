"""Many patients at once against a live server, over real HTTP."""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import ssl
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from rules import SECTIONS
from tests.patient_client import CSRF_RE, SUBMIT_RE, form_data


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _FromAddress(urllib.request.HTTPSHandler):
    """HTTPS from a loopback address of this patient's own (127.0.0.N), so that nginx's
    per-address limits see many people, as they would in a waiting room's worth of phones."""

    def __init__(self, context: ssl.SSLContext, address: str) -> None:
        super().__init__(context=context)
        self.address = address

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = functools.partial(
            http.client.HTTPSConnection, source_address=(self.address, 0)
        )
        return self.do_open(connection, req, context=self._context)


@dataclass
class Outcome:
    submission_id: str | None = None  # set once the server has said "stored"
    errors: list[str] = field(default_factory=list)


def one_patient(
    base: str,
    answers: dict[str, Any],
    outcome: Outcome,
    timeout: float = 60,
    tls: tuple[ssl.SSLContext, str] | None = None,
) -> None:
    """Consent, every step, the review and the submit, as a browser would but with no
    Referer; `outcome` is filled in as it goes, so what was acknowledged survives a later
    failure. `tls`: the client context and the source address, for an https:// base."""
    jar = http.cookiejar.CookieJar()
    handlers: list[Any] = [urllib.request.HTTPCookieProcessor(jar), _NoRedirect]
    if tls is not None:
        handlers.append(_FromAddress(*tls))
    opener = urllib.request.build_opener(*handlers)

    def call(path: str, data: dict[str, Any] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with opener.open(base + path, body, timeout=timeout) as r:
                return r.status, r.headers.get("Location", ""), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Location", ""), e.read().decode(errors="replace")

    status, _, page = call("/consent")
    token = CSRF_RE.search(page)
    if status != 200 or token is None:
        outcome.errors.append(f"/consent: {status}")
        return
    csrf = token.group(1)
    steps = [("/consent", {"consent": "yes"})]
    steps += [(f"/step/{s.id}", form_data(answers, s.id)) for s in SECTIONS]
    for path, data in steps:
        status, location, _ = call(path, {"csrf_token": csrf, **data})
        if status != 302:
            outcome.errors.append(f"{path}: {status}")
            return
    status, _, page = call("/review")
    match = SUBMIT_RE.search(page)
    if status != 200 or match is None:
        outcome.errors.append(f"/review: {status}")
        return
    status, location, _ = call("/submit", {"csrf_token": csrf, "submit_token": match.group(1)})
    if status == 302 and "/result/" in location:
        outcome.submission_id = location.rsplit("/", 1)[1]
        status, _, _ = call(location)
        if status != 200:
            outcome.errors.append(f"result: {status}")
    else:
        outcome.errors.append(f"/submit: {status}")


def many_patients(
    base: str,
    answer_sets: list[dict[str, Any]],
    threads: int = 32,
    tls: ssl.SSLContext | None = None,
) -> list[Outcome]:
    """Every answer set sent by a patient of its own; over https:// each from its own
    loopback address (127.0.0.2, 127.0.0.3, ...)."""

    def run(numbered: tuple[int, dict[str, Any]]) -> Outcome:
        number, answers = numbered
        outcome = Outcome()
        address = f"127.0.{(number + 2) // 256}.{(number + 2) % 256}"
        try:
            one_patient(base, answers, outcome, tls=(tls, address) if tls else None)
        except (OSError, http.client.HTTPException) as exc:  # the server went away (kill test)
            outcome.errors.append(f"connection: {exc}")
        return outcome

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(run, enumerate(answer_sets)))

"""Many patients at once against a live server, over real HTTP."""

from __future__ import annotations

import http.cookiejar
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


@dataclass
class Outcome:
    submission_id: str | None = None  # set once the server has said "stored"
    errors: list[str] = field(default_factory=list)


def one_patient(base: str, answers: dict[str, Any], outcome: Outcome, timeout: float = 60) -> None:
    """Consent, every step, the review and the submit, as a browser would; `outcome` is
    filled in as it goes, so what was acknowledged survives a later failure."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)

    def call(path: str, data: dict[str, Any] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with opener.open(base + path, body, timeout=timeout) as r:
                return r.status, r.headers.get("Location", ""), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Location", ""), e.read().decode(errors="replace")

    status, _, page = call("/consent")
    csrf = CSRF_RE.search(page).group(1)  # type: ignore[union-attr]
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


def many_patients(base: str, answer_sets: list[dict[str, Any]], threads: int = 32) -> list[Outcome]:
    def run(answers: dict[str, Any]) -> Outcome:
        outcome = Outcome()
        try:
            one_patient(base, answers, outcome)
        except OSError as exc:  # the server went away (the kill test expects this)
            outcome.errors.append(f"connection: {exc}")
        return outcome

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(run, answer_sets))

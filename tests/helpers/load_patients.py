"""Many patients at once against the deployed site, over real HTTPS through nginx."""

from __future__ import annotations

import http.client
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from rules import SECTIONS
from tests.helpers.deployed import Client
from tests.helpers.patient_client import CSRF_RE, SUBMIT_RE, form_data


@dataclass
class Outcome:
    submission_id: str | None = None  # set once the server has said "stored"
    errors: list[str] = field(default_factory=list)


def one_patient(base: str, answers: dict[str, Any], outcome: Outcome, address: str) -> None:
    """Consent, every step, the review and the submit, as a browser would but with no
    Referer, from `address`; `outcome` is filled in as it goes, so what was acknowledged
    survives a later failure."""
    client = Client(address)

    def call(path: str, data: dict[str, Any] | None = None) -> tuple[int, str, str]:
        status, headers, page = client.call(base + path, data)
        return status, headers.get("Location", ""), page

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


def many_patients(base: str, answer_sets: list[dict[str, Any]], threads: int = 32) -> list[Outcome]:
    """Every answer set sent by a patient of its own, each from its own loopback address
    (127.0.0.2, 127.0.0.3, ...)."""

    def run(numbered: tuple[int, dict[str, Any]]) -> Outcome:
        number, answers = numbered
        outcome = Outcome()
        address = f"127.0.{(number + 2) // 256}.{(number + 2) % 256}"
        try:
            one_patient(base, answers, outcome, address)
        except (OSError, http.client.HTTPException) as exc:  # the server went away (kill test)
            outcome.errors.append(f"connection: {exc}")
        return outcome

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(run, enumerate(answer_sets)))

"""Sign-in posts from many addresses at once, each inside nginx's per-address burst, must
not starve the patient pages: password checks (argon2id, 64 MiB and several threads each)
run only so many at once per host, and the rest are told to try again in a moment."""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.helpers.deployed import Client, Deployment, deploy
from tests.helpers.live_server import scratch_database
from tests.helpers.patient_client import CSRF_RE

ADDRESSES = 40  # as the probe: 40 addresses x 3 posts, each address inside its burst
POSTS_EACH = 3


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Deployment]:
    tmp = tmp_path_factory.mktemp("flood")
    with scratch_database("sqlite", tmp, "test_flood") as url, deploy(url, tmp) as d:
        yield d


def _page_times(url: str, client: Client, count: int, pause: float = 0.0) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        status, _headers, _body = client.call(url + "/about")
        times.append(time.perf_counter() - start)
        assert status == 200
        time.sleep(pause)
    return times


def _attacker(url: str, n: int, statuses: list[int], ready: threading.Barrier) -> None:
    client = Client(f"127.0.5.{n + 10}")
    token = CSRF_RE.search(client.call(url + "/staff/login")[2]).group(1)
    ready.wait()
    for i in range(POSTS_EACH):
        data = {"csrf_token": token, "email": f"guess{n}.{i}@clinic.example", "password": "x" * 20}
        statuses.append(client.call(url + "/staff/login", data)[0])


def test_a_sign_in_flood_leaves_patient_pages_within_twice_their_idle_time(site, capsys):
    patient = Client("127.0.5.2")
    _page_times(site.url, patient, 5)  # warm both workers
    idle = statistics.median(_page_times(site.url, patient, 20))

    statuses: list[int] = []
    ready = threading.Barrier(ADDRESSES + 1)
    attackers = [
        threading.Thread(target=_attacker, args=(site.url, n, statuses, ready))
        for n in range(ADDRESSES)
    ]
    for thread in attackers:
        thread.start()
    ready.wait()
    start = time.perf_counter()
    during: list[float] = []
    while any(t.is_alive() for t in attackers):
        during += _page_times(site.url, patient, 1, pause=0.05)
    flood = time.perf_counter() - start
    for thread in attackers:
        thread.join()

    with capsys.disabled():
        print(
            f"\nidle /about median {idle * 1000:.0f} ms; during the flood ({flood:.1f} s, "
            f"{len(during)} pages): median {statistics.median(during) * 1000:.0f} ms, "
            f"max {max(during) * 1000:.0f} ms; sign-in answers {dict(Counter(statuses))}"
        )
    assert len(statuses) == ADDRESSES * POSTS_EACH
    assert set(statuses) <= {400, 429, 503}, statuses  # refused, limited, or busy: never a 5xx
    assert statistics.median(during) <= 2 * max(idle, 0.02), (idle, during)

"""Passwords: the rules a new one must meet, and hashing with argon2id.

Nothing here touches the database: the account's rows are the accounts module's.

Hashing runs in the same gunicorn workers that serve patients, and one argon2id check takes
64 MiB and several threads for tens to hundreds of milliseconds. A flood of sign-in posts
from many addresses (each inside nginx's per-address burst) once kept every worker hashing,
and a patient page took seconds. So:
- at most PASSWORD_CHECKS_AT_ONCE checks run at once on a host, across all its workers
  (`checking`: a slot is an exclusive flock on one of that many files in the instance
  folder, let go when its process ends, however it ends). With fewer slots than workers, a
  worker is always free for patients; a request that finds every slot taken is not kept
  waiting (a waiting sync worker serves nobody either) but told to try again in a moment
  (Busy), and nothing is counted or changed;
- the hash itself runs in a thread of its own at a lower CPU priority (nice HASH_NICENESS),
  so a patient's page, in another worker, comes first for the CPU while it runs.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from datetime import date
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, g

from questionnaire.core.models import User

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # long passphrases welcome; a limit keeps hashing bounded

# zxcvbn's score: 4 means at least 10^10 guesses. The issue asked for 3, but zxcvbn rates
# Summer2024!! and Password2024!! 3 (1.0 x 10^8 guesses, just past the line), so 3 would let
# through the very passwords it was meant to stop; 4 refuses them and still takes three or
# four ordinary words.
MIN_STRENGTH = 4
# zxcvbn's matching grows fast with the length, fastest for look-alike characters (4 for a,
# @, 1, !, 0, $ ...): 100 such characters took 9 s, 1024 ordinary ones over 10 s, 32 about
# 0.8 s (measured). Only the start is scored, so no password can tie up a worker: a
# password whose first 32 characters are strong is strong.
SCORED_LENGTH = 32
# zxcvbn keeps each call's user inputs in a module-level dictionary: one call at a time.
_zxcvbn_lock = threading.Lock()


# Linux niceness of the hashing thread: 10 gives it about a tenth of a core's share against
# a request at the normal 0 (CFS weights 110 and 1024), and all of the CPU when nothing else
# wants it. A thread may lower its own priority, never raise it back: so a thread of its own.
HASH_NICENESS = 10
T = TypeVar("T")
_hashing: dict[int, ThreadPoolExecutor] = {}  # per process: a forked worker makes its own
_hashing_lock = threading.Lock()


class Busy(Exception):
    """Every slot for a password check on this host is taken: try again in a moment."""


def _lower_priority() -> None:
    # On Linux a thread's id names it alone here; elsewhere (a developer's Mac) it may name
    # nothing, and hashing at the usual priority is only slower under load, not wrong.
    with suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_NICENESS)


def _in_hashing_thread(work: Callable[[], T]) -> T:
    pid = os.getpid()
    with _hashing_lock:
        if pid not in _hashing:
            _hashing[pid] = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="argon2", initializer=_lower_priority
            )
    return _hashing[pid].submit(work).result()


def _take_slot() -> int | None:
    folder = current_app.instance_path
    for n in range(current_app.config["PASSWORD_CHECKS_AT_ONCE"]):
        fd = os.open(
            os.path.join(folder, f"password-check-{n}.lock"), os.O_RDWR | os.O_CREAT, 0o600
        )
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return fd
    return None


@contextmanager
def checking() -> Iterator[None]:
    """Hold one of the host's slots for password checks while the block runs, or raise Busy
    at once. A block inside another (a sign-in that checks, then rehashes) uses its slot."""
    if g.get("password_slot"):
        yield
        return
    fd = _take_slot()
    if fd is None:
        raise Busy
    g.password_slot = True
    try:
        yield
    finally:
        g.pop("password_slot", None)
        os.close(fd)  # lets the lock go


def init_app(app: Flask) -> None:
    # argon2id with the library's defaults (RFC 9106's second recommendation) unless the
    # configuration names others; the tests use cheap ones.
    app.extensions["password_hasher"] = PasswordHasher(**app.config.get("PASSWORD_HASH_PARAMS", {}))


def _hasher() -> PasswordHasher:
    return current_app.extensions["password_hasher"]


def password_problem(password: str, email: str = "") -> str | None:
    """Why `password` will not do, in words the person can act on; None if it will."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters"
    local = email.partition("@")[0].lower()
    if len(local) >= 4 and local in password.lower():
        return "Do not use your email address in your password"
    result = _strength(password, email)
    if result["score"] >= MIN_STRENGTH:
        return None
    if any(
        m.get("dictionary_name") == "user_inputs" and not m["token"].isdigit()
        for m in result["sequence"]
    ):
        return "Do not use your email address or the clinic's name in your password"
    feedback = result["feedback"]
    advice = [a for a in (feedback["warning"], *feedback["suggestions"]) if a]
    advice = advice or ["Add another word or two: a few unrelated words make a strong password."]
    return " ".join(["That password is too easy to guess.", *advice])


def _strength(password: str, email: str) -> Mapping[str, Any]:
    from zxcvbn import zxcvbn  # about 12 MiB of word lists: only when a password is set

    with _zxcvbn_lock:
        return zxcvbn(
            password[:SCORED_LENGTH], user_inputs=_own_words(email), max_length=SCORED_LENGTH
        )


def _own_words(email: str) -> list[str]:
    """What a guesser tries first for this person: their email address and its parts, the
    clinic's name and its words, and recent years (zxcvbn 4.5.0 knows years up to 2019)."""
    clinic = current_app.config.get("CLINIC_NAME", "")
    local = email.partition("@")[0]
    words = [w for w in re.split(r"[\W_]+", f"{local} {clinic}") if w]
    years = [str(y) for y in range(date.today().year + 1, 2019, -1)]
    return [email, local, re.sub(r"[\W_]+", "", local), clinic, *words, *years]


def hash_password(password: str) -> str:
    hasher = _hasher()
    with checking():
        return _in_hashing_thread(lambda: hasher.hash(password))


def _verify(hashed: str, password: str) -> bool:
    hasher = _hasher()

    def verify() -> bool:
        try:
            return hasher.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            return False

    with checking():
        return _in_hashing_thread(verify)


def verify_password(user: User, password: str) -> bool:
    return _verify(user.password_hash, password)


def rehash_if_needed(user: User, password: str) -> None:
    """After a right password: store it under the current parameters if they have changed."""
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)


def spend_like_a_check(password: str) -> None:
    """Take as long as a real password check, so timing does not reveal the account."""
    extensions = current_app.extensions
    if "password_dummy_hash" not in extensions:
        # Made on first use, not at start-up: hashing takes 64 MiB, which every worker
        # would otherwise hold from boot.
        extensions["password_dummy_hash"] = hash_password(secrets.token_urlsafe(16))
    _verify(extensions["password_dummy_hash"], password)


def temporary_password() -> str:
    return secrets.token_urlsafe(12)

"""Files that hold health data (exports, backups) are their owner's alone: mode 0600 whatever
the umask. Standard output gets the same rule: an export is refused when standard output is
a terminal (health data on a screen, and in its scrollback) or a regular file anyone but its
owner may read (`export-csv - > FILE` from a shell whose umask is 022 makes FILE 0644). A
pipe, a socket or /dev/null is let through: what reads it is the operator's choice."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator
from typing import TextIO

PRIVATE = 0o600


class NotPrivate(Exception):
    """The output cannot be written, or not privately: one line that says why."""


def open_private(path: str) -> TextIO:
    """`path` opened to write an export to, with mode 0600 whatever the umask. A file left by
    an earlier export (a nightly job writes the same name) is made 0600 too; a device or a
    pipe is left as it is."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    except OSError as exc:
        raise NotPrivate(f"cannot write {path}: {exc.strerror}") from None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fchmod(fd, PRIVATE)
    except OSError:
        os.close(fd)
        raise
    # newline="": the CSV writer ends lines with CRLF itself, as the format asks.
    return open(fd, "w", encoding="utf-8", newline="")


def check_stdout(stream: TextIO) -> None:
    """Raise NotPrivate if `stream` is a terminal or a file others may read. A stream with no
    file behind it (a test's captured output) has nobody else to read it."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return
    if os.isatty(fd):
        raise NotPrivate(
            "standard output is a terminal: give a FILE (written 0600) instead of -, "
            "or pipe it on (| gpg ...)"
        )
    mode = os.fstat(fd).st_mode
    if stat.S_ISREG(mode) and stat.S_IMODE(mode) & 0o077:
        raise NotPrivate(
            f"standard output is a file others may read (mode {stat.S_IMODE(mode):04o}): give "
            "the FILE instead of - (it is written 0600), or run `umask 077` first"
        )


@contextlib.contextmanager
def output(file: str) -> Iterator[TextIO]:
    """Where an export goes: FILE opened 0600, or `-`, standard output once it passes
    check_stdout."""
    if file == "-":
        check_stdout(sys.stdout)
        yield sys.stdout
        return
    with open_private(file) as out:
        yield out

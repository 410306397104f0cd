"""A consistent copy of a live SQLite database, taken while patients are submitting.

Copying the file (`cp`) while the app writes can catch half a transaction, and misses what
is still in the `-wal` file. SQLite's online backup API copies the database as one
transaction saw it, pages and WAL together. The copy is written under a temporary name
beside the target, checked with `PRAGMA integrity_check`, and only then given its name, so
a file with the target's name is always a whole, checked backup. It is readable by its
owner alone (it holds every answer and contact detail).

PostgreSQL is backed up with `pg_dump` (deploy/systemd/prolotherapy-backup, and
docs/production.md).

Only the standard library, so the nightly backup script runs this file by its path
(`python questionnaire/core/backup.py SOURCE TARGET`) without loading the app; the app's own
command is `flask --app wsgi backup FILE`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import sys
from pathlib import Path

# 1,024 pages (4 MiB at SQLite's default page size) per step. Between steps the source is
# free: in rollback-journal mode a reader holds writers back, so a long copy in one step
# would make every patient's submit wait. (The app's databases are in WAL mode, where a
# reader blocks no writer; the steps then only keep each read short.)
PAGES_PER_STEP = 1024
# A write by another connection between two steps starts the copy again from the first
# page; under a steady stream of submissions a stepped copy of a large database might never
# finish. After this many restarts the rest is copied in one step, which in WAL mode is one
# consistent snapshot that blocks no writer.
MAX_RESTARTS = 3
BUSY_TIMEOUT_SECONDS = 10.0


SIDE_FILES = ("-journal", "-wal", "-shm")


class BackupError(RuntimeError):
    pass


class TargetError(BackupError):
    """The target is wrong (there already, or in a folder that is missing or cannot be
    written): bad input, exit status 2, and nothing was copied."""


class _Restarted(Exception):
    """Raised from the progress callback to stop a stepped copy that keeps restarting."""


def backup_sqlite(source: Path, target: Path, *, force: bool = False) -> int:
    """Copy the SQLite database at `source` to `target` (mode 0600); its size in bytes.

    Refuses to replace an existing `target` unless `force`. Nothing is left behind on
    failure: not the temporary file, not a half-written target."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    if target.exists() and not force:
        raise TargetError(f"{target} already exists (give --force to replace it)")
    if not target.parent.is_dir():
        raise TargetError(f"{target.parent} is not a folder")
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    # Made empty and private before SQLite opens it: SQLite would make it with the umask's
    # mode, readable by every local user, and its journal files take the file's mode.
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise TargetError(f"cannot write in {target.parent}: {exc.strerror}") from None
    try:
        _copy(source, partial)
        _check(partial)
        _fsync(partial)
        _put_in_place(partial, target, force=force)
    finally:
        # SQLite's side files too: a rollback journal, or a WAL and its shared-memory index.
        for leftover in (partial, *(Path(f"{partial}{s}") for s in SIDE_FILES)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return target.stat().st_size


def _copy(source: Path, partial: Path) -> None:
    # mode=rw: never create a database that is not there.
    src = sqlite3.connect(f"{_uri(source)}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    dst = sqlite3.connect(partial)
    try:
        try:
            src.backup(dst, pages=PAGES_PER_STEP, progress=_RestartWatch())
        except _Restarted:
            src.backup(dst, pages=-1)
        # One self-contained file: no -wal beside the copy to lose when it is moved.
        dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError(f"the copy failed: {exc}") from None
    finally:
        dst.close()
        src.close()


class _RestartWatch:
    """A progress callback that counts restarts (the pages left going up again) and stops
    the stepped copy after MAX_RESTARTS of them."""

    def __init__(self) -> None:
        self.remaining: int | None = None
        self.restarts = 0

    def __call__(self, _status: int, remaining: int, _total: int) -> None:
        if self.remaining is not None and remaining > self.remaining:
            self.restarts += 1
            if self.restarts > MAX_RESTARTS:
                raise _Restarted
        self.remaining = remaining


def _uri(path: Path) -> str:
    """A file: URI, with any `?` or `#` in the path escaped, so options can follow it."""
    return path.resolve().as_uri()


def _check(partial: Path) -> None:
    conn = sqlite3.connect(f"{_uri(partial)}?mode=ro", uri=True)
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.Error as exc:
        raise BackupError(f"the copy cannot be read back: {exc}") from None
    finally:
        conn.close()
    if result != ["ok"]:
        raise BackupError("integrity_check of the copy says: " + "; ".join(map(str, result)))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _put_in_place(partial: Path, target: Path, *, force: bool) -> None:
    """Give the checked copy its name, in one step either way. Without `force` a hard link
    refuses a target that appeared while the copy ran, where a rename would replace it."""
    if force:
        os.replace(partial, target)
    else:
        try:
            os.link(partial, target)
        except FileExistsError:
            raise TargetError(f"{target} already exists (give --force to replace it)") from None
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the new name survives a power cut
    finally:
        os.close(dir_fd)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python questionnaire/core/backup.py SOURCE TARGET", file=sys.stderr)
        return 2
    try:
        size = backup_sqlite(Path(argv[0]), Path(argv[1]))
    except BackupError as exc:
        print(f"backup: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, TargetError) else 1
    print(f"Wrote {argv[1]} ({size:,} bytes), a checked copy of {argv[0]}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

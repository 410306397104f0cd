"""`flask backup FILE`: a consistent, checked, private copy of a live SQLite database, taken
while patients are submitting, that restores with every submission acknowledged before it
began; on PostgreSQL, the pg_dump command and exit status 2. And the nightly script
(deploy/systemd/prolotherapy-backup) that runs the same copy."""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from questionnaire.core import backup
from questionnaire.core.models import Submission
from tests.conftest import make_app
from tests.helpers.answer_sets import bookable
from tests.helpers.live_server import ROOT, serve
from tests.helpers.load_patients import Outcome, one_patient

SCRIPT = ROOT / "deploy" / "systemd" / "prolotherapy-backup"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _stored_ids(database: Path) -> set[str]:
    """The submissions in `database`, read by the app itself with it as its database."""
    app = make_app(f"sqlite:///{database}")
    try:
        with app.extensions["db_sessionmaker"]() as db:
            return set(db.scalars(select(Submission.id)))
    finally:
        app.extensions["db_engine"].dispose()


def test_a_backup_taken_while_patients_submit_keeps_every_acknowledged_one(tmp_path):
    with serve(f"sqlite:///{tmp_path / 'live.sqlite3'}", tmp_path, workers=2) as server:
        acknowledged: list[str] = []
        errors: list[str] = []
        stop = threading.Event()

        def patient_after_patient() -> None:
            while not stop.is_set():
                outcome = Outcome()
                one_patient(server.url, bookable(), outcome, "127.0.0.1")
                errors.extend(outcome.errors)
                if outcome.submission_id:
                    acknowledged.append(outcome.submission_id)

        patients = [threading.Thread(target=patient_after_patient) for _ in range(4)]
        for p in patients:
            p.start()
        try:
            while len(acknowledged) < 20 and not errors:
                time.sleep(0.05)
            before = set(acknowledged)  # told "stored" before the backup began
            copy = tmp_path / "backup.sqlite3"
            done = server.flask("backup", str(copy))
            during = len(acknowledged) - len(before)
            time.sleep(0.5)  # and patients go on submitting after it
        finally:
            stop.set()
            for p in patients:
                p.join(60)
    assert errors == []
    assert during > 0, "no patient submitted while the backup ran: nothing was proven"
    assert f"Wrote {copy}" in done.stdout
    assert _mode(copy) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == [copy.name]
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    restored = _stored_ids(copy)
    assert before <= restored  # nothing acknowledged before the backup is missing
    assert restored <= set(acknowledged)  # and it holds only real, whole submissions
    assert len(set(acknowledged)) > len(restored)  # the live database went on


def test_a_copy_in_small_steps_under_steady_writes_still_finishes_consistent(tmp_path, monkeypatch):
    """Every write between two steps restarts a stepped copy; after a few restarts the rest
    is copied in one step (a WAL snapshot), so the backup finishes however busy the site."""
    live = tmp_path / "live.sqlite3"
    with sqlite3.connect(live) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, pad TEXT)")
        conn.executemany("INSERT INTO t VALUES (?, ?)", [(n, "x" * 500) for n in range(2000)])
    monkeypatch.setattr(backup, "PAGES_PER_STEP", 5)
    watches: list[backup._RestartWatch] = []

    class Watch(backup._RestartWatch):
        """The restart counter, on a slow disk: each step takes a few milliseconds, time
        enough for the writer to commit between steps."""

        def __init__(self) -> None:
            super().__init__()
            watches.append(self)

        def __call__(self, status: int, remaining: int, total: int) -> None:
            time.sleep(0.003)
            super().__call__(status, remaining, total)

    monkeypatch.setattr(backup, "_RestartWatch", Watch)
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        with sqlite3.connect(live, timeout=10, isolation_level=None) as conn:
            n = 2000
            while not stop.is_set():
                conn.execute("INSERT INTO t VALUES (?, ?)", (n, "y" * 500))
                written.append(n)
                n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 50:
            time.sleep(0.01)
        before = written[-1]
        # On a thread, so that a copy that never finishes fails the test instead of hanging
        # it (stopping the writer then lets it end).
        copier = threading.Thread(target=backup.backup_sqlite, args=(live, tmp_path / "c.db"))
        copier.start()
        copier.join(30)
        finished = not copier.is_alive()
    finally:
        stop.set()
        thread.join(10)
        copier.join(30)
    assert finished, "the copy never finished while the writer went on"
    with sqlite3.connect(tmp_path / "c.db") as conn:
        numbers = [n for (n,) in conn.execute("SELECT n FROM t ORDER BY n")]
    assert numbers == list(range(len(numbers)))  # a prefix of the writes: no gap, no tear
    assert numbers[-1] >= before
    assert watches[0].restarts > backup.MAX_RESTARTS  # it did give up on steps, and finished


def test_it_never_overwrites_a_file_unless_told(app, runner, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("the SQLite copy; PostgreSQL is the pg_dump test below")
    target = tmp_path / "backup.sqlite3"
    target.write_text("an older backup")
    refused = runner.invoke(args=["backup", str(target)])
    assert refused.exit_code == 2
    assert "already exists (give --force to replace it)" in refused.output
    assert target.read_text() == "an older backup"
    replaced = runner.invoke(args=["backup", "--force", str(target)])
    assert replaced.exit_code == 0, replaced.output
    assert _mode(target) == 0o600
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_failures_say_why_and_leave_nothing_behind(tmp_path):
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("this is not a database " * 200)
    with pytest.raises(backup.BackupError, match="the copy failed: file is not a database"):
        backup.backup_sqlite(not_a_database, tmp_path / "copy.sqlite3")
    with pytest.raises(backup.BackupError, match="does not exist"):
        backup.backup_sqlite(tmp_path / "missing.sqlite3", tmp_path / "copy.sqlite3")
    with pytest.raises(backup.BackupError, match="is not a folder"):
        backup.backup_sqlite(not_a_database, tmp_path / "no" / "such" / "copy.sqlite3")
    assert [p.name for p in tmp_path.iterdir()] == [not_a_database.name]
    assert not (tmp_path / "missing.sqlite3").exists()  # not created by trying to read it


def test_on_postgresql_it_gives_the_pg_dump_command_and_exits_2(tmp_path):
    app = make_app("postgresql+psycopg://prolo:pw-never-shown@db.internal:5433/prolo")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "nightly.dump")])
    assert result.exit_code == 2
    expected = (
        f"pg_dump --format=custom --file={tmp_path / 'nightly.dump'} "
        "postgresql://prolo@db.internal:5433/prolo"
    )
    assert expected in result.output
    assert "pw-never-shown" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_live_postgresql_database_gets_the_same_answer(app, runner, database_url, tmp_path):
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    result = runner.invoke(args=["backup", str(tmp_path / "nightly.dump")])
    assert result.exit_code == 2 and "pg_dump --format=custom" in result.output


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the script checks with sqlite3")
def test_the_nightly_script_copies_a_sqlite_database_the_same_way(tmp_path):
    live = tmp_path / "live.sqlite3"
    app = make_app(f"sqlite:///{live}")
    with app.extensions["db_engine"].begin() as conn:
        conn.exec_driver_sql("CREATE TABLE marker (word TEXT)")
        conn.exec_driver_sql("INSERT INTO marker VALUES ('kept')")
    app.extensions["db_engine"].dispose()
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o700)
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": f"sqlite:///{live}",
        "BACKUP_DIR": str(folder),
        "APP_DIR": str(ROOT),
        "VENV": str(ROOT / ".venv"),
    }
    run = subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    (copy,) = folder.iterdir()
    assert copy.name.startswith("prolotherapy-") and copy.suffix == ".sqlite3"
    assert f"wrote {copy}" in run.stdout
    assert _mode(copy) == 0o600
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT word FROM marker").fetchall() == [("kept",)]


def test_a_failed_copy_leaves_none_of_sqlite_s_side_files(tmp_path, monkeypatch):
    source = tmp_path / "live.sqlite3"
    sqlite3.connect(source).close()
    copies = tmp_path / "copies"
    copies.mkdir()

    def fails_in_wal_mode(partial: Path) -> None:
        # What a copy opened in WAL mode leaves beside it when the check then fails.
        for suffix in ("-journal", "-wal", "-shm"):
            Path(f"{partial}{suffix}").write_bytes(b"x")
        raise backup.BackupError("the check failed")

    monkeypatch.setattr(backup, "_check", fails_in_wal_mode)
    with pytest.raises(backup.BackupError, match="the check failed"):
        backup.backup_sqlite(source, copies / "copy.sqlite3")
    assert list(copies.iterdir()) == []


OFFSITE = ROOT / "deploy" / "systemd" / "prolotherapy-offsite"


@pytest.mark.skipif(shutil.which("gpg") is None, reason="the off-site copy is made with gpg")
def test_the_off_site_copy_is_the_newest_backup_encrypted_and_decrypts_to_it(tmp_path):
    backups, dest, gnupg = tmp_path / "backups", tmp_path / "offsite", tmp_path / "gnupg"
    for folder in (backups, dest, gnupg):
        folder.mkdir(mode=0o700)
    older = backups / "prolotherapy-2026-01-01_023000.sqlite3"
    older.write_bytes(b"older")
    newest = backups / "prolotherapy-2026-01-02_023000.sqlite3"
    newest.write_bytes(secrets.token_bytes(4096))
    os.utime(older, (1, 1))  # the newest by time, as `ls -t` sees it
    passphrase = tmp_path / "passphrase"
    passphrase.write_text(secrets.token_urlsafe(32))
    env = {
        "PATH": os.environ["PATH"],
        "BACKUP_DIR": str(backups),
        "OFFSITE_PASSPHRASE_FILE": str(passphrase),
    }
    run = subprocess.run(["sh", str(OFFSITE), str(dest)], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    (copy,) = dest.iterdir()
    assert copy.name == newest.name + ".gpg" and _mode(copy) == 0o600
    assert newest.read_bytes() not in copy.read_bytes()
    # The guide's decrypt command, as whoever restores from the off-site copy runs it.
    decrypt = ["gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase-file"]
    plain = subprocess.run(
        [*decrypt, str(passphrase), "--decrypt", str(copy)],
        env={**env, "GNUPGHOME": str(gnupg)},
        capture_output=True,
        check=True,
    )
    assert plain.stdout == newest.read_bytes()


def test_the_off_site_copy_refuses_a_folder_it_cannot_write_with_status_2(tmp_path):
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("x" * 32)
    env = {"PATH": os.environ["PATH"], "OFFSITE_PASSPHRASE_FILE": str(passphrase)}
    run = subprocess.run(
        ["sh", str(OFFSITE), str(tmp_path / "missing")], env=env, capture_output=True, text=True
    )
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert "is not a folder this user can write" in run.stderr

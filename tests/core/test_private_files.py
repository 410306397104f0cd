"""Files that hold health data are their owner's alone, whatever the umask; standard output
only when it is private too; an output or backup target that cannot be written is one line
and exit status 2, with nothing recorded."""

from __future__ import annotations

import os
import pty
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from questionnaire.core.models import AuditEvent
from tests.conftest import SECRET
from tests.helpers.answer_sets import bookable
from tests.helpers.staff_client import add_submission

REPO = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def exports(db) -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "export_csv")
    return db.scalar(query)


@pytest.fixture
def open_umask():
    """The umask of a root shell on Debian (022): new files readable by everyone."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def flask(database_url: str, tmp_path: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    """A command in its own process, so its standard output is a real file descriptor."""
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "INSTANCE_PATH": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=REPO, env=env, **kw
    )


@pytest.mark.parametrize("command", [["export-csv"], ["export-csv", "--contacts"]])
def test_an_export_file_is_0600_whatever_the_umask(app, runner, tmp_path, open_umask, command):
    add_submission(app, bookable())
    out = tmp_path / "export.csv"
    assert runner.invoke(args=[*command, str(out)]).exit_code == 0
    assert mode(out) == 0o600
    out.chmod(0o644)  # an earlier export's file, left readable: made private again
    assert runner.invoke(args=[*command, str(out)]).exit_code == 0
    assert mode(out) == 0o600


@pytest.mark.parametrize("where", ["missing-folder/export.csv", "a-file/export.csv"])
def test_an_export_that_cannot_be_written_is_one_line_and_records_nothing(
    app, runner, db, tmp_path, where
):
    (tmp_path / "a-file").write_text("not a folder")
    result = runner.invoke(args=["export-csv", str(tmp_path / where)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("Error: cannot write ") and result.stderr.count("\n") == 1
    assert exports(db) == 0


def test_standard_output_that_others_may_read_is_refused(app, db, database_url, tmp_path):
    add_submission(app, bookable())
    shared = tmp_path / "shared.csv"
    shared.touch(mode=0o644)
    with shared.open("w") as out:
        run = flask(database_url, tmp_path, "export-csv", "-", stdout=out, stderr=subprocess.PIPE)
    assert run.returncode == 2
    assert b"standard output is a file others may read (mode 0644)" in run.stderr
    assert run.stderr.count(b"\n") == 1 and shared.read_text() == ""
    assert exports(db) == 0


def test_standard_output_on_a_terminal_is_refused(app, db, database_url, tmp_path):
    add_submission(app, bookable())
    screen, terminal = pty.openpty()
    try:
        run = flask(
            database_url, tmp_path, "export-csv", "-", stdout=terminal, stderr=subprocess.PIPE
        )
    finally:
        os.close(terminal)
        os.close(screen)
    assert run.returncode == 2 and b"standard output is a terminal" in run.stderr
    assert exports(db) == 0


def test_a_private_file_or_a_pipe_on_standard_output_gets_the_export(
    app, db, database_url, tmp_path
):
    add_submission(app, bookable())
    private = tmp_path / "private.csv"
    private.touch(mode=0o600)
    with private.open("w") as out:
        run = flask(database_url, tmp_path, "export-csv", "-", stdout=out, stderr=subprocess.PIPE)
    assert run.returncode == 0, run.stderr
    piped = flask(database_url, tmp_path, "export-csv", "-", capture_output=True)
    assert piped.returncode == 0 and piped.stdout == private.read_bytes()
    assert exports(db) == 2


@pytest.mark.parametrize("where", ["missing-folder/backup.sqlite3", "a-file/backup.sqlite3"])
def test_a_backup_target_that_cannot_be_written_is_one_line_and_status_2(
    app, runner, database_url, tmp_path, where
):
    if not database_url.startswith("sqlite"):
        pytest.skip("the SQLite copy; PostgreSQL's is pg_dump")
    (tmp_path / "a-file").write_text("not a folder")
    result = runner.invoke(args=["backup", str(tmp_path / where)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "is not a folder" in result.stderr

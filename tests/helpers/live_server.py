"""A real server for the tests that need one: gunicorn on a free loopback port, on a
migrated database of its own, with accounts made through the `flask` command."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import MetaData, create_engine, make_url, text

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
SECRET = "live-server-secret-key-" + "s" * 32


def backends() -> list[str]:
    """SQLite always; PostgreSQL too when TEST_DATABASE_URL names a server."""
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


@cache
def postgresql_url() -> str:
    """TEST_DATABASE_URL, or under pytest-xdist a database of this worker's own beside it
    (`test_gw0`, `test_gw1`, ...), made once and kept for the next run: the app tests empty
    their tables between tests, which two workers on one database would do to each other."""
    base = os.environ["TEST_DATABASE_URL"]
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return base
    name = f"{make_url(base).database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


@contextmanager
def scratch_database(backend: str, folder: Path, name: str) -> Iterator[str]:
    """An empty database of its own for one live server: a SQLite file in `folder`, or a
    PostgreSQL database on TEST_DATABASE_URL's server, dropped afterwards. Its name starts
    with the test database's (this worker's, under pytest-xdist), so runs against different
    test databases on one server (two people's, or a helper's beside CI), and the workers of
    one run, never drop each other's."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / name}.sqlite3"
        return
    base = postgresql_url()
    name = f"{make_url(base).database}_{name}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with admin.connect() as conn:
        conn.execute(drop)
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(drop)
        admin.dispose()


def empty_postgresql(url: str) -> None:
    """Every table of the PostgreSQL database at `url` dropped, Alembic's too."""
    engine = create_engine(url)
    with engine.begin() as conn:
        meta = MetaData()
        meta.reflect(conn)
        meta.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    database_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path
    root: Path = ROOT  # the checkout it runs (tests/deployed/test_install.py: a fresh one)

    def flask(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=self.root,
            env=self.env,
            check=True,
        )

    def kill(self) -> None:
        """Stop at once, as a power cut would: no clean shutdown for any worker."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


def app_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "APP_"))}
    env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET, INSTANCE_PATH=str(instance))
    env.update(extra)
    return env


@contextmanager
def serve(
    database_url: str,
    instance: Path,
    *,
    workers: int = 2,
    target: str = "wsgi:app",
    root: Path = ROOT,
    host: str = "127.0.0.1",
    **extra: str,
) -> Iterator[Server]:
    """`host`: the loopback address to bind, one per app host when several stand in for
    several machines (tests/deployed/test_two_hosts.py)."""
    env = app_env(database_url, instance, **extra)
    if target == "wsgi:app":
        # Migrate once, before any worker starts (docs/performance.md).
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
        )
    port = free_port()
    log = instance / f"gunicorn-{port}.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(root / GUNICORN_CONFIG.relative_to(ROOT)),
                "--workers",
                str(workers),
                "--bind",
                f"{host}:{port}",
                target,
            ],
            cwd=root,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(f"http://{host}:{port}", database_url, env, process, log, root)
    try:
        _wait_until_up(server)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + server.log.read_text())
        try:
            urllib.request.urlopen(server.url + "/", timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in 30 s:\n" + server.log.read_text())

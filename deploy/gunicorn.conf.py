"""gunicorn's settings for this app, wherever it is served: `make run`, the systemd unit and
the test suite's servers all start gunicorn with `--config deploy/gunicorn.conf.py`.

Command-line options given beside it (`--bind`, `--workers`) win over these values.
"""

from __future__ import annotations

import gc
import runpy
import socket
from pathlib import Path

import gunicorn.http.wsgi
import gunicorn.util

# By path, not `import questionnaire...`: that would load the whole app into the master
# process, and a graceful reload (SIGHUP) would then start new workers on old code.
CORE = Path(__file__).resolve().parent.parent / "questionnaire" / "core"
HEADERS = runpy.run_path(str(CORE / "headers.py"))["HEADERS"]
# GUNICORN_BIND, GUNICORN_WORKERS and FORWARDED_ALLOW_IPS are declared with the app's other
# settings, and checked the same way (a bad value: one line naming it, and gunicorn does not
# start).
_config = runpy.run_path(str(CORE / "config.py"))
try:
    _server = _config["server_settings"]()
except _config["ConfigError"] as error:
    raise SystemExit(f"Error: {error}") from None
bind = _server["bind"]
workers = _server["workers"]
timeout = 60
# nginx on this machine sets X-Forwarded-Proto; gunicorn believes it from loopback only, so
# the app knows its pages were served over HTTPS (secure cookies, HTTPS links). With nginx
# on another machine (docs/production.md, "More than one server"), name its address here.
forwarded_allow_ips = _server["forwarded_allow_ips"]
# gunicorn 27's control socket lives at one path per user: two instances on one machine
# would fight over it, and nothing here uses it.
control_socket_disable = True
# No access log from gunicorn: its lines carry the path, and a path can name a submission.
# The app writes one line per request instead, with the route in its place
# (questionnaire/core/request_log.py), to standard error like gunicorn's own messages (the
# journal, under systemd). A request gunicorn refuses itself never reaches the app; nginx's
# access log has it.
accesslog = None


def post_worker_init(_worker: object) -> None:
    """Once a worker has loaded the app, move everything loaded so far (modules, the question
    bank, the app) out of the garbage collector's sight: a full collection walked all of it,
    40-100 ms in which the worker answered nobody (the slowest step requests); frozen, it
    takes 1-2 ms."""
    gc.collect()
    gc.freeze()


# gunicorn names itself and its version in a Server header; nothing needs to know that.
gunicorn.http.wsgi.SERVER = "prolotherapy"


def _write_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own answer to a request it cannot parse (414 a line too long, 431 headers
    too large, 400 malformed), which never reaches the app: with the same security headers as
    the app's pages, and without echoing any of the request back."""
    body = (
        f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>{reason}</title>'
        f"</head><body><h1>{reason}</h1><p>Error code {status_int}. Go back and try again."
        "</p></body></html>"
    ).encode()
    head = [
        f"HTTP/1.1 {status_int} {reason}",
        "Connection: close",
        "Content-Type: text/html; charset=utf-8",
        f"Content-Length: {len(body)}",
        "Cache-Control: no-store",
        *(f"{name}: {value}" for name, value in HEADERS.items()),
    ]
    gunicorn.util.write_nonblock(sock, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


gunicorn.util.write_error = _write_error

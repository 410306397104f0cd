"""The pages nginx shows for the answers it gives itself: a request it refuses (400, 414),
a missing static file (404), a body over the limit (413), too many tries (429), and the app
down or restarting (502, 503, 504). nginx serves them as files, so they are written ahead of
time from the app's own error template, with the clinic's name and phone number:
`flask --app wsgi write-proxy-pages DIR` (the systemd unit runs it at every start)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app, render_template
from flask.cli import with_appcontext

from questionnaire.core.errors import MESSAGES

PAGES = {
    **{code: MESSAGES[code] for code in (400, 404, 413)},
    429: (
        "Too many tries in a short time",
        "Please wait a minute, then go back and try again. Your saved answers are kept.",
    ),
    503: (
        "The self-check is not available just now",
        "We are probably updating it. Please try again in a few minutes. Your saved answers "
        "are kept.",
    ),
}


def init_app(app: Flask) -> None:
    app.cli.add_command(write_proxy_pages)


@click.command("write-proxy-pages", help="Write the error pages nginx serves itself into FOLDER.")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def write_proxy_pages(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with current_app.test_request_context("/"):
        for code, (title, message) in PAGES.items():
            page = render_template("errors/error.html", code=code, title=title, message=message)
            path = folder / f"{code}.html"
            path.write_text(page, encoding="utf-8")
            path.chmod(0o644)  # nginx's workers read them; they hold nothing private
    click.echo(f"Wrote {len(PAGES)} pages to {folder}.")

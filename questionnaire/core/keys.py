"""Changing SECRET_KEY without signing anyone out: the old key, SECRET_KEY_PREVIOUS, is
Flask's SECRET_KEY_FALLBACKS, which its session cookie honours. Flask-WTF's CSRF tokens do
not: it signs and checks with one key, so a form shown before the change would be refused
after it. itsdangerous takes a list of keys, signing with the last and accepting any, and
Flask-WTF passes WTF_CSRF_SECRET_KEY straight to it: that setting is the live list below.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask


class SigningKeys:
    """SECRET_KEY's fallbacks, then SECRET_KEY, read when a token is made or checked (not
    when the app starts), so a test or a shell that changes the config is honoured too."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def __iter__(self) -> Iterator[str]:
        yield from self.config["SECRET_KEY_FALLBACKS"] or []
        yield self.config["SECRET_KEY"]


def init_app(app: Flask) -> None:
    app.config["WTF_CSRF_SECRET_KEY"] = SigningKeys(app.config)

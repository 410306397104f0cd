"""The one check for a redirect the app builds from what a request says (the language
switch's page, the sign-in's `next`): it may only lead to a page of this site.

The text alone decides, but it must be read the way a browser reads a Location: browsers
drop tabs and line breaks from it and read a backslash as a slash, so `/\t/evil.example`
and `/\\evil.example` both leave the site, and a line break cannot go in a header at all (a
500 with a traceback). So anything a browser would rewrite is refused outright, and what is
left must be a path with one leading slash and no scheme or host, before and after its
percent-escapes are decoded.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit


def _plain(text: str) -> bool:
    """No whitespace, no control or format character (a zero-width space, a direction mark)
    and no backslash: nothing a browser might drop or turn into a slash."""
    return not any(
        c.isspace() or c == "\\" or unicodedata.category(c) in ("Cc", "Cf") for c in text
    )


def _a_path(text: str) -> bool:
    parts = urlsplit(text)
    return (
        text.startswith("/") and not text.startswith("//") and not parts.scheme and not parts.netloc
    )


def same_site(target: str | None) -> str | None:
    """`target` (a path, with its query string if any) when a browser sent there stays on
    this site; None otherwise."""
    if not target or not _plain(target) or not _a_path(target):
        return None
    path = unquote(target.partition("?")[0])
    if not _plain(path) or not _a_path(path):
        return None
    return target

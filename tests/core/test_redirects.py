"""Redirects built from a request lead only to this site: the language switch (`?lang=`)
sends a patient back to the page they were on, never to another host, and a path no header
can hold is answered as a page not found rather than with a 500."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest


def _stays_here(location: str) -> bool:
    """What a browser makes of a Location: tabs and line breaks dropped, a backslash read as
    a slash; then it must still be a path on this host."""
    read = unquote(location).replace("\\", "/")
    read = "".join(c for c in read if c not in "\t\r\n")
    return read.startswith("/") and not read.startswith("//") and not urlsplit(read).netloc


@pytest.mark.parametrize(
    "path",
    [
        "/%09/evil.example",  # browsers drop the tab: //evil.example
        "/%0D%0A/evil.example",  # a line break cannot go in a header at all
        "/%0D%0ALocation:%20https://evil.example",
        "/%5Cevil.example",  # browsers read a backslash as a slash
        "/%5C/evil.example",
        "/%2F/evil.example",
        "/%E2%80%8B/evil.example",  # a zero-width space
        "/%20/evil.example",
    ],
)
@pytest.mark.parametrize("lang", ["cy", "en", "xx"])
def test_the_language_switch_never_leads_off_the_site(client, path, lang):
    response = client.get(f"{path}?lang={lang}")
    assert response.status_code in (302, 404)
    assert _stays_here(response.headers.get("Location", "/"))
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_language_switch_still_goes_back_to_the_same_page(client):
    response = client.get("/consent?lang=en&from=here")
    assert response.status_code == 302
    assert response.headers["Location"] == "/consent?from=here"


def test_a_page_with_letters_beyond_ascii_keeps_its_address_encoded(client):
    response = client.get("/caf%C3%A9?lang=en")
    assert response.status_code == 302
    assert response.headers["Location"] == "/caf%C3%A9"

"""A second language: the catalogs, the choice of language, Welsh pages, and what is stored."""

from __future__ import annotations

import csv
import html
import io
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sqlalchemy import inspect, select, text

from questionnaire.core import i18n
from questionnaire.core.config import KNOWN_LANGUAGES, ConfigError, languages
from questionnaire.core.migrate import downgrade, upgrade
from questionnaire.core.models import Submission
from questionnaire.patient import bank_messages
from rules import SECTIONS
from tests.conftest import _empty_tables, make_app
from tests.core.test_migrations import add_submission
from tests.helpers.answer_sets import bookable
from tests.helpers.patient_client import Patient, form_data

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
WELSH_PO = TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.po"


def _read(path: Path, locale: str | None = None):
    with open(path, "rb") as f:
        return read_po(f, locale=locale)


def _catalog(code: str):
    return _read(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", code)


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogs() -> None:
    """What `make catalogs` does, for a run of pytest without make: the .mo files are built,
    never committed."""
    for code in KNOWN_LANGUAGES[1:]:
        mo = TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo"
        with open(mo, "wb") as f:
            write_mo(f, _catalog(code))


@pytest.fixture
def app(database_url):
    """Every test here offers Welsh, as a clinic that switched it on (the staff fixtures too)."""
    app = make_app(database_url, LANGUAGES=("en", "cy"))
    _empty_tables(app)
    yield app
    _empty_tables(app)
    app.extensions["db_engine"].dispose()


@pytest.fixture
def welsh_app(app):
    return app


@pytest.fixture
def cy(welsh_app) -> Patient:
    """A patient who chose Welsh with the switch link."""
    patient = Patient(welsh_app.test_client())
    assert patient.get("/?lang=cy").status_code == 302
    return patient


# --- The catalogs ------------------------------------------------------------------------


@pytest.mark.parametrize("code", KNOWN_LANGUAGES[1:])
def test_every_message_is_translated_and_none_is_fuzzy(code):
    catalog = _catalog(code)
    assert not catalog.fuzzy
    untranslated = [
        m.id
        for m in catalog
        if m.id and (not all(m.string) if isinstance(m.string, tuple) else not m.string)
    ]
    assert untranslated == []
    assert [m.id for m in catalog if m.id and m.fuzzy] == []
    template = _read(TRANSLATIONS / "messages.pot")
    assert {m.id for m in catalog if m.id} == {m.id for m in template if m.id}


def test_placeholders_survive_translation():
    for m in _catalog("cy"):
        if m.id and not isinstance(m.id, tuple):
            holders = r"%\(\w+\)s|\{\w+\}"  # gettext's, and str.format's in the advice
            assert sorted(re.findall(holders, m.string)) == sorted(re.findall(holders, m.id)), m.id


def test_the_template_holds_every_marked_string(tmp_path):
    """messages.pot is what `make translations` extracts today: nothing marked is missing."""
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "--mapping-file",
         "babel.cfg", "--keywords", "lazy_gettext", "--no-location", "--omit-header",
         "--output-file", str(fresh), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    now = {m.id for m in _read(fresh) if m.id}
    kept = {m.id for m in _read(TRANSLATIONS / "messages.pot") if m.id}
    assert now == kept


def test_bank_messages_list_the_bank_as_it_is():
    assert list(bank_messages.MESSAGES) == i18n.bank_strings()


def test_bank_messages_list_the_reasons_as_they_are():
    assert list(bank_messages.REASONS) == i18n.reason_messages()


@pytest.mark.parametrize("code", KNOWN_LANGUAGES[1:])
def test_every_reason_and_site_has_words_in_each_language_found_by_its_id(code):
    """A reason's translation is the catalog entry with the reason's id as its context and
    its English words as its message: a reason with no words in a language, or English
    changed since it was translated, fails here (the page would show the English)."""
    catalog = _catalog(code)
    for key, english in i18n.reason_messages():
        entry = catalog.get(english, context=key)
        assert entry is not None and entry.string and not entry.fuzzy, key


def test_a_welsh_result_gives_its_reasons_in_welsh(cy):
    page = cy.complete(bookable(nerve_sensations=["burning", "numbness"]))
    words = _words(page.text)
    assert "Fe ddywedoch chi: poen yng nghymal y pen-glin." in words
    assert "Dywedoch ei bod yn brifo pan fyddwch yn ei ddefnyddio" in words
    assert "Dywedoch fod y boen yn dod gyda: llosgi, fferdod." in words
    assert "You said" not in words


def test_a_reason_in_a_welsh_page_and_one_with_no_welsh_words(welsh_app):
    with welsh_app.test_request_context("/", headers={"Accept-Language": "cy"}):
        assert i18n.language() == "cy"
        assert (
            i18n.reason({"id": "said_site", "site": "neck"}) == "Fe ddywedoch chi: poen yn y gwddf."
        )
        assert i18n.reason("pain in the knee joint") == "pain in the knee joint"  # rules 1.2
        assert i18n.reason({"id": "retired_reason"}) == "retired_reason"


# --- Choosing a language -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", ("en",)), ("en", ("en",)), ("en, cy", ("en", "cy"))],
)
def test_languages_setting(monkeypatch, value, expected):
    monkeypatch.setenv("LANGUAGES", value)
    assert languages() == expected


@pytest.mark.parametrize("value", ["cy,en", "cy", "en,fr", "en,cy,cy", "en,CY"])
def test_languages_setting_refuses_unknown_codes_and_english_not_first(monkeypatch, value):
    monkeypatch.setenv("LANGUAGES", value)
    with pytest.raises(ConfigError, match="LANGUAGES"):
        languages()


def test_english_alone_offers_no_switch_and_ignores_requests_for_welsh(database_url):
    english_only = make_app(database_url)
    assert english_only.config["LANGUAGES"] == ("en",)  # the default
    client = english_only.test_client()
    page = client.get("/", headers={"Accept-Language": "cy"}).text
    assert '<html lang="en-GB">' in page and "Could prolotherapy help you?" in page
    assert "lang=" not in page.split("</header>")[0].split("<header")[1]
    client.get("/?lang=cy")
    assert "Could prolotherapy help you?" in client.get("/").text


def test_the_api_answers_in_fhir_whatever_the_language_asked(welsh_app):
    """An unknown /fhir address is the API's: no redirect, no session cookie, a FHIR 404."""
    client = welsh_app.test_client()
    answer = client.get("/fhir/QuestionnaireResponse/x/_history/1?lang=cy")
    assert answer.status_code == 404
    assert answer.content_type.startswith("application/fhir+json")
    assert "Set-Cookie" not in answer.headers


def test_the_switch_is_a_plain_link_remembered_for_the_session(welsh_app):
    client = welsh_app.test_client()
    start = client.get("/").text
    assert '<html lang="en-GB">' in start
    assert 'href="?lang=cy" lang="cy" hreflang="cy">Cymraeg</a>' in start
    switched = client.get("/about?lang=cy")
    assert switched.status_code == 302 and switched.location == "/about"
    for url in ("/", "/consent", "/resume"):
        page = client.get(url).text
        assert '<html lang="cy">' in page, url
        assert 'href="?lang=en" lang="en" hreflang="en">English</a>' in page, url
    assert "A allai prolotherapi eich helpu?" in client.get("/").text
    client.get("/?lang=en")
    assert "Could prolotherapy help you?" in client.get("/").text


def test_a_language_not_offered_is_ignored(welsh_app):
    client = welsh_app.test_client()
    assert client.get("/?lang=fr").location == "/"
    assert '<html lang="en-GB">' in client.get("/").text


@pytest.mark.parametrize(
    ("header", "lang"),
    [("cy", "cy"), ("cy-GB,cy;q=0.9,en;q=0.5", "cy"), ("fr, cy;q=0.5", "cy"), ("fr", "en-GB"),
     ("en-GB,en;q=0.9,cy;q=0.8", "en-GB"), ("", "en-GB")],
)  # fmt: skip
def test_accept_language_decides_until_the_patient_chooses(welsh_app, header, lang):
    client = welsh_app.test_client()
    assert f'<html lang="{lang}">' in client.get("/", headers={"Accept-Language": header}).text
    client.get("/?lang=en")
    assert '<html lang="en-GB">' in client.get("/", headers={"Accept-Language": header}).text


# --- Welsh pages with no English left ----------------------------------------------------


class _Text(HTMLParser):
    """The words a reader meets: text and the attributes read out, not scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "alt", "title", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _words(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


# Names the About page cites as they are published, in Welsh too.
PROPER_NAMES = (
    "Cumberland Ankle Instability Tool",
    "American College of Rheumatology",
    "British Society for Rheumatology",
)


def _english_left(page: str) -> list[str]:
    """The catalog's English strings whose Welsh differs, where they appear in the page."""
    text = _words(page)
    for name in PROPER_NAMES:
        text = text.replace(name, "")
    left = []
    for m in _catalog("cy"):
        if not m.id or isinstance(m.id, tuple) or m.string == m.id:
            continue
        # What the English reads as on a page: markup and placeholders out, entities decoded.
        english = html.unescape(re.sub(r"<[^>]+>", "", m.id))
        for piece in re.split(r"%\(\w+\)s", english):
            piece = " ".join(piece.split()).strip(" .,:;")
            if len(piece) > 1 and re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", text):
                left.append(m.id)
    return left


def _welsh_pages(cy: Patient) -> dict[str, str]:
    pages = {name: cy.get(url).text for name, url in [("start", "/"), ("about", "/about")]}
    pages["resume"] = cy.get("/resume").text
    pages["consent error"] = cy.post("/consent", {}).text
    pages["consent"] = cy.get("/consent").text
    cy.consent()
    for section in SECTIONS:
        pages[f"step {section.id}"] = cy.get(f"/step/{section.id}").text
        if section.id == "safety":
            pages["step errors"] = cy.post(f"/step/{section.id}", {}).text
        cy.step(section.id, bookable())
    pages["review"] = cy.get("/review").text
    saved = cy.post(
        "/step/health", {**form_data(bookable(), "health"), "action": "save"}, follow_redirects=True
    )
    pages["saved"] = saved.text
    pages["resume error"] = cy.post("/resume", {"code": "AAAA-AAAA-AAAA"}).text
    result = cy.get(cy.submit().location)
    pages["result"] = result.text
    pages["call-back errors"] = cy.post(result.request.path + "/call-back", {"phone": "x"}).text
    pages["not found"] = cy.get("/no-such-page").text
    return pages


def test_welsh_pages_leave_no_translated_english(cy):
    pages = _welsh_pages(cy)
    for name, page in pages.items():
        assert '<html lang="cy">' in page, name
        assert _english_left(page) == [], name
    assert "Eich cod ailddechrau" in _words(pages["saved"])
    assert "wrth chwyddo i 200%," in _words(pages["about"])
    assert "Gwiriwch eich atebion" in _words(pages["review"])
    assert "Heb ddod o hyd i'r dudalen" in _words(pages["not found"])
    assert "Gallai prolotherapi fod yn addas i chi" in _words(pages["result"])
    assert "Rhowch eich enw" in _words(pages["call-back errors"])
    assert "Dywedoch wrthym" not in pages["step about"]  # an adult's answers: no guardian note
    # The check is not blind: the English pages are full of the same strings.
    assert _english_left(cy.get("/?lang=en", follow_redirects=True).text)


@pytest.mark.parametrize(
    ("flag", "heading"),
    [("rf_bladder_bowel", "Cewch help nawr"), ("rf_calf", "Cewch help meddygol heddiw")],
)
def test_red_flag_advice_between_steps_in_welsh(cy, flag, heading):
    cy.consent()
    for section in SECTIONS:
        sent = cy.step(section.id, bookable(**{flag: "yes"}))
        if "/advice" in sent.location:
            break
    page = cy.get(sent.location).text
    assert '<html lang="cy">' in page and heading in _words(page)
    assert _english_left(page) == []


def test_welsh_form_errors_and_bank_wording(cy):
    cy.consent()
    page = cy.post("/step/about", {"age": "abc"}).text
    assert "Rhowch eich oed fel rhif cyfan, fel 45" in page
    assert "Mae problem" in page and "Faint yw eich oed?" in page
    assert "Benyw" in cy.get("/step/about").text


# --- What is stored and what staff see ---------------------------------------------------


def _stored_languages(app) -> list[str]:
    db = app.extensions["db_sessionmaker"]()
    try:
        return list(db.scalars(select(Submission.language).order_by(Submission.created_at)))
    finally:
        db.close()


def test_the_submission_records_the_language_and_the_export_carries_it(welsh_app, cy):
    english = Patient(welsh_app.test_client())
    assert english.complete(bookable()).status_code == 200
    assert cy.complete(bookable()).status_code == 200
    assert _stored_languages(welsh_app) == ["en", "cy"]


def test_csv_and_staff_pages_stay_english(welsh_app, as_role, cy):
    cy.complete(bookable())
    staff = as_role("staff")
    staff.client.get("/?lang=cy")  # even a staff member's browser that chose Welsh
    text = staff.post("/staff/export/submissions.csv", {"answers_as": "labels"}).text
    header, row = list(csv.reader(io.StringIO(text[1:], newline="")))
    cell = dict(zip(header, row, strict=True))
    assert cell["language"] == "cy"
    assert cell["sex"] in ("Female", "Male", "I'd rather not say")
    clinician = as_role("clinician")
    sid = _submission_id(welsh_app)
    page = clinician.get(f"/staff/submissions/{sid}", headers={"Accept-Language": "cy"}).text
    assert '<html lang="en-GB">' in page
    assert "Answered in</dt><dd>Welsh" in page and "How old are you?" in page
    assert "Cymraeg" not in page


def _submission_id(app) -> str:
    db = app.extensions["db_sessionmaker"]()
    try:
        return db.scalars(select(Submission.id)).one()
    finally:
        db.close()


# --- The migration -----------------------------------------------------------------------

BEFORE_LANGUAGE = "c9e4a1b7d306"


def test_the_language_revision_marks_earlier_submissions_english_both_ways(engine):
    upgrade(engine, BEFORE_LANGUAGE)
    with engine.begin() as conn:
        sid = add_submission(conn, 1)
    upgrade(engine, "d3f7b2a9e6c1")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, language FROM submission")).all() == [(sid, "en")]
    downgrade(engine, BEFORE_LANGUAGE)
    columns = {c["name"] for c in inspect(engine).get_columns("submission")}
    assert "language" not in columns and "review_status" in columns
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id FROM submission")).scalars().all() == [sid]

"""The body diagram beside "where is the pain": a numbered region for every site option,
the same numbers on the options, the chosen one marked on the review and a clinician's page,
and the step still answered with the radio buttons alone."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from rules import QUESTIONS
from tests.helpers.answer_sets import bookable
from tests.helpers.staff_client import add_submission

SITE = QUESTIONS["site"]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


@dataclass
class Region:
    code: str
    classes: set[str]
    hidden: bool  # inside an aria-hidden element
    marker: str = ""


@dataclass
class Page(HTMLParser):
    """The diagram's regions as a browser would see them, and what a screen reader could reach
    inside the drawing."""

    regions: list[Region] = field(default_factory=list)
    controls_in_drawing: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()
        self._stack: list[dict[str, str | None]] = []
        self._region_depth: int | None = None
        self._marker_depth: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        hidden = any(s.get("aria-hidden") == "true" for s in self._stack)
        if tag == "script":
            self.scripts.append(f"{a.get('src')} defer={'defer' in a}")
        if hidden and (tag in {"input", "a", "button", "select", "textarea"} or "tabindex" in a):
            self.controls_in_drawing.append(tag)
        if "data-site" in a:
            self.regions.append(
                Region(str(a["data-site"]), set((a.get("class") or "").split()), hidden)
            )
            self._region_depth = len(self._stack)
        if "data-marker" in a and self._region_depth is not None:
            self._marker_depth = len(self._stack)
        if tag not in VOID:
            self._stack.append(a)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self._stack:
            return
        self._stack.pop()
        if self._marker_depth == len(self._stack):
            self._marker_depth = None
        if self._region_depth == len(self._stack):
            self._region_depth = None

    def handle_data(self, data: str) -> None:
        if self._marker_depth is not None:
            self.regions[-1].marker += data.strip()


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


def numbers() -> dict[str, str]:
    """Each site option's number: its place in the bank's list, from 1."""
    return {option.code: str(i) for i, option in enumerate(SITE.options, 1)}


def on_pain_step(patient, **answers) -> str:
    patient.consent()
    assert patient.step("about", bookable(**answers)).status_code == 302
    page = patient.get("/step/pain")
    assert page.status_code == 200
    return page.text


def test_every_site_option_has_exactly_one_region_with_its_number(patient):
    regions = parse(on_pain_step(patient)).regions
    # Generated from the bank: a new site option without a region fails here.
    assert sorted(r.code for r in regions) == sorted(SITE.codes)
    assert {r.code: r.marker for r in regions} == numbers()


def test_the_option_labels_carry_the_same_numbers_hidden_from_screen_readers(patient):
    text = on_pain_step(patient)
    for i, option in enumerate(SITE.options):
        label = re.search(rf'<label class="choice-label" for="site-{i}">(.*?)</label>', text)
        assert label is not None, option.code
        assert label.group(1) == (
            f'<span class="option-marker" aria-hidden="true">{i + 1}</span> {option.label}'
        )
        assert f'id="site-{i}" name="site" value="{option.code}"' in text


def test_the_drawing_is_hidden_from_screen_readers_and_holds_no_control(patient):
    page = parse(on_pain_step(patient))
    assert page.regions and all(r.hidden for r in page.regions)
    assert page.controls_in_drawing == []
    # The radio buttons stay the form's one control for the site.
    assert len(re.findall(r'<input [^>]*name="site"', on_pain_step(patient))) == len(SITE.options)


def test_the_script_is_loaded_deferred_on_the_pain_step_only(patient):
    pain = parse(on_pain_step(patient)).scripts
    # Its URL carries the file's fingerprint (tests/core/test_static_files.py).
    assert any(
        re.fullmatch(r"/static/body-diagram\.js\?v=[0-9a-f]{12} defer=True", s) for s in pain
    )
    other = patient.get("/step/about").text
    assert "body-diagram.js" not in other and "data-site" not in other


def test_the_script_is_served(client):
    with client.get("/static/body-diagram.js") as script:
        assert script.status_code == 200 and "[data-body-diagram]" in script.text


def test_the_step_marks_nothing_itself_as_the_radios_may_change_without_javascript(patient):
    patient.consent()
    patient.step("about", bookable())
    patient.step("pain", bookable(site="ankle"))
    text = patient.get("/step/pain").text
    assert 'value="ankle" checked' in text
    assert not any("is-chosen" in r.classes for r in parse(text).regions)


def test_the_step_posts_with_the_radios_alone(patient):
    patient.consent()
    patient.step("about", bookable())
    sent = patient.post(
        "/step/pain", {"site": "elbow_outer", "duration": "gt_1y"}, follow_redirects=False
    )
    assert sent.status_code == 302 and sent.location.endswith("/step/pattern")
    assert 'value="elbow_outer" checked' in patient.get("/step/pain").text


def test_a_missing_site_still_says_so_next_to_the_radios(patient):
    patient.consent()
    patient.step("about", bookable())
    page = patient.post("/step/pain", {"duration": "gt_1y"})
    assert page.status_code == 400
    assert 'href="#site-0"' in page.text and 'id="site-error"' in page.text
    assert len(parse(page.text).regions) == len(SITE.options)


def chosen(text: str) -> list[str]:
    return [r.code for r in parse(text).regions if "is-chosen" in r.classes]


@pytest.mark.parametrize("code", sorted(SITE.codes))
def test_the_review_marks_the_chosen_region_and_names_it(patient, code):
    patient.answer_all(bookable(site=code))
    text = patient.get("/review").text
    assert chosen(text) == [code]
    assert (
        f'Marked on the drawing:\n  <strong><span class="option-marker" aria-hidden="true">'
        f"{numbers()[code]}</span> {SITE.label_for(code)}</strong>"
    ) in text


def test_a_clinician_sees_the_chosen_region(app, as_role):
    sid = add_submission(app, bookable(site="pelvis_back"))
    page = as_role("clinician").get(f"/staff/submissions/{sid}")
    assert page.status_code == 200
    assert chosen(page.text) == ["pelvis_back"]
    assert "Marked on the drawing:" in page.text and SITE.label_for("pelvis_back") in page.text
    assert "body-diagram.js" not in page.text


def test_a_submission_without_a_site_marks_nothing(app, as_role):
    sid = add_submission(app, bookable(site=None, rf_saddle="yes"))
    page = as_role("clinician").get(f"/staff/submissions/{sid}")
    assert page.status_code == 200
    assert chosen(page.text) == []
    assert "Marked on the drawing:\n  nothing (not answered)" in page.text

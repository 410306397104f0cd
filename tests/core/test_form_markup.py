"""The forms' markup as a browser and a screen reader get it, through the test client: every
control labelled, every group in a fieldset with a legend, hints and errors tied to their
fields, and the error summary linking to fields that exist (WCAG 2.2: 1.3.1, 3.3.1, 4.1.2)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from tests.helpers.answer_sets import bookable
from tests.helpers.staff_client import add_submission

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
CONTROLS = {"input", "select", "textarea"}
NOT_FIELDS = {"hidden", "submit", "button"}


@dataclass
class Control:
    tag: str
    attrs: dict[str, str]
    fieldset: int | None  # the number of the innermost fieldset around it
    described_by: set[str]  # its own aria-describedby and its fieldsets'


@dataclass
class Page(HTMLParser):
    controls: list[Control] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    label_for: set[str] = field(default_factory=set)
    legends: dict[int, str] = field(default_factory=dict)  # fieldset number: legend text
    summary_links: list[str] = field(default_factory=list)
    field_errors: list[str] = field(default_factory=list)  # ids of the errors at the fields
    described: set[str] = field(default_factory=set)  # every id an aria-describedby names

    def __post_init__(self) -> None:
        super().__init__()
        self._stack: list[tuple[str, dict[str, str]]] = []
        self._fieldsets: list[tuple[int, set[str]]] = []
        self._legend: int | None = None
        self._count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.append(a["id"])
        self.described.update(a.get("aria-describedby", "").split())
        if tag == "label" and "for" in a:
            self.label_for.add(a["for"])
        if tag == "fieldset":
            self._count += 1
            self._fieldsets.append((self._count, set(a.get("aria-describedby", "").split())))
        if tag == "legend" and self._fieldsets:
            self._legend = self._fieldsets[-1][0]
            self.legends[self._legend] = ""
        if tag in CONTROLS and a.get("type") not in NOT_FIELDS:
            inner = self._fieldsets[-1][0] if self._fieldsets else None
            described = set(a.get("aria-describedby", "").split())
            for _, names in self._fieldsets:
                described |= names
            self.controls.append(Control(tag, a, inner, described))
        if tag == "a" and any("error-summary" in s.get("class", "") for _, s in self._stack):
            self.summary_links.append(a.get("href", ""))
        if tag == "p" and "field-error" in a.get("class", "").split():
            self.field_errors.append(a.get("id", ""))
        if tag not in VOID:
            self._stack.append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if tag == "fieldset" and self._fieldsets:
            self._fieldsets.pop()
        if tag == "legend":
            self._legend = None
        while self._stack and self._stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self._legend is not None:
            self.legends[self._legend] += data.strip()


def parsed(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def assert_well_formed(html: str) -> Page:
    """What every form page must hold, errors or not."""
    page = parsed(html)
    assert len(page.ids) == len(set(page.ids)), "an id used twice"
    for c in page.controls:
        assert c.attrs.get("id") in page.label_for, f"no label for {c.attrs}"
        if c.attrs.get("type") == "radio" or (
            c.attrs.get("type") == "checkbox"
            and sum(o.attrs.get("name") == c.attrs.get("name") for o in page.controls) > 1
        ):
            assert c.fieldset is not None and page.legends.get(c.fieldset), (
                f"{c.attrs['id']} is in a group without a fieldset and legend"
            )
    for named in page.described:
        assert named in page.ids, f"aria-describedby names {named}, which is not on the page"
    for error in page.field_errors:
        assert error in page.described, f"{error} is tied to no field"
    control_ids = {c.attrs.get("id") for c in page.controls}
    for href in page.summary_links:
        assert href.startswith("#") and href[1:] in control_ids, f"{href} leads to no field"
    return page


def assert_errors_shown(html: str) -> Page:
    """A page refused: the summary takes focus, and each of its links has its error at the
    field, which says it is invalid."""
    page = assert_well_formed(html)
    assert 'role="alert" tabindex="-1" data-error-summary' in html
    assert page.summary_links
    for href in page.summary_links:
        control = next(c for c in page.controls if c.attrs["id"] == href[1:])
        assert control.described_by & set(page.field_errors), f"{href}: no error at the field"
    return page


# The patient's forms


def test_consent_refused(patient):
    page = patient.post("/consent", {})
    assert page.status_code == 400
    shown = assert_errors_shown(page.text)
    assert shown.summary_links == ["#consent"]


@pytest.mark.parametrize(
    ("step", "answers", "anchors"),
    [
        ("about", {}, ["#age"]),
        ("pain", {}, ["#site-0", "#duration-0"]),
        ("pattern", {"nerve_sensations": ["none", "tingling"]}, ["#nerve_sensations-0"]),
    ],
)
def test_a_refused_step_links_its_errors_to_the_fields(patient, step, answers, anchors):
    patient.consent()
    if step != "about":
        patient.step("about", {"age": 50})
    if step == "pattern":
        patient.step("pain", {"site": "knee", "duration": "gt_1y"})
    page = patient.post(f"/step/{step}", answers)
    assert page.status_code == 400
    assert assert_errors_shown(page.text).summary_links == anchors


def test_none_of_these_is_in_its_questions_fieldset(patient):
    patient.consent()
    patient.step("about", {"age": 50})
    patient.step("pain", {"site": "knee", "duration": "gt_1y"})
    page = assert_well_formed(patient.get("/step/pattern").text)
    boxes = {c.attrs["id"]: c for c in page.controls if c.attrs.get("name") == "nerve_sensations"}
    none = boxes.pop("nerve_sensations-none")
    assert "data-exclusive" in none.attrs and none.attrs["value"] == "none"
    assert {c.fieldset for c in boxes.values()} == {none.fieldset}
    assert page.legends[none.fieldset]


def test_every_step_page_is_well_formed(patient):
    patient.consent()
    page = patient.get("/step/about")
    assert_well_formed(page.text)
    patient.step("about", {"age": 50})
    assert_well_formed(patient.get("/step/pain").text)


def test_resume_refused(patient):
    patient.get("/resume")
    page = patient.post("/resume", {"code": "not a code"})
    assert page.status_code in (400, 429)
    assert assert_errors_shown(page.text).summary_links == ["#code"]


def test_call_back_refused(patient):
    result = patient.complete(bookable(blood_thinner="other"))
    action = re.search(r'action="(/result/[^"]+/call-back)"', result.text)
    assert action, "the result offers a call-back"
    assert_well_formed(result.text)
    page = patient.post(action.group(1), {"email": "not an email"})
    assert page.status_code == 400
    links = assert_errors_shown(page.text).summary_links
    assert links[:2] == ["#name", "#phone"] and "#email" in links


# The staff's forms


def test_sign_in_refused(client):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/staff/login").text)
    assert token
    page = client.post("/staff/login", data={"csrf_token": token.group(1)})
    assert page.status_code == 400
    assert assert_errors_shown(page.text).summary_links == ["#email", "#password"]
    wrong = {"csrf_token": token.group(1), "email": "no@clinic.example", "password": "x" * 12}
    page = client.post("/staff/login", data=wrong)
    assert page.status_code == 400
    assert assert_errors_shown(page.text).summary_links == ["#email"]


def test_accounts_page_roles_are_labelled_groups(as_role, users):
    admin = as_role("admin")
    page = assert_well_formed(admin.get("/staff/admin/users").text)
    for user_id in users.values():
        boxes = [c for c in page.controls if c.attrs["id"].startswith(f"roles-{user_id}-")]
        assert {c.attrs["name"] for c in boxes} == {"roles"} and len(boxes) >= 3
        assert len({c.fieldset for c in boxes}) == 1
    refused = admin.post("/staff/admin/users", {"email": "not-an-email"})
    assert refused.status_code == 400
    assert assert_errors_shown(refused.text).summary_links == ["#email"]


def test_export_page_boxes_have_labels_and_hints(as_role):
    staff = as_role("staff")
    page = assert_well_formed(staff.get("/staff/export/").text)
    boxes = {c.attrs["id"]: c.attrs for c in page.controls if c.attrs.get("type") == "checkbox"}
    assert boxes["contacts"]["name"] == "contacts" and boxes["contacts"]["value"] == "y"
    assert boxes["latest"]["aria-describedby"] == "latest-hint"
    refused = staff.post("/staff/export/submissions.csv", {"date_from": "yesterday"})
    assert refused.status_code == 400
    assert assert_errors_shown(refused.text).summary_links == ["#date_from"]


@pytest.mark.parametrize(
    ("role", "url", "anchor"),
    [
        ("clinician", "/staff/dashboard?date_from=31/31/2026", "#date_from"),
        ("clinician", "/staff/submissions/?date_to=2026-02-30", "#date_to"),
        ("admin", "/staff/admin/audit?date_from=yesterday", "#date_from"),
    ],
)
def test_filter_errors_link_to_the_fields(as_role, role, url, anchor):
    page = as_role(role).get(url)
    assert page.status_code == 400
    assert assert_errors_shown(page.text).summary_links == [anchor]


def test_api_token_refused(as_role):
    page = as_role("admin").post("/staff/api-tokens/", {})
    assert page.status_code == 400
    links = assert_errors_shown(page.text).summary_links
    assert "#name" in links


def test_review_refused(app, as_role):
    sid = add_submission(app, bookable())
    clinician = as_role("clinician")
    assert_well_formed(clinician.get(f"/staff/submissions/{sid}").text)
    page = clinician.post(f"/staff/submissions/{sid}/review", {"status": "bogus", "note": "x"})
    assert page.status_code == 400
    assert assert_errors_shown(page.text).summary_links == ["#status-0"]


def test_password_change_refused(as_role):
    page = as_role("staff").post("/staff/password", {})
    assert page.status_code == 400
    links = assert_errors_shown(page.text).summary_links
    assert links[0] == "#current"

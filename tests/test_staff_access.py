"""Every non-public route, from app.url_map: anonymous visitors go to sign in, signed-in
people without the role get 403, and people with it get in."""

import pytest
from sqlalchemy import select

from questionnaire.models import AuditEvent
from tests.answer_sets import bookable
from tests.staff_client import Staff, add_submission

PUBLIC = {
    "static",
    "patient.start",
    "patient.about",
    "patient.consent",
    "patient.step",
    "patient.review",
    "patient.submit",
    "patient.result",
    "patient.call_back",
    "patient.start_again",
    "auth.login",
    "auth.logout",
}

# What each staff endpoint needs. A new route must be added here, or the test fails.
NEEDS = {
    "auth.home": None,  # any signed-in person
    "auth.change_password": None,
    "clinician.index": "clinician",
    "clinician.detail": "clinician",
    "clinician.review": "clinician",
    "export.index": "staff",
    "export.download": "staff",
    "export.codebook": "staff",
    "admin.users": "admin",
    "admin.add_user": "admin",
    "admin.set_roles": "admin",
    "admin.disable": "admin",
    "admin.enable": "admin",
    "admin.unlock": "admin",
    "admin.reset_password": "admin",
    "admin.audit_log": "admin",
}


def routes(app, users, submission_id):
    values = {"submission_id": submission_id, "user_id": users["nobody"]}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<{arg}>", str(values[arg])).replace(
                f"<int:{arg}>", str(values[arg])
            )
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_every_route_is_either_public_or_has_a_known_role(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - PUBLIC == set(NEEDS)


def test_every_staff_route_sends_anonymous_visitors_to_sign_in(app, users):
    sid = add_submission(app, bookable())
    visitor = Staff(app.test_client())
    for endpoint, method, url in routes(app, users, sid):
        response = visitor.get(url) if method == "GET" else visitor.post(url)
        assert response.status_code == 302, (endpoint, method)
        assert response.location.startswith("/staff/login?next="), (endpoint, method)


@pytest.mark.parametrize("persona", ["clinician", "staff", "admin", "nobody"])
def test_every_staff_route_refuses_whoever_lacks_the_role(app, users, as_role, persona):
    sid = add_submission(app, bookable())
    staff = as_role(persona)
    for endpoint, method, url in routes(app, users, sid):
        needed = NEEDS[endpoint]
        if needed is None or needed == persona:
            continue
        response = staff.get(url) if method == "GET" else staff.post(url)
        assert response.status_code == 403, (persona, endpoint, method)
        assert "You cannot see this page" in response.text


@pytest.mark.parametrize("persona", ["clinician", "staff", "admin"])
def test_each_role_reaches_its_own_pages(as_role, persona):
    staff = as_role(persona)
    pages = {
        "clinician": "/staff/submissions/",
        "staff": "/staff/export/",
        "admin": "/staff/admin/users",
    }
    assert staff.get(pages[persona]).status_code == 200


def test_one_person_may_hold_several_roles(app):
    from tests.staff_client import make_user

    make_user(app, "both@clinic.example", ["clinician", "staff"])
    staff = Staff(app.test_client(), "both@clinic.example")
    staff.login()
    assert staff.get("/staff/submissions/").status_code == 200
    assert staff.get("/staff/export/").status_code == 200
    assert staff.get("/staff/admin/users").status_code == 403


def test_every_state_changing_route_answers_get_with_405(app, users, as_role):
    sid = add_submission(app, bookable())
    admin = as_role("admin")
    readable = {r.rule for r in app.url_map.iter_rules() if "GET" in r.methods}
    post_only = [
        r.rule.replace("<submission_id>", sid).replace("<int:user_id>", str(users["nobody"]))
        for r in app.url_map.iter_rules()
        if "POST" in r.methods and r.rule not in readable
    ]
    assert "/submit" in post_only and "/staff/logout" in post_only
    for url in post_only:
        assert admin.get(url).status_code == 405, url


def test_a_refusal_is_audited_with_who_and_where(app, users, as_role, db):
    staff = as_role("staff")
    assert staff.get("/staff/submissions/?tier=flagged").status_code == 403
    assert (
        staff.post(f"/staff/admin/users/{users['staff']}/roles", {"roles": "admin"}).status_code
        == 403
    )
    denied = db.scalars(select(AuditEvent).where(AuditEvent.action == "access_denied")).all()
    assert [(e.user_email, e.details) for e in denied] == [
        (
            "staff@clinic.example",
            {"method": "GET", "path": "/staff/submissions/", "endpoint": "clinician.index"},
        ),
        (
            "staff@clinic.example",
            {
                "method": "POST",
                "path": f"/staff/admin/users/{users['staff']}/roles",
                "endpoint": "admin.set_roles",
            },
        ),
    ]

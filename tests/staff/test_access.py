"""Every non-public route, from app.url_map: anonymous visitors go to sign in, signed-in
people without the role get 403, and people with it get in."""

import pytest
from sqlalchemy import func, select

from questionnaire.core.models import AuditEvent, User
from tests.helpers.answer_sets import bookable
from tests.helpers.staff_client import Staff, add_submission, make_user

PUBLIC = {
    "static",
    "patient.start",
    "patient.about",
    "patient.consent",
    "patient.step",
    "patient.advice",  # red-flag advice between steps: the patient's own draft
    "patient.review",
    "patient.submit",
    "patient.result",
    "patient.result_copy",  # the result to print or keep: the same browser only
    "patient.call_back",
    "patient.start_again",
    "patient.confirm_start_again",  # asks before start_again clears
    "patient.resume_draft",  # a resume code moves a draft here: rate-limited, no staff data
    "patient.saved",  # this browser's own resume code
    "patient.new_code",
    "auth.login",
    "auth.logout",
    # The FHIR API: a bearer token, never a staff session (tests/fhir/test_security.py).
    "fhir.metadata",
    "fhir.search_type",
    "fhir.read",
    "health.healthz",  # the load balancer's check: says ok or unavailable, nothing more
}

# What each staff endpoint needs. A new route must be added here, or the test fails.
NEEDS = {
    "auth.home": None,  # any signed-in person
    "auth.change_password": None,
    "auth.login_code": None,
    "authenticator.setup": None,
    "authenticator.recovery_codes": None,
    "clinician.index": "clinician",
    "clinician.detail": "clinician",
    "clinician.review": "clinician",
    "clinician.contact": "clinician",
    "clinician.worklist_page": "clinician",
    "dashboard.index": ("clinician", "admin"),  # either role
    "export.index": "staff",
    "export.download": "staff",
    "export.codebook": "staff",
    "admin.users": "admin",
    "admin.add_user": "admin",
    "admin.set_roles": "admin",
    "admin.disable": "admin",
    "admin.enable": "admin",
    "admin.unlock": "admin",
    "admin.reset_mfa": "admin",
    "admin.reset_password": "admin",
    "admin.audit_log": "admin",
    "api_tokens.index": "admin",
    "api_tokens.create": "admin",
    "api_tokens.revoke": "admin",
    "admin.alerts_page": "admin",
    "admin.retry_alert": "admin",
    "admin.retry_all_alerts": "admin",
    "requests.index": "admin",
    "requests.look_up": "admin",
    "requests.erase": "admin",
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
        if needed is None or persona in ((needed,) if isinstance(needed, str) else needed):
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


def _state(db):
    """What a view that ran would have changed: the audit log (reads are audited too) and
    the accounts."""
    db.expire_all()
    users = db.scalars(select(User).order_by(User.id)).all()
    return (
        db.scalar(select(func.count()).select_from(AuditEvent)),
        [(u.roles, u.active, u.password_hash, u.mfa_secret, u.locked_until) for u in users],
    )


@pytest.mark.parametrize(
    "authenticator, step",
    [(True, "/staff/login/code"), (False, "/staff/authenticator/setup")],
    ids=["code-wanted", "setup-wanted"],
)
def test_every_staff_route_refuses_a_half_signed_in_session(app, users, db, authenticator, step):
    """The password was right, the code not given yet (or, with no authenticator yet, not
    set up): every staff route but that one step answers with a redirect to it, and no
    view runs, whatever roles the account holds. Signing out is public."""
    make_user(
        app, "all@clinic.example", ["clinician", "staff", "admin"], authenticator=authenticator
    )
    sid = add_submission(app, bookable())
    half = Staff(app.test_client(), "all@clinic.example")
    assert half.password_only().location.startswith(step)
    before = _state(db)
    own_step = "auth.login_code" if authenticator else "authenticator.setup"
    checked = set()
    for endpoint, method, url in routes(app, users, sid):
        if endpoint == own_step:
            continue
        response = half.get(url) if method == "GET" else half.post(url)
        assert (response.status_code, response.location) == (302, step), (endpoint, method)
        checked.add(endpoint)
    assert checked == set(NEEDS) - {own_step}
    assert _state(db) == before
    assert half.get(step).status_code == 200

"""The read-only FHIR R4 API at /fhir, for the clinic's record system.

Only a bearer token works here: the session cookie is never read, so a signed-in member of
staff has no access through their browser and there is no cross-site request to forge
(the blueprint is exempt from CSRF, and answers GET alone). Every call made with a token
is audited under the token's name, with the ids of the submissions it returned.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, request, url_for
from werkzeug.wrappers import Response

from questionnaire.core import audit
from questionnaire.core.db import session as db_session
from questionnaire.fhir import definitions, resources, search, store, tokens
from questionnaire.fhir.capability import capability_statement
from questionnaire.fhir.outcome import FhirError, outcome, resource_response
from questionnaire.fhir.template import dumps

bp = Blueprint("fhir", __name__, url_prefix="/fhir")

# Each resource type served from submissions: what it needs read, and its resources for one
# submission as (id, JSON text).
Build = Callable[[resources.Stored], list[tuple[str, str]]]
FROM_SUBMISSIONS: dict[str, tuple[store.Want, Build]] = {
    "QuestionnaireResponse": (
        store.Want(answers=True),
        lambda s: [(s.id, resources.questionnaire_response(s))],
    ),
    "RiskAssessment": (
        store.Want(screening=True),
        lambda s: [(s.id, resources.risk_assessment(s))],
    ),
    "Flag": (store.Want(screening=True), resources.flags),
}
DEFINITIONS = ("Questionnaire", "CodeSystem")


@bp.before_request
def _read_only() -> Response | None:
    # Flask answers OPTIONS on every route by itself (200, an empty HTML body); here it is
    # refused like any other method but GET, as an OperationOutcome with its Allow header.
    if request.method == "OPTIONS":
        return outcome(405)
    return None


def _authenticate() -> tokens.Caller:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise FhirError(401)
    db = db_session()
    config = current_app.config
    window = timedelta(seconds=config["FHIR_RATE_WINDOW_SECONDS"])
    caller = tokens.use(db, token, config["FHIR_RATE_LIMIT"], window)
    if caller is None:
        known = tokens.refused(db, token, window)
        if known is not None and tokens.worth_auditing(known.refusals):
            _audit(
                "fhir_refused", known.name, status=401, reason=known.why, refusals=known.refusals
            )
        db.commit()
        raise FhirError(
            401,
            "The token is unknown, revoked or expired.",
            **{"WWW-Authenticate": 'Bearer realm="fhir", error="invalid_token"'},
        )
    db.commit()  # the request is counted whatever happens next
    return caller


def _audit(action: str, name: str, **details: Any) -> None:
    audit.record(
        db_session(),
        action,
        email=f"API token: {name}"[:254],
        target=request.path[:80],
        token=name,
        query=request.query_string.decode("latin-1")[:500],
        **details,
    )


def _api_call(view: Callable[..., tuple[Response, dict[str, Any]]]) -> Callable[..., Response]:
    """Authenticate, run the view, audit the call under the token's name whatever the
    outcome: a refusal, an answer, or an error that ends in a 500 (audited, then raised
    for the error handler and the log)."""

    @wraps(view)
    def wrapper(**kwargs: Any) -> Response:
        try:
            caller = _authenticate()
        except FhirError as error:
            return outcome(error.status, error.diagnostics, **error.headers)
        db = db_session()
        if caller.retry_after is not None:
            if tokens.worth_auditing(caller.refusals):
                _audit("fhir_refused", caller.name, status=429, refusals=caller.refusals)
                db.commit()
            return outcome(429, **{"Retry-After": str(caller.retry_after)})
        try:
            response, details = view(caller, **kwargs)
        except FhirError as error:
            db.rollback()
            _audit("fhir_refused", caller.name, status=error.status)
            db.commit()
            return outcome(error.status, error.diagnostics, **error.headers)
        except Exception:
            db.rollback()
            _audit("fhir_refused", caller.name, status=500)
            db.commit()
            raise
        _audit("fhir_read", caller.name, **details)
        db.commit()
        return response

    return wrapper


def _scope_for(rtype: str) -> str:
    if rtype in DEFINITIONS:
        return "definitions"
    if rtype in FROM_SUBMISSIONS:
        return "responses"
    raise FhirError(404, f"This server does not serve {rtype[:40]!r} resources.")


def _need(caller: tokens.Caller, rtype: str) -> None:
    scope = _scope_for(rtype)
    if not caller.may(scope):
        raise FhirError(403, f"Reading {rtype} needs the scope {scope!r}.")


def _want(caller: tokens.Caller, rtype: str) -> store.Want:
    want = FROM_SUBMISSIONS[rtype][0]
    if rtype == "QuestionnaireResponse" and caller.may("responses-with-contacts"):
        return store.Want(answers=True, contacts=True)
    return want


def _definitions(rtype: str) -> dict[str, dict[str, Any]]:
    if rtype == "Questionnaire":
        q = definitions.questionnaire()
        return {q["id"]: q}
    return definitions.code_systems()


def _matches(resource: dict[str, Any], args: Any) -> bool:
    fields = (("_id", "id"), ("url", "url"), ("version", "version"))
    return all(args[k] == resource[field] for k, field in fields if k in args)


def _bundle(
    rtype: str,
    entries: list[tuple[str, str]],
    links: list[dict[str, str]],
    total: int | None = None,
) -> str:
    """A searchset Bundle's JSON from its entries' (id, JSON text)."""
    head: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset"}
    if total is not None:
        head["total"] = total
    head["link"] = links
    base = _absolute("fhir.metadata").removesuffix("metadata") + rtype + "/"
    written = ",".join(
        f'{{"fullUrl":{dumps(base + rid)},"resource":{text},"search":{{"mode":"match"}}}}'
        for rid, text in entries
    )
    return f'{dumps(head)[:-1]},"entry":[{written}]}}'


def _next(rtype: str, args: Any, count: int, **position: str) -> dict[str, str]:
    params = args.to_dict(flat=False) | {"_count": [str(count)]} | position
    return {"relation": "next", "url": _absolute("fhir.search_type", rtype=rtype, **params)}


def _absolute(endpoint: str, **values: Any) -> str:
    """An address a record system keeps and follows later: on SITE_URL when it is set,
    whatever Host the request named (a port added to it would otherwise be written into
    every fullUrl and next link); without it, on the request's own host, which nginx passes
    on only with a port it serves on (deploy/nginx/prolotherapy-proxy.conf)."""
    site = current_app.config["SITE_URL"]
    if site:
        return site + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


@bp.get("/metadata")
def metadata() -> Response:
    """What this server does; open to all, as FHIR clients expect to discover it."""
    return resource_response(capability_statement(_absolute("fhir.metadata")))


@bp.get("/<rtype>")
@_api_call
def search_type(caller: tokens.Caller, rtype: str) -> tuple[Response, dict[str, Any]]:
    _need(caller, rtype)
    args = request.args
    self_link = [{"relation": "self", "url": request.url}]
    if rtype in DEFINITIONS:
        # A few dozen resources held in memory: a plain offset pages them.
        search.check_names(args, search.DEFINITION_PARAMS)
        count, offset = search.count(args), search.offset(args)
        matching = [r for r in _definitions(rtype).values() if _matches(r, args)]
        if offset + count < len(matching):
            self_link.append(_next(rtype, args, count, _offset=str(offset + count)))
        shown = [(r["id"], dumps(r)) for r in matching[offset : offset + count]]
        bundle = _bundle(rtype, shown, self_link, len(matching))
        return resource_response(bundle), {"rows": len(shown)}
    page = search.submission_page(args)
    build = FROM_SUBMISSIONS[rtype][1]
    want = _want(caller, rtype)
    found, next_cursor = store.page(db_session(), page.where, page.cursor, page.count, want)
    links = list(self_link)
    if next_cursor is not None:
        links.append(_next(rtype, args, page.count, _cursor=search.cursor_text(next_cursor)))
    entries = [r for s in found for r in build(s)]
    details = {"rows": len(found), "submissions": [s.id for s in found], "contacts": want.contacts}
    return resource_response(_bundle(rtype, entries, links)), details


@bp.get("/<rtype>/<rid>")
@_api_call
def read(caller: tokens.Caller, rtype: str, rid: str) -> tuple[Response, dict[str, Any]]:
    _need(caller, rtype)
    if not search.valid_id(rid):
        raise FhirError(404)
    if rtype in DEFINITIONS:
        found = _definitions(rtype).get(rid)
        if found is None:
            raise FhirError(404)
        return resource_response(found), {}
    submission_id = rid[:32] if rtype == "Flag" else rid
    build = FROM_SUBMISSIONS[rtype][1]
    want = _want(caller, rtype)
    db = db_session()
    stored = store.one(db, submission_id, want)
    if stored is None:
        if store.was_erased(db, submission_id):
            raise FhirError(410, "This resource was erased at the patient's request.")
        raise FhirError(410 if store.was_purged(db, submission_id) else 404)
    match = [text for built_id, text in build(stored) if built_id == rid]
    if not match:
        raise FhirError(404)
    return resource_response(match[0]), {"submissions": [stored.id], "contacts": want.contacts}

"""The prolotherapy self-assessment: `create_app` reads as a table of contents."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from questionnaire import cli
from questionnaire.core import (
    config,
    db,
    errors,
    health,
    i18n,
    keys,
    proxy_pages,
    request_log,
    security,
    static_files,
    words,
)
from questionnaire.core.forms import error_list
from questionnaire.core.fragments import choice_inputs
from questionnaire.core.release import VERSION
from questionnaire.core.words import answer_words, by_tier, printable
from questionnaire.fhir import api as fhir_api
from questionnaire.patient import views as patient
from questionnaire.staff import authenticator_views as authenticator
from questionnaire.staff import passwords
from questionnaire.staff import sign_in_views as auth
from questionnaire.staff.access import current_user, signed_in
from questionnaire.staff.admin import accounts_views, alerts_views, audit_views, erasure_views  # noqa: F401
from questionnaire.staff.admin import api_tokens_views as api_tokens
from questionnaire.staff.admin import common as admin
from questionnaire.staff.dashboard import views as dashboard
from questionnaire.staff.export import views as export
from questionnaire.staff.submissions import views as clinician
from rules import SECTIONS

__version__ = VERSION
ROOT = Path(__file__).resolve().parent.parent
csrf = CSRFProtect()


def release() -> str | None:
    """The version, for signed-in staff only (the staff pages' footer): an anonymous
    visitor, or a scanner, learns nothing of which release, with which known bugs, runs."""
    return VERSION if current_user() is not None else None


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=os.environ.get("INSTANCE_PATH") or str(ROOT / "instance"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.load(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
        if "SECRET_KEY" in test_config:
            app.config["SECRET_KEY_GENERATED"] = False
    request_log.init_app(app)  # before the first log line, and before any other hook
    if app.config["SECRET_KEY_GENERATED"] and not app.testing:
        app.logger.warning(
            "SECRET_KEY is not set: using a random key for this process only. Sessions and "
            "drafts in progress end when it restarts. Set SECRET_KEY to keep them."
        )

    if not app.config["MFA_REQUIRED"] and not app.testing:
        app.logger.warning(
            "MFA_REQUIRED is off: staff sign in with a password alone. Never run a clinic's "
            "site like this; it is for a developer's machine."
        )

    db.init_app(app)
    passwords.init_app(app)
    keys.init_app(app)
    csrf.init_app(app)
    security.init_app(app)
    static_files.init_app(app)
    i18n.init_app(app)  # after the edge checks: a refused request switches nothing
    errors.init_app(app)

    app.register_blueprint(patient.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(authenticator.bp)
    app.register_blueprint(clinician.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(export.bp)
    # accounts_views, alerts_views and audit_views attached their routes to it on import.
    app.register_blueprint(admin.bp)
    app.register_blueprint(api_tokens.bp)
    app.register_blueprint(erasure_views.bp)
    # Bearer tokens only, never the session cookie, and GET only: nothing to forge.
    csrf.exempt(fhir_api.bp)
    app.register_blueprint(fhir_api.bp)
    health.init_app(app)

    cli.init_app(app)
    proxy_pages.init_app(app)

    app.jinja_env.filters["printable"] = printable
    app.jinja_env.globals.update(
        sections=lambda: SECTIONS,
        answer_words=answer_words,
        by_tier=by_tier,
        choice_inputs=choice_inputs,
        error_list=error_list,
        current_user=current_user,
        signed_in=signed_in,
        release=release,
    )

    @app.context_processor
    def _clinic() -> dict[str, Any]:
        names = ("CLINIC_NAME", "CLINIC_PHONE", "BOOKING_URL", "EMERGENCY_NUMBER")
        return {"clinic": {k.lower(): app.config[k] for k in names}, "words": words}

    return app

"""Our own error pages: no traceback, SQL or secret ever reaches the browser."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from questionnaire.fhir import outcome as fhir_outcome

MESSAGES = {
    400: (
        "Something went wrong with that form",
        "The page may have been open too long. Go back, refresh the page and try again. "
        "Your saved answers are kept.",
    ),
    403: ("You cannot see this page", "Your account does not have access to this page."),
    404: (
        "Page not found",
        "Check the web address, or start from the home page. Results can only be seen "
        "in the browser that sent the answers.",
    ),
    405: ("That did not work", "This page cannot be opened that way. Go back and try again."),
    413: (
        "That was too much to send",
        "What you sent was too large. Go back, shorten your answers and try again.",
    ),
    500: (
        "Sorry, something went wrong on our side",
        "Nothing you did caused this. Your saved answers are kept: please try again in a "
        "few minutes, or phone the clinic.",
    ),
}


def init_app(app: Flask) -> None:
    def render(code: int) -> tuple[str, int] | Response:
        if fhir_outcome.is_fhir(request):
            # A record system reads JSON: the API's errors stay FHIR, whatever raised them.
            return fhir_outcome.outcome(code)
        title, message = MESSAGES.get(code, MESSAGES[500])
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(CSRFError)
    def _csrf(_e: CSRFError) -> tuple[str, int] | Response:
        return render(400)

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException) -> tuple[str, int] | Response:
        return render(e.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(e: Exception) -> tuple[str, int] | Response:
        # Logged with its traceback for us; the patient sees only our page.
        app.logger.exception("unhandled error", exc_info=e)
        return render(InternalServerError.code)

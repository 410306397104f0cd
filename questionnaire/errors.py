"""Our own error pages: no traceback, SQL or secret ever reaches the browser."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

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
    def render(code: int) -> tuple[str, int]:
        title, message = MESSAGES.get(code, MESSAGES[500])
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(CSRFError)
    def _csrf(_e: CSRFError) -> tuple[str, int]:
        return render(400)

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException) -> tuple[str, int]:
        return render(e.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(e: Exception) -> tuple[str, int]:
        # Logged with its traceback for us; the patient sees only our page.
        app.logger.exception("unhandled error", exc_info=e)
        return render(InternalServerError.code)

"""Business-rule errors raised by services, and the Dutch error pages."""

from flask import Flask, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.i18n import gettext as _


class PolicyError(Exception):
    """A business rule refused the action; the message is Dutch and shown to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleDataError(PolicyError):
    """Someone else saved the same record meanwhile (optimistic locking)."""


def show_refusal(error: PolicyError, form=None) -> None:
    """A refused use case: undo all of its writes, then show why, next to the field or on top.

    The one place views turn a PolicyError into what the person sees: the message next to
    the field it names when the form has that field, otherwise as a flash message.
    """
    from flask import flash

    from portal.extensions import db

    db.session.rollback()
    if form is not None and error.field and error.field in form:
        field = form[error.field]
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def _error_texts(code: int) -> tuple[str, str]:
    titles = {
        400: _("Invalid request"),
        403: _("No access"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        413: _("Too much data"),
        429: _("Too many attempts"),
        500: _("Something went wrong"),
    }
    explanations = {
        400: _("The request could not be processed. Go back and try again."),
        403: _("You do not have access to this page. Log in with another account, "
               "or ask your organisation's primary contact for the right."),
        404: _("This page does not exist (any more), or you have no access to it."),
        405: _("This page cannot be used in this way."),
        413: _("You sent more data than the portal accepts."),
        429: _("You tried too often in a short time. Wait a moment and try again."),
        500: _("An unexpected error occurred. Nothing was saved. Try again later; "
               "if it keeps happening, contact the federation."),
    }
    return titles.get(code, titles[500]), explanations.get(code, explanations[500])


def render_error(code: int, message: str | None = None):
    title, explanation = _error_texts(code)
    return (
        render_template(
            "errors/error.html", code=code, title=title, explanation=message or explanation
        ),
        code,
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def handle_csrf(error):
        return render_error(
            400, _("The form has expired or was not sent from this portal. Reload the page "
                   "and try again.")
        )

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        if error.code in (301, 302, 303, 307, 308):
            return error
        if request_ctx.url_adapter is None:
            # A Host outside TRUSTED_HOSTS: no URL can be built, so a page without links.
            title, explanation = _error_texts(error.code or 400)
            return (f"{title}\n{explanation}\n", error.code or 400,
                    {"Content-Type": "text/plain; charset=utf-8"})
        response = render_error(error.code or 500)
        if error.code == 405 and getattr(error, "valid_methods", None):
            return response[0], 405, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        from portal.extensions import db

        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)

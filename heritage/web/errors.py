"""Error pages: localised HTML for visitors, the JSON envelope under /api/. Never a stack trace."""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, g, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from heritage.errors import ValidationError
from heritage.extensions import db
from heritage.i18n.web import negotiate_request

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5  # a database restart or failover takes seconds; the pool reconnects itself


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(status: int, title: str, message: str):
    from heritage.web.api import error_response

    if _wants_json():
        return error_response(status, title.lower().replace(" ", "_"), message)
    if not getattr(g, "lang", None):
        g.lang = negotiate_request().lang
    return render_template("visitor/error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ValidationError)
    def _validation(error: ValidationError):
        db.session.rollback()
        return _render(400, "Bad request", error.message)

    @app.errorhandler(SecurityError)
    def _unknown_host(error: SecurityError):
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
        from heritage.web.api import error_response

        if _wants_json():
            return error_response(400, "unknown_host", "This host is not served here.")
        response = make_response("400 Bad Request: this host is not served here.\n", 400)
        response.mimetype = "text/plain"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return _render(400, "Bad request", error.description)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code == 404 and not _wants_json():
            if not getattr(g, "lang", None):
                g.lang = negotiate_request().lang
            return render_template("visitor/not_found.html"), 404
        response = make_response(_render(error.code or 500, error.name, error.description or error.name))
        # A 405 says which methods would work (RFC 9110); the exception knows them.
        valid = getattr(error, "valid_methods", None)
        if valid:
            response.headers["Allow"] = ", ".join(sorted(valid))
        return response

    @app.errorhandler(OperationalError)
    def _database_unavailable(error: OperationalError):
        # The database is restarting, failing over or locked: say "soon", not "broken". The
        # pool replaces dead connections on the next request (heritage.db): no restart is needed.
        log.warning("database unavailable: %s", type(error.orig).__name__ if error.orig else "unknown")
        with contextlib.suppress(Exception):
            db.session.rollback()
        message = _("The site is briefly unavailable. Please try again in a moment.")
        response = make_response(_render(503, "Service unavailable", message))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(InternalServerError)
    def _server_error(error):
        db.session.rollback()
        return _render(500, "Server error", "Something went wrong on our side. Please try again.")

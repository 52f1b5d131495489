"""Error pages: localised HTML for visitors, the JSON envelope under /api/. Never a stack trace."""

from __future__ import annotations

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from heritage.errors import ValidationError
from heritage.extensions import db
from heritage.i18n.web import negotiate_request


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

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return _render(400, "Bad request", error.description)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code == 404 and not _wants_json():
            if not getattr(g, "lang", None):
                g.lang = negotiate_request().lang
            return render_template("visitor/not_found.html"), 404
        return _render(error.code or 500, error.name, error.description or error.name)

    @app.errorhandler(InternalServerError)
    def _server_error(error):
        db.session.rollback()
        return _render(500, "Server error", "Something went wrong on our side. Please try again.")

"""Thin blueprints by audience: visitor pages, the scan URL, the JSON API."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from heritage.web import api, errors, security, visitor

    security.init_app(app)
    app.register_blueprint(visitor.bp)
    app.register_blueprint(api.bp)
    errors.init_app(app)

"""Thin blueprints by audience: visitor pages, the scan URL, the JSON API."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import BaseConverter

from heritage.analytics.scan_limit import ScanLimit
from heritage.web.microcache import MicroCache
from heritage.web.numbers import DatabaseIntConverter
from heritage.web.presenters import template_url_for


class LanguageConverter(BaseConverter):
    regex = "[a-z]{2,3}(?:-[A-Za-z]{2,4})?"


def register_web(app: Flask) -> None:
    from heritage.web import (
        admin,
        api,
        compression,
        errors,
        maps,
        media,
        offline,
        offline_packs,
        scan_fast_path,
        security,
        seo,
        static_files,
        trail_pages,
        visitor,
    )

    # Only language-shaped first segments reach the visitor pages: /favicon.ico or /robots.txt
    # are never redirected to "/favicon.ico/" as if they were a language.
    app.url_map.converters["lang"] = LanguageConverter
    # Every <int:...> id is one the database can hold: a longer one is a 404, not a driver error.
    app.url_map.converters["int"] = DatabaseIntConverter
    app.json = api.RequestJSON(app)

    # Wrapped first, so ProxyFix (in security) sits in front of it and it sees client addresses.
    scan_fast_path.init_app(app)
    security.init_app(app)
    static_files.init_app(app)
    compression.init_app(app)
    # Absolute links in templates come from PUBLIC_BASE_URL, never from the request's Host.
    app.jinja_env.globals["url_for"] = template_url_for
    seconds = app.config["PAGE_CACHE_SECONDS"]
    app.extensions["heritage.pages"] = MicroCache(seconds)
    app.extensions["heritage.scan_targets"] = MicroCache(seconds, max_entries=100_000)
    app.extensions["heritage.scan_limit"] = ScanLimit(
        app.config["SCAN_LIMIT_PER_MINUTE"], app.config["RATELIMIT_STORAGE_URI"]
    )
    app.register_blueprint(visitor.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(media.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(maps.bp)
    app.register_blueprint(trail_pages.bp)
    app.register_blueprint(seo.bp)
    app.register_blueprint(offline_packs.bp)
    offline.init_app(app)
    errors.init_app(app)

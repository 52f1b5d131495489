"""Quảng Ninh heritage QR platform: `create_app()` builds the Flask app and nothing else.

No migrations, no data loading and no network here: `flask heritage ...` commands do those.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    from heritage import config as settings
    from heritage.analytics import scans
    from heritage.extensions import babel, confine_limiter, csrf, db, limiter
    from heritage.i18n import web as i18n_web
    from heritage.ops import content_version, health
    from heritage.web import register_web

    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(settings.load_config())
    if test_config:
        app.config.update(test_config)
    settings.finalise(app.config)
    app.config.update(
        DEBUG=app.config["HERITAGE_ENV"] == "development" and app.config.get("DEBUG", False),
        BABEL_DEFAULT_LOCALE=app.config["DEFAULT_LANGUAGE"],
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["HERITAGE_ENV"] == "production",
        JSON_SORT_KEYS=False,
    )

    db.init_app(app)
    content_version.init_app(app)
    babel.init_app(app, locale_selector=i18n_web.select_locale)
    i18n_web.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    confine_limiter(app)
    scans.init_app(app)
    register_web(app)
    health.init_app(app)

    from heritage.cli import heritage_cli

    app.cli.add_command(heritage_cli)
    return app

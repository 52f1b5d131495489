"""Headers on every response: a strict CSP (inline critical CSS allowed by its hash only), HSTS in
production, no server banner. Requests for unknown hosts are refused; redirects never name a host.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, abort, redirect, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import WSGIRequestHandler

# The one third-party host a page may load from, and only the map page: OpenStreetMap's tiles.
MAP_TILE_ORIGIN = "https://tile.openstreetmap.org"


def allows_map_tiles(view):
    """Mark a view whose page draws OpenStreetMap tiles; every other page keeps `img-src 'self'`."""
    view.allows_map_tiles = True
    return view


def _csp(style_hash: str, img_extra: str = "") -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' '{style_hash}'",
            f"img-src 'self' data:{img_extra}",
            "media-src 'self'",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def init_app(app: Flask) -> None:
    css = (Path(app.static_folder) / "css" / "critical.css").read_text(encoding="utf-8").strip()
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    csp = _csp(f"sha256-{digest}")
    map_csp = _csp(f"sha256-{digest}", f" {MAP_TILE_ORIGIN}")
    production = app.config["HERITAGE_ENV"] == "production"
    proxies = app.config["TRUSTED_PROXY_COUNT"]
    if proxies:
        # Only what the proxies in front set is believed; the Host header is still checked
        # against TRUSTED_HOSTS (Flask's own check) and never used to build a public link.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    # The development server's banner names Werkzeug and Python with their versions; it is
    # written by the handler before the app's headers, so it can only be changed there.
    WSGIRequestHandler.version_string = _neutral_banner

    app.session_interface = VisitorFriendlySessions()

    @app.before_request
    def _refuse_nul():
        # No URL of ours has a NUL in it, and PostgreSQL refuses one in any string: a 400 here
        # keeps every path and query parameter of every route from reaching the database with it.
        # The query is read raw: only "%00" (or a bare NUL) decodes to one, and parsing it here
        # would cost every request.
        query = request.query_string
        if "\x00" in request.path or b"%00" in query or b"\x00" in query:
            abort(400)
        # A posted form's fields and file names are stored as text too (PostgreSQL: a 500).
        if request.method == "POST" and request.mimetype in _FORM_TYPES and _form_has_nul():
            abort(
                400, _("A field holds a NUL character, which no text may contain. Remove it and send again.")
            )

    @app.context_processor
    def _critical_css():
        # Inlined so the first paint needs no second request on a weak signal.
        return {"critical_css": Markup(css)}

    common = [
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"),
    ]
    if production:
        # includeSubDomains covers hosts under PUBLIC_BASE_URL's host only, all of them ours.
        common.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    # Each response gets the headers a view has not set itself (one pass over what it has set).
    page_headers = [(key.lower(), key, value) for key, value in [("Content-Security-Policy", csp), *common]]
    map_headers = [
        (key.lower(), key, value) for key, value in [("Content-Security-Policy", map_csp), *common]
    ]
    # The same headers for the scan fast path, which answers without Flask's hooks.
    app.extensions["heritage.page_headers"] = [(key, value) for _lowered, key, value in page_headers]

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        wanted = map_headers if getattr(view, "allows_map_tiles", False) else page_headers
        present = {key.lower() for key, _value in headers.items()}
        for lowered, key, value in wanted:
            if lowered not in present:
                headers.add(key, value)
        if "location" in present:
            _host_free_location(response)
        return response


_FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _form_has_nul() -> bool:
    fields = (value for _name, value in request.form.items(multi=True))
    names = (upload.filename or "" for _name, upload in request.files.items(multi=True))
    return any("\x00" in text for text in (*fields, *names))


class VisitorFriendlySessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, read only when the cookie is there: visitors never have
    one (only the back office signs in), and building the signer on every scan costs."""

    def open_session(self, app: Flask, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def _neutral_banner(handler) -> str:
    return "heritage"


def _host_free_location(response: Response) -> None:
    """Werkzeug's own redirects (`/vi` -> `/vi/`) are absolute with the request's host: make them
    relative, so no client-sent host reaches a Location header."""
    location = response.headers.get("Location")
    if not location:
        return
    parts = urlsplit(location)
    if parts.netloc and parts.netloc.lower() == request.host.lower():
        relative = parts._replace(scheme="", netloc="").geturl() or "/"
        response.headers["Location"] = relative
        if response.status_code in (301, 302, 303, 307, 308):  # its body repeats the URL
            response.set_data(redirect(relative, response.status_code).get_data())

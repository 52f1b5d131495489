"""The scan URL's common case answered before Flask: a plain GET of /q/<code> whose scan target
and page this process already holds (a tour group scanning one plaque, the case a festival
multiplies). It counts the scan and sends the cached page with the headers, log line and metric
the Flask view (`visitor.scan`) gives it. Anything else goes to that view: a query string, a
cookie, HEAD, a Range, a trail's code, a page not rendered yet, scans written in the request.
tests/web/test_scan_fast_path.py compares the two answers request by request.

Why: once the page is cached, Flask's request context, hooks and response object cost more than
the answer itself (bench/http_load.py: the scan took about 2.5x a hello-world's server time).
"""

from __future__ import annotations

import time

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

from heritage.analytics.scans import EXTENSION as SCAN_BUFFER
from heritage.analytics.scans import SALT_EXTENSION, scan_row
from heritage.i18n.web import negotiate_strings, wants_traditional_chinese_from
from heritage.ops.content_version import EXTENSION as CONTENT_VERSION
from heritage.ops.logs import REQUEST_ID
from heritage.sites.codes import normalise_code
from heritage.sites.visibility import is_viewable

ROUTES = {"/q/": "/q/<code>", "/Q/": "/Q/<code>"}
# A scan's answer, however it is made: never kept by any cache (each request is a scan to
# count), and it differs by language and by the language cookie.
SCAN_CACHE_CONTROL = "private, no-store"
SCAN_VARY = "Accept-Language, Cookie"
_MAX_PATHS = 4096


class ScanFastPath:
    """WSGI middleware in front of the Flask app (inside ProxyFix, so addresses are the client's)."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        config = app.config
        self.enabled = config["PAGE_CACHE_SECONDS"] > 0
        self.languages = tuple(config["LANGUAGES"])
        self.default_language = config["DEFAULT_LANGUAGE"]
        self.trusted_hosts = config["TRUSTED_HOSTS"] or None
        self._paths: dict[tuple[str, str, str], str] = {}

    def __call__(self, environ, start_response):
        answer = self.answer(environ) if self.enabled else None
        if answer is None:
            return self.wsgi_app(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def answer(self, environ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """(status, headers, body) for a scan answered here, after counting it; None: ask Flask."""
        started = time.perf_counter()
        path = environ.get("PATH_INFO", "")
        route = ROUTES.get(path[:3])
        code = path[3:]
        if (
            route is None
            or environ.get("REQUEST_METHOD") != "GET"
            or not code
            or "/" in code
            or environ.get("QUERY_STRING")
            or "HTTP_COOKIE" in environ
            or "HTTP_RANGE" in environ
        ):
            return None
        try:
            get_host(environ, self.trusted_hosts)  # as Flask does; a bad Host gets Flask's 400
        except SecurityError:
            return None
        canonical = normalise_code(code)
        if not canonical:
            return None
        extensions = self.app.extensions
        buffer = extensions[SCAN_BUFFER]
        if buffer.direct:
            return None
        # With Redis, known from the version's subscription: no round trip (content_version.py).
        version = extensions[CONTENT_VERSION].current()
        if version is None:
            return None
        target = extensions["heritage.scan_targets"].get(canonical, version)
        if target is None or target.site_id is None or target.slug is None or not is_viewable(target.state):
            return None
        header = environ.get("HTTP_ACCEPT_LANGUAGE")
        lang = negotiate_strings(self.languages, self.default_language, None, None, header).lang
        traditional = lang == "zh" and wants_traditional_chinese_from(header)
        page = extensions["heritage.pages"].get((lang, target.slug, traditional), version)
        if page is None:
            return None

        address = environ.get("REMOTE_ADDR")
        salt = extensions.get(SALT_EXTENSION)
        agent = environ.get("HTTP_USER_AGENT", "")
        visitor = salt.visitor(target.code, address, agent) if salt is not None else None
        row = scan_row(target.code, target.site_id, lang, visitor)
        buffer.add_limited(None, row, extensions["heritage.scan_limit"], address or "unknown")

        body, algorithm = page.body_for(environ.get("HTTP_ACCEPT_ENCODING", ""), self.app)
        requests = extensions["heritage.request_log"]
        request_id = requests.request_id(environ.get("HTTP_X_REQUEST_ID"))
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        if algorithm:
            headers.append(("Content-Encoding", algorithm))
        headers += [
            ("Heritage-Plaque-Code", page.code),
            ("Cache-Control", SCAN_CACHE_CONTROL),
            ("Vary", f"{SCAN_VARY}, Accept-Encoding"),  # as Flask-Compress adds it
            ("Content-Location", self._page_path(environ.get("SCRIPT_NAME", ""), lang, page.slug)),
            (REQUEST_ID, request_id),
            *extensions["heritage.page_headers"],
        ]
        requests.finished(request_id, "GET", route, "visitor.scan", 200, time.perf_counter() - started)
        return "200 OK", headers, body

    def _page_path(self, script_name: str, lang: str, slug: str) -> str:
        """The site page's path, as `url_for` gives it (built once per page, not per scan)."""
        key = (script_name, lang, slug)
        path = self._paths.get(key)
        if path is None:
            if len(self._paths) >= _MAX_PATHS:
                self._paths.clear()
            adapter = self.app.url_map.bind("localhost", script_name=script_name or "/")
            path = self._paths[key] = adapter.build("visitor.site_page", {"lang": lang, "slug": slug})
        return path


def init_app(app: Flask) -> None:
    app.wsgi_app = ScanFastPath(app, app.wsgi_app)

"""Our static files under content-hashed URLs (`static_url("js/visitor.js")` ->
`/static/js/visitor.3f2a1b9c0d.js`), served with a one-year immutable cache.

A changed file gets a new URL, so a phone never keeps an old script next to a new page. A URL
with an old or no hash still answers (a page saved before a deploy), but must be revalidated.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, current_app, request
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<suffix>\.[A-Za-z0-9]+)$")


@dataclass(frozen=True)
class StaticFile:
    data: bytes
    digest: str  # the first 10 hex digits of SHA-256: also the strong ETag
    mimetype: str
    mtime: float


class StaticFiles:
    """Files read once per change (checked by mtime), so development edits show at once.

    `recheck_seconds`: how long a URL given out is given again without looking at the file (a
    page names three or four: a stat each cost more than the rest of the lookup)."""

    def __init__(self, folder: str | Path, recheck_seconds: float = 0.0) -> None:
        self.folder = Path(folder)
        self.recheck_seconds = recheck_seconds
        self._files: dict[str, StaticFile] = {}
        self._urls: dict[str, tuple[float, str]] = {}  # filename -> (checked at, URL)
        self._lock = threading.Lock()

    def get(self, filename: str) -> StaticFile | None:
        path = safe_join(str(self.folder), filename)
        if path is None:
            return None
        try:
            mtime = Path(path).stat().st_mtime
        except (OSError, ValueError):
            return None
        with self._lock:
            known = self._files.get(filename)
        if known is not None and known.mtime == mtime:
            return known
        if not Path(path).is_file():
            return None
        data = Path(path).read_bytes()
        mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        found = StaticFile(data, hashlib.sha256(data).hexdigest()[:10], mimetype, mtime)
        with self._lock:
            self._files[filename] = found
        return found

    def url(self, filename: str) -> str:
        now = time.monotonic()
        known = self._urls.get(filename)
        if known is not None and now - known[0] < self.recheck_seconds:
            return known[1]
        found = self.get(filename)
        if found is None:
            raise LookupError(f"static file not found: {filename}")
        stem, dot, suffix = filename.rpartition(".")
        url = f"/static/{stem}.{found.digest}{dot}{suffix}" if dot else f"/static/{filename}.{found.digest}"
        self._urls[filename] = (now, url)
        return url


def static_url(filename: str) -> str:
    """The fingerprinted URL of a file under static/ (templates, the manifest, the service worker)."""
    return current_app.extensions["heritage.static"].url(filename)


def serve_static(filename: str) -> Response:
    """Flask's `static` endpoint, replaced: fingerprinted names are immutable for a year."""
    files: StaticFiles = current_app.extensions["heritage.static"]
    match = _HASHED.match(filename)
    wanted = None
    if match:
        wanted = match["digest"]
        filename = match["stem"] + match["suffix"]
    found = files.get(filename)
    if found is None:
        abort(404)
    response = Response(found.data, mimetype=found.mimetype)
    response.headers["Cache-Control"] = IMMUTABLE if wanted == found.digest else REVALIDATE
    response.set_etag(found.digest)
    # Conditional only here: a Range request gets its part uncompressed (compression skips 206).
    return response.make_conditional(request, accept_ranges=True, complete_length=len(found.data))


def init_app(app: Flask) -> None:
    # The types browsers expect (Python's table may say application/javascript or nothing).
    mimetypes.add_type("application/manifest+json", ".webmanifest")
    mimetypes.add_type("text/javascript", ".js")
    # A second's delay before an edited file's new URL shows (none while debugging).
    app.extensions["heritage.static"] = StaticFiles(app.static_folder, 0.0 if app.debug else 1.0)
    app.view_functions["static"] = serve_static
    app.jinja_env.globals["static_url"] = static_url

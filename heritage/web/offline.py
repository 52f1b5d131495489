"""What makes the visitor pages work with no signal: the service worker at the root scope, the
offline page it precaches (one per language), the web app manifest, and the record that counts
a scan queued on a phone exactly once when it finally arrives.
"""

from __future__ import annotations

import hashlib
import json
import threading

from flask import Blueprint, Response, current_app, g, render_template, request
from flask_babel import gettext as _
from limits.storage import storage_from_string

from heritage.i18n.web import supported_languages
from heritage.web.language_prefix import use_language_prefix
from heritage.web.static_files import static_url

bp = Blueprint("offline", __name__)

THEME_COLOR = "#9b2c1f"  # the plaques' heritage red, also the favicon's
BACKGROUND_COLOR = "#fbf8f3"
# Files every visitor page may use, precached when the service worker installs.
PRECACHED_FILES = ["js/visitor.js", "icons/icon-192.png", "icons/icon-512.png"]


use_language_prefix(bp)


@bp.get("/sw.js")
def service_worker():
    """Our service worker (static/sw.js) at the root, so its scope covers every page; the first
    line hands it this deployment's file names, so a new deploy is a new worker."""
    files = current_app.extensions["heritage.static"]
    source = files.get("sw.js")
    settings = {
        "languages": supported_languages(),
        "defaultLanguage": current_app.config["DEFAULT_LANGUAGE"],
        "assets": {name: static_url(name) for name in PRECACHED_FILES},
    }
    prelude = f"self.HERITAGE = {json.dumps(settings, sort_keys=True)};\n".encode()
    response = Response(prelude + source.data, mimetype="text/javascript")
    # Browsers revalidate the worker themselves; no cache in between may keep an old one.
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:20])
    return response.make_conditional(request)


@bp.get("/<lang:lang>/offline")
def offline_page():
    """Shown by the service worker for a page never saved; lists the saved ones (our script)."""
    response = Response(render_template("visitor/offline.html"))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<lang:lang>/manifest.webmanifest")
def manifest():
    name = _("Quảng Ninh heritage")
    document = {
        "name": name,
        "short_name": _("QN heritage"),
        "description": _("The story of every heritage site in Quảng Ninh, in your language."),
        "lang": g.lang,
        "start_url": f"/{g.lang}/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static_url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static_url("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = Response(json.dumps(document, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


class ScanReceipts:
    """Ids of offline scans already counted, kept SCAN_RECEIPT_SECONDS in the rate-limit storage
    (memory or Redis): a phone that resends after a lost answer is not counted twice. An id is a
    random UUID made by the phone: it says nothing about the visitor."""

    def __init__(self, seconds: int, storage_uri: str) -> None:
        self.seconds = seconds
        self.storage_uri = storage_uri
        self._storage = None
        self._lock = threading.Lock()

    def first_time(self, scan_id: str) -> bool:
        with self._lock:
            if self._storage is None:  # built in the worker, after gunicorn's fork
                self._storage = storage_from_string(self.storage_uri)
        return self._storage.incr(f"offline-scan/{scan_id}", self.seconds) == 1


def init_app(app) -> None:
    app.extensions["heritage.scan_receipts"] = ScanReceipts(
        app.config["SCAN_RECEIPT_SECONDS"], app.config["RATELIMIT_STORAGE_URI"]
    )
    app.register_blueprint(bp)

"""Headers on every response: a strict CSP (inline critical CSS allowed by its hash only)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from flask import Flask, Response
from markupsafe import Markup


def _csp(style_hash: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' '{style_hash}'",
            "img-src 'self' data:",
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
    production = app.config["HERITAGE_ENV"] == "production"

    @app.context_processor
    def _critical_css():
        # Inlined so the first paint needs no second request on a weak signal.
        return {"critical_css": Markup(css)}

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

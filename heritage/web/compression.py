"""Responses compressed by the app itself (Brotli, else gzip, by the client's Accept-Encoding), so
`make run` and a bare gunicorn send what a proxy would: a site page travels in one round trip.

Text only (HTML, JSON, CSS, JS, SVG, the manifest); never a partial answer to a Range request,
whose byte offsets name the uncompressed file.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response, current_app, request
from flask_compress import Compress
from flask_compress.flask_compress import _choose_algorithm, _compress_data

COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "application/xml",
    "image/svg+xml",
]


ALGORITHMS = ("br", "gzip")
MIN_SIZE = 500  # below one packet compression saves no round trip


@lru_cache(maxsize=256)
def choose_encoding(accept_encoding: str) -> str | None:
    """The encoding Flask-Compress would choose for this Accept-Encoding (br, gzip or None)."""
    return _choose_algorithm(ALGORITHMS, accept_encoding)


def compress_body(data: bytes, algorithm: str, app: Flask | None = None) -> bytes:
    """`data` compressed exactly as Flask-Compress compresses a response."""
    return _compress_data(app or current_app, data, algorithm)


def init_app(app: Flask) -> None:
    app.config.update(
        COMPRESS_REGISTER=False,  # our own hook below decides first
        COMPRESS_MIMETYPES=COMPRESSED_TYPES,
        COMPRESS_ALGORITHM=list(ALGORITHMS),
        COMPRESS_ALGORITHM_STREAMING=["br", "gzip"],
        COMPRESS_LEVEL=6,
        COMPRESS_BR_LEVEL=5,  # a 7 KB page in well under a millisecond
        COMPRESS_MIN_SIZE=MIN_SIZE,
    )
    compress = Compress(app)

    @app.after_request
    def _compress(response: Response) -> Response:
        if response.status_code == 206 or "Range" in request.headers:
            return response
        return compress.after_request(response)

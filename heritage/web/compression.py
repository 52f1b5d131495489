"""Responses compressed by the app itself (Brotli, else gzip, by the client's Accept-Encoding), so
`make run` and a bare gunicorn send what a proxy would: a site page travels in one round trip.

Text only (HTML, JSON, CSS, JS, SVG, the manifest); never a partial answer to a Range request,
whose byte offsets name the uncompressed file.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

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


def init_app(app: Flask) -> None:
    app.config.update(
        COMPRESS_REGISTER=False,  # our own hook below decides first
        COMPRESS_MIMETYPES=COMPRESSED_TYPES,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br", "gzip"],
        COMPRESS_LEVEL=6,
        COMPRESS_BR_LEVEL=5,  # a 7 KB page in well under a millisecond
        COMPRESS_MIN_SIZE=500,  # below one packet compression saves no round trip
    )
    compress = Compress(app)

    @app.after_request
    def _compress(response: Response) -> Response:
        if response.status_code == 206 or "Range" in request.headers:
            return response
        return compress.after_request(response)

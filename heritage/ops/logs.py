"""One log line per request: request id, route, status, duration. No address, no user agent.

The request id comes from the proxy's `X-Request-ID` when a trusted proxy is in front (nginx sets
it), else it is made here; either way it is echoed in the response so a report can quote it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, request

from heritage.ops.metrics import REQUEST_SECONDS

REQUEST_ID = "X-Request-ID"
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
request_log = logging.getLogger("heritage.request")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", {})
        text = super().format(record)
        return text + "".join(f" {key}={value}" for key, value in fields.items())


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (a test runner swaps it; gunicorn keeps it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def _handler() -> logging.Handler:
    """This app's stderr handler on the `heritage` logger, added once per process."""
    logger = logging.getLogger("heritage")
    for handler in logger.handlers:
        if getattr(handler, "heritage", False):
            return handler
    handler = _StderrHandler()
    handler.heritage = True
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return handler


def init_app(app: Flask) -> None:
    _handler().setFormatter(JsonFormatter() if app.config["LOG_FORMAT"] == "json" else PlainFormatter())
    trust_proxy_id = app.config["TRUSTED_PROXY_COUNT"] > 0

    def _start():
        g.request_started = time.perf_counter()
        given = request.headers.get(REQUEST_ID, "") if trust_proxy_id else ""
        g.request_id = given if _SAFE_ID.fullmatch(given) else uuid.uuid4().hex

    def _finish(response: Response) -> Response:
        started = g.get("request_started") or time.perf_counter()
        seconds = time.perf_counter() - started
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers[REQUEST_ID] = request_id
        # Raw paths or made-up methods would make a metric per URL: label by route, known methods.
        endpoint = request.endpoint or "unmatched"
        method = request.method if request.method in _METHODS else "other"
        REQUEST_SECONDS.labels(endpoint, method).observe(seconds)
        fields = {
            "request_id": request_id,
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "endpoint": endpoint,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 2),
        }
        if request_log.isEnabledFor(logging.INFO):
            # makeRecord + handle: the same record `info()` makes, without walking the stack to
            # find the caller (a third of the line's cost; the caller is always this function).
            record = request_log.makeRecord(
                request_log.name, logging.INFO, __file__, 0, "request", (), None, extra={"fields": fields}
            )
            request_log.handle(record)
        return response

    # First in, so the clock starts before any other hook can refuse the request.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)

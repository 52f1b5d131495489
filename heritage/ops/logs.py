"""One log line per request: request id, route, status, duration. No address, no user agent.

The request id comes from the proxy's `X-Request-ID` when a trusted proxy is in front (nginx sets
it), else it is made here; either way it is echoed in the response so a report can quote it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime

from flask import Flask, Response, g, request

from heritage.ops.metrics import REQUEST_SECONDS

REQUEST_ID = "X-Request-ID"
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


_JSON = json.JSONEncoder(
    ensure_ascii=False
)  # made once: json.dumps(..., ensure_ascii=False) makes one a call


def json_line(created: float, level: str, logger: str, message: str, fields: dict) -> str:
    stamp = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
    line = {"time": stamp, "level": level, "logger": logger, "message": message, **fields}
    return _JSON.encode(line)


def plain_line(created: float, level: str, logger: str, message: str, fields: dict) -> str:
    stamp = datetime.fromtimestamp(created, UTC).strftime("%Y-%m-%d %H:%M:%S")
    return f"{stamp} {level} {logger}: {message}" + "".join(f" {k}={v}" for k, v in fields.items())


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = dict(getattr(record, "fields", {}))
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        return json_line(record.created, record.levelname, record.name, record.getMessage(), fields)


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = plain_line(
            record.created, record.levelname, record.name, record.getMessage(), getattr(record, "fields", {})
        )
        return text + ("\n" + self.formatException(record.exc_info) if record.exc_info else "")


def write_request_line(line: str) -> None:
    """One write of one whole line: cheaper than a LogRecord, and lines never interleave."""
    # stderr closed (a process shutting down): the line is lost, never the request.
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(line + "\n")


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


class RequestLog:
    """How a request ends: its request id, its latency metric and its one log line. Flask's
    hook below uses it, and so does the scan fast path (heritage/web/scan_fast_path.py)."""

    def __init__(self, render, trust_proxy_id: bool) -> None:
        self.render = render
        self.trust_proxy_id = trust_proxy_id
        self._timers: dict[tuple[str, str], object] = {}

    def request_id(self, given: str | None) -> str:
        """The proxy's id when a trusted proxy sent a well-formed one, else a new one."""
        given = (given or "") if self.trust_proxy_id else ""
        return given if _SAFE_ID.fullmatch(given) else secrets.token_hex(16)

    def finished(
        self,
        request_id: str,
        method: str,
        route: str | None,
        endpoint: str | None,
        status: int,
        seconds: float,
    ) -> None:
        # Raw paths or made-up methods would make a metric per URL: label by route, known methods.
        endpoint = endpoint or "unmatched"
        known_method = method if method in _METHODS else "other"
        timer = self._timers.get((endpoint, known_method))
        if timer is None:
            timer = self._timers[endpoint, known_method] = REQUEST_SECONDS.labels(endpoint, known_method)
        timer.observe(seconds)
        fields = {
            "request_id": request_id,
            "method": method,
            "route": route,
            "endpoint": endpoint,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
        }
        # Written straight to stderr, not through `logging`: a LogRecord and its handler cost
        # several times the line itself, on every request (other records still use logging).
        write_request_line(self.render(time.time(), "INFO", "heritage.request", "request", fields))


def init_app(app: Flask) -> None:
    _handler().setFormatter(JsonFormatter() if app.config["LOG_FORMAT"] == "json" else PlainFormatter())
    render = json_line if app.config["LOG_FORMAT"] == "json" else plain_line
    requests = app.extensions["heritage.request_log"] = RequestLog(
        render, app.config["TRUSTED_PROXY_COUNT"] > 0
    )

    def _start():
        g.request_started = time.perf_counter()
        g.request_id = requests.request_id(request.headers.get(REQUEST_ID))

    def _finish(response: Response) -> Response:
        started = g.get("request_started") or time.perf_counter()
        request_id = g.get("request_id") or secrets.token_hex(16)
        response.headers[REQUEST_ID] = request_id
        rule = request.url_rule
        requests.finished(
            request_id,
            request.method,
            rule.rule if rule else None,
            request.endpoint,
            response.status_code,
            time.perf_counter() - started,
        )
        return response

    # First in, so the clock starts before any other hook can refuse the request.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)

"""Record scans and count them. Callers pass only what may be stored; there is no slot for more.

The app's scan buffer (`heritage.analytics.buffer`) decides when the row is written: in the
request's transaction, or in a batch a moment later. Without an app, the row is written at once.
"""

from __future__ import annotations

import atexit
import secrets

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from heritage.analytics.buffer import ScanBuffer, flush_all
from heritage.analytics.visitors import DailySalt
from heritage.sites.models import utcnow

EXTENSION = "heritage.scan_buffer"
SALT_EXTENSION = "heritage.visitor_salt"
_exit_hook = []


def visitor_of(code: str, address: str | None, user_agent: str | None) -> str | None:
    """The day's visitor key for a scan of `code` (see visitors.py); the address goes no further."""
    salt = current_app.extensions.get(SALT_EXTENSION) if has_app_context() else None
    return salt.visitor(code, address, user_agent) if salt is not None else None


def scan_row(code: str, site_id: int | None, lang: str, visitor: str | None) -> dict:
    """What is stored of one scan (no address, no user agent: the visitor key only), with the
    receipt that keeps it from being written twice."""
    return {
        "code": code,
        "site_id": site_id,
        "lang": lang,
        "scanned_at": utcnow(),
        "visitor": visitor,
        "receipt": secrets.token_urlsafe(16),
    }


def record_scan(
    session: Session,
    code: str,
    site_id: int | None,
    lang: str,
    visitor: str | None = None,
    client: str | None = None,
) -> None:
    """Count a scan; with `client` (the address it came from) only within that address's
    `SCAN_LIMIT_PER_MINUTE`, applied where the buffer applies it best (see add_limited)."""
    row = scan_row(code, site_id, lang, visitor)
    buffer = current_app.extensions.get(EXTENSION) if has_app_context() else None
    if buffer is None:
        ScanBuffer._write_in_request(session, row)
    elif client is not None:
        buffer.add_limited(session, row, current_app.extensions["heritage.scan_limit"], client)
    else:
        buffer.add(session, row)


def init_app(app) -> ScanBuffer:
    """One buffer per app, writing through the app's engine; its timer starts on first use."""
    from heritage.extensions import db

    buffer = ScanBuffer(
        db.engine,
        float(app.config["SCAN_FLUSH_SECONDS"]),
        app.config["REDIS_URL"],
        push_seconds=float(app.config["SCAN_PUSH_SECONDS"]),
    )
    app.extensions[EXTENSION] = buffer
    app.extensions[SALT_EXTENSION] = DailySalt(app.config["SCAN_DAY_TIMEZONE"], app.config["REDIS_URL"])
    if not _exit_hook:  # held scans are written when the process ends normally
        _exit_hook.append(atexit.register(flush_all))
    # In Redis mode every process helps flush the shared queue, even one that takes no scans.
    app.before_request(buffer.ensure_running)
    return buffer

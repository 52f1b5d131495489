"""Record scans and count them. Callers pass only what may be stored; there is no slot for more.

The app's scan buffer (`heritage.analytics.buffer`) decides when the row is written: in the
request's transaction, or in a batch a moment later. Without an app, the row is written at once.
"""

from __future__ import annotations

import atexit

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from heritage.analytics.buffer import ScanBuffer, flush_all
from heritage.sites.models import utcnow

EXTENSION = "heritage.scan_buffer"
_exit_hook = []


def record_scan(session: Session, code: str, site_id: int | None, lang: str) -> None:
    row = {"code": code, "site_id": site_id, "lang": lang, "scanned_at": utcnow()}
    buffer = current_app.extensions.get(EXTENSION) if has_app_context() else None
    if buffer is None:
        ScanBuffer._write_in_request(session, row)
    else:
        buffer.add(session, row)


def init_app(app) -> ScanBuffer:
    """One buffer per app, writing through the app's engine; its timer starts on first use."""
    from heritage.extensions import db

    buffer = ScanBuffer(db.engine, float(app.config["SCAN_FLUSH_SECONDS"]), app.config["REDIS_URL"])
    app.extensions[EXTENSION] = buffer
    if not _exit_hook:  # held scans are written when the process ends normally
        _exit_hook.append(atexit.register(flush_all))
    # In Redis mode every process helps flush the shared queue, even one that takes no scans.
    app.before_request(buffer.ensure_running)
    return buffer

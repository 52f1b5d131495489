"""Record scans and count them. Callers pass only what may be stored; there is no slot for more."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from heritage.analytics.models import Scan
from heritage.sites.models import utcnow

# Built once: the scan path is the hottest write, and nothing reads the row back, so a plain
# INSERT on the session's connection skips the ORM's unit of work and statement building.
_INSERT_SCAN = insert(Scan)


def record_scan(session: Session, code: str, site_id: int | None, lang: str) -> None:
    values = {"code": code, "site_id": site_id, "lang": lang, "scanned_at": utcnow()}
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # A scan is a counter, not a volunteer's work: skip waiting for the WAL flush on this
        # transaction only. A database crash may lose the last fraction of a second of scans
        # (never corrupts), the same as SQLite's WAL with synchronous=NORMAL.
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
    connection.execute(_INSERT_SCAN, values)

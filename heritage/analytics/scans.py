"""Record scans and count them. Callers pass only what may be stored; there is no slot for more."""

from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from heritage.analytics.models import Scan
from heritage.sites.models import utcnow


def record_scan(session: Session, code: str, site_id: int | None, lang: str) -> None:
    # A plain INSERT: the scan path is the hottest write, and nothing reads the row back.
    session.execute(insert(Scan).values(code=code, site_id=site_id, lang=lang, scanned_at=utcnow()))


def scan_count(session: Session, site_id: int) -> int:
    return session.scalar(select(func.count()).where(Scan.site_id == site_id)) or 0

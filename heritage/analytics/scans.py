"""Record scans and count them. Callers pass only what may be stored; there is no slot for more."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heritage.analytics.models import Scan


def record_scan(session: Session, code: str, site_id: int | None, lang: str) -> Scan:
    scan = Scan(code=code, site_id=site_id, lang=lang)
    session.add(scan)
    session.flush()
    return scan


def scan_count(session: Session, site_id: int) -> int:
    return session.scalar(select(func.count()).where(Scan.site_id == site_id)) or 0

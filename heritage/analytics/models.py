"""One row per plaque scan: which code, which site, when, which language was served, and a
visitor key that only tells two scans of one site on one day apart (see `visitors.py`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from heritage.db import Base
from heritage.sites.models import utcnow


class Scan(Base):
    __tablename__ = "scans"
    __table_args__ = (
        Index("ix_scans_site_time", "site_id", "scanned_at"),
        Index("ux_scans_receipt", "receipt", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(5))
    # Not a foreign key: scan history is kept even if a site row is ever deleted.
    site_id: Mapped[int | None] = mapped_column(Integer)
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lang: Mapped[str] = mapped_column(String(16))
    # HMAC of (site, address, user agent) under that day's salt, which is never stored: after the
    # day it links to no one. None when unknown (older scans, salt store down).
    visitor: Mapped[str | None] = mapped_column(String(32))
    # Drawn when the scan is answered: a scan handed to the database twice (a Redis reply lost,
    # a batch read again after a failed trim) is written once. None on older rows.
    receipt: Mapped[str | None] = mapped_column(String(22))

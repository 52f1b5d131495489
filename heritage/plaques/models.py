"""Print records: every batch of plaques produced, and which codes it held.

Re-printing a site makes a new batch row with the same code; codes never change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heritage.accounts.models import User
from heritage.db import Base
from heritage.sites.models import utcnow


class PrintBatch(Base):
    __tablename__ = "print_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Who printed, as text: "cli:<operating-system user>" or "web:<email>" (kept if the account goes).
    created_by: Mapped[str] = mapped_column(String(120))
    # The back-office account that printed; None for the command line.
    printed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    format: Mapped[str] = mapped_column(String(8))  # png | svg | pdf
    size: Mapped[str] = mapped_column(String(40))  # preset name or "WxHmm"
    width_mm: Mapped[float] = mapped_column(Float)
    height_mm: Mapped[float] = mapped_column(Float)
    sheet: Mapped[str | None] = mapped_column(String(8))  # A4 | A3 for batch sheets
    error_correction: Mapped[str] = mapped_column(String(1))
    bleed_mm: Mapped[float] = mapped_column(Float, default=0)
    crop_marks: Mapped[bool] = mapped_column(Boolean, default=False)
    base_url: Mapped[str] = mapped_column(String(200))  # the host the codes point at when printed

    printed_by: Mapped[User | None] = relationship(lazy="joined")
    items: Mapped[list[PrintBatchItem]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", order_by="PrintBatchItem.id"
    )


class PrintBatchItem(Base):
    __tablename__ = "print_batch_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("print_batches.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(5), index=True)
    # Not a foreign key, like scans: the print history outlives a deleted site row.
    site_id: Mapped[int | None] = mapped_column(Integer, index=True)
    url: Mapped[str] = mapped_column(String(300))  # exactly what the QR encodes

    batch: Mapped[PrintBatch] = relationship(back_populates="items")

"""A checked spreadsheet kept between the dry run and the confirmation, for a short time.

The person confirms by the file's SHA-256 and never sends it twice; the row is deleted once the
import is done and rows past IMPORT_KEEP_MINUTES are deleted whenever a new file arrives. In
the database, not a folder, so every app process and server sees the same file.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from heritage.db import Base, utcnow


class PendingImport(Base):
    __tablename__ = "pending_imports"
    __table_args__ = (UniqueConstraint("user_id", "sha256", name="uq_pending_imports_user_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    # The unit rows without one go to, as chosen on the upload form.
    default_unit: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

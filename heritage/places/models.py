"""A place's name in one language, keyed by the Vietnamese form that sites store."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from heritage.db import Base


class PlaceName(Base):
    """One row per (Vietnamese form, language): a new language needs rows, not a migration.

    Sites keep the Vietnamese form in `district`, `commune`, `province` and `border_gate`; a page
    in another language looks the form up here and shows the Vietnamese one when no row exists.
    """

    __tablename__ = "place_names"
    __table_args__ = (UniqueConstraint("vi", "lang", name="uq_place_names_vi_lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vi: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))

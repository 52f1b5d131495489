"""A trail, its words per language and its ordered stops (each a site)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.collections import attribute_keyed_dict

from heritage.accounts.models import Unit
from heritage.db import Base, string_enum, utcnow
from heritage.sites.models import PublicationState, Site


class Trail(Base):
    __tablename__ = "trails"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    # The code of the trail's own plaque (issued from the sites' pool, so a scan finds one or the
    # other): its scan URL opens the trail page. Never changes, like a site's.
    plaque_code: Mapped[str | None] = mapped_column(String(5), unique=True)
    # The same states and the same visibility rule as sites (heritage.sites.visibility).
    state: Mapped[PublicationState] = mapped_column(
        string_enum(PublicationState, "publication_state"), default=PublicationState.draft
    )
    # The unit whose editors keep the trail; none: a province-wide trail, kept by editors with
    # wide scope (the culture office) and admins (heritage.trails.editing.can_edit_trail).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    texts: Mapped[dict[str, TrailText]] = relationship(
        collection_class=attribute_keyed_dict("lang"), cascade="all, delete-orphan", back_populates="trail"
    )
    stops: Mapped[list[TrailStop]] = relationship(
        order_by="TrailStop.position", cascade="all, delete-orphan", back_populates="trail"
    )
    unit: Mapped[Unit | None] = relationship()

    def __repr__(self) -> str:
        return f"<Trail {self.slug}>"


class TrailText(Base):
    """A trail's name, one-line summary and Markdown introduction in one language."""

    __tablename__ = "trail_texts"
    __table_args__ = (UniqueConstraint("trail_id", "lang", name="uq_trail_texts_trail_lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trail_id: Mapped[int] = mapped_column(ForeignKey("trails.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")

    trail: Mapped[Trail] = relationship(back_populates="texts")


class TrailStop(Base):
    """One site on a trail, at `position` (1, 2, 3...). A site may come back later on a loop."""

    __tablename__ = "trail_stops"
    # Positions are rewritten together on a reorder, so they are not a unique key (a swap would
    # collide halfway); the index serves "this trail's stops in order" and "trails through a site".
    __table_args__ = (
        Index("ix_trail_stops_trail_id_position", "trail_id", "position"),
        Index("ix_trail_stops_site_id", "site_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trail_id: Mapped[int] = mapped_column(ForeignKey("trails.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)

    trail: Mapped[Trail] = relationship(back_populates="stops")
    site: Mapped[Site] = relationship()

"""A site's 360° walk-through: each panorama's scene settings and its hotspots.

Kept in tables of their own keyed by the panorama's `media_files.id` (the panorama row stays as the
tiler wrote it). Words per language are small JSON maps {lang: text}: a new language needs no
migration, and a hotspot's label is never long enough to deserve its own table.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heritage.db import Base, string_enum, utcnow
from heritage.media.models import MediaFile


class HotspotKind(enum.StrEnum):
    scene = "scene"  # walks to another scene of the same site
    info = "info"  # shows a text


class Scene(Base):
    __tablename__ = "scenes"

    panorama_id: Mapped[int] = mapped_column(
        ForeignKey("media_files.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)  # order within the site; first opens first
    titles: Mapped[dict] = mapped_column(JSON, default=dict)
    # The view a visitor starts at (Pannellum's yaw, pitch, hfov, in degrees).
    yaw: Mapped[float] = mapped_column(Float, default=0.0)
    pitch: Mapped[float] = mapped_column(Float, default=0.0)
    hfov: Mapped[float] = mapped_column(Float, default=100.0)
    # Pannellum's northOffset (0..360); None until an editor sets it, and then the compass shows.
    north_offset: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    panorama: Mapped[MediaFile] = relationship(foreign_keys=[panorama_id])
    hotspots: Mapped[list[SceneHotspot]] = relationship(
        back_populates="scene",
        cascade="all, delete-orphan",
        order_by="SceneHotspot.id",
        foreign_keys="SceneHotspot.scene_id",
    )

    def __repr__(self) -> str:
        return f"<Scene {self.panorama_id} #{self.position}>"


class SceneHotspot(Base):
    __tablename__ = "scene_hotspots"
    __table_args__ = (Index("ix_scene_hotspots_scene_id", "scene_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.panorama_id", ondelete="CASCADE"))
    kind: Mapped[HotspotKind] = mapped_column(string_enum(HotspotKind, "hotspot_kind"))
    # A scene hotspot's destination; deleting that panorama deletes the hotspots leading to it.
    target_id: Mapped[int | None] = mapped_column(ForeignKey("scenes.panorama_id", ondelete="CASCADE"))
    yaw: Mapped[float] = mapped_column(Float)
    pitch: Mapped[float] = mapped_column(Float)
    texts: Mapped[dict] = mapped_column(JSON, default=dict)  # a scene link's label, or the info text
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    scene: Mapped[Scene] = relationship(back_populates="hotspots", foreign_keys=[scene_id])
    target: Mapped[Scene | None] = relationship(foreign_keys=[target_id])

    def __repr__(self) -> str:
        return f"<SceneHotspot {self.kind} {self.yaw:.1f}/{self.pitch:.1f}>"


class SceneNarration(Base):
    """A recording that plays when its scene opens: a narration row (heritage.media.narration,
    same renditions and archive) that belongs to one scene instead of the whole site."""

    __tablename__ = "scene_narrations"
    __table_args__ = (Index("ix_scene_narrations_scene_id", "scene_id"),)

    narration_id: Mapped[int] = mapped_column(
        ForeignKey("media_files.id", ondelete="CASCADE"), primary_key=True
    )
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.panorama_id", ondelete="CASCADE"))


def of_scene(scene_id: int | None):
    """SQL on MediaFile: the site's own recordings (no scene), or one scene's."""
    linked = select(SceneNarration.narration_id).where(SceneNarration.narration_id == MediaFile.id)
    if scene_id is None:
        return ~linked.exists()
    return linked.where(SceneNarration.scene_id == scene_id).exists()

"""Every stored file is a `MediaFile` row; the bytes live in storage under their SHA-256.

Photos carry alt text per language in `media_texts` (one row per language, like `site_texts`),
so adding a language needs no migration. Derivatives point at their photo through `parent_id`.

A file visitors may see is approved (`approved_at`) and not archived; a derivative follows the
photo, recording or panorama it belongs to (`heritage.media.approval`).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.collections import attribute_keyed_dict

from heritage.accounts.models import User
from heritage.db import Base
from heritage.sites.models import Site, utcnow


class MediaKind(enum.StrEnum):
    photo = "photo"  # the normalised original: oriented, metadata stripped
    photo_derivative = "photo_derivative"  # a served width and format of a photo
    narration = "narration"
    narration_rendition = "narration_rendition"
    panorama = "panorama"
    panorama_tile = "panorama_tile"
    panorama_preview = "panorama_preview"


class MediaFile(Base):
    __tablename__ = "media_files"
    __table_args__ = (
        # Serving looks a file up by its hash; a site's page lists its photos in order.
        Index("ix_media_files_sha256", "sha256"),
        Index("ix_media_files_site_id_kind_position", "site_id", "kind", "position"),
        Index("ix_media_files_parent_id", "parent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Deleting a site deletes its rows: a site-less row would be public (see visibility).
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    kind: Mapped[MediaKind] = mapped_column(
        Enum(MediaKind, name="media_kind", native_enum=False, create_constraint=True, length=32)
    )
    lang: Mapped[str | None] = mapped_column(String(16))  # narration: the language spoken
    sha256: Mapped[str] = mapped_column(String(64))  # also the storage key
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    credit: Mapped[str | None] = mapped_column(String(300))
    licence: Mapped[str | None] = mapped_column(String(120))
    # Kept as text for people only; never used as a path.
    original_name: Mapped[str | None] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(Integer, default=0)  # order of a site's photos
    # Narration spoken by a machine (the demo's espeak-ng), never a person: labelled beside the player.
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Removed from the site by an editor: no longer shown or served, the bytes are kept.
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("media_files.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Who uploaded it (None: the system, or an account since deleted), and which editor let
    # visitors see it. Pending (approved_at None) files are shown in the back office only.
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    site: Mapped[Site | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    parent: Mapped[MediaFile | None] = relationship(remote_side=[id], back_populates="derivatives")
    derivatives: Mapped[list[MediaFile]] = relationship(
        back_populates="parent", cascade="all, delete-orphan", order_by="MediaFile.width"
    )
    texts: Mapped[dict[str, MediaText]] = relationship(
        collection_class=attribute_keyed_dict("lang"), cascade="all, delete-orphan", back_populates="media"
    )

    @property
    def is_pending(self) -> bool:
        """Waiting for an editor: not yet shown to visitors."""
        owner = self.parent if self.parent_id is not None else self
        return owner.approved_at is None

    def __repr__(self) -> str:
        return f"<MediaFile {self.kind} {self.sha256[:12]} {self.media_type} {self.width}x{self.height}>"


class MediaText(Base):
    """A photo's words in one language: its alt text (what a screen reader says) and caption."""

    __tablename__ = "media_texts"
    __table_args__ = (UniqueConstraint("media_id", "lang", name="uq_media_texts_media_lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media_files.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(16))
    alt: Mapped[str] = mapped_column(String(500))
    caption: Mapped[str | None] = mapped_column(String(1000))  # shown under the photo

    media: Mapped[MediaFile] = relationship(back_populates="texts")


def kept_name(original_name: str | None) -> str | None:
    """An upload's file name as kept: text only, never a path (the bytes are stored under their
    hash). The last part of whatever path a browser or tool sent, at most 255 characters."""
    return (original_name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or None

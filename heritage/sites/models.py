"""Sites of every kind, their texts per language, plaque codes and old slugs.

One table for all kinds (single-table inheritance): the kind-specific columns are few and
nullable, and the visitor list queries every kind at once without joins.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.collections import attribute_keyed_dict

from heritage.accounts.models import Unit
from heritage.db import Base, string_enum, utcnow
from heritage.sites import markdown


class SiteKind(enum.StrEnum):
    heritage_relic = "heritage_relic"
    red_address = "red_address"
    border_marker = "border_marker"
    scenic_spot = "scenic_spot"


class LocationPrecision(enum.StrEnum):
    surveyed = "surveyed"
    approximate = "approximate"
    unknown = "unknown"


class Ranking(enum.StrEnum):
    special_national = "special_national"
    national = "national"
    provincial = "provincial"
    inventoried = "inventoried"
    none = "none"


class HeritageType(enum.StrEnum):
    historical = "historical"
    architectural_artistic = "architectural_artistic"
    archaeological = "archaeological"
    scenic = "scenic"


class PublicationState(enum.StrEnum):
    draft = "draft"
    in_review = "in_review"
    published = "published"
    archived = "archived"


class MarkerType(enum.StrEnum):
    single = "single"
    double = "double"
    triple = "triple"


class MarkerRole(enum.StrEnum):
    main = "main"
    auxiliary = "auxiliary"


class Site(Base):
    __tablename__ = "sites"
    # Each serves a visitor query: list filters and related sites (ordered by slug), complexes.
    __table_args__ = (
        Index("ix_sites_state_district_slug", "state", "district", "slug"),
        Index("ix_sites_state_kind_slug", "state", "kind", "slug"),
        Index("ix_sites_part_of_id_slug", "part_of_id", "slug"),  # a complex's parts in slug order
        Index("ix_sites_state_latitude_longitude", "state", "latitude", "longitude"),  # nearby: a box
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SiteKind] = mapped_column(string_enum(SiteKind, "site_kind"))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    plaque_code: Mapped[str] = mapped_column(ForeignKey("plaque_codes.code"), unique=True)
    state: Mapped[PublicationState] = mapped_column(
        string_enum(PublicationState, "publication_state"), default=PublicationState.draft
    )
    province: Mapped[str] = mapped_column(String(120), default="Quảng Ninh")
    district: Mapped[str | None] = mapped_column(String(120))
    commune: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    location_precision: Mapped[LocationPrecision] = mapped_column(
        string_enum(LocationPrecision, "location_precision"), default=LocationPrecision.unknown
    )
    location_radius_m: Mapped[int | None] = mapped_column(Integer)
    ranking: Mapped[Ranking] = mapped_column(string_enum(Ranking, "ranking"), default=Ranking.none)
    ranking_decision: Mapped[str | None] = mapped_column(String(120))
    ranking_date: Mapped[date | None] = mapped_column(Date)
    ranking_year: Mapped[int | None] = mapped_column(Integer)
    heritage_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{"title": ..., "url": ...}]: citations shown on the page, in order.
    sources: Mapped[list[dict]] = mapped_column(JSON, default=list)
    part_of_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"))
    # The unit that manages the site (named on its plaque); scope for volunteers and editors.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # Optimistic locking: every editing service bumps it, and an edit made from an older version is
    # refused (heritage/review). It is also the mapper's version column, so an UPDATE of a row that
    # another transaction changed since it was read fails instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    # Border marker only.
    marker_number: Mapped[str | None] = mapped_column(String(20))
    marker_type: Mapped[MarkerType | None] = mapped_column(string_enum(MarkerType, "marker_type"))
    marker_role: Mapped[MarkerRole | None] = mapped_column(string_enum(MarkerRole, "marker_role"))
    elevation_m: Mapped[int | None] = mapped_column(Integer)
    border_gate: Mapped[str | None] = mapped_column(String(120))
    # Red address only (the one-line event itself is a text, per language).
    event_date: Mapped[date | None] = mapped_column(Date)
    event_period: Mapped[str | None] = mapped_column(String(60))

    texts: Mapped[dict[str, SiteText]] = relationship(
        collection_class=attribute_keyed_dict("lang"),
        cascade="all, delete-orphan",
        back_populates="site",
    )
    part_of: Mapped[Site | None] = relationship(remote_side=[id])
    unit: Mapped[Unit | None] = relationship()

    __mapper_args__ = {"polymorphic_on": "kind", "version_id_col": version, "version_id_generator": False}

    @property
    def is_published(self) -> bool:
        return self.state == PublicationState.published

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.slug} {self.plaque_code}>"


class HeritageRelic(Site):
    __mapper_args__ = {"polymorphic_identity": SiteKind.heritage_relic}


class RedAddress(Site):
    __mapper_args__ = {"polymorphic_identity": SiteKind.red_address}


class BorderMarker(Site):
    __mapper_args__ = {"polymorphic_identity": SiteKind.border_marker}


class ScenicSpot(Site):
    __mapper_args__ = {"polymorphic_identity": SiteKind.scenic_spot}


SITE_CLASSES: dict[SiteKind, type[Site]] = {
    SiteKind.heritage_relic: HeritageRelic,
    SiteKind.red_address: RedAddress,
    SiteKind.border_marker: BorderMarker,
    SiteKind.scenic_spot: ScenicSpot,
}


class SiteText(Base):
    """A site's words in one language. Any language code works: no migration to add one."""

    __tablename__ = "site_texts"
    # The unique pair also serves the per-page "texts of these sites" lookup; (lang, sort_key)
    # walks the alphabetical list a page at a time. Search's trigram index (FTS5 on SQLite,
    # pg_trgm on PostgreSQL) is kept by the migration, outside the models (sites/search.py).
    __table_args__ = (
        UniqueConstraint("site_id", "lang", name="uq_site_texts_site_lang"),
        Index("ix_site_texts_lang_sort_key", "lang", "sort_key", "site_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown
    event: Mapped[str | None] = mapped_column(String(300))  # red address: the event in one line
    # Name and summary folded to ASCII lower case, for diacritics-insensitive search.
    search_key: Mapped[str] = mapped_column(Text, default="")
    # The name alone, folded the same way: exact-name and prefix matches rank first.
    name_key: Mapped[str] = mapped_column(Text, default="")
    # ICU collation key of the name in this text's language (sites/collation.py): bytes that
    # both databases compare alike, so the list is alphabetical for its reader.
    sort_key: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    # The story as sanitised HTML, rendered from `body` whenever it is set (the listener below;
    # bulk inserts pass it): a page read does no Markdown or sanitising. Links to the sites it
    # names are added per page (they depend on other sites). Migration 0021 filled old rows.
    body_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    # How a story names this site, case-folded (markdown.mention_key of the name): a page's
    # mention candidates are filtered in SQL by whether its story holds this, not in Python.
    mention_key: Mapped[str] = mapped_column(Text, default="", server_default="")

    site: Mapped[Site] = relationship(back_populates="texts")


@event.listens_for(SiteText.body, "set")
def _render_body(target: SiteText, value: str | None, _old, _initiator) -> None:
    target.body_html = markdown.render_markdown(value or "")


@event.listens_for(SiteText.name, "set")
def _key_name(target: SiteText, value: str | None, _old, _initiator) -> None:
    target.mention_key = markdown.mention_key(value or "")


class PlaqueCode(Base):
    """Every code ever issued. Rows are never deleted, so a code is never issued twice."""

    __tablename__ = "plaque_codes"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    # The site the code opens; it follows the site through renames and archiving. Not a
    # foreign key on purpose: the code row outlives even a deleted site row, so the scan
    # page can say "removed" instead of the code ever being handed out again.
    site_id: Mapped[int | None] = mapped_column(Integer, index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SlugRedirect(Base):
    """An old slug that still reaches its site with a permanent redirect."""

    __tablename__ = "slug_redirects"

    old_slug: Mapped[str] = mapped_column(String(120), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

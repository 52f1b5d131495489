"""A site as its public page reads it: plain values from one statement, not ORM objects.

Building a Site and its texts through the ORM (identity map, instance state, a row processor per
column and row) cost more than everything else a cold page reads: 370 µs against 120 for the same
statement's rows (bench/cold_page.py). A page only reads, so it takes the row's values as they come
(the same Python values the ORM would set: enums, dates, decoded JSON) into a `PageSite` with the
Site's attribute names, and its texts into `PageText`s. Everything else (editing, the API, the back
office) works on Site objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from heritage.sites.linked import has_parts_exists
from heritage.sites.models import Site, SiteText
from heritage.web.media import shown_media_bits

_COLUMNS = tuple(Site.__table__.c)
# The text columns a page shows (not each language's Markdown nor its search keys).
_TEXT_COLUMNS = ("lang", "name", "summary", "event", "body_html")


@dataclass(frozen=True, slots=True)
class PageText:
    lang: str
    name: str
    summary: str
    event: str | None
    body_html: str


class PageSite:
    """The Site's column attributes, plus `texts` ({lang: PageText}), `shown_media` (the media kinds'
    bits, see heritage.web.media) and `has_parts` (whether visible sites are part of it)."""

    __slots__ = (*(column.key for column in _COLUMNS), "texts", "shown_media", "has_parts")

    def __repr__(self) -> str:
        return f"<PageSite {self.slug}>"


@cache
def _statement() -> Select:
    """Built once, bound per page: the site's row with each of its texts (one row per language)."""
    texts = SiteText.__table__
    return (
        select(
            *_COLUMNS,
            shown_media_bits().label("shown_media"),
            has_parts_exists().label("has_parts"),
            *(texts.c[name].label(f"text_{name}") for name in _TEXT_COLUMNS),
        )
        .select_from(Site.__table__)
        .outerjoin(texts, texts.c.site_id == Site.__table__.c.id)
        .where(Site.__table__.c.slug == bindparam("slug"))
    )


def page_site(session: Session, slug: str) -> PageSite | None:
    """The site whose current slug is `slug`, or None (an old slug: see site_for_slug)."""
    rows = session.connection().execute(_statement(), {"slug": slug}).all()
    if not rows:
        return None
    site = PageSite()
    first = rows[0]._mapping
    for column in _COLUMNS:
        setattr(site, column.key, first[column])
    site.shown_media = first["shown_media"]
    site.has_parts = bool(first["has_parts"])
    site.texts = {
        row.text_lang: PageText(
            row.text_lang, row.text_name, row.text_summary, row.text_event, row.text_body_html
        )
        for row in rows
        if row.text_lang is not None
    }
    return site

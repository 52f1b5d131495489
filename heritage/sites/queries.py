"""Read-side queries for lists, search and related sites: a fixed number of queries per page."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, load_only, selectinload

from heritage.pagination import Page
from heritage.sites.models import PublicationState, Site, SiteKind, SiteText
from heritage.sites.slugs import search_key
from heritage.sites.visibility import LISTED

VISIBLE = LISTED  # the one rule lives in heritage.sites.visibility


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filtered_sites(
    query: str | None = None,
    kind: str | None = None,
    district: str | None = None,
    states: tuple[PublicationState, ...] = VISIBLE,
) -> Select:
    """Sites matching every word of `query` in any language, diacritics ignored."""
    stmt = select(Site).where(Site.state.in_(states))
    if kind:
        stmt = stmt.where(Site.kind == SiteKind(kind))
    if district:
        stmt = stmt.where(Site.district == district)
    for word in search_key(query or "").split():
        pattern = f"%{_escape_like(word)}%"
        stmt = stmt.where(
            Site.id.in_(select(SiteText.site_id).where(SiteText.search_key.like(pattern, escape="\\")))
        )
    return stmt


def list_sites(
    session: Session,
    langs: list[str],
    page: int = 1,
    per_page: int = 20,
    **filters,
) -> Page[Site]:
    """One page of sites, texts in `langs` preloaded in one extra query (no query per row)."""
    stmt = filtered_sites(**filters)
    total = session.scalar(stmt.with_only_columns(func.count(Site.id)).order_by(None))
    rows = session.scalars(
        stmt.order_by(Site.slug)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .options(selectinload(Site.texts.and_(SiteText.lang.in_(langs))).defer(SiteText.body))
    ).all()
    return Page(items=rows, page=page, per_page=per_page, total=total or 0)


def districts(session: Session) -> list[str]:
    stmt = (
        select(Site.district)
        .where(Site.state.in_(VISIBLE), Site.district.is_not(None))
        .distinct()
        .order_by(Site.district)
    )
    return list(session.scalars(stmt))


def related_sites(session: Session, site: Site, langs: list[str], limit: int = 6) -> list[Site]:
    """Published sites near this one in the story: its complex, its siblings, then its district
    (or its kind). Small indexed queries, never a sort over every site."""
    complex_id = site.part_of_id or site.id
    visible = (Site.state.in_(VISIBLE), Site.id != site.id)
    candidates = [
        select(Site.id).where(*visible, Site.id == site.part_of_id),
        select(Site.id).where(*visible, Site.part_of_id == complex_id).order_by(Site.slug).limit(limit),
        select(Site.id).where(*visible, Site.district == site.district).order_by(Site.slug).limit(limit)
        if site.district
        else select(Site.id).where(*visible, Site.kind == site.kind).order_by(Site.slug).limit(limit),
    ]
    ids: list[int] = []
    for stmt in candidates:
        for site_id in session.scalars(stmt):
            if site_id not in ids:
                ids.append(site_id)
    ids = ids[:limit]
    if not ids:
        return []
    # Cards show kind, slug, name and summary: load just those, not stories or JSON columns.
    loaded = session.scalars(
        select(Site)
        .where(Site.id.in_(ids))
        .options(
            load_only(Site.id, Site.kind, Site.slug, Site.state),
            selectinload(Site.texts.and_(SiteText.lang.in_(langs))).load_only(
                SiteText.lang, SiteText.name, SiteText.summary
            ),
        )
    )
    by_id = {s.id: s for s in loaded}
    return [by_id[i] for i in ids]

"""Sites a page links to: a complex's components, and the sites its story may name.

Which states a visitor may see comes from `heritage.sites.visibility`, the one rule.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only, selectinload

from heritage.sites.models import Site, SiteText
from heritage.sites.visibility import LISTED

# A story names a handful of places; a bounded list keeps a render cheap at 100,000 sites.
MENTION_CANDIDATES = 200


def _visible():
    return Site.state.in_(LISTED)


def component_sites(session: Session, site: Site, langs: list[str]) -> list[Site]:
    """The visible sites that are part of this complex, by slug, loaded for cards."""
    return list(
        session.scalars(
            select(Site)
            .where(_visible(), Site.part_of_id == site.id)
            .order_by(Site.slug)
            .options(
                load_only(Site.id, Site.kind, Site.slug, Site.state, Site.updated_at),
                selectinload(Site.texts.and_(SiteText.lang.in_(langs))).load_only(
                    SiteText.lang, SiteText.name, SiteText.summary
                ),
            )
        )
    )


def mention_candidates(session: Session, site: Site, lang: str) -> list[tuple[str, str]]:
    """(name in `lang`, slug) of the visible sites this site's story is likely to name: its
    complex (parent, siblings, parts) and its district. Names only, one indexed query each."""
    complex_id = site.part_of_id or site.id
    others = (_visible(), Site.id != site.id)
    # Each an indexed query with its own limit: no sort over a district of thousands of sites.
    candidates = [
        select(Site.id).where(*others, Site.id == complex_id),
        select(Site.id)
        .where(*others, Site.part_of_id == complex_id)
        .order_by(Site.slug)
        .limit(MENTION_CANDIDATES),
    ]
    if site.district:
        candidates.append(
            select(Site.id)
            .where(*others, Site.district == site.district)
            .order_by(Site.slug)
            .limit(MENTION_CANDIDATES)
        )
    ids: list[int] = []
    for stmt in candidates:
        ids.extend(i for i in session.scalars(stmt) if i not in ids)
    ids = ids[:MENTION_CANDIDATES]
    if not ids:
        return []
    rows = session.execute(
        select(SiteText.name, Site.slug)
        .join(Site, Site.id == SiteText.site_id)
        .where(SiteText.site_id.in_(ids), SiteText.lang == lang)
    )
    return [(name, slug) for name, slug in rows]

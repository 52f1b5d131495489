"""Sites a page links to: a complex's components, and the sites its story may name.

Which states a visitor may see comes from `heritage.sites.visibility`, the one rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select, Subquery, and_, bindparam, literal, select, union_all
from sqlalchemy.orm import Session

from heritage.sites.models import PublicationState, Site, SiteKind, SiteText
from heritage.sites.visibility import LISTED

# A story names a handful of places; a bounded list keeps a render cheap at 100,000 sites.
MENTION_CANDIDATES = 200


def _visible():
    return Site.state.in_(LISTED)


@dataclass(frozen=True)
class CardText:
    name: str
    summary: str


@dataclass(frozen=True)
class SiteCard:
    """What a card about another site shows: plain values read in the page's statement, not ORM
    objects (building and tracking those cost more than the lookups at 100,000 sites)."""

    id: int
    kind: SiteKind
    slug: str
    state: PublicationState
    updated_at: datetime | None
    texts: dict[str, CardText]  # the page's language chain only


def card_columns() -> tuple:
    return (Site.id, Site.kind, Site.slug, Site.state, Site.updated_at)


def with_card_texts(stmt: Select, site_id) -> Select:
    """`stmt` (selecting card_columns()) with each site's name and summary in the bound `langs`:
    one row per site and language, a site without any of them once."""
    return stmt.add_columns(SiteText.lang, SiteText.name, SiteText.summary).outerjoin(
        SiteText,
        and_(SiteText.site_id == site_id, SiteText.lang.in_(bindparam("langs", expanding=True))),
    )


def site_cards(rows) -> list[SiteCard]:
    """Cards from rows of card_columns() + (lang, name, summary), in the rows' order; a site that
    comes again later (in two candidate lists) keeps its first place."""
    cards: dict[int, SiteCard] = {}
    for site_id, kind, slug, state, updated_at, lang, name, summary in rows:
        card = cards.get(site_id)
        if card is None:
            card = cards[site_id] = SiteCard(site_id, kind, slug, state, updated_at, {})
        if lang is not None:
            card.texts.setdefault(lang, CardText(name, summary))
    return list(cards.values())


@cache
def _component_statement() -> Select:
    stmt = select(*card_columns()).where(_visible(), Site.part_of_id == bindparam("site_id"))
    return with_card_texts(stmt, Site.id).order_by(Site.slug)


def component_sites(session: Session, site: Site, langs: list[str]) -> list[SiteCard]:
    """The visible sites that are part of this complex, by slug, as cards: one statement."""
    return site_cards(session.execute(_component_statement(), {"site_id": site.id, "langs": langs}))


def candidate_ids(parts: list[Select]) -> Subquery:
    """(id, priority, slug) of each part's sites, the parts in order: one statement for a page's
    lists of nearby sites. A site in two parts comes twice; callers keep its first place."""
    ranked = []
    for priority, part in enumerate(parts):
        # Wrapped: SQLite takes no ORDER BY/LIMIT on a bare member of a UNION.
        inner = part.subquery()
        ranked.append(select(inner.c.id, literal(priority).label("priority"), inner.c.slug))
    return union_all(*ranked).subquery("candidates")


@cache
def _mention_statement() -> Select:
    """Built once (statement building costs more than the indexed lookups it runs): bound per page."""
    others = (_visible(), Site.id != bindparam("site_id"))
    # Each an indexed lookup with its own limit: no sort over a district of thousands of sites.
    candidates = candidate_ids(
        [
            select(Site.id, Site.slug).where(*others, Site.id == bindparam("complex_id")),
            select(Site.id, Site.slug)
            .where(*others, Site.part_of_id == bindparam("complex_id"))
            .order_by(Site.slug)
            .limit(MENTION_CANDIDATES),
            # A site without a district compares with NULL: no rows, as intended.
            select(Site.id, Site.slug)
            .where(*others, Site.district == bindparam("district"))
            .order_by(Site.slug)
            .limit(MENTION_CANDIDATES),
        ]
    )
    names = SiteText.__table__
    return (
        select(candidates.c.id, candidates.c.slug, names.c.name)
        .select_from(candidates)
        .outerjoin(names, and_(names.c.site_id == candidates.c.id, names.c.lang == bindparam("lang")))
        .order_by(candidates.c.priority, candidates.c.slug)
    )


def mention_candidates(session: Session, site: Site, lang: str) -> list[tuple[str, str]]:
    """(name in `lang`, slug) of the visible sites this site's story is likely to name: its
    complex (parent, siblings, parts) and its district. One statement, names only."""
    rows = session.execute(
        _mention_statement(),
        {
            "site_id": site.id,
            "complex_id": site.part_of_id or site.id,
            "district": site.district,
            "lang": lang,
        },
    )
    seen: set[int] = set()
    found = []
    for site_id, slug, name in rows:
        if site_id in seen:
            continue
        seen.add(site_id)
        if len(seen) > MENTION_CANDIDATES:
            break
        if name is not None:  # the first MENTION_CANDIDATES sites count, named in `lang` or not
            found.append((name, slug))
    return found

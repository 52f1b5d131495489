"""Sites a page links to: a complex's components, and the sites its story may name.

Which states a visitor may see comes from `heritage.sites.visibility`, the one rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, Select, Subquery, Text, and_, bindparam, func, literal, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import FunctionElement

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


@cache  # built once: building it (an alias of Site) cost more than the statement's run
def has_parts_exists():
    """Whether any visible site is part of the site of the enclosing statement's row (an indexed
    EXISTS): read with a page's site so that component_sites runs only for a complex."""
    parts = aliased(Site)
    return select(parts.id).where(parts.part_of_id == Site.id, parts.state.in_(LISTED)).exists()


def component_sites(session: Session, site: Site, langs: list[str]) -> list[SiteCard]:
    """The visible sites that are part of this complex, by slug, as cards: one statement (none
    when the site's statement read has_parts and it has none)."""
    if getattr(site, "has_parts", None) is False:  # a page's site (web.page_site) knows
        return []
    return site_cards(
        session.connection().execute(_component_statement(), {"site_id": site.id, "langs": langs})
    )


def candidate_ids(parts: list[Select]) -> Subquery:
    """(id, priority, slug) of each part's sites, the parts in order: one statement for a page's
    lists of nearby sites. A site in two parts comes twice; callers keep its first place."""
    ranked = []
    for priority, part in enumerate(parts):
        # Wrapped: SQLite takes no ORDER BY/LIMIT on a bare member of a UNION.
        inner = part.subquery()
        ranked.append(select(inner.c.id, literal(priority).label("priority"), inner.c.slug))
    return union_all(*ranked).subquery("candidates")


class _position(FunctionElement):
    """Where `part` first occurs in `text` (1-based, 0: nowhere; case-sensitive): instr() on SQLite,
    strpos() on PostgreSQL."""

    type = Integer()
    inherit_cache = True


@compiles(_position)
def _position_postgresql(element, compiler, **kw):
    text, part = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"strpos({text}, {part})"


@compiles(_position, "sqlite")
def _position_sqlite(element, compiler, **kw):
    text, part = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"instr({text}, {part})"


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
    # A site in two lists keeps its first place; the first MENTION_CANDIDATES sites count.
    first = (
        select(candidates.c.id, candidates.c.slug, func.min(candidates.c.priority).label("priority"))
        .group_by(candidates.c.id, candidates.c.slug)
        .order_by("priority", candidates.c.slug)
        .limit(MENTION_CANDIDATES)
        .subquery("first")
    )
    names = SiteText.__table__
    # Of those, only the ones named in `lang` whose mention key the story holds: a page gets the
    # few rows it links, not 200 names to look for in Python.
    return (
        select(first.c.slug, names.c.name)
        .join(
            names,
            and_(
                names.c.site_id == first.c.id,
                names.c.lang == bindparam("lang"),
                _position(bindparam("story", type_=Text), names.c.mention_key) > 0,
            ),
        )
        .order_by(first.c.priority, first.c.slug)
    )


def mention_candidates(session: Session, site: Site, lang: str, story: str) -> list[tuple[str, str]]:
    """(name in `lang`, slug) of the visible sites this site's story is likely to name: of its
    complex (parent, siblings, parts) and its district, the first MENTION_CANDIDATES, those whose
    mention key `story` (the story's text, case-folded) holds. One statement."""
    rows = session.connection().execute(  # plain rows: no ORM execution layer
        _mention_statement(),
        {
            "site_id": site.id,
            "complex_id": site.part_of_id or site.id,
            "district": site.district,
            "lang": lang,
            "story": story,
        },
    )
    return [(name, slug) for slug, name in rows]

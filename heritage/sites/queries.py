"""Read-side queries for lists, search and related sites: a fixed number of queries per page."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Select, Subquery, and_, bindparam, exists, func, literal, select, union, union_all
from sqlalchemy import text as sql
from sqlalchemy.orm import Session, aliased, selectinload

from heritage.pagination import Page
from heritage.sites.linked import SiteCard, candidate_ids, card_columns, site_cards, with_card_texts
from heritage.sites.models import PublicationState, Site, SiteKind, SiteText
from heritage.sites.search import CODE_MATCH, SearchQuery, text_matches, text_rank
from heritage.sites.visibility import LISTED

VISIBLE = LISTED  # the one rule lives in heritage.sites.visibility


@cache
def _chain_text(position: int):
    """site_texts joined for the language at `position` of the chain (aliasing costs: made once)."""
    return aliased(SiteText, name=f"chain_text_{position}")


def _filtered(kind: str | None, district: str | None, states: tuple[PublicationState, ...]) -> Select:
    stmt = select(Site).where(Site.state.in_(states))
    if kind:
        stmt = stmt.where(Site.kind == SiteKind(kind))
    if district:
        stmt = stmt.where(Site.district == district)
    return stmt


def _ranked_matches(search: SearchQuery, lang: str, dialect: str) -> Subquery:
    """(site_id, rank) for every site with a text containing every word, or with the code."""
    hits = [
        select(SiteText.site_id.label("site_id"), text_rank(search, lang).label("rank")).where(
            *text_matches(search, dialect)
        )
    ]
    if search.code:
        hits.append(
            select(Site.id.label("site_id"), literal(CODE_MATCH).label("rank")).where(
                Site.plaque_code == search.code
            )
        )
    every = union_all(*hits).subquery()
    return select(every.c.site_id, func.min(every.c.rank).label("rank")).group_by(every.c.site_id).subquery()


def _has_text(langs: list[str]):
    return exists().where(SiteText.site_id == Site.id, SiteText.lang.in_(langs))


def _alphabetical(base: Select, langs: list[str]) -> list[Select]:
    """The list as consecutive segments: sites named in the visitor's language, in its
    alphabetical order (an index walk, whatever the size); then those shown in each fallback
    language, in that language's order; then any left, by slug."""
    segments = []
    for i, lang in enumerate(langs):
        text = _chain_text(i)
        stmt = base.join(text, and_(text.site_id == Site.id, text.lang == lang))
        if i:
            stmt = stmt.where(~_has_text(langs[:i]))
        segments.append(stmt.order_by(text.sort_key, text.site_id))
    segments.append(base.where(~_has_text(langs)).order_by(Site.slug))
    return segments


def _count(session: Session, stmt: Select) -> int:
    return session.scalar(stmt.with_only_columns(func.count(Site.id)).order_by(None)) or 0


def list_sites(
    session: Session,
    langs: list[str],
    page: int = 1,
    per_page: int = 20,
    search: SearchQuery | None = None,
    kind: str | None = None,
    district: str | None = None,
    states: tuple[PublicationState, ...] = VISIBLE,
) -> Page[Site]:
    """One page of sites: ranked matches of `search`, else alphabetical for `langs[0]`'s reader.
    Texts in `langs` are preloaded in one extra query per statement (no query per row)."""
    base = _filtered(kind, district, states)
    texts = selectinload(Site.texts.and_(SiteText.lang.in_(langs))).defer(SiteText.body)
    offset = (page - 1) * per_page
    if search is None:
        total = _count(session, base)
        items = _page_of_segments(session, _alphabetical(base, langs), offset, per_page, total, texts)
    else:
        items, total = _ranked_page(session, base, search, langs, offset, per_page, texts)
    return Page(items=items, page=page, per_page=per_page, total=total)


def _ranked_page(session, base: Select, search: SearchQuery, langs, offset, per_page, texts):
    """Matches of `search` by rank, equal ranks by the name shown; the total rides along with
    the page (a window count), so matching and ranking run once."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # Searches with as many words share one SQL text, which psycopg prepares after five
        # runs; PostgreSQL may then reuse a generic plan blind to the words, and a plan fit for
        # a common word made a rare word's search 5x slower. Plan each search for its words.
        session.execute(sql("SET LOCAL plan_cache_mode = force_custom_plan"))
    ranked = _ranked_matches(search, langs[0], dialect)
    matching = base.join(ranked, ranked.c.site_id == Site.id)
    stmt, order = matching.add_columns(func.count().over().label("total")), [ranked.c.rank]
    for i, lang in enumerate(langs):
        text = _chain_text(i)
        stmt = stmt.outerjoin(text, and_(text.site_id == Site.id, text.lang == lang))
        order += [text.sort_key.is_(None), text.sort_key]
    rows = session.execute(stmt.order_by(*order, Site.id).limit(per_page).offset(offset).options(texts)).all()
    if rows:
        return [row[0] for row in rows], rows[0].total
    return [], _count(session, matching) if offset else 0


def _page_of_segments(session, segments: list[Select], offset: int, per_page: int, total: int, texts) -> list:
    """Rows offset..offset+per_page of the segments laid end to end. A segment is counted only
    when a page starts beyond its end, so the first pages cost one query each."""
    items: list[Site] = []
    before = 0  # rows in the segments already passed
    for stmt in segments:
        position = offset + len(items)
        if len(items) == per_page or position >= total:
            break
        skip = position - before
        rows = list(session.scalars(stmt.offset(skip).limit(per_page - len(items)).options(texts)))
        items.extend(rows)
        before += skip + len(rows) if rows or skip == 0 else _count(session, stmt)
    return items


def districts(session: Session) -> list[str]:
    """The districts that have a listed site, in order: the list page's filter."""
    return list(session.scalars(_districts_statement()))


@cache
def _districts_statement() -> Select:
    """SELECT DISTINCT read every listed site's index entry (10 ms on each list page at 100,000
    sites). Neither database skips through an index by itself, so this hops from one district
    to the next: one index seek per district on (state, district), whatever the number of sites."""
    per_state = []
    for state in VISIBLE:
        first = select(func.min(Site.district)).where(Site.state == state, Site.district.is_not(None))
        hops = select(first.scalar_subquery().label("district")).cte(
            f"districts_{state.name}", recursive=True
        )
        following = select(func.min(Site.district)).where(
            Site.state == state, Site.district > hops.c.district
        )
        hops = hops.union_all(select(following.scalar_subquery()).where(hops.c.district.is_not(None)))
        per_state.append(select(hops.c.district).where(hops.c.district.is_not(None)))
    found = union(*per_state).subquery() if len(per_state) > 1 else per_state[0].subquery()
    return select(found.c.district).order_by(found.c.district)


@cache
def _related_statement(by_district: bool, limit: int) -> Select:
    """Built once, bound per page (building a statement costs more than running it)."""
    visible = (Site.state.in_(VISIBLE), Site.id != bindparam("site_id"))
    near = Site.district == bindparam("district") if by_district else Site.kind == bindparam("kind")
    candidates = candidate_ids(
        [
            select(Site.id, Site.slug).where(*visible, Site.id == bindparam("part_of_id")),
            select(Site.id, Site.slug)
            .where(*visible, Site.part_of_id == bindparam("complex_id"))
            .order_by(Site.slug)
            .limit(limit),
            select(Site.id, Site.slug).where(*visible, near).order_by(Site.slug).limit(limit),
        ]
    )
    # Cards show kind, slug, name and summary: just those, not stories or JSON columns.
    stmt = select(*card_columns()).join(candidates, candidates.c.id == Site.id)
    return with_card_texts(stmt, Site.id).order_by(candidates.c.priority, candidates.c.slug)


def related_sites(session: Session, site: Site, langs: list[str], limit: int = 6) -> list[SiteCard]:
    """Published sites near this one in the story: its complex, its siblings, then its district
    (or its kind), as cards. Small indexed lookups in one statement, never a sort over every site."""
    rows = session.connection().execute(  # plain rows: no ORM execution layer
        _related_statement(bool(site.district), limit),
        {
            "site_id": site.id,
            "part_of_id": site.part_of_id,
            "complex_id": site.part_of_id or site.id,
            "district": site.district,
            "kind": site.kind,
            "langs": langs,
        },
    )
    return site_cards(rows)[:limit]

"""A cold site page (no page cache) runs a fixed, small number of SQL statements, whatever the
site: its row, texts, which media it holds and whether it has parts; its related or component cards
when it is part of a complex, has parts or is archived; the names its story mentions. A change that
adds a lazy load or a query per card fails here, not in production."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, or_, select
from sqlalchemy.orm import aliased

from heritage.demo.loader import load_demo
from heritage.extensions import db
from heritage.sites.models import PublicationState, Site
from heritage.sites.visibility import LISTED, VIEWABLE

# site + texts + which media kinds it shows + whether it has parts (one statement), the mention
# candidates its story names; and outside Vietnamese, the place names in the page's language.
PAGE_QUERIES = {"vi": 2, "en": 3}
# A complex, a part of one or an archived site: one more, its related or component cards.
CARDS = 1


def _with_cards(session) -> set[str]:
    parts = aliased(Site)
    has_parts = select(parts.id).where(parts.part_of_id == Site.id, parts.state.in_(LISTED)).exists()
    query = select(Site.slug).where(
        or_(Site.part_of_id.is_not(None), Site.state == PublicationState.archived, has_parts)
    )
    return set(session.scalars(query))


@contextmanager
def counted_statements():
    """The SQL statements run inside the block (transaction control left out)."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def demo_slugs(session):
    load_demo(session)
    session.commit()
    return list(session.scalars(select(Site.slug).where(Site.state.in_(VIEWABLE)).order_by(Site.slug)))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_demo_page_runs_a_fixed_number_of_queries(client, session, demo_slugs, lang):
    assert len(demo_slugs) >= 30
    with_cards = _with_cards(session)
    assert 3 <= len(with_cards) < len(demo_slugs) - 3  # both kinds of page are counted
    counts = {}
    for slug in demo_slugs:
        session.expunge_all()  # a cold page: nothing already in the session's identity map
        with counted_statements() as statements:
            response = client.get(f"/{lang}/sites/{slug}")
        assert response.status_code == 200, slug
        counts[slug] = len(statements)
    assert counts == {slug: PAGE_QUERIES[lang] + (CARDS if slug in with_cards else 0) for slug in demo_slugs}


def test_query_count_does_not_grow_with_neighbours(client, session, make_site):
    parent = make_site("Khu di tích Bạch Đằng", district="thị xã Quảng Yên")
    site = make_site("Bãi cọc Yên Giang", part_of_id=parent.id, district="thị xã Quảng Yên")
    for n in range(12):  # siblings and district neighbours: cards and mention candidates
        make_site(f"Đình số {n}", district="thị xã Quảng Yên", part_of_id=parent.id if n % 2 else None)
    session.commit()
    for slug in (site.slug, parent.slug):
        session.expunge_all()
        with counted_statements() as statements:
            html = client.get(f"/vi/sites/{slug}").get_data(as_text=True)
        assert len(statements) == PAGE_QUERIES["vi"] + CARDS, statements
        assert "Đình số 1" in html  # a sibling's card is there (the parent: a component card)


def test_mention_links_build_urls_only_for_names_the_story_holds():
    from heritage.sites.markdown import link_mentions, render_markdown

    html = render_markdown("Từ **Đình Trung Bản** nhìn ra Hang Sửng Sốt &amp; bãi cọc.")
    asked = []

    def make_url(slug):
        asked.append(slug)
        return f"/vi/sites/{slug}"

    candidates = [(f"Đình số {n}", f"dinh-so-{n}") for n in range(200)]
    candidates += [("Đình Trung Bản", "dinh-trung-ban"), ("Hang Sửng Sốt (Surprise)", "hang-sung-sot")]
    linked = link_mentions(html, candidates, make_url)
    assert asked == ["dinh-trung-ban", "hang-sung-sot"]
    # The same HTML as with every URL built up front.
    eager = [(name, f"/vi/sites/{slug}") for name, slug in candidates]
    assert linked == link_mentions(html, eager)
    assert '<a href="/vi/sites/hang-sung-sot">Hang Sửng Sốt</a>' in linked

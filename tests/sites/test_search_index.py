"""The search index follows every write, and the migration backfills keys for existing texts."""

from urllib.parse import quote

import pytest
from sqlalchemy import text

from heritage.db import make_engine
from heritage.migrate import upgrade
from heritage.sites.collation import sort_key
from heritage.sites.queries import list_sites
from heritage.sites.search import SQLITE_FTS_TABLE, parse_query
from heritage.sites.services import set_text


def found(session, query):
    return [s.slug for s in list_sites(session, ["vi"], search=parse_query(query)).items]


def fts_rowids(session, word):
    sql = text(f"SELECT rowid FROM {SQLITE_FTS_TABLE} WHERE {SQLITE_FTS_TABLE} MATCH :w")
    return set(session.scalars(sql, {"w": f'"{word}"'}))


def test_index_follows_insert_update_and_delete(session, make_site):
    site = make_site("Đình Làng Mới")
    assert found(session, "lang moi") == [site.slug]
    set_text(site, "vi", name="Chùa Phổ Minh")
    session.commit()
    assert found(session, "pho minh") == [site.slug]
    assert found(session, "lang moi") == []
    assert site.texts["vi"].sort_key == sort_key("vi", "Chùa Phổ Minh")
    if session.get_bind().dialect.name == "sqlite":
        text_id = site.texts["vi"].id
        assert fts_rowids(session, "pho") == {text_id}
        assert fts_rowids(session, "moi") == set()  # the old words left the index
        session.delete(site)
        session.commit()
        assert fts_rowids(session, "pho") == set()
    else:
        session.delete(site)
        session.commit()
    assert found(session, "pho minh") == []


@pytest.fixture
def scratch_url(database_url, tmp_path):
    """An empty database of the same kind as `database_url` (PostgreSQL: a schema of its own)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
        return
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS search_migration CASCADE"))
        conn.execute(text("CREATE SCHEMA search_migration"))
    sep = "&" if "?" in database_url else "?"
    yield f"{database_url}{sep}options={quote('-csearch_path=search_migration')}"
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA search_migration CASCADE"))
    engine.dispose()


def test_migration_backfills_keys_and_index(scratch_url):
    upgrade(scratch_url, "0003_related_indexes")
    engine = make_engine(scratch_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO plaque_codes (code, issued_at) VALUES ('7KQ2X', CURRENT_TIMESTAMP)")
            )
            conn.execute(
                text(
                    "INSERT INTO sites (id, kind, slug, plaque_code, state, province, location_precision,"
                    " ranking, heritage_types, sources, created_at, updated_at) VALUES (1, 'heritage_relic',"
                    " 'dinh-tra-co', '7KQ2X', 'published', 'Quảng Ninh', 'unknown', 'none', '[]', '[]',"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO site_texts (site_id, lang, name, summary, body, search_key)"
                    " VALUES (1, 'vi', 'Đình Trà Cổ', '', '', 'dinh tra co')"
                )
            )
        upgrade(scratch_url)
        with engine.connect() as conn:
            name_key, key = conn.execute(text("SELECT name_key, sort_key FROM site_texts")).one()
            assert name_key == "dinh tra co" and bytes(key) == sort_key("vi", "Đình Trà Cổ")
            if engine.dialect.name == "sqlite":
                hits = conn.execute(
                    text(f"SELECT rowid FROM {SQLITE_FTS_TABLE} WHERE {SQLITE_FTS_TABLE} MATCH 'tra'")
                )
                assert hits.scalars().all() == [1]
            else:
                index = conn.scalar(
                    text(
                        "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_site_texts_search_key_trgm'"
                        " AND schemaname = current_schema()"
                    )
                )
                assert "gin_trgm_ops" in index and "search_migration" in index
    finally:
        engine.dispose()


def test_postgresql_plans_each_search_for_its_words(session, make_site):
    """A generic plan (reused after psycopg prepares the statement) made a rare word's search as
    slow as a common word's at 100k sites; each search must be planned for its own words."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plan cache")
    make_site("Đình Làng Mới")
    for _ in range(7):  # past psycopg's prepare threshold (5)
        assert found(session, "lang moi")
    assert session.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"

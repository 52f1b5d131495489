"""The per-process cache of hot public answers: bounded, expiring, never skipping a scan, and
dropped the moment a commit changes what visitors see (the content version)."""

import pytest
from sqlalchemy import event, func, select, update

from heritage.analytics.models import Scan
from heritage.extensions import db
from heritage.ops.content_version import EXTENSION, ContentVersion, bump_content_version
from heritage.sites.models import PublicationState, Site
from heritage.web import microcache
from heritage.web.microcache import MicroCache


def test_expires_evicts_and_can_be_off(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(microcache.time, "monotonic", lambda: now[0])
    cache = MicroCache(seconds=30, max_entries=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)  # "b" evicted
    now[0] += 31
    assert cache.get("a") is None
    off = MicroCache(seconds=0)
    off.put("a", 1)
    assert off.get("a") is None


def test_entries_belong_to_one_version():
    cache = MicroCache(seconds=30)
    cache.put("a", 1, version=(0, 1))
    assert cache.get("a", version=(0, 1)) == 1
    assert cache.get("a", version=(0, 2)) is None  # a change: every entry of the old version goes
    cache.put("a", 2, version=(0, 2))
    assert cache.get("a", version=(0, 1)) is None  # a request begun before the change reads nothing
    assert cache.get("a", version=(0, 2)) is None  # ...and its visit dropped the newer entries too
    cache.put("b", 3, version=None)  # version unknown (Redis down): neither filled...
    assert cache.get("b", version=None) is None  # ...nor read


@pytest.fixture
def cached_app(app):
    app.config["PAGE_CACHE_SECONDS"] = 30
    app.extensions["heritage.pages"] = MicroCache(30)
    app.extensions["heritage.scan_targets"] = MicroCache(30)
    return app


def _selects(action) -> int:
    seen = []

    def listener(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def test_hot_page_rendered_once_per_language_and_variant(cached_app, client, make_site):
    site = make_site("Vịnh Hạ Long", kind="scenic_spot", texts={"zh": {"name": "下龙湾"}})
    first = client.get(f"/zh/sites/{site.slug}", headers={"Accept-Language": "zh-CN"})
    assert _selects(lambda: client.get(f"/zh/sites/{site.slug}", headers={"Accept-Language": "zh-CN"})) == 0
    again = client.get(f"/zh/sites/{site.slug}", headers={"Accept-Language": "zh-CN"})
    assert again.get_data() == first.get_data()
    assert again.headers["Content-Security-Policy"] and again.headers["Cache-Control"] == "public, no-cache"
    # The Traditional-Chinese variant and other languages are separate entries.
    assert 'lang="zh-Hant"' in client.get(
        f"/zh/sites/{site.slug}", headers={"Accept-Language": "zh-TW"}
    ).get_data(as_text=True)
    assert "<h1>Vịnh Hạ Long</h1>" in client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)


def test_cached_scan_target_still_records_every_scan(cached_app, client, session, make_site):
    site = make_site("Đình Trung Bản")
    for _ in range(5):
        assert client.get(f"/q/{site.plaque_code}").status_code == 200
    assert session.scalar(select(func.count()).select_from(Scan)) == 5


def test_errors_and_redirects_are_not_cached(cached_app, client, session, make_site):
    from heritage.sites.services import rename_slug

    assert client.get("/vi/sites/chua-co").status_code == 404
    make_site("Chùa Cổ")
    assert client.get("/vi/sites/chua-co").status_code == 200  # the 404 was not remembered
    other = make_site("Đình Cũ")
    rename_slug(session, other, "dinh-moi")
    session.commit()
    for _ in range(2):
        assert _selects(lambda: client.get("/vi/sites/dinh-cu")) > 0
        assert client.get("/vi/sites/dinh-cu").status_code == 301


def _page(client, slug: str) -> str:
    return client.get(f"/vi/sites/{slug}").get_data(as_text=True)


def test_a_committed_edit_shows_at_once(cached_app, client, session, make_site):
    site = make_site("Đình Trung Bản")
    assert "<h1>Đình Trung Bản</h1>" in _page(client, site.slug)
    assert _selects(lambda: _page(client, site.slug)) == 0  # the cache is on
    site.texts["vi"].name = "Đình làng Trung Bản"  # no service, no call to remember: a commit
    session.commit()
    assert "<h1>Đình làng Trung Bản</h1>" in _page(client, site.slug)


def test_archive_and_bulk_updates_reach_the_scan_target_at_once(cached_app, client, session, make_site):
    site = make_site("Chùa Long Tiên")
    assert client.get(f"/q/{site.plaque_code}").status_code == 200  # target and page now cached
    session.execute(update(Site).where(Site.id == site.id).values(state=PublicationState.draft))
    session.commit()
    assert client.get(f"/q/{site.plaque_code}").status_code == 404


def test_scans_and_rollbacks_leave_the_version_alone(cached_app, client, session, make_site):
    site = make_site("Đình Quan Lạn")
    versions = cached_app.extensions[EXTENSION]
    before = versions.current()
    for _ in range(3):
        assert client.get(f"/q/{site.plaque_code}").status_code == 200
    site.texts["vi"].name = "Đổi rồi bỏ"
    session.flush()
    session.rollback()
    assert versions.current() == before
    bump_content_version()  # for changes made outside the session (raw SQL, another tool)
    assert versions.current() > before


def test_redis_down_renders_fresh_never_fails(cached_app, client, session, make_site):
    site = make_site("Đình Phong Cốc")
    cached_app.extensions[EXTENSION] = ContentVersion("redis://127.0.0.1:1/0")  # nothing listens there
    assert cached_app.extensions[EXTENSION].current() is None
    assert "<h1>Đình Phong Cốc</h1>" in _page(client, site.slug)
    assert _selects(lambda: _page(client, site.slug)) > 0  # rendered again: nothing cached blind
    assert client.get(f"/q/{site.plaque_code}").status_code == 200

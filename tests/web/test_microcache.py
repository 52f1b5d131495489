"""The per-process cache of hot public answers: bounded, expiring, and never skipping a scan."""

import pytest
from sqlalchemy import event, func, select

from heritage.analytics.models import Scan
from heritage.extensions import db
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
    assert (
        again.headers["Content-Security-Policy"] and again.headers["Cache-Control"] == "public, max-age=300"
    )
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

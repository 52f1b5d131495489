"""Caches that agree: two gunicorn servers (two workers each) on one database and one Redis keep
long-lived page caches, yet a change committed by a third process shows on both at once.

The control step changes a name behind the ORM's back (raw SQL, no session event): the servers
keep serving their copies, which proves the caches are on and that the content version, not a
timer, is what makes the committed change show.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, select, text

from tests.ops.conftest import add_site, get

# This helper's own Redis database (tests elsewhere use 6): the version key and the scan queue.
REDIS_URL = os.environ.get("TEST_CACHE_REDIS_URL", "redis://127.0.0.1:6379/10")
PAGE = "/vi/sites/dinh-trung-ban"
ROUNDS = 12  # requests per server per check: both of its workers answer some


@pytest.fixture
def shared_redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def _names(port: int, path: str = PAGE) -> set[str]:
    """The h1 of every answer over ROUNDS requests (a status when there is no page)."""
    seen = set()
    for _ in range(ROUNDS):
        status, _headers, body = get(port, path)
        page = body.decode()
        seen.add(page.split("<h1>", 1)[1].split("</h1>", 1)[0] if status == 200 else str(status))
    return seen


def _commit_through_another_app(url: str, change) -> None:
    """A separate app (as an editor's request or a CLI command would be) commits `change`."""
    from heritage import create_app
    from heritage.extensions import db
    from heritage.sites.models import Site

    app = create_app({"DATABASE_URL": url, "REDIS_URL": REDIS_URL, "SECRET_KEY": "ops"})
    db.sessionmaker.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
    with app.test_request_context(method="POST"):  # an editor's save: takes SQLite's write lock first
        change(db.session.scalar(select(Site)))
        db.session.commit()
    db.engine.dispose()


def test_a_commit_in_one_process_shows_at_once_on_every_server(fresh_url, gunicorn, shared_redis):
    code = add_site(fresh_url)
    env = {
        "DATABASE_URL": fresh_url,
        "REDIS_URL": REDIS_URL,
        "PAGE_CACHE_SECONDS": "3600",  # no timer can explain what follows
        "LOG_FORMAT": "json",
    }
    servers = [gunicorn(env), gunicorn(env)]
    for server in servers:
        assert _names(server.port) == {"Đình Trung Bản"}
        assert _names(server.port, f"/q/{code}") == {"Đình Trung Bản"}
        status, headers, _body = get(server.port, PAGE)
        assert headers["Cache-Control"] == "public, no-cache" and headers["ETag"]

    engine = create_engine(fresh_url)
    with engine.begin() as connection:  # behind the ORM: no event, no new version
        connection.execute(text("UPDATE site_texts SET name = 'Đổi lén' WHERE lang = 'vi'"))
    engine.dispose()
    for server in servers:
        assert "Đình Trung Bản" in _names(server.port)  # cached copies still served

    def rename(site):
        site.texts["vi"].name = "Đình làng Trung Bản"

    _commit_through_another_app(fresh_url, rename)
    for server in servers:
        assert _names(server.port) == {"Đình làng Trung Bản"}
        assert _names(server.port, f"/q/{code}") == {"Đình làng Trung Bản"}

    def unpublish(site):
        from heritage.sites.models import PublicationState

        site.state = PublicationState.draft

    _commit_through_another_app(fresh_url, unpublish)
    for server in servers:
        assert _names(server.port) == {"404"}
        assert _names(server.port, f"/q/{code}") == {"404"}
    assert int(shared_redis.get("heritage:content-version")) == 2

"""Views marked reads_only run their statements outside a transaction, and pooled PostgreSQL
connections are checked without a round trip, with real databases and the app's own pool."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import event, text

from heritage import create_app
from heritage.extensions import db
from tests.conftest import PG_URL
from tests.ops.conftest import add_site, wait_for

ONLY_POSTGRESQL = pytest.mark.parametrize(
    "fresh_url",
    [pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set"))],
    indirect=True,
)


def _own_app(url: str) -> Flask:
    # No outer test transaction: the app's own engine and pool, as in production.
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "ops", "PAGE_CACHE_SECONDS": 0, "TASK_QUEUE_URL": "memory://"}
    )
    db.sessionmaker.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
    return app


def _in_transaction(dbapi_connection) -> bool:
    if hasattr(dbapi_connection, "in_transaction"):  # sqlite3
        return dbapi_connection.in_transaction
    from psycopg.pq import TransactionStatus

    return dbapi_connection.info.transaction_status != TransactionStatus.IDLE


@pytest.fixture
def site_app(fresh_url):
    add_site(fresh_url)
    app = _own_app(fresh_url)
    with app.app_context():
        slug = db.session.scalar(text("SELECT slug FROM sites"))
        db.session.remove()
    yield app, slug
    db.engine.dispose()


def _transaction_after_each_statement(app, path: str) -> list[bool]:
    seen = []

    def after(conn, _cursor, statement, *_args):
        seen.append(_in_transaction(conn.connection.dbapi_connection))

    event.listen(db.engine, "after_cursor_execute", after)
    try:
        assert app.test_client().get(path).status_code == 200
    finally:
        event.remove(db.engine, "after_cursor_execute", after)
    return seen


def test_a_reads_only_page_holds_no_transaction(site_app, monkeypatch):
    app, slug = site_app
    seen = _transaction_after_each_statement(app, f"/vi/sites/{slug}")
    assert seen and not any(seen)  # the site, its mentions, its complex: each on its own
    # The same page unmarked runs its statements in a transaction, as every other view does.
    monkeypatch.setattr(app.view_functions["visitor.site_page"], "heritage_reads_only", False)
    seen = _transaction_after_each_statement(app, f"/vi/sites/{slug}")
    assert seen and all(seen)


def test_every_marked_view_is_a_page_or_api_read():
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
    marked = {e for e, view in app.view_functions.items() if getattr(view, "heritage_reads_only", False)}
    assert {"visitor.site_page", "visitor.site_list", "api.get_site", "api.list_sites"} <= marked
    # The scan writes (directly or through the buffer): never marked.
    assert not marked & {"visitor.scan", "api.record_scan", "ops.readyz"}


def test_a_marked_view_that_writes_is_refused(fresh_url):
    app = _own_app(fresh_url)
    from heritage.accounts.models import Unit
    from heritage.db import reads_only

    @app.get("/try-to-write")
    @reads_only
    def try_to_write():
        db.session.add(Unit(name="Không được ghi"))
        db.session.flush()
        return "written"

    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(RuntimeError, match="reads_only"):
        app.test_client().get("/try-to-write")
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM units WHERE name = 'Không được ghi'")) == 0
    db.engine.dispose()


@ONLY_POSTGRESQL
def test_a_connection_the_server_ended_is_replaced_without_an_error(site_app, monkeypatch):
    """PostgreSQL restarting or an administrator ending sessions: the pooled connection's socket
    holds the server's goodbye. The next request gets another connection, with no ping."""
    app, slug = site_app
    client = app.test_client()
    pings = []
    monkeypatch.setattr(type(db.engine.dialect), "do_ping", lambda self, c: pings.append(c) or True)
    assert client.get(f"/vi/sites/{slug}").status_code == 200
    with app.app_context():
        first = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.remove()
    from sqlalchemy import create_engine

    admin = create_engine(db.engine.url)
    with admin.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        # The backend has exited (so its message is on the socket) once the server lists it no more.
        gone = text("SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = :pid")
        wait_for(lambda: conn.scalar(gone, {"pid": first}), 10)
    admin.dispose()
    assert client.get(f"/vi/sites/{slug}").status_code == 200
    with app.app_context():
        assert db.session.scalar(text("SELECT pg_backend_pid()")) != first
        db.session.remove()
    assert pings == []  # noticed from the socket, not by a round trip


@ONLY_POSTGRESQL
def test_a_connection_idle_for_long_is_pinged(site_app, monkeypatch):
    app, slug = site_app
    import heritage.db

    pings = []
    real_ping = type(db.engine.dialect).do_ping
    monkeypatch.setattr(
        type(db.engine.dialect), "do_ping", lambda self, c: pings.append(c) or real_ping(self, c)
    )
    client = app.test_client()
    assert client.get(f"/vi/sites/{slug}").status_code == 200
    assert pings == []
    monkeypatch.setattr(heritage.db, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert client.get(f"/vi/sites/{slug}").status_code == 200
    assert len(pings) == 1

"""Fixtures: an app per test on each database, rolled back after the test whatever happens.

Every test that takes `app` (or `client`, `session`, `make_site`) runs on SQLite, and again on
PostgreSQL when TEST_DATABASE_URL is set. The schema comes from the Alembic migrations.
"""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from heritage import create_app
from heritage.accounts.models import Unit
from heritage.demo.loader import load_demo
from heritage.extensions import db
from heritage.migrate import upgrade
from heritage.sites.models import PublicationState, Site
from heritage.sites.services import create_site
from heritage.sites.values import site_values

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set")),
]


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """A migrated, empty database per backend, made once per test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        url = PG_URL
        from heritage.db import make_engine

        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)
    return url


@pytest.fixture
def app(database_url):
    app = create_app(
        # Tests change sites between requests: the page cache has its own test.
        # Scans are written in the request's transaction: a batch writer on its own connection
        # could not see (nor wait out) the test's uncommitted rollback transaction.
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "PAGE_CACHE_SECONDS": 0,
            "SCAN_FLUSH_SECONDS": 0,
            # Jobs are sent to an in-process queue nobody reads; tests run them with run_job().
            "TASK_QUEUE_URL": "memory://",
        }
    )
    connection = db.engine.connect()
    transaction = connection.begin()
    # Commits inside the test become savepoints; the outer transaction is rolled back.
    db.sessionmaker.configure(bind=connection, join_transaction_mode="create_savepoint")
    try:
        with app.app_context():
            yield app
    finally:
        transaction.rollback()
        connection.close()
        db.sessionmaker.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture
def make_site(session):
    """make_site(name_vi, kind=..., texts={lang: {...}}, state=..., slug=..., **fields) -> Site.

    Fields are checked like a form's (`site_values`: an unknown one fails the test); `unit_id` and
    `part_of_id` are accepted for brevity and turned into the unit's name and the complex's slug.
    """

    def _make(
        name_vi: str = "Đình Trung Bản",
        kind: str = "heritage_relic",
        texts: dict | None = None,
        state: str = "published",
        slug: str | None = None,
        unit_id: int | None = None,
        part_of_id: int | None = None,
        **fields,
    ):
        all_texts = {
            "vi": {"name": name_vi, "summary": f"Tóm tắt {name_vi}", "body": f"Câu chuyện về {name_vi}."}
        }
        all_texts.update(texts or {})
        if unit_id is not None:
            fields["unit"] = session.get(Unit, unit_id).name
        if part_of_id is not None:
            fields["part_of"] = session.get(Site, part_of_id).slug
        if kind == "border_marker":
            fields.setdefault("marker_number", "1")
        values = site_values(kind, texts=all_texts, **fields)
        site = create_site(session, values, state=PublicationState(state), slug=slug)
        session.commit()
        return site

    return _make


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    """Argon2id still, with test-sized cost: a default hash takes most of a second here."""
    from argon2 import PasswordHasher

    from heritage.accounts import passwords

    previous = passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    passwords.use_hasher(previous)


@pytest.fixture
def make_unit(session):
    """make_unit(name, kind="youth_union") -> Unit."""
    from heritage.accounts.services import create_unit

    def _make(name: str = "Đoàn Thanh niên thị xã Quảng Yên", kind: str = "youth_union"):
        unit = create_unit(session, None, name, kind)
        session.commit()
        return unit

    return _make


@pytest.fixture
def make_user(session, make_unit):
    """make_user(role=..., unit=..., password=...) -> User with that password already set."""
    from itertools import count

    from heritage.accounts import passwords
    from heritage.accounts.services import create_user

    numbers = count(1)

    def _make(role="editor", unit=None, email=None, password="mật khẩu đủ dài 2026", wide_scope=False):
        n = next(numbers)
        if unit is None and role != "admin" and not wide_scope:
            unit = make_unit(f"Đơn vị thử {n}")
        user = create_user(session, None, email or f"{role}{n}@example.org", role, unit, wide_scope)
        if password is not None:
            user.password_hash = passwords.hash_password(password)
        session.commit()
        return user

    return _make


@pytest.fixture
def demo_sites(session):
    from heritage.demo.loader import load_demo

    sites = load_demo(session)
    session.commit()
    return sites


@pytest.fixture
def live_app(tmp_path):
    """The real app on 127.0.0.1:<free port> over a fresh SQLite database holding the demo sites."""
    url = f"sqlite:///{tmp_path / 'browser.sqlite3'}"
    upgrade(url)
    # Every request comes from 127.0.0.1: the per-address scan limit would stop the counting.
    media_dir = tmp_path / "media"
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "browser-test",
            "SCAN_LIMIT_PER_MINUTE": 0,
            "MEDIA_DIR": str(media_dir),
            "TASK_QUEUE_URL": "memory://",  # jobs a test runs itself; never the project's queue file
        }
    )
    # The shared session factory may still carry another fixture's settings: back to the defaults.
    db.sessionmaker.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
    with app.app_context():
        sites = load_demo(db.session)
        db.session.commit()
        texts = {
            site.slug: (site.plaque_code, {lang: t.name for lang, t in site.texts.items()}) for site in sites
        }
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-app", daemon=True)
    thread.start()
    try:
        yield {
            "base_url": f"http://127.0.0.1:{server.server_port}",
            "sites": texts,
            "database_url": url,
            "media_dir": media_dir,
            "app": app,  # for tests that run a queued job as the worker would (run_job)
        }
    finally:
        server.shutdown()
        thread.join(timeout=10)
        db.engine.dispose()

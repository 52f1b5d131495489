"""Failed sign-ins are limited per account and per client address, in memory and in real Redis."""

from __future__ import annotations

import os
import uuid

import pytest

from heritage import create_app
from heritage.extensions import db
from tests.web.admin.conftest import PASSWORD, post_form

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/4")


def _limited_app(database_url: str, storage: str, **config):
    # create_app binds the shared session factory to a new engine: keep the `app` fixture's
    # connection instead, so this app sees the factories' rows and everything is rolled back.
    bind, engine = db.sessionmaker.kw["bind"], db.engine
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "RATELIMIT_STORAGE_URI": storage,
            "LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes",
            "LOGIN_LIMIT_PER_ADDRESS": "5 per 15 minutes",
            **config,
        }
    )
    db.engine.dispose()
    db.engine = engine
    db.sessionmaker.configure(bind=bind)
    return app


def _fail(client, email: str, address: str = "203.0.113.7"):
    return post_form(
        client,
        "/admin/login",
        {"email": email, "password": "not the password"},
        environ_base={"REMOTE_ADDR": address},
    )


def _check_limits(app, user, other):
    client = app.test_client()
    for _ in range(3):
        assert _fail(client, user.email).status_code == 401
    blocked = _fail(client, user.email)
    assert blocked.status_code == 429
    assert "Tài khoản này đã đăng nhập sai quá nhiều lần. Hãy chờ 15 phút" in blocked.get_data(as_text=True)
    # Even the right password waits: the account is locked for the window, not the guesser.
    right = post_form(
        client,
        "/admin/login",
        {"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.9"},
    )
    assert right.status_code == 429

    # Another account from the same address: the address budget (5) runs out after 2 more failures.
    assert _fail(client, other.email).status_code == 401
    assert _fail(client, other.email).status_code == 401
    by_address = _fail(client, other.email)
    assert by_address.status_code == 429
    assert "Mạng của bạn đã đăng nhập sai quá nhiều lần" in by_address.get_data(as_text=True)
    # The same account from elsewhere still signs in: its own budget is not spent.
    elsewhere = post_form(
        client,
        "/admin/login",
        {"email": other.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.10"},
    )
    assert elsewhere.status_code == 302


def test_successful_sign_ins_cost_nothing(app, make_user, database_url):
    limited = _limited_app(database_url, "memory://")
    user = make_user(role="editor")
    client = limited.test_client()
    for _ in range(6):
        assert (
            post_form(client, "/admin/login", {"email": user.email, "password": PASSWORD}).status_code == 302
        )
        post_form(client, "/admin/logout", {}, form_page="/admin/")


def test_limits_in_memory(app, make_user, database_url):
    _check_limits(
        _limited_app(database_url, "memory://"), make_user(role="editor"), make_user(role="volunteer")
    )


def test_limits_in_real_redis(app, make_user, database_url, monkeypatch):
    from heritage.extensions import limiter

    # Flask-Limiter keeps the first app's key prefix for good; this test wants its own.
    monkeypatch.setattr(limiter, "_key_prefix", "")
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"test-{uuid.uuid4().hex}"
    limited = _limited_app(database_url, REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
    try:
        _check_limits(limited, make_user(role="editor"), make_user(role="volunteer"))
        # The counters really are in Redis (shared by every app process), under our prefix.
        assert redis.Redis.from_url(REDIS_URL).keys(f"*{prefix}*")
        # A second app (another process, in production) on the same Redis: still locked.
        second = _limited_app(database_url, REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
        user = make_user(role="admin")
        for _ in range(3):
            _fail(second.test_client(), user.email, "192.0.2.1")
        third = _limited_app(database_url, REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
        assert _fail(third.test_client(), user.email, "192.0.2.2").status_code == 429
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)

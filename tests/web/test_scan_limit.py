"""Scans counted fairly: HEAD never counts, and one address adds at most SCAN_LIMIT_PER_MINUTE."""

import uuid

import pytest
from flask import request
from sqlalchemy import func, inspect, select

from heritage import create_app
from heritage.analytics.models import Scan
from heritage.analytics.scan_limit import ScanLimit
from heritage.extensions import db

REDIS_URI = "redis://127.0.0.1:6379/3"


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(Scan))


@pytest.fixture
def limited(app):
    def _limit(per_minute: int, uri: str = "memory://") -> None:
        app.config["SCAN_LIMIT_PER_MINUTE"] = per_minute
        app.extensions["heritage.scan_limit"] = ScanLimit(per_minute, uri)

    return _limit


def test_head_answers_without_counting(client, session, make_site):
    site = make_site()
    response = client.head(f"/q/{site.plaque_code}")
    assert response.status_code == 200 and response.headers["Content-Location"].endswith(
        f"/sites/{site.slug}"
    )
    assert _count(session) == 0
    client.get(f"/q/{site.plaque_code}")
    assert _count(session) == 1


def test_over_the_limit_still_gets_the_page_but_is_not_counted(client, session, make_site, limited):
    limited(3)
    site = make_site()
    statuses = [client.get(f"/q/{site.plaque_code}").status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert _count(session) == 3
    # Another address has its own allowance.
    client.get(f"/q/{site.plaque_code}", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert _count(session) == 4


def test_zero_turns_the_limit_off(client, session, make_site, limited):
    limited(0)
    site = make_site()
    for _ in range(40):
        client.get(f"/q/{site.plaque_code}")
    assert _count(session) == 40


def test_forwarded_for_is_ignored_unless_proxies_are_trusted(client, session, make_site, limited):
    limited(1)
    site = make_site()
    for n in range(3):  # a client cannot buy fresh allowances by inventing addresses
        client.get(f"/q/{site.plaque_code}", headers={"X-Forwarded-For": f"198.51.100.{n}"})
    assert _count(session) == 1


def test_trusted_proxy_gives_the_client_address():
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://", "TRUSTED_PROXY_COUNT": 1})
    app.add_url_rule("/_addr", "addr", lambda: request.remote_addr)
    answer = app.test_client().get("/_addr", headers={"X-Forwarded-For": "198.51.100.7"})
    assert answer.get_data(as_text=True) == "198.51.100.7"


def test_the_address_is_never_stored(app):
    columns = {c["name"] for c in inspect(db.engine).get_columns("scans")}
    # `visitor` is a keyed hash whose daily salt is never stored (tests/analytics/test_visitors.py).
    assert columns == {"id", "code", "site_id", "scanned_at", "lang", "visitor", "receipt"}


def test_limit_shared_through_real_redis():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URI)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    address = f"192.0.2.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:6]}"
    # Two workers, one shared counter.
    first, second = ScanLimit(2, REDIS_URI), ScanLimit(2, REDIS_URI)
    assert [first.counts(address), second.counts(address), first.counts(address)] == [True, True, False]
    keys = [k for k in client.scan_iter(match="LIMITS:*") if address.encode() in k]
    assert keys and all(0 < client.ttl(k) <= 60 for k in keys)  # a minute, then gone
    for key in keys:
        client.delete(key)


def test_storage_down_still_counts_and_serves(client, session, make_site, limited):
    limited(1, "redis://127.0.0.1:1/0")  # nothing listens on port 1
    site = make_site()
    assert client.get(f"/q/{site.plaque_code}").status_code == 200
    assert _count(session) == 1

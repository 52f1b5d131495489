"""The scan fast path answers exactly what the Flask view answers, and counts each scan once."""

from __future__ import annotations

import gzip
import threading

import brotli
import pytest

from heritage import create_app
from heritage.extensions import db
from heritage.web.scan_fast_path import ScanFastPath
from tests.ops.conftest import REDIS_URL, add_site, count_scans, wait_for


def _app(url: str, **config):
    settings = {
        "DATABASE_URL": url,
        "SECRET_KEY": "ops",
        "SCAN_LIMIT_PER_MINUTE": 0,
        "SCAN_FLUSH_SECONDS": 60,
    }
    app = create_app({**settings, **config})
    db.sessionmaker.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
    fast = app.wsgi_app
    assert isinstance(fast, ScanFastPath)
    answered = []
    answer = fast.answer
    fast.answer = lambda environ: answered.append(answer(environ)) or answered[-1]
    return app, answered


def _comparable(response) -> tuple:
    headers = sorted((k, v) for k, v in response.headers.items() if k != "X-Request-ID")
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    text = {"gzip": gzip.decompress, "br": brotli.decompress}.get(encoding, lambda b: b)(body)
    return response.status_code, headers, text


@pytest.mark.parametrize(
    "language, encoding",
    [
        ("vi-VN,vi;q=0.9", ""),
        ("en-US,en;q=0.8", "gzip, deflate"),
        ("zh-TW,zh;q=0.9", "gzip, deflate, br, zstd"),
        ("ko-KR", "br;q=0, gzip"),
        (None, "identity"),
    ],
)
def test_the_fast_answer_is_the_flask_answer_and_both_count(fresh_url, language, encoding):
    code = add_site(fresh_url)
    app, answered = _app(fresh_url)
    headers = {"Accept-Encoding": encoding, "User-Agent": "phone"}
    if language:
        headers["Accept-Language"] = language
    client = app.test_client()
    first = client.get(f"/q/{code}", headers=headers)  # renders the page: the Flask view
    second = client.get(f"/q/{code}", headers=headers)
    assert answered == [None, answered[1]] and answered[1] is not None, "the second scan is answered fast"
    assert first.status_code == 200
    assert _comparable(first) == _comparable(second)
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    if encoding not in ("", "identity"):
        assert second.headers["Content-Encoding"] in ("gzip", "br")
    assert app.extensions["heritage.scan_buffer"].flush() == 2
    assert count_scans(fresh_url) == 2


def test_it_keeps_the_per_address_limit_and_the_visitor_key(fresh_url):
    code = add_site(fresh_url)
    app, answered = _app(fresh_url, SCAN_LIMIT_PER_MINUTE=2)
    client = app.test_client()
    for _ in range(4):
        assert client.get(f"/q/{code}", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 200
    assert [a is not None for a in answered] == [False, True, True, True]
    buffer = app.extensions["heritage.scan_buffer"]
    rows = list(buffer._rows)
    assert len(rows) == 2  # the limit counted two of four, on both paths
    assert rows[0]["visitor"] and rows[0]["visitor"] == rows[1]["visitor"]
    assert "203.0.113.9" not in repr(rows)


@pytest.mark.parametrize(
    "request_args",
    [
        {"method": "HEAD"},
        {"query_string": "lang=en"},
        {"cookie": ("lang", "en")},
        {"headers": {"Range": "bytes=0-10"}},
    ],
)
def test_anything_unusual_goes_to_flask(fresh_url, request_args):
    code = add_site(fresh_url)
    app, answered = _app(fresh_url)
    client = app.test_client()
    client.get(f"/q/{code}")  # the page is cached now
    request_args = dict(request_args)  # the parameter is shared by both databases' runs
    if "cookie" in request_args:
        client.set_cookie(*request_args.pop("cookie"))
    response = client.open(f"/q/{code}", **request_args)
    assert response.status_code in (200, 206)
    assert answered[-1] is None


def test_no_fast_path_without_the_page_cache_or_with_scans_written_in_the_request(fresh_url):
    code = add_site(fresh_url)
    for config in ({"PAGE_CACHE_SECONDS": 0}, {"SCAN_FLUSH_SECONDS": 0}):
        app, answered = _app(fresh_url, **config)
        client = app.test_client()
        assert [client.get(f"/q/{code}").status_code for _ in range(2)] == [200, 200]
        assert not any(answered)


def test_an_untrusted_host_still_gets_flasks_400(fresh_url):
    code = add_site(fresh_url)
    app, answered = _app(fresh_url, TRUSTED_HOSTS=["heritage.example"])
    client = app.test_client()
    assert client.get(f"/q/{code}", headers={"Host": "heritage.example"}).status_code == 200
    assert client.get(f"/q/{code}", headers={"Host": "evil.example"}).status_code == 400
    assert answered[-1] is None


def test_a_publish_elsewhere_is_seen_by_the_next_scan(fresh_url):
    """The fast path reads the same content version as the view: an archived site is not served."""
    from heritage.sites.models import PublicationState, Site

    code = add_site(fresh_url)
    app, answered = _app(fresh_url)
    client = app.test_client()
    english = {"Accept-Language": "en"}
    assert [client.get(f"/q/{code}", headers=english).status_code for _ in range(2)] == [200, 200]
    assert answered[-1] is not None
    with app.app_context():
        site = db.session.query(Site).filter_by(plaque_code=code).one()
        site.state = PublicationState.archived
        db.session.commit()
    before = client.get(f"/q/{code}", headers=english)
    assert answered[-1] is None  # the caches were dropped: the view answered, with the notice
    assert before.status_code == 200 and "This site is archived" in before.get_data(as_text=True)
    again = client.get(f"/q/{code}", headers=english)
    assert answered[-1] is not None and again.get_data() == before.get_data()


def _trips_in_this_thread(*clients) -> list[str]:
    """Redis commands sent from the calling thread (the request's), not the timer's or watcher's."""
    trips: list[str] = []
    me = threading.get_ident()
    for client in clients:
        send = client.execute_command

        def counted(*args, _send=send, **kwargs):
            if threading.get_ident() == me:
                trips.append(str(args[0]))
            return _send(*args, **kwargs)

        client.execute_command = counted
    return trips


def test_with_redis_a_scan_makes_no_round_trip_and_a_publish_elsewhere_is_heard(fresh_url, redis_client):
    from heritage.analytics.buffer import QUEUE_KEY
    from heritage.ops.content_version import ContentVersion

    code = add_site(fresh_url)
    app, answered = _app(fresh_url, REDIS_URL=REDIS_URL)
    client = app.test_client()
    buffer = app.extensions["heritage.scan_buffer"]
    versions = app.extensions["heritage.content_version"]
    assert [client.get(f"/q/{code}").status_code for _ in range(2)] == [200, 200]
    assert versions.watching, "the version's subscription is live"
    trips = _trips_in_this_thread(versions.redis, buffer.redis)
    assert client.get(f"/q/{code}").status_code == 200
    assert answered[-1] is not None and trips == []  # the version heard, the scan gathered
    # The timer pushes what the process gathered, in one command, within SCAN_PUSH_SECONDS.
    assert wait_for(lambda: redis_client.llen(QUEUE_KEY) == 3, 2.0)

    # Another server publishes: this process hears it, and the view answers the next scan afresh.
    ContentVersion(REDIS_URL).bump()
    # The announcement crosses Redis to this process's subscription: a moment, but on a loaded
    # machine the next request can start before it is on the socket (seen once in a full run).
    assert wait_for(lambda: versions._pubsub.connection.can_read(timeout=0), 2.0)
    assert client.get(f"/q/{code}").status_code == 200 and answered[-1] is None
    assert trips == ["GET"], "the change heard, the key read once"
    assert client.get(f"/q/{code}").status_code == 200 and answered[-1] is not None
    assert trips == ["GET"]
    buffer.flush()
    assert count_scans(fresh_url) == 5 and redis_client.llen(QUEUE_KEY) == 0
    versions.close()


def test_with_redis_failing_at_the_push_the_scans_are_held_and_counted_once(fresh_url, redis_client):
    """The push landed but its reply was lost: the scans are held for the database as well, and
    their receipts keep them from being written twice."""
    import redis

    from heritage.analytics.buffer import QUEUE_KEY

    code = add_site(fresh_url)
    app, answered = _app(fresh_url, REDIS_URL=REDIS_URL, SCAN_PUSH_SECONDS=60)
    client = app.test_client()
    buffer = app.extensions["heritage.scan_buffer"]
    assert [client.get(f"/q/{code}").status_code for _ in range(3)] == [200, 200, 200]
    assert buffer.depth() == 3 and redis_client.llen(QUEUE_KEY) == 0  # gathered, not pushed yet
    push = buffer.redis.rpush

    def push_then_lose_the_reply(*args):
        push(*args)
        raise redis.exceptions.TimeoutError("no reply")

    buffer.redis.rpush = push_then_lose_the_reply
    assert buffer.push() == 0
    assert redis_client.llen(QUEUE_KEY) == 3 and buffer.depth() == 3  # in both places
    buffer.redis.rpush = push
    assert client.get(f"/q/{code}").status_code == 200  # Redis "down": held in memory
    buffer._redis_down_until = 0.0
    buffer.flush()
    assert count_scans(fresh_url) == 4 and redis_client.llen(QUEUE_KEY) == 0


def test_with_redis_the_per_address_limit_is_applied_when_the_batch_is_pushed(fresh_url, redis_client):
    """SCAN_LIMIT_PER_MINUTE kept in Redis, shared by two servers, with no round trip per scan: each
    push takes what its addresses used from their allowances, one call per address."""
    from heritage.analytics.buffer import QUEUE_KEY

    code = add_site(fresh_url)
    limited = {"REDIS_URL": REDIS_URL, "RATELIMIT_STORAGE_URI": REDIS_URL, "SCAN_PUSH_SECONDS": 60}
    servers = [_app(fresh_url, SCAN_LIMIT_PER_MINUTE=3, **limited) for _ in range(2)]
    group, alone = {"REMOTE_ADDR": "203.0.113.9"}, {"REMOTE_ADDR": "198.51.100.7"}
    (first, answered), (second, _answered) = servers
    client = first.test_client()
    assert client.get(f"/q/{code}", environ_base=group).status_code == 200  # renders: the view
    buffer = first.extensions["heritage.scan_buffer"]
    trips = _trips_in_this_thread(buffer.redis, first.extensions["heritage.content_version"].redis)
    for _ in range(3):
        assert client.get(f"/q/{code}", environ_base=group).status_code == 200
    assert client.get(f"/q/{code}", environ_base=alone).status_code == 200
    assert answered[-1] is not None and trips == []  # no round trip, limit or not
    other = second.test_client()
    for _ in range(2):
        assert other.get(f"/q/{code}", environ_base=group).status_code == 200
    assert buffer.push() == 4  # the group's first three, and the one alone
    assert second.extensions["heritage.scan_buffer"].push() == 0  # the group's allowance is spent
    assert redis_client.llen(QUEUE_KEY) == 4
    buffer.flush()
    assert count_scans(fresh_url) == 4

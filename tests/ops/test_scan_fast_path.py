"""The scan fast path answers exactly what the Flask view answers, and counts each scan once."""

from __future__ import annotations

import gzip

import brotli
import pytest

from heritage import create_app
from heritage.extensions import db
from heritage.web.scan_fast_path import ScanFastPath
from tests.ops.conftest import REDIS_URL, add_site, count_scans


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


def test_with_redis_one_round_trip_pushes_the_scan_and_confirms_the_version(fresh_url, redis_client):
    from heritage.analytics.buffer import QUEUE_KEY
    from heritage.ops.content_version import VERSION_KEY

    code = add_site(fresh_url)
    app, answered = _app(fresh_url, REDIS_URL=REDIS_URL)
    client = app.test_client()
    buffer = app.extensions["heritage.scan_buffer"]
    versions = app.extensions["heritage.content_version"]
    assert [client.get(f"/q/{code}").status_code for _ in range(2)] == [200, 200]
    assert answered[-1] is not None and redis_client.llen(QUEUE_KEY) == 2
    trips = []
    versions_get = versions.redis.get
    versions.redis.get = lambda *args: trips.append("GET") or versions_get(*args)
    pipeline = buffer.redis.pipeline
    buffer.redis.pipeline = lambda **kw: trips.append("pipeline") or pipeline(**kw)
    assert client.get(f"/q/{code}").status_code == 200
    assert answered[-1] is not None and trips == ["pipeline"]  # push and version together

    # Another server publishes: the scan is counted in that trip, then the view answers it afresh.
    redis_client.incr(VERSION_KEY)
    response = client.get(f"/q/{code}")
    assert response.status_code == 200 and answered[-1] is None
    assert client.get(f"/q/{code}").status_code == 200 and answered[-1] is not None
    assert redis_client.llen(QUEUE_KEY) == 5, "five scans, each queued once"
    buffer.flush()
    assert count_scans(fresh_url) == 5


def test_with_redis_failing_in_the_trip_the_scan_is_held_and_counted_once(fresh_url, redis_client):
    import redis

    code = add_site(fresh_url)
    app, answered = _app(fresh_url, REDIS_URL=REDIS_URL)
    client = app.test_client()
    buffer = app.extensions["heritage.scan_buffer"]
    assert [client.get(f"/q/{code}").status_code for _ in range(2)] == [200, 200]

    class Broken:
        def rpush(self, *args):
            return self

        def get(self, *args):
            return self

        def execute(self):
            raise redis.exceptions.ConnectionError("Redis went away")

    buffer.redis.pipeline = lambda **kw: Broken()
    assert client.get(f"/q/{code}").status_code == 200
    assert answered[-1] is None  # held, then answered by the view, not counted again there
    assert buffer.depth() == 1
    buffer._redis_down_until = 0.0
    buffer.flush()
    assert count_scans(fresh_url) == 3

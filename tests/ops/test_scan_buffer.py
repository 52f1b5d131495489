"""Scans are buffered and written in batches, each counted once: memory, Redis, Redis down."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import redis
from sqlalchemy import create_engine

from heritage import create_app
from heritage.analytics.buffer import QUEUE_KEY, ScanBuffer, _encode
from heritage.extensions import db
from tests.ops.conftest import REDIS_URL, add_site, count_scans, free_port, wait_for


def _app(url: str, **config):
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "ops", "SCAN_LIMIT_PER_MINUTE": 0, **config})
    db.sessionmaker.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
    return app, app.extensions["heritage.scan_buffer"]


def _pushed(redis_client, buffer: ScanBuffer) -> int:
    """Scans in the shared queue once the push has returned: just after Redis has them, they
    still count as in flight (depth), and a test asking then saw both."""
    return -1 if buffer.depth() else redis_client.llen(QUEUE_KEY)


def _scan(app, code: str, times: int) -> None:
    client = app.test_client()
    for _ in range(times):
        assert client.get(f"/q/{code}").status_code == 200


def test_memory_buffer_writes_a_batch_not_each_scan(fresh_url):
    code = add_site(fresh_url)
    app, buffer = _app(fresh_url, SCAN_FLUSH_SECONDS=60)  # no timer tick during the test
    _scan(app, code, 7)
    assert count_scans(fresh_url) == 0 and buffer.depth() == 7  # answered, held
    assert buffer.flush() == 7
    assert count_scans(fresh_url) == 7 and buffer.depth() == 0
    assert buffer.flush() == 0  # nothing written twice


def test_memory_buffer_timer_writes_within_about_a_second(fresh_url):
    code = add_site(fresh_url)
    app, buffer = _app(fresh_url, SCAN_FLUSH_SECONDS=0.2)
    _scan(app, code, 5)
    deadline = time.monotonic() + 5
    while count_scans(fresh_url) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert count_scans(fresh_url) == 5
    buffer.close()


def test_failed_batch_is_kept_and_written_later(fresh_url):
    code = add_site(fresh_url)
    app, buffer = _app(fresh_url, SCAN_FLUSH_SECONDS=60)
    _scan(app, code, 3)
    good_engine = buffer.engine
    buffer.engine = create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    assert buffer.flush() == 0 and buffer.depth() == 3  # database gone: held, not dropped
    buffer.engine = good_engine
    assert buffer.flush() == 3 and count_scans(fresh_url) == 3


def test_redis_queue_is_shared_and_written_once(fresh_url, redis_client):
    code = add_site(fresh_url)
    app, buffer = _app(fresh_url, SCAN_FLUSH_SECONDS=60, SCAN_PUSH_SECONDS=60, REDIS_URL=REDIS_URL)
    _scan(app, code, 6)
    assert buffer.depth() == 6 and redis_client.llen(QUEUE_KEY) == 0  # gathered in this process
    assert buffer.push() == 6  # in one command
    assert redis_client.llen(QUEUE_KEY) == 6 and buffer.depth() == 0
    assert count_scans(fresh_url) == 0
    # Another process (another server) flushing writes what this one queued.
    other = ScanBuffer(buffer.engine, 60, REDIS_URL)
    assert other.flush() == 6
    assert redis_client.llen(QUEUE_KEY) == 0 and count_scans(fresh_url) == 6


def test_a_flusher_whose_lease_ran_out_does_not_trim(fresh_url, redis_client):
    """Its batch was written slowly, the lock expired and another process flushed meanwhile: the
    late trim would cut scans nobody has written. It leaves the queue alone instead."""
    from heritage.analytics import buffer as buffer_module

    code = add_site(fresh_url)
    app, buffer = _app(fresh_url, SCAN_FLUSH_SECONDS=60, SCAN_PUSH_SECONDS=0, REDIS_URL=REDIS_URL)
    _scan(app, code, 3)
    write = buffer._write
    other = ScanBuffer(buffer.engine, 60, REDIS_URL)

    def slow_write(rows):
        write(rows)
        redis_client.delete(buffer_module.LOCK_KEY)  # the lease ran out ...
        redis_client.rpush(QUEUE_KEY, *[_encode(dict(r, receipt=f"late-{i}")) for i, r in enumerate(rows)])
        assert other.flush() == 6  # ... another process wrote the three again (no-ops) and three more
        _scan(app, code, 2)  # new scans at the queue's head, written by nobody yet

    buffer._write = slow_write
    assert buffer.flush() == 0  # written, not trimmed: a trim now would cut the two new scans
    buffer._write = write
    assert redis_client.llen(QUEUE_KEY) == 2 and count_scans(fresh_url) == 6
    assert buffer.flush() == 2 and count_scans(fresh_url) == 8


def test_concurrent_flushers_never_write_a_scan_twice(fresh_url, redis_client):
    _app_, buffer = _app(fresh_url, SCAN_FLUSH_SECONDS=60, REDIS_URL=REDIS_URL)
    row = {"code": "AAAAA", "site_id": None, "lang": "vi", "scanned_at": datetime.now(UTC)}
    redis_client.rpush(QUEUE_KEY, *[_encode(row)] * 12_000)  # more than two batches
    flushers = [ScanBuffer(buffer.engine, 60, REDIS_URL) for _ in range(4)]
    threads = [threading.Thread(target=f.flush, kwargs={"lock_wait": 10}) for f in flushers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count_scans(fresh_url) == 12_000 and redis_client.llen(QUEUE_KEY) == 0


def test_redis_down_visitors_get_their_page_and_scans_are_held(fresh_url):
    code = add_site(fresh_url)
    closed = f"redis://127.0.0.1:{free_port()}/0"
    app, buffer = _app(fresh_url, SCAN_FLUSH_SECONDS=60, REDIS_URL=closed)
    started = time.monotonic()
    _scan(app, code, 20)
    assert time.monotonic() - started < 5  # one failed connect, then memory for a while
    assert buffer.depth() == 20
    assert buffer.flush() == 20 and count_scans(fresh_url) == 20


def test_a_flush_writes_the_scans_of_a_push_that_fails_meanwhile(fresh_url):
    """The timer's push to a Redis that is gone hands its scans back as a flush begins: that
    flush writes them too (it once wrote 19 of 20, the 20th still in flight)."""
    code = add_site(fresh_url)
    app, buffer = _app(fresh_url, SCAN_FLUSH_SECONDS=60, SCAN_PUSH_SECONDS=60, REDIS_URL=REDIS_URL)
    _scan(app, code, 4)
    pushing = threading.Event()

    def slow_failing_rpush(*args):
        pushing.set()
        time.sleep(0.3)
        raise redis.exceptions.ConnectionError("Redis stopped")

    buffer.redis.rpush = slow_failing_rpush
    timer_push = threading.Thread(target=buffer.push)
    timer_push.start()
    assert pushing.wait(2) and buffer.depth() == 4  # in flight, still held
    assert buffer.flush() == 4 and count_scans(fresh_url) == 4
    timer_push.join()
    assert buffer.depth() == 0


def test_direct_mode_writes_in_the_request(fresh_url):
    code = add_site(fresh_url)
    app, buffer = _app(fresh_url, SCAN_FLUSH_SECONDS=0)
    _scan(app, code, 2)
    assert buffer.direct and count_scans(fresh_url) == 2


def test_a_full_buffer_drops_scans_and_says_so(fresh_url, monkeypatch):
    from heritage.analytics import buffer as buffer_module
    from heritage.ops.metrics import JOB_FAILURES

    code = add_site(fresh_url)
    app, buffer = _app(fresh_url, SCAN_FLUSH_SECONDS=60)
    monkeypatch.setattr(buffer_module, "MAX_HELD", 3)
    before = JOB_FAILURES.labels("scan_buffer_full")._value.get()
    _scan(app, code, 5)  # every visitor still gets the page
    assert buffer.depth() == 3
    assert JOB_FAILURES.labels("scan_buffer_full")._value.get() == before + 2


def test_a_batch_read_again_after_a_failed_trim_is_written_once(fresh_url, redis_client):
    """Redis stopping between a batch's commit and its trim leaves the batch to be read again."""
    code = add_site(fresh_url)
    app, buffer = _app(fresh_url, SCAN_FLUSH_SECONDS=60, REDIS_URL=REDIS_URL)
    _scan(app, code, 5)
    send = buffer.redis.eval

    def trim_fails_once(script, *args):
        if "ltrim" in script:
            buffer.redis.eval = send
            raise redis.exceptions.ConnectionError("Redis stopped")
        return send(script, *args)

    buffer.redis.eval = trim_fails_once
    assert buffer.flush() == 0 and count_scans(fresh_url) == 5  # committed, not trimmed
    assert redis_client.llen(QUEUE_KEY) == 5
    buffer.flush()  # the same five again: their receipts are written already
    assert count_scans(fresh_url) == 5 and redis_client.llen(QUEUE_KEY) == 0


def test_each_scan_pushed_before_its_answer_when_asked(fresh_url, redis_client):
    """SCAN_PUSH_SECONDS=0: nothing gathered in the process, so a killed worker loses no scan."""
    code = add_site(fresh_url)
    app, buffer = _app(fresh_url, SCAN_FLUSH_SECONDS=60, SCAN_PUSH_SECONDS=0, REDIS_URL=REDIS_URL)
    _scan(app, code, 2)
    assert redis_client.llen(QUEUE_KEY) == 2 and buffer.depth() == 0


def test_the_timer_pushes_gathered_scans_within_the_push_interval(fresh_url, redis_client):
    code = add_site(fresh_url)
    app, buffer = _app(fresh_url, SCAN_FLUSH_SECONDS=60, SCAN_PUSH_SECONDS=0.1, REDIS_URL=REDIS_URL)
    _scan(app, code, 4)
    wait_for(lambda: _pushed(redis_client, buffer) >= 4, 10)
    assert redis_client.llen(QUEUE_KEY) == 4 and buffer.depth() == 0 and count_scans(fresh_url) == 0


def test_scans_under_a_limit_are_pushed_by_the_timer_with_no_request_before(fresh_url, redis_client):
    """The scan fast path answers before Flask's hooks (which start the timer) ever run."""
    from heritage.analytics.scan_limit import ScanLimit

    _app_, buffer = _app(fresh_url, SCAN_FLUSH_SECONDS=60, SCAN_PUSH_SECONDS=0.1, REDIS_URL=REDIS_URL)
    limit = ScanLimit(3, REDIS_URL)
    row = {"code": "AAAAA", "site_id": None, "lang": "vi", "scanned_at": datetime.now(UTC)}
    for i in range(5):
        buffer.add_limited(None, dict(row, receipt=f"r{i}"), limit, "203.0.113.9")
    wait_for(lambda: _pushed(redis_client, buffer) >= 3, 10)
    assert redis_client.llen(QUEUE_KEY) == 3 and buffer.depth() == 0


def test_a_push_whose_reply_was_lost_is_written_once(fresh_url, redis_client):
    """Redis applied the RPUSH, the reply never came: the scan is held in memory as well."""
    code = add_site(fresh_url)
    app, buffer = _app(fresh_url, SCAN_FLUSH_SECONDS=60, SCAN_PUSH_SECONDS=0, REDIS_URL=REDIS_URL)
    push = buffer.redis.rpush

    def push_then_lose_the_reply(*args):
        push(*args)
        raise redis.exceptions.TimeoutError("no reply")

    buffer.redis.rpush = push_then_lose_the_reply
    _scan(app, code, 1)
    assert redis_client.llen(QUEUE_KEY) == 1 and buffer.depth() == 1  # in both places
    buffer._redis_down_until = 0.0
    buffer.flush()
    assert count_scans(fresh_url) == 1 and redis_client.llen(QUEUE_KEY) == 0


def test_a_scan_whose_page_failed_is_not_counted(fresh_url, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from heritage.web import visitor

    code = add_site(fresh_url)
    app, buffer = _app(fresh_url, SCAN_FLUSH_SECONDS=60)

    def database_restarting(*args):
        raise OperationalError("SELECT", {}, Exception("the database system is shutting down"))

    monkeypatch.setattr(visitor, "_site_page", database_restarting)
    response = app.test_client().get(f"/q/{code}")
    assert response.status_code == 503
    assert buffer.depth() == 0 and buffer.flush() == 0 and count_scans(fresh_url) == 0

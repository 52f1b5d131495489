"""The content version with Redis: each process learns changes from a subscription, not from a
read per request, and falls back to that read whenever the subscription cannot be trusted.

Requests take in what has arrived on the subscription themselves (no thread in between), so an
announcement that reached the process is never missed by the request after it."""

from __future__ import annotations

import threading
import time

import pytest

from heritage.ops import content_version
from heritage.ops.content_version import VERSION_KEY, ContentVersion
from tests.ops.conftest import REDIS_URL


@pytest.fixture
def versions(redis_client):
    watched = ContentVersion(REDIS_URL)
    watched.current()  # subscribes
    assert watched.watching, "subscribed"
    yield watched
    watched.close()


def _reads(versions: ContentVersion) -> list[str]:
    """GETs of the version key made from this thread (the requests')."""
    reads: list[str] = []
    get = versions.redis.get
    me = threading.get_ident()

    def counted(key):
        if threading.get_ident() == me:
            reads.append(key)
        return get(key)

    versions.redis.get = counted
    return reads


def test_a_change_elsewhere_is_heard_without_a_read_per_request(versions, redis_client):
    shared, _local = versions.current()
    reads = _reads(versions)
    for _ in range(50):
        assert versions.current() == (shared, 0)
    assert reads == [], "no round trip while the subscription is live"
    ContentVersion(REDIS_URL).bump()  # another process, another server
    # Announced before bump() returned: the very next request sees it, with one read of the key.
    assert versions.current() == (shared + 1, 0)
    assert reads == [VERSION_KEY] and int(redis_client.get(VERSION_KEY)) == shared + 1
    versions.bump()  # its own change: seen at once, whatever the channel says
    assert versions.current()[1] == 1


def test_a_ping_at_most_once_a_heartbeat_not_once_a_request(versions, monkeypatch):
    pings = []
    ping = versions._pubsub.ping
    monkeypatch.setattr(versions._pubsub, "ping", lambda: pings.append(1) or ping())
    started = time.monotonic()
    for _ in range(200):
        versions.current()
        time.sleep(0.001)
    heartbeats = (time.monotonic() - started) / content_version.HEARTBEAT_SECONDS
    assert len(pings) <= heartbeats + 1


def test_the_subscription_stays_trusted_while_redis_answers_its_pings(versions, monkeypatch):
    monkeypatch.setattr(content_version, "HEARTBEAT_SECONDS", 0.05)
    monkeypatch.setattr(content_version, "DEAF_AFTER_SECONDS", 1.0)  # slack for a loaded machine
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:  # longer than DEAF_AFTER_SECONDS: the pongs keep it alive
        versions.current()
        assert versions.watching
        time.sleep(0.01)


def test_announcements_out_of_order_or_after_a_redis_reset_end_at_the_key(versions, redis_client):
    # Two writers: the later number announced first. The watcher ends at the key, not the last message.
    redis_client.set(VERSION_KEY, 7)
    redis_client.publish(versions.channel, 7)
    redis_client.publish(versions.channel, 6)
    assert versions.current() == (7, 0)
    # Redis restarted without its data: the key starts again at 1; the version must follow it down
    # (a cache keyed by the old high number would otherwise never see another change).
    redis_client.delete(VERSION_KEY)
    ContentVersion(REDIS_URL).bump()
    assert versions.current() == (1, 0)


def test_a_lost_subscription_falls_back_to_a_read_per_request_then_resubscribes(versions, redis_client):
    reads = _reads(versions)
    redis_client.client_kill_filter(_type="pubsub")
    redis_client.incr(VERSION_KEY)  # a change nobody announced while the subscription was gone
    expected = int(redis_client.get(VERSION_KEY))
    assert versions.current() == (expected, 0) and not versions.watching
    assert reads == [VERSION_KEY], "the key read for that request"
    assert versions.current() == (expected, 0) and versions.watching, "subscribed again"
    del reads[:]
    assert versions.current() == (expected, 0) and reads == []


def test_a_subscription_heard_from_too_long_ago_is_not_trusted(versions, monkeypatch):
    reads = _reads(versions)
    monkeypatch.setattr(content_version, "DEAF_AFTER_SECONDS", 0.0)  # no pong "recent" enough
    versions.current()
    assert reads == [VERSION_KEY] and not versions.watching


def test_without_redis_there_is_no_watcher():
    local = ContentVersion("")
    assert local.current() == (0, 0) and not local.watching
    local.bump()
    assert local.current() == (0, 1)

"""The content version: a number that changes with every commit that touches what visitors see.

Public caches (rendered pages, scan targets) hold answers for one version only, so a publish,
rename or archive shows at once. The change is noticed by SQLAlchemy session events, whoever
commits (a web page, the API, a CLI command): no caller has to remember. Embedded default: a
counter in this process. With `REDIS_URL`: one Redis key that a change INCRs and announces on a
channel. Each serving process keeps a subscription to that channel and, on each request, takes in
whatever has arrived on it (a non-blocking read, about 5 µs) instead of reading the key (a round
trip, about 150 µs): an announcement in the socket is seen before the request is answered, so a
change shows in every process at once. The key is read instead while the subscription cannot be
trusted (starting, Redis restarting, no pong for `DEAF_AFTER_SECONDS`). `bump_content_version()`
is for changes made outside the ORM session (raw SQL, another tool).
"""

from __future__ import annotations

import collections
import itertools
import logging
import os
import threading
import time

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import event

log = logging.getLogger(__name__)

EXTENSION = "heritage.content_version"
VERSION_KEY = "heritage:content-version"
# A change's announcement (the message is the new version), per Redis database: channels are
# server-wide, and two provinces may share a server.
CHANNEL = "heritage:content-changed:{db}"
REDIS_RETRY_SECONDS = 5.0  # after a Redis error, caches are bypassed for this long
# The subscription is pinged this often; no pong to a ping sent within DEAF_AFTER_SECONDS, it is
# not trusted (a silent network partition, or a process idle that long) and requests read the key.
HEARTBEAT_SECONDS = 1.0
DEAF_AFTER_SECONDS = 3.0
# Tables no visitor page or public answer shows: their commits leave the caches alone. Any other
# table (including ones added later) counts as visible: a needless drop costs one render, a
# missed one a stale page.
UNSEEN_TABLES = frozenset(
    {
        "scans",
        "users",
        "audit_events",
        "set_password_tokens",
        "print_batches",
        "print_batch_items",
        "alembic_version",
        # A revision is a pending edit or history; what goes live is written to `sites` itself.
        "site_revisions",
        "pending_imports",
        "jobs",  # progress is written every few seconds; a job's results land in visible tables
    }
)
_CHANGED = "heritage.content_changed"
_MEMO = "heritage_content_version"

Version = tuple[int, int]


class ContentVersion:
    """(shared, local): the shared part from Redis (0 without it), the local part this process's
    own count of changes, so a process always sees its own commits even if Redis missed one."""

    def __init__(self, redis_url: str = "") -> None:
        self._local = 0
        self._lock = threading.Lock()
        self._redis_down_until = 0.0
        self.redis = None
        # The subscription: the shared version as last read after an announcement, and when
        # Redis last proved the subscription alive (the send time of a ping it answered).
        self._pubsub = None
        self._pubsub_pid = 0
        self._subscribe_after = 0.0
        self._heard = 0
        self._alive_at = 0.0
        self._pings: collections.deque[float] = collections.deque()  # sent, not answered yet
        self._pinged_at = 0.0
        if redis_url:
            import redis

            # A visitor waits at most a fraction of a second for a Redis that is gone.
            self.redis = redis.Redis.from_url(redis_url, socket_connect_timeout=0.25, socket_timeout=0.5)
            self.channel = CHANNEL.format(db=self.redis.connection_pool.connection_kwargs.get("db", 0))

    def current(self) -> Version | None:
        """The version now; None when it cannot be known (Redis unreachable): then callers
        neither read nor fill their caches, and every answer is rendered fresh."""
        if self.redis is None:
            return (0, self._local)
        with self._lock:
            if self._take_in_announcements():
                return (self._heard, self._local)
        if time.monotonic() < self._redis_down_until:
            return None
        try:
            shared = int(self.redis.get(VERSION_KEY) or 0)
        except Exception:  # noqa: BLE001 - Redis down costs renders, never a page
            self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
            log.warning("content version (Redis) unavailable; public caches bypassed", exc_info=True)
            return None
        return (shared, self._local)

    @property
    def watching(self) -> bool:
        """True while this process learns changes from its subscription (no read per request)."""
        return self._pubsub is not None and time.monotonic() - self._alive_at < DEAF_AFTER_SECONDS

    def bump(self) -> None:
        with self._lock:
            self._local += 1
        if self.redis is not None:
            try:
                self.redis.publish(self.channel, self.redis.incr(VERSION_KEY))
            except Exception:  # noqa: BLE001 - the change is committed; other processes' copies still expire
                log.error(
                    "could not announce a content change (Redis); other processes may show the old "
                    "answer for up to PAGE_CACHE_SECONDS",
                    exc_info=True,
                )

    def close(self) -> None:
        with self._lock:
            self._drop_subscription()

    # --- the subscription (under self._lock) ------------------------------------------------------
    def _take_in_announcements(self) -> bool:
        """Read what has arrived on the channel without waiting; True when the subscription can be
        trusted for this request."""
        now = time.monotonic()
        if self._pubsub is None or self._pubsub_pid != os.getpid():
            if now < self._subscribe_after:
                return False
            self._subscribe(now)
            if self._pubsub is None:
                return False
        try:
            changed = False
            while (message := self._pubsub.get_message(timeout=0)) is not None:
                if message["type"] == "message":
                    changed = True
                elif message["type"] == "pong" and self._pings:
                    self._alive_at = self._pings.popleft()
            if changed:
                # The key itself, not the number announced: announcements from two writers may
                # arrive out of order, and a restarted Redis counts from 0 again.
                self._heard = int(self.redis.get(VERSION_KEY) or 0)
            if now - self._pinged_at >= HEARTBEAT_SECONDS:
                self._pubsub.ping()
                self._pings.append(now)
                self._pinged_at = now
        except Exception:  # noqa: BLE001 - read the key meanwhile; subscribe again on the next request
            log.info("content version subscription lost; reading the key per request", exc_info=True)
            self._drop_subscription()
            return False
        return now - self._alive_at < DEAF_AFTER_SECONDS

    def _subscribe(self, now: float) -> None:
        pubsub = self.redis.pubsub()
        try:
            pubsub.subscribe(self.channel)
            confirmed = pubsub.get_message(timeout=0.5)
            if not confirmed or confirmed["type"] != "subscribe":
                raise ConnectionError("the subscription was not confirmed")
            # Read once subscribed: a change made meanwhile is in the key, or announced after it.
            self._heard = int(self.redis.get(VERSION_KEY) or 0)
        except Exception:  # noqa: BLE001 - read the key per request; try again in a few seconds
            log.warning("cannot subscribe to content changes (Redis); reading the key", exc_info=True)
            pubsub.reset()
            self._subscribe_after = now + REDIS_RETRY_SECONDS
            return
        self._pubsub, self._pubsub_pid = pubsub, os.getpid()
        self._alive_at, self._pings, self._pinged_at = now, collections.deque(), 0.0

    def _drop_subscription(self) -> None:
        # A forked child drops its parent's subscription without closing the socket they share.
        if self._pubsub is not None and self._pubsub_pid == os.getpid():
            self._pubsub.reset()
        self._pubsub = None
        self._alive_at = 0.0


def request_version() -> Version | None:
    """The version for this request, taken once (from the subscription; a Redis round trip only
    while the subscription is not trusted)."""
    if current_app.config["PAGE_CACHE_SECONDS"] <= 0:
        return None  # no cache to key: spare the Redis round trip
    versions: ContentVersion = current_app.extensions[EXTENSION]
    if not has_request_context():
        return versions.current()
    if _MEMO not in g:
        setattr(g, _MEMO, versions.current())
    return getattr(g, _MEMO)


def bump_content_version() -> None:
    """Drop every process's public caches: for changes the session events cannot see."""
    if not has_app_context() or EXTENSION not in current_app.extensions:
        return
    current_app.extensions[EXTENSION].bump()
    g.pop(_MEMO, None)  # the rest of this request sees the new version


# --- noticing changes ---------------------------------------------------------------------------
def _visible(table_name: str | None) -> bool:
    return table_name not in UNSEEN_TABLES


def _note_flush(session, _flush_context) -> None:
    # In after_flush the new/dirty/deleted lists still show what was just written.
    for instance in itertools.chain(session.new, session.dirty, session.deleted):
        if _visible(getattr(instance, "__tablename__", None)):
            session.info[_CHANGED] = True
            return


def _note_statement(state) -> None:
    # Bulk ORM statements (session.execute(update(Site)...)) bypass the flush.
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is None or _visible(mapper.local_table.name):
        state.session.info[_CHANGED] = True


def _after_commit(session) -> None:
    if session.info.pop(_CHANGED, False):
        bump_content_version()


def _after_rollback(session) -> None:
    session.info.pop(_CHANGED, None)


_listening: list = []


def listen(sessionmaker) -> None:
    """Watch every session the app's sessionmaker makes (once per process)."""
    if _listening:
        return
    event.listen(sessionmaker, "after_flush", _note_flush)
    event.listen(sessionmaker, "do_orm_execute", _note_statement)
    event.listen(sessionmaker, "after_commit", _after_commit)
    event.listen(sessionmaker, "after_rollback", _after_rollback)
    _listening.append(sessionmaker)


def init_app(app) -> ContentVersion:
    from heritage.extensions import db

    versions = ContentVersion(app.config["REDIS_URL"])
    app.extensions[EXTENSION] = versions
    listen(db.sessionmaker)
    app.before_request(_forget_memo)
    return versions


def _forget_memo() -> None:
    # g can outlive a request when an app context was pushed before it (tests, CLI): read afresh.
    g.pop(_MEMO, None)

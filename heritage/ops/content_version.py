"""The content version: a number that changes with every commit that touches what visitors see.

Public caches (rendered pages, scan targets) hold answers for one version only, so a publish,
rename or archive shows at once. The change is noticed by SQLAlchemy session events, whoever
commits (a web page, the API, a CLI command): no caller has to remember. Embedded default: a
counter in this process. With `REDIS_URL`: one Redis key that every process and server reads once
per request and INCRs on change, so they all agree. `bump_content_version()` is for changes made
outside the ORM session (raw SQL, another tool).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import event

log = logging.getLogger(__name__)

EXTENSION = "heritage.content_version"
VERSION_KEY = "heritage:content-version"
REDIS_RETRY_SECONDS = 5.0  # after a Redis error, caches are bypassed for this long
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
        self._last_shared: int | None = None
        self._lock = threading.Lock()
        self._redis_down_until = 0.0
        self.redis = None
        if redis_url:
            import redis

            # A visitor waits at most a fraction of a second for a Redis that is gone.
            self.redis = redis.Redis.from_url(redis_url, socket_connect_timeout=0.25, socket_timeout=0.5)

    def current(self) -> Version | None:
        """The version now; None when it cannot be known (Redis unreachable): then callers
        neither read nor fill their caches, and every answer is rendered fresh."""
        if self.redis is None:
            return (0, self._local)
        if time.monotonic() < self._redis_down_until:
            return None
        try:
            shared = int(self.redis.get(VERSION_KEY) or 0)
        except Exception:  # noqa: BLE001 - Redis down costs renders, never a page
            self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
            log.warning("content version (Redis) unavailable; public caches bypassed", exc_info=True)
            return None
        self._last_shared = shared
        return (shared, self._local)

    def guess(self) -> Version | None:
        """The version as this process last read it, with its own changes since: what the next
        read will almost always say. The scan fast path checks it in the round trip it makes
        anyway (see `from_shared`); nothing may be served on a guess alone."""
        if self.redis is None:
            return (0, self._local)
        return None if self._last_shared is None else (self._last_shared, self._local)

    def from_shared(self, raw: bytes | str | int) -> Version:
        """The version, given the shared key's value as read by someone else's round trip."""
        self._last_shared = int(raw)
        return (self._last_shared, self._local)

    def bump(self) -> None:
        with self._lock:
            self._local += 1
        if self.redis is not None:
            try:
                self.redis.incr(VERSION_KEY)
            except Exception:  # noqa: BLE001 - the change is committed; other processes' copies still expire
                log.error(
                    "could not announce a content change (Redis); other processes may show the old "
                    "answer for up to PAGE_CACHE_SECONDS",
                    exc_info=True,
                )


def request_version() -> Version | None:
    """The version for this request, read once (one Redis round trip per request at most)."""
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

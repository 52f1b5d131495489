"""Scans held briefly and written in batches: one transaction a second instead of one per scan.

`ScanBuffer.add()` puts a scan in one of three places. Direct (`SCAN_FLUSH_SECONDS=0`, no Redis):
the request's own transaction, as before. Memory (the embedded default): this process's list,
written by a timer thread every `SCAN_FLUSH_SECONDS` and at process exit. Redis (`REDIS_URL`): one
list shared by every process and server, written by whichever process holds the flush lock. Each
process gathers its scans for `SCAN_PUSH_SECONDS` and pushes them in one command: a round trip per
scan would cost more than the rest of a cached scan's answer.

What a hard crash (`kill -9`) may lose: in memory, the killed process's scans since its last flush
(at most `SCAN_FLUSH_SECONDS` of its traffic); in Redis, those it had not pushed yet (at most
`SCAN_PUSH_SECONDS` of its traffic; none with `SCAN_PUSH_SECONDS=0`, where the push comes before
the answer), as long as Redis keeps its data. Redis down: scans are held in memory instead.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
import weakref
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from heritage.analytics.models import Scan
from heritage.analytics.scan_limit import ScanLimit
from heritage.ops.metrics import (
    JOB_FAILURES,
    SCAN_BUFFER_DEPTH,
    SCAN_QUEUE_DEPTH,
    SCANS_RECORDED,
    SCANS_WRITTEN,
)

log = logging.getLogger(__name__)

QUEUE_KEY = "heritage:scans"
LOCK_KEY = "heritage:scans:flush-lock"
# The flush lock's lease, renewed with each batch: a holder killed mid-flush blocks the others for
# at most this long (a worker's exit waits 5 s for the lock). A holder slower than its lease
# leaves the trim to the next holder: see _TRIM_IF_HELD.
LOCK_MS = 4_000
BATCH = 5_000
MAX_HELD = 200_000  # about 60 MB of rows; beyond it a scan is dropped and counted as a failure
REDIS_RETRY_SECONDS = 5.0  # after a Redis error, scans go to memory for this long
_INSERT_SCAN = insert(Scan)
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
# Trim a written batch off the queue's head only while still holding the lock (and renew it): a
# holder whose lease ran out must not trim, or it would cut the scans after the batch that the
# next holder has already read again and trimmed. Its batch is read again; receipts dedupe it.
_TRIM_IF_HELD = (
    "if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end "
    "redis.call('ltrim', KEYS[2], ARGV[2], -1) redis.call('pexpire', KEYS[1], ARGV[3]) return 1"
)

_live_buffers: weakref.WeakSet[ScanBuffer] = weakref.WeakSet()


def _encode(row: dict) -> str:
    return json.dumps(
        [
            row["code"],
            row["site_id"],
            row["lang"],
            row["scanned_at"].timestamp(),
            row.get("visitor"),
            row.get("receipt"),
        ]
    )


def _decode(raw: bytes) -> dict:
    # Fewer fields: queued by a process from before visitor keys or receipts; the scan counts.
    code, site_id, lang, stamp, *rest = json.loads(raw)
    rest += [None, None]
    return {
        "code": code,
        "site_id": site_id,
        "lang": lang,
        "scanned_at": datetime.fromtimestamp(stamp, UTC),
        "visitor": rest[0],
        "receipt": rest[1],
    }


def _insert_once(dialect: str):
    """INSERT that skips a scan whose receipt is already written (both databases say it alike)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(Scan).on_conflict_do_nothing(index_elements=["receipt"])


class ScanBuffer:
    def __init__(
        self, engine: Engine, flush_seconds: float, redis_url: str = "", push_seconds: float = 0.0
    ) -> None:
        self.engine = engine
        self.flush_seconds = flush_seconds
        self.push_seconds = push_seconds
        self.redis = None
        if redis_url:
            import redis

            # Short timeouts: a visitor waits at most a fraction of a second for a Redis that is gone.
            self.redis = redis.Redis.from_url(redis_url, socket_connect_timeout=0.25, socket_timeout=0.5)
        self.direct = flush_seconds <= 0 and self.redis is None
        self._rows: list[dict] = []  # held for the database (memory mode, or Redis down)
        self._in_flight = 0  # gathered scans a push is sending to Redis right now
        # Gathered for the shared queue (Redis mode): (row, client address whose per-address
        # limit still applies, or None), for at most `push_seconds`.
        self._staged: list[tuple[dict, str | None]] = []
        self._limit: ScanLimit | None = None
        self._rows_lock = threading.Lock()
        self._flush_lock = threading.Lock()
        # One push at a time, and a flush waits for the timer's push in progress: a push that
        # fails hands its scans back to `_rows`, which that flush must then write (it once wrote
        # 19 of 20, the 20th still in flight).
        self._push_lock = threading.Lock()
        self._redis_down_until = 0.0
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._stop = threading.Event()
        _live_buffers.add(self)

    # --- taking scans -------------------------------------------------------------------------
    def add(self, session, row: dict) -> None:
        if self.direct:
            self._write_in_request(session, row)
            SCANS_RECORDED.labels("direct").inc()
            return
        self.ensure_running()
        if self._gathering():
            with self._rows_lock:
                self._staged.append((row, None))
            SCANS_RECORDED.labels("redis").inc()
            return
        if self.redis is not None and time.monotonic() >= self._redis_down_until:
            try:
                self.redis.rpush(QUEUE_KEY, _encode(row))
                SCANS_RECORDED.labels("redis").inc()
                return
            except Exception:  # noqa: BLE001 - Redis down must not cost the visitor a page or the scan
                self._redis_unavailable()
        self._hold(row)

    def add_limited(self, session, row: dict, limit: ScanLimit, client: str | None) -> None:
        """Add `row` if `client` is within its per-address limit (`SCAN_LIMIT_PER_MINUTE`). When
        scans are gathered for Redis, the limit is applied as the batch is pushed: one call per
        address per push, where asking before each answer cost a round trip per scan."""
        if limit.active and self._gathering():
            self.ensure_running()  # the scan fast path comes here before any Flask hook has run
            self._limit = limit
            with self._rows_lock:
                self._staged.append((row, client or "unknown"))
            return
        if limit.counts(client):
            self.add(session, row)

    def _gathering(self) -> bool:
        return self.push_seconds > 0 and self.redis is not None and time.monotonic() >= self._redis_down_until

    def push(self) -> int:
        """Push the scans gathered since the last push to the shared queue, in one command.
        Redis failing: they are held for the database instead (if the push did land after all,
        their receipts keep them from being written twice)."""
        with self._push_lock:
            return self._push()

    def _push(self) -> int:
        with self._rows_lock:
            staged, self._staged = self._staged, []
            self._in_flight = len(staged)  # still held by this process until Redis has them
        try:
            rows = self._within_limits(staged)
            if not rows:
                return 0
            try:
                self.redis.rpush(QUEUE_KEY, *[_encode(row) for row in rows])
            except Exception:  # noqa: BLE001 - the scans are kept, in memory
                self._redis_unavailable()
                with self._rows_lock:
                    self._rows.extend(rows)
                    self._in_flight = 0
                SCAN_BUFFER_DEPTH.inc(len(rows))
                return 0
            return len(rows)
        finally:
            self._in_flight = 0

    def _within_limits(self, staged: list[tuple[dict, str | None]]) -> list[dict]:
        """The gathered rows that count: those under no limit, and each address's first ones up
        to what its allowance has left."""
        wanted = Counter(client for _row, client in staged if client is not None)
        allowed = self._limit.allowance(dict(wanted)) if wanted else {}
        rows = []
        for row, client in staged:
            if client is None:
                rows.append(row)
            elif allowed[client] > 0:
                allowed[client] -= 1
                rows.append(row)
                SCANS_RECORDED.labels("redis").inc()
        return rows

    def _redis_unavailable(self) -> None:
        self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
        log.warning("scan queue (Redis) unavailable; holding scans in memory", exc_info=True)

    def _hold(self, row: dict) -> None:
        with self._rows_lock:
            if len(self._rows) >= MAX_HELD:
                # The database has been gone for minutes: keep the process alive, count the loss.
                JOB_FAILURES.labels("scan_buffer_full").inc()
                return
            self._rows.append(row)
        SCAN_BUFFER_DEPTH.inc()
        SCANS_RECORDED.labels("memory").inc()

    @staticmethod
    def _write_in_request(session, row: dict) -> None:
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            # One scan per commit: skip waiting for the WAL flush on this transaction only. A
            # database crash may lose the last fraction of a second of scans (never corrupts).
            connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        connection.execute(_INSERT_SCAN, row)

    # --- the timer ----------------------------------------------------------------------------
    def ensure_running(self) -> None:
        """Start the flush timer in this process (again after a fork: threads do not survive one)."""
        if self.direct or (self._pid == os.getpid() and self._thread is not None):
            return
        with self._flush_lock:
            if self._pid == os.getpid() and self._thread is not None:
                return
            if self._pid and self._pid != os.getpid():
                # A forked child inherits the parent's rows; the parent writes them, not the child.
                self._rows, self._staged, self._rows_lock = [], [], threading.Lock()
                self._push_lock = threading.Lock()
            self._pid = os.getpid()
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, name="scan-flush", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        interval = self.flush_seconds if self.flush_seconds > 0 else 1.0
        staging = self.redis is not None and self.push_seconds > 0
        tick = min(interval, self.push_seconds) if staging else interval
        flushed_at = time.monotonic()
        while not self._stop.wait(tick):
            if time.monotonic() - flushed_at >= interval - tick / 2:
                flushed_at = time.monotonic()
                self.flush()
            elif staging:
                self.push()

    def close(self, wait_seconds: float = 5.0) -> int:
        """Stop the timer and write everything held (process exit). Returns scans written."""
        self._stop.set()
        self._thread = None  # a later scan starts a new timer
        if self._pid != os.getpid():
            return 0  # never used in this process (a CLI command, a fresh fork): nothing to write
        return self.flush(lock_wait=wait_seconds)

    # --- writing ------------------------------------------------------------------------------
    def depth(self) -> int:
        """Scans this process holds: not yet in the shared queue nor in the database (those a
        push is sending count too: a test asking mid-push once saw 2 of 20)."""
        with self._rows_lock:
            return len(self._rows) + len(self._staged) + self._in_flight

    def flush(self, lock_wait: float = 0.0) -> int:
        """Write held scans in one transaction, then the shared queue in batches. Never raises."""
        if self.direct:
            return 0
        written = 0
        with self._flush_lock:
            self.push()  # also waits for the timer's push in progress, whose scans may come back
            with self._rows_lock:
                rows, self._rows = self._rows, []
            if rows:
                try:
                    self._write(rows)
                    written += len(rows)
                    SCAN_BUFFER_DEPTH.dec(len(rows))
                except Exception:  # noqa: BLE001 - kept and retried on the next tick
                    with self._rows_lock:
                        self._rows[:0] = rows
                    JOB_FAILURES.labels("scan_flush").inc()
                    log.warning("writing %d buffered scans failed; retrying", len(rows), exc_info=True)
            if self.redis is not None and time.monotonic() >= self._redis_down_until:
                try:
                    written += self._flush_queue(lock_wait)
                except Exception:  # noqa: BLE001 - the queue keeps its scans until a flush succeeds
                    JOB_FAILURES.labels("scan_flush").inc()
                    log.warning("flushing the Redis scan queue failed; retrying", exc_info=True)
        if written:
            SCANS_WRITTEN.inc(written)
        return written

    def _flush_queue(self, lock_wait: float) -> int:
        """Under the shared lock: read a batch, write it, then trim it off the queue's head.

        At least once: a process killed between the commit and the trim (microseconds) leaves that
        batch to be read again; its receipts make the second write add nothing.
        """
        token = uuid.uuid4().hex
        deadline = time.monotonic() + lock_wait
        while not self.redis.set(LOCK_KEY, token, nx=True, px=LOCK_MS):
            if time.monotonic() >= deadline:
                return 0  # another process is flushing
            time.sleep(0.05)
        written = 0
        try:
            while True:
                raw = self.redis.lrange(QUEUE_KEY, 0, BATCH - 1)
                if not raw:
                    break
                self._write([_decode(item) for item in raw])
                if not self.redis.eval(_TRIM_IF_HELD, 2, LOCK_KEY, QUEUE_KEY, token, len(raw), LOCK_MS):
                    log.warning("scan flush lock lost mid-flush; the next holder reads the batch again")
                    break
                written += len(raw)
                if len(raw) < BATCH:
                    break
            SCAN_QUEUE_DEPTH.set(self.redis.llen(QUEUE_KEY))
        finally:
            self.redis.eval(_RELEASE, 1, LOCK_KEY, token)
        return written

    def _write(self, rows: list[dict]) -> None:
        with self.engine.begin() as connection:
            connection.execute(_insert_once(connection.dialect.name), rows)


def flush_all(wait_seconds: float = 5.0) -> int:
    """Write every buffer of this process: at exit (atexit, gunicorn's worker_exit hook)."""
    return sum(buffer.close(wait_seconds) for buffer in list(_live_buffers))

"""Unique visitors per site and day without keeping anyone: a random salt per day and an HMAC of
(plaque code, address, user agent) under it. The scan row keeps only the HMAC.

The salt lives in Redis until the day ends (one salt shared by every process and server) or,
without Redis, in this process's memory; it is never written to the database or a log. Once its
day is over the salt is gone, and no one holding the database can tell whose scans they were.
The code is in the HMAC, so one person's scans of two sites cannot be linked even within the day.
Without Redis each process draws its own salt: with several workers a visitor may count twice.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

SALT_KEY = "heritage:visitor-salt:"
CACHE_SECONDS = 60.0  # a process re-reads the shared salt this often (and at every new day)
REDIS_RETRY_SECONDS = 5.0
KEY_CHARS = 32  # 128 bits of the HMAC: no two visitors of a site collide in practice


def day_of(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def day_end(day: date, tz: ZoneInfo) -> datetime:
    """The first instant after `day` in `tz`: when that day's salt must be gone."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)


class DailySalt:
    def __init__(
        self,
        timezone: str,
        redis_url: str = "",
        *,
        key_prefix: str = SALT_KEY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.tz = ZoneInfo(timezone)
        self.key_prefix = key_prefix
        self.clock = clock
        self.redis = None
        if redis_url:
            import redis

            # Short timeouts: a visitor's page never waits long for a Redis that is gone.
            self.redis = redis.Redis.from_url(redis_url, socket_connect_timeout=0.25, socket_timeout=0.5)
        self._lock = threading.Lock()
        self._day: date | None = None
        self._salt: bytes | None = None
        self._read_at = 0.0
        self._redis_down_until = 0.0

    def today(self) -> date:
        return day_of(datetime.fromtimestamp(self.clock(), self.tz), self.tz)

    def salt(self) -> bytes | None:
        """Today's salt, or None when the shared store cannot be reached (the scan then counts
        as a scan, not as a visitor: better than a salt other processes do not share)."""
        day, now = self.today(), self.clock()
        with self._lock:
            if self._day != day:
                self._day, self._salt, self._read_at = day, None, 0.0  # yesterday's salt is dropped
            if self.redis is None:
                if self._salt is None:
                    self._salt = secrets.token_bytes(32)
                return self._salt
            if self._salt is not None and now - self._read_at < CACHE_SECONDS:
                return self._salt
            if now < self._redis_down_until:
                return None
            try:
                self._salt = self._shared_salt(day)
                self._read_at = now
            except Exception:  # noqa: BLE001 - Redis down must not cost the visitor a page
                self._redis_down_until = now + REDIS_RETRY_SECONDS
                log.warning("visitor salt (Redis) unavailable; scans counted without visitors", exc_info=True)
                return None
            return self._salt

    def _shared_salt(self, day: date) -> bytes:
        key = f"{self.key_prefix}{day.isoformat()}"
        # The first process of the day draws it; it expires by itself when the day ends.
        self.redis.set(key, secrets.token_bytes(32), nx=True, exat=int(day_end(day, self.tz).timestamp()))
        salt = self.redis.get(key)
        if salt is None:  # expired between the two calls: the day just ended
            raise RuntimeError("visitor salt expired while being read")
        return salt

    def visitor(self, code: str, address: str | None, user_agent: str | None) -> str | None:
        """The key stored with a scan; None when there is no salt or no address."""
        salt = self.salt()
        if salt is None or not address:
            return None
        message = "\x00".join((code, address, user_agent or "")).encode("utf-8", "replace")
        return hmac.new(salt, message, hashlib.sha256).hexdigest()[:KEY_CHARS]

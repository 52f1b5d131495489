"""How many scans one client address may add to the counts per minute.

The counter lives only in the rate-limit storage (`limits`: process memory, or Redis with a
one-minute expiry), never in the database: the address is a key for a minute, not a record.
A scan over the limit still gets its page; it is just not counted.
"""

from __future__ import annotations

import logging
import threading

from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

log = logging.getLogger(__name__)


class ScanLimit:
    def __init__(self, per_minute: int, storage_uri: str) -> None:
        self.per_minute = per_minute
        self.storage_uri = storage_uri
        self._item = RateLimitItemPerMinute(per_minute) if per_minute > 0 else None
        self._limiter: FixedWindowRateLimiter | None = None
        self._lock = threading.Lock()

    def _get_limiter(self) -> FixedWindowRateLimiter:
        # Built on first use, in the worker process: memory storage starts a timer thread and a
        # Redis client holds sockets, neither of which survives gunicorn's fork.
        with self._lock:
            if self._limiter is None:
                self._limiter = FixedWindowRateLimiter(storage_from_string(self.storage_uri))
            return self._limiter

    @property
    def active(self) -> bool:
        return self._item is not None

    def allowance(self, wanted: dict[str | None, int]) -> dict[str | None, int]:
        """How many of each client's `wanted` scans count, taken from their allowances at once
        (one call per address, not one per scan): a batch gathered before it is pushed."""
        if self._item is None:
            return wanted
        allowed = {}
        for client, count in wanted.items():
            try:
                key = self._item.key_for("scan", client or "unknown")
                total = self._get_limiter().storage.incr(key, self._item.get_expiry(), amount=count)
            except Exception:  # noqa: BLE001 - as in counts(): the storage being down counts the scans
                log.warning("scan limit storage unavailable; counting the scans", exc_info=True)
                total = count
            # As `count` calls of counts(): the first ones up to the limit count.
            allowed[client] = max(0, min(count, self._item.amount - (total - count)))
        return allowed

    def counts(self, client: str | None) -> bool:
        """Take one from `client`'s allowance; False when the scan must not be counted."""
        if self._item is None:
            return True
        try:
            return self._get_limiter().hit(self._item, "scan", client or "unknown")
        except Exception:  # noqa: BLE001 - the storage being down must not cost the visitor a page
            log.warning("scan limit storage unavailable; counting the scan", exc_info=True)
            return True

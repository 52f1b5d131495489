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

    def counts(self, client: str | None) -> bool:
        """Take one from `client`'s allowance; False when the scan must not be counted."""
        if self._item is None:
            return True
        try:
            return self._get_limiter().hit(self._item, "scan", client or "unknown")
        except Exception:  # noqa: BLE001 - the storage being down must not cost the visitor a page
            log.warning("scan limit storage unavailable; counting the scan", exc_info=True)
            return True

"""Memory for hot public answers, per process, valid for one content version.

When forty visitors of a tour group scan one plaque, the page is rendered once, not forty times.
Entries belong to the content version they were made under (`heritage.ops.content_version`): a
commit that changes what visitors see, in any process on any server, moves the version and the
next lookup here drops every entry, so a publish shows at once. PAGE_CACHE_SECONDS still bounds an
entry's life, a backstop should a change ever go unannounced.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

_MISSING = object()


class MicroCache:
    def __init__(self, seconds: float, max_entries: int = 2048) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._version: Hashable = None

    @property
    def enabled(self) -> bool:
        return self.seconds > 0

    def _at(self, version: Hashable) -> bool:
        """Move to `version`, dropping the entries of any other; False if it is unknown (None).

        Any other version, not only a newer one: a render begun before a change and stored late
        is dropped by the next request, and a Redis that lost its key (a restart) starts over.
        """
        if version is None:
            return False
        if version != self._version:
            self._entries.clear()
            self._version = version
        return True

    def get(self, key: Hashable, version: Hashable = 0, default: Any = None) -> Any:
        if not self.enabled:
            return default
        with self._lock:
            if not self._at(version):
                return default
            entry = self._entries.get(key, _MISSING)
            if entry is _MISSING:
                return default
            expires, value = entry
            if expires < time.monotonic():
                del self._entries[key]
                return default
            self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any, version: Hashable = 0) -> None:
        if not self.enabled:
            return
        with self._lock:
            if not self._at(version):
                return
            self._entries[key] = (time.monotonic() + self.seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

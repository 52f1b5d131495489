"""Another connection committing all the while: the scan writer's batches, another process's saves."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def another_writer_committing(path: Path, every: float = 0.02) -> Iterator[list[float]]:
    """While the block runs, a connection of its own commits a row to the SQLite file at `path`
    every `every` seconds; yields the times of its commits (the test checks there were some)."""
    stop, commits = threading.Event(), []

    def write() -> None:
        connection = sqlite3.connect(path, isolation_level=None, timeout=5)
        connection.execute("CREATE TABLE IF NOT EXISTS other_writes (n INTEGER)")
        while not stop.is_set():
            connection.execute("INSERT INTO other_writes VALUES (?)", (len(commits),))
            commits.append(time.monotonic())
            time.sleep(every)
        connection.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        yield commits
    finally:
        stop.set()
        thread.join()

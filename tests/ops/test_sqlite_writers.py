"""SQLite in WAL mode: an editor's save does not fail because the scan writer committed meanwhile."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import text

from heritage.db import make_engine


def _save_while_another_writer_commits(url: str, method: str) -> tuple[str, str]:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)"))
        connection.execute(text("INSERT INTO t (v) VALUES ('before')"))
    read_done, other_tried = threading.Event(), threading.Event()
    outcome = {}

    def scan_writer():  # the buffer's flush: its own connection, no request
        read_done.wait(5)
        try:
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO t (v) VALUES ('scan')"))
            # Committed (a POST's editor holds the lock: this waits, and the editor's 0.5 s runs
            # out first). Said only now: said before the commit, the editor could take the
            # write lock first and the read-then-write case would pass by luck.
            other_tried.set()
            outcome["writer"] = "ok"
        except Exception as error:  # noqa: BLE001 - the outcome is what the test reads
            outcome["writer"] = type(error).__name__
        other_tried.set()

    thread = threading.Thread(target=scan_writer)
    thread.start()
    app = Flask(__name__)
    with app.test_request_context(method=method):
        try:
            with engine.begin() as connection:  # BEGIN (IMMEDIATE for a POST)
                connection.execute(text("SELECT v FROM t")).all()  # the form's reads
                read_done.set()
                other_tried.wait(0.5)  # the writer commits now, or waits for us
                connection.execute(text("UPDATE t SET v = 'saved' WHERE id = 1"))
            outcome["editor"] = "ok"
        except Exception as error:  # noqa: BLE001
            read_done.set()
            outcome["editor"] = type(error).__name__
    thread.join(10)
    engine.dispose()
    return outcome["editor"], outcome["writer"]


def test_an_editors_post_waits_for_the_lock_instead_of_failing(tmp_path):
    assert _save_while_another_writer_commits(f"sqlite:///{tmp_path / 'a.sqlite3'}", "POST") == ("ok", "ok")


def test_a_read_then_write_without_the_lock_fails_as_sqlite_says(tmp_path):
    """What happened to every save before: the reason the lock is taken first."""
    editor, writer = _save_while_another_writer_commits(f"sqlite:///{tmp_path / 'b.sqlite3'}", "GET")
    assert (editor, writer) == ("OperationalError", "ok")

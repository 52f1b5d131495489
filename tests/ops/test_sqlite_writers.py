"""SQLite in WAL mode: an editor's save, a job or a command does not fail because the scan writer
committed meanwhile."""

from __future__ import annotations

import sqlite3
import threading

from flask import Flask
from sqlalchemy import select, text

from heritage import create_app
from heritage.db import lock_at_first_write, make_engine
from heritage.extensions import db
from heritage.media.models import MediaFile, MediaKind
from heritage.migrate import upgrade
from tests.another_writer import another_writer_committing
from tests.media.conftest import encode, gradient


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


def test_outside_a_request_reads_keep_one_snapshot_and_the_first_write_waits_its_turn(tmp_path):
    """lock_at_first_write (jobs, commands): what was read stays one moment, and the write that
    follows another connection's commit goes through instead of failing as above."""
    path = tmp_path / "c.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        connection.execute(text("INSERT INTO t (v) VALUES ('before')"))
    other = sqlite3.connect(path, isolation_level=None)
    count = text("SELECT count(*) FROM t")
    with lock_at_first_write(), engine.begin() as connection:
        assert connection.scalar(count) == 1
        other.execute("INSERT INTO t (v) VALUES ('scan')")  # the scan writer commits meanwhile
        assert connection.scalar(count) == 1  # still the same moment
        connection.execute(text("UPDATE t SET v = 'saved' WHERE id = 1"))  # failed before
        assert connection.scalar(count) == 2  # the write's own, newer moment
    assert sorted(other.execute("SELECT v FROM t").fetchall()) == [("saved",), ("scan",)]
    other.close()
    engine.dispose()


def test_a_command_that_works_between_its_reads_and_its_writes_finishes_while_others_commit(tmp_path):
    """`flask heritage media add-photo` (seconds of resizing) on the embedded database of a running
    app: it failed with "database is locked" whenever the scan writer committed meanwhile."""
    path = tmp_path / "app.sqlite3"
    upgrade(f"sqlite:///{path}")
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "test", "MEDIA_ROOT": str(tmp_path / "media")}
    )
    runner = app.test_cli_runner()
    assert runner.invoke(args=["heritage", "load-demo"]).exit_code == 0
    photo = tmp_path / "gate.jpg"
    photo.write_bytes(encode(gradient(2400, 1600), "JPEG", quality=90))
    args = ["heritage", "media", "add-photo", "dinh-trung-ban", str(photo)]
    args += ["--credit", "Đoàn xã", "--licence", "CC BY 4.0", "--alt", "vi=Cổng"]
    with another_writer_committing(path) as commits:
        result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert len(commits) > 5  # the other connection did commit while the command worked
    with app.app_context():
        photos = db.session.scalars(select(MediaFile).where(MediaFile.kind == MediaKind.photo)).all()
        assert [p.original_name for p in photos] == ["gate.jpg"]
        db.session.remove()
    db.engine.dispose()

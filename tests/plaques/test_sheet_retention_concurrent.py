"""Two runs of forget_old_sheets at once (two workers' schedulers), each on its own connection to
the same database, SQLite file or PostgreSQL: every old sheet is removed exactly once, no error.

Committed rows, not the usual rolled-back test transaction: the runs must see each other's work.
Only `jobs` rows are made here (the function reads nothing else of a sheet), and deleted after.
"""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from heritage import create_app
from heritage.db import utcnow
from heritage.extensions import db
from heritage.media.storage import app_storage
from heritage.plaques.jobs import SHEET_JOB
from heritage.plaques.retention import forget_old_sheets
from heritage.tasks import Job, JobStatus

SHEETS = 12


@pytest.fixture
def committed_app(database_url, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "MEDIA_DIR": str(tmp_path / "media"),
            "TASK_QUEUE_URL": "memory://",
        }
    )
    db.sessionmaker.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
    ids = [uuid.uuid4().hex for _ in range(SHEETS)]
    try:
        yield app, ids
    finally:
        with app.app_context():
            db.session.execute(delete(Job).where(Job.id.in_(ids)))
            db.session.commit()
        db.engine.dispose()


def test_two_runs_at_once_remove_each_sheet_once(committed_app):
    app, ids = committed_app
    with app.app_context():
        keys = [app_storage().put(f"sheet {n}".encode()) for n in range(SHEETS)]
        long_ago = utcnow() - timedelta(days=60)
        db.session.add_all(
            Job(
                id=job_id,
                name=SHEET_JOB,
                args={},
                status=JobStatus.done,
                progress=100,
                result={"key": key, "filename": "sheet.pdf", "pages": 1, "sites": 1, "batch_id": None},
                finished_at=long_ago,
            )
            for job_id, key in zip(ids, keys, strict=True)
        )
        db.session.commit()

    start, reports, errors = threading.Barrier(2), [], []

    def run() -> None:
        try:
            with app.app_context():
                start.wait(5)
                reports.append(forget_old_sheets(db.session, app_storage(), 30))
        except Exception as error:  # noqa: BLE001 - the assertion below shows it
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and len(reports) == 2
    assert sum(r.deleted for r in reports) == SHEETS  # each once, whichever run got it
    assert sum(r.kept_shared + r.failed for r in reports) == 0
    with app.app_context():
        results = db.session.scalars(select(Job.result).where(Job.id.in_(ids))).all()
        assert all(r["removed_at"] and r["removed_after_days"] == 30 for r in results)
        assert not any(app_storage().exists(key) for key in keys)

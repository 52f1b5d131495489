"""Jobs as rows, run in the test's own transaction (SQLite and PostgreSQL): one commit or rollback,
bounded retries, a reason on failure, recovery from a dead worker. The real worker: test_worker.py.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

import tests.tasks.sample_jobs  # noqa: F401 - registers the test job functions
from heritage.accounts.models import Unit
from heritage.db import utcnow
from heritage.tasks import JobStatus, enqueue, job_status, retry, run_job
from heritage.tasks.jobs import recover_jobs, waiting_jobs
from heritage.tasks.queue import app_queue


def test_a_job_reaches_the_queue_only_when_its_row_is_committed(app, session):
    queue = app_queue()
    before = queue.pending_count()
    job_id = enqueue("test.make_unit", name="Đoàn xã Hạ Long", topic="site:1")
    assert queue.pending_count() == before  # a worker could not find the row yet
    session.commit()
    assert queue.pending_count() == before + 1
    job = job_status(job_id)
    assert (job.status, job.progress, job.topic, job.args) == (
        JobStatus.queued,
        0,
        "site:1",
        {"name": "Đoàn xã Hạ Long"},
    )


def test_a_rolled_back_enqueue_sends_nothing(app, session):
    queue = app_queue()
    before = queue.pending_count()
    enqueue("test.make_unit", name="never")
    session.rollback()
    session.commit()
    assert queue.pending_count() == before


def test_an_unknown_job_name_is_refused_at_once(app):
    with pytest.raises(LookupError):
        enqueue("test.no_such_job")


def test_a_job_runs_and_its_work_commits_with_done(app, session):
    job_id = enqueue("test.make_unit", name="Đoàn phường Bãi Cháy", steps=4)
    session.commit()
    outcome = run_job(job_id)
    assert outcome.status == JobStatus.done
    job = job_status(job_id)
    assert (job.status, job.progress, job.attempts, job.message) == (JobStatus.done, 100, 1, None)
    unit = session.get(Unit, job.result["unit_id"])
    assert unit.name == "Đoàn phường Bãi Cháy"
    assert job.finished_at is not None and job.started_at is not None
    # A second message for the same job (a duplicate) finds it done and does nothing.
    assert run_job(job_id) is None


def test_progress_is_visible_from_another_session_while_the_job_runs(app, session):
    from heritage.extensions import db
    from heritage.tasks import job_function

    seen = []

    @job_function("test.watched")
    def watched(progress):
        progress(40, "making the 960 px versions")
        with db.sessionmaker() as reader:  # what the uploader's page reads meanwhile
            job = job_status(job_id, reader)
            seen.append((job.status, job.progress, job.message))

    job_id = enqueue("test.watched")
    session.commit()
    run_job(job_id)
    assert seen == [(JobStatus.running, 40, "making the 960 px versions")]


def test_a_failing_job_leaves_no_work_and_is_retried_then_failed_with_its_reason(app, session):
    app.config["JOB_RETRY_SECONDS"] = 0
    job_id = enqueue("test.half_then_fail", name="half", max_attempts=2)
    session.commit()
    first = run_job(job_id)
    assert first.status == JobStatus.queued
    job = job_status(job_id)
    assert (job.status, job.attempts) == (JobStatus.queued, 1)
    assert "the disk is full" in job.message
    assert session.scalar(select(Unit).where(Unit.name == "half")) is None
    assert run_job(job_id).status == JobStatus.failed
    job = job_status(job_id)
    assert (job.status, job.attempts) == (JobStatus.failed, 2)
    assert job.message == "RuntimeError: the disk is full"
    assert run_job(job_id) is None  # failed stays failed
    # The uploader's "try again" gives it a fresh set of attempts.
    assert retry(session, job_id) is True
    session.commit()
    assert job_status(job_id).status == JobStatus.queued
    assert job_status(job_id).attempts == 0


def test_bad_input_fails_at_once_without_retries(app, session):
    job_id = enqueue("test.refused", max_attempts=3)
    session.commit()
    assert run_job(job_id).status == JobStatus.failed
    job = job_status(job_id)
    assert (job.attempts, job.message) == (1, "The panorama is not 2:1 (it is 3000 × 2000).")


def test_malformed_or_unknown_ids_are_nothing(app):
    assert job_status("../../etc") is None
    assert job_status("0" * 32) is None
    assert run_job("0" * 32) is None


def _running(session, job_id, *, worker, beat_age, attempts=1):
    job = job_status(job_id)
    job.status, job.worker, job.attempts = JobStatus.running, worker, attempts
    job.heartbeat_at = utcnow() - timedelta(seconds=beat_age)
    session.commit()


def test_a_job_without_heartbeat_is_queued_again_and_failed_once_attempts_are_spent(app, session):
    quiet = enqueue("test.make_unit", name="quiet", max_attempts=2)
    alive = enqueue("test.make_unit", name="alive", max_attempts=2)
    spent = enqueue("test.make_unit", name="spent", max_attempts=2)
    session.commit()
    _running(session, quiet, worker="other-host:1", beat_age=600)
    _running(session, alive, worker="other-host:1", beat_age=5)
    _running(session, spent, worker="other-host:1", beat_age=600, attempts=2)
    requeued = recover_jobs(session, stale_seconds=120)
    assert requeued == [quiet]
    assert job_status(quiet).status == JobStatus.queued
    # Kept as its message id, translated for whoever reads it (tests/tasks/test_job_messages.py).
    assert job_status(quiet).message == "The worker stopped while running this job; it will run again."
    assert job_status(alive).status == JobStatus.running
    assert job_status(spent).status == JobStatus.failed
    assert quiet in waiting_jobs(session)


def test_a_job_whose_worker_process_on_this_host_is_gone_is_queued_again_at_once(app, session):
    import socket

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    dead_pid = int(gone.stdout)
    job_id = enqueue("test.make_unit", name="orphan")
    session.commit()
    _running(session, job_id, worker=f"{socket.gethostname()}:{dead_pid}", beat_age=1)
    assert recover_jobs(session, stale_seconds=120) == [job_id]
    assert run_job(job_id).status == JobStatus.done
    assert job_status(job_id).attempts == 2

"""Jobs through a real worker process (`run_worker`, what `flask heritage worker` runs), on the
embedded SQLite queue and on Redis: done, failed with its reason after bounded retries, and a job
whose worker is killed mid-run finished by the next worker (no lost upload).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
from sqlalchemy import select

import tests.tasks.sample_jobs  # noqa: F401 - registers the test job functions
from heritage import PROJECT_ROOT, create_app
from heritage.accounts.models import Unit
from heritage.extensions import db
from heritage.migrate import upgrade
from heritage.tasks import JobStatus, enqueue, job_status
from tests.another_writer import another_writer_committing

REDIS_TEST_URL = "redis://127.0.0.1:6379/11"  # this area's Redis database (see notes)


def _redis_up() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture(params=["sqlite-queue", "redis-queue"])
def worker_env(request, tmp_path):
    """A migrated database file and a queue of its own; the environment a worker process reads."""
    if request.param == "redis-queue" and not _redis_up():
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    database_url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    upgrade(database_url)
    queue_url = (
        f"sqlite:///{tmp_path / 'queue.sqlite3'}" if request.param == "sqlite-queue" else REDIS_TEST_URL
    )
    env = {
        "DATABASE_URL": database_url,
        "TASK_QUEUE_URL": queue_url,
        "TASK_QUEUE_NAME": f"test-{uuid.uuid4().hex[:10]}",
        "SECRET_KEY": "worker-test",
        "JOB_RETRY_SECONDS": "0",
        "JOB_MAX_ATTEMPTS": "2",
    }
    app = create_app(dict(env, JOB_RETRY_SECONDS=0, JOB_MAX_ATTEMPTS=2))
    db.sessionmaker.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
    workers: list[subprocess.Popen] = []

    def start_worker() -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.tasks.worker_main"],
            cwd=PROJECT_ROOT,
            env={**os.environ, **env, "LOG_FORMAT": "plain"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        workers.append(process)
        return process

    with app.app_context():
        try:
            yield app, start_worker, tmp_path
        finally:
            for process in workers:
                if process.poll() is None:
                    process.terminate()
                    try:
                        process.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        process.kill()
            from heritage.tasks.queue import app_queue

            app_queue().flush()  # the Redis keys of this test's queue name
            db.session.remove()
            db.engine.dispose()


def _wait_for(job_id: str, statuses: set, timeout: float = 60) -> object:
    deadline = time.monotonic() + timeout
    while True:
        job = job_status(job_id)
        db.session.rollback()  # the next look reads what the worker has committed since
        if job is not None and job.status in statuses:
            return job
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} still {job.status if job else 'missing'}")
        time.sleep(0.1)


def test_a_worker_runs_queued_jobs_and_commits_their_work(worker_env):
    app, start_worker, _tmp = worker_env
    job_id = enqueue("test.make_unit", name="Đoàn phường Hồng Gai", topic="site:7")
    db.session.commit()
    start_worker()
    job = _wait_for(job_id, {JobStatus.done, JobStatus.failed})
    assert (job.status, job.progress, job.attempts) == (JobStatus.done, 100, 1)
    assert db.session.get(Unit, job.result["unit_id"]).name == "Đoàn phường Hồng Gai"


def test_a_failing_job_is_retried_then_shown_failed_with_its_reason(worker_env):
    app, start_worker, _tmp = worker_env
    start_worker()
    job_id = enqueue("test.half_then_fail", name="never kept")
    db.session.commit()
    job = _wait_for(job_id, {JobStatus.failed})
    assert (job.attempts, job.message) == (2, "RuntimeError: the disk is full")
    assert db.session.scalar(select(Unit).where(Unit.name == "never kept")) is None


def test_a_job_whose_worker_is_killed_is_finished_by_the_next_worker(worker_env):
    app, start_worker, tmp = worker_env
    job_id = enqueue("test.crash_once", marker=str(tmp / "crashed"), name="Đoàn xã Yên Đức")
    db.session.commit()
    first = start_worker()
    assert first.wait(timeout=60) == -9  # the job killed its worker mid-run
    assert job_status(job_id).status == JobStatus.running
    db.session.rollback()
    start_worker()  # a restart: it finds the job its dead predecessor left running
    job = _wait_for(job_id, {JobStatus.done, JobStatus.failed})
    assert (job.status, job.attempts) == (JobStatus.done, 2)
    assert db.session.get(Unit, job.result["unit_id"]).name == "Đoàn xã Yên Đức"


def test_a_job_that_reads_works_then_writes_finishes_while_others_commit(worker_env):
    """SQLite (WAL): a transaction that has read cannot write once another connection has
    committed since. A media job reads its inputs, tiles for seconds, then writes, while the scan
    writer commits a batch each second: it must still finish, at its first attempt."""
    app, start_worker, tmp = worker_env
    job_id = enqueue("test.read_work_write", name="Đoàn xã Bình Dân", seconds=1.0)
    db.session.commit()
    with another_writer_committing(tmp / "jobs.sqlite3") as commits:
        start_worker()
        job = _wait_for(job_id, {JobStatus.done, JobStatus.failed})
    assert (job.status, job.attempts, job.message) == (JobStatus.done, 1, None)
    assert db.session.get(Unit, job.result["unit_id"]).name == "Đoàn xã Bình Dân"
    assert len(commits) > 10  # the other connection did commit all the while

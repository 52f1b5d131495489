"""The queue that carries job ids to workers: Huey, on Redis in production, on SQLite by default.

Why Huey: one small, long-kept library with both an embedded store (a SQLite file, no server)
and Redis, a thread worker and a periodic scheduler. RQ needs Redis even on a laptop; Dramatiq's
embedded option is in-memory only. The queue holds nothing but job ids; state lives in `jobs`.

TASK_QUEUE_URL: `redis://...`, `sqlite:///path` or `memory://` (one process, for tests);
empty means REDIS_URL when that is set, else `sqlite:///var/tasks.sqlite3`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app

log = logging.getLogger(__name__)
_EXTENSION = "heritage.task_queue"


def queue_url(config) -> str:
    url = config.get("TASK_QUEUE_URL") or ""
    if url:
        return url
    if config.get("REDIS_URL"):
        return config["REDIS_URL"]
    return "sqlite:///var/tasks.sqlite3"


def make_queue(app: Flask):
    """The app's Huey with its tasks: run a job, look for jobs whose worker died, forget old sheets."""
    from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab

    url = queue_url(app.config)
    name = app.config["TASK_QUEUE_NAME"]
    if url.startswith(("redis://", "rediss://", "unix://")):
        huey = RedisHuey(name, url=url, results=False)
    elif url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_absolute():
            from heritage import PROJECT_ROOT

            path = PROJECT_ROOT / path
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(name, filename=str(path), results=False)
    elif url == "memory://":
        huey = MemoryHuey(name, results=False)
    else:
        raise ValueError(f"TASK_QUEUE_URL must be redis://, sqlite:/// or memory://, not {url!r}")

    @huey.task(name="run_job")
    def run_job_task(job_id: str) -> None:
        from heritage.tasks.jobs import run_job

        with app.app_context():
            run_job(job_id, heartbeat_seconds=app.config["JOB_HEARTBEAT_SECONDS"])

    @huey.periodic_task(crontab(minute="*"), name="recover_jobs")
    def recover_jobs_task() -> None:
        recover(app)

    # Hourly, not daily: a periodic task only fires while a worker runs, and deploys restart them.
    # Each worker's scheduler sends it; running twice at once is safe (see plaques.retention).
    @huey.periodic_task(crontab(minute="17"), name="forget_old_sheets")
    def forget_old_sheets_task() -> None:
        forget_old_sheets(app)

    huey.heritage_run_job = run_job_task
    return huey


def app_queue():
    """The current app's queue, made on first use (nothing is opened at import or in the factory)."""
    queue = current_app.extensions.get(_EXTENSION)
    if queue is None:
        queue = current_app.extensions[_EXTENSION] = make_queue(current_app._get_current_object())
    return queue


def push(job_id: str, delay: float | None = None) -> None:
    task = app_queue().heritage_run_job
    if delay:
        task.schedule(args=(job_id,), delay=delay)
    else:
        task(job_id)


def recover(app: Flask, *, resend_waiting: bool = False) -> list[str]:
    """Send again the jobs a dead worker left running (and, at start, every waiting job)."""
    from heritage.extensions import db
    from heritage.tasks.jobs import recover_jobs, waiting_jobs

    with app.app_context():
        ids = recover_jobs(db.session, stale_seconds=app.config["JOB_STALE_SECONDS"])
        if resend_waiting:
            ids = waiting_jobs(db.session)  # includes those just queued again
        for job_id in ids:
            push(job_id)
        if ids:
            log.info("sent %d job(s) to the queue again", len(ids))
        return ids


def forget_old_sheets(app: Flask):
    """Delete the PDFs of sheets finished more than SHEET_KEEP_DAYS ago (their print records stay)."""
    from heritage.extensions import db
    from heritage.media.storage import app_storage
    from heritage.plaques.retention import forget_old_sheets as forget

    with app.app_context():
        return forget(db.session, app_storage(), app.config["SHEET_KEEP_DAYS"])


def run_worker(app: Flask, workers: int) -> None:
    """Run the queue's consumer in this process until SIGINT/SIGTERM (`flask heritage worker`)."""
    with app.app_context():
        queue = app_queue()
    recover(app, resend_waiting=True)
    # Poll the embedded SQLite queue at least every 2 s (Redis blocks on its list instead).
    consumer = queue.create_consumer(workers=workers, worker_type="thread", periodic=True, max_delay=2.0)
    consumer.run()

"""Jobs as rows: enqueue, claim, run with one commit or rollback, retry, and recover from a dead worker.

A job function is `fn(progress, **args) -> dict | None`, registered with `@job_function("name")`.
It works on `db.session`; the runner commits its changes together with the job's "done", or rolls
them back and records why. Progress goes through a session of its own, so the uploader sees it
while the work is still uncommitted.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from heritage.db import lock_at_first_write, utcnow
from heritage.errors import ValidationError
from heritage.extensions import db
from heritage.tasks.messages import message_parts
from heritage.tasks.models import Job, JobStatus

log = logging.getLogger(__name__)

# Modules whose job functions register themselves when imported; looked up on first use.
JOB_MODULES = ("heritage.media.jobs", "heritage.plaques.jobs")
_FUNCTIONS: dict[str, Callable[..., dict | None]] = {}
_PUSH_KEY = "heritage.jobs_to_push"


_FINALLY: dict[str, Callable[..., None]] = {}


def job_function(name: str, *, when_finished: Callable[..., None] | None = None) -> Callable:
    """Register `fn(progress, **args)` under `name`.

    `when_finished(**args)` runs once the job is done (after its commit) or refused its input
    (a `ValidationError`): the place to forget temporary inputs. Other failures keep them, for
    the retry a person may ask for.
    """

    def register(function: Callable) -> Callable:
        _FUNCTIONS[name] = function
        if when_finished is not None:
            _FINALLY[name] = when_finished
        return function

    return register


def _finished(name: str, args: dict) -> None:
    cleanup = _FINALLY.get(name)
    if cleanup is None:
        return
    try:
        cleanup(**args)
    except Exception:  # noqa: BLE001 - the job's outcome stands; leftovers are only space
        log.exception("clean-up after job %s failed", name)


def _function(name: str) -> Callable[..., dict | None]:
    if name not in _FUNCTIONS:
        for module in JOB_MODULES:
            importlib.import_module(module)
    try:
        return _FUNCTIONS[name]
    except KeyError:
        raise LookupError(f"no job function named {name!r}") from None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def enqueue(
    name: str,
    /,
    *,
    topic: str | None = None,
    user_id: int | None = None,
    max_attempts: int | None = None,
    **args,
) -> str:
    """Add a job to `db.session` and return its id; it reaches the queue once the session commits.

    `args` (JSON values) are the job function's keyword arguments; `topic` (e.g. "site:12") is
    what lists of jobs filter on.

    Sent after the commit, never before: a worker must find the row when the message arrives.
    """
    _function(name)  # an unknown name fails here, in the request, not later in a worker
    job = Job(
        id=uuid.uuid4().hex,
        name=name,
        args=args,
        topic=topic,
        user_id=user_id,
        status=JobStatus.queued,
        progress=0,
        attempts=0,
        max_attempts=max_attempts or current_app.config["JOB_MAX_ATTEMPTS"],
    )
    session = db.session()
    session.add(job)
    session.flush()
    _send_on_commit(session, job.id)
    return job.id


def _send_on_commit(session: Session, job_id: str) -> None:
    session.info.setdefault(_PUSH_KEY, []).append(job_id)
    _listen()


def _listen() -> None:
    if not event.contains(Session, "after_commit", _push_committed):
        event.listen(Session, "after_commit", _push_committed)
        event.listen(Session, "after_rollback", _forget_uncommitted)
        event.listen(Session, "before_flush", _note_write)
        event.listen(Session, "after_commit", _forget_write)
        event.listen(Session, "after_rollback", _forget_write)


def _push_committed(session: Session) -> None:
    job_ids = session.info.pop(_PUSH_KEY, None)
    if not job_ids:
        return
    from heritage.tasks.queue import push

    for job_id in job_ids:
        try:
            push(job_id)
        except Exception:  # noqa: BLE001 - the row is committed: the next worker start sends it again
            log.exception("job %s committed but not queued", job_id)


def _forget_uncommitted(session: Session) -> None:
    session.info.pop(_PUSH_KEY, None)


def job_status(job_id: str, session: Session | None = None) -> Job | None:
    """The job's row (status, progress, message, result), fresh from the database."""
    session = session or db.session
    job = session.get(Job, job_id, populate_existing=True) if _is_job_id(job_id) else None
    return job


def _is_job_id(value: str) -> bool:
    return isinstance(value, str) and len(value) == 32 and all(c in "0123456789abcdef" for c in value)


class Progress:
    """Callable a job reports with: `progress(40, _l("Making the %(width)d px versions", width=960))`.

    Written through its own session (committed at once) so readers see it mid-job; a repeated
    percentage is not written again. A lazy message is kept as its id and parameters, shown later
    in each reader's language (`heritage.tasks.messages`).
    """

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.last: int | None = None

    def __call__(self, percent: float, message: str | None = None) -> None:
        percent = max(0, min(99, int(percent)))  # 100 only with the job's own commit
        if percent == self.last and message is None:
            return
        self.last = percent
        values: dict = {"progress": percent, "heartbeat_at": utcnow()}
        if message is not None:
            values["message"], values["message_args"] = message_parts(message)
        session = db.session()
        sqlite = session.get_bind().dialect.name == "sqlite"
        if sqlite and session.info.get(_WROTE_KEY):
            # The job holds SQLite's one write lock until its commit: this step's progress is
            # skipped (not waited for, busy_timeout's seconds), not the job.
            log.debug("progress of job %s not written (the job holds the write lock)", self.job_id)
            return
        try:
            _write(self.job_id, **values)
        except OperationalError:
            if not sqlite:
                raise
            # Another writer held SQLite's lock past busy_timeout: this step's progress is skipped.
            log.debug("progress of job %s not written (database locked)", self.job_id)


_WROTE_KEY = "heritage.job_wrote"


def _note_write(session: Session, *_args) -> None:
    if session.new or session.dirty or session.deleted:
        session.info[_WROTE_KEY] = True


def _forget_write(session: Session, *_args) -> None:
    session.info.pop(_WROTE_KEY, None)


def _write(job_id: str, **values) -> int:
    """One short transaction on its own session: visible to readers at once."""
    with db.sessionmaker() as side:
        result = side.execute(update(Job).where(Job.id == job_id).values(**values))
        side.commit()
        return result.rowcount


def _claim(job_id: str, worker: str) -> bool:
    """queued -> running, atomically: of two workers given the same id, one runs it."""
    with db.sessionmaker() as side:
        now = utcnow()
        result = side.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.queued)
            .values(
                status=JobStatus.running,
                attempts=Job.attempts + 1,
                worker=worker,
                started_at=now,
                heartbeat_at=now,
                message=None,
                message_args=None,
            )
        )
        side.commit()
        return result.rowcount == 1


@dataclass(frozen=True)
class Outcome:
    status: JobStatus
    retry_in: float | None = None  # seconds until the next attempt, when it will be retried


def run_job(job_id: str, *, heartbeat_seconds: float | None = None) -> Outcome | None:
    # Messages are kept as ids and translated for each reader; a lazy parameter (rare) that must be
    # resolved here is in the back office's first language.
    with force_locale(current_app.config["DEFAULT_LANGUAGE"]):
        return _run_job(job_id, heartbeat_seconds)


def _run_job(job_id: str, heartbeat_seconds: float | None) -> Outcome | None:
    """Run one queued job now, in this app context. None: not queued (done, running elsewhere, unknown).

    The job's changes and its "done" are one commit; on an error both are rolled back and the
    job is queued again (bounded) or marked failed with the reason.
    """
    _listen()
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("run_job() needs a session with nothing pending: commit first")
    # End any read-only transaction first: the job's unit of work starts after its claim.
    session.rollback()
    if not _is_job_id(job_id):
        return None
    with lock_at_first_write():  # SQLite: minutes of work between the job's reads and writes
        return _claim_and_run(job_id, heartbeat_seconds)


def _claim_and_run(job_id: str, heartbeat_seconds: float | None) -> Outcome | None:
    session = db.session
    if not _claim(job_id, worker_name()):
        return None
    job = session.get(Job, job_id, populate_existing=True)
    stop_beating = _start_heartbeat(job_id, heartbeat_seconds) if heartbeat_seconds else None
    try:
        result = _function(job.name)(Progress(job_id), **(job.args or {}))
        # A statement, not the loaded row: the progress session has changed it meanwhile.
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                status=JobStatus.done,
                progress=100,
                result=result,
                message=None,
                message_args=None,
                finished_at=utcnow(),
            )
        )
        session.commit()
        _finished(job.name, job.args or {})
        return Outcome(JobStatus.done)
    except Exception as error:  # noqa: BLE001 - every failure is recorded on the job
        session.rollback()
        return _failed(job_id, error)
    finally:
        if stop_beating:
            stop_beating()


def _failed(job_id: str, error: Exception) -> Outcome:
    # Read and written on a session of its own: the job's session has just been rolled back.
    with db.sessionmaker() as side:
        job = side.get(Job, job_id)
        name, attempts, max_attempts, args = job.name, job.attempts, job.max_attempts, job.args or {}
    if isinstance(error, ValidationError):
        # The input itself is wrong (a damaged file): another attempt cannot help.
        (message, message_args), retry = message_parts(error.message), False
    else:
        log.exception("job %s (%s) failed", job_id, name, exc_info=error)
        message, message_args = message_parts(f"{type(error).__name__}: {error}")
        retry = attempts < max_attempts
    said = {"message": message, "message_args": message_args}
    if retry:
        delay = current_app.config["JOB_RETRY_SECONDS"] * attempts
        _write(job_id, status=JobStatus.queued, worker=None, **said)
        from heritage.tasks.queue import push

        push(job_id, delay=delay)
        return Outcome(JobStatus.queued, retry_in=delay)
    _write(job_id, status=JobStatus.failed, finished_at=utcnow(), worker=None, **said)
    if isinstance(error, ValidationError):
        _finished(name, args)
    return Outcome(JobStatus.failed)


def _start_heartbeat(job_id: str, seconds: float) -> Callable[[], None]:
    """A running job says it is alive every `seconds`, even in a long step without progress."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(seconds):
            try:
                _write(job_id, heartbeat_at=utcnow())
            except Exception:  # noqa: BLE001 - a missed beat only risks an early retry
                log.warning("heartbeat for job %s failed", job_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"heartbeat-{job_id[:8]}", daemon=True)
    thread.start()

    def stop_beating() -> None:
        stop.set()
        thread.join(timeout=seconds + 5)

    return stop_beating


def _worker_is_gone(worker: str | None, host: str) -> bool:
    """A worker on this host whose process no longer exists (the restart after a crash)."""
    if not worker or ":" not in worker:
        return False
    name, _, pid = worker.rpartition(":")
    if name != host or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def recover_jobs(session: Session, *, stale_seconds: float, now: datetime | None = None) -> list[str]:
    """Jobs whose worker died mid-run: queued again while attempts remain, else failed. Commits.

    Dead means: no heartbeat for `stale_seconds`, or a worker process on this host that is gone.
    Returns the ids queued again (the caller sends them).
    """
    now = now or utcnow()
    host = socket.gethostname()
    limit = now - timedelta(seconds=stale_seconds)
    requeued = []
    for job in session.scalars(select(Job).where(Job.status == JobStatus.running)).all():
        beat = job.heartbeat_at
        if beat is not None and beat.tzinfo is None:  # SQLite returns naive UTC
            beat = beat.replace(tzinfo=UTC)
        if not (_worker_is_gone(job.worker, host) or beat is None or beat < limit):
            continue
        if job.attempts < job.max_attempts:
            job.status = JobStatus.queued
            said = _l("The worker stopped while running this job; it will run again.")
            requeued.append(job.id)
        else:
            job.status = JobStatus.failed
            said = _l("The worker stopped while running this job, on every attempt.")
            job.finished_at = now
        job.message, job.message_args = message_parts(said)
        job.worker = None
    session.commit()
    return requeued


def waiting_jobs(session: Session) -> list[str]:
    """Every queued job's id: a worker starting sends them again (a message lost in a crash)."""
    return list(
        session.scalars(select(Job.id).where(Job.status == JobStatus.queued).order_by(Job.created_at))
    )


def retry(session: Session, job_id: str) -> bool:
    """A failed job gets a fresh set of attempts (the uploader's "try again"). Flushes; queued on commit."""
    job = job_status(job_id, session)
    if job is None or job.status != JobStatus.failed:
        return False
    job.status, job.attempts, job.progress, job.finished_at = JobStatus.queued, 0, 0, None
    session.flush()
    _send_on_commit(session, job.id)
    return True

"""Finished sheet PDFs are kept SHEET_KEEP_DAYS, then their files are deleted; the print records stay.

A sheet is a job (`heritage.plaques.jobs.print_sheet`) whose result names its PDF by storage key.
The PDF can be made again from the print record's sites at any time, so over ten years only the
files would pile up, never anything worth keeping. `forget_old_sheets()` runs every hour in the
worker (`heritage.tasks.queue`) and as `flask heritage forget-old-sheets`.

For each sheet finished before the limit, in one transaction: its job row is locked, marked
(`result["removed_at"]`, `result["removed_after_days"]`), the file deleted, then committed.
Storage is content-addressed, so the same bytes may be named elsewhere (a media row, another job):
the sheet is marked all the same, but the file stays for whatever else names it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Text, and_, cast, or_, select, update
from sqlalchemy.orm import Session

from heritage.db import utcnow
from heritage.media.models import MediaFile
from heritage.media.storage import Storage, StorageError
from heritage.plaques.jobs import SHEET_JOB
from heritage.tasks.models import Job, JobStatus

log = logging.getLogger(__name__)


@dataclass
class Forgotten:
    """What one run did: files deleted, sheets marked whose bytes something else still names,
    and sheets left for the next run because the storage failed."""

    deleted: int = 0
    kept_shared: int = 0
    failed: int = 0

    @property
    def sheets(self) -> int:
        return self.deleted + self.kept_shared


def removed_after_days(job: Job) -> int | None:
    """How many days the sheet's PDF was kept before it was removed; None while it is still kept."""
    result = job.result or {}
    if not result.get("removed_at"):
        return None
    return int(result.get("removed_after_days") or 0)


def _not_removed(column):
    # JSON_EXTRACT (SQLite) and ->> (PostgreSQL) are NULL for a missing member, and for a NULL result.
    return column["removed_at"].as_string().is_(None)


def forget_old_sheets(session: Session, storage: Storage, keep_days: int, *, now: datetime | None = None):
    """Delete the PDFs of sheets finished more than `keep_days` ago. Commits, one sheet at a time.

    Safe to run twice, or in two workers at once: each sheet's row is locked, then read again.
    """
    now = now or utcnow()
    limit = now - timedelta(days=keep_days)
    due = session.scalars(
        select(Job.id)
        .where(
            Job.name == SHEET_JOB,
            Job.status == JobStatus.done,
            Job.finished_at < limit,
            _not_removed(Job.result),
        )
        .order_by(Job.finished_at)
    ).all()
    # End the read: on SQLite a transaction that read first could not write after another writer.
    session.commit()
    report = Forgotten()
    for job_id in due:
        try:
            outcome = _forget_one(session, storage, job_id, keep_days, now)
        except StorageError:
            session.rollback()  # the mark goes too: the next run tries again
            log.warning("could not delete the PDF of sheet job %s", job_id, exc_info=True)
            report.failed += 1
            continue
        if outcome == "deleted":
            report.deleted += 1
        elif outcome == "shared":
            report.kept_shared += 1
    if report.sheets or report.failed:
        log.info(
            "old sheets: %d PDF(s) deleted, %d kept for other rows, %d failed",
            report.deleted,
            report.kept_shared,
            report.failed,
        )
    return report


def _forget_one(session: Session, storage: Storage, job_id: str, keep_days: int, now: datetime) -> str | None:
    # A write first: it locks the row (PostgreSQL) or takes SQLite's write lock before anything is
    # read, so a second run waits here and then sees this one's mark.
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(finished_at=Job.finished_at)
        .execution_options(synchronize_session=False)
    )
    job = session.get(Job, job_id, populate_existing=True)
    if job is None or removed_after_days(job) is not None or job.status != JobStatus.done:
        session.rollback()
        return None
    result = dict(job.result or {})
    key = result.get("key")
    shared = bool(key) and _named_elsewhere(session, key, job_id)
    result["removed_at"] = now.isoformat()
    result["removed_after_days"] = keep_days
    job.result = result
    session.flush()
    if key and not shared:
        # No new row can come to name these bytes between the check and the delete: a sheet PDF
        # carries the time it was made (fpdf2's CreationDate), so an order today never makes a
        # month-old file again, and uploads are photos and sound, never PDFs.
        # Deleted before the commit: if the commit fails the file is gone but unmarked, and the
        # download answers 410 all the same; the next run marks it.
        storage.delete(key)
    session.commit()
    return "shared" if shared else "deleted"


def _named_elsewhere(session: Session, key: str, job_id: str) -> bool:
    """Whether a media row or another job names these bytes (identical bytes share a key).

    Jobs are searched as text: an upload waiting for its job names its key in the arguments,
    sometimes nested (the demo tour), and another sheet in its result until that is removed too.
    """
    if session.scalar(select(MediaFile.id).where(MediaFile.sha256 == key).limit(1)) is not None:
        return True
    other = select(Job.id).where(
        Job.id != job_id,
        or_(
            cast(Job.args, Text).contains(key),
            and_(cast(Job.result, Text).contains(key), _not_removed(Job.result)),
        ),
    )
    return session.scalar(other.limit(1)) is not None

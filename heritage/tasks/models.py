"""A background job is a `Job` row: what to run, its state, progress and reason, whoever runs it.

The row is the truth; the queue (Huey, on SQLite or Redis) only carries job ids to a worker.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from heritage.db import Base, string_enum, utcnow


class JobStatus(enum.StrEnum):
    queued = "queued"  # waiting for a worker (also between retries)
    running = "running"
    done = "done"
    failed = "failed"  # every attempt failed; `message` says why


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        # The back office lists a site's (topic's) recent jobs; the reaper looks for stale ones.
        Index("ix_jobs_topic_created_at", "topic", "created_at"),
        Index("ix_jobs_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random hex: shown in URLs
    name: Mapped[str] = mapped_column(String(100))
    args: Mapped[dict] = mapped_column(JSON, default=dict)
    # What the job is about, for listing: e.g. "site:12". Free text to the queue.
    topic: Mapped[str | None] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[JobStatus] = mapped_column(string_enum(JobStatus, "job_status"), default=JobStatus.queued)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # 0..100
    # The stage, or why it failed: an English message id translated when shown (`message_args`
    # its parameters, see heritage.tasks.messages), or literal text when message_args is NULL.
    message: Mapped[str | None] = mapped_column(String(500))
    message_args: Mapped[dict | None] = mapped_column(JSON)
    result: Mapped[dict | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    worker: Mapped[str | None] = mapped_column(String(100))  # host:pid of the worker running it
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.done, JobStatus.failed)

    def __repr__(self) -> str:
        return f"<Job {self.id[:8]} {self.name} {self.status} {self.progress}%>"

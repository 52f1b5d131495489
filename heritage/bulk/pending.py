"""Keep a checked file for its confirmation, find it again by hash, forget it. Callers commit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from heritage.accounts.models import User
from heritage.bulk.models import PendingImport
from heritage.bulk.sheets import Upload


def _cutoff(keep_minutes: int) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=keep_minutes)


def keep(
    session: Session, user: User, upload: Upload, filename: str, default_unit: str | None, keep_minutes: int
) -> PendingImport:
    """Store the file for `user` (the same file twice is one row); expired files of anyone go."""
    session.execute(delete(PendingImport).where(PendingImport.created_at < _cutoff(keep_minutes)))
    pending = session.scalar(
        select(PendingImport).where(PendingImport.user_id == user.id, PendingImport.sha256 == upload.sha256)
    )
    if pending is None:
        pending = PendingImport(user_id=user.id, sha256=upload.sha256, size=upload.size, data=upload.read())
        session.add(pending)
    pending.filename = filename[:200]
    pending.default_unit = default_unit
    pending.created_at = datetime.now(UTC)
    session.flush()
    return pending


def find(session: Session, user: User, sha256: str, keep_minutes: int) -> PendingImport | None:
    """The user's own file with this hash, while it is fresh; another user's never."""
    return session.scalar(
        select(PendingImport).where(
            PendingImport.user_id == user.id,
            PendingImport.sha256 == sha256,
            PendingImport.created_at >= _cutoff(keep_minutes),
        )
    )


def forget(session: Session, pending: PendingImport) -> None:
    session.delete(pending)
    session.flush()

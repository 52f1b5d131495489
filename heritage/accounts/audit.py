"""The audit log: one row per sign-in, password change, account or role change, publication,
send-back, archive, restore and plaque print. Who, what, when and on what; never an IP address.
"""

from __future__ import annotations

import enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.accounts.models import AuditEvent, User


class AuditAction(enum.StrEnum):
    sign_in = "sign_in"
    sign_in_failed = "sign_in_failed"
    sign_out = "sign_out"
    password_changed = "password_changed"
    password_set = "password_set"
    set_password_link_issued = "set_password_link_issued"
    user_created = "user_created"
    role_changed = "role_changed"
    account_deactivated = "account_deactivated"
    account_reactivated = "account_reactivated"
    unit_created = "unit_created"
    site_published = "site_published"  # a site, or an edit of it, went live
    media_approved = "media_approved"  # a volunteer's photos, recordings or 360° views went live
    site_sent_back = "site_sent_back"
    site_archived = "site_archived"
    site_restored = "site_restored"
    plaques_printed = "plaques_printed"


def record(
    session: Session,
    action: AuditAction,
    actor: User | None,
    target: object | None = None,
    **detail: object,
) -> AuditEvent:
    """Add an event; `target` is any model row with an id (its table name is kept as the type)."""
    event = AuditEvent(
        action=action.value,
        actor_id=actor.id if actor is not None else None,
        target_type=getattr(target, "__tablename__", None),
        target_id=getattr(target, "id", None),
        detail={key: value for key, value in detail.items() if value is not None},
    )
    session.add(event)
    session.flush()
    return event


def recent_events(session: Session, limit: int = 100, before_id: int | None = None) -> list[AuditEvent]:
    """Newest first; `before_id` pages back through older events."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if before_id is not None:
        stmt = stmt.where(AuditEvent.id < before_id)
    return list(session.scalars(stmt))

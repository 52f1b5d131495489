"""Media go through review like text: the one rule for who sees a file and who may change it.

A photo, recording or panorama is public when it is approved and not archived; its derivatives
follow it. An editor's (or the system's) upload is approved at once; a volunteer's waits until an
editor approves the site's pending changes (`heritage.review.editing`), which calls `release()`.
A volunteer changes only files still waiting; a file visitors see is an editor's to change.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from heritage.accounts.models import Role, User
from heritage.db import utcnow
from heritage.media.models import MediaFile, MediaKind
from heritage.media.tour_models import SceneNarration, of_scene
from heritage.review.errors import Forbidden
from heritage.sites.models import Site

# What an upload makes; everything else is a derivative of one of these.
UPLOADED_KINDS = (MediaKind.photo, MediaKind.narration, MediaKind.panorama)


def approved_on_upload(user: User | None) -> bool:
    """None is the system (command line, demo loader); editors and admins need no second look."""
    return user is None or user.role.at_least(Role.editor)


def upload_stamp(user: User | None) -> dict:
    """What a queued upload job carries, decided in the request (the worker has no user)."""
    return {"uploaded_by_id": user.id if user is not None else None, "approved": approved_on_upload(user)}


def stamp(media: MediaFile, uploaded_by_id: int | None, approved: bool) -> None:
    media.uploaded_by_id = uploaded_by_id
    if approved:
        media.approved_at = utcnow()
        media.approved_by_id = uploaded_by_id


def visible():
    """The SQL condition for an uploaded file (not a derivative) that visitors may see."""
    return and_(MediaFile.approved_at.is_not(None), MediaFile.archived_at.is_(None))


def shown(with_pending: bool):
    """Visitors: approved and not archived; the back office (`with_pending`): not archived."""
    return MediaFile.archived_at.is_(None) if with_pending else visible()


def is_visible(media: MediaFile) -> bool:
    """A file, or the file a derivative belongs to, is approved and neither is archived."""
    owner = media.parent if media.parent_id is not None else media
    if owner is None:  # a derivative whose parent is gone: nothing to vouch for it
        return False
    return owner.approved_at is not None and owner.archived_at is None and media.archived_at is None


def pending_media(session: Session, site: Site) -> list[MediaFile]:
    """The site's uploads waiting for an editor, oldest first."""
    return list(
        session.scalars(
            select(MediaFile)
            .where(
                MediaFile.site_id == site.id,
                MediaFile.kind.in_(UPLOADED_KINDS),
                MediaFile.approved_at.is_(None),
                MediaFile.archived_at.is_(None),
            )
            .order_by(MediaFile.id)
        )
    )


def has_pending_media():
    """SQL: the site (`Site.id`) has an upload waiting for an editor (for the review queue)."""
    waiting = aliased(MediaFile)
    return (
        select(waiting.id)
        .where(
            waiting.site_id == Site.id,
            waiting.kind.in_(UPLOADED_KINDS),
            waiting.approved_at.is_(None),
            waiting.archived_at.is_(None),
        )
        .exists()
    )


def release(session: Session, site: Site, actor: User | None) -> list[MediaFile]:
    """Approve every waiting upload of the site; a recording replaces the language's older ones
    (archived, kept). The caller has checked role, scope and state. Flushes."""
    released = pending_media(session, site)
    now = utcnow()
    for media in released:
        media.approved_at = now
        media.approved_by_id = actor.id if actor is not None else None
        if media.kind == MediaKind.narration:
            replace_older_narrations(session, media)
    session.flush()
    return released


def replace_older_narrations(session: Session, narration: MediaFile, *, pending_only: bool = False) -> None:
    """Archive the site's earlier recordings in the same language (of the same 360° scene, or of
    the site itself): a recording going live replaces them all; a waiting one (`pending_only`)
    replaces only the earlier waiting ones."""
    scene_id = session.scalar(
        select(SceneNarration.scene_id).where(SceneNarration.narration_id == narration.id)
    )
    older = select(MediaFile).where(
        MediaFile.site_id == narration.site_id,
        MediaFile.kind == MediaKind.narration,
        MediaFile.lang == narration.lang,
        MediaFile.archived_at.is_(None),
        MediaFile.id < narration.id,  # flushed: it has its id
        of_scene(scene_id),
    )
    if pending_only:
        older = older.where(MediaFile.approved_at.is_(None))
    now = utcnow()
    for media in session.scalars(older):
        media.archived_at = now


def can_change(actor: User | None, media: MediaFile) -> bool:
    """Words, order, archiving: a volunteer only their own upload, while it waits for review."""
    if approved_on_upload(actor):
        return True
    return media.is_pending and media.uploaded_by_id is not None and media.uploaded_by_id == actor.id


def check_change(actor: User | None, media: MediaFile) -> None:
    if not can_change(actor, media):
        raise Forbidden(
            "media",
            _l(
                "Visitors already see this file: only an editor can change or remove it. "
                "You can change your own uploads until an editor approves them."
            ),
        )

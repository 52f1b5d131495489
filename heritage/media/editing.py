"""Changes an editor makes to a site's photos: words per language, order, archiving.

Archiving hides a photo from the page and from /media/ but keeps its rows and bytes (an editor's
mistake can be undone by an admin; nothing is deleted outright). A volunteer changes only their
own photos still waiting for review (`approval.check_change`, else Forbidden: a 403).
Services flush; callers commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from heritage.db import utcnow
from heritage.media.approval import check_change
from heritage.media.images import MediaRefused
from heritage.media.models import MediaFile, MediaKind, MediaText
from heritage.media.photos import _LANG, _clean_text, site_photos
from heritage.sites.models import Site
from heritage.tasks.models import Job, JobStatus

CAPTION_MAX = 1000
ALT_MAX = 500


@dataclass(frozen=True)
class PhotoWords:
    alt: str = ""
    caption: str = ""


def find_photo(session: Session, photo_id: int) -> MediaFile | None:
    """A photo (not a derivative, not archived) by id, with its site, texts and versions loaded."""
    return session.scalar(
        select(MediaFile)
        .where(MediaFile.id == photo_id, MediaFile.kind == MediaKind.photo, MediaFile.archived_at.is_(None))
        .options(
            selectinload(MediaFile.site), selectinload(MediaFile.texts), selectinload(MediaFile.derivatives)
        )
    )


def update_photo(
    session: Session,
    photo: MediaFile,
    words: Mapping[str, PhotoWords],
    credit: str,
    licence: str,
    actor=None,
) -> None:
    """Alt text and caption per language, credit and licence; an empty language is removed."""
    check_change(actor, photo)
    credit = _clean_text(credit, 300, _l("A photo needs a credit (who took it)."))
    licence = _clean_text(licence, 120, _l("A photo needs a licence."))
    for lang, entry in words.items():
        if not _LANG.fullmatch(lang or ""):
            raise MediaRefused(_l("Unknown language code: %(lang)s.", lang=lang))
        alt, caption = (entry.alt or "").strip(), (entry.caption or "").strip()
        if len(alt) > ALT_MAX:
            raise MediaRefused(_l("Alt text is at most %(limit)d characters.", limit=ALT_MAX))
        if len(caption) > CAPTION_MAX:
            raise MediaRefused(_l("A caption is at most %(limit)d characters.", limit=CAPTION_MAX))
        if not alt and not caption:
            photo.texts.pop(lang, None)
            continue
        text = photo.texts.get(lang)
        if text is None:
            photo.texts[lang] = MediaText(lang=lang, alt=alt, caption=caption or None)
        else:
            text.alt, text.caption = alt, caption or None
    photo.credit, photo.licence = credit, licence
    for derivative in photo.derivatives:  # every served version names the same author and licence
        derivative.credit, derivative.licence = credit, licence
    session.flush()


def move_photo(session: Session, photo: MediaFile, step: int, actor=None) -> None:
    """Move a photo one place earlier (-1) or later (+1) among its site's photos (waiting ones
    included: moving one never changes the order of the others among themselves)."""
    check_change(actor, photo)
    photos = site_photos(session, photo.site, with_pending=True)
    index = next(i for i, p in enumerate(photos) if p.id == photo.id)
    target = index + (1 if step > 0 else -1)
    if 0 <= target < len(photos):
        photos[index], photos[target] = photos[target], photos[index]
    # Renumbered from 0: positions stay dense whatever archiving left behind.
    for position, each in enumerate(photos):
        each.position = position
    session.flush()


def archive_photo(session: Session, photo: MediaFile, actor=None) -> None:
    check_change(actor, photo)
    photo.archived_at = utcnow()
    session.flush()


def site_upload_jobs(session: Session, site: Site, names: tuple[str, ...], limit: int = 20) -> list[Job]:
    """The site's upload jobs still worth showing: waiting, running, or failed (with a retry)."""
    from heritage.media.uploads import site_topic

    return list(
        session.scalars(
            select(Job)
            .where(
                Job.topic == site_topic(site),
                Job.name.in_(names),
                Job.status.in_([JobStatus.queued, JobStatus.running, JobStatus.failed]),
            )
            .order_by(Job.created_at.desc())
            .limit(limit)
        )
    )

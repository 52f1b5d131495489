"""Uploads from the back office: checked in the request, processed by a background job.

`submit_photo()` refuses a bad file at once (type from the bytes, size, pixels, a damaged file)
and stores nothing then; an accepted file is kept under its hash until the job has made the photo
and its derivatives (`heritage.media.jobs`), then forgotten. The job's id is what the page polls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heritage.db import utcnow
from heritage.media.approval import upload_stamp
from heritage.media.images import MediaRefused, check_photo
from heritage.media.models import MediaFile, kept_name
from heritage.media.photos import PhotoLimits, _clean_alt_texts, _clean_text, _read_capped
from heritage.media.storage import Storage
from heritage.sites.models import Site
from heritage.tasks import enqueue
from heritage.tasks.models import Job

PHOTO_JOB = "media.photo"
NARRATION_JOB = "media.narration"
PANORAMA_JOB = "media.panorama"
UPLOAD_JOBS = (PHOTO_JOB, NARRATION_JOB, PANORAMA_JOB)


def site_topic(site: Site) -> str:
    """What a site's jobs are filed under (the back office lists them by it)."""
    return f"site:{site.id}"


def check_quota(session: Session, user, per_day: int) -> None:
    """At most `per_day` uploads per person in 24 hours: a stolen phone cannot fill the disk."""
    if user is None or per_day <= 0:
        return
    since = utcnow() - timedelta(days=1)
    count = session.scalar(
        select(func.count())
        .select_from(Job)
        .where(Job.user_id == user.id, Job.name.in_(UPLOAD_JOBS), Job.created_at >= since)
    )
    if count >= per_day:
        raise MediaRefused(
            _l("You have uploaded %(count)d files today, the daily limit. Try again tomorrow.", count=count)
        )


@dataclass(frozen=True)
class SubmittedPhoto:
    job_id: str
    width: int
    height: int


def submit_photo(
    session: Session,
    storage: Storage,
    site: Site,
    data: bytes | BinaryIO,
    original_name: str | None,
    credit: str,
    licence: str,
    alt_texts: Mapping[str, str] | None = None,
    user=None,
    limits: PhotoLimits | None = None,
    uploads_per_day: int = 0,
) -> SubmittedPhoto:
    """Check a photo and queue its processing; flush, the caller commits (which sends the job)."""
    limits = limits or PhotoLimits()
    credit = _clean_text(credit, 300, _l("A photo needs a credit (who took it)."))
    licence = _clean_text(licence, 120, _l("A photo needs a licence."))
    alts = _clean_alt_texts(alt_texts)
    check_quota(session, user, uploads_per_day)
    raw = _read_capped(data, limits.max_bytes)
    checked = check_photo(raw, max_bytes=limits.max_bytes, max_pixels=limits.max_pixels)
    name = kept_name(original_name)
    # The worker may run on another machine: the upload goes through the shared storage.
    upload_key = storage.put(raw)
    job_id = enqueue(
        PHOTO_JOB,
        topic=site_topic(site),
        user_id=user.id if user is not None else None,
        site_id=site.id,
        upload_key=upload_key,
        original_name=name,
        credit=credit,
        licence=licence,
        alt_texts=alts,
        **upload_stamp(user),
    )
    return SubmittedPhoto(job_id, checked.width, checked.height)


def forget_upload(session: Session, storage: Storage, key: str) -> bool:
    """Delete an upload's bytes unless a stored file has the very same bytes. True if deleted."""
    if session.scalar(select(MediaFile.id).where(MediaFile.sha256 == key).limit(1)) is not None:
        return False
    storage.delete(key)
    return True

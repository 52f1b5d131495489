"""Recorded narration: one current recording per site and language, and its phone-sized renditions.

`submit_narration()` checks in the request (decoding the whole file) and queues the job;
`add_narration()` (the job, and the CLI) stores the original and the renditions and archives
the recording it replaces. The story text in that language is the transcript.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from heritage.db import utcnow
from heritage.media.audio import check_audio, render_narration
from heritage.media.images import MediaRefused
from heritage.media.models import MediaFile, MediaKind
from heritage.media.photos import _clean_text, _read_capped
from heritage.media.storage import Storage
from heritage.media.tour_models import SceneNarration
from heritage.media.uploads import NARRATION_JOB, check_quota, site_topic
from heritage.sites.models import Site
from heritage.tasks import enqueue


@dataclass(frozen=True)
class NarrationLimits:
    max_bytes: int = 60_000_000
    max_seconds: int = 1200

    @classmethod
    def from_config(cls, config: Mapping) -> NarrationLimits:
        return cls(int(config["MEDIA_MAX_AUDIO_BYTES"]), int(config["MEDIA_MAX_AUDIO_SECONDS"]))


def _language(lang: str, languages: list[str]) -> str:
    if lang not in languages:
        raise MediaRefused(_l("Choose the language the recording speaks."))
    return lang


def submit_narration(
    session: Session,
    storage: Storage,
    site: Site,
    lang: str,
    data: bytes | BinaryIO,
    original_name: str | None,
    credit: str,
    licence: str,
    languages: list[str],
    user=None,
    limits: NarrationLimits | None = None,
    uploads_per_day: int = 0,
    scene_id: int | None = None,
) -> str:
    """Check a recording and queue its renditions; flush, the caller commits. Returns the job id.
    With `scene_id` it is that 360° scene's narration, not the site's."""
    limits = limits or NarrationLimits()
    lang = _language(lang, languages)
    credit = _clean_text(credit, 300, _l("A recording needs a credit (whose voice)."))
    licence = _clean_text(licence, 120, _l("A recording needs a licence."))
    check_quota(session, user, uploads_per_day)
    raw = _read_capped(data, limits.max_bytes)
    check_audio(raw, max_bytes=limits.max_bytes, max_seconds=limits.max_seconds)
    name = (original_name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or None
    return enqueue(
        NARRATION_JOB,
        topic=site_topic(site),
        user_id=user.id if user is not None else None,
        site_id=site.id,
        lang=lang,
        upload_key=storage.put(raw),
        original_name=name,
        credit=credit,
        licence=licence,
        **({"scene_id": scene_id} if scene_id is not None else {}),
    )


def add_narration(
    session: Session,
    storage: Storage,
    site: Site,
    lang: str,
    data: bytes,
    original_name: str | None,
    credit: str,
    licence: str,
    limits: NarrationLimits | None = None,
    progress=None,
    scene_id: int | None = None,
    synthetic: bool = False,
) -> MediaFile:
    """Store the recording and its renditions as the site's narration in `lang` (or, with
    `scene_id`, as that 360° scene's); flush.

    `synthetic`: spoken by a machine (the demo's espeak-ng); pages label it beside the player.
    """
    limits = limits or NarrationLimits()
    progress = progress or (lambda percent, message=None: None)
    progress(5, _l("Reading the recording"))
    checked = check_audio(data, max_bytes=limits.max_bytes, max_seconds=limits.max_seconds)
    renditions = render_narration(data, lambda percent: progress(percent, _l("Making the phone version")))
    progress(92, _l("Storing"))
    previous = current_narration(session, site, lang, scene_id=scene_id)
    if previous is not None:
        previous.archived_at = utcnow()  # replaced, kept
    original = MediaFile(
        site=site,
        kind=MediaKind.narration,
        lang=lang,
        sha256=storage.put(data),
        size=len(data),
        media_type=checked.media_type,
        duration_ms=checked.duration_ms,
        credit=credit,
        licence=licence,
        original_name=original_name,
        synthetic=synthetic,
    )
    for rendition in renditions:
        original.derivatives.append(
            MediaFile(
                site=site,
                kind=MediaKind.narration_rendition,
                lang=lang,
                sha256=storage.put(rendition.data),
                size=len(rendition.data),
                media_type=rendition.media_type,
                duration_ms=rendition.duration_ms,
                credit=credit,
                licence=licence,
                synthetic=synthetic,
            )
        )
    session.add(original)
    session.flush()
    if scene_id is not None:
        session.add(SceneNarration(narration_id=original.id, scene_id=scene_id))
        session.flush()
    return original


def _of_scene(scene_id: int | None):
    """The site's own recordings (no scene), or one scene's."""
    linked = select(SceneNarration.narration_id).where(SceneNarration.narration_id == MediaFile.id)
    if scene_id is None:
        return ~linked.exists()
    return linked.where(SceneNarration.scene_id == scene_id).exists()


def current_narration(
    session: Session, site: Site, lang: str, scene_id: int | None = None
) -> MediaFile | None:
    """The site's recording in `lang` (not archived), with its renditions loaded; with
    `scene_id`, that scene's."""
    return session.scalar(
        select(MediaFile)
        .where(
            MediaFile.site_id == site.id,
            MediaFile.kind == MediaKind.narration,
            MediaFile.lang == lang,
            MediaFile.archived_at.is_(None),
            _of_scene(scene_id),
        )
        .order_by(MediaFile.id.desc())
        .options(selectinload(MediaFile.derivatives))
        .limit(1)
    )


def site_narrations(session: Session, site: Site, scene_id: int | None = None) -> dict[str, MediaFile]:
    """Every language's current recording (of the site, or with `scene_id` of that scene)."""
    rows = session.scalars(
        select(MediaFile)
        .where(
            MediaFile.site_id == site.id,
            MediaFile.kind == MediaKind.narration,
            MediaFile.archived_at.is_(None),
            _of_scene(scene_id),
        )
        .order_by(MediaFile.id)
        .options(selectinload(MediaFile.derivatives))
    ).all()
    return {row.lang: row for row in rows}
